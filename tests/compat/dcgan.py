"""A small DCGAN in the style of PyTorch's DCGAN example: a generator of transposed
convolutions with batch norm and ReLU, a discriminator of strided convolutions with batch
norm and leaky ReLU, the binary cross-entropy of a sigmoid output, Adam with beta1 = 0.5
and the two alternating updates per batch.

    minidl run dcgan.py --image-size 16 --niter 1 --outf samples
"""
import argparse
import os

import parity
import torch
import torch.nn as nn
import torch.optim as optim
import torch.utils.data


def weights_init(m):
    """N(0, 0.02) convolutions, N(1, 0.02) batch-norm scales, zero shifts (the DCGAN paper)."""
    kind = m.__class__.__name__
    if kind.find("Conv") != -1:
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif kind.find("BatchNorm") != -1:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class Generator(nn.Module):
    """z (nz, 1, 1) -> image (nc, 4·2^(k), ...) through k stride-2 transposed convolutions."""

    def __init__(self, nz, ngf, nc, image_size):
        super().__init__()
        layers = [nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4),
                  nn.ReLU(True)]
        channels, size = ngf * 4, 4
        while size * 2 < image_size:
            layers += [nn.ConvTranspose2d(channels, channels // 2, 4, 2, 1, bias=False),
                       nn.BatchNorm2d(channels // 2), nn.ReLU(True)]
            channels, size = channels // 2, size * 2
        layers += [nn.ConvTranspose2d(channels, nc, 4, 2, 1, bias=False), nn.Tanh()]
        self.main = nn.Sequential(*layers)

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    """image -> probability that it is real, through stride-2 convolutions."""

    def __init__(self, ndf, nc, image_size):
        super().__init__()
        layers = [nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
        channels, size = ndf, image_size // 2
        while size > 4:
            layers += [nn.Conv2d(channels, channels * 2, 4, 2, 1, bias=False),
                       nn.BatchNorm2d(channels * 2), nn.LeakyReLU(0.2, inplace=True)]
            channels, size = channels * 2, size // 2
        layers += [nn.Conv2d(channels, 1, 4, 1, 0, bias=False), nn.Sigmoid()]
        self.main = nn.Sequential(*layers)

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


def main():
    parser = argparse.ArgumentParser(description="DCGAN-style training")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--nz", type=int, default=100)
    parser.add_argument("--ngf", type=int, default=64)
    parser.add_argument("--ndf", type=int, default=64)
    parser.add_argument("--niter", type=int, default=25)
    parser.add_argument("--max-batches", type=int, default=0, help="0: every batch")
    parser.add_argument("--lr", type=float, default=0.0002)
    parser.add_argument("--beta1", type=float, default=0.5)
    parser.add_argument("--outf", default="", help="folder for sample grids and checkpoints")
    parser.add_argument("--manual-seed", type=int, default=999)
    parity.add_arguments(parser)
    opt = parser.parse_args()
    parity.setup(opt)
    torch.manual_seed(opt.manual_seed)
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")

    if opt.data:
        arrays = parity.arrays(opt)
        dataset = torch.utils.data.TensorDataset(arrays["images"])
        noise_bank = arrays["noise"]  # the same draws in both engines
    else:
        import torchvision.datasets as dset
        import torchvision.transforms as transforms
        dataset = dset.FakeData(size=opt.batch_size * 4, image_size=(3, opt.image_size,
                                                                     opt.image_size),
                                transform=transforms.Compose([
                                    transforms.ToTensor(),
                                    transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]))
        noise_bank = None
    nc = dataset[0][0].shape[0]
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=opt.batch_size,
                                             shuffle=not opt.no_shuffle, num_workers=0)

    netG = Generator(opt.nz, opt.ngf, nc, opt.image_size).to(device)
    netG.apply(weights_init)
    netD = Discriminator(opt.ndf, nc, opt.image_size).to(device)
    netD.apply(weights_init)
    parity.start_from(opt, G=netG, D=netD)
    print(netG)

    criterion = nn.BCELoss()
    real_label, fake_label = 1.0, 0.0
    optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
    record = parity.Recorder(opt)
    step = 0
    for epoch in range(opt.niter):
        for i, data in enumerate(dataloader, 0):
            # (1) the discriminator: maximize log D(x) + log(1 - D(G(z)))
            netD.zero_grad()
            real = data[0].to(device)
            batch_size = real.size(0)
            label = torch.full((batch_size,), real_label, dtype=real.dtype, device=device)
            output = netD(real)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()

            if noise_bank is None:
                noise = torch.randn(batch_size, opt.nz, 1, 1, device=device)
            else:
                noise = noise_bank[step].to(device)
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()

            # (2) the generator: maximize log D(G(z))
            netG.zero_grad()
            label.fill_(real_label)
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()

            record(errD.item(), errG.item(), D_x, D_G_z1, D_G_z2)
            print(f"[{epoch}/{opt.niter}][{i}/{len(dataloader)}] Loss_D: {errD.item():.4f} "
                  f"Loss_G: {errG.item():.4f} D(x): {D_x:.4f} D(G(z)): {D_G_z1:.4f} / "
                  f"{D_G_z2:.4f}")
            step += 1
            if i + 1 == opt.max_batches:
                break
        if opt.outf:
            import torchvision.utils as vutils
            os.makedirs(opt.outf, exist_ok=True)
            vutils.save_image(real, f"{opt.outf}/real_samples.png", normalize=True)
            vutils.save_image(fake.detach(), f"{opt.outf}/fake_samples_epoch_{epoch:03d}.png",
                              normalize=True)
            torch.save(netG.state_dict(), f"{opt.outf}/netG_epoch_{epoch}.pth")
    record(*[p.sum() for p in netG.parameters()])
    record.save()


if __name__ == "__main__":
    main()
