"""``minidl run`` / ``python -m minidl.run`` and the import hook: ``torch`` and
``torchvision`` resolve to minidl, and what minidl lacks fails with one line."""
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

import minidl
from minidl.cli.main import cli
from minidl.compat import (
    NotImplementedInMinidl,
    TorchModuleNotInMinidl,
    missing_message,
    run_script,
    torch_is_minidl,
)


def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def test_torch_and_its_modules_are_minidls():
    with torch_is_minidl():
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.optim as optim
        from torch.optim.lr_scheduler import StepLR
        from torch.utils.data import DataLoader, TensorDataset
        assert torch.Tensor is minidl.Tensor and torch.tensor is minidl.tensor
        assert nn.Module is minidl.nn.Module and F.relu is minidl.nn.functional.relu
        assert optim.Adadelta is minidl.optim.Adadelta
        assert StepLR is minidl.optim.lr_scheduler.StepLR
        assert DataLoader is minidl.data.DataLoader and TensorDataset is minidl.data.TensorDataset
        assert torch.nn is nn and torch.nn.functional is F and torch.optim is optim
        assert torch.utils.data.DataLoader is DataLoader
        assert torch.nn.init.orthogonal_ is minidl.nn.init.orthogonal_
        assert torch.nn.parallel.DataParallel is minidl.nn.DataParallel
        assert "Linear" in dir(nn)


def test_torchvision_resolves_to_minidl_vision():
    with torch_is_minidl():
        import torchvision
        from torchvision import datasets, transforms, utils
        assert torchvision.datasets is datasets and datasets.MNIST.__module__.startswith(
            "minidl.vision")
        assert transforms.ToTensor.__module__.startswith("minidl.vision")
        assert utils.make_grid.__module__.startswith("minidl.vision")


def test_the_hook_puts_back_what_was_imported_before(torch):
    real = sys.modules["torch"]
    with torch_is_minidl():
        import torch as inside
        assert inside is not real and inside.Tensor is minidl.Tensor
    import torch as after
    assert after is real and sys.modules["torch.nn"] is real.nn


def test_missing_names_fail_at_the_point_of_use_with_one_line():
    with torch_is_minidl():
        import torch
        with pytest.raises(NotImplementedInMinidl,
                           match=r"^minidl does not implement torch\.fft (\(yet\))$"):
            torch.fft.fft(torch.ones(4))
        with pytest.raises(NotImplementedError, match=r"torch\.nn\.CTCLoss \(yet\)"):
            torch.nn.CTCLoss()
        with pytest.raises(TorchModuleNotInMinidl,
                           match=r"^minidl does not implement torch\.fft (\(yet\))$"):
            import torch.fft  # noqa: F401
        with pytest.raises(ImportError, match=r"torchvision\.ops \(yet\)"):
            from torchvision import ops  # noqa: F401
        with pytest.raises(ImportError, match=r"torchvision\.ops"):
            import torchvision.ops.boxes  # noqa: F401
        # minidl's own modules are not PyTorch's: torch.ops is not minidl.ops
        with pytest.raises(NotImplementedInMinidl, match=r"torch\.ops \(yet\)"):
            torch.ops.aten


def test_hasattr_and_getattr_with_default_probe_sanely():
    with torch_is_minidl():
        import torch
        assert not hasattr(torch, "xpu") and not hasattr(torch.nn, "CTCLoss")
        assert getattr(torch, "jit", None) is None
        model = torch.nn.Linear(2, 2)
        assert torch.compile(model) is model     # eager already: compile is the identity
        assert hasattr(torch, "manual_seed") and hasattr(torch.nn, "Conv2d")
        assert not hasattr(torch, "__wrapped__")


@pytest.mark.parametrize("name, reason", [
    ("torch.jit", "no JIT or graph compiler"), ("torch.fx", "no JIT or graph compiler"),
    ("torch.sparse", "no sparse layouts"), ("torch.sparse_coo_tensor", "no sparse layouts"),
])
def test_out_of_scope_names_say_so_in_one_line(name, reason):
    message = missing_message(name)
    assert message.startswith(f"{name} is out of scope for minidl") and reason in message
    assert "\n" not in message
    with torch_is_minidl():
        import torch
        with pytest.raises(NotImplementedInMinidl, match="out of scope"):
            getattr(torch, name.split(".")[1])


def test_run_script_runs_as_main_with_argv_and_its_folder_on_the_path(tmp_path, capsys):
    write(tmp_path, "helper.py", "VALUE = 41\n")
    script = write(tmp_path, "train.py", """
        import sys
        import torch
        from helper import VALUE
        if __name__ == "__main__":
            x = torch.ones(2, 3, requires_grad=True)
            (x * 2).sum().backward()
            print(sys.argv[1:], VALUE + 1, float(x.grad.sum()), type(torch.ones(1)).__module__)
        """)
    run_script(script, ["--lr", "0.1"])
    assert capsys.readouterr().out.split("\n")[0] == "['--lr', '0.1'] 42 12.0 minidl.tensor"
    assert "helper" not in sys.argv and str(tmp_path) not in sys.path[:1]


def run_cli(*args, cwd):
    """A fresh interpreter running the installed minidl (``cwd`` outside the repository:
    its ``minidl/`` folder alone, without the mapped sub-packages, must not shadow it)."""
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_minidl_run_and_python_m_minidl_run_in_a_fresh_process(tmp_path):
    script = write(tmp_path, "fit.py", """
        import sys
        import torch
        import torch.nn as nn
        w = nn.Parameter(torch.zeros(3))
        with torch.no_grad():
            w += torch.tensor([1.0, 2.0, 3.0])
        print("ok", sys.argv[1:], w.tolist(), torch.__name__)
        if "--fail" in sys.argv:
            torch.fft.rfft(w)
        """)
    for command in (["-m", "minidl.cli.main", "run"], ["-m", "minidl.run"]):
        done = run_cli(*command, str(script), "--epochs", "2", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "ok ['--epochs', '2'] [1.0, 2.0, 3.0] torch"
        failed = run_cli(*command, str(script), "--fail", cwd=tmp_path)
        assert failed.returncode == 1
        assert failed.stderr.strip() == "fit.py:10: minidl does not implement torch.fft (yet)"


def test_minidl_run_reports_a_missing_script_and_passes_options_through(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(cli, ["run", str(tmp_path / "nope.py")])
    assert missing.exit_code == 2 and "no such script" in missing.output
    script = write(tmp_path, "echo.py", "import sys\nprint(sys.argv[1:])\n")
    echoed = runner.invoke(cli, ["run", str(script), "--help", "-x"])
    assert echoed.exit_code == 0 and echoed.output.strip() == "['--help', '-x']"
    exit_code = write(tmp_path, "exit.py", "raise SystemExit(3)\n")
    assert runner.invoke(cli, ["run", str(exit_code)]).exit_code == 3


def test_import_minidl_as_torch_works_for_the_top_level():
    import minidl as torch
    x = torch.ones(2, 2, requires_grad=True)
    torch.mean(torch.flatten(x) * 3).backward()
    assert x.grad.tolist() == [[0.75, 0.75], [0.75, 0.75]]
    assert torch.vision.transforms.ToTensor is not None  # minidl's own packages load lazily
    assert not hasattr(torch, "fft")
    with pytest.raises(NotImplementedInMinidl, match=r"^minidl does not implement torch\.fft"):
        torch.fft.fft(x)
    with pytest.raises(NotImplementedInMinidl, match="torch.jit is out of scope"):
        torch.jit.script(lambda t: t)


def test_tensorboard_resolves_to_minidls_writer_only_where_minidl_has_one():
    import importlib.util
    has_writer = importlib.util.find_spec("minidl.utils") is not None and \
        importlib.util.find_spec("minidl.utils.tensorboard") is not None
    with torch_is_minidl():
        import torch.utils.data  # noqa: F401  (torch.utils is a namespace either way)
        if has_writer:
            from torch.utils.tensorboard import SummaryWriter
            assert SummaryWriter.__module__.startswith("minidl.utils.tensorboard")
        else:
            with pytest.raises(ImportError,
                               match=r"minidl does not implement torch\.utils\.tensorboard"):
                from torch.utils.tensorboard import SummaryWriter  # noqa: F401


def test_an_option_minidl_lacks_ends_in_one_line_and_numpy_warnings_stay_quiet(tmp_path):
    script = write(tmp_path, "resize.py", """
        import torch
        import torch.nn.functional as F
        x = torch.ones(1, 1, 4, 4)
        print((x / 0).isinf().all().item(), (x * float("nan")).isnan().all().item())
        y = F.interpolate(x, scale_factor=2, mode="bilinear", antialias=True)
        """)
    runner = CliRunner()
    done = runner.invoke(cli, ["run", str(script)])
    assert done.exit_code == 1
    lines = done.output.strip().splitlines()
    assert lines[0] == "True True"                    # no RuntimeWarning from NumPy
    assert lines[1].startswith("resize.py:6: interpolate: antialias") and len(lines) == 2
