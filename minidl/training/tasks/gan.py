"""Colourization by a conditional GAN (the colorize-cifar study's final model).

The generator G maps a grayscale image g (B, 1, H, W) to colours in [-1, 1] (tanh); the
real colours are ``c = 2 rgb - 1``. The discriminator D(g, c) gives the probability that
the colours c of g are real. With BCE(p, y) = -[y log p + (1 - y) log(1 - p)]:

    discriminator loss   (BCE(D(g, c), 1) + BCE(D(g, G(g)), 0)) / 2     G(g) detached
    generator loss       BCE(D(g, G(g)), 1) + l1_weight * |G(g) - c|    (mean over pixels)

One training step updates D once, then G once (the pix2pix recipe: Isola et al., 2017;
the L1 term keeps the colours near the truth, the adversarial term makes them vivid).
The logged ``loss`` is the generator's total; ``generator_loss`` (its adversarial part)
and ``discriminator_loss`` are the curves the seed calls "abnormal": the two players
settle around a balance instead of falling. Validation monitors the L1 distance.
"""
from __future__ import annotations

from ... import ones_like, zeros_like
from ...nn import functional as F
from ..task import Task, numbers
from .color_targets import RGBTarget
from .colorization import ColorizationTask


class GANColorizationTask(ColorizationTask):
    kind = "gan-colorization"
    monitor = "l1"

    def __init__(self, generator, discriminator, input_size, l1_weight: float = 100.0,
                 device: str = "cpu"):
        Task.__init__(self, {"generator": generator, "discriminator": discriminator},
                      device)
        self.color_target = RGBTarget("tanh")
        self.input_size = tuple(input_size)
        self.l1_weight = l1_weight

    @property
    def model(self):
        return self.models["generator"]

    def discriminator_loss(self, gray, real, fake):
        discriminator = self.models["discriminator"]
        on_real = discriminator(gray, real)
        on_fake = discriminator(gray, fake.detach())
        return (F.binary_cross_entropy(on_real, ones_like(on_real))
                + F.binary_cross_entropy(on_fake, zeros_like(on_fake))) * 0.5

    def generator_losses(self, gray, real, fake) -> dict:
        judged = self.models["discriminator"](gray, fake)
        adversarial = F.binary_cross_entropy(judged, ones_like(judged))
        l1 = F.l1_loss(fake, real)
        return {"loss": adversarial + l1 * self.l1_weight, "generator_loss": adversarial,
                "l1": l1}

    def losses(self, outputs, batch) -> dict:
        """The generator's losses on ``outputs = G(gray)``, and the discriminator's."""
        gray, real = batch[0], self.color_target.model_target(batch[1])
        return {**self.generator_losses(gray, real, outputs),
                "discriminator_loss": self.discriminator_loss(gray, real, outputs)}

    def train_step(self, batch) -> dict:
        gray, real = batch[0], self.color_target.model_target(batch[1])
        fake = self.model(gray)
        d_optimizer, g_optimizer = self.optimizers["discriminator"], self.optimizers["generator"]
        d_optimizer.zero_grad()
        d_loss = self.discriminator_loss(gray, real, fake)
        d_loss.backward()
        self.step("discriminator", d_loss)
        g_optimizer.zero_grad()
        g_losses = self.generator_losses(gray, real, fake)
        g_losses["loss"].backward()
        self.step("generator", g_losses["loss"])
        return numbers({**g_losses, "discriminator_loss": d_loss})

    def curve_panels(self) -> list:
        return [("generator and discriminator (train)", ["train_generator_loss",
                                                         "train_discriminator_loss"]),
                ("L1 colour distance", ["train_l1", "val_l1"]),
                ("PSNR (dB, validation)", ["val_psnr"]),
                ("colourfulness (validation)", ["val_colorfulness",
                                                "val_colorfulness_original"])]
