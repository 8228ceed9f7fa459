"""The training-step benchmark's cases: one optimizer step of each study's model.

A case names the model(s) (``minidl.models.MODELS``), the arguments they are built with,
the batch (arrays of the study's input and target shapes), the optimizer and the step.
Steps are written once against an engine's namespace (``F``, ``ones_like``, ``zeros_like``:
minidl's or PyTorch's, which share the names), so both engines run the same code:
zero the gradients, forward, loss, backward, optimizer step, as the study's task does
(``minidl/training/tasks``).

Batch sizes are the studies' defaults, except Iizuka's (64 at 128x128 in the study; 16
here, so that one step takes about a second on two cores).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Batch:
    """An array of the batch: its shape and what it holds ("image": uniform in [0, 1],
    "signed": uniform in [-1, 1], "classes:K": int64 labels below K, "multi-hot:K":
    0/1 floats, K of them per row set at random)."""

    shape: tuple
    kind: str = "image"

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        if self.kind == "image":
            return rng.uniform(0, 1, self.shape).astype(np.float32)
        if self.kind == "signed":
            return rng.uniform(-1, 1, self.shape).astype(np.float32)
        name, count = self.kind.split(":")
        if name == "classes":
            return rng.integers(0, int(count), self.shape).astype(np.int64)
        if name == "multi-hot":
            return (rng.uniform(0, 1, self.shape) < int(count) / self.shape[-1]).astype(
                np.float32)
        raise ValueError(f"unknown batch kind {self.kind!r}")


@dataclass(frozen=True)
class TrainCase:
    name: str
    study: str
    models: dict                 # role -> (MODELS name, args tuple)
    batch: tuple                 # Batch specs, in the order the step reads them
    step: str                    # a function of this module: supervised or gan
    loss: str = ""               # supervised steps: a function of this module
    optimizer: tuple = ("Adam", {"lr": 1e-3})
    options: dict = field(default_factory=dict)

    @property
    def batch_size(self) -> int:
        return self.batch[0].shape[0]


# -- losses (outputs, batch) -> scalar, on either engine's functional module ---------------

def classification_loss(F, outputs, batch):
    return F.cross_entropy(outputs, batch[1])


def multilabel_loss(F, outputs, batch):
    return F.binary_cross_entropy_with_logits(outputs, batch[1])


def regression_loss(F, outputs, batch):
    return F.mse_loss(outputs, batch[1])


def joint_loss(F, outputs, batch):
    """Iizuka's joint task: MSE of the chroma + cross-entropy of the class / 200."""
    return F.mse_loss(outputs.ab, batch[1]) + F.cross_entropy(outputs.logits, batch[2]) / 200


# -- steps -----------------------------------------------------------------------------------

def supervised(engine, case, models, optimizers, batch):
    """One optimizer step of a single model on (inputs, targets ...)."""
    optimizer = optimizers["model"]
    optimizer.zero_grad()
    loss = globals()[case.loss](engine.F, models["model"](batch[0]), batch)
    loss.backward()
    optimizer.step()
    return loss


def gan(engine, case, models, optimizers, batch):
    """The conditional GAN's step (``training/tasks/gan.py``): the discriminator once on
    real and generated colours, then the generator once (adversarial + L1 term)."""
    F, generator, discriminator = engine.F, models["generator"], models["discriminator"]
    gray, real = batch
    fake = generator(gray)
    optimizers["discriminator"].zero_grad()
    on_real, on_fake = discriminator(gray, real), discriminator(gray, fake.detach())
    d_loss = (F.binary_cross_entropy(on_real, engine.ones_like(on_real))
              + F.binary_cross_entropy(on_fake, engine.zeros_like(on_fake))) * 0.5
    d_loss.backward()
    optimizers["discriminator"].step()
    optimizers["generator"].zero_grad()
    judged = discriminator(gray, fake)
    g_loss = (F.binary_cross_entropy(judged, engine.ones_like(judged))
              + F.l1_loss(fake, real) * case.options.get("l1_weight", 100.0))
    g_loss.backward()
    optimizers["generator"].step()
    return g_loss


GAN_ADAM = ("Adam", {"lr": 2e-4, "betas": (0.5, 0.999)})

CASES = [
    TrainCase("colorized-mnist cnn b64", "colorized-mnist",
              {"model": ("colorized-mnist-cnn", ())},
              (Batch((64, 3, 28, 28)), Batch((64,), "classes:10")), "supervised",
              "classification_loss", ("Adam", {"lr": 2e-3})),
    TrainCase("multidigit-mnist cnn b64", "multidigit-mnist",
              {"model": ("multidigit-cnn", ())},
              (Batch((64, 1, 84, 84)), Batch((64, 30), "multi-hot:3")), "supervised",
              "multilabel_loss"),
    TrainCase("colorize-cifar regression b32", "colorize-cifar",
              {"model": ("regression", (32,))},
              (Batch((32, 1, 32, 32)), Batch((32, 3, 32, 32))), "supervised",
              "regression_loss"),
    TrainCase("colorize-cifar unet-classify b32", "colorize-cifar",
              {"model": ("unet-classify", (24, 32))},
              (Batch((32, 1, 32, 32)), Batch((32, 32, 32), "classes:24")), "supervised",
              "classification_loss"),
    TrainCase("colorize-cifar gan b32", "colorize-cifar",
              {"generator": ("gan-generator", (32,)),
               "discriminator": ("gan-discriminator", (32, 0.0, 32))},
              (Batch((32, 1, 32, 32)), Batch((32, 3, 32, 32), "signed")), "gan",
              optimizer=GAN_ADAM),
    TrainCase("iizuka joint basic 128x128 b16", "iizuka",
              {"model": ("iizuka", ("joint", "basic", 20))},
              (Batch((16, 1, 128, 128)), Batch((16, 2, 64, 64)), Batch((16,), "classes:20")),
              "supervised", "joint_loss", ("Adadelta", {"lr": 1.0})),
    TrainCase("lab-colorize batch 200x200 b16", "lab-colorize",
              {"model": ("lab-batch", ())},
              (Batch((16, 1, 200, 200)), Batch((16, 2, 200, 200), "signed")), "supervised",
              "regression_loss"),
]
