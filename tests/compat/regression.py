"""Fitting a polynomial by hand, the way the first PyTorch lessons do it: gradients from
autograd, updates written out as in-place operations on the weights under ``no_grad``
(``w -= lr * w.grad``; ``w.grad.zero_()``), then the same fit with an ``nn.Linear`` layer,
the smooth L1 loss and ``param.data.add_(...)`` (PyTorch's regression example).

    minidl run regression.py --steps 200
"""
import argparse

import parity
import torch
import torch.nn.functional as F

POLY_DEGREE = 3


def make_features(x):
    """Columns x, x², x³ of a batch of numbers x."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def main():
    parser = argparse.ArgumentParser(description="polynomial regression by hand")
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=32)
    parity.add_arguments(parser)
    args = parser.parse_args()
    parity.setup(args)
    torch.manual_seed(0)
    record = parity.Recorder(args)

    if args.data:
        arrays = parity.arrays(args)
        xs, w_target, b_target = arrays["x"], arrays["w_target"], arrays["b_target"]
        w, b = arrays["w"].clone().requires_grad_(), arrays["b"].clone().requires_grad_()
    else:
        xs = torch.randn(args.steps, args.batch_size)
        w_target, b_target = torch.randn(POLY_DEGREE, 1) * 2, torch.randn(1)
        w = torch.randn(POLY_DEGREE, 1, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)

    # 1. raw tensors, in-place updates without autograd watching
    for step in range(len(xs)):
        x = make_features(xs[step])
        y = x.mm(w_target) + b_target.item()
        loss = (x.mm(w) + b - y).pow(2).mean()
        loss.backward()
        with torch.no_grad():
            w -= args.lr * w.grad
            b -= args.lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        record(loss)
    record(w, b)

    # 2. an nn.Linear layer, the smooth L1 loss, updates through .data
    fc = torch.nn.Linear(POLY_DEGREE, 1)
    with torch.no_grad():
        fc.weight.copy_(w.t())
        fc.bias.fill_(0.5)
    for step in range(len(xs)):
        x = make_features(xs[step])
        y = x.mm(w_target) + b_target.item()
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(x), y)
        output.backward()
        for param in fc.parameters():
            param.data.add_(-args.lr * param.grad)
        record(output.item())
    record(fc.weight.view(-1), fc.bias)
    print(f"Loss: {output.item():.6f}, w = {fc.weight.view(-1).tolist()}")
    record.save()


if __name__ == "__main__":
    main()
