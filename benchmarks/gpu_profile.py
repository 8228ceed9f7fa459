"""Where the time of each GPU benchmark case goes (issue 18), for minidl and PyTorch.

For every case of ``minidl bench kernels --device cuda`` (or those whose name contains one
of the arguments), a burst of calls is queued without waiting and timed twice: on the host
(Python, argument checks, kernel launches: the time until the last call has been queued) and
on the device (CUDA events around the burst: the time until it has run).  Where host and
device times are close, the case is bound by the host's work per call; where the device
time is larger, by the kernels themselves.  With ``--profile``, cProfile's busiest functions
of minidl's forward+backward pass follow for each case.

    python benchmarks/gpu_profile.py [--profile] [NAME_PART ...]
"""
from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time

import cupy
import numpy as np
import torch

import minidl
import minidl.nn.functional as F
from minidl.bench.kernel_cases import cases_for

CALLS = 30
"""Calls in one timed burst (after as many untimed ones)."""


def _engine_calls(case, arrays, grad_array, engine):
    """(forward, forward+backward) of ``case`` on ``engine``, queued without waiting."""
    if engine == "minidl":
        tensor = lambda a, g: minidl.tensor(a, requires_grad=g, device="cuda")  # noqa: E731
        function, no_grad = getattr(F, case.function), minidl.no_grad
    else:
        tensor = lambda a, g: torch.tensor(a, device="cuda").requires_grad_(g)  # noqa: E731
        function, no_grad = getattr(torch.nn.functional, case.function), torch.no_grad
    tensors = [tensor(a, spec.grad) for a, spec in zip(arrays, case.arrays)]
    leaves = [t for t, spec in zip(tensors, case.arrays) if spec.grad]
    grad = tensor(grad_array, False)

    def forward():
        with no_grad():
            function(*tensors, **case.options)

    def forward_backward():
        for leaf in leaves:
            leaf.grad = None
        function(*tensors, **case.options).backward(grad)

    return forward, forward_backward


def host_and_device_ms(call) -> tuple[float, float]:
    """(host ms, device ms) per call of a burst of ``CALLS`` queued calls."""
    for _ in range(CALLS):
        call()
    cupy.cuda.Device().synchronize()
    torch.cuda.synchronize()
    start, stop = cupy.cuda.Event(), cupy.cuda.Event()
    began = time.perf_counter()
    start.record()
    for _ in range(CALLS):
        call()
    host = time.perf_counter() - began
    stop.record()
    stop.synchronize()
    torch.cuda.synchronize()
    return host * 1e3 / CALLS, cupy.cuda.get_elapsed_time(start, stop) / CALLS


def main(arguments: list[str]) -> None:
    profile = "--profile" in arguments
    parts = [a for a in arguments if a != "--profile"]
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    print(f"{'case':40s} {'pass':6s} {'minidl host':>11s} {'device':>8s} "
          f"{'torch host':>11s} {'device':>8s}   (ms per call)")
    for case in cases_for("cuda"):
        if parts and not any(part in case.name for part in parts):
            continue
        rng = np.random.default_rng(0)
        arrays = [spec.sample(rng, np.float32) for spec in case.arrays]
        with minidl.no_grad():
            shape = getattr(F, case.function)(
                *[minidl.tensor(a, device="cuda") for a in arrays], **case.options).shape
        grad_array = rng.standard_normal(shape).astype(np.float32)
        calls = {engine: _engine_calls(case, arrays, grad_array, engine)
                 for engine in ("minidl", "torch")}
        for index, pass_name in enumerate(("fwd", "fw+bw")):
            mine = host_and_device_ms(calls["minidl"][index])
            theirs = host_and_device_ms(calls["torch"][index])
            print(f"{case.name:40s} {pass_name:6s} {mine[0]:11.3f} {mine[1]:8.3f} "
                  f"{theirs[0]:11.3f} {theirs[1]:8.3f}", flush=True)
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(CALLS):
                calls["minidl"][1]()
            cupy.cuda.Device().synchronize()
            profiler.disable()
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(18)
            print(text.getvalue().split("\n", 4)[-1], flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
