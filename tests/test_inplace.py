"""In-place operations, version counters and ``tensor.data``, side by side with PyTorch."""
import numpy as np
import pytest
from helpers import leaf, untied

import minidl
from minidl import gradcheck

# (name, in-place change of a tensor t; ``o`` is a second tensor of the same shape)
INPLACE = [
    ("add_", lambda t, o: t.add_(o)),
    ("add_alpha", lambda t, o: t.add_(o, alpha=-0.5)),
    ("add_number", lambda t, o: t.add_(2.5)),
    ("sub_", lambda t, o: t.sub_(o, alpha=2)),
    ("mul_", lambda t, o: t.mul_(o)),
    ("div_", lambda t, o: t.div_(o)),
    ("pow_", lambda t, o: t.pow_(2)),
    ("neg_", lambda t, o: t.neg_()),
    ("abs_", lambda t, o: t.abs_()),
    ("exp_", lambda t, o: t.exp_()),
    ("sigmoid_", lambda t, o: t.sigmoid_()),
    ("tanh_", lambda t, o: t.tanh_()),
    ("relu_", lambda t, o: t.relu_()),
    ("clamp_", lambda t, o: t.clamp_(-0.5, 0.5)),
    ("clamp_min", lambda t, o: t.clamp_(min=0.1)),
    ("addcmul_", lambda t, o: t.addcmul_(o, o, value=0.5)),
    ("addcdiv_", lambda t, o: t.addcdiv_(o, o.abs() + 1, value=-2)),
    ("masked_fill_", lambda t, o: t.masked_fill_(o > 0, 7.0)),
    ("fill_", lambda t, o: t.fill_(3.0)),
    ("zero_", lambda t, o: t.zero_()),
    ("copy_", lambda t, o: t.copy_(o)),
    ("copy_broadcast", lambda t, o: t.copy_(o[0])),
    ("iadd", lambda t, o: t.__iadd__(o)),
    ("isub", lambda t, o: t.__isub__(2)),
    ("imul", lambda t, o: t.__imul__(o)),
    ("itruediv", lambda t, o: t.__itruediv__(4)),
    ("setitem", lambda t, o: t.__setitem__((0, slice(1, 3)), 5.0)),
    ("setitem_tensor", lambda t, o: t.__setitem__(o > 0, o[o > 0])),
]


@pytest.mark.parametrize("name,change", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_changes_memory_and_version_like_torch(name, change, rng, torch):
    values, other = rng.standard_normal((2, 2, 3)).astype(np.float32)
    t, o = minidl.tensor(values), minidl.tensor(other)
    tt, to = torch.tensor(values), torch.tensor(other)
    alias, talias = t.view(-1), tt.view(-1)  # a view sees the change and shares the version
    result, tresult = change(t, o), change(tt, to)
    assert result is None or result is t
    assert tresult is None or tresult is tt
    np.testing.assert_allclose(t.numpy(), tt.numpy(), rtol=1e-6)
    np.testing.assert_allclose(alias.numpy(), talias.numpy(), rtol=1e-6)
    assert t._version == tt._version >= 1
    assert alias._version == t._version
    assert t.dtype == np.float32


def test_running_totals_of_reductions_accumulate_in_place(torch):
    totals = []
    for engine in (minidl, torch):
        x = engine.tensor([[1.0, 2.0], [3.0, 4.0]])
        total, correct = x.sum(), (x > 1.5).sum()
        for row in x:
            total += row.mean()
            correct += (row > 2).sum()
        totals.append((total.item(), correct.item(), str(correct.dtype)))
    assert totals[0][:2] == totals[1][:2] and totals[1][2] == "torch." + totals[0][2]


def test_manual_sgd_step_updates_parameters_in_place(torch):
    """The regression tutorial's update: ``p -= lr * p.grad`` under no_grad changes p."""
    layer = minidl.nn.Linear(3, 1)
    tlayer = torch.nn.Linear(3, 1)
    with torch.no_grad():
        for p, tp in zip(layer.parameters(), tlayer.parameters()):
            tp.copy_(torch.tensor(p.detach().numpy()))
    x = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    before = [p.detach().numpy().copy() for p in layer.parameters()]
    for model, engine in ((layer, minidl), (tlayer, torch)):
        for _ in range(3):
            model.zero_grad()
            loss = (model(engine.tensor(x)) ** 2).mean()
            loss.backward()
            with engine.no_grad():
                for p in model.parameters():
                    p -= 0.1 * p.grad
    for p, tp, old in zip(layer.parameters(), tlayer.parameters(), before):
        assert isinstance(p, minidl.nn.Parameter) and p.is_leaf and p.requires_grad
        assert not np.allclose(p.detach().numpy(), old)
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-5)


def test_leaf_requiring_grad_refuses_inplace_outside_no_grad(torch):
    for engine in (minidl, torch):
        w = engine.ones(3, requires_grad=True)
        for change in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.__setitem__(0, 2.0),
                       lambda: w.zero_(), lambda: w.__iadd__(1)):
            with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is "
                                                   "being used in an in-place operation"):
                change()
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            w[:2].add_(1)
        with engine.no_grad():
            w.add_(1)
            w[0] = 5.0
        assert w.tolist() == [5.0, 2.0, 2.0]


def test_nodes_recorded_before_an_inplace_change_keep_their_path(torch):
    """z = 3y is recorded before y changes in place: z's gradient reaches x through y's old
    node (not through the in-place op), as PyTorch's graph edges do; likewise after
    y.detach_()."""
    changes = [lambda y: y.mul_(5), lambda y: y.add_(y.detach()), lambda y: y.tanh_(),
               lambda y: y.__setitem__(0, 7.0), lambda y: y.detach_()]
    for change in changes:
        grads = []
        for engine in (minidl, torch):
            x = engine.tensor([1.0, -2.0, 0.5], requires_grad=True)
            y = x * 2
            z = y * 3
            change(y)
            loss = (z * z).sum() + (y.sum() if y.requires_grad else 0)
            loss.backward()
            grads.append(x.grad.tolist())
        np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def _saved_then_changed(engine):
    """Each case changes in place a tensor that a node saved for backward."""
    x = engine.tensor([1.0, 2.0, 3.0], requires_grad=True)
    cases = []
    y = x.exp()  # exp saves its output
    y.add_(1)
    cases.append(y.sum())
    a = x * 1
    b = a * x  # mul saves both inputs (both require grad)
    a.mul_(2)
    cases.append(b.sum())
    c = x * 1
    d = c * c
    c[0] = 0.0  # item assignment is in place too
    cases.append(d.sum())
    f = (x * 1).view(3, 1).tanh()  # tanh saves its output: changed here through a view
    with engine.no_grad():
        f.view(-1).mul_(0.5)
    cases.append(f.sum())
    g = x.detach()  # detach shares the version counter
    h = x.pow(2)
    with engine.no_grad():
        g.add_(1)
    cases.append(h.sum())
    return cases


def test_changing_a_saved_tensor_raises_at_backward_like_torch(torch):
    for engine in (minidl, torch):
        for loss in _saved_then_changed(engine):
            with pytest.raises(RuntimeError, match="one of the variables needed for gradient "
                                                   "computation has been modified by an "
                                                   "inplace operation"):
                loss.backward()


def test_changes_that_backward_does_not_need_are_allowed(torch):
    results = []
    for engine in (minidl, torch):
        x = engine.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2  # mul by a constant saves nothing of x
        y.add_(1)  # add saves nothing
        y.mul_(3)
        z = y.exp()
        z.sum().backward()
        results.append((y.detach().numpy().copy(), x.grad.numpy().copy()))
    for mine, theirs in zip(*results):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)


def test_optimizer_step_between_forward_and_backward_is_caught(torch):
    """The classic GAN mistake: stepping an optimizer changes weights a graph saved."""
    for engine in (minidl, torch):
        layer = engine.nn.Linear(2, 2)
        opt = engine.optim.SGD(layer.parameters(), lr=0.1)
        x = engine.ones(4, 2, requires_grad=True)
        loss = layer(x).sum()
        loss.backward(retain_graph=True)
        opt.step()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


# (name, out-of-place start, the recorded in-place steps on a non-leaf y built from x, w)
RECORDED = [
    ("add_tensor", lambda y, w: y.add_(w)),
    ("mul_tensor", lambda y, w: y.mul_(w)),
    ("div_tensor", lambda y, w: y.div_(w.abs() + 1)),
    ("chain", lambda y, w: y.mul_(2).add_(w, alpha=3).sub_(1)),
    ("div_number", lambda y, w: y.div_(4)),
    ("exp_", lambda y, w: y.exp_()),
    ("abs_then_log_", lambda y, w: y.abs_().add_(0.5).log_()),
    ("sigmoid_", lambda y, w: y.sigmoid_()),
    ("clamp_", lambda y, w: y.clamp_(-0.5, 0.5)),
    ("iadd_w_then_pow", lambda y, w: y.__iadd__(w).pow_(3)),
    ("setitem_number", lambda y, w: y.__setitem__((slice(None), 1), 0.0)),
    ("setitem_tensor", lambda y, w: y.__setitem__((0,), w[1] * 2)),
    ("copy_", lambda y, w: y.copy_(w[0])),
    ("fill_", lambda y, w: y.fill_(2.0)),
    ("masked_fill_", lambda y, w: y.masked_fill_(y.detach() > 0, 1.5)),
]


def _recorded(change):
    def run(x, w):
        y = x * 1.5
        change(y, w)
        return y * x
    return run


@pytest.mark.parametrize("name,change", RECORDED, ids=[c[0] for c in RECORDED])
def test_inplace_on_a_non_leaf_is_recorded_like_torch(name, change, rng, torch):
    xv, wv = untied(rng, 2, 3, low=-0.9, high=0.9), untied(rng, 2, 3, low=-0.9, high=0.9)
    x, w = leaf(xv), leaf(wv)
    assert gradcheck(_recorded(change), (x, w))
    tx, tw = torch.tensor(xv, requires_grad=True), torch.tensor(wv, requires_grad=True)
    out, tout = _recorded(change)(x, w), _recorded(change)(tx, tw)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    grad = rng.standard_normal((2, 3))
    out.backward(minidl.tensor(grad))
    tout.backward(torch.tensor(grad))
    for mine, theirs in ((x, tx), (w, tw)):
        expected = np.zeros((2, 3)) if theirs.grad is None else theirs.grad.numpy()
        actual = np.zeros((2, 3)) if mine.grad is None else mine.grad.numpy()
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def test_inplace_makes_a_plain_tensor_part_of_the_graph(torch):
    """``buffer[i] = f(w)`` into a tensor that did not require grad (PyTorch records it)."""
    grads = []
    for engine in (minidl, torch):
        w = engine.tensor([1.0, 2.0], requires_grad=True)
        buffer = engine.zeros(3, 2)
        buffer[1] = w * 3
        buffer.add_(w)
        assert buffer.requires_grad and not buffer.is_leaf
        (buffer * buffer).sum().backward()
        grads.append(w.grad.numpy().copy())
    np.testing.assert_allclose(grads[0], grads[1])


def test_indexed_elements_and_slices_are_views(torch):
    for engine in (minidl, torch):
        x = engine.zeros(2, 3)
        x[1, 2].add_(5)  # one element: still a view
        x[0].fill_(1)
        x[:, :1].mul_(3)
        for row in x:
            row[0] += 1
        # row[0] += 1 is an in-place add and then an item assignment: two versions
        assert x.tolist() == [[4.0, 1.0, 1.0], [1.0, 0.0, 5.0]] and x._version == 7


def test_retained_gradient_follows_the_changed_tensor(torch):
    grads = []
    for engine in (minidl, torch):
        x = engine.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.mul_(3)
        (y * y).sum().backward()
        grads.append((y.grad.tolist(), x.grad.tolist()))
    assert grads[0] == grads[1]


def _views_then_inplace(engine, w):
    """In-place changes through views and views made before them, as PyTorch programs
    write them; returns what backward gives w (float64)."""
    results = []
    for case in range(7):
        w.grad = None
        base = w * 1
        weights = engine.arange(1.0, 13.0, dtype=engine.float64).reshape(3, 4)
        if case == 0:                       # a view made before its base changed in place
            view = base[0:2]
            base.mul_(3)
            loss = (view * weights[:2]).sum()
        elif case == 1:                     # a change made through a slice
            base[1:3].mul_(base[0:2].detach() + 2)
            loss = (base * weights).sum()
        elif case == 2:                     # overlapping views: one changed, one read
            first, second = base[0:2], base[1:3]
            second.mul_(3)
            loss = (first * weights[:2]).sum()
        elif case == 3:                     # ReLU(inplace=True) after flatten
            flat = engine.flatten(base.unsqueeze(0) - 5, 1)
            engine.nn.ReLU(inplace=True)(flat)
            loss = (flat * weights.reshape(1, -1)).sum()
        elif case == 4:                     # a transposed view, then row[0] += ...
            transposed = base.t()
            transposed.add_(1)
            transposed[0] += transposed[1]
            loss = (base * weights).sum()
        elif case == 5:                     # a view of a tensor that needs no gradient
            zeros = engine.zeros(3, 4, dtype=engine.float64)
            zeros[1:].add_(base[:2] * 2)
            loss = (zeros * weights).sum()
        else:                               # the gradient of the view itself
            view = base.reshape(-1)
            view.sigmoid_()
            loss = (view * weights.reshape(-1)).sum() + (base * base).sum()
        loss.backward()
        results.append(w.grad.tolist())
    return results


def test_inplace_changes_through_views_match_pytorch(torch):
    values = np.linspace(-2.0, 2.0, 12).reshape(3, 4)
    got = _views_then_inplace(minidl, minidl.tensor(values, requires_grad=True))
    expected = _views_then_inplace(torch, torch.tensor(values, requires_grad=True))
    for case, (a, b) in enumerate(zip(got, expected)):
        np.testing.assert_allclose(a, b, rtol=1e-12, err_msg=f"case {case}")


def test_inplace_relu_after_instance_norm_matches_pytorch(torch):
    """CycleGAN's block: InstanceNorm2d's output is a view (of the (1, N·C, ...) batch
    norm); ReLU(inplace=True) changes it."""
    x = np.linspace(-1.0, 1.0, 2 * 3 * 5 * 5).reshape(2, 3, 5, 5)
    grads = []
    for engine in (minidl, torch):
        block = engine.nn.Sequential(engine.nn.Conv2d(3, 4, 3, padding=1),
                                     engine.nn.InstanceNorm2d(4), engine.nn.ReLU(True))
        block = block.double()
        with engine.no_grad():
            for p in block.parameters():
                p.copy_(engine.linspace(-0.5, 0.5, p.numel(), dtype=engine.float64)
                        .reshape(p.shape))
        out = block(engine.tensor(x))
        (out * engine.linspace(0, 1, out.numel(), dtype=engine.float64)
         .reshape(out.shape)).sum().backward()
        grads.append([p.grad.numpy() for p in block.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_inplace_through_views_gradcheck():
    def changed_through_views(w):
        base = w * 1
        base[1:3].mul_(base[0:2] + 2)       # reads another view of the same memory
        engine_flat = base.reshape(-1)
        engine_flat.tanh_()
        return base * base.sum()

    w = minidl.tensor(np.linspace(-1.0, 1.0, 12).reshape(3, 4), requires_grad=True)
    assert gradcheck(changed_through_views, (w,))


def test_inplace_on_a_view_of_a_leaf_is_refused_and_no_grad_changes_are_not_recorded():
    leaf_ = minidl.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        leaf_[0].add_(1)
    x = minidl.ones(2, 3, requires_grad=True) * 1
    with minidl.no_grad():
        x[0].add_(1)  # nothing recorded: fine
    assert x.tolist() == [[2.0] * 3, [1.0] * 3]


def test_inplace_dtype_and_shape_rules_follow_torch(torch):
    for engine in (minidl, torch):
        ints = engine.tensor([1, 2, 3])
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
            ints += 1.5
        ints += 2  # int stays int
        assert ints.tolist() == [3, 4, 5]
        floats = engine.zeros(3)
        floats += engine.tensor([1, 2, 3])  # int into float: fine
        floats += engine.tensor([0.5, 0.5, 0.5], dtype=engine.float64)  # computed, cast back
        assert floats.tolist() == [1.5, 2.5, 3.5] and floats.dtype == engine.float32
        with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the "
                                               r"broadcast shape \[2, 3\]"):
            floats.add_(engine.ones(2, 3))
        ints[0] = 9.7  # assignment and copy_ convert like a cast
        ints.copy_(engine.tensor([1.9, 2.2, 3.5]))
        assert ints.tolist() == [1, 2, 3]


def test_expanded_view_refuses_inplace():
    x = minidl.ones(3, 1).expand(3, 4)
    with pytest.raises(RuntimeError, match="read-only"):
        x.add_(1)


def test_data_is_a_tensor_sharing_memory_outside_autograd(torch):
    for engine in (minidl, torch):
        p = engine.nn.Parameter(engine.tensor([1.0, 2.0]))
        data = p.data
        assert type(data) is engine.Tensor and not data.requires_grad and data.is_leaf
        p.data.add_(1)  # no error: data does not require grad; p changes
        p.data[0] = 0.0
        assert p.tolist() == [0.0, 3.0]
        y = p * p
        p.data.mul_(10)  # not seen by the version counter (PyTorch's documented escape)
        assert p._version == 0
        y.sum().backward()  # uses the changed value, as PyTorch does
        assert p.grad.tolist() == [0.0, 60.0]
        p.data = engine.tensor([5.0, 6.0, 7.0])  # replaces the memory, shape and all
        assert p.shape == (3,) and p.requires_grad and p.tolist() == [5.0, 6.0, 7.0]
        values, indices = engine.max(engine.tensor([[1.0, 4.0], [3.0, 2.0]]).data, 1)
        assert indices.tolist() == [1, 0] and values.tolist() == [4.0, 3.0]
    with pytest.raises(TypeError, match="expected a Tensor"):
        minidl.nn.Parameter(minidl.zeros(2)).data = np.zeros(2)


def test_parameter_shares_memory_with_its_tensor(torch):
    for engine in (minidl, torch):
        t = engine.zeros(2)
        p = engine.nn.Parameter(t)
        t.add_(1)
        assert p.tolist() == [1.0, 1.0]


def test_random_inplace_fills_and_follows_the_seed():
    minidl.manual_seed(3)
    a = minidl.empty(1000).uniform_(-2, 3)
    b = minidl.empty(1000, dtype=minidl.float64).normal_(1.0, 0.5)
    assert -2 <= a.min().item() and a.max().item() < 3 and a.dtype == np.float32
    assert abs(b.mean().item() - 1.0) < 0.1 and abs(b.std().item() - 0.5) < 0.1
    minidl.manual_seed(3)
    np.testing.assert_array_equal(minidl.empty(1000).uniform_(-2, 3).numpy(), a.numpy())
