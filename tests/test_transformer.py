"""Scaled dot-product attention and the Transformer layers: PyTorch parity in float64 of
outputs and of every gradient (inputs and parameters), with masks of both kinds, causal
attention, batch dims, pre- and post-norm, batch first or not, relu and gelu; a float64
gradient check of the attention; state_dict keys; the errors PyTorch raises."""
import numpy as np
import pytest
from helpers import assert_close

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl import gradcheck

E, HEADS, FF = 8, 2, 12
pytestmark = [  # PyTorch's notes on its inference fast path and on masks of mixed kinds
    pytest.mark.filterwarnings("ignore:enable_nested_tensor is True"),
    pytest.mark.filterwarnings("ignore:Support for mismatched"),
]


# -- the harness --------------------------------------------------------------------------
def twins(torch, make_ours, make_theirs):
    """A minidl module in float64 and PyTorch's, holding the same weights."""
    ours = make_ours(nn).double()
    theirs = make_theirs(torch.nn).double()
    theirs.load_state_dict({key: torch.tensor(value.numpy())
                            for key, value in ours.state_dict().items()})
    return ours, theirs


def convert(lib, mask):
    return None if mask is None else lib.tensor(mask)


def check_same_run(torch, ours, theirs, arrays, masks, call, rng):
    """``call(module, leaves, masks)`` on both engines, leaves made from ``arrays`` and
    masks (a dict of arrays or None) converted: the outputs, the leaves' gradients and every
    parameter's gradient agree for a random weighting of the output."""
    mine = [minidl.tensor(a, requires_grad=True) for a in arrays]
    reference = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = call(ours, mine, {k: convert(minidl, m) for k, m in masks.items()})
    out_ref = call(theirs, reference, {k: convert(torch, m) for k, m in masks.items()})
    assert_close(out, out_ref.detach().numpy(), np.float64, "output")
    weight = rng.standard_normal(tuple(out_ref.shape))
    (out * minidl.tensor(weight)).sum().backward()
    (out_ref * torch.tensor(weight)).sum().backward()
    for k, (leaf, leaf_ref) in enumerate(zip(mine, reference)):
        assert_close(leaf.grad, leaf_ref.grad.numpy(), np.float64, f"gradient of input {k}")
    if isinstance(ours, nn.Module):
        named_ref = dict(theirs.named_parameters())
        assert [name for name, _ in ours.named_parameters()] == list(named_ref)
        for name, parameter in ours.named_parameters():
            assert_close(parameter.grad, named_ref[name].grad.numpy(), np.float64,
                         f"gradient of {name}")


def padding(rng, batch, length):
    """(batch, length) bool key padding mask, True at the padded tail, never a full row."""
    mask = np.zeros((batch, length), bool)
    for b in range(batch):
        mask[b, length - rng.integers(0, length - 1):] = True
    return mask


# -- scaled_dot_product_attention ---------------------------------------------------------
SDPA_CASES = [  # ((query, key, value shapes), mask kind, options)
    (((3, 4), (5, 4), (5, 6)), None, {}),
    (((2, 3, 4), (2, 5, 4), (2, 5, 3)), "bool", {}),
    (((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4)), "float", {}),
    (((2, 2, 4, 4), (2, 2, 4, 4), (2, 2, 4, 4)), None, {"is_causal": True}),
    (((2, 3, 5, 4), (2, 3, 3, 4), (2, 3, 3, 2)), None, {"is_causal": True, "scale": 0.3}),
    (((3, 2, 2, 3, 4), (1, 2, 5, 4), (3, 1, 1, 5, 2)), "bool", {}),  # broadcast batch dims
    (((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4)), "batched_bool", {}),
    (((1, 4, 3, 2), (1, 2, 5, 2), (1, 2, 5, 3)), None, {"enable_gqa": True}),
]
SDPA_IDS = ["unbatched", "bool_mask", "float_mask", "causal", "causal_rectangular_scale",
            "broadcast", "batched_bool_mask", "gqa"]


def _mask(kind, rng, target, source, batch=(2, 1)):
    if kind is None:
        return None
    shape = (*batch, target, source) if kind == "batched_bool" else (target, source)
    allowed = rng.random(shape) < 0.7
    allowed[..., 0] = True  # every query keeps a key
    if kind == "float":
        return np.where(allowed, rng.standard_normal(shape), -np.inf)
    return allowed


@pytest.mark.parametrize("shapes,kind,options", SDPA_CASES, ids=SDPA_IDS)
def test_sdpa_matches_torch(shapes, kind, options, rng, torch):
    arrays = [rng.standard_normal(s) for s in shapes]
    mask = _mask(kind, rng, shapes[0][-2], shapes[1][-2])

    def call(functional, leaves, masks):
        return functional.scaled_dot_product_attention(*leaves, attn_mask=masks["attn_mask"],
                                                       **options)
    check_same_run(torch, F, torch.nn.functional, arrays, {"attn_mask": mask}, call, rng)


def test_sdpa_fully_masked_rows_give_zeros_like_torch(rng, torch):
    q, k, v = (rng.standard_normal(s) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 4)))
    for mask in (np.ones((3, 5), bool), np.zeros((3, 5))):
        mask[1] = False if mask.dtype == bool else -np.inf
        leaves = [minidl.tensor(a, requires_grad=True) for a in (q, k, v)]
        out = F.scaled_dot_product_attention(*leaves, attn_mask=minidl.tensor(mask))
        ref = torch.nn.functional.scaled_dot_product_attention(
            *(torch.tensor(a) for a in (q, k, v)), attn_mask=torch.tensor(mask))
        assert_close(out, ref.numpy(), np.float64)
        assert not np.any(out.detach().numpy()[:, 1])
        out.sum().backward()
        assert all(np.isfinite(t.grad.numpy()).all() for t in leaves)


def test_sdpa_gradcheck(rng):
    q, k, v = (minidl.tensor(rng.standard_normal(s), requires_grad=True)
               for s in ((2, 3, 4), (2, 5, 4), (2, 5, 3)))
    bias = minidl.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    allowed = minidl.tensor(np.tril(np.ones((3, 5), bool)))
    gradcheck(lambda q, k, v, b: F.scaled_dot_product_attention(q, k, v, attn_mask=b),
              (q, k, v, bias))
    gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=allowed,
                                                             scale=0.7), (q, k, v))


def test_sdpa_dropout_keeps_expectation_and_zeros_some_weights():
    q = minidl.zeros(1, 64, 4, dtype=minidl.float64)  # uniform weights over 64 keys
    v = minidl.ones(1, 64, 1, dtype=minidl.float64)
    out = F.scaled_dot_product_attention(q, q, v, dropout_p=0.5).numpy()
    assert 0.6 < out.mean() < 1.4 and not np.allclose(out, 1.0)


def test_sdpa_errors(torch):
    q = minidl.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=minidl.ones(3, 3, dtype=minidl.bool),
                                       is_causal=True)
    with pytest.raises(RuntimeError, match="features"):
        F.scaled_dot_product_attention(q, minidl.randn(2, 3, 5), q)
    with pytest.raises(RuntimeError, match="does not broadcast"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=minidl.zeros(3, 4))
    with pytest.raises(ValueError, match="dropout_p"):
        F.scaled_dot_product_attention(q, q, q, dropout_p=1.5)
    with pytest.raises(RuntimeError, match="multiple"):
        F.scaled_dot_product_attention(minidl.randn(1, 3, 2, 4), minidl.randn(1, 2, 2, 4),
                                       minidl.randn(1, 2, 2, 4), enable_gqa=True)


def test_attention_without_weights_follows_torch_on_fully_padded_rows(rng, torch):
    """MultiheadAttention(need_weights=False) runs through scaled_dot_product_attention, as
    PyTorch's does: a sequence whose keys are all padded gives out_proj's bias, not NaN."""
    ours, theirs = twins(torch, lambda lib: lib.MultiheadAttention(E, HEADS),
                         lambda lib: lib.MultiheadAttention(E, HEADS))
    pad = padding(rng, 3, 5)
    pad[1] = True
    masks = {"pad": pad, "mask": np.triu(np.ones((4, 5), bool), 2)}
    arrays = [rng.standard_normal((4, 3, E)), rng.standard_normal((5, 3, E)),
              rng.standard_normal((5, 3, E))]
    check_same_run(torch, ours, theirs, arrays, masks, lambda mha, leaves, m: mha(
        *leaves, key_padding_mask=m["pad"], attn_mask=m["mask"], need_weights=False)[0], rng)


# -- the layers ---------------------------------------------------------------------------
def layer_options(norm_first, batch_first, activation):
    return {"dim_feedforward": FF, "dropout": 0.0, "norm_first": norm_first,
            "batch_first": batch_first, "activation": activation}


def sequence(rng, length, batch, batch_first):
    return rng.standard_normal((batch, length, E) if batch_first else (length, batch, E))


ENCODER_CASES = [(False, False, "relu"), (True, False, "gelu"), (False, True, "gelu"),
                 (True, True, "relu")]
ENCODER_IDS = ["postnorm_relu", "prenorm_gelu", "postnorm_batchfirst_gelu",
               "prenorm_batchfirst_relu"]


@pytest.mark.parametrize("norm_first,batch_first,activation", ENCODER_CASES, ids=ENCODER_IDS)
def test_encoder_layer_matches_torch(norm_first, batch_first, activation, rng, torch):
    options = layer_options(norm_first, batch_first, activation)
    ours, theirs = twins(torch, lambda lib: lib.TransformerEncoderLayer(E, HEADS, **options),
                         lambda lib: lib.TransformerEncoderLayer(E, HEADS, **options))
    x = sequence(rng, 5, 3, batch_first)
    masks = {"padding": padding(rng, 3, 5),
             "causal": np.triu(np.full((5, 5), -np.inf), 1)}

    def call(layer, leaves, m):
        return layer(leaves[0], src_mask=m["causal"], src_key_padding_mask=m["padding"],
                     is_causal=True)
    check_same_run(torch, ours, theirs, [x], masks, call, rng)


def test_encoder_layer_unbatched_with_bool_mask_and_callable_activation(rng, torch):
    options = {"dim_feedforward": FF, "dropout": 0.0}
    ours, theirs = twins(torch, lambda lib: lib.TransformerEncoderLayer(
        E, HEADS, activation=minidl.tanh, **options),
        lambda lib: lib.TransformerEncoderLayer(E, HEADS, activation=torch.tanh, **options))
    mask = rng.random((4, 4)) < 0.3
    np.fill_diagonal(mask, False)
    check_same_run(torch, ours, theirs, [rng.standard_normal((4, E))], {"mask": mask},
                   lambda layer, leaves, m: layer(leaves[0], src_mask=m["mask"]), rng)


def test_two_layer_encoder_matches_torch_and_copies_the_layer(rng, torch):
    def make(lib):
        layer = lib.TransformerEncoderLayer(E, HEADS, FF, dropout=0.0, batch_first=True)
        return lib.TransformerEncoder(layer, 2, norm=lib.LayerNorm(E),
                                      enable_nested_tensor=False)
    ours, theirs = twins(torch, make, make)
    first, second = ours.layers
    assert first.linear1.weight is not second.linear1.weight
    assert np.array_equal(first.linear1.weight.detach().numpy(),
                          second.linear1.weight.detach().numpy())
    x = sequence(rng, 5, 3, True)
    masks = {"mask": np.triu(np.full((5, 5), -np.inf), 1), "padding": padding(rng, 3, 5)}
    check_same_run(torch, ours, theirs, [x], masks, lambda enc, leaves, m: enc(
        leaves[0], mask=m["mask"], src_key_padding_mask=m["padding"]), rng)


@pytest.mark.parametrize("norm_first,batch_first", [(False, False), (True, True)],
                         ids=["postnorm", "prenorm_batchfirst"])
def test_decoder_layer_matches_torch(norm_first, batch_first, rng, torch):
    options = layer_options(norm_first, batch_first, "gelu" if norm_first else "relu")
    ours, theirs = twins(torch, lambda lib: lib.TransformerDecoderLayer(E, HEADS, **options),
                         lambda lib: lib.TransformerDecoderLayer(E, HEADS, **options))
    tgt, memory = sequence(rng, 4, 3, batch_first), sequence(rng, 6, 3, batch_first)
    memory_mask = rng.standard_normal((4, 6))
    masks = {"tgt_mask": np.triu(np.ones((4, 4), bool), 1), "memory_mask": memory_mask,
             "tgt_padding": padding(rng, 3, 4),  # both bool; both float below
             "memory_padding": np.where(padding(rng, 3, 6), -np.inf, 0.0)}

    def call(layer, leaves, m):
        return layer(*leaves, tgt_mask=m["tgt_mask"], memory_mask=m["memory_mask"],
                     tgt_key_padding_mask=m["tgt_padding"],
                     memory_key_padding_mask=m["memory_padding"], tgt_is_causal=True)
    check_same_run(torch, ours, theirs, [tgt, memory], masks, call, rng)


def test_two_layer_decoder_matches_torch(rng, torch):
    def make(lib):
        return lib.TransformerDecoder(lib.TransformerDecoderLayer(E, HEADS, FF, dropout=0.0),
                                      2, norm=lib.LayerNorm(E))
    ours, theirs = twins(torch, make, make)
    masks = {"tgt_mask": np.triu(np.full((4, 4), -np.inf), 1)}
    check_same_run(torch, ours, theirs, [sequence(rng, 4, 2, False), sequence(rng, 5, 2, False)],
                   masks, lambda dec, leaves, m: dec(*leaves, tgt_mask=m["tgt_mask"]), rng)


@pytest.mark.parametrize("batch_first", [False, True], ids=["seq_first", "batch_first"])
def test_transformer_matches_torch(batch_first, rng, torch):
    options = {"num_encoder_layers": 2, "num_decoder_layers": 1, "dim_feedforward": FF,
               "dropout": 0.0, "batch_first": batch_first}
    ours, theirs = twins(torch, lambda lib: lib.Transformer(E, HEADS, **options),
                         lambda lib: lib.Transformer(E, HEADS, **options))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    src, tgt = sequence(rng, 5, 2, batch_first), sequence(rng, 4, 2, batch_first)
    masks = {"tgt_mask": nn.Transformer.generate_square_subsequent_mask(4).double().numpy(),
             "src_padding": padding(rng, 2, 5)}

    def call(model, leaves, m):
        return model(*leaves, tgt_mask=m["tgt_mask"], src_key_padding_mask=m["src_padding"],
                     memory_key_padding_mask=m["src_padding"])
    check_same_run(torch, ours, theirs, [src, tgt], masks, call, rng)


def test_transformer_eval_mode_matches_torch_fast_path(rng, torch):
    """In eval mode PyTorch takes its fused inference path; without padding it agrees."""
    options = {"num_encoder_layers": 1, "num_decoder_layers": 1, "dim_feedforward": FF,
               "batch_first": True}
    ours, theirs = twins(torch, lambda lib: lib.Transformer(E, HEADS, **options),
                         lambda lib: lib.Transformer(E, HEADS, **options))
    ours.eval()
    theirs.eval()
    src, tgt = sequence(rng, 5, 2, True), sequence(rng, 3, 2, True)
    with torch.no_grad():
        expected = theirs(torch.tensor(src), torch.tensor(tgt)).numpy()
    with minidl.no_grad():
        out = ours(minidl.tensor(src), minidl.tensor(tgt))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-10)


def test_state_dict_keys_equal_torch(torch):
    cases = [lambda lib: lib.TransformerEncoderLayer(E, HEADS, FF),
             lambda lib: lib.TransformerDecoderLayer(E, HEADS, FF, bias=False),
             lambda lib: lib.TransformerEncoder(lib.TransformerEncoderLayer(E, HEADS, FF), 3,
                                                enable_nested_tensor=False),
             lambda lib: lib.Transformer(E, HEADS, 1, 2, FF, norm_first=True)]
    for make in cases:
        ours, theirs = make(nn), make(torch.nn)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        for (name, value), (_, ref) in zip(ours.state_dict().items(),
                                           theirs.state_dict().items()):
            assert tuple(value.shape) == tuple(ref.shape), name


def test_defaults_and_helpers_follow_torch(torch):
    layer = nn.TransformerEncoderLayer(E, HEADS)
    assert layer.linear1.out_features == 2048 and layer.dropout.p == 0.1
    assert layer.norm1.eps == 1e-5 and layer.activation is F.relu and not layer.norm_first
    assert layer.activation_relu_or_gelu == 1
    assert nn.TransformerDecoderLayer(E, HEADS, activation="gelu").activation is F.gelu
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    expected = torch.nn.Transformer.generate_square_subsequent_mask(4)
    assert mask.dtype == minidl.float32
    np.testing.assert_array_equal(mask.numpy(), expected.numpy())
    model = nn.Transformer(E, HEADS, 1, 1, FF)
    assert model.encoder.norm is not None and model.decoder.norm is not None
    assert model.d_model == E and model.nhead == HEADS and not model.batch_first


def test_transformer_errors():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(E, HEADS, activation="tanh")
    with pytest.raises(ValueError, match="divisible"):
        nn.TransformerEncoderLayer(E, 3)
    layer = nn.TransformerEncoderLayer(E, HEADS, FF)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        layer(minidl.randn(3, 2, E), is_causal=True)
    model = nn.Transformer(E, HEADS, 1, 1, FF)
    with pytest.raises(RuntimeError, match="batch number of src and tgt must be equal"):
        model(minidl.randn(3, 2, E), minidl.randn(3, 4, E))
    with pytest.raises(RuntimeError, match="feature number of src and tgt"):
        model(minidl.randn(3, 2, E), minidl.randn(3, 2, E + 1))


def test_a_tiny_encoder_learns_to_copy_the_first_token():
    minidl.manual_seed(0)
    model = nn.Sequential(nn.TransformerEncoderLayer(E, HEADS, 16, dropout=0.0,
                                                     batch_first=True))
    head = nn.Linear(E, 1)
    params = list(model.parameters()) + list(head.parameters())
    optimizer = minidl.optim.Adam(params, lr=0.01)
    rng = np.random.default_rng(0)
    x = minidl.tensor(rng.standard_normal((32, 4, E)).astype(np.float32))
    target = x[:, :1, :1].expand(32, 4, 1)  # every position predicts token 0's feature 0
    losses = []
    for _ in range(60):
        optimizer.zero_grad()
        loss = F.mse_loss(head(model(x)), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.3 * losses[0]
