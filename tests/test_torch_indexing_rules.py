"""PyTorch's rules where NumPy's differ: integers in an index with arrays, uint8 masks,
``contiguous`` copying, the dtype a list of NumPy scalars gives, ``cat`` skipping legacy
empty tensors; memory formats accepted."""
import numpy as np
import pytest

import minidl


def _torch():
    return pytest.importorskip("torch")


INDEXES = [
    lambda e: (0, slice(None), [1, 2]),
    lambda e: (e.tensor(0), slice(None), [1, 2]),
    lambda e: (0, slice(None), e.tensor([1, 2])),
    lambda e: ([0, 1], 0),
    lambda e: ([0, 1], 0, [1, 2]),
    lambda e: ([1, 0], slice(None), 2),
    lambda e: (Ellipsis, 0, [1, 2]),
    lambda e: (None, 0, slice(None), [1, 2]),
    lambda e: (1, e.tensor([[True, False, True], [False, True, True]]).T[:, 0]),
    lambda e: (0, 1, [3, 0]),
    lambda e: (-1, [0, 2], slice(1, 3)),
]


@pytest.mark.parametrize("make_index", INDEXES)
def test_integers_select_before_the_arrays_as_in_pytorch(make_index, rng):
    torch = _torch()
    values = rng.standard_normal((2, 3, 4))
    x, tx = minidl.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out, expected = x[make_index(minidl)], tx[make_index(torch)]
    assert tuple(out.shape) == tuple(expected.shape)
    np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy())
    weights = rng.standard_normal(tuple(expected.shape))
    (out * minidl.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_assignment_through_integers_and_arrays_as_in_pytorch(rng):
    torch = _torch()
    value = rng.standard_normal((3, 2))
    x, tx = minidl.zeros(2, 3, 4), torch.zeros(2, 3, 4, dtype=torch.float64)
    x = x.double()
    x[0, :, [1, 2]] = minidl.tensor(value)
    tx[0, :, [1, 2]] = torch.tensor(value)
    np.testing.assert_array_equal(x.numpy(), tx.numpy())
    # recorded: the gradient reaches the assigned value
    w = minidl.tensor(value, requires_grad=True)
    y = minidl.zeros(2, 3, 4, dtype=minidl.float64)
    y[1, :, [0, 3]] = w * 2
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.full((3, 2), 2.0))


def test_uint8_index_is_a_mask():
    x = minidl.arange(3)
    assert x[minidl.tensor([1, 0, 1], dtype=minidl.uint8)].tolist() == [0, 2]


def test_contiguous_copies_a_view_that_is_not_and_keeps_one_that_is():
    x = minidl.arange(6.0).reshape(2, 3)
    assert x.contiguous() is x and x.is_contiguous()
    for view in (x.t(), x[:, :2]):
        copy = view.contiguous()
        assert copy.is_contiguous() and minidl.equal(copy, view)
        copy[0, 0] = 99.0
        assert x[0, 0].item() == 0.0        # a copy: the source is untouched
    leaf = minidl.ones(2, 3, requires_grad=True)
    (leaf.t().contiguous() * minidl.arange(6.0).reshape(3, 2)).sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), np.arange(6.0).reshape(3, 2).T)


def test_memory_formats_are_accepted_and_checked():
    x = minidl.ones(1, 3, 4, 4)
    assert minidl.equal(x.contiguous(memory_format=minidl.channels_last), x)
    assert x.is_contiguous(memory_format=minidl.contiguous_format)
    assert repr(minidl.channels_last) == "torch.channels_last"
    with pytest.raises(TypeError, match="contiguous: memory_format must be"):
        x.contiguous(memory_format="channels_last")


def test_list_dtype_follows_numpy_double_scalars_as_in_pytorch():
    assert minidl.tensor([np.float64(1.5), 2.0]).dtype == minidl.float64
    assert minidl.tensor([[np.float64(1.5)], [2.0]]).dtype == minidl.float64
    assert minidl.tensor([1.5, 2.0]).dtype == minidl.float32
    assert minidl.tensor([np.float32(1.5)]).dtype == minidl.float32
    assert minidl.tensor([1 + 2j]).dtype == np.complex64
    assert minidl.tensor(np.float64(1.5)).dtype == minidl.float64


def test_cat_skips_legacy_empty_vectors():
    grown = minidl.cat([minidl.tensor([]), minidl.ones(2, 3)])
    assert tuple(grown.shape) == (2, 3)
    assert tuple(minidl.cat([minidl.ones(2), minidl.tensor([])]).shape) == (2,)


def test_to_accepts_memory_format_for_tensors_and_modules():
    x = minidl.ones(1, 3, 4, 4)
    assert minidl.equal(x.to(memory_format=minidl.channels_last), x)
    model = minidl.nn.Conv2d(3, 4, 3)
    assert model.to(memory_format=minidl.channels_last) is model
    assert model.to("cpu", non_blocking=True) is model
    with pytest.raises(TypeError, match="Module.to: memory_format must be"):
        model.to(memory_format=1)


@pytest.mark.parametrize("name", ["sum", "mean", "nansum", "amax", "amin", "var", "std",
                                  "count_nonzero", "norm", "nanmean"])
def test_an_empty_dim_reduces_every_dimension_as_in_pytorch(name):
    x = minidl.arange(6.0).reshape(2, 3)
    whole = getattr(x, name)()
    for empty in ((), []):
        assert minidl.equal(getattr(minidl, name)(x, dim=empty), whole)


@pytest.mark.parametrize("name", ["any", "all"])
def test_any_and_all_keep_reading_an_empty_dim_as_none(name):
    x = minidl.tensor([[True, False, True]])
    assert tuple(getattr(x, name)(dim=()).shape) == (1, 3)


def test_diagonal_is_a_view_as_in_pytorch(rng):
    torch = _torch()
    values = rng.standard_normal((2, 3, 4))
    for offset, dim1, dim2 in ((0, 1, 2), (1, 0, 2), (-1, 2, 1), (2, -1, -2)):
        x, tx = minidl.tensor(values.copy()), torch.tensor(values.copy())
        x.diagonal(offset, dim1, dim2).add_(100.0)
        tx.diagonal(offset, dim1, dim2).add_(100.0)
        np.testing.assert_array_equal(x.numpy(), tx.numpy())
    # through a transposed view, and with the graph: the change's gradient reaches x
    x = minidl.tensor(values, requires_grad=True)
    y = x.permute(2, 0, 1) * 1
    y.diagonal(0, 1, 2).mul_(3.0)
    y.sum().backward()
    tx = torch.tensor(values, requires_grad=True)
    ty = tx.permute(2, 0, 1) * 1
    ty.diagonal(0, 1, 2).mul_(3.0)
    ty.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    with pytest.raises(RuntimeError, match="view of a leaf"):
        minidl.ones(3, 3, requires_grad=True).diagonal().add_(1)


def test_an_empty_tensor_of_more_than_one_dimension_shows_its_size():
    assert repr(minidl.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(minidl.zeros(2, 0, requires_grad=True)) == \
        "tensor([], size=(2, 0), requires_grad=True)"
    assert repr(minidl.zeros(0)) == "tensor([])"


def test_view_refuses_a_shape_its_strides_cannot_give_as_pytorch():
    x = minidl.arange(6.0).reshape(2, 3)
    with pytest.raises(RuntimeError, match=r"view size is not compatible .* Use "
                                           r"\.reshape\(\.\.\.\) instead"):
        x.t().view(6)
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        minidl.randn(2, 3, 4)[:, :, :2].view(2, 6)
    assert tuple(x.t().view(3, 2).shape) == (3, 2)            # no dimension merged
    assert tuple(minidl.randn(2, 3, 4)[:, :2].view(2, 8).shape) == (2, 8)
    v = x.view(3, 2)
    v[0, 0] = 7.0
    assert x[0, 0].item() == 7.0                              # a view: one memory


def test_view_as_another_dtype_of_the_same_size_reinterprets_the_bytes():
    bits = minidl.ones(2).view(minidl.int32)
    assert bits.dtype == minidl.int32 and bits.tolist() == [1065353216, 1065353216]
    with pytest.raises(RuntimeError, match="dtypes of one size"):
        minidl.ones(2).view(minidl.float64)
