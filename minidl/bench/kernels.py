"""Time each kernel of the studies, forward and forward+backward, in minidl and in PyTorch.

Both engines run in one process on the same float32 inputs.  Repetitions are interleaved
(minidl forward, PyTorch forward, minidl forward+backward, PyTorch forward+backward, then
again) so that a burst of load from elsewhere hits both alike, and each time is the median
of its repetitions.  Each timed call comes after untimed calls of the same function
(``settled``): PyTorch's OpenMP threads spin for milliseconds after each of its calls,
and on a 2-core machine a minidl call timed in that wake ran up to 2x slower; a user's
program runs one engine, so each engine is timed after itself.  Both engines keep their
own thread settings (PyTorch's OpenMP its default wait policy).  What counts is the
ratio minidl / PyTorch: below 1, minidl is faster.  Convolutions also report their rate
in GFLOP/s, to set beside the machine's float32 matrix-multiply rate (``sgemm``) and, on
the CPU, its multiply-add peak (``peak.py``): the report gives both engines' share of that
peak for every convolution whose forward pass minidl runs slower.

Run it through ``minidl bench kernels`` (or ``python benchmarks/kernels.py``), which starts
the process with every thread pool set to the same size.

On the GPU (``--device cuda``) both engines run on CuPy/PyTorch CUDA tensors, every case at
batch 64 (``kernel_cases.GPU_BATCH``).  Each timed call ends with a device synchronization
(kernel launches return before the GPU finishes), the first calls (compilation, cuBLAS and
cuDNN set-up) are followed by ``CUDA_WARMUP_CALLS`` untimed ones, and PyTorch's TF32 mode is
switched off so that both engines multiply in full float32 (the report records it).  The
GFLOP/s are set beside cuBLAS's float32 matrix-multiply rate instead of NumPy's.
"""
from __future__ import annotations

import math
import statistics
import time

import numpy as np

from ..backend import module_for_device
from .kernel_cases import Case, cases_for
from .machine import (
    gpu_details,
    gpu_sgemm_gflops,
    load_average,
    machine_details,
    machine_lines,
    set_runtime_threads,
    sgemm_gflops,
)
from .peak import CHAINS, multiply_add_peak_gflops

CUDA_WARMUP_CALLS = 3
"""Untimed calls of each function on the GPU after its first call, before timing."""


class _Minidl:
    name = "minidl"

    def __init__(self, device: str):
        import minidl
        import minidl.nn.functional as F

        self.minidl, self.F, self.device = minidl, F, device

    def tensor(self, array, requires_grad):
        return self.minidl.tensor(array, requires_grad=requires_grad, device=self.device)

    def function(self, name):
        return getattr(self.F, name, None)

    def no_grad(self):
        return self.minidl.no_grad()

    def synchronize(self):
        if self.device == "cuda":
            import cupy
            cupy.cuda.Device().synchronize()


class _Torch:
    name = "torch"

    def __init__(self, torch, device: str):
        self.torch, self.device = torch, device

    def tensor(self, array, requires_grad):
        return self.torch.tensor(array, device=self.device).requires_grad_(requires_grad)

    def function(self, name):
        return getattr(self.torch.nn.functional, name)

    def no_grad(self):
        return self.torch.no_grad()

    def synchronize(self):
        if self.device == "cuda":
            self.torch.cuda.synchronize()


def _runners(case: Case, engine, arrays, grad_array):
    """The case's forward and forward+backward passes as argument-less functions."""
    function = engine.function(case.function)
    tensors = [engine.tensor(a, spec.grad) for a, spec in zip(arrays, case.arrays)]
    leaves = [t for t, spec in zip(tensors, case.arrays) if spec.grad]
    grad = engine.tensor(grad_array, False)

    def forward():
        with engine.no_grad():
            function(*tensors, **case.options)
        engine.synchronize()

    def forward_backward():
        for leaf in leaves:
            leaf.grad = None
        function(*tensors, **case.options).backward(grad)
        engine.synchronize()

    return forward, forward_backward


SETTLE_SECONDS = 0.03
"""How long each engine runs untimed before a timed call: PyTorch's OpenMP threads spin
for milliseconds after its calls (measured: a minidl convolution ran 1.8x slower in the
first 10 ms after a PyTorch call, at its usual speed from 10 ms on)."""


def settled(function) -> float:
    """Seconds of one call of ``function`` made after untimed calls of it that took at
    least ``SETTLE_SECONDS``: what ran just before is the function itself, never the
    other engine."""
    start = time.perf_counter()
    function()
    while time.perf_counter() - start < SETTLE_SECONDS:
        function()
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _time_interleaved(functions: dict, repeat: int, warmup: int = 0) -> dict:
    """{key: (first call in s, median of ``repeat`` later calls in s)}, the calls of the
    different functions alternating, each timed call ``settled``; ``warmup`` untimed calls
    of each come between the first calls and the timed ones."""
    first: dict = {}
    samples: dict = {key: [] for key in functions}
    for key, function in functions.items():
        start = time.perf_counter()
        function()
        first[key] = time.perf_counter() - start
    for _ in range(warmup):
        for function in functions.values():
            function()
    for _ in range(repeat):
        for key, function in functions.items():
            samples[key].append(settled(function))
    return {key: (first[key], statistics.median(samples[key])) for key in functions}


def _gflops(flops, seconds):
    return None if flops is None else flops / seconds / 1e9


def run_case(case: Case, engines, repeat: int, warmup: int = 0) -> dict:
    """Time one case on both engines; the result is one row of the report."""
    ours, theirs = engines
    rng = np.random.default_rng(0)
    arrays = [spec.sample(rng, np.float32) for spec in case.arrays]
    row: dict = {"name": case.name, "study": case.study, "function": case.function,
           "shapes": [list(spec.shape) for spec in case.arrays], "options": case.options}
    if ours.function(case.function) is None:
        row["skipped"] = f"minidl.nn.functional has no {case.function} yet"
        return row
    with ours.no_grad():
        output = ours.function(case.function)(*[ours.tensor(a, False) for a in arrays],
                                              **case.options)
    grad_array = rng.standard_normal(output.shape).astype(np.float32)
    functions = {}
    for engine in engines:
        forward, forward_backward = _runners(case, engine, arrays, grad_array)
        functions[(engine.name, "forward")] = forward
        functions[(engine.name, "forward_backward")] = forward_backward
    times = _time_interleaved(functions, repeat, warmup)
    flops: dict = {"forward": case.forward_flops()}
    if flops["forward"] is not None:
        flops["forward_backward"] = flops["forward"] + case.backward_flops()
    for pass_name in ("forward", "forward_backward"):
        mine, reference = times[(ours.name, pass_name)][1], times[(theirs.name, pass_name)][1]
        row[pass_name] = {
            "minidl_ms": mine * 1e3, "torch_ms": reference * 1e3, "ratio": mine / reference,
            "minidl_first_call_ms": times[(ours.name, pass_name)][0] * 1e3,
            "minidl_gflops": _gflops(flops.get(pass_name), mine),
            "torch_gflops": _gflops(flops.get(pass_name), reference),
        }
    row["large_channels"] = case.large_channels
    return row


def geometric_mean(values) -> float | None:
    values = list(values)
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def summarize(rows: list, sgemm: float, peak: float | None = None) -> dict:
    """Geometric means, the worst case, the large-convolution rates against sgemm and,
    given the multiply-add ``peak``, both engines' share of it in the convolutions whose
    forward pass is slower in minidl."""
    timed = [row for row in rows if "skipped" not in row]
    summary: dict = {"sgemm_gflops": sgemm, "cases_timed": len(timed),
               "cases_skipped": len(rows) - len(timed)}
    for pass_name in ("forward", "forward_backward"):
        summary[f"geomean_ratio_{pass_name}"] = geometric_mean(
            row[pass_name]["ratio"] for row in timed)
    if timed:
        worst = max(timed, key=lambda row: row["forward_backward"]["ratio"])
        summary["worst_forward_backward"] = {"name": worst["name"],
                                             "ratio": worst["forward_backward"]["ratio"]}
    large = [row for row in timed if row["large_channels"]]
    summary["large_channel_fraction_of_sgemm"] = {
        row["name"]: row["forward_backward"]["minidl_gflops"] / sgemm for row in large}
    if peak is not None:
        summary["multiply_add_peak_gflops"] = peak
        summary["slower_forward_fraction_of_peak"] = {
            row["name"]: {engine: row["forward"][f"{engine}_gflops"] / peak
                          for engine in ("minidl", "torch")}
            for row in timed
            if row["forward"]["ratio"] > 1 and row["forward"]["minidl_gflops"] is not None}
    return summary


def check_device(device: str) -> None:
    """Raise a clear error unless minidl can run on ``device`` ("cpu" or "cuda": CuPy and
    a GPU)."""
    module_for_device(device)


def _prepare_torch_cuda(torch) -> None:
    """A clear error without a CUDA build of PyTorch; full float32 (no TF32) matrix math."""
    if not torch.cuda.is_available():
        raise RuntimeError(f"--device cuda compares with PyTorch on the GPU, but this "
                           f"PyTorch ({torch.__version__}) has no CUDA device: install a "
                           "CUDA build of PyTorch")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def run_kernel_benchmark(repeat: int = 5, case_filter: str = "", threads: int = 2,
                         device: str = "cpu", progress=None) -> dict:
    """Benchmark every case whose name contains ``case_filter``; returns the report (a
    JSON-ready dict: machine, summary and one row per case).  ``progress`` is called
    with each row as soon as it is measured."""
    import torch

    check_device(device)
    on_gpu = device == "cuda"
    if on_gpu:
        _prepare_torch_cuda(torch)
    set_runtime_threads(threads, torch)
    engines = (_Minidl(device), _Torch(torch, device))
    all_cases = cases_for(device)
    cases = [case for case in all_cases if case_filter in case.name]
    if not cases:
        raise ValueError(f"no benchmark case name contains {case_filter!r}; the cases are: "
                         + ", ".join(case.name for case in all_cases))
    machine = machine_details(threads, torch)
    if on_gpu:
        machine.update(gpu_details(torch))
    measure_sgemm = gpu_sgemm_gflops if on_gpu else sgemm_gflops
    sgemm = [measure_sgemm()]                 # before and after: the machine may be shared
    peak = None if on_gpu else [multiply_add_peak_gflops(threads)]
    rows = []
    for case in cases:
        rows.append(run_case(case, engines, repeat, CUDA_WARMUP_CALLS if on_gpu else 0))
        if progress is not None:
            progress(rows[-1])
    sgemm.append(measure_sgemm())
    if peak is not None:
        peak.append(multiply_add_peak_gflops(threads))
        machine["multiply_add_peak"] = (f"{CHAINS} chains of 16-lane float32 multiply-adds "
                                        "a thread, all threads at once")
        machine["multiply_add_peak_gflops_before_after"] = peak
    machine["device"] = device
    machine["sgemm"] = ("cuBLAS float32 8192x8192 matmul (CuPy)" if on_gpu
                        else "NumPy float32 2048x2048 matmul")
    machine["sgemm_gflops_before_after"] = sgemm
    machine["load_average_after"] = load_average()
    return {"machine": machine, "repeat": repeat,
            "summary": summarize(rows, max(sgemm), None if peak is None else max(peak)),
            "cases": rows}


def _number(value, digits=2, width=7):
    return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"


def format_row(row: dict) -> str:
    """One line of the table: times in ms, ratios minidl/PyTorch, GFLOP/s of minidl."""
    if "skipped" in row:
        return f"{row['name']:<38} skipped: {row['skipped']}"
    f, fb = row["forward"], row["forward_backward"]
    return (f"{row['name']:<38}{_number(f['minidl_ms'], 2, 9)}{_number(f['torch_ms'], 2, 9)}"
            f"{_number(f['ratio'], 2, 7)}{_number(fb['minidl_ms'], 2, 9)}"
            f"{_number(fb['torch_ms'], 2, 9)}{_number(fb['ratio'], 2, 7)}"
            f"{_number(fb['minidl_gflops'], 0, 8)}{_number(fb['torch_gflops'], 0, 8)}")


TABLE_HEADER = (f"{'case':<38}{'fwd ms':>9}{'torch':>9}{'ratio':>7}{'fw+bw ms':>9}"
                f"{'torch':>9}{'ratio':>7}{'GFLOP/s':>8}{'torch':>8}")


def format_summary(report: dict) -> str:
    s, m = report["summary"], report["machine"]
    lines = [
        f"geometric mean of ratios minidl/torch: forward "
        f"{_number(s['geomean_ratio_forward'], 3, 0)}, forward+backward "
        f"{_number(s['geomean_ratio_forward_backward'], 3, 0)}  "
        f"({s['cases_timed']} cases, {s['cases_skipped']} skipped)",
    ]
    if "worst_forward_backward" in s:
        worst = s["worst_forward_backward"]
        lines.append(f"worst forward+backward ratio: {worst['ratio']:.2f} ({worst['name']})")
    before, after = m["sgemm_gflops_before_after"]
    lines.append(f"sgemm ({m['sgemm']}, best of before/after the cases): "
                 f"{s['sgemm_gflops']:.0f} GFLOP/s ({before:.0f} before, {after:.0f} after)")
    for name, fraction in s["large_channel_fraction_of_sgemm"].items():
        lines.append(f"  {name}: forward+backward at {fraction:.0%} of sgemm")
    if "multiply_add_peak_gflops" in s:
        before, after = m["multiply_add_peak_gflops_before_after"]
        lines.append(f"multiply-add peak ({m['multiply_add_peak']}): "
                     f"{s['multiply_add_peak_gflops']:.0f} GFLOP/s ({before:.0f} before, "
                     f"{after:.0f} after)")
        for name, share in s["slower_forward_fraction_of_peak"].items():
            lines.append(f"  {name}: forward at {share['minidl']:.0%} of it, PyTorch at "
                         f"{share['torch']:.0%}")
    lines += machine_lines(m)
    if m["device"] == "cuda":
        lines.append(f"gpu: {m['gpu']} ({m['gpu_memory_gib']} GiB), CUDA runtime "
                     f"{m['cuda_runtime']}, cupy {m['cupy']}, torch CUDA {m['torch_cuda']}, "
                     f"cuDNN {m['cudnn']}, TF32 off in torch and "
                     f"{'on' if m['cupy_tf32'] == '1' else 'off'} in cupy")
    return "\n".join(lines)
