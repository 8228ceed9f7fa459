"""Gaps in minidl.nn filled to PyTorch's semantics: ParameterList/ParameterDict, the
shrinking and randomized activations, MultiheadAttention's kdim/vdim/add_bias_kv/
add_zero_attn, interpolate's bicubic/area/nearest-exact modes and gradient clipping's
keywords.  Parity with PyTorch in float64 (skipped without it), gradient checks, errors."""
from collections import OrderedDict

import numpy as np
import pytest
from helpers import compare_with_torch, leaf, untied

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl import gradcheck

# -- ParameterList / ParameterDict ----------------------------------------------------------


def test_parameter_list_registers_entries_as_pytorch():
    plist = nn.ParameterList([minidl.ones(2), nn.Parameter(minidl.zeros(3))])
    plist.append(minidl.ones(4))
    plist.extend([minidl.ones(1)])
    plist += [minidl.zeros(5)]
    assert len(plist) == 5
    assert [name for name, _ in plist.named_parameters()] == ["0", "1", "2", "3", "4"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in plist)
    assert plist[-1].shape == (5,) and plist[2].shape == (4,)
    assert isinstance(plist[1:3], nn.ParameterList) and len(plist[1:3]) == 2
    plist[0] = minidl.full((2,), 7.0)
    assert isinstance(plist[0], nn.Parameter) and float(plist[0][0]) == 7.0
    with pytest.raises(IndexError):
        plist[5]
    with pytest.raises(TypeError):
        plist.extend(minidl.ones(2))
    with pytest.raises(RuntimeError):
        plist()

    class Owner(nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn.ParameterList([minidl.ones(2), minidl.ones(3)])

    assert list(Owner().state_dict()) == ["weights.0", "weights.1"]
    assert len(list(Owner().parameters())) == 2


def test_parameter_list_keeps_other_objects_as_attributes():
    plist = nn.ParameterList([minidl.ones(2), "text", 3])
    assert len(plist) == 3 and plist[1] == "text" and plist[2] == 3
    assert [name for name, _ in plist.named_parameters()] == ["0"]


def test_parameter_dict_registers_entries_as_pytorch():
    pdict = nn.ParameterDict({"b": minidl.ones(2), "a": minidl.zeros(1)})
    assert list(pdict.keys()) == ["a", "b"]  # a plain dict is sorted, as in PyTorch
    pdict.update(OrderedDict([("z", minidl.ones(3)), ("c", minidl.ones(1))]))
    pdict["m"] = nn.Parameter(minidl.ones(1))
    assert list(pdict) == ["a", "b", "z", "c", "m"]
    assert list(pdict.state_dict()) == ["a", "b", "z", "c", "m"]
    assert all(isinstance(v, nn.Parameter) for v in pdict.values())
    assert [k for k, _ in pdict.items()] == list(pdict.keys())
    assert "z" in pdict and len(pdict) == 5
    popped = pdict.pop("z")
    assert popped.shape == (3,) and "z" not in pdict
    assert [n for n, _ in pdict.named_parameters()] == ["a", "b", "c", "m"]
    del pdict["a"]
    assert list(pdict) == ["b", "c", "m"]
    pdict.update([("pair", minidl.ones(2))])
    assert pdict.get("pair").shape == (2,) and pdict.get("nothing") is None
    with pytest.raises(TypeError):
        pdict[0] = minidl.ones(1)
    with pytest.raises(ValueError):
        pdict.update([("a", 1, 2)])
    with pytest.raises(TypeError):
        pdict.update(3)


def test_parameter_containers_match_torch_state_dict_keys(torch):
    tlist = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(2)), torch.ones(3)])
    mlist = nn.ParameterList([minidl.ones(2), minidl.ones(3)])
    assert list(tlist.state_dict()) == list(mlist.state_dict())
    values = {"x": torch.ones(1), "a": torch.ones(2)}
    tdict = torch.nn.ParameterDict(values)
    mdict = nn.ParameterDict({k: minidl.ones(*v.shape) for k, v in values.items()})
    assert list(tdict.state_dict()) == list(mdict.state_dict())
    assert repr(mlist).replace("float32", "torch.float32") == repr(tlist)


def test_parameter_list_trains():
    plist = nn.ParameterList([minidl.tensor([1.0, 2.0]), minidl.tensor([3.0])])
    loss = (plist[0] * 2).sum() + (plist[1] ** 2).sum()
    loss.backward()
    np.testing.assert_allclose(plist[0].grad.numpy(), [2.0, 2.0])
    np.testing.assert_allclose(plist[1].grad.numpy(), [6.0])


# -- activations ------------------------------------------------------------------------------
NEW_ACTIVATIONS = [
    ("tanhshrink", lambda f, x: f.tanhshrink(x)),
    ("hardshrink", lambda f, x: f.hardshrink(x)),
    ("hardshrink_lambd", lambda f, x: f.hardshrink(x, 1.1)),
    ("softshrink", lambda f, x: f.softshrink(x)),
    ("softshrink_lambd", lambda f, x: f.softshrink(x, 0.3)),
    ("rrelu_eval", lambda f, x: f.rrelu(x, 0.1, 0.3)),
]


@pytest.mark.parametrize("name, fn", NEW_ACTIVATIONS, ids=[n for n, _ in NEW_ACTIVATIONS])
def test_new_activations_gradcheck_and_torch(name, fn, rng, torch):
    values = untied(rng, 3, 7, low=-2.5, high=2.5, gap=2e-2)
    values = values[np.abs(np.abs(values) - 0.5) > 1e-2].reshape(-1)  # off the corners
    values = values[np.abs(np.abs(values) - 1.1) > 1e-2]
    values = values[np.abs(np.abs(values) - 0.3) > 1e-2]
    assert gradcheck(lambda x: fn(F, x), (leaf(values),))
    compare_with_torch(torch, lambda x: fn(F, x), lambda x: fn(torch.nn.functional, x),
                       [values], rng)


LAYERS = [("Tanhshrink", {}), ("Hardshrink", {"lambd": 0.7}), ("Softshrink", {"lambd": 0.2}),
          ("Softmax2d", {}), ("Softmin", {"dim": 1}), ("Softsign", {}), ("LogSigmoid", {}),
          ("GLU", {"dim": 1}), ("CELU", {"alpha": 0.5}), ("Threshold", {"threshold": 0.1,
                                                                          "value": -2.0})]


@pytest.mark.parametrize("layer, kwargs", LAYERS, ids=[name for name, _ in LAYERS])
def test_activation_layers_match_torch(layer, kwargs, rng, torch):
    values = untied(rng, 2, 4, 3, 2)
    compare_with_torch(torch, getattr(nn, layer)(**kwargs), getattr(torch.nn, layer)(**kwargs),
                       [values], rng)
    assert repr(getattr(nn, layer)(**kwargs)) == repr(getattr(torch.nn, layer)(**kwargs))


def test_rrelu_layer_eval_matches_torch_and_training_samples_slopes(rng, torch):
    values = untied(rng, 4, 6)
    ours, theirs = nn.RReLU(0.1, 0.4).eval(), torch.nn.RReLU(0.1, 0.4).eval()
    compare_with_torch(torch, ours, theirs, [values], rng)
    assert repr(ours) == repr(theirs)
    x = leaf(values)
    y = nn.RReLU(0.1, 0.4).train()(x)
    y.sum().backward()
    slopes = y.detach().numpy() / values
    negative = values < 0
    assert np.all(slopes[~negative] == 1.0)
    assert np.all((slopes[negative] >= 0.1) & (slopes[negative] <= 0.4))
    np.testing.assert_allclose(x.grad.numpy(), slopes)  # the gradient uses the drawn slope


def test_activation_errors():
    with pytest.raises(RuntimeError, match="lambda must be greater or equal to 0"):
        F.softshrink(minidl.ones(2), -1.0)
    with pytest.raises(ValueError):
        nn.Softmax2d()(minidl.ones(2, 3))
    with pytest.raises(ValueError):
        F.rrelu(minidl.ones(2), 0.5, 0.1)


# -- MultiheadAttention -------------------------------------------------------------------------
MHA_OPTIONS = [
    {},
    {"kdim": 6, "vdim": 3},
    {"kdim": 5},
    {"add_bias_kv": True},
    {"add_zero_attn": True},
    {"add_bias_kv": True, "add_zero_attn": True, "kdim": 5, "vdim": 7},
    {"add_bias_kv": True, "add_zero_attn": True, "bias": False},
]


def _mha_pair(torch, options, batch_first):
    embed, heads = 8, 2
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(embed, heads, batch_first=batch_first,
                                         dtype=torch.float64, **options)
    with torch.no_grad():
        if theirs.in_proj_bias is not None:
            theirs.in_proj_bias.normal_()
            theirs.out_proj.bias.normal_()
    ours = nn.MultiheadAttention(embed, heads, batch_first=batch_first, dtype=minidl.float64,
                                 **options)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    ours.load_state_dict({k: minidl.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("options", MHA_OPTIONS, ids=str)
@pytest.mark.parametrize("masks", [None, "bool", "float3d"])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_options_match_torch(options, masks, need_weights, batch_first,
                                                 rng, torch):
    ours, theirs = _mha_pair(torch, options, batch_first)
    embed, heads, n, target, source = 8, 2, 3, 4, 5
    kdim, vdim = options.get("kdim", embed), options.get("vdim", embed)

    def shape(length, features):
        return (n, length, features) if batch_first else (length, n, features)

    arrays = [rng.standard_normal(shape(target, embed)), rng.standard_normal(shape(source, kdim)),
              rng.standard_normal(shape(source, vdim))]
    ours_masks, their_masks = {}, {}
    if masks == "bool":
        attn = rng.random((target, source)) < 0.3
        padding = rng.random((n, source)) < 0.3
        attn[:, 0] = padding[:, 0] = False
        their_masks = {"attn_mask": torch.tensor(attn), "key_padding_mask": torch.tensor(padding)}
        ours_masks = {"attn_mask": minidl.tensor(attn), "key_padding_mask": minidl.tensor(padding)}
    elif masks == "float3d":
        attn = rng.standard_normal((n * heads, target, source))
        their_masks, ours_masks = ({"attn_mask": torch.tensor(attn)},
                                   {"attn_mask": minidl.tensor(attn)})
    if need_weights:
        compare_with_torch(torch, lambda q, k, v: ours(q, k, v, **ours_masks)[1],
                           lambda q, k, v: theirs(q, k, v, **their_masks)[1], arrays, rng,
                           grad_inputs=(0, 1))  # the weights do not depend on the values
    compare_with_torch(torch,
                       lambda q, k, v: ours(q, k, v, need_weights=need_weights,
                                            **ours_masks)[0],
                       lambda q, k, v: theirs(q, k, v, need_weights=need_weights,
                                              **their_masks)[0], arrays, rng)
    their_params = dict(theirs.named_parameters())
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(parameter.grad.numpy(), their_params[name].grad.numpy(),
                                   rtol=1e-10, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("options", MHA_OPTIONS[1:], ids=str)
def test_multihead_attention_options_unbatched_match_torch(options, rng, torch):
    ours, theirs = _mha_pair(torch, options, False)
    kdim, vdim = options.get("kdim", 8), options.get("vdim", 8)
    arrays = [rng.standard_normal((4, 8)), rng.standard_normal((5, kdim)),
              rng.standard_normal((5, vdim))]
    compare_with_torch(torch, lambda q, k, v: ours(q, k, v, average_attn_weights=False)[0],
                       lambda q, k, v: theirs(q, k, v, average_attn_weights=False)[0],
                       arrays, rng)
    compare_with_torch(torch, lambda q, k, v: ours(q, k, v, average_attn_weights=False)[1],
                       lambda q, k, v: theirs(q, k, v, average_attn_weights=False)[1],
                       arrays, rng, grad_inputs=(0, 1))


def test_multihead_attention_parameters_and_gradcheck(rng):
    mha = nn.MultiheadAttention(4, 2, kdim=3, vdim=5, add_bias_kv=True, add_zero_attn=True,
                                dtype=minidl.float64)
    assert mha.in_proj_weight is None and not mha._qkv_same_embed_dim
    assert mha.q_proj_weight.shape == (4, 4) and mha.k_proj_weight.shape == (4, 3)
    assert mha.v_proj_weight.shape == (4, 5) and mha.bias_k.shape == (1, 1, 4)
    assert list(mha.state_dict()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight",
                                      "in_proj_bias", "bias_k", "bias_v", "out_proj.weight",
                                      "out_proj.bias"]
    plain = nn.MultiheadAttention(4, 2)
    assert plain.q_proj_weight is None and plain.bias_k is None and plain.bias_v is None
    q, k, v = (leaf(rng.standard_normal(s)) for s in ((3, 2, 4), (2, 2, 3), (2, 2, 5)))
    assert gradcheck(lambda q, k, v: mha(q, k, v)[0], (q, k, v))
    out, weights = mha(q, k, v)
    assert out.shape == (3, 2, 4) and weights.shape == (2, 3, 4)  # S + bias + zero


def test_multihead_attention_feature_errors():
    mha = nn.MultiheadAttention(4, 2, kdim=3, vdim=5)
    with pytest.raises(ValueError, match="kdim"):
        mha(minidl.ones(3, 2, 4), minidl.ones(2, 2, 4), minidl.ones(2, 2, 5))
    with pytest.raises(ValueError, match="vdim"):
        mha(minidl.ones(3, 2, 4), minidl.ones(2, 2, 3), minidl.ones(2, 2, 4))
    with pytest.raises(ValueError, match="does not match"):
        mha(minidl.ones(3, 2, 4), minidl.ones(2, 2, 3), minidl.ones(3, 2, 5))
    with pytest.raises(ValueError):
        nn.MultiheadAttention(4, 2, kdim=0)


# -- interpolate: bicubic, area, nearest-exact ------------------------------------------------
BICUBIC_CASES = [{"size": (7, 9)}, {"size": (3, 2)}, {"size": (1, 1)}, {"size": (12, 4)},
                 {"scale_factor": 2}, {"scale_factor": 0.5}, {"scale_factor": (2.5, 0.6)},
                 {"scale_factor": 1.7, "recompute_scale_factor": True},
                 {"scale_factor": 1.1}]


@pytest.mark.parametrize("case", BICUBIC_CASES, ids=str)
@pytest.mark.parametrize("align_corners", [False, True])
def test_bicubic_matches_torch(case, align_corners, rng, torch):
    values = rng.standard_normal((2, 3, 5, 6))
    kwargs = dict(case, mode="bicubic", align_corners=align_corners)
    compare_with_torch(torch, lambda x: F.interpolate(x, **kwargs),
                       lambda x: torch.nn.functional.interpolate(x, **kwargs), [values], rng)


RESAMPLE_CASES = [{"size": 7}, {"size": 3}, {"size": 1}, {"size": 10}, {"scale_factor": 2},
                  {"scale_factor": 0.5}, {"scale_factor": 1.7}, {"scale_factor": 0.3},
                  {"scale_factor": 1.7, "recompute_scale_factor": True}]


@pytest.mark.parametrize("case", RESAMPLE_CASES, ids=str)
@pytest.mark.parametrize("mode", ["area", "nearest-exact"])
@pytest.mark.parametrize("ndim", [3, 4])
def test_area_and_nearest_exact_match_torch(case, mode, ndim, rng, torch):
    values = rng.standard_normal((2, 3, 5, 6)[:ndim])
    if ndim == 4 and "size" in case:
        case = {"size": (case["size"], case["size"] + 2)}
    kwargs = dict(case, mode=mode)
    compare_with_torch(torch, lambda x: F.interpolate(x, **kwargs),
                       lambda x: torch.nn.functional.interpolate(x, **kwargs), [values], rng)


@pytest.mark.parametrize("mode", ["bicubic", "area", "nearest-exact"])
def test_new_interpolation_modes_gradcheck(mode, rng):
    values = leaf(rng.standard_normal((1, 2, 4, 5)))
    assert gradcheck(lambda x: F.interpolate(x, size=(6, 3), mode=mode), (values,))
    assert gradcheck(lambda x: F.interpolate(x, scale_factor=1.5, mode=mode), (values,))


def test_upsample_layer_new_modes_match_torch(rng, torch):
    values = rng.standard_normal((1, 2, 4, 5))
    for kwargs in ({"scale_factor": 2, "mode": "bicubic", "align_corners": True},
                   {"size": (3, 7), "mode": "area"},
                   {"scale_factor": 1.5, "mode": "nearest-exact"}):
        compare_with_torch(torch, nn.Upsample(**kwargs), torch.nn.Upsample(**kwargs),
                           [values], rng)


def test_interpolate_mode_errors():
    image, signal = minidl.ones(1, 1, 3, 3), minidl.ones(1, 1, 3)
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(image, size=4, mode="area", align_corners=True)
    with pytest.raises(ValueError, match="align_corners"):
        nn.Upsample(size=4, mode="nearest-exact", align_corners=False)
    with pytest.raises(ValueError, match="bicubic"):
        F.interpolate(signal, size=4, mode="bicubic")
    with pytest.raises(NotImplementedError):
        F.interpolate(image, size=4, mode="trilinear")
    with pytest.raises(ValueError):
        F.interpolate(image, size=4, mode="cubic")


# -- gradient clipping keywords --------------------------------------------------------------
def _grads(torch_module, rng):
    arrays = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    ours = [minidl.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch_module.tensor(a, requires_grad=True) for a in arrays]
    for params in (ours, theirs):
        sum((p * p).sum() * 3 for p in params).backward()
    return ours, theirs


@pytest.mark.parametrize("foreach", [None, True, False])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3])
def test_clip_grad_norm_keywords_match_torch(foreach, norm_type, rng, torch):
    ours, theirs = _grads(torch, rng)
    total = nn.utils.clip_grad_norm_(ours, max_norm=1.5, norm_type=norm_type,
                                     error_if_nonfinite=True, foreach=foreach)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm=1.5, norm_type=norm_type,
                                              error_if_nonfinite=True, foreach=foreach)
    np.testing.assert_allclose(total.numpy(), expected.numpy(), rtol=1e-12)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_value_foreach_matches_torch(foreach, rng, torch):
    ours, theirs = _grads(torch, rng)
    nn.utils.clip_grad_value_(ours, clip_value=2.0, foreach=foreach)
    torch.nn.utils.clip_grad_value_(theirs, clip_value=2.0, foreach=foreach)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-12)


def test_total_norm_and_clip_with_norm_match_torch(rng, torch):
    ours, theirs = _grads(torch, rng)
    total = nn.utils.get_total_norm([p.grad for p in ours], 2.0)
    expected = torch.nn.utils.get_total_norm([p.grad for p in theirs], 2.0)
    np.testing.assert_allclose(total.numpy(), expected.numpy(), rtol=1e-12)
    nn.utils.clip_grads_with_norm_(ours, 1.0, total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 1.0, expected)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_nonfinite_error():
    weight = minidl.tensor([1.0, 2.0], requires_grad=True)
    (weight * float("inf")).sum().backward()
    with pytest.raises(RuntimeError, match="error_if_nonfinite"):
        nn.utils.clip_grad_norm_([weight], 1.0, error_if_nonfinite=True, foreach=True)
