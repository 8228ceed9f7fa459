"""``minidl train`` in a process of its own that waits, at a chosen point, to be killed.

    python tests/train_with_fault.py POINT EPOCH FOLDER -- train ARGS...

POINT is where the run stops and waits, in epoch EPOCH:

``epoch``   when the epoch starts (the run is training);
``save``    while the checkpoint of the epoch is being written: a partial temporary
            file ``.checkpoint.h5.0badf11e.tmp`` lies beside checkpoint.h5, as in the
            middle of :func:`minidl.save`.

On reaching it the process creates ``FOLDER/waiting`` (the test then sends its signal)
and waits until ``FOLDER/go`` exists (then the write goes on: removes the partial file
and saves) or a signal ends it. No timing decides anything: the test waits for the
file, the process for the test. The run draws no plots (as in test_run_faults.py).
"""
import sys
import time
from pathlib import Path

from test_run_faults import leave_out_plots

from minidl.cli.main import cli
from minidl.training import checkpoint, trainer

PARTIAL = ".checkpoint.h5.0badf11e.tmp"


def wait_here(folder: Path) -> None:
    (folder / "waiting").touch()
    while not (folder / "go").exists():
        time.sleep(0.01)


def main():
    point, epoch, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    args = sys.argv[sys.argv.index("--") + 1:]
    leave_out_plots(setattr)
    if point == "epoch":
        run_epoch = trainer.Trainer.run_epoch

        def waiting_epoch(self, number):
            if number == epoch:
                wait_here(folder)
            return run_epoch(self, number)
        trainer.Trainer.run_epoch = waiting_epoch
    elif point == "save":
        save = checkpoint.save

        def waiting_save(obj, path):
            if obj["epoch"] == epoch:
                partial = Path(path).with_name(PARTIAL)
                partial.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(4096))
                wait_here(folder)
                partial.unlink()
            save(obj, path)
        checkpoint.save = waiting_save
    else:
        raise SystemExit(f"unknown point {point!r}")
    cli.main(args, prog_name="minidl")


if __name__ == "__main__":
    main()
