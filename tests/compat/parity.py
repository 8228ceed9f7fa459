"""What the compatibility programs share so that two engines can be compared on them:
the same starting weights, the same data, and the numbers each run records.

The programs import ``torch``; under ``minidl run`` that is minidl.  A test runs each
program once on PyTorch and once on minidl with the same ``--data`` and ``--init`` files
and compares what they ``--record``.
"""
import json
import os

import numpy as np
import torch


def add_arguments(parser):
    parser.add_argument("--data", help="an .npz file of arrays to train on (instead of the "
                                       "dataset the program would download)")
    parser.add_argument("--init", help="an .npz file of starting weights: loaded when it "
                                       "exists, written (from this run's start) when not")
    parser.add_argument("--record", help="a .json file for the numbers this run records")
    parser.add_argument("--double", action="store_true", help="compute in float64")
    parser.add_argument("--no-shuffle", action="store_true", help="keep the data's order")


def setup(args):
    if args.double:
        torch.set_default_dtype(torch.float64)


def start_from(args, **models):
    """Load every model's weights from ``args.init`` (keys ``name.parameter``), or write
    them there when the file does not exist yet."""
    if not args.init:
        return
    if os.path.exists(args.init):
        saved = np.load(args.init)
        for name, model in models.items():
            prefix = name + "."
            model.load_state_dict({key[len(prefix):]: torch.from_numpy(saved[key])
                                   for key in saved.files if key.startswith(prefix)})
        return
    np.savez(args.init, **{f"{name}.{key}": value.detach().cpu().numpy()
                           for name, model in models.items()
                           for key, value in model.state_dict().items()})


def arrays(args):
    """The arrays of ``args.data`` as tensors (float arrays in the default dtype)."""
    loaded = np.load(args.data)
    tensors = {}
    for key in loaded.files:
        value = torch.from_numpy(loaded[key])
        tensors[key] = value.to(torch.get_default_dtype()) if value.is_floating_point() \
            else value
    return tensors


class Recorder:
    """The numbers a run produces (losses, gradients, ...), in order."""

    def __init__(self, args):
        self.path, self.values = args.record, []

    def __call__(self, *values):
        for value in values:
            if isinstance(value, torch.Tensor):
                self.values.extend(float(v) for v in value.detach().reshape(-1).tolist())
            else:
                self.values.append(float(value))

    def save(self):
        if self.path:
            with open(self.path, "w") as file:
                json.dump(self.values, file)
