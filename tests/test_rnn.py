"""Recurrent layers (RNN, LSTM, GRU and their cells) and nn.utils.rnn (padding, packing):
PyTorch parity in float64 of outputs, final states and every gradient (input, initial
states, parameters), float64 gradient checks, dropout between layers, state_dict keys,
the argument errors, and a tiny LSTM that learns."""
import time
import warnings

import numpy as np
import pytest
from helpers import assert_close

import minidl
import minidl.nn as nn
from minidl import gradcheck
from minidl.nn.utils import rnn as rnn_utils

LAYERS = [("RNN", {"nonlinearity": "tanh"}), ("RNN", {"nonlinearity": "relu"}),
          ("LSTM", {}), ("GRU", {})]
LAYER_IDS = ["rnn_tanh", "rnn_relu", "lstm", "gru"]
SHAPES = [{}, {"num_layers": 2}, {"bidirectional": True},
          {"num_layers": 2, "bidirectional": True, "batch_first": True},
          {"batch_first": True}, {"bias": False, "num_layers": 2}]
SHAPE_IDS = ["1layer", "2layers", "bidir", "2layers_bidir_batchfirst", "batchfirst",
             "nobias"]
INPUT, HIDDEN, STEPS, BATCH = 3, 4, 5, 3


def twins(torch, kind, **kwargs):
    """A minidl layer in float64 and a PyTorch layer holding the same weights."""
    ours = getattr(nn, kind)(**kwargs).double()
    theirs = getattr(torch.nn, kind)(**kwargs).double()
    theirs.load_state_dict({key: torch.tensor(value.numpy())
                            for key, value in ours.state_dict().items()})
    return ours, theirs


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


def check_same_run(torch, ours, theirs, arrays, rng, call=None, unpack=None):
    """Run both layers on leaves made from ``arrays`` (input, then initial states), with
    ``call(layer, leaves)`` (default: layer(x) or layer(x, h0) or layer(x, (h0, c0))); the
    outputs, the final states and the gradients of the leaves and of every parameter agree
    for a random weighting of the output and the final states.  ``unpack`` turns what
    the layer returned into (output tensor, states)."""
    def default_call(layer, leaves):
        x, *states = leaves
        if not states:
            return layer(x)
        return layer(x, tuple(states) if len(states) == 2 else states[0])

    call = call or default_call
    unpack = unpack or (lambda result: (result[0], as_tuple(result[1])))
    mine = [minidl.tensor(a, requires_grad=True) for a in arrays]
    reference = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, states = unpack(call(ours, mine))
    out_ref, states_ref = unpack(call(theirs, reference))
    assert_close(out, out_ref.detach().numpy(), np.float64, "output")
    assert len(states) == len(states_ref)
    for k, (state, state_ref) in enumerate(zip(states, states_ref)):
        assert_close(state, state_ref.detach().numpy(), np.float64, f"final state {k}")
    weights = [rng.standard_normal(tuple(t.shape)) for t in (out_ref, *states_ref)]
    loss = sum((t * minidl.tensor(w)).sum() for t, w in zip((out, *states), weights))
    loss_ref = sum((t * torch.tensor(w)).sum() for t, w in zip((out_ref, *states_ref),
                                                                weights))
    loss.backward()
    loss_ref.backward()
    for k, (leaf, leaf_ref) in enumerate(zip(mine, reference)):
        assert_close(leaf.grad, leaf_ref.grad.numpy(), np.float64, f"gradient of leaf {k}")
    named_ref = dict(theirs.named_parameters())
    assert [name for name, _ in ours.named_parameters()] == list(named_ref)
    for name, parameter in ours.named_parameters():
        assert_close(parameter.grad, named_ref[name].grad.numpy(), np.float64,
                     f"gradient of {name}")


def state_shapes(kind, kwargs, batch=BATCH):
    count = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    shapes = [(count, batch, kwargs.get("proj_size") or HIDDEN)]
    if kind == "LSTM":
        shapes.append((count, batch, HIDDEN))
    return shapes


# -- the layers against PyTorch ---------------------------------------------------------------
@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("kind,extra", LAYERS, ids=LAYER_IDS)
def test_layer_matches_torch(kind, extra, shape, with_state, rng, torch):
    kwargs = {"input_size": INPUT, "hidden_size": HIDDEN, **extra, **shape}
    ours, theirs = twins(torch, kind, **kwargs)
    layout = (BATCH, STEPS) if kwargs.get("batch_first") else (STEPS, BATCH)
    arrays = [rng.standard_normal((*layout, INPUT))]
    if with_state:
        arrays += [rng.standard_normal(s) for s in state_shapes(kind, kwargs)]
    check_same_run(torch, ours, theirs, arrays, rng)


@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize("kind,extra", LAYERS, ids=LAYER_IDS)
def test_unbatched_input_matches_torch(kind, extra, with_state, rng, torch):
    kwargs = {"input_size": INPUT, "hidden_size": HIDDEN, "num_layers": 2,
              "bidirectional": True, "batch_first": True, **extra}
    ours, theirs = twins(torch, kind, **kwargs)
    arrays = [rng.standard_normal((STEPS, INPUT))]  # (T, F): batch_first does not apply
    if with_state:
        arrays += [rng.standard_normal((s[0], s[2])) for s in state_shapes(kind, kwargs)]
    check_same_run(torch, ours, theirs, arrays, rng)
    out, _ = ours(minidl.tensor(arrays[0]))
    assert out.shape == (STEPS, 2 * HIDDEN)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_with_projection_matches_torch(bidirectional, rng, torch):
    kwargs = {"input_size": INPUT, "hidden_size": 5, "proj_size": 2, "num_layers": 2,
              "bidirectional": bidirectional}
    ours, theirs = twins(torch, "LSTM", **kwargs)
    assert {k: v.shape for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    count = 2 * (2 if bidirectional else 1)
    arrays = [rng.standard_normal((STEPS, BATCH, INPUT)), rng.standard_normal((count, BATCH, 2)),
              rng.standard_normal((count, BATCH, 5))]
    check_same_run(torch, ours, theirs, arrays, rng)


def test_layer_shapes_and_outputs_follow_pytorch():
    lstm = nn.LSTM(INPUT, HIDDEN, num_layers=2, bidirectional=True, batch_first=True)
    out, (h, c) = lstm(minidl.randn(BATCH, STEPS, INPUT))
    assert out.shape == (BATCH, STEPS, 2 * HIDDEN) and out.dtype == np.float32
    assert h.shape == c.shape == (4, BATCH, HIDDEN) and c.dtype == np.float32
    # the last step of the forward direction of the top layer is its final state
    assert_close(out[:, -1, :HIDDEN], h[2])
    assert_close(out[:, 0, HIDDEN:], h[3])  # the backward direction ends at step 0
    gru = nn.GRU(INPUT, HIDDEN)
    out, h = gru(minidl.randn(STEPS, BATCH, INPUT))
    assert out.shape == (STEPS, BATCH, HIDDEN) and h.shape == (1, BATCH, HIDDEN)


# -- parameters -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,kwargs", [
    ("RNN", {"num_layers": 3, "nonlinearity": "relu"}), ("LSTM", {"bidirectional": True}),
    ("GRU", {"num_layers": 2, "bidirectional": True, "bias": False}),
    ("LSTM", {"num_layers": 2, "bidirectional": True, "proj_size": 2}),
    ("RNNCell", {}), ("LSTMCell", {"bias": False}), ("GRUCell", {})])
def test_state_dict_keys_shapes_and_repr_equal_torch(kind, kwargs, torch):
    ours = getattr(nn, kind)(INPUT, HIDDEN, **kwargs)
    theirs = getattr(torch.nn, kind)(INPUT, HIDDEN, **kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [v.shape for v in ours.state_dict().values()] == \
        [tuple(v.shape) for v in theirs.state_dict().values()]
    assert repr(ours) == repr(theirs)
    if not kind.endswith("Cell"):
        assert [[p.shape for p in ps] for ps in ours.all_weights] == \
            [[tuple(p.shape) for p in ps] for ps in theirs.all_weights]


def test_initialization_is_uniform_within_one_over_sqrt_hidden():
    minidl.manual_seed(3)
    lstm = nn.LSTM(6, 16, num_layers=2)
    values = np.concatenate([p.detach().numpy().ravel() for p in lstm.parameters()])
    bound = 1 / np.sqrt(16)
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.95 * bound
    assert abs(values.mean()) < 0.02 and abs(values.std() - bound / np.sqrt(3)) < 0.01
    minidl.manual_seed(3)
    again = nn.LSTM(6, 16, num_layers=2)
    assert all(np.array_equal(a.numpy(), b.numpy())
               for a, b in zip(lstm.state_dict().values(), again.state_dict().values()))


def test_parameters_can_be_replaced_and_flatten_parameters_is_a_no_op(rng):
    gru = nn.GRU(INPUT, HIDDEN).double()
    gru.flatten_parameters()
    gru.weight_hh_l0 = nn.Parameter(minidl.zeros(3 * HIDDEN, HIDDEN, dtype=minidl.float64))
    assert gru.all_weights[0][1] is gru.weight_hh_l0
    x = minidl.tensor(rng.standard_normal((STEPS, 1, INPUT)))
    out, _ = gru(x)
    # without recurrent weights the first step is h_1 = (1 - z) ⊙ n from x_1 alone
    w, b = gru.weight_ih_l0, gru.bias_ih_l0 + gru.bias_hh_l0
    gates = x[0] @ w.T + b
    r, z = minidl.sigmoid(gates[:, :HIDDEN]), minidl.sigmoid(gates[:, HIDDEN:2 * HIDDEN])
    n = minidl.tanh(x[0] @ w[2 * HIDDEN:].T + gru.bias_ih_l0[2 * HIDDEN:]
                    + r * gru.bias_hh_l0[2 * HIDDEN:])
    assert_close(out[0], ((1 - z) * n).detach())


def test_to_device_and_dtype_keep_the_parameters():
    lstm = nn.LSTM(INPUT, HIDDEN)
    before = list(lstm.parameters())
    lstm.to("cpu").double()
    assert [id(p) for p in lstm.parameters()] == [id(p) for p in before]
    assert lstm(minidl.randn(STEPS, 2, INPUT, dtype=minidl.float64))[0].dtype == np.float64


# -- gradient checks --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_gradcheck_tiny_layer(kind, rng):
    layer = getattr(nn, kind)(2, 2, num_layers=2, bidirectional=True).double()
    x = minidl.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    states = [minidl.tensor(rng.standard_normal((4, 2, 2)), requires_grad=True)
              for _ in range(2 if kind == "LSTM" else 1)]
    parameters = list(layer.parameters())  # perturbed in place by gradcheck

    def run(x, *rest):
        hx = tuple(rest[:2]) if kind == "LSTM" else rest[0]
        out, final = layer(x, hx)
        return minidl.cat([out.reshape(-1), *(s.reshape(-1) for s in as_tuple(final))])

    assert gradcheck(run, (x, *states, *parameters))


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_gradcheck_cells(kind, rng):
    cell = getattr(nn, kind)(3, 2).double()
    x = minidl.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    states = [minidl.tensor(rng.standard_normal((2, 2)), requires_grad=True)
              for _ in range(2 if kind == "LSTMCell" else 1)]

    def run(x, *rest):
        out = cell(x, tuple(rest[:2]) if kind == "LSTMCell" else rest[0])
        return minidl.cat([s.reshape(-1) for s in as_tuple(out)])

    assert gradcheck(run, (x, *states, *cell.parameters()))


# -- cells ------------------------------------------------------------------------------------
CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}),
         ("GRUCell", {}), ("GRUCell", {"bias": False})]


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize("kind,kwargs", CELLS,
                         ids=["rnn_tanh", "rnn_relu", "lstm", "gru", "gru_nobias"])
def test_cell_matches_torch(kind, kwargs, with_state, batched, rng, torch):
    ours, theirs = twins(torch, kind, input_size=INPUT, hidden_size=HIDDEN, **kwargs)
    lead = (BATCH,) if batched else ()
    arrays = [rng.standard_normal((*lead, INPUT))]
    if with_state:
        arrays += [rng.standard_normal((*lead, HIDDEN))
                   for _ in range(2 if kind == "LSTMCell" else 1)]

    def two_steps(cell, leaves):
        """The cell applied twice, as a loop over time would."""
        x, *states = leaves
        hx = (tuple(states) if len(states) == 2 else states[0]) if states else None
        hx = cell(x, hx)
        return cell(x * 0.5, hx)

    def unpack(result):
        result = as_tuple(result)
        return result[0], result[1:]

    check_same_run(torch, ours, theirs, arrays, rng, call=two_steps, unpack=unpack)


# -- dropout between layers -------------------------------------------------------------------
def test_dropout_between_layers_only_in_training():
    lstm = nn.LSTM(INPUT, HIDDEN, num_layers=3, dropout=0.5)
    x = minidl.randn(STEPS, BATCH, INPUT)
    with minidl.no_grad():
        lstm.eval()
        first, second = lstm(x)[0], lstm(x)[0]
        assert np.array_equal(first.numpy(), second.numpy())
        lstm.train()
        noisy = [lstm(x)[0].numpy() for _ in range(2)]
    assert not np.allclose(noisy[0], noisy[1])
    assert not np.allclose(noisy[0], first.numpy())
    # with one layer there is nothing between layers: dropout changes nothing (and warns)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        single = nn.GRU(INPUT, HIDDEN, dropout=0.5)
    assert np.array_equal(single(x)[0].detach().numpy(), single(x)[0].detach().numpy())


def test_dropout_acts_on_the_inputs_of_the_upper_layers_only(torch, rng):
    """With dropout 1 every input of layer 2 is zero in training: its outputs are what it
    computes from its biases alone, and layer 1's final state is untouched."""
    ours, theirs = twins(torch, "GRU", input_size=INPUT, hidden_size=HIDDEN, num_layers=2,
                         dropout=1.0)
    x = rng.standard_normal((STEPS, BATCH, INPUT))
    out, h = ours(minidl.tensor(x))
    out_ref, h_ref = theirs(torch.tensor(x))
    assert_close(out, out_ref.detach().numpy())
    assert_close(h, h_ref.detach().numpy())


# -- packed sequences ------------------------------------------------------------------------
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("kind,extra", LAYERS, ids=LAYER_IDS)
def test_packed_input_matches_torch(kind, extra, enforce_sorted, rng, torch):
    from torch.nn.utils import rnn as torch_rnn_utils
    kwargs = {"input_size": INPUT, "hidden_size": HIDDEN, "num_layers": 2,
              "bidirectional": True, **extra}
    ours, theirs = twins(torch, kind, **kwargs)
    lengths = [6, 4, 4, 1] if enforce_sorted else [3, 6, 1, 4]
    arrays = [rng.standard_normal((6, 4, INPUT))]
    arrays += [rng.standard_normal(s) for s in state_shapes(kind, kwargs, batch=4)]

    def call_with(utils):
        def call(layer, leaves):
            x, *states = leaves
            packed = utils.pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
            output, final = layer(packed, tuple(states) if len(states) == 2 else states[0])
            assert isinstance(output, utils.PackedSequence)
            padded, found = utils.pad_packed_sequence(output, batch_first=True,
                                                      total_length=7)
            assert found.tolist() == lengths
            return padded, final
        return call

    mine = [minidl.tensor(a, requires_grad=True) for a in arrays]
    out, _ = call_with(rnn_utils)(ours, mine)
    shortest = lengths.index(1)
    assert np.all(out.detach().numpy()[shortest, 1:] == 0)  # padding after its one step
    check_same_run(torch, ours, theirs, arrays, rng, call=lambda layer, leaves: call_with(
        rnn_utils if layer is ours else torch_rnn_utils)(layer, leaves))


def test_pack_and_pad_match_torch(rng, torch):
    from torch.nn.utils import rnn as reference
    values = rng.standard_normal((5, 4, 2))
    for lengths, sort in (([5, 3, 3, 1], True), ([2, 5, 1, 3], False)):
        ours = rnn_utils.pack_padded_sequence(minidl.tensor(values), lengths,
                                              enforce_sorted=sort)
        theirs = reference.pack_padded_sequence(torch.tensor(values), lengths,
                                                enforce_sorted=sort)
        for mine, ref in zip(ours, theirs):
            if ref is None:
                assert mine is None
            else:
                np.testing.assert_array_equal(mine.numpy(), ref.numpy())
        padded, found = rnn_utils.pad_packed_sequence(ours, batch_first=True,
                                                      padding_value=-1.0)
        padded_ref, found_ref = reference.pad_packed_sequence(theirs, batch_first=True,
                                                              padding_value=-1.0)
        np.testing.assert_array_equal(padded.numpy(), padded_ref.numpy())
        np.testing.assert_array_equal(found.numpy(), found_ref.numpy())
    sequences = [rng.standard_normal((n, 2)) for n in (2, 4, 1)]
    packed = rnn_utils.pack_sequence([minidl.tensor(s) for s in sequences], enforce_sorted=False)
    for mine, original in zip(rnn_utils.unpack_sequence(packed), sequences):
        np.testing.assert_array_equal(mine.numpy(), original)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_torch_with_gradients(batch_first, side, rng, torch):
    from torch.nn.utils import rnn as reference
    arrays = [rng.standard_normal((n, 2, 3)) for n in (3, 5, 1)]
    mine = [minidl.tensor(a, requires_grad=True) for a in arrays]
    refs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = rnn_utils.pad_sequence(mine, batch_first, 0.5, side)
    out_ref = reference.pad_sequence(refs, batch_first, 0.5, side)
    assert_close(out, out_ref.detach().numpy())
    weight = rng.standard_normal(tuple(out_ref.shape))
    (out * minidl.tensor(weight)).sum().backward()
    (out_ref * torch.tensor(weight)).sum().backward()
    for leaf, leaf_ref in zip(mine, refs):
        assert_close(leaf.grad, leaf_ref.grad.numpy())


def test_torch_names_resolve_to_these():
    from minidl.compat import torch_is_minidl
    with torch_is_minidl():
        import torch
        from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence
        assert torch.nn.LSTM is nn.LSTM and torch.nn.GRUCell is nn.GRUCell
        assert pad_sequence is rnn_utils.pad_sequence
        assert pack_padded_sequence is rnn_utils.pack_padded_sequence
        assert torch.nn.utils.rnn.PackedSequence is rnn_utils.PackedSequence


# -- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("make, error, match", [
    (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), ValueError, "Unknown nonlinearity"),
    (lambda: nn.GRU(3, 4, proj_size=2), ValueError, "proj_size argument is only supported"),
    (lambda: nn.LSTM(3, 4, proj_size=4), ValueError, "proj_size has to be smaller"),
    (lambda: nn.LSTM(3, 0), ValueError, "hidden_size must be greater than zero"),
    (lambda: nn.LSTM(3.0, 4), TypeError, "input_size should be of type int"),
    (lambda: nn.GRU(3, 4, num_layers=0), ValueError, "num_layers must be greater than zero"),
    (lambda: nn.LSTM(3, 4, dropout=1.5), ValueError, r"dropout should be a number in range"),
    (lambda: nn.LSTM(3, 4, bias=1), TypeError, "bias should be of type bool"),
    (lambda: nn.RNNCell(3, 4, nonlinearity="gelu"), ValueError, "Unknown nonlinearity"),
])
def test_constructor_errors(make, error, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=match):
            make()


@pytest.mark.parametrize("call, error, match", [
    (lambda: nn.LSTM(3, 4)(minidl.ones(5, 2, 6)), RuntimeError,
     r"LSTM: input.size\(-1\) must be equal to input_size. Expected 3, got 6"),
    (lambda: nn.GRU(3, 4)(minidl.ones(2, 5, 2, 3)), ValueError,
     "GRU: Expected input to be 2D or 3D, got 4D"),
    (lambda: nn.GRU(3, 4, 2)(minidl.ones(5, 2, 3), minidl.ones(2, 3, 4)), RuntimeError,
     r"GRU: Expected hidden size \(2, 2, 4\) for h_0 .*got \[2, 3, 4\]"),
    (lambda: nn.LSTM(3, 4)(minidl.ones(5, 2, 3), (minidl.ones(1, 2, 4), minidl.ones(1, 3, 4))),
     RuntimeError, r"Expected hidden size \(1, 2, 4\) for c_0 .*got \[1, 3, 4\]"),
    (lambda: nn.LSTM(3, 4)(minidl.ones(5, 2, 3), minidl.ones(1, 2, 4)), TypeError,
     r"LSTM: hx must be a tuple \(h_0, c_0\)"),
    (lambda: nn.RNN(3, 4)(minidl.ones(5, 3), minidl.ones(1, 1, 4)), RuntimeError,
     "For unbatched 2-D input, hx should also be 2-D"),
    (lambda: nn.RNN(3, 4)(minidl.ones(5, 2, 3), minidl.ones(1, 4)), RuntimeError,
     "For batched 3-D input, hx should also be 3-D"),
    (lambda: nn.RNN(3, 4)(minidl.ones(5, 2, 3, dtype=minidl.float64)), ValueError,
     r"RNN: input dtype \(float64\) does not match weight dtype \(float32\)"),
    (lambda: nn.RNN(3, 4)(minidl.ones(0, 2, 3)), RuntimeError,
     "Expected sequence length to be larger than 0"),
    (lambda: nn.LSTMCell(3, 4)(minidl.ones(2, 5)), RuntimeError,
     "LSTMCell: input has inconsistent input_size: got 5 expected 3"),
    (lambda: nn.LSTMCell(3, 4)(minidl.ones(2, 3), (minidl.ones(3, 4), minidl.ones(3, 4))),
     RuntimeError, "Input batch size 2 doesn't match hidden0 batch size 3"),
    (lambda: nn.GRUCell(3, 4)(minidl.ones(2, 3), minidl.ones(2, 5)), RuntimeError,
     "GRUCell: hidden0 has inconsistent hidden_size: got 5, expected 4"),
    (lambda: nn.RNNCell(3, 4)(minidl.ones(2, 2, 3)), ValueError,
     "RNNCell: Expected input to be 1D or 2D, got 3D"),
    (lambda: rnn_utils.pad_sequence([]), RuntimeError, "empty list of sequences"),
    (lambda: rnn_utils.pad_sequence([minidl.ones(2, 3), minidl.ones(2, 2)]), RuntimeError,
     r"sequence 1 has shape \(2, 2\), but sequence 0 has shape \(2, 3\)"),
    (lambda: rnn_utils.pad_sequence([minidl.ones(2)], padding_side="up"), RuntimeError,
     "padding_side to be one of left or right"),
    (lambda: rnn_utils.pack_padded_sequence(minidl.ones(3, 2), [2, 3]), RuntimeError,
     "must be sorted in decreasing order"),
    (lambda: rnn_utils.pack_padded_sequence(minidl.ones(3, 2), [3, 0]), RuntimeError,
     "has to be greater than 0"),
    (lambda: rnn_utils.pack_padded_sequence(minidl.ones(3, 2), [3, 2, 1]), RuntimeError,
     r"Expected `len\(lengths\)` to be equal to batch_size, but got 3 \(batch_size=2\)"),
    (lambda: rnn_utils.pack_padded_sequence(minidl.ones(2, 2), [3, 2]), RuntimeError,
     "has length 3 but the input .* has only 2 time steps"),
    (lambda: rnn_utils.pad_packed_sequence(rnn_utils.pack_padded_sequence(
        minidl.ones(3, 2), [3, 2]), total_length=2), ValueError,
     "total_length=2 and max sequence length being 3"),
])
def test_forward_errors_name_the_problem(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- learning ---------------------------------------------------------------------------------
def test_tiny_lstm_learns_to_recall_the_first_symbol():
    """Sequences of 6 random symbols out of 4; the task is to name the first one at the
    end, which the LSTM must carry through its cell state."""
    minidl.manual_seed(0)
    rng = np.random.default_rng(0)
    symbols, steps, batch = 4, 6, 32

    class Recall(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(symbols, 16, batch_first=True)
            self.head = nn.Linear(16, symbols)

        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.head(h[-1])

    model = Recall()
    optimizer = minidl.optim.Adam(model.parameters(), lr=0.03)
    eye = np.eye(symbols, dtype=np.float32)
    start = time.perf_counter()
    losses = []
    for _ in range(60):
        codes = rng.integers(0, symbols, (batch, steps))
        loss = nn.functional.cross_entropy(model(minidl.tensor(eye[codes])),
                                           minidl.tensor(codes[:, 0]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert np.mean(losses[:5]) > 1.3  # chance: log 4 = 1.39
    assert np.mean(losses[-5:]) < 0.3, losses[-5:]
    assert time.perf_counter() - start < 5
