#!/usr/bin/env bash
# The GPU run of issue 18, as one prepared script for the device machine (an H100/H200 with
# CuPy, CUDA PyTorch, numba, h5py, click... already installed: see the device tool's notes).
#
#   device run:  bash benchmarks/gpu_run.sh          (timeout_s ~ 580)
#
# Each step has its own time bound, so one slow or hanging step cannot eat the others'
# time; the results land under $OUT (or ./gpu-results when OUT is unset) as four files
# (the device tool returns at most eight): steps.txt (each step's exit code and seconds),
# log.txt (machine, install and every step's output), kernels-cuda.json, runs.tgz
# (config.json and metrics.jsonl of the three trainings).
# Data: ../shared/data does not travel to the device machine. Copy what the trainings need
# into an ignored folder of the checkout and carry it:
#   echo /.gpu-data/ >> .git/info/exclude
#   mkdir -p .gpu-data/cifar10 && cp -r ../shared/data/ncd .gpu-data/ &&
#   cp -r ../shared/data/cifar10/{data_batch_1_first4000,jpeg_yoongikim,SHA256SUMS} .gpu-data/cifar10/
#   (about 75 MB: over the tool's 64 MiB, so also drop every other NCD class folder's
#   second half, or run the iizuka step in a second call)
#   device run: command "MINIDL_DATA=$PWD/.gpu-data bash benchmarks/gpu_run.sh",
#               carry [".gpu-data"], timeout_s 580
# Steps, in order:
#   1. the CUDA tests (tests/test_cuda.py and the cuda-marked optimizer/checkpoint tests)
#   2. the whole suite with the GPU present
#   3. minidl bench kernels --device cuda against PyTorch CUDA (cuDNN, TF32 off)
#   4. minidl train --device cuda: the default job, and one epoch of colorize-cifar gan and
#      iizuka joint, with images/s beside the CPU figures in RESULTS/issue notes
set -uo pipefail
OUT="${OUT:-$PWD/gpu-results}"
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 MINIDL_DATA="${MINIDL_DATA:-$PWD/shared/data}"

LOG="$OUT/log.txt"
step() {  # step NAME SECONDS COMMAND...: run with a bound, append to log.txt, record rc
    local name=$1 limit=$2; shift 2
    local start=$SECONDS
    echo "===== $name: $*" >>"$LOG"
    timeout --kill-after=10 "$limit" "$@" >>"$LOG" 2>&1
    local rc=$?
    echo "$name rc=$rc seconds=$((SECONDS - start))" | tee -a "$OUT/steps.txt"
}

{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; python3 -c \
  "import cupy, torch; print('cupy', cupy.__version__, 'torch', torch.__version__)"; } \
  >>"$LOG" 2>&1
python3 -m pip install -q --no-deps --no-build-isolation -e . >>"$LOG" 2>&1 \
    || { echo "install failed" | tee -a "$OUT/steps.txt"; exit 1; }

step cuda-tests 120 python3 -m pytest -q -x -rs -p no:cacheprovider tests/test_cuda.py
step cuda-marked 50 python3 -m pytest -q -rs -p no:cacheprovider -k cuda \
    tests/test_optim.py tests/test_serialization.py
step whole-suite 150 python3 -m pytest -q -p no:cacheprovider
step bench-cuda 80 minidl bench kernels --device cuda --repeat 5 \
    --json "$OUT/kernels-cuda.json"
step train-default 60 minidl train --device cuda --out "$OUT/runs"
step train-gan 45 minidl train colorize-cifar --model gan --epochs 1 --device cuda \
    --out "$OUT/runs"
step train-iizuka 45 minidl train iizuka --experiment joint --epochs 1 --device cuda \
    --out "$OUT/runs"
(cd "$OUT" && tar czf runs.tgz runs/*/config.json runs/*/metrics.jsonl && rm -rf runs)
