"""The CIFAR-10 classifier of PyTorch's "Deep Learning with PyTorch: a 60 minute blitz",
written again: LeNet-style convolutions, cross-entropy, SGD with momentum, the running
loss printed every few mini-batches, then accuracy overall and per class with
``torch.max(outputs.data, 1)``.

    minidl run cifar_tutorial.py --dataset fake --epochs 1
"""
import argparse

import parity
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

CLASSES = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def loaders(args):
    if args.data:
        arrays = parity.arrays(args)
        train = torch.utils.data.TensorDataset(arrays["train_images"], arrays["train_labels"])
        test = torch.utils.data.TensorDataset(arrays["test_images"], arrays["test_labels"])
    else:
        import torchvision
        import torchvision.transforms as transforms
        transform = transforms.Compose([transforms.ToTensor(),
                                        transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
        if args.dataset == "cifar10":
            train = torchvision.datasets.CIFAR10(root="./data", train=True, download=True,
                                                 transform=transform)
            test = torchvision.datasets.CIFAR10(root="./data", train=False, download=True,
                                                transform=transform)
        else:
            train = torchvision.datasets.FakeData(40, (3, 32, 32), transform=transform)
            test = torchvision.datasets.FakeData(20, (3, 32, 32), transform=transform,
                                                 random_offset=40)
    return (torch.utils.data.DataLoader(train, batch_size=4, shuffle=not args.no_shuffle,
                                        num_workers=args.workers),
            torch.utils.data.DataLoader(test, batch_size=4, shuffle=False,
                                        num_workers=args.workers))


def main():
    parser = argparse.ArgumentParser(description="CIFAR-10 tutorial-style training")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--dataset", choices=["cifar10", "fake"], default="cifar10")
    parser.add_argument("--print-every", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parity.add_arguments(parser)
    args = parser.parse_args()
    parity.setup(args)
    torch.manual_seed(0)
    trainloader, testloader = loaders(args)

    net = Net()
    parity.start_from(args, net=net)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    record = parity.Recorder(args)

    for epoch in range(args.epochs):
        running_loss = 0.0
        for i, data in enumerate(trainloader, 0):
            inputs, labels = data
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            record(loss.item())
            if i % args.print_every == args.print_every - 1:
                print("[%d, %5d] loss: %.3f" % (epoch + 1, i + 1, running_loss / args.print_every))
                record(running_loss)
                running_loss = 0.0
    print("Finished Training")

    correct, total = 0, 0
    class_correct = list(0.0 for _ in range(10))
    class_total = list(0.0 for _ in range(10))
    with torch.no_grad():
        for images, labels in testloader:
            outputs = net(images)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
            c = (predicted == labels).squeeze()
            for i in range(labels.size(0)):
                label = labels[i]
                class_correct[label] += c[i].item()
                class_total[label] += 1
    print("Accuracy of the network on the test images: %d %%" % (100 * correct / total))
    for i in range(10):
        if class_total[i]:
            print("Accuracy of %5s : %2d %%" % (
                CLASSES[i], 100 * class_correct[i] / class_total[i]))
    record(correct, total, *class_correct)
    record.save()


if __name__ == "__main__":
    main()
