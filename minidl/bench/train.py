"""Time one training step of each study's model in minidl and in PyTorch, and its peak memory.

Each case (``train_cases.py``) builds the study's model in minidl, and its PyTorch twin from
the same source with the same weights (``torch_twin.py``); both get the same batch, the
same optimizer and the same step code.  Before timing, both models run the batch once in
evaluation mode and the largest difference of their outputs is recorded (it should be
float32 rounding: evidence that the two really compute the same network).  Then:

- one untimed step each (Numba compiles its kernels on the first call: that first step's
  time is reported apart);
- in a process of its own, the peak memory of one step each: the growth of the process's
  resident memory during the step (Linux: the peak is reset through /proc/self/clear_refs,
  read as VmHWM), with allocations above 128 KiB returned to the system when freed (that
  process starts with ``MALLOC_MMAP_THRESHOLD_``) so that both engines' freed buffers
  leave the count alike; minidl's peak includes the convolutions' scratch buffers kept
  between calls (resident before the step, so not in its rise); minidl's peak of NumPy
  allocations (tracemalloc) beside it;
- in the allocator's default settings (as `minidl train` runs), ``repeat`` steps of each,
  interleaved (minidl, PyTorch, minidl, ...), each timed step after untimed ones of the
  same engine (``kernels.settled``: PyTorch's threads spin for milliseconds after its
  step, and would slow a minidl step that came next); the median counts.

Run it through ``minidl bench train`` (or ``python benchmarks/train.py``), which starts the
process with the thread and memory settings in place.
"""
from __future__ import annotations

import ctypes
import gc
import statistics
import time
import tracemalloc
import types

import numpy as np

from .kernels import geometric_mean, settled
from .machine import load_average, machine_details, machine_lines, set_runtime_threads
from .torch_twin import torch_twin
from .train_cases import CASES, TrainCase

MEMORY_ENVIRONMENT = {"MALLOC_MMAP_THRESHOLD_": "131072"}
"""glibc: allocations from 128 KiB up are mapped, and unmapped when freed (without it glibc
raises the threshold as blocks are freed and keeps them, hiding a step's peak)."""


# -- the two engines -------------------------------------------------------------------------

def _engines(torch):
    import minidl
    import minidl.nn.functional

    ours = types.SimpleNamespace(
        name="minidl", F=minidl.nn.functional, optim=minidl.optim, ones_like=minidl.ones_like,
        zeros_like=minidl.zeros_like, tensor=minidl.tensor, no_grad=minidl.no_grad)
    theirs = types.SimpleNamespace(
        name="torch", F=torch.nn.functional, optim=torch.optim, ones_like=torch.ones_like,
        zeros_like=torch.zeros_like, tensor=torch.from_numpy, no_grad=torch.no_grad)
    return ours, theirs


def _models(case: TrainCase, torch):
    """(minidl models, PyTorch twins) by role."""
    import minidl

    from ..models import MODELS

    minidl.manual_seed(0)
    ours, theirs = {}, {}
    for role, (name, args) in case.models.items():
        ours[role] = MODELS[name](*args)
        ours[role].train()
        theirs[role] = torch_twin(ours[role], torch, *args)
    return ours, theirs


def _outputs(value) -> list:
    """The arrays of a model's output (a tensor or a tuple of tensors / None)."""
    values = value if isinstance(value, tuple) else (value,)
    return [np.asarray(v.detach().numpy()) for v in values if v is not None]


def _output_difference(case, engines, models, batches) -> float:
    """The largest difference between the engines' outputs on the batch, in eval mode."""
    results = []
    for engine, built, batch in zip(engines, models, batches):
        for model in built.values():
            model.eval()
        with engine.no_grad():
            if case.step == "gan":
                fake = built["generator"](batch[0])
                outputs = _outputs(fake) + _outputs(built["discriminator"](batch[0], fake))
            else:
                outputs = _outputs(built["model"](batch[0]))
        for model in built.values():
            model.train()
        results.append(outputs)
    return max(float(np.abs(a - b).max()) for a, b in zip(*results))


# -- memory ---------------------------------------------------------------------------------

def _status_kib(field_name: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the process's peak resident memory to its current value (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def _release_free_memory() -> None:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def peak_step_memory_mib(step) -> float | None:
    """How far the resident memory rises above its level before ``step()`` while it runs,
    in MiB (None where /proc does not tell)."""
    _release_free_memory()
    if not _reset_peak():
        return None
    before = _status_kib("VmRSS")
    step()
    peak = _status_kib("VmHWM")
    if before is None or peak is None:
        return None
    return (peak - before) / 1024


def traced_peak_mib(step) -> float:
    """The peak of the memory Python and NumPy allocate during ``step()``, above what was
    allocated before (tracemalloc), in MiB."""
    _release_free_memory()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        step()
        return (tracemalloc.get_traced_memory()[1] - start) / 2 ** 20
    finally:
        tracemalloc.stop()


# -- one case -------------------------------------------------------------------------------

def _step_function(case, engine, models, optimizers, batch):
    from . import train_cases

    step = getattr(train_cases, case.step)
    return lambda: step(engine, case, models, optimizers, batch)


def _prepared_steps(case: TrainCase, torch) -> tuple[dict, dict]:
    """The case's row so far (names, output difference) and one step function per engine,
    each run once (Numba compiles on the first call: that step's time is in the row)."""
    engines = _engines(torch)
    rng = np.random.default_rng(0)
    arrays = [spec.sample(rng) for spec in case.batch]
    models = _models(case, torch)
    batches = [[engine.tensor(a.copy()) for a in arrays] for engine in engines]
    row = {"name": case.name, "study": case.study, "batch_size": case.batch_size,
           "optimizer": case.optimizer[0],
           "max_output_difference": _output_difference(case, engines, models, batches)}
    steps = {}
    for engine, built, batch in zip(engines, models, batches):
        optimizer, settings = case.optimizer
        optimizers = {role: getattr(engine.optim, optimizer)(model.parameters(), **settings)
                      for role, model in built.items()}
        steps[engine.name] = _step_function(case, engine, built, optimizers, batch)
    for name, step in steps.items():
        start = time.perf_counter()
        step()
        row[f"{name}_first_step_ms"] = (time.perf_counter() - start) * 1e3
    return row, steps


def measure_memory(case: TrainCase, torch) -> dict:
    """The peak memory of one step of each engine, and minidl's traced NumPy peak.  Run in a
    process started with ``MEMORY_ENVIRONMENT`` (``minidl bench train`` starts one)."""
    from ..kernels.cpu.scratch import forget_kept, kept_bytes

    forget_kept()  # the scratch an earlier case left: not this case's
    _, steps = _prepared_steps(case, torch)
    memory = {f"{name}_peak_mib": peak_step_memory_mib(step) for name, step in steps.items()}
    # the convolutions' scratch kept between calls is resident before the step starts, so
    # the step's rise does not show it: it counts in minidl's peak all the same
    scratch = kept_bytes(every_thread=True) / 2 ** 20
    memory["minidl_scratch_mib"] = scratch
    if memory["minidl_peak_mib"] is not None:
        memory["minidl_peak_mib"] += scratch
    memory["minidl_traced_peak_mib"] = traced_peak_mib(steps["minidl"])
    return memory


def run_case(case: TrainCase, torch, repeat: int, memory: dict | None = None) -> dict:
    """The case's step times (``repeat`` steps of each engine, interleaved; the median),
    their ratio, and the ``memory`` measured elsewhere with its ratio.  Timed with the
    allocator's default settings, as `minidl train` runs: the memory measurement's setting
    (every large block mapped afresh) doubles a step's page faults in both engines."""
    row, steps = _prepared_steps(case, torch)
    row.update(memory or {"minidl_peak_mib": None, "torch_peak_mib": None,
                          "minidl_traced_peak_mib": None})
    samples: dict = {name: [] for name in steps}
    for _ in range(repeat):
        for name, step in steps.items():
            samples[name].append(settled(step))
    for name in steps:
        row[f"{name}_ms"] = statistics.median(samples[name]) * 1e3
    row["ratio"] = row["minidl_ms"] / row["torch_ms"]
    if row["minidl_peak_mib"] is not None and row["torch_peak_mib"]:
        row["memory_ratio"] = row["minidl_peak_mib"] / row["torch_peak_mib"]
    return row


def summarize(rows: list) -> dict:
    summary: dict = {"cases": len(rows),
                     "geomean_ratio": geometric_mean(row["ratio"] for row in rows)}
    worst = max(rows, key=lambda row: row["ratio"])
    summary["worst"] = {"name": worst["name"], "ratio": worst["ratio"]}
    memory = [row for row in rows if "memory_ratio" in row]
    if memory:
        summary["geomean_memory_ratio"] = geometric_mean(row["memory_ratio"] for row in memory)
        most = max(memory, key=lambda row: row["memory_ratio"])
        summary["worst_memory"] = {"name": most["name"], "ratio": most["memory_ratio"]}
    return summary


def selected_cases(case_filter: str) -> list:
    cases = [case for case in CASES if case_filter in case.name]
    if not cases:
        raise ValueError(f"no training case name contains {case_filter!r}; the cases are: "
                         + ", ".join(case.name for case in CASES))
    return cases


def run_memory_benchmark(case_filter: str = "", threads: int = 2) -> dict:
    """``{case name: memory}`` (``measure_memory``) for the selected cases."""
    import torch

    set_runtime_threads(threads, torch)
    return {case.name: measure_memory(case, torch) for case in selected_cases(case_filter)}


def run_train_benchmark(repeat: int = 5, case_filter: str = "", threads: int = 2,
                        progress=None, memory: dict | None = None) -> dict:
    """Benchmark every case whose name contains ``case_filter``: the report as a JSON-ready
    dict (machine, summary, one row per case); ``progress`` gets each row when measured;
    ``memory``: ``run_memory_benchmark``'s result, from a process of its own."""
    import torch

    set_runtime_threads(threads, torch)
    cases = selected_cases(case_filter)
    machine = machine_details(threads, torch)
    rows = []
    for case in cases:
        rows.append(run_case(case, torch, repeat, (memory or {}).get(case.name)))
        if progress is not None:
            progress(rows[-1])
    machine["load_average_after"] = load_average()
    return {"machine": machine, "repeat": repeat, "summary": summarize(rows), "cases": rows}


# -- the table ------------------------------------------------------------------------------

def _number(value, digits=2, width=9):
    return f"{'-':>{width}}" if value is None else f"{value:{width}.{digits}f}"


TABLE_HEADER = (f"{'case':<36}{'step ms':>9}{'torch':>9}{'ratio':>7}{'peak MiB':>9}"
                f"{'torch':>9}{'ratio':>7}{'traced':>8}{'1st ms':>9}{'max diff':>10}")


def format_row(row: dict) -> str:
    """Step times (median), ratio minidl/PyTorch, peak step memory of each and their ratio,
    minidl's traced NumPy peak, minidl's first step, the eval-mode output difference."""
    return (f"{row['name']:<36}{_number(row['minidl_ms'])}{_number(row['torch_ms'])}"
            f"{_number(row['ratio'], 2, 7)}{_number(row['minidl_peak_mib'], 1)}"
            f"{_number(row['torch_peak_mib'], 1)}{_number(row.get('memory_ratio'), 2, 7)}"
            f"{_number(row['minidl_traced_peak_mib'], 1, 8)}"
            f"{_number(row['minidl_first_step_ms'], 0)}"
            f"{row['max_output_difference']:10.1e}")


def format_summary(report: dict) -> str:
    s, m = report["summary"], report["machine"]
    lines = [f"geometric mean of step time ratios minidl/torch: {s['geomean_ratio']:.3f} "
             f"({s['cases']} cases); worst {s['worst']['ratio']:.2f} ({s['worst']['name']})"]
    if "geomean_memory_ratio" in s:
        lines.append(f"peak step memory minidl/torch: geometric mean "
                     f"{s['geomean_memory_ratio']:.2f}, worst {s['worst_memory']['ratio']:.2f}"
                     f" ({s['worst_memory']['name']})")
    lines += machine_lines(m)
    return "\n".join(lines)
