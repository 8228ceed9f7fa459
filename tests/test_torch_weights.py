"""Weights between PyTorch and minidl through safetensors, for every study model: a
state dict PyTorch saves loads into the model built with minidl and both compute the
same outputs, and minidl's weights load into PyTorch the same way.

PyTorch's side is the model's twin (``torch_twin``): the same module tree built from
torch.nn layers, running the model's own forward with PyTorch's tensors."""
import numpy as np
import pytest
from model_cases import CASES, outputs_of, randomize_statistics
from torch_twin import torch_twin

import minidl

# float32 through up to ~30 layers computed in another order by another library
RTOL, ATOL = 1e-5, 1e-5


def _outputs(model, inputs, torch):
    model.eval()
    if isinstance(model, minidl.nn.Module):
        with minidl.no_grad():
            return outputs_of(model(*(minidl.tensor(x) for x in inputs)))
    with torch.no_grad():
        return outputs_of(model(*(torch.from_numpy(x) for x in inputs)))


def _assert_same_outputs(model, twin, inputs, torch):
    mine, theirs = _outputs(model, inputs, torch), _outputs(twin, inputs, torch)
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
    return max(float(np.abs(a - b).max()) for a, b in zip(mine, theirs))


@pytest.mark.parametrize("case", CASES)
def test_pytorch_weights_load_into_minidl_and_back(case, torch, rng, tmp_path):
    safetensors_torch = pytest.importorskip("safetensors.torch")
    factory, shapes = CASES[case]
    model = factory()
    twin = torch_twin(model, torch)
    inputs = [rng.standard_normal(shape).astype(np.float32) for shape in shapes]

    # PyTorch -> minidl: PyTorch's own initialization, random batch-norm statistics
    randomize_statistics({k: v.numpy() for k, v in twin.state_dict().items()}, rng)
    safetensors_torch.save_file(twin.state_dict(), tmp_path / "torch.safetensors")
    model.load_state_dict(minidl.load(tmp_path / "torch.safetensors"))
    into_minidl = _assert_same_outputs(model, twin, inputs, torch)

    # minidl -> PyTorch: minidl's initialization (a fresh model), its own statistics
    model = factory()
    randomize_statistics({k: v.array for k, v in model.state_dict().items()}, rng)
    minidl.save(model.state_dict(), tmp_path / "minidl.safetensors")
    twin.load_state_dict(safetensors_torch.load_file(tmp_path / "minidl.safetensors"))
    into_torch = _assert_same_outputs(model, twin, inputs, torch)
    print(f"{case}: max |minidl - PyTorch| {into_minidl:.2e} (PyTorch's weights), "
          f"{into_torch:.2e} (minidl's weights)")
