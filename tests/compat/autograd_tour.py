"""A walk through autograd as the PyTorch tutorials teach it: requires_grad and grad_fn,
backward of a scalar, vector-Jacobian products, gradients that accumulate until zeroed,
retain_graph, no_grad, detach, and the graph behind a loss (next_functions).

    minidl run autograd_tour.py
"""
import argparse

import parity
import torch


class Cubic(torch.autograd.Function):
    """y = x³ - 2x, with its derivative 3x² - 2 written by hand."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3 - 2 * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (3 * x ** 2 - 2)


def main():
    parser = argparse.ArgumentParser(description="autograd, step by step")
    parity.add_arguments(parser)
    args = parser.parse_args()
    parity.setup(args)
    record = parity.Recorder(args)
    torch.manual_seed(0)
    given = parity.arrays(args) if args.data else {}
    start = given.get("x", torch.randn(3))

    # a scalar built from a leaf
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    print("y was made by", y.grad_fn, "; x is a leaf:", x.is_leaf, x.grad_fn)
    z = y * y * 3
    out = z.mean()
    out.backward()
    record(out, x.grad)  # d(out)/dx = 6 (x + 2) / 4 = 4.5

    # requires_grad switched on in place
    a = given.get("a", torch.randn(2, 2))
    a = ((a * 3) / (a - 1))
    print(a.requires_grad)
    a.requires_grad_(True)
    b = (a * a).sum()
    print(b.grad_fn is not None)

    # a vector-Jacobian product: y is not a scalar, so backward needs a vector
    x = start.clone().requires_grad_(True)
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.get_default_dtype())
    y.backward(v)
    record(y, x.grad)

    # gradients accumulate across backward calls until zeroed
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    first = inp.grad.clone()
    out.backward(torch.ones_like(out), retain_graph=True)
    record(first, inp.grad)
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    record(inp.grad)

    # turning tracking off
    w = given.get("w", torch.randn(5, 3)).clone().requires_grad_(True)
    bias = given.get("bias", torch.randn(3)).clone().requires_grad_(True)
    z = torch.matmul(torch.ones(5), w) + bias
    print(z.requires_grad)
    with torch.no_grad():
        z = torch.matmul(torch.ones(5), w) + bias
    print(z.requires_grad, z.detach().requires_grad)
    record(float(z.requires_grad))

    # a loss and the graph behind it
    target = torch.zeros(3)
    logits = torch.matmul(torch.ones(5), w) + bias
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
    print("loss <-", loss.grad_fn, "<-", loss.grad_fn.next_functions[0][0])
    loss.backward()
    record(loss, w.grad, bias.grad)

    # a tensor function of several inputs, and its gradient
    p = torch.linspace(-1.0, 1.0, 7, requires_grad=True)
    q = torch.sin(p) * torch.exp(p) + torch.log1p(p * p) - torch.sqrt(p * p + 1)
    q.sum().backward()
    record(q, p.grad)

    # a function with a hand-written backward
    p.grad = None
    c = Cubic.apply(p * 2)
    c.backward(torch.ones_like(c))
    print("custom node:", c.grad_fn)
    record(c, p.grad)
    record.save()


if __name__ == "__main__":
    main()
