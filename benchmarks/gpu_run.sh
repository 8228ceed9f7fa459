#!/usr/bin/env bash
# The GPU run of issue 18, as one prepared script for the device machine (an H100/H200 whose
# image has CuPy, CUDA PyTorch, numba, h5py, click, pytest-xdist... installed: see the device
# tool's notes).  Device time is short (about 15 minutes a session, each machine start 1-2 of
# them), so the steps run in order of value, each with its own time bound, all of them within
# one budget (BUDGET seconds, default 400); a step the budget no longer fits is skipped and
# says so.  STEPS picks steps for a rerun (default: all, in the order below).
#
# Data: ../shared/data does not travel to the device machine.  The trainings read a copy in
# an ignored folder of the checkout, carried with the call (under the tool's 64 MiB with the
# repository: CIFAR-10's lossless batch and horse JPEGs, every other NCD image):
#   echo /.gpu-data/ >> .git/info/exclude   (then copy as the issue-18 note says)
#   device run: command "bash benchmarks/gpu_run.sh", carry [".gpu-data"], timeout_s 460
# The tests do not read it: they make their own tiny datasets (a test that needs the real
# data skips without MINIDL_DATA).
#
# Steps:
#   gpu-tests      every test that runs on cuda (pytest -k cuda: tests/test_cuda.py, the kernel
#                  case tables on the cuda backend, cuda optimizers, checkpoints, layers)
#   bench-cuda     minidl bench kernels --device cuda against PyTorch CUDA (cuDNN, TF32 off)
#   profile        benchmarks/gpu_profile.py: each case's host and device time per call, both
#                  engines, and cProfile's busiest functions for a few small cases
#   train-default  minidl train --device cuda: the default job
#   train-gan      one epoch of colorize-cifar, model gan
#   train-iizuka   one epoch of iizuka, experiment joint
#   whole-suite    the whole suite with the GPU present (pytest-xdist workers if installed)
# Results under $OUT (or ./gpu-results), at most the tool's eight files: steps.txt (each
# step's exit code and seconds), log.txt (machine, versions, every step's output),
# kernels-cuda.json, profile.txt, trainings.txt (each training's images/s), runs.tgz (the
# trainings' config.json and metrics.jsonl).
set -uo pipefail
OUT="${OUT:-$PWD/gpu-results}"
BUDGET="${BUDGET:-400}"
STEPS="${STEPS:-gpu-tests bench-cuda profile train-default train-gan train-iizuka whole-suite}"
DATA="$PWD/.gpu-data"
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
unset MINIDL_DATA

LOG="$OUT/log.txt"
step() {  # step NAME SECONDS COMMAND...: run within its bound and the budget, log, record rc
    local name=$1 limit=$2; shift 2
    [[ " $STEPS " == *" $name "* ]] || return 0
    local left=$((BUDGET - SECONDS - 5))
    ((limit > left)) && limit=$left
    if ((limit < 15)); then
        echo "$name skipped: ${left}s of the budget left" | tee -a "$OUT/steps.txt"
        return 0
    fi
    local start=$SECONDS
    echo "===== $name (bound ${limit}s): $*" >>"$LOG"
    timeout --kill-after=10 "$limit" "$@" >>"$LOG" 2>&1
    local rc=$?
    echo "$name rc=$rc seconds=$((SECONDS - start)) bound=$limit" | tee -a "$OUT/steps.txt"
}

{ nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
  nproc; python3 -c "import sys, numpy, numba, cupy, torch; print(sys.version.split()[0],
'numpy', numpy.__version__, 'numba', numba.__version__, 'cupy', cupy.__version__,
'torch', torch.__version__, 'cuda', torch.version.cuda)"; } >>"$LOG" 2>&1
python3 -m pip install -q --no-deps --no-build-isolation -e . >>"$LOG" 2>&1 \
    || { echo "install failed" | tee -a "$OUT/steps.txt"; exit 1; }
echo "install seconds=$SECONDS" | tee -a "$OUT/steps.txt"

PYTEST=(python3 -m pytest -q -rfEs -p no:cacheprovider --maxfail=25)
python3 -c "import pytest_timeout" 2>/dev/null && PYTEST+=(--timeout=120)
WORKERS=()
python3 -c "import xdist" 2>/dev/null && WORKERS=(-n 8)

step gpu-tests 150 "${PYTEST[@]}" "${WORKERS[@]}" -k cuda tests
step bench-cuda 100 minidl bench kernels --device cuda --repeat 5 \
    --json "$OUT/kernels-cuda.json"
step profile 90 bash -c "python3 benchmarks/gpu_profile.py >'$OUT/profile.txt' 2>&1 &&
    python3 benchmarks/gpu_profile.py --profile 'batch_norm 32ch' 'conv 1->32 3x3 28x28' \
    'convT 64->3' 'max_pool2d 2x2 32ch' >>'$OUT/profile.txt' 2>&1"
step train-default 90 minidl train --device cuda --out "$OUT/runs"
step train-gan 60 env MINIDL_DATA="$DATA" minidl train colorize-cifar --model gan \
    --epochs 1 --device cuda --out "$OUT/runs"
step train-iizuka 60 env MINIDL_DATA="$DATA" minidl train iizuka --experiment joint \
    --epochs 1 --device cuda --out "$OUT/runs"
step whole-suite 240 "${PYTEST[@]}" "${WORKERS[@]}" tests

if compgen -G "$OUT/runs/*/metrics.jsonl" >/dev/null; then
    python3 - "$OUT/runs" >"$OUT/trainings.txt" 2>&1 <<'EOF'
import json, pathlib, sys
for run in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    for line in (run / "metrics.jsonl").read_text().splitlines():
        epoch = json.loads(line)
        print(f"{run.name} epoch {epoch['epoch']}: {epoch.get('seconds')} s, "
              f"{epoch.get('images_per_second')} images/s")
EOF
    (cd "$OUT" && tar czf runs.tgz runs/*/config.json runs/*/metrics.jsonl && rm -rf runs)
fi
echo "total seconds=$SECONDS" | tee -a "$OUT/steps.txt"
