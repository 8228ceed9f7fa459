"""``torch.amp``: GradScaler's loss scaling as PyTorch's, autocast accepted."""
import numpy as np
import pytest

import minidl


def _scaled_steps(engine, device):
    model = engine.nn.Linear(4, 2).double()
    with engine.no_grad():
        model.weight.copy_(engine.tensor([[0.1, -0.2, 0.3, 0.4], [0.5, 0.6, -0.7, 0.8]],
                                         dtype=engine.float64))
        model.bias.zero_()
    optimizer = engine.optim.SGD(model.parameters(), lr=0.1)
    scaler = engine.amp.GradScaler(device, init_scale=1024.0, growth_interval=2)
    x = engine.tensor([[1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 2.0, 0.0]], dtype=engine.float64)
    seen = []
    for step in range(5):
        optimizer.zero_grad()
        with engine.autocast(device_type=device, enabled=False):
            loss = model(x).pow(2).sum()
        if step == 2:                                  # an overflow: the step is skipped
            loss = loss * float("inf")
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        engine.nn.utils.clip_grad_norm_(model.parameters(), 100.0)
        scaler.step(optimizer)
        scaler.update()
        seen.append((scaler.get_scale(), model.weight.detach().numpy().copy()))
    return seen, scaler.state_dict()


def test_grad_scaler_matches_pytorch(torch):
    ours, our_state = _scaled_steps(minidl, "cpu")
    theirs, their_state = _scaled_steps(torch, "cpu")
    for (scale_a, weight_a), (scale_b, weight_b) in zip(ours, theirs):
        assert scale_a == scale_b
        np.testing.assert_allclose(weight_a, weight_b, rtol=1e-12)
    assert [scale for scale, _ in ours] == [1024.0, 2048.0, 1024.0, 1024.0, 2048.0]
    assert our_state == their_state


def test_scaler_rules_disabled_scaler_and_autocast():
    scaler = minidl.cuda.amp.GradScaler(enabled=False)
    loss = minidl.ones(1, requires_grad=True).sum()
    assert scaler.scale(loss) is loss and scaler.get_scale() == 1.0
    assert scaler.state_dict() == {}
    parameter = minidl.nn.Parameter(minidl.ones(2))
    optimizer = minidl.optim.SGD([parameter], lr=1.0)
    enabled = minidl.amp.GradScaler(init_scale=4.0)
    enabled.scale((parameter * 3).sum()).backward()
    enabled.unscale_(optimizer)
    assert parameter.grad.tolist() == [3.0, 3.0]
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        enabled.unscale_(optimizer)
    with pytest.raises(ValueError, match="growth_factor should be > 1"):
        minidl.amp.GradScaler(growth_factor=1.0)
    with pytest.warns(UserWarning, match="no reduced-precision kernels"):
        with minidl.autocast("cpu", dtype=minidl.float16):
            assert minidl.amp.is_autocast_enabled()
            y = minidl.ones(2) * 2
    assert not minidl.amp.is_autocast_enabled() and y.dtype == minidl.float32

    @minidl.autocast("cpu", enabled=False)
    def doubled(t):
        return t * 2
    assert doubled(minidl.ones(1)).tolist() == [2.0]


def test_rounding_to_decimals_and_softmax_in_a_dtype(torch):
    values = [[1.23456, -2.5], [3.14159, 0.5]]
    for engine in (minidl, torch):
        x = engine.tensor(values)
        np.testing.assert_allclose(engine.round(x, decimals=1).tolist(),
                                   [[1.2, -2.5], [3.1, 0.5]], rtol=1e-6)
        assert x.round(decimals=-1).tolist() == [[0.0, -0.0], [0.0, 0.0]]
        assert engine.nn.functional.softmax(x, dim=1, dtype=engine.float64).dtype == \
            engine.float64
