"""The kernel benchmark: its cases' arithmetic, and `minidl bench kernels` end to end."""
import json

import numba
import pytest
from click.testing import CliRunner
from helpers import cuda_unavailable_reason

from minidl.bench.kernel_cases import CASES, Array, Case, cases_for
from minidl.bench.kernels import format_summary, geometric_mean, summarize
from minidl.bench.machine import thread_environment
from minidl.bench.peak import multiply_add_peak_gflops
from minidl.cli.main import cli


def test_convolution_flops():
    conv = Case("c", "s", "conv2d", (Array((2, 3, 8, 8)), Array((4, 3, 3, 3), True),
                                     Array((4,), True)), {"stride": 2, "padding": 1})
    assert conv.forward_flops() == 2 * 2 * 4 * 4 * 4 * 3 * 3 * 3      # N·C_out·OH·OW·K, x2
    assert conv.backward_flops() == conv.forward_flops()              # no input gradient
    transpose = Case("t", "s", "conv_transpose2d", (Array((2, 4, 5, 5), True),
                                                    Array((4, 6, 4, 4), True)), {})
    assert transpose.forward_flops() == 2 * (2 * 4 * 5 * 5) * 6 * 16
    assert transpose.backward_flops() == 2 * transpose.forward_flops()
    pool = Case("p", "s", "max_pool2d", (Array((1, 1, 4, 4), True),), {"kernel_size": 2})
    assert pool.forward_flops() is None and not pool.large_channels


def test_cases_cover_the_studies():
    names = " ".join(case.name for case in CASES)
    for kernel in ("conv ", "convT", "batch_norm", "max_pool2d", "avg_pool2d",
                   "adaptive_avg_pool2d", "interpolate"):
        assert kernel in names
    assert any(case.large_channels for case in CASES)
    assert geometric_mean([2.0, 0.5, 1.0]) == pytest.approx(1.0)


def test_gpu_cases_are_the_cpu_cases_at_batch_64():
    cpu, gpu = cases_for("cpu"), cases_for("cuda")
    assert cpu == list(CASES) and len(gpu) == len(cpu)
    for mine, theirs in zip(gpu, cpu):
        assert mine.arrays[0].shape == (64, *theirs.arrays[0].shape[1:])
        assert mine.arrays[1:] == theirs.arrays[1:] and mine.options == theirs.options
        assert mine.name == theirs.name.rsplit(" b", 1)[0] + " b64"
    conv = gpu[7]                                           # 64->128 3x3 64x64, b16 on cpu
    assert conv.forward_flops() == 4 * cpu[7].forward_flops()


@pytest.mark.skipif(cuda_unavailable_reason() is None, reason="CUDA is available here")
def test_cuda_without_a_usable_gpu_is_a_clear_error():
    result = CliRunner().invoke(cli, ["bench", "kernels", "--device", "cuda"])
    assert result.exit_code != 0
    assert "Error: device 'cuda'" in result.output and "Traceback" not in result.output


def test_bench_kernels_runs_a_case_and_writes_json(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    threads = numba.config.NUMBA_NUM_THREADS    # the pool this process has, on any machine
    for key, value in thread_environment(threads).items():
        monkeypatch.setenv(key, value)       # as if started afresh: run in this process
    report_path = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["bench", "kernels", "--cases", "max_pool2d 2x2 32ch",
                                      "--repeat", "1", "--threads", str(threads),
                                      "--json", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "max_pool2d 2x2 32ch 28x28 b64" in result.output
    assert "geometric mean of ratios" in result.output
    report = json.loads(report_path.read_text())
    row = report["cases"][0]
    assert row["forward"]["ratio"] > 0 and row["forward_backward"]["torch_ms"] > 0
    assert report["machine"]["cores"] >= 1 and report["summary"]["sgemm_gflops"] > 0
    assert report["summary"]["multiply_add_peak_gflops"] > 0
    assert "multiply-add peak (8 chains" in result.output


def test_unknown_case_filter_lists_the_cases(monkeypatch):
    pytest.importorskip("torch")
    for key, value in thread_environment(2).items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(cli, ["bench", "kernels", "--cases", "no such case"])
    assert result.exit_code != 0 and "the cases are: conv 1->32" in result.output


def test_multiply_add_peak_is_a_rate():
    assert 1 < multiply_add_peak_gflops(1, steps=20_000, repeat=2) < 1e5


def _row(name, forward_ratio, minidl_gflops, torch_gflops):
    forward = {"ratio": forward_ratio, "minidl_gflops": minidl_gflops,
               "torch_gflops": torch_gflops}
    return {"name": name, "forward": forward, "forward_backward": {"ratio": 1.0},
            "large_channels": False}


def test_the_summary_sets_slower_convolutions_beside_the_peak():
    rows = [_row("slow conv", 1.25, 80.0, 100.0), _row("fast conv", 0.5, 90.0, 45.0),
            _row("slow pool", 1.5, None, None)]
    summary = summarize(rows, sgemm=150.0, peak=200.0)
    assert summary["multiply_add_peak_gflops"] == 200.0
    assert summary["slower_forward_fraction_of_peak"] == {
        "slow conv": {"minidl": 0.4, "torch": 0.5}}
    machine = {"sgemm_gflops_before_after": [150.0, 140.0], "sgemm": "s",
               "multiply_add_peak": "p", "multiply_add_peak_gflops_before_after": [200, 190],
               "cpu": "c", "cores": 2, "threads": 2, "load_average_1_5_15_min": [0.1],
               "numpy": "n", "blas": "b", "numba": "nb", "device": "cpu"}
    text = format_summary({"summary": summary, "machine": machine})
    assert "multiply-add peak (p): 200 GFLOP/s (200 before, 190 after)" in text
    assert "slow conv: forward at 40% of it, PyTorch at 50%" in text
    assert "fast conv" not in text and "slow pool" not in text
    assert "multiply_add_peak_gflops" not in summarize(rows, sgemm=150.0)
