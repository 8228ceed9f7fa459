"""Bad input gets a clear error that names the operation, the shapes and what was expected."""
import warnings

import numpy as np
import pytest

import minidl
import minidl.nn as nn
import minidl.nn.functional as F


def test_matmul_shape_mismatch():
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be "
                                           r"multiplied \(3 != 4\)"):
        minidl.ones(2, 3) @ minidl.ones(4, 5)


def test_matmul_dtype_mismatch():
    with pytest.raises(RuntimeError, match="same dtype.*float32 and float64"):
        minidl.ones(2, 3) @ minidl.ones(3, 2, dtype=minidl.float64)


def test_matmul_of_scalars():
    with pytest.raises(RuntimeError, match="at least 1 dimension"):
        minidl.tensor(2.0) @ minidl.ones(3)


def test_broadcast_mismatch():
    with pytest.raises(RuntimeError, match=r"add: shapes \(2, 3\) and \(4,\) do not broadcast"):
        minidl.ones(2, 3) + minidl.ones(4)


def test_backward_on_non_scalar_without_gradient():
    x = minidl.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"one-element outputs.*shape \(2, 3\)"):
        (x * 2).backward()


def test_backward_with_wrong_gradient_shape():
    x = minidl.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\).*\(2, 3\)"):
        (x * 2).backward(minidl.ones(3))


def test_backward_without_graph():
    with pytest.raises(RuntimeError, match="does not require grad"):
        minidl.ones(1).backward()


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="only floating point.*int64"):
        minidl.tensor([1, 2], requires_grad=True)


def test_numpy_of_tensor_requiring_grad():
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        minidl.ones(2, requires_grad=True).numpy()


def test_reshape_to_wrong_size():
    with pytest.raises(RuntimeError, match=r"shape '\[4, 4\]' is invalid for input of size 6"):
        minidl.ones(2, 3).reshape(4, 4)
    with pytest.raises(RuntimeError, match=r"shape '\[4, -1\]' is invalid for input of size 6"):
        minidl.ones(2, 3).reshape(4, -1)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        minidl.ones(2, 3).reshape(-1, -1)


def test_dimension_out_of_range():
    with pytest.raises(IndexError, match=r"sum: dimension out of range.*\[-2, 1\].*got 2"):
        minidl.ones(2, 3).sum(2)


def test_index_out_of_range():
    with pytest.raises(IndexError, match=r"shape \(2, 3\).*out of bounds"):
        minidl.ones(2, 3)[5]


def test_cat_shape_mismatch():
    with pytest.raises(RuntimeError, match=r"cat: .*except in dimension 1.*\(2, 3\).*\(3, 3\)"):
        minidl.cat([minidl.ones(2, 3), minidl.ones(3, 3)], dim=1)


def test_stack_needs_tensors():
    with pytest.raises(TypeError, match="stack: expected a list of tensors"):
        minidl.stack([minidl.ones(2), [1.0, 2.0]])


def test_item_of_many_elements():
    with pytest.raises(RuntimeError, match="a Tensor with 3 elements cannot be converted to "
                                           "Scalar"):
        minidl.ones(3).item()


def test_expand_to_incompatible_shape():
    with pytest.raises(RuntimeError, match="expand: size 3 of dimension 1"):
        minidl.ones(2, 3).expand(2, 4)


def test_permute_not_a_permutation():
    with pytest.raises(RuntimeError, match="not a permutation"):
        minidl.ones(2, 3).permute(0, 0)


def test_bad_device_name():
    with pytest.raises(ValueError, match="device must be 'cpu' or 'cuda'"):
        minidl.ones(2, device="tpu")


def test_linear_feature_mismatch():
    layer = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match=r"linear: input has 4 features.*weight expects 3"):
        layer(minidl.ones(5, 4))


def test_cross_entropy_float_targets_of_wrong_shape():
    with pytest.raises(ValueError, match="probability targets must have the input's shape"):
        F.cross_entropy(minidl.ones(4, 3), minidl.ones(4))


def test_cross_entropy_target_out_of_range():
    with pytest.raises(IndexError, match="target 5 is out of bounds for 3 classes"):
        F.cross_entropy(minidl.ones(2, 3), minidl.tensor([0, 5]))


def test_cross_entropy_target_shape():
    with pytest.raises(ValueError, match=r"needs a target of shape \(4,\), got \(4, 1\)"):
        F.cross_entropy(minidl.ones(4, 3), minidl.tensor(np.zeros((4, 1), dtype=np.int64)))


def test_regression_losses_broadcast_with_pytorchs_warning():
    """A (4, 1) prediction against a (4,) target broadcasts to 4 x 4, as in PyTorch, which
    warns; shapes that do not broadcast are an error."""
    prediction = minidl.zeros(4, 1, requires_grad=True)
    for loss in (F.mse_loss, F.l1_loss, F.smooth_l1_loss, F.huber_loss):
        with pytest.warns(UserWarning, match=r"target size \(\(4,\)\) that is different"):
            value = loss(prediction, minidl.arange(4.0))
        assert value.shape == ()
    with pytest.warns(UserWarning):
        value = F.mse_loss(prediction, minidl.arange(4.0))
    assert value.item() == pytest.approx(3.5)             # mean of (0 - t)² over 4 x 4
    value.backward()
    assert prediction.grad.shape == (4, 1)
    np.testing.assert_allclose(prediction.grad.numpy(), np.full((4, 1), -0.75))
    with pytest.raises(RuntimeError, match=r"does not broadcast"):
        F.mse_loss(minidl.ones(4), minidl.ones(3))


def test_binary_cross_entropy_needs_float_targets_of_the_inputs_shape():
    with pytest.raises(RuntimeError, match="target must be a floating point tensor"):
        F.binary_cross_entropy_with_logits(minidl.zeros(2), minidl.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"must equal input shape"):
        F.binary_cross_entropy(minidl.full((4,), 0.5), minidl.ones(4, 1))


def test_binary_cross_entropy_needs_probabilities():
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(minidl.tensor([0.5, 1.5]), minidl.tensor([0.0, 1.0]))


def test_bad_reduction():
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.l1_loss(minidl.ones(2), minidl.ones(2), reduction="avg")


def test_loss_on_integer_input():
    with pytest.raises(TypeError, match="floating point"):
        F.mse_loss(minidl.tensor([1, 2]), minidl.tensor([1, 2]))


def test_softmax_without_dim_takes_pytorchs_implicit_dim_with_its_warning(torch):
    values = np.arange(24.0).reshape(2, 3, 4) / 10
    for function in ("softmax", "log_softmax", "softmin"):
        for shape in ((4,), (2, 3, 4), (6, 4), (1, 2, 3, 4)):
            x = values.reshape(-1)[:int(np.prod(shape))].reshape(shape)
            with pytest.warns(UserWarning, match="Implicit dimension choice"):
                ours = getattr(F, function)(minidl.tensor(x))
            with pytest.warns(UserWarning):
                theirs = getattr(torch.nn.functional, function)(torch.tensor(x))
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_dropout_probability():
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\], got 1.5"):
        F.dropout(minidl.ones(3), 1.5)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        nn.Dropout(-0.1)


def test_manual_seed_type():
    with pytest.raises(TypeError, match="seed must be an int"):
        minidl.manual_seed(1.5)


def test_reductions_of_nothing_and_integer_wrap_around_follow_pytorch(torch):
    for engine in (minidl, torch):
        with pytest.raises(RuntimeError, match=r"max\(\): Expected reduction dim to be "
                                               r"specified for input.numel\(\) == 0"):
            engine.zeros(0).max()
        # (PyTorch raises this one as an IndexError, minidl as max's RuntimeError)
        with pytest.raises((RuntimeError, IndexError), match=r"argmax\(\): Expected "
                                                             r"reduction dim"):
            engine.zeros(0).argmax()
        with pytest.raises(IndexError, match=r"min\(\): Expected reduction dim 0 to have "
                                             r"non-zero size"):
            engine.zeros(0, 3).min(dim=0)
        assert engine.zeros(2, 0).max(dim=0).values.shape == (0,)
        assert (engine.tensor([1, 250], dtype=engine.uint8) + 300).tolist() == [45, 38]
        assert (engine.tensor([100], dtype=engine.int8) + 200).tolist() == [44]
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # no NumPy warning either
        assert np.isnan(minidl.zeros(0).mean().item())
        assert minidl.zeros(2, 0).mean(1, keepdim=True).shape == (2, 1)
