"""Image-to-image translation in the style of pix2pix and CycleGAN programs: a generator of
reflection-padded convolutions, instance norm and in-place ReLU, residual blocks and a
decoder that upsamples bilinearly and concatenates the encoder's features (a U-Net skip),
a PatchGAN discriminator, and the two alternating updates with an L1 term, Adam and a
one-cycle learning rate.

    minidl run image_translation.py --size 16 --epochs 1 --max-batches 2
"""
import argparse

import parity
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.data


def init_weights(m):
    """N(0, 0.02) convolutions, zero biases, N(1, 0.02) norm scales (pix2pix's init)."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.constant_(m.bias, 0.0)
    elif isinstance(m, (nn.GroupNorm, nn.InstanceNorm2d)) and m.weight is not None:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.constant_(m.bias, 0.0)


class ResidualBlock(nn.Module):
    """x + conv(relu(norm(conv(x)))), each convolution reflection-padded."""

    def __init__(self, channels):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1, padding_mode="reflect"),
            nn.InstanceNorm2d(channels, affine=True), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3),
            nn.InstanceNorm2d(channels, affine=True))

    def forward(self, x):
        return x + self.block(x)


class Generator(nn.Module):
    """(N, in, H, W) -> (N, out, H, W): encode to H/2, residual blocks, decode with a skip."""

    def __init__(self, in_channels, out_channels, width, blocks):
        super().__init__()
        self.stem = nn.Sequential(nn.ReflectionPad2d(2), nn.Conv2d(in_channels, width, 5),
                                  nn.InstanceNorm2d(width), nn.ReLU(inplace=True))
        self.down = nn.Sequential(nn.Conv2d(width, 2 * width, 3, stride=2, padding=1),
                                  nn.GroupNorm(2, 2 * width), nn.LeakyReLU(0.2, True))
        self.middle = nn.Sequential(*[ResidualBlock(2 * width) for _ in range(blocks)])
        self.up = nn.Conv2d(2 * width, width, 3, padding=1)
        self.head = nn.Sequential(nn.Conv2d(2 * width, width, 3, padding=1),
                                  nn.InstanceNorm2d(width), nn.ReLU(True),
                                  nn.Conv2d(width, out_channels, 1), nn.Tanh())

    def forward(self, x):
        skip = self.stem(x)
        y = self.middle(self.down(skip))
        y = F.interpolate(y, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        y = F.relu(self.up(y), inplace=True)
        return self.head(torch.cat([y, skip], dim=1))


class PatchDiscriminator(nn.Module):
    """(input, output) pair -> a map of real/fake logits, one per patch."""

    def __init__(self, channels, width):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(channels, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=False),
            nn.InstanceNorm2d(2 * width), nn.LeakyReLU(0.2, True),
            nn.Conv2d(2 * width, 1, 3, padding=1))

    def forward(self, source, target):
        return self.model(torch.cat([source, target], 1))


def main():
    parser = argparse.ArgumentParser(description="pix2pix-style image translation")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--width", type=int, default=8)
    parser.add_argument("--blocks", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--max-batches", type=int, default=0, help="0: every batch")
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--l1-weight", type=float, default=10.0)
    parity.add_arguments(parser)
    opt = parser.parse_args()
    parity.setup(opt)
    torch.manual_seed(0)

    if opt.data:
        arrays = parity.arrays(opt)
        sources, targets = arrays["sources"], arrays["targets"]
    else:   # grey images to colour: the target is the source tinted per channel
        sources = torch.rand(4 * opt.batch_size, 1, opt.size, opt.size) * 2 - 1
        targets = torch.cat([sources * s for s in (0.9, 0.5, -0.3)], dim=1).clamp(-1, 1)
    dataset = torch.utils.data.TensorDataset(sources, targets)
    loader = torch.utils.data.DataLoader(dataset, batch_size=opt.batch_size,
                                         shuffle=not opt.no_shuffle, drop_last=True)
    netG = Generator(sources.shape[1], targets.shape[1], opt.width, opt.blocks)
    netD = PatchDiscriminator(sources.shape[1] + targets.shape[1], opt.width)
    netG.apply(init_weights)
    netD.apply(init_weights)
    parity.start_from(opt, G=netG, D=netD)
    print(f"generator: {sum(p.numel() for p in netG.parameters())} parameters")

    adversarial, reconstruction = nn.BCEWithLogitsLoss(), nn.L1Loss()
    optimizerG = torch.optim.Adam(netG.parameters(), lr=opt.lr, betas=(0.5, 0.999))
    optimizerD = torch.optim.Adam(netD.parameters(), lr=opt.lr, betas=(0.5, 0.999))
    batches = len(loader) if not opt.max_batches else min(len(loader), opt.max_batches)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizerG, max_lr=opt.lr,
                                                   epochs=opt.epochs, steps_per_epoch=batches)
    record = parity.Recorder(opt)
    for epoch in range(opt.epochs):
        for i, (source, target) in enumerate(loader):
            if opt.max_batches and i >= opt.max_batches:
                break
            fake = netG(source)
            # the discriminator: real pairs to 1, generated pairs to 0
            optimizerD.zero_grad()
            real_logits = netD(source, target)
            fake_logits = netD(source, fake.detach())
            loss_D = 0.5 * (adversarial(real_logits, torch.ones_like(real_logits))
                            + adversarial(fake_logits, torch.zeros_like(fake_logits)))
            loss_D.backward()
            optimizerD.step()
            # the generator: fool the discriminator and stay close to the target
            optimizerG.zero_grad()
            fooled = netD(source, fake)
            loss_G = (adversarial(fooled, torch.ones_like(fooled))
                      + opt.l1_weight * reconstruction(fake, target))
            loss_G.backward()
            optimizerG.step()
            schedule.step()
            record(loss_D, loss_G, schedule.get_last_lr()[0])
            print(f"[{epoch}/{opt.epochs}][{i}/{batches}] loss_D {loss_D.item():.4f} "
                  f"loss_G {loss_G.item():.4f}")
    record(netG.head[3].weight.grad.norm())
    record.save()


if __name__ == "__main__":
    main()
