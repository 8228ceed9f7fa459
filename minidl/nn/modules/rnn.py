"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their one-step cells, as in PyTorch.

A recurrent layer reads a sequence x_1 … x_T and carries a hidden state h_t from step to
step.  With σ the logistic sigmoid and ⊙ the elementwise product, one step is:

    RNN   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)      (or relu)

    LSTM  i = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)          input gate
          f = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)          forget gate
          g = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)       candidate cell
          o = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)          output gate
          c_t = f ⊙ c_{t-1} + i ⊙ g
          h_t = o ⊙ tanh(c_t)              (then h_t = W_hr h_t with ``proj_size``)

    GRU   r = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)          reset gate
          z = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)          update gate
          n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t-1} + b_hn))  candidate state
          h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

The gates' weights are stacked as in PyTorch: ``weight_ih`` is (gates·H, input_size) with
the LSTM's gates in the order i, f, g, o and the GRU's in the order r, z, n; ``weight_hh``
is (gates·H, H).  So x_t W_ihᵀ + b_ih gives every gate's input part in one product, and
h_{t-1} W_hhᵀ + b_hh every gate's recurrent part in another.

A layer stacks ``num_layers`` such recurrences (each layer reads the outputs of the one
below, with dropout between layers in training mode), and with ``bidirectional`` runs a
second recurrence from x_T back to x_1 whose outputs are concatenated to the first's.
Everything is built from minidl's differentiable operations (linear, sigmoid, tanh, cat,
slicing), so autograd provides the gradients.
"""
from __future__ import annotations

import math
import warnings
from numbers import Number

from ... import creation
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# -- one time step of each kind of cell ---------------------------------------------------
# ``gates_x`` is x_t W_ihᵀ + b_ih (batch, gates·H), computed beforehand; ``state`` is (h,)
# or, for the LSTM, (h, c), each (batch, H).  Each returns the new state.

def rnn_tanh_step(gates_x, state, weight_hh, bias_hh, projection=None):
    (h,) = state
    return (F.tanh(gates_x + F.linear(h, weight_hh, bias_hh)),)


def rnn_relu_step(gates_x, state, weight_hh, bias_hh, projection=None):
    (h,) = state
    return (F.relu(gates_x + F.linear(h, weight_hh, bias_hh)),)


def lstm_step(gates_x, state, weight_hh, bias_hh, projection=None):
    h, c = state
    i, f, g, o = (gates_x + F.linear(h, weight_hh, bias_hh)).chunk(4, 1)
    c = F.sigmoid(f) * c + F.sigmoid(i) * F.tanh(g)
    h = F.sigmoid(o) * F.tanh(c)
    if projection is not None:  # proj_size: h_t = W_hr h_t
        h = F.linear(h, projection)
    return h, c


def gru_step(gates_x, state, weight_hh, bias_hh, projection=None):
    (h,) = state
    r_x, z_x, n_x = gates_x.chunk(3, 1)
    r_h, z_h, n_h = F.linear(h, weight_hh, bias_hh).chunk(3, 1)
    r = F.sigmoid(r_x + r_h)
    z = F.sigmoid(z_x + z_h)
    n = F.tanh(n_x + r * n_h)
    return ((1 - z) * n + z * h,)


STEPS = {"RNN_TANH": rnn_tanh_step, "RNN_RELU": rnn_relu_step, "LSTM": lstm_step,
         "GRU": gru_step}


def run_direction(step, inputs: list, state0: tuple, weights: tuple, reverse: bool):
    """One layer's recurrence in one direction.

    inputs: the time steps x_t, one (batch_t, input_size) tensor each.  A dense (T, N, F)
    input has N rows every step; a packed one fewer rows as the shorter sequences end
    (sorted longest first, so the rows that drop out are the last ones).  state0: the
    initial states, each (N, H).  Returns the outputs h_t of every step (a list like
    ``inputs``) and the final states, each (N, H): for a sequence that ends early, its
    state after its own last step.
    """
    weight_ih, weight_hh, bias_ih, bias_hh, projection = weights
    sizes = [x.shape[0] for x in inputs]
    order = range(len(inputs) - 1, -1, -1) if reverse else range(len(inputs))
    first = sizes[order[0]]  # backwards, only the longest sequences start at step T
    state = state0 if first == state0[0].shape[0] else tuple(s[:first] for s in state0)
    finished: list = []  # states of sequences that have ended (forward direction)
    outputs: list = [None] * len(inputs)
    for t in order:
        rows, active = state[0].shape[0], sizes[t]
        if active < rows:  # the last rows' sequences have ended
            finished.append(tuple(s[active:] for s in state))
            state = tuple(s[:active] for s in state)
        elif active > rows:  # backwards, longer sequences join: from their initial state
            state = tuple(creation.cat([s, s0[rows:active]]) for s, s0 in zip(state, state0))
        # x_t W_ihᵀ + b_ih, one step at a time.  One product for all T steps would be one
        # matmul instead of T, but then every step's slice of it sends back a gradient as
        # large as all T steps, and the backward pass grows as T² (about 2x slower at
        # T=100)
        gates_x = F.linear(inputs[t], weight_ih, bias_ih)
        state = step(gates_x, state, weight_hh, bias_hh, projection)
        outputs[t] = state[0]
    if finished:
        state = tuple(creation.cat([s, *reversed(parts)])
                      for s, *parts in zip(state, *finished))
    return outputs, state


# -- the layers ---------------------------------------------------------------------------
def _check_size(layer: str, name: str, value) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{layer}: {name} should be of type int, got: {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{layer}: {name} must be greater than zero, got {value}")


def _uniform_by_hidden_size(module) -> None:
    """PyTorch's initialisation of every recurrent weight and bias: U(-1/√H, 1/√H)."""
    bound = 1.0 / math.sqrt(module.hidden_size)
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters of every layer and direction, the
    argument checks, and the loop over layers and directions.

    Shapes (L = num_layers, D = 2 if bidirectional else 1, H_out = proj_size or
    hidden_size): input (T, N, input_size), (N, T, input_size) with ``batch_first``, or
    unbatched (T, input_size), or a :class:`PackedSequence`; h_0 (L·D, N, H_out), or
    (L·D, H_out) unbatched, zeros if not given; for the LSTM also c_0 (L·D, N, hidden_size).
    ``forward`` returns ``(output, h_n)`` (the LSTM ``(output, (h_n, c_n))``): output
    (T, N, D·H_out) (batch first or unbatched like the input; a PackedSequence for a
    packed input), h_n and c_n shaped like h_0 and c_0: each layer's and direction's state
    after its last step.
    Parameters, for layer k (``_reverse`` appended for the backward direction):
    ``weight_ih_lk`` (gates·H, input_size for k = 0, else D·H_out), ``weight_hh_lk``
    (gates·H, H_out), ``bias_ih_lk`` and ``bias_hh_lk`` (gates·H), ``weight_hr_lk``
    (proj_size, H) for a projected LSTM; all drawn from U(-1/√H, 1/√H).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None, dtype=None):
        super().__init__()
        if mode not in GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        layer = type(self).__name__
        if (not isinstance(dropout, Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError(f"{layer}: dropout should be a number in range [0, 1] "
                             "representing the probability of an element being zeroed, got "
                             f"{dropout!r}")
        for name, flag in (("bias", bias), ("batch_first", batch_first),
                           ("bidirectional", bidirectional)):
            if not isinstance(flag, bool):
                raise TypeError(f"{layer}: {name} should be of type bool, got: "
                                f"{type(flag).__name__}")
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size),
                            ("num_layers", num_layers)):
            _check_size(layer, name, value)
        if not isinstance(proj_size, int) or proj_size < 0:
            raise ValueError(f"{layer}: proj_size should be a positive integer or zero to "
                             f"disable projections, got {proj_size!r}")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if proj_size >= hidden_size:
            raise ValueError(f"{layer}: proj_size has to be smaller than hidden_size, got "
                             f"proj_size={proj_size} and hidden_size={hidden_size}")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, "
                          "so non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size

        gate_size = GATES[mode] * hidden_size
        output_size = proj_size or hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for k in range(num_layers):
            for direction in range(directions):
                suffix = f"_l{k}" + ("_reverse" if direction else "")
                layer_input = input_size if k == 0 else output_size * directions
                shapes: dict[str, tuple[int, ...]] = {"weight_ih": (gate_size, layer_input),
                                                      "weight_hh": (gate_size, output_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for name, shape in shapes.items():  # registered in PyTorch's order
                    setattr(self, name + suffix,
                            Parameter(creation.empty(*shape, dtype=dtype)))
                    names.append(name + suffix)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()
        if device is not None:
            self.to(device)

    def reset_parameters(self) -> None:
        _uniform_by_hidden_size(self)

    @property
    def all_weights(self) -> list:
        """The parameters of each layer and direction: [[weight_ih_l0, weight_hh_l0,
        bias_ih_l0, bias_hh_l0], ...]."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name) for name in self._flat_weights_names]

    def flatten_parameters(self) -> None:
        """A no-op: PyTorch packs the weights into one buffer for cuDNN; minidl has none."""

    def _weights(self, index: int) -> tuple:
        """(weight_ih, weight_hh, bias_ih, bias_hh, weight_hr) of layer-direction
        ``index`` (None for what the layer does not have)."""
        found = dict(zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"),
                         [None] * 5))
        for name in self._all_weights[index]:
            found[name.rsplit("_l", 1)[0]] = getattr(self, name)
        return tuple(found.values())

    # -- argument checks ------------------------------------------------------------------
    def _state_sizes(self) -> tuple:
        """The last dimension of each initial state: (H_out,), or (H_out, H) for the LSTM."""
        output_size = self.proj_size or self.hidden_size
        return (output_size, self.hidden_size) if self.mode == "LSTM" else (output_size,)

    def _initial_state(self, hx, batched: bool, batch: int, data: Tensor, sorted_indices):
        """The initial states as a tuple of (L·D, N, size) tensors, checked; zeros if not
        given.  ``hx`` is in the caller's batch order; a packed input's is sorted here."""
        layer = type(self).__name__
        count = self.num_layers * (2 if self.bidirectional else 1)
        sizes = self._state_sizes()
        if hx is None:
            return tuple(creation.zeros(count, batch, size, dtype=data.dtype,
                                        device=data.device) for size in sizes)
        if self.mode == "LSTM":
            if not (isinstance(hx, tuple | list) and len(hx) == 2
                    and all(isinstance(s, Tensor) for s in hx)):
                raise TypeError(f"LSTM: hx must be a tuple (h_0, c_0) of two tensors, got "
                                f"{type(hx).__name__}")
            states, names = tuple(hx), ["h_0", "c_0"]
        else:
            if not isinstance(hx, Tensor):
                raise TypeError(f"{layer}: hx must be a Tensor, got {type(hx).__name__}")
            states, names = (hx,), ["h_0"]
        dims = 3 if batched else 2
        if any(s.ndim != dims for s in states):
            got = ", ".join(f"{s.ndim}-D" for s in states)
            raise RuntimeError(f"{layer}: For {'batched 3-D' if batched else 'unbatched 2-D'} "
                               f"input, hx should also be {dims}-D but got ({got}) "
                               "tensor(s)")
        checked = []
        for state, name, size in zip(states, names, sizes):
            expected = (count, batch, size) if batched else (count, size)
            if tuple(state.shape) != expected:
                raise RuntimeError(f"{layer}: Expected hidden size {expected} for {name} "
                                   f"(num_layers * num_directions, batch, hidden), got "
                                   f"{list(state.shape)}")
            if state.dtype != data.dtype:
                raise RuntimeError(f"{layer}: {name} has dtype {state.dtype} but the input "
                                   f"has {data.dtype}")
            if not batched:
                state = state.unsqueeze(1)
            elif sorted_indices is not None:
                state = state.index_select(1, sorted_indices)
            checked.append(state)
        return tuple(checked)

    def _check_input(self, data: Tensor, shape: tuple) -> None:
        layer = type(self).__name__
        weight = self.weight_ih_l0
        if data.shape[-1] != self.input_size:
            raise RuntimeError(f"{layer}: input.size(-1) must be equal to input_size. "
                               f"Expected {self.input_size}, got {data.shape[-1]} (input "
                               f"shape {shape})")
        if data.dtype != weight.dtype:
            raise ValueError(f"{layer}: input dtype ({data.dtype}) does not match weight "
                             f"dtype ({weight.dtype}). Convert input: input.to({weight.dtype})"
                             f", or convert model: model.to({data.dtype})")

    # -- the computation ------------------------------------------------------------------
    def forward(self, input, hx=None):  # noqa: A002  (PyTorch's name)
        layer = type(self).__name__
        packed = isinstance(input, PackedSequence)
        sorted_indices = unsorted_indices = None
        if packed:
            data, batch_sizes_tensor, sorted_indices, unsorted_indices = input
            if data.ndim != 2:
                raise RuntimeError(f"{layer}: a packed input's data must have 2 dimensions "
                                   f"(steps, input_size), got shape {data.shape}")
            batch_sizes = [int(size) for size in batch_sizes_tensor.tolist()]
            batched = True
            self._check_input(data, data.shape)
        else:
            if not isinstance(input, Tensor):
                raise TypeError(f"{layer}: input must be a Tensor or a PackedSequence, got "
                                f"{type(input).__name__}")
            if input.ndim not in (2, 3):
                raise ValueError(f"{layer}: Expected input to be 2D or 3D, got {input.ndim}D "
                                 f"tensor instead (shape {input.shape})")
            batched = input.ndim == 3
            self._check_input(input, input.shape)
            if not batched:
                sequence = input.unsqueeze(1)  # (T, 1, F): time major, a batch of one
            elif self.batch_first:
                sequence = input.transpose(0, 1)  # (N, T, F) -> (T, N, F)
            else:
                sequence = input
            steps, batch = sequence.shape[:2]
            if steps == 0:
                raise RuntimeError(f"{layer}: Expected sequence length to be larger than 0, "
                                   f"got input shape {input.shape}")
            data = sequence.reshape(steps * batch, self.input_size)
            batch_sizes = [batch] * steps
        states = self._initial_state(hx, batched, batch_sizes[0], data, sorted_indices)
        output, final = self._layers(data, batch_sizes, states)
        if packed:
            output = PackedSequence(output, batch_sizes_tensor, sorted_indices,
                                    unsorted_indices)
            if unsorted_indices is not None:
                final = tuple(s.index_select(1, unsorted_indices) for s in final)
        else:
            output = output.reshape(steps, batch, output.shape[-1])
            if not batched:
                output, final = output.squeeze(1), tuple(s.squeeze(1) for s in final)
            elif self.batch_first:
                output = output.transpose(0, 1)
        return output, (final if self.mode == "LSTM" else final[0])

    def _layers(self, data: Tensor, batch_sizes: list, states: tuple):
        """Run every layer and direction; returns the last layer's outputs (rows, D·H_out)
        and the final states, each (L·D, N, size)."""
        step = STEPS[self.mode]
        directions = 2 if self.bidirectional else 1
        inputs = list(data.split(batch_sizes))  # one (batch_t, input_size) tensor a step
        finals = []
        for k in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = k * directions + direction
                output, final = run_direction(step, inputs, tuple(s[index] for s in states),
                                              self._weights(index), reverse=direction == 1)
                outputs.append(output)
                finals.append(final)
            # the next layer reads both directions' outputs side by side
            inputs = outputs[0] if directions == 1 else \
                [creation.cat(both, 1) for both in zip(*outputs)]
            if self.training and self.dropout and k < self.num_layers - 1:
                inputs = [F.dropout(x, self.dropout, training=True) for x in inputs]
        return creation.cat(inputs), tuple(creation.stack([final[i] for final in finals])
                                           for i in range(len(states)))

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first:
            text += f", batch_first={self.batch_first}"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += f", bidirectional={self.bidirectional}"
        return text


class RNN(RNNBase):
    """An Elman recurrent layer: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), or relu
    with ``nonlinearity="relu"``.  Shapes and parameters: see :class:`RNNBase`; the weights
    are (H, input_size) and (H, H)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None, dtype=None,
                 **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"RNN got an unexpected keyword argument {next(iter(kwargs))!r}")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997): gates i, f, g, o (in that
    order in the weights, each H rows), c_t = f ⊙ c_{t-1} + i ⊙ g, h_t = o ⊙ tanh(c_t),
    projected to ``proj_size`` features by ``weight_hr`` when given.  ``forward(input,
    (h_0, c_0))`` returns ``(output, (h_n, c_n))``; shapes: see :class:`RNNBase`."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit (Cho et al., 2014): gates r, z and candidate n (in that order
    in the weights), n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t-1} + b_hn)),
    h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}.  Shapes: see :class:`RNNBase`."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device=None, dtype=None, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"GRU got an unexpected keyword argument {next(iter(kwargs))!r}")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)


# -- the cells: one step, the caller writes the loop ------------------------------------
class RNNCellBase(Module):
    """One step of a recurrent layer.  input (N, input_size) or unbatched (input_size,);
    the state(s) (N, H) or (H,), zeros if not given.  Parameters ``weight_ih``
    (gates·H, input_size), ``weight_hh`` (gates·H, H), ``bias_ih`` and ``bias_hh``
    (gates·H), drawn from U(-1/√H, 1/√H)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None):
        super().__init__()
        layer = type(self).__name__
        _check_size(layer, "input_size", input_size)
        _check_size(layer, "hidden_size", hidden_size)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gate_size = num_chunks * hidden_size
        self.weight_ih = Parameter(creation.empty(gate_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(creation.empty(gate_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(creation.empty(gate_size, dtype=dtype))
            self.bias_hh = Parameter(creation.empty(gate_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()
        if device is not None:
            self.to(device)

    def reset_parameters(self) -> None:
        _uniform_by_hidden_size(self)

    def _step(self, step, input, states: tuple, names: tuple):
        """Check the input and the states, run ``step``; returns the new states (squeezed
        back for an unbatched input)."""
        layer = type(self).__name__
        if not isinstance(input, Tensor) or input.ndim not in (1, 2):
            got = f"{input.ndim}D" if isinstance(input, Tensor) else type(input).__name__
            raise ValueError(f"{layer}: Expected input to be 1D or 2D, got {got} instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"{layer}: input has inconsistent input_size: got "
                               f"{input.shape[-1]} expected {self.input_size} (input shape "
                               f"{input.shape})")
        if input.dtype != self.weight_ih.dtype:
            raise ValueError(f"{layer}: input dtype ({input.dtype}) does not match weight "
                             f"dtype ({self.weight_ih.dtype})")
        batched = input.ndim == 2
        batch = input.shape[0] if batched else 1
        x = input if batched else input.unsqueeze(0)
        full = []
        for k, (state, name) in enumerate(zip(states, names)):
            if state is None:
                state = creation.zeros(batch, self.hidden_size, dtype=input.dtype,
                                       device=input.device)
            else:
                if not isinstance(state, Tensor) or state.ndim not in (1, 2):
                    got = f"{state.ndim}D" if isinstance(state, Tensor) else \
                        type(state).__name__
                    raise ValueError(f"{layer}: Expected {name} to be 1D or 2D, got {got} "
                                     "instead")
                if state.ndim != input.ndim:
                    raise RuntimeError(f"{layer}: {name} has shape {state.shape} but input "
                                       f"has {input.shape}; both must be batched (2-D) or "
                                       "unbatched (1-D)")
                if not batched:
                    state = state.unsqueeze(0)
                if state.shape[0] != batch:
                    raise RuntimeError(f"{layer}: Input batch size {batch} doesn't match "
                                       f"hidden{k} batch size {state.shape[0]}")
                if state.shape[1] != self.hidden_size:
                    raise RuntimeError(f"{layer}: hidden{k} has inconsistent hidden_size: "
                                       f"got {state.shape[1]}, expected {self.hidden_size}")
            full.append(state)
        gates_x = F.linear(x, self.weight_ih, self.bias_ih)
        new = step(gates_x, tuple(full), self.weight_hh, self.bias_hh)
        return new if batched else tuple(s.squeeze(0) for s in new)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            text += f", nonlinearity={nonlinearity}"
        return text


class RNNCell(RNNCellBase):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).  ``forward(input, hx=None)``
    returns h' (N, H), or (H,) for an unbatched input."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: Unknown nonlinearity '{nonlinearity}'. Select from "
                             "'tanh' or 'relu'.")
        super().__init__(input_size, hidden_size, bias, 1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):  # noqa: A002
        step = rnn_tanh_step if self.nonlinearity == "tanh" else rnn_relu_step
        return self._step(step, input, (hx,), ("hidden",))[0]


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o): ``forward(input, (h, c)=None)`` returns
    ``(h', c')``, each (N, H) or (H,) for an unbatched input."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device=device, dtype=dtype)

    def forward(self, input, hx=None):  # noqa: A002
        if hx is None:
            hx = (None, None)
        elif not (isinstance(hx, tuple | list) and len(hx) == 2):
            raise TypeError(f"LSTMCell: hx must be a tuple (h, c) of two tensors, got "
                            f"{type(hx).__name__}")
        return self._step(lstm_step, input, tuple(hx), ("hx[0]", "hx[1]"))


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n): ``forward(input, hx=None)`` returns h' (N, H), or (H,)
    for an unbatched input."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device=device, dtype=dtype)

    def forward(self, input, hx=None):  # noqa: A002
        return self._step(gru_step, input, (hx,), ("hidden",))[0]
