"""Small layers PyTorch programs use: Bilinear, ChannelShuffle, gumbel_softmax,
EmbeddingBag -- float64 parity with PyTorch (values and gradients), gradient checks,
sampling statistics where the random streams differ, and argument errors."""
import numpy as np
import pytest
from helpers import leaf, untied
from test_torch_layers import compare

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl import gradcheck


# -- bilinear ------------------------------------------------------------------------------
@pytest.mark.parametrize("batch", [(5,), (2, 3), ()])
@pytest.mark.parametrize("with_bias", [True, False])
def test_bilinear_matches_torch_and_gradcheck(batch, with_bias, rng, torch):
    x1, x2 = untied(rng, *batch, 4), untied(rng, *batch, 3)
    w, b = untied(rng, 2, 4, 3), untied(rng, 2)
    arrays = [x1, x2, w] + ([b] if with_bias else [])
    compare(torch, F.bilinear, torch.nn.functional.bilinear, arrays, rng)
    assert gradcheck(F.bilinear, tuple(leaf(a) for a in arrays))


def test_bilinear_layer_shapes_init_and_errors(torch):
    layer = nn.Bilinear(6, 4, 5)
    assert tuple(layer.weight.shape) == (5, 6, 4) and tuple(layer.bias.shape) == (5,)
    bound = 1 / np.sqrt(6)
    assert np.abs(layer.weight.detach().numpy()).max() <= bound
    ref = torch.nn.Bilinear(6, 4, 5)
    assert dict(layer.state_dict()).keys() == dict(ref.state_dict()).keys()
    assert tuple(layer(minidl.randn(7, 6), minidl.randn(7, 4)).shape) == (7, 5)
    assert nn.Bilinear(2, 2, 1, bias=False).bias is None
    with pytest.raises(ValueError, match=r"bilinear: expected input1 \(\*, 6\)"):
        layer(minidl.randn(7, 5), minidl.randn(7, 4))
    with pytest.raises(ValueError, match="in1_features must be a positive int"):
        nn.Bilinear(0, 2, 2)


# -- channel shuffle -----------------------------------------------------------------------
@pytest.mark.parametrize("shape,groups", [((2, 6, 3, 4), 3), ((2, 6, 5), 2), ((1, 8, 2, 2, 2), 4),
                                          ((3, 5, 2), 1)])
def test_channel_shuffle_matches_torch_and_gradcheck(shape, groups, rng, torch):
    x = untied(rng, *shape)
    compare(torch, lambda t: F.channel_shuffle(t, groups),
            lambda t: torch.nn.functional.channel_shuffle(t, groups), [x], rng, rtol=0)
    assert gradcheck(lambda t: F.channel_shuffle(t, groups), (leaf(x),))
    mine = nn.ChannelShuffle(groups)(minidl.tensor(x)).numpy()
    np.testing.assert_array_equal(mine, torch.nn.ChannelShuffle(groups)(torch.tensor(x)).numpy())


def test_channel_shuffle_errors():
    with pytest.raises(ValueError, match="6 channels must be divisible by groups = 4"):
        F.channel_shuffle(minidl.zeros(1, 6, 2), 4)
    with pytest.raises(ValueError, match="groups must be a positive int"):
        F.channel_shuffle(minidl.zeros(1, 6, 2), 0)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        F.channel_shuffle(minidl.zeros(2, 6), 2)


# -- gumbel softmax -----------------------------------------------------------------------
@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_gumbel_softmax_soft_is_a_distribution_and_hard_is_one_hot(dim):
    logits = minidl.randn(4, 5, 3, dtype=minidl.float64)
    soft = F.gumbel_softmax(logits, tau=0.5, dim=dim).numpy()
    assert (soft > 0).all() and np.allclose(soft.sum(axis=dim), 1)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True, dim=dim).numpy()
    assert set(np.unique(hard)) <= {0.0, 1.0} and (hard.sum(axis=dim) == 1).all()


def test_gumbel_softmax_hard_gradient_is_the_soft_ones():
    """Straight-through: with the same noise, hard's gradient equals soft's."""
    logits = leaf(np.random.default_rng(0).standard_normal((6, 4)))
    seed = minidl.tensor(np.random.default_rng(1).standard_normal((6, 4)))
    minidl.manual_seed(7)
    hard = F.gumbel_softmax(logits, tau=0.7, hard=True)
    (hard * seed).sum().backward()
    grad_hard = logits.grad.numpy().copy()
    logits.grad = None
    minidl.manual_seed(7)
    soft = F.gumbel_softmax(logits, tau=0.7)
    (soft * seed).sum().backward()
    np.testing.assert_allclose(grad_hard, logits.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert (hard.detach().numpy().argmax(1) == soft.detach().numpy().argmax(1)).all()
    assert np.abs(grad_hard).max() > 0


def test_gumbel_softmax_gradcheck_with_fixed_noise():
    logits = leaf(untied(np.random.default_rng(2), 3, 4))

    def fn(x):
        minidl.manual_seed(11)  # the same noise on every call
        return F.gumbel_softmax(x, tau=0.8)
    assert gradcheck(fn, (logits,))


def test_gumbel_softmax_samples_follow_the_softmax(torch):
    """argmax of hard samples is a draw of Categorical(softmax(logits)), as in PyTorch."""
    logits = np.log(np.array([0.1, 0.2, 0.3, 0.4]))
    n = 20_000
    batch = minidl.tensor(np.tile(logits, (n, 1)))
    ours = F.gumbel_softmax(batch, tau=1.0, hard=True).numpy().mean(0)
    theirs = torch.nn.functional.gumbel_softmax(torch.tensor(np.tile(logits, (n, 1))),
                                                tau=1.0, hard=True).numpy().mean(0)
    tolerance = 4 * np.sqrt(0.25 / n)  # four standard errors of a frequency
    np.testing.assert_allclose(ours, np.exp(logits), atol=tolerance)
    np.testing.assert_allclose(ours, theirs, atol=2 * tolerance)
    soft_mean = F.gumbel_softmax(batch, tau=5.0).numpy().mean(0)
    torch_soft = torch.nn.functional.gumbel_softmax(torch.tensor(np.tile(logits, (n, 1))),
                                                    tau=5.0).numpy().mean(0)
    np.testing.assert_allclose(soft_mean, torch_soft, atol=0.01)


def test_gumbel_softmax_errors():
    with pytest.raises(ValueError, match="tau must be a positive number"):
        F.gumbel_softmax(minidl.zeros(3), tau=0)
    with pytest.raises(IndexError, match="dim 2 is out of range"):
        F.gumbel_softmax(minidl.zeros(3, 2), dim=2)


# -- embedding bag ---------------------------------------------------------------------
BAG_CASES = [
    # (input, offsets, include_last_offset, padding_idx)
    ([1, 2, 4, 5, 4, 3, 2, 9], [0, 3, 3, 6], False, None),      # an empty bag
    ([1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 5, 8], True, None),       # closing offset
    ([1, 2, 4, 5, 4, 3, 2, 9], [0, 0, 5, 8], True, None),       # empty first bag
    ([1, 0, 4, 0, 0, 3, 2, 9], [0, 2, 4, 5], False, 0),         # padding, an all-padding bag
    ([[1, 2, 4], [5, 4, 3], [2, 9, 9]], None, False, None),     # 2-D: each row a bag
    ([[1, 7, 4], [7, 7, 7], [2, 9, 7]], None, False, 7),        # 2-D with padding
]


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("case", range(len(BAG_CASES)))
def test_embedding_bag_matches_torch_and_gradcheck(mode, case, rng, torch):
    values, offsets, last, padding = BAG_CASES[case]
    weight = untied(rng, 10, 3)

    def ours(w):
        return F.embedding_bag(minidl.tensor(values), w, None if offsets is None
                               else minidl.tensor(offsets), mode=mode,
                               include_last_offset=last, padding_idx=padding)

    def theirs(w):
        return torch.nn.functional.embedding_bag(
            torch.tensor(values), w, None if offsets is None else torch.tensor(offsets),
            mode=mode, include_last_offset=last, padding_idx=padding)
    compare(torch, ours, theirs, [weight], rng)
    assert gradcheck(ours, (leaf(weight),))


@pytest.mark.parametrize("case", [0, 1, 3, 4])
def test_embedding_bag_per_sample_weights(case, rng, torch):
    values, offsets, last, padding = BAG_CASES[case]
    weight, samples = untied(rng, 10, 3), untied(rng, *np.shape(values))

    def ours(w, s):
        return F.embedding_bag(minidl.tensor(values), w, None if offsets is None
                               else minidl.tensor(offsets), mode="sum",
                               per_sample_weights=s, include_last_offset=last,
                               padding_idx=padding)

    def theirs(w, s):
        return torch.nn.functional.embedding_bag(
            torch.tensor(values), w, None if offsets is None else torch.tensor(offsets),
            mode="sum", per_sample_weights=s, include_last_offset=last, padding_idx=padding)
    compare(torch, ours, theirs, [weight, samples], rng)
    assert gradcheck(ours, (leaf(weight), leaf(samples)))


def test_embedding_bag_layer_matches_torch(torch):
    torch_bag = torch.nn.EmbeddingBag(10, 4, mode="max", padding_idx=2, dtype=torch.float64)
    bag = nn.EmbeddingBag.from_pretrained(minidl.tensor(torch_bag.weight.detach().numpy()),
                                          freeze=False, mode="max", padding_idx=2)
    assert dict(bag.state_dict()).keys() == dict(torch_bag.state_dict()).keys()
    values, offsets = [3, 2, 5, 1, 2, 8], [0, 2, 2]
    out = bag(minidl.tensor(values), minidl.tensor(offsets))
    ref = torch_bag(torch.tensor(values), torch.tensor(offsets))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    fresh = nn.EmbeddingBag(10, 4, padding_idx=2)
    assert (fresh.weight.detach().numpy()[2] == 0).all()
    assert nn.EmbeddingBag.from_pretrained(minidl.ones(3, 2)).weight.requires_grad is False


def test_embedding_bag_errors():
    weight = minidl.randn(10, 3)
    x = minidl.tensor([1, 2, 3])
    with pytest.raises(ValueError, match="offsets must be None"):
        F.embedding_bag(minidl.tensor([[1, 2]]), weight, minidl.tensor([0]))
    with pytest.raises(ValueError, match="a 1-D input needs offsets"):
        F.embedding_bag(x, weight)
    with pytest.raises(ValueError, match=r"offsets\[0\] must be 0"):
        F.embedding_bag(x, weight, minidl.tensor([1, 2]))
    with pytest.raises(ValueError, match="non-decreasing and at most the input's length 3"):
        F.embedding_bag(x, weight, minidl.tensor([0, 5]))
    with pytest.raises(ValueError, match="mode must be one of"):
        F.embedding_bag(x, weight, minidl.tensor([0]), mode="min")
    with pytest.raises(NotImplementedError, match="only supported for mode='sum'"):
        F.embedding_bag(x, weight, minidl.tensor([0]), per_sample_weights=minidl.ones(3))
    with pytest.raises(NotImplementedError, match="max_norm=1.0 is not supported"):
        F.embedding_bag(x, weight, minidl.tensor([0]), max_norm=1.0)
    with pytest.raises(IndexError, match="out of range for 10"):
        F.embedding_bag(minidl.tensor([11]), weight, minidl.tensor([0]))
