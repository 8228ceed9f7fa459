"""Every model of every study (``minidl.models.MODELS``), small, with an example batch;
shared by the tests that move models and weights out of minidl and in.

Each case is (factory, input shapes with batch 2).  The widths are small and the inputs
as small as each model allows; Iizuka's network runs in all three tasks (the residual
variant in one) and the discriminator with leaky ReLUs, so every layer the studies use
appears.  ``randomize_statistics`` gives batch norm layers running statistics and
affine parameters away from their initial 0/1, so that a test would see a layer that
leaves them out.
"""
import numpy as np

from minidl.models import MODELS

CASES = {
    "colorized-mnist-cnn": (lambda: MODELS["colorized-mnist-cnn"](), [(2, 3, 28, 28)]),
    "multidigit-cnn": (lambda: MODELS["multidigit-cnn"](image_size=22), [(2, 1, 22, 22)]),
    "regression": (lambda: MODELS["regression"](width=4), [(2, 1, 8, 8)]),
    "unet-classify": (lambda: MODELS["unet-classify"](width=4), [(2, 1, 8, 8)]),
    "gan-generator": (lambda: MODELS["gan-generator"](width=2), [(2, 1, 32, 32)]),
    "gan-discriminator": (lambda: MODELS["gan-discriminator"](width=4, negative_slope=0.2,
                                                              image_size=8),
                          [(2, 1, 8, 8), (2, 3, 8, 8)]),
    "iizuka-joint": (lambda: MODELS["iizuka"](width=4, variant="adam-dropout"),
                     [(2, 1, 16, 16)]),
    "iizuka-classify-residual": (lambda: MODELS["iizuka"](task="classify", width=4,
                                                          variant="residual"),
                                 [(2, 1, 16, 16)]),
    "iizuka-colorize": (lambda: MODELS["iizuka"](task="colorize", width=4), [(2, 1, 16, 16)]),
    "lab-basic": (lambda: MODELS["lab-basic"](), [(2, 1, 8, 8)]),
    "lab-batch": (lambda: MODELS["lab-batch"](), [(2, 1, 16, 16)]),
    "lab-skip": (lambda: MODELS["lab-skip"](width=4), [(2, 1, 16, 16)]),
    "lab-attention": (lambda: MODELS["lab-attention"](width=4, num_heads=4), [(2, 1, 16, 16)]),
}


def randomize_statistics(state: dict, rng) -> None:
    """Batch norm's running mean/variance and weight/bias (found by name in a state dict
    of writable NumPy arrays) set to random values."""
    layers = {key.rsplit(".", 1)[0] for key in state if key.endswith("running_var")}
    for layer in layers:
        for name, low, high in (("running_mean", -0.5, 0.5), ("running_var", 0.5, 2.0),
                                ("weight", 0.5, 1.5), ("bias", -0.5, 0.5)):
            key = f"{layer}.{name}"
            if key in state:
                state[key][...] = rng.uniform(low, high, state[key].shape)


def outputs_of(result) -> list:
    """A forward's result as a list of arrays (a named tuple's None fields left out)."""
    items = result if isinstance(result, tuple | list) else [result]
    return [np.asarray(item.detach().numpy() if hasattr(item, "detach") else item)
            for item in items if item is not None]
