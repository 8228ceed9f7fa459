"""Data-parallel training on 2 ranks started with mpiexec (skipped, with the reason, where
MPI cannot start): collectives, DistributedDataParallel and SyncBatchNorm against one
process, the ranks agreeing on a non-finite step (tests/mpi_programs.py), `minidl train
--distributed` on 2 ranks against one process, a 2-rank checkpoint resumed on 1 rank, and
a rank that fails, hangs or is killed ending the job instead of leaving the other waiting.

Every launch has a timeout: a job that hangs fails its test instead of the suite.
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import minidl
from minidl.cli.main import cli
from minidl.studies import runner
from minidl.training import trainer as trainer_module

PROGRAMS = Path(__file__).with_name("mpi_programs.py")
LAUNCH_TIMEOUT = 120  # seconds; far above what any launch here needs


def launcher() -> str | None:
    """mpiexec of the MPI that came with mpi4py (beside this Python), else on the PATH."""
    beside = Path(sys.executable).parent / "mpiexec"
    if beside.exists():
        return str(beside)
    return shutil.which("mpiexec") or shutil.which("mpirun")


def environment() -> dict:
    """One thread per rank (two ranks share this machine's cores)."""
    return {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            "NUMBA_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def mpiexec():
    """The launcher, after checking that it starts 2 ranks that see each other."""
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip('mpi4py is not installed (pip install "minidl[mpi]")')
    command = launcher()
    if command is None:
        pytest.skip("no mpiexec/mpirun found (pip install mpich, or a system MPI)")
    probe = [command, "-n", "2", sys.executable, "-c",
             "from mpi4py import MPI; world = MPI.COMM_WORLD; ranks = world.allreduce(1)\n"
             "if world.Get_rank() == 0: print(ranks)"]
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=60,
                                env=environment(), check=False)
    except subprocess.TimeoutExpired:
        pytest.skip(f"{command} -n 2 did not finish within 60 s")
    if result.returncode != 0 or result.stdout.split() != ["2"]:
        pytest.skip(f"{command} -n 2 cannot start 2 MPI ranks here: "
                    f"{(result.stdout + result.stderr).strip()[:300]}")
    return command


def launch(mpiexec, *args, ranks=2):
    """Run tests/mpi_programs.py ARGS on ``ranks`` ranks; the CompletedProcess (stdout and
    stderr together)."""
    return subprocess.run([mpiexec, "-n", str(ranks), sys.executable, str(PROGRAMS),
                           *map(str, args)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=LAUNCH_TIMEOUT,
                          env=environment(), check=False)


def test_collectives_data_parallel_and_sync_batchnorm_match_one_process(mpiexec):
    result = launch(mpiexec, "collectives")
    assert result.returncode == 0, result.stdout
    assert "all checks passed on 2 ranks" in result.stdout, result.stdout


@pytest.mark.parametrize("mode, message", [
    ("hang", "did not take part within the timeout of 2 s"),
    ("raise", "rank 1 of 2 stops (uncaught RuntimeError)"),
    ("kill", ""),  # the launcher sees the killed rank and ends the other
])
def test_a_rank_that_fails_stops_the_other(mpiexec, mode, message):
    result = launch(mpiexec, mode)  # TimeoutExpired (a failure) if rank 0 waited forever
    assert result.returncode != 0
    assert message in result.stdout
    assert "rank 0 finished all steps" not in result.stdout


# -- minidl train --distributed ---------------------------------------------------------------
# multidigit-mnist without dropout (each rank would draw its own masks) and without batch
# norm, with its random rotations and shifts on: 2 ranks of 4 images == 1 process of 8.
# SGD, not the study's Adam: Adam divides each step by the size of the recent gradients,
# so it would hide a wrong scale of the averaged gradients (a sum over the ranks in place
# of the mean), and it moves an element whose gradient is rounding noise by up to a whole
# step, lr, which makes float32 sums in another order (each rank's half of the batch)
# disagree in a few weights by more than rounding
RUN = ["multidigit-mnist", "--limit", 24, "--batch-size", 8, "--set", "dropout=0",
       "--optimizer", "sgd", "--lr", 0.05, "--dist-timeout", 60]


@pytest.fixture
def no_plots(monkeypatch):
    """Leave matplotlib's drawing out of the in-process runs (as mpi_programs.py does)."""
    monkeypatch.setattr(trainer_module.Trainer, "write_plots", lambda self, evaluation: [])
    evaluate = runner.evaluate_split

    def evaluate_without_plots(run, config, task, *rest, **options):
        task.write_plots = lambda *args, **kwargs: []
        return evaluate(run, config, task, *rest, **options)
    monkeypatch.setattr(runner, "evaluate_split", evaluate_without_plots)


def train_here(*args):
    result = CliRunner().invoke(cli, ["train", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


def the_run(out: Path) -> Path:
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    return run


def records(run: Path) -> list:
    lines = (run / "metrics.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def assert_same_training(run: Path, reference: Path) -> None:
    """Equal loss curves and weights, to float32 rounding (sums in another order; the
    accuracies, counts of thresholded outputs, are left out: rounding may flip one)."""
    ours, theirs = records(run), records(reference)
    assert [r["epoch"] for r in ours] == [r["epoch"] for r in theirs]
    for mine, other in zip(ours, theirs):
        for key in ("train_loss", "val_loss", "lr"):
            assert mine[key] == pytest.approx(other[key], rel=1e-5, abs=1e-6), key
    a = minidl.load(run / "checkpoint.h5")["models"]["model"]
    b = minidl.load(reference / "checkpoint.h5")["models"]["model"]
    assert list(a) == list(b)  # no "module." prefix: the bare model's keys
    for key in a:
        np.testing.assert_allclose(a[key].numpy(), b[key].numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=key)


def test_two_ranks_train_like_one_process_and_resume_on_one(mpiexec, tmp_path, no_plots):
    train_here(*RUN, "--epochs", 3, "--out", tmp_path / "one")
    one = the_run(tmp_path / "one")

    result = launch(mpiexec, "train", *RUN, "--epochs", 2, "--distributed",
                    "--out", tmp_path / "two")
    assert result.returncode == 0, result.stdout
    assert "data-parallel training on 2 ranks (mpi)" in result.stdout
    two = the_run(tmp_path / "two")
    assert [r["epoch"] for r in records(two)] == [1, 2]

    # the 2-rank checkpoint of epoch 2, resumed in one process for a third epoch
    result = train_here("--resume", two, "--epochs", 3)
    assert "resuming" in result.output
    assert_same_training(two, one)
