"""A digit classifier in the style of PyTorch's MNIST example: two convolutions, max
pooling, dropout, log-softmax with the negative log-likelihood, Adadelta and a StepLR
schedule, a test pass after every epoch.

    python mnist_classifier.py --epochs 2            # on PyTorch (needs torchvision)
    minidl run mnist_classifier.py --epochs 2        # the same program on minidl
"""
import argparse

import parity
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self, image_size=28, dropout=(0.25, 0.5)):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.dropout1 = nn.Dropout(dropout[0])
        self.dropout2 = nn.Dropout(dropout[1])
        pooled = (image_size - 4) // 2
        self.fc1 = nn.Linear(16 * pooled * pooled, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def train(args, model, device, loader, optimizer, epoch, record):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        record(loss.item())
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]"
                  f"\tLoss: {loss.item():.6f}")
        if batch_idx + 1 == args.max_batches:
            break


def test(args, model, device, loader, record):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for batch_idx, (data, target) in enumerate(loader):
            if args.max_batches and batch_idx == args.max_batches:
                break
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(loader.dataset)
    record(test_loss, correct)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(loader.dataset)}")


def datasets(args):
    if args.data:
        arrays = parity.arrays(args)
        return (TensorDataset(arrays["train_images"], arrays["train_labels"]),
                TensorDataset(arrays["test_images"], arrays["test_labels"]))
    from torchvision import datasets as vision
    from torchvision import transforms
    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.1307,), (0.3081,))])
    return (vision.MNIST(args.data_root, train=True, download=True, transform=transform),
            vision.MNIST(args.data_root, train=False, transform=transform))


def main():
    parser = argparse.ArgumentParser(description="MNIST-style classifier")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--test-batch-size", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--dropout", type=float, nargs=2, default=(0.25, 0.5))
    parser.add_argument("--max-batches", type=int, default=0,
                        help="batches per epoch and per test pass (0: all)")
    parser.add_argument("--log-interval", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-root", default="../data")
    parity.add_arguments(parser)
    args = parser.parse_args()
    parity.setup(args)
    torch.manual_seed(args.seed)
    use_accel = torch.accelerator.is_available()
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")

    train_set, test_set = datasets(args)
    loader_options = {"num_workers": 1, "pin_memory": True} if use_accel else {}
    train_loader = DataLoader(train_set, batch_size=args.batch_size,
                              shuffle=not args.no_shuffle, **loader_options)
    test_loader = DataLoader(test_set, batch_size=args.test_batch_size, **loader_options)
    image_size = train_set[0][0].shape[-1]

    model = Net(image_size, args.dropout).to(device)
    parity.start_from(args, model=model)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    record = parity.Recorder(args)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch, record)
        test(args, model, device, test_loader, record)
        scheduler.step()
        record(scheduler.get_last_lr()[0])
    record.save()


if __name__ == "__main__":
    main()
