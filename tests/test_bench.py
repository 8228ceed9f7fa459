"""The kernel benchmark: its cases' arithmetic, and `minidl bench kernels` end to end."""
import json

import pytest
from click.testing import CliRunner
from helpers import cuda_unavailable_reason

from minidl.bench.kernel_cases import CASES, Array, Case, cases_for
from minidl.bench.kernels import geometric_mean
from minidl.bench.machine import thread_environment
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
    for key, value in thread_environment(2).items():
        monkeypatch.setenv(key, value)       # as if started afresh: run in this process
    report_path = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["bench", "kernels", "--cases", "max_pool2d 2x2 32ch",
                                      "--repeat", "1", "--json", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "max_pool2d 2x2 32ch 28x28 b64" in result.output
    assert "geometric mean of ratios" in result.output
    report = json.loads(report_path.read_text())
    row = report["cases"][0]
    assert row["forward"]["ratio"] > 0 and row["forward_backward"]["torch_ms"] > 0
    assert report["machine"]["cores"] >= 1 and report["summary"]["sgemm_gflops"] > 0


def test_unknown_case_filter_lists_the_cases(monkeypatch):
    pytest.importorskip("torch")
    for key, value in thread_environment(2).items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(cli, ["bench", "kernels", "--cases", "no such case"])
    assert result.exit_code != 0 and "the cases are: conv 1->32" in result.output
