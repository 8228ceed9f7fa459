"""Runs that fail say so and lose nothing: faults injected into tiny ``minidl train`` runs.

Signals go to a real process (tests/train_with_fault.py waits at a chosen point of a run
until the test has sent them); the rest runs in this process through click's CliRunner.
Each test asserts the exit code, the one message, and what is on disk afterwards: the
checkpoint of the last good epoch, metrics.jsonl without torn or repeated lines, no
temporary files.
"""
import errno
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import minidl
from minidl.cli.main import cli
from minidl.datasets import mnist
from minidl.studies import runner
from minidl.training import checkpoint as checkpoint_module
from minidl.training import trainer as trainer_module
from minidl.training.files import append_line, write_text_atomically
from minidl.training.nonfinite import NonFiniteError, NonFiniteGuard
from minidl.training.run_lock import RunLock, RunLockedError
from minidl.training.tasks.classification import ClassificationTask

TINY = ("--limit", 12, "--batch-size", 4)
FAULT_RUNNER = Path(__file__).with_name("train_with_fault.py")


@pytest.fixture(autouse=True)
def _package_mnist_only_and_no_plots(monkeypatch, tmp_path):
    """MNIST from the package; no $MINIDL_DATA, an empty user cache. No plots: they take
    most of a tiny run's time and play no part in its faults."""
    monkeypatch.delenv("MINIDL_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    leave_out_plots(monkeypatch.setattr)


def leave_out_plots(setattr):
    setattr(trainer_module.Trainer, "write_plots", lambda self, evaluation: [])
    setattr(ClassificationTask, "write_plots", lambda self, evaluation, folder, prefix="": [])


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def the_run(out: Path) -> Path:
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    return run_dir


def epochs_logged(run_dir: Path) -> list:
    return [json.loads(line)["epoch"]
            for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def checkpoint_epoch(path: Path) -> int:
    return minidl.load(path)["epoch"]


def leftovers(run_dir: Path) -> list:
    return sorted(p.name for p in run_dir.iterdir() if p.name.endswith(".tmp"))


def one_line_error(result, text: str) -> None:
    """The exit code is 1 and the output ends in the one line ``Error: <text>`` (after
    what the run printed before, if anything)."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.endswith(f"\nError: {text}\n") or \
        result.output == f"Error: {text}\n", result.output


# -- signals and kill -9 in a real process -------------------------------------------------
def start_waiting(tmp_path, point: str, epoch: int, *args):
    """A ``minidl train`` process that waits at ``point`` of ``epoch`` (see
    train_with_fault.py); returns it and its run directory once it is there."""
    control = tmp_path / "control"
    control.mkdir()
    out = tmp_path / "runs"
    process = subprocess.Popen(
        [sys.executable, str(FAULT_RUNNER), point, str(epoch), str(control), "--", "train",
         *[str(a) for a in args], "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(FAULT_RUNNER.parent)})
    while not (control / "waiting").exists():  # no timing decides: wait for the file
        if process.poll() is not None:
            raise AssertionError(f"the run ended before it got there: "
                                 f"{process.communicate()}")
        time.sleep(0.02)
    return process, the_run(out), control


def ended(process, *, go: Path | None = None):
    """``(exit code, stdout, stderr)`` once ``process`` ends (after ``go`` is created)."""
    if go is not None:
        go.touch()
    stdout, stderr = process.communicate(timeout=300)
    assert "Traceback" not in stderr, stderr
    return process.returncode, stdout, stderr


def test_sigterm_while_training_keeps_the_checkpoint_and_refuses_a_second_trainer(tmp_path):
    process, run_dir, _ = start_waiting(tmp_path, "epoch", 2, *TINY, "--epochs", 2)

    second = invoke("train", "--resume", run_dir)
    assert second.exit_code == 1 and len(second.output.splitlines()) == 1
    assert second.output.startswith(f"Error: run {run_dir} is being trained by another "
                                    f"process (pid {process.pid} on host ")

    process.send_signal(signal.SIGTERM)
    code, _, stderr = ended(process)
    assert code == 143
    assert stderr.strip().splitlines()[-1] == (
        f"stopped by SIGTERM: {run_dir} holds the checkpoint of epoch 1; continue with: "
        f"minidl train --resume {run_dir}")
    assert checkpoint_epoch(run_dir / "checkpoint.h5") == 1 and epochs_logged(run_dir) == [1]

    resumed = invoke("train", "--resume", run_dir)
    assert resumed.exit_code == 0, resumed.output
    assert epochs_logged(run_dir) == [1, 2] and leftovers(run_dir) == []


def test_sigterm_during_a_checkpoint_write_lets_it_finish(tmp_path):
    process, run_dir, control = start_waiting(tmp_path, "save", 2, *TINY, "--epochs", 3)
    process.send_signal(signal.SIGTERM)
    code, _, stderr = ended(process, go=control / "go")
    assert code == 143
    assert stderr.strip().splitlines()[-1] == (
        f"stopped by SIGTERM: {run_dir} holds the checkpoint of epoch 2; continue with: "
        f"minidl train --resume {run_dir}")
    assert checkpoint_epoch(run_dir / "checkpoint.h5") == 2
    assert checkpoint_epoch(run_dir / "checkpoint.prev.h5") == 1
    assert epochs_logged(run_dir) == [1, 2] and leftovers(run_dir) == []


@pytest.mark.parametrize("point", ["epoch", "save"])
def test_kill_9_loses_nothing_and_resume_cleans_up(tmp_path, point):
    process, run_dir, _ = start_waiting(tmp_path, point, 2, *TINY, "--epochs", 2)
    process.kill()
    assert ended(process)[0] == -signal.SIGKILL
    assert checkpoint_epoch(run_dir / "checkpoint.h5") == 1 and epochs_logged(run_dir) == [1]
    partial = [".checkpoint.h5.0badf11e.tmp"] if point == "save" else []
    assert leftovers(run_dir) == partial

    resumed = invoke("train", "--resume", run_dir)  # the dead process holds no lock
    assert resumed.exit_code == 0, resumed.output
    notes = [line for line in resumed.output.splitlines() if line.startswith("note: ")]
    assert notes == [f"note: removed {name} (left by an interrupted write)" for name in partial]
    assert epochs_logged(run_dir) == [1, 2] and leftovers(run_dir) == []


# -- interrupts and failures in this process -----------------------------------------------
def fail_at_save(monkeypatch, epoch: int, error: BaseException):
    """Make writing the checkpoint of ``epoch`` raise ``error`` (the file stays as it was)."""
    save = checkpoint_module.save

    def failing(obj, path):
        if obj["epoch"] == epoch:
            raise error
        save(obj, path)
    monkeypatch.setattr(checkpoint_module, "save", failing)


@pytest.mark.parametrize("interrupt, code, name", [(KeyboardInterrupt(), 130, "Ctrl-C"),
                                                   (None, 143, "SIGTERM")])
def test_second_interrupt_inside_a_checkpoint_write_names_the_epoch_on_disk(
        tmp_path, monkeypatch, interrupt, code, name):
    from minidl.training.interrupts import Terminated
    fail_at_save(monkeypatch, 2, interrupt or Terminated())
    result = invoke("train", *TINY, "--epochs", 3, "--out", tmp_path)
    run_dir = the_run(tmp_path)
    assert result.exit_code == code
    assert result.output.strip().splitlines()[-1] == (
        f"stopped by {name}: {run_dir} holds the checkpoint of epoch 1; continue with: "
        f"minidl train --resume {run_dir}")
    assert checkpoint_epoch(run_dir / "checkpoint.h5") == 1 and epochs_logged(run_dir) == [1]


def test_full_disk_during_the_hdf5_write_is_one_line_and_keeps_the_checkpoint(
        tmp_path, monkeypatch):
    """Simulated: the write of epoch 2's checkpoint fails with ENOSPC (a real full disk:
    the tmpfs test below)."""
    target = "checkpoint.h5"
    fail_at_save(monkeypatch, 2, OSError(errno.ENOSPC, "No space left on device", target))
    result = invoke("train", *TINY, "--epochs", 2, "--out", tmp_path)
    run_dir = the_run(tmp_path)
    one_line_error(result, f"no space left on the device writing {target}. Free some "
                           f"space; {run_dir} holds the checkpoint of epoch 1; continue "
                           f"with: minidl train --resume {run_dir}")
    assert checkpoint_epoch(run_dir / "checkpoint.h5") == 1 and epochs_logged(run_dir) == [1]


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MiB tmpfs (needs root, or CAP_SYS_ADMIN); skipped where it cannot be mounted."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip()}); the full "
                    "disk is simulated in the test above")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_full_disk_on_a_real_small_file_system(small_disk, monkeypatch):
    """At the start of epoch 2 the disk is filled up to 1 MiB: the checkpoint of epoch 2
    cannot be written; one line, exit 1, the checkpoint of epoch 1 intact; once space is
    freed the run resumes."""
    out = small_disk / "runs"
    filler = small_disk / "filler"
    run_epoch = trainer_module.Trainer.run_epoch

    def filling(self, epoch):
        if epoch == 2:
            free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
            with open(filler, "wb") as file:
                file.truncate(0)
                file.write(bytes(free - (1 << 20)))
        return run_epoch(self, epoch)
    with monkeypatch.context() as patch:
        patch.setattr(trainer_module.Trainer, "run_epoch", filling)
        result = invoke("train", *TINY, "--epochs", 2, "--out", out)
    run_dir = the_run(out)
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith(f"Error: no space left on the device writing "
                                f"{run_dir / 'checkpoint.h5'}. Free some space; {run_dir} "
                                "holds the checkpoint of epoch 1; continue with")
    assert checkpoint_epoch(run_dir / "checkpoint.h5") == 1 and epochs_logged(run_dir) == [1]
    assert leftovers(run_dir) == []
    filler.unlink()
    assert invoke("train", "--resume", run_dir).exit_code == 0
    assert epochs_logged(run_dir) == [1, 2]


def test_interrupted_test_evaluation_points_resume_to_eval(tmp_path, monkeypatch):
    with monkeypatch.context() as patch:
        def interrupted(*args):
            raise KeyboardInterrupt
        patch.setattr(runner, "evaluate_split", interrupted)
        result = invoke("train", *TINY, "--epochs", 1, "--out", tmp_path)
    run_dir = the_run(tmp_path)
    assert result.exit_code == 130
    assert result.output.strip().splitlines()[-1] == (
        f"stopped by Ctrl-C: {run_dir} holds the trained model (epoch 1); measure it "
        f"with: minidl eval {run_dir}")
    one_line_error(invoke("train", "--resume", run_dir),
                   f"run {run_dir} has finished 1 epochs already; its test evaluation did "
                   f"not finish: minidl eval {run_dir}; pass --epochs with a larger total "
                   "to train it further")
    assert invoke("eval", run_dir).exit_code == 0
    one_line_error(invoke("train", "--resume", run_dir),
                   f"run {run_dir} has finished 1 epochs already; pass --epochs with a "
                   "larger total to train it further")


# -- NaN and infinity ----------------------------------------------------------------------
def lr_from_epoch(monkeypatch, epoch: int, lr: float):
    """Set every optimizer's learning rate to ``lr`` when ``epoch`` starts."""
    run_epoch = trainer_module.Trainer.run_epoch

    def with_new_lr(self, number):
        if number == epoch:
            for optimizer in self.task.optimizers.values():
                for group in optimizer.param_groups:
                    group["lr"] = lr
        return run_epoch(self, number)
    monkeypatch.setattr(trainer_module.Trainer, "run_epoch", with_new_lr)


@pytest.mark.parametrize("diverging_epoch", [1, 2])
def test_lr_1e6_stops_the_run_and_keeps_the_last_finite_checkpoint(tmp_path, monkeypatch,
                                                                   diverging_epoch):
    """``--lr 1e6`` from the start, or from epoch 2 on (after a good first epoch)."""
    lr_from_epoch(monkeypatch, 2, 1e6)
    lr = 1e6 if diverging_epoch == 1 else 0.01
    result = invoke("train", *TINY, "--epochs", 3, "--optimizer", "sgd", "--lr", lr,
                    "--out", tmp_path)
    run_dir = the_run(tmp_path)
    kept = (f"{run_dir} has no checkpoint: its first epoch diverged" if diverging_epoch == 1
            else f"{run_dir} keeps the checkpoint of epoch 1, the last one whose weights "
                 "and validation loss were finite")
    assert result.exit_code == 1 and "Traceback" not in result.output
    last = result.output.strip().splitlines()[-1]  # nan, or a millionfold loss before it
    assert last.startswith(f"Error: training diverged at epoch {diverging_epoch}, batch ")
    assert "the loss of 'model' is " in last and last.endswith(
        f"{kept}. The learning rate (1e+06) may be too large: train again with a smaller "
        "--lr, or skip such steps with --set on_nonfinite=skip")
    assert not (run_dir / "checkpoint.prev.h5").exists()
    if diverging_epoch == 1:
        assert not (run_dir / "checkpoint.h5").exists()
        assert not (run_dir / "metrics.jsonl").exists()
        return
    saved = minidl.load(run_dir / "checkpoint.h5")
    assert saved["epoch"] == 1 and epochs_logged(run_dir) == [1]
    assert all(np.isfinite(value.numpy()).all() for value in saved["models"]["model"].values())


def test_adam_lr_1e6_stops_on_a_finite_but_exploding_loss(tmp_path):
    """With the default Adam, ``--lr 1e6`` gives losses of 1e21 that stay finite: the run
    stops when a loss passes a millionfold its first value."""
    result = invoke("train", *TINY, "--epochs", 2, "--lr", 1e6, "--out", tmp_path)
    run_dir = the_run(tmp_path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: training diverged at epoch ") and \
        "the loss of 'model' is " in last and "more than 1e+06 times its first value" in last
    if (run_dir / "checkpoint.h5").exists():
        saved = minidl.load(run_dir / "checkpoint.h5")
        assert all(np.isfinite(v.numpy()).all() for v in saved["models"]["model"].values())


def test_skip_policy_leaves_out_a_nan_batch_and_counts_it(tmp_path, monkeypatch):
    """A batch of NaN images in epoch 1: its step is skipped, batch norm's running
    statistics are put back, and the run goes on."""
    train_step = ClassificationTask.train_step
    calls = []

    def one_nan_batch(self, batch):
        calls.append(1)
        if len(calls) == 2:
            batch = (batch[0] * math.nan, batch[1])
        return train_step(self, batch)
    monkeypatch.setattr(ClassificationTask, "train_step", one_nan_batch)
    result = invoke("train", *TINY, "--epochs", 2, "--set", "on_nonfinite=skip",
                    "--out", tmp_path)
    assert result.exit_code == 0, result.output
    run_dir = the_run(tmp_path)
    records = [json.loads(line) for line in
               (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["skipped_batches"] for r in records] == [1, 0]
    assert all(math.isfinite(r["train_loss"]) for r in records)
    assert "skipped 1 batches with a non-finite loss or gradient" in result.output
    saved = minidl.load(run_dir / "checkpoint.h5")["models"]["model"]
    assert all(np.isfinite(value.numpy()).all() for value in saved.values())


def test_guard_stops_or_skips_a_step_with_a_non_finite_gradient():
    model = minidl.nn.Linear(3, 1)
    loss = model(minidl.ones(2, 3)).sum()
    loss.backward()
    model.weight.grad.array[0, 1] = math.inf  # the loss itself is finite
    stop = NonFiniteGuard("stop")
    stop.start_batch("epoch 4, batch 2/9", {"model": model})
    with pytest.raises(NonFiniteError, match=r"^epoch 4, batch 2/9: the gradient of 'model' "
                                             r"weight is not finite$"):
        stop.allows_step("model", model, loss)
    skip = NonFiniteGuard("skip")
    skip.start_batch("epoch 4, batch 2/9", {"model": model})
    assert not skip.allows_step("model", model, loss) and skip.batch_skipped
    assert model.weight.grad is None and model.bias.grad is None


# -- files of the run directory --------------------------------------------------------------
def test_unreadable_checkpoint_falls_back_and_a_torn_metrics_line_is_dropped(
        tmp_path, monkeypatch):
    run_epoch = trainer_module.Trainer.run_epoch

    def interrupted(self, epoch):
        if epoch == 3:
            raise KeyboardInterrupt
        return run_epoch(self, epoch)
    with monkeypatch.context() as patch:
        patch.setattr(trainer_module.Trainer, "run_epoch", interrupted)
        assert invoke("train", *TINY, "--epochs", 3, "--out", tmp_path).exit_code == 130
    run_dir = the_run(tmp_path)
    newest = run_dir / "checkpoint.h5"
    newest.write_bytes(newest.read_bytes()[:5000])  # damaged
    with open(run_dir / "metrics.jsonl", "a") as metrics:
        metrics.write('{"epoch": 3, "train_lo')  # a line cut short

    result = invoke("train", "--resume", run_dir)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note: ")]
    assert len(notes) == 2
    assert notes[0].startswith(f"note: {newest} cannot be read (")
    assert notes[0].endswith("); using checkpoint.prev.h5, the checkpoint of epoch 1")
    assert notes[1] == (f"note: {run_dir / 'metrics.jsonl'} ended in a torn line "
                        "('{\"epoch\": 3, \"train_lo', from an interrupted write); dropped")
    assert f"resuming {run_dir} after epoch 1" in result.output
    assert epochs_logged(run_dir) == [1, 2, 3]
    assert checkpoint_epoch(newest) == 3
    assert checkpoint_epoch(run_dir / "checkpoint.prev.h5") == 2  # the damaged file never was


def test_atomic_writes_keep_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    config = tmp_path / "config.json"
    config.write_text("old\n")
    metrics = tmp_path / "metrics.jsonl"
    metrics.write_text('{"epoch": 1}\n')

    def no_space(*args):
        raise OSError(errno.ENOSPC, "No space left on device")
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", no_space)
        with pytest.raises(OSError, match="No space"):
            write_text_atomically(config, "new\n")
        with pytest.raises(OSError, match="No space"):
            append_line(metrics, '{"epoch": 2}')
    with monkeypatch.context() as patch:
        patch.setattr(os, "write", lambda descriptor, data: len(data) // 2)  # a short write
        with pytest.raises(OSError, match="only 6 of 13 bytes written"):
            append_line(metrics, '{"epoch": 2}')
    assert config.read_text() == "old\n" and metrics.read_text() == '{"epoch": 1}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json", "metrics.jsonl"]


def test_run_lock_names_its_holder_and_is_free_once_released(tmp_path):
    first, second = RunLock(tmp_path), RunLock(tmp_path)
    first.acquire()
    with pytest.raises(RunLockedError, match=f"pid {os.getpid()} on host .* since "):
        second.acquire()
    first.release()
    second.acquire()
    second.release()


# -- settings -------------------------------------------------------------------------------
@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_an_explicit_data_dir_is_used_or_refused_never_replaced(tmp_path, monkeypatch,
                                                                folder):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mnist").symlink_to(mnist.PACKAGED, target_is_directory=True)
    monkeypatch.setenv("MINIDL_DATA", str(elsewhere))  # would hold MNIST
    data_dir = tmp_path / folder
    if folder == "empty":
        data_dir.mkdir()
    result = invoke("train", *TINY, "--epochs", 1, "--data-dir", data_dir,
                    "--out", tmp_path / "runs")
    assert result.exit_code == 1 and len(result.output.splitlines()) == 1
    assert result.output.startswith(
        f"Error: dataset 'mnist' not found. Looked in: --data-dir: {data_dir / 'mnist'}: no "
        f"such folder --data-dir: {data_dir}: ")
    assert "Only --data-dir is searched when it is given" in result.output
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())

    (data_dir.mkdir() if folder == "missing" else None)
    (data_dir / "mnist").symlink_to(mnist.PACKAGED, target_is_directory=True)
    assert invoke("train", *TINY, "--epochs", 1, "--data-dir", data_dir,
                  "--out", tmp_path / "runs").exit_code == 0
    config = json.loads((the_run(tmp_path / "runs") / "config.json").read_text())
    assert config["data_dir"] == str(data_dir.resolve())


def test_resuming_a_finished_cosine_run_stretches_its_schedule(tmp_path):
    assert invoke("train", *TINY, "--epochs", 1, "--set", "scheduler=cosine",
                  "--out", tmp_path).exit_code == 0
    run_dir = the_run(tmp_path)
    lr = json.loads((run_dir / "config.json").read_text())["lr"]
    result = invoke("train", "--resume", run_dir, "--epochs", 2)
    assert result.exit_code == 0, result.output
    assert (f"note: the cosine schedule of model now anneals over 2 epochs: learning rate "
            f"{lr / 2:.3g} in epoch 2") in result.output.splitlines()
    records = [json.loads(line) for line in
               (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["lr"] for r in records] == [lr, pytest.approx(lr / 2)]


def test_save_onto_a_full_disk_is_one_oserror_and_keeps_the_old_file(small_disk):
    """minidl.save builds the HDF5 file in memory and writes it with plain file I/O, so a
    disk that fills up during the write is one OSError (ENOSPC), never an HDF5 failure:
    the old checkpoint stays, no temporary file is left."""
    path = small_disk / "checkpoint.h5"
    minidl.save({"w": minidl.ones(1000)}, path)
    with pytest.raises(OSError) as error:
        minidl.save({"w": minidl.randn(5_000_000)}, path)  # 20 MB onto a 16 MiB disk
    assert error.value.errno == errno.ENOSPC
    assert sorted(p.name for p in small_disk.iterdir()) == ["checkpoint.h5"]
    np.testing.assert_array_equal(minidl.load(path)["w"].numpy(), np.ones(1000, np.float32))
