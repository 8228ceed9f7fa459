"""Data-parallel scaling: measured on 1 and 2 ranks here, projected to 2..64 machines.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        python benchmarks/distributed_scaling.py [--quick] [--json FILE] [--text FILE]

For each study (colorized-mnist: 0.2 M parameters, 28x28 images; iizuka: 17 M parameters,
128x128 images) the script starts ``mpiexec -n K -bind-to core`` for K = 1 and 2, one
thread per rank, and each rank trains the study's own model, data and loss through the
code of ``minidl train --distributed`` (DistributedSampler shard, DistributedDataParallel,
``task.train_step``) for one epoch of a fixed number of images, after warm-up steps.
Measured, per study:

    epoch time at 1 and 2 ranks, speedup T1/T2 and scaling efficiency T1 / (2 T2)
    allreduce per step: one all_reduce of all the gradients (every parameter, float32)
        timed alone between the ranks, and its share of a 2-rank step; and the part of it
        the backward pass did not hide (the wait at the end of backward)
    compute per sample (forward + backward, one core) and the optimizer step

Projection to K machines, one rank each, with a fixed global batch B (the study's): a
step takes

    T(K) = (t_opt + (B / K) t_sample) / s  +  A(K),
    A(K) = 2 (K - 1) a + 2 (K - 1) / K * n / W          (ring allreduce of n bytes)

with t_sample and t_opt measured here, s the speed of one machine relative to one core
here (``--machine-speedups``, default 1, 10 and 100: this core, a many-core machine, a
GPU; the optimizer step speeds up alike), and two
networks: 10 Gb Ethernet (a = 30 us, W = 1.1 GB/s achieved) and 100 Gb InfiniBand (a = 3 us,
W = 11 GB/s). No overlap of communication and compute is assumed (a bound: the measured
share hidden by overlap is reported beside it). Efficiency E(K) = T(1) / (K T(K));
communication dominates from the first K where A(K) exceeds the compute part. The same is
shown for weak scaling (B per machine, K B in all), where compute per step stays fixed.

The machine is shared and busy at times: the load average is recorded with the results;
rerun on a quiet machine for numbers to quote.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

STUDIES = {
    # name: (settings, images per measured epoch, quick: images)
    "colorized-mnist": ({"batch_size": 64}, 1024, 256),
    "iizuka": ({"batch_size": 16, "size": 128}, 64, 32),
}
NETWORKS = {"10 GbE": (30e-6, 1.1e9), "100 Gb IB": (3e-6, 11e9)}
MACHINES = (2, 4, 8, 16, 32, 64)
WARMUP_STEPS = 2
ALLREDUCE_REPEATS = 10


# -- one rank (run under mpiexec) --------------------------------------------------------
def worker(study_name: str, images: int) -> None:
    """Train ``images`` images of the study on this rank; rank 0 prints a JSON line."""
    import numpy as np

    import minidl.distributed as dist
    from minidl.nn.parallel import reducer as reducer_module
    from minidl.studies import get_study
    from minidl.studies.runner import build_task, load_data
    from minidl.tensor import Tensor
    from minidl.training.data_parallel import DataParallel, set_epoch, training_loader

    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    settings, _, _ = STUDIES[study_name]
    config = get_study(study_name).resolve(None, None, {**settings, "limit": images * 2})
    data = load_data(config)
    task = build_task(config)
    task.prepare(data.train)
    loader = training_loader(config, data.train)
    parallel = DataParallel(task, config["seed"])

    waits, optimizer_seconds = [], []
    end_pass = reducer_module.Reducer._end_pass

    def timed_end_pass(self):
        started = time.perf_counter()
        end_pass(self)
        waits.append(time.perf_counter() - started)
    reducer_module.Reducer._end_pass = timed_end_pass
    for optimizer in task.optimizers.values():
        step = optimizer.step

        def timed_step(step=step):
            started = time.perf_counter()
            step()
            optimizer_seconds.append(time.perf_counter() - started)
        optimizer.step = timed_step

    steps = images // config["batch_size"]
    set_epoch(loader, 1)
    loader.generator = np.random.default_rng([config["seed"], 1])
    task.train(True)
    batches = iter(loader)
    step_seconds = []
    with parallel.replicated(task, 1):
        for index in range(WARMUP_STEPS + steps):
            batch = next(batches, None)
            if batch is None:
                batches = iter(loader)
                batch = next(batches)
            if index == WARMUP_STEPS:
                dist.barrier()
                waits.clear()
                optimizer_seconds.clear()
                started = time.perf_counter()
            step_started = time.perf_counter()
            task.train_step(task.to_device(batch))
            step_seconds.append(time.perf_counter() - step_started)
        epoch_seconds = time.perf_counter() - started
    step_seconds = step_seconds[WARMUP_STEPS:]

    parameters = sum(p.numel() for model in task.models.values() for p in model.parameters())
    gradient = Tensor._from_array(np.ones(parameters, dtype=np.float32))
    allreduce = []
    for _ in range(ALLREDUCE_REPEATS):
        dist.barrier()
        started = time.perf_counter()
        dist.all_reduce(gradient)
        allreduce.append(time.perf_counter() - started)
    slowest = Tensor._from_array(np.array([epoch_seconds]))
    dist.all_reduce(slowest, op=dist.ReduceOp.MAX)
    if rank == 0:
        print(json.dumps({
            "study": study_name, "ranks": world, "batch_size": config["batch_size"],
            "images": steps * config["batch_size"], "steps": steps,
            "parameters": parameters, "gradient_bytes": 4 * parameters,
            "epoch_seconds": float(slowest.array[0]),
            "step_seconds": float(np.median(step_seconds)),
            "optimizer_seconds_per_step": float(np.sum(optimizer_seconds) / steps),
            "exposed_wait_seconds_per_step": float(np.sum(waits) / steps) if waits else 0.0,
            "allreduce_seconds": float(np.median(allreduce))}), flush=True)
    dist.destroy_process_group()


# -- the driver --------------------------------------------------------------------------
def launcher() -> str:
    beside = Path(sys.executable).parent / "mpiexec"
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        sys.exit('no mpiexec found: pip install "minidl[mpi]"')
    return found


def measure(study: str, images: int, ranks: int) -> dict:
    from minidl.bench.machine import thread_environment
    command = [launcher(), "-bind-to", "core", "-n", str(ranks), sys.executable, __file__,
               "--worker", study, "--images", str(images)]
    result = subprocess.run(command, capture_output=True, text=True, check=False,
                            env={**os.environ, **thread_environment(1)})
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def ring_allreduce_seconds(nbytes: int, machines: int, latency: float, bandwidth: float):
    if machines == 1:
        return 0.0
    return 2 * (machines - 1) * latency + 2 * (machines - 1) / machines * nbytes / bandwidth


def projection(one: dict, speedup: float) -> dict:
    """Efficiency per K and network, strong (global batch fixed) and weak scaling, for
    machines ``speedup`` times as fast as the measured core (compute and optimizer)."""
    batch, nbytes = one["batch_size"], one["gradient_bytes"]
    optimizer = one["optimizer_seconds_per_step"] / speedup
    per_sample = (one["step_seconds"] - one["optimizer_seconds_per_step"]) / batch / speedup
    alone = optimizer + batch * per_sample
    table = {}
    for network, (latency, bandwidth) in NETWORKS.items():
        rows = []
        for k in MACHINES:
            communication = ring_allreduce_seconds(nbytes, k, latency, bandwidth)
            compute = optimizer + batch / k * per_sample
            strong, weak = compute + communication, alone + communication
            rows.append({"machines": k, "allreduce_ms": 1e3 * communication,
                         "strong_step_ms": 1e3 * strong,
                         "strong_efficiency": alone / (k * strong),
                         "strong_communication_share": communication / strong,
                         "weak_efficiency": alone / weak,
                         "weak_communication_share": communication / weak})
        dominates = next((r["machines"] for r in rows
                          if r["strong_communication_share"] > 0.5), None)
        table[network] = {"rows": rows, "communication_dominates_from": dominates}
    return {"machine_speedup": speedup, "compute_ms_per_sample": 1e3 * per_sample,
            "optimizer_ms_per_step": 1e3 * optimizer, "networks": table}


def report(results: dict) -> str:
    machine = results["machine"]
    lines = [(f"machine: {machine['cpu']}, {machine['cores']} cores, load average "
              f"{machine['load_average_1_5_15_min']} before, "
              f"{machine['load_average_after']} after (1/5/15 min)"), ""]
    lines.append("measured (one thread per rank, each rank bound to a core):")
    lines.append(f"{'study':<16} {'params':>9} {'batch':>5} {'images':>6} {'T1 s':>7} "
                 f"{'T2 s':>7} {'speedup':>7} {'effic.':>6} {'allreduce ms':>12} "
                 f"{'share':>6} {'wait ms':>8}")
    for study, entry in results["studies"].items():
        one, two = entry["1"], entry["2"]
        speedup = one["epoch_seconds"] / two["epoch_seconds"]
        lines.append(
            f"{study:<16} {one['parameters'] / 1e6:>8.2f}M {one['batch_size']:>5} "
            f"{one['images']:>6} {one['epoch_seconds']:>7.2f} {two['epoch_seconds']:>7.2f} "
            f"{speedup:>7.2f} {speedup / 2:>6.0%} {1e3 * two['allreduce_seconds']:>12.2f} "
            f"{two['allreduce_seconds'] / two['step_seconds']:>6.1%} "
            f"{1e3 * two['exposed_wait_seconds_per_step']:>8.2f}")
    lines += [("allreduce ms: all gradients in one all_reduce between the 2 ranks; share: of "
               "a 2-rank step; wait ms: the wait at the end of backward for buckets still on "
               "the wire (and for the slower rank)"), "",
              ("projection to K machines (one rank each; ring allreduce, no overlap): strong "
               "scaling (global batch fixed) efficiency / communication share of a step, for "
               "each K; weak scaling (batch per machine fixed) efficiency at K = 64")]
    header = "  ".join(f"K={k:<9}" for k in MACHINES)
    for study, entry in results["studies"].items():
        one = entry["1"]
        per_sample = 1e3 * (one["step_seconds"] - one["optimizer_seconds_per_step"]) \
            / one["batch_size"]
        lines.append(f"{study}: {one['gradient_bytes'] / 1e6:.1f} MB of gradients; on the "
                     f"measured core {per_sample:.3g} ms/sample (forward + backward), "
                     f"optimizer {1e3 * one['optimizer_seconds_per_step']:.3g} ms/step; "
                     f"batch {one['batch_size']}")
        lines.append(f"  {'machine':>8} {'network':<9}  {header}  weak K=64  comm > 1/2 from")
        for plan in entry["projections"]:
            for network, table in plan["networks"].items():
                cells = "  ".join(f"{r['strong_efficiency']:>4.0%}/"
                                  f"{r['strong_communication_share']:<6.0%}"
                                  for r in table["rows"])
                k = table["communication_dominates_from"]
                lines.append(f"  {plan['machine_speedup']:>7g}x {network:<9}  {cells}  "
                             f"{table['rows'][-1]['weak_efficiency']:>9.0%}  "
                             f"{'K = ' + str(k) if k else 'none <= 64'}")
    lines.append("machine: the speed of one machine relative to the measured core (compute "
                 "and optimizer step); 10 GbE: 30 us, 1.1 GB/s; 100 Gb IB: 3 us, 11 GB/s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--images", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="fewer images (a check)")
    parser.add_argument("--studies", nargs="+", default=list(STUDIES), choices=list(STUDIES))
    parser.add_argument("--machine-speedups", type=float, nargs="+", default=[1, 10, 100],
                        help="speeds of a projected machine relative to one core here "
                             "(1: this core; 10: a many-core machine; 100: a GPU)")
    parser.add_argument("--json", help="write the results as JSON here")
    parser.add_argument("--text", help="write the report here too")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.images)
        return
    from minidl.bench.machine import machine_details
    results = {"machine": machine_details(1), "studies": {},
               "networks": {name: {"latency_s": a, "bandwidth_bytes_per_s": w}
                            for name, (a, w) in NETWORKS.items()},
               "machine_speedups": args.machine_speedups}
    for study in args.studies:
        _, images, quick = STUDIES[study]
        count = quick if args.quick else images
        entry = {str(k): measure(study, count, k) for k in (1, 2)}
        entry["projections"] = [projection(entry["1"], speedup)
                                for speedup in args.machine_speedups]
        results["studies"][study] = entry
        print(f"{study}: measured", file=sys.stderr)
    results["machine"]["load_average_after"] = os.getloadavg()
    text = report(results)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if args.text:
        Path(args.text).write_text(text + "\n")


if __name__ == "__main__":
    main()
