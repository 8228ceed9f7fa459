"""A variational autoencoder in the style of PyTorch's VAE example: an encoder to the
mean and log-variance of a Gaussian, the reparameterization z = mu + eps * std, a
decoder to pixel probabilities, and the loss = binary cross-entropy summed over pixels +
the KL divergence from the unit Gaussian (Kingma and Welling, 2014, appendix B).

    minidl run vae.py --epochs 1 --max-batches 5 --outf results
"""
import argparse
import os

import parity
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F


class VAE(nn.Module):
    def __init__(self, pixels=784, hidden=400, latent=20):
        super().__init__()
        self.pixels = pixels
        self.fc1 = nn.Linear(pixels, hidden)
        self.fc21 = nn.Linear(hidden, latent)
        self.fc22 = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, pixels)
        self.noise = None  # draws to use instead of randn_like (to compare two engines)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std) if self.noise is None else self.noise.pop(0)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, self.pixels))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar, pixels):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, pixels), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def main():
    parser = argparse.ArgumentParser(description="VAE-style training")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--max-batches", type=int, default=0, help="0: every batch")
    parser.add_argument("--hidden", type=int, default=400)
    parser.add_argument("--latent", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=10)
    parser.add_argument("--outf", default="", help="folder for reconstructions and samples")
    parity.add_arguments(parser)
    args = parser.parse_args()
    parity.setup(args)
    torch.manual_seed(args.seed)
    device = torch.device("cpu")

    if args.data:
        arrays = parity.arrays(args)
        train_set = torch.utils.data.TensorDataset(arrays["train_images"])
        test_set = torch.utils.data.TensorDataset(arrays["test_images"])
        noise = list(arrays["noise"])
    else:
        from torchvision import datasets, transforms
        train_set = datasets.MNIST("../data", train=True, download=True,
                                   transform=transforms.ToTensor())
        test_set = datasets.MNIST("../data", train=False, transform=transforms.ToTensor())
        noise = None
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size,
                                               shuffle=not args.no_shuffle)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=args.batch_size)
    side = train_set[0][0].shape[-1]
    pixels = train_set[0][0].numel()

    model = VAE(pixels, args.hidden, args.latent).to(device)
    model.noise = noise
    parity.start_from(args, vae=model)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    record = parity.Recorder(args)

    for epoch in range(1, args.epochs + 1):
        model.train()
        train_loss = 0
        for batch_idx, (data, *_) in enumerate(train_loader):
            data = data.to(device)
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar, pixels)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            record(loss.item())
            if batch_idx % args.log_interval == 0:
                print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/"
                      f"{len(train_loader.dataset)}]\tLoss: {loss.item() / len(data):.6f}")
            if batch_idx + 1 == args.max_batches:
                break
        print(f"====> Epoch: {epoch} Average loss: {train_loss / len(train_loader.dataset):.4f}")

        model.eval()
        test_loss = 0
        with torch.no_grad():
            for i, (data, *_) in enumerate(test_loader):
                data = data.to(device)
                recon_batch, mu, logvar = model(data)
                test_loss += loss_function(recon_batch, data, mu, logvar, pixels).item()
                if i == 0 and args.outf:
                    from torchvision.utils import save_image
                    os.makedirs(args.outf, exist_ok=True)
                    n = min(data.size(0), 8)
                    comparison = torch.cat([data.view(-1, 1, side, side)[:n],
                                            recon_batch.view(-1, 1, side, side)[:n]])
                    save_image(comparison.cpu(), f"{args.outf}/reconstruction_{epoch}.png",
                               nrow=n)
                if i + 1 == args.max_batches:
                    break
        record(test_loss)
        print(f"====> Test set loss: {test_loss:.4f}")
    record.save()


if __name__ == "__main__":
    main()
