"""``Function``: one node of the define-by-run graph.

A Function computes ``forward`` on raw arrays (NumPy or CuPy) and, later, ``backward``:
given dL/d(output) it returns dL/d(input) for each input, again as raw arrays.  Calling
``SomeFunction.apply(*inputs)`` runs the forward pass and, when any input requires a
gradient and recording is on, links the output Tensor to this node so that
``Tensor.backward`` can find its way back.

``forward`` may return several arrays (a tuple); ``apply`` then returns a tuple of
Tensors.  Only floating point outputs can carry a gradient: the others (max pooling's
int64 indices) are returned as plain tensors and never recorded, so ``backward`` receives
the gradient of the one floating point output.
"""
from __future__ import annotations

import inspect
from contextlib import contextmanager
from typing import Any

from ..backend import array_device
from .grad_mode import is_grad_enabled
from .saved import check_saved, memory_owner, note_versions

Tensor: Any = None
"""``minidl.Tensor``: this module is imported before the class exists, and ``tensor.py``
binds it right after defining it (``bind``); importing it inside ``apply`` instead cost
about 0.7 µs an operation (``tensor_methods/__init__.py`` says the same of the methods)."""


def bind(tensor_class: type) -> None:
    """Name the Tensor class here once it exists (called by ``minidl/tensor.py``)."""
    global Tensor
    Tensor = tensor_class

# Callables told of every Function applied (see ``observe_applies``); empty but while an
# exporter traces a model.
_observers: list = []


@contextmanager
def observe_applies(observer):
    """While the block runs, call ``observer(function_class, inputs, options, output)``
    after every ``Function.apply`` (with or without gradient recording).  This is how
    ``minidl.onnx`` traces a model: it sees each operation and the tensors it joins."""
    _observers.append(observer)
    try:
        yield
    finally:
        _observers.remove(observer)


class InPlaceChange:
    """What observers (``observe_applies``) are told when a tensor's memory is changed in
    place: ``observer(InPlaceChange, (source,), {"op": op}, tensor)``.  From then on
    ``tensor`` holds the values of ``source``, the Tensor an operation computed (the
    result of ``relu_``, ``add_``, ``copy_`` of a tensor), or values no operation computed
    (``source`` None: numbers or raw arrays written in)."""


def notify_in_place(op: str, tensor, source) -> None:
    """Tell the observers (if any) that ``tensor`` now holds ``source``'s values."""
    for observer in _observers:
        observer(InPlaceChange, (source,), {"op": op}, tensor)


class Function:
    """Subclass and implement ``forward(self, *arrays, **options)`` and ``backward(self, grad)``.

    ``backward`` returns one gradient per positional input of ``forward`` (a tuple, or a
    single array when there is one input); ``None`` where an input needs no gradient.
    ``self.needs_input_grad[i]`` says whether input ``i`` needs one, so work can be skipped.
    Arrays needed by ``backward`` are kept with ``save_for_backward`` so that they can be
    released once the graph has been used (PyTorch's ``retain_graph=False``), and so that
    backward can tell when one of them was changed in place since (see ``saved.py``).
    A Function whose output may be a view of its first input's memory (reshape, indexing)
    sets ``returns_view``: the output then shares that input's version counter.

    ``input_nodes`` are the graph's edges: the node that had computed each input when this
    one ran (None for a leaf or a constant); ``inputs`` holds the leaves and constants
    themselves and a :class:`ComputedInput` (shape and dtype) for each computed input.
    Backward follows the edges, not the inputs' current ``grad_fn``, which an in-place
    change (``y.mul_(2)``, ``y.detach_()``) later replaces: as in PyTorch, a node recorded
    before such a change still reaches the value it used.
    """

    __slots__ = ("inputs", "input_nodes", "needs_input_grad", "_saved", "_versions",
                 "_released", "retained_output", "_grad_hooks", "__dict__")
    returns_view = False
    context_style = False  # a PyTorch-style Function (static forward with a ctx)

    def __init__(self):
        self.inputs = ()
        self.input_nodes = ()
        self.needs_input_grad = ()
        self._saved = ()
        self._versions = ()
        self._released = False
        self.retained_output = None
        self._grad_hooks = None  # Tensor.register_hook on this node's output

    # -- the two methods a subclass writes ------------------------------------------------
    def forward(self, *arrays, **options):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    # -- saved arrays ---------------------------------------------------------------------
    def save_for_backward(self, *arrays) -> None:
        self._saved = arrays

    @property
    def saved_arrays(self) -> tuple:
        return self._saved

    def check_saved_versions(self) -> None:
        """Raise PyTorch's error if a tensor whose memory was saved has been changed in place."""
        check_saved(self._versions, self._saved, self)

    def release(self) -> None:
        """Free what backward needed; a second backward through this node is then an error."""
        self._saved = ()
        self._versions = ()
        # Subclasses keep what backward needs besides the saved arrays as plain attributes
        # (``self.axis``, ``self.input_shape``, a mask ...); they live in the instance's
        # ``__dict__`` (the slots above hold only the graph's own fields), so clearing it
        # frees them all without knowing their names.
        self.__dict__.clear()
        self._released = True

    # -- what PyTorch shows of a node -------------------------------------------------------
    def name(self) -> str:
        """The node's name as PyTorch prints it (``MulBackward0``)."""
        return f"{type(self).__name__}Backward0"

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self) -> tuple:
        """``(node, 0)`` for each input: the Function that computed it, an ``AccumulateGrad``
        for a leaf that requires grad, ``None`` for an input that needs no gradient."""
        return tuple((_node_of(value, node), 0)
                     for value, node in zip(self.inputs, self.input_nodes))

    # -- running a node -------------------------------------------------------------------
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.context_style = isinstance(inspect.getattr_static(cls, "forward"), staticmethod)

    @classmethod
    def apply(cls, *inputs, **options):
        """Run ``forward`` on the inputs' arrays and return the output as a Tensor (a tuple
        of Tensors when ``forward`` returns a tuple)."""
        if cls.context_style:
            from .context import apply_with_context  # a PyTorch-style Function
            return apply_with_context(cls, inputs, options)
        fn = cls()
        arrays = []
        needs = []
        device = None
        for value in inputs:
            if isinstance(value, Tensor):
                if value._base is not None and stale_view(value):
                    from .views import current  # a view made before an in-place change
                    current(value)
                arrays.append(value.array)
                needs.append(value._requires_grad)
                where = array_device(value.array)
            else:  # a raw array (or a number, or None)
                arrays.append(value)
                needs.append(False)
                where = array_device(value)
            if where is None:
                continue
            if device is None:
                device = where
            elif where != device:
                raise RuntimeError(f"{cls.__name__}: expected all tensors on one device, "
                                   f"got {device} and {where}")
        fn.needs_input_grad = tuple(needs)
        output = fn.forward(*arrays, **options)
        if isinstance(output, tuple):
            result = fn._several_outputs(inputs, any(needs), output)
        else:
            record = is_grad_enabled() and any(needs) and output.dtype.kind == "f"
            result = Tensor._from_array(output, record, fn if record else None)
            if cls.returns_view:
                _share_version(result, inputs)
            if record:
                fn._record(inputs, result)
        for observer in _observers:
            observer(cls, inputs, options, result)
        return result

    def _several_outputs(self, inputs, needed: bool, outputs: tuple) -> tuple:
        """The Tensors of a forward that returned several arrays: the floating point one is
        recorded (at most one may be), the others never are."""
        floating = [i for i, output in enumerate(outputs) if output.dtype.kind == "f"]
        record = is_grad_enabled() and needed and bool(floating)
        if record and len(floating) > 1:
            raise TypeError(f"{type(self).__name__}.forward returned {len(floating)} "
                            "floating point outputs; a Function records at most one")
        tensors = tuple(Tensor._from_array(output, True, self)
                        if record and i == floating[0] else Tensor._from_array(output)
                        for i, output in enumerate(outputs))
        if self.returns_view:
            for tensor in tensors:
                _share_version(tensor, inputs)
        if record:
            self._record(inputs, tensors[floating[0]])
        return tensors

    def _record(self, inputs, output) -> None:
        """Link this node into the graph: its inputs, the nodes that computed them (the
        edges backward follows) and the versions backward checks.

        An input another node computed is kept as a :class:`ComputedInput` (its shape and
        dtype), not as the Tensor: holding the Tensor would keep every intermediate value
        alive until the whole graph is gone, while backward needs only what the nodes saved
        (PyTorch frees them the same way).  Leaves and constants are kept: backward adds
        into a leaf's ``.grad``, and ``next_functions`` shows it."""
        nodes = tuple([getattr(value, "grad_fn", None) for value in inputs])
        self.input_nodes = nodes
        self.inputs = tuple([value if node is None else ComputedInput(value.array)
                             for value, node in zip(inputs, nodes)])
        self._versions = note_versions(inputs, output)


class ComputedInput:
    """What a node keeps of an input computed by another node: its shape and dtype (what
    backward checks a gradient against and ``minidl.viz`` draws), not its values."""

    __slots__ = ("shape", "dtype")
    requires_grad = True

    def __init__(self, array):
        self.shape = array.shape
        self.dtype = array.dtype

    def __repr__(self) -> str:
        return f"ComputedInput(shape={tuple(self.shape)}, dtype={self.dtype})"


def stale_view(tensor) -> bool:
    """Whether ``tensor`` is a view whose node predates a recorded in-place change of its
    memory (made through its base or any other view of it): ``views.py``."""
    node = tensor.grad_fn
    if tensor._base is None or node is None:
        return False
    rewritten = tensor._version_counter.rewritten
    return rewritten > getattr(node, "view_version", rewritten)


def _share_version(output, inputs) -> None:
    """An output on its first input's memory (a view) shares that input's version counter
    and base, so an in-place change through either is seen by both."""
    if not inputs or getattr(inputs[0], "_version_counter", None) is None:
        return
    source = inputs[0]
    if memory_owner(output.array) is memory_owner(source.array):
        output._version_counter = source._version_counter
        output._base = source if source._base is None else source._base
        if output.grad_fn is not None:   # the memory's version its node is valid for
            output.grad_fn.view_version = output._version_counter.value


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf that requires grad: the step of backward
    that adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)
    next_functions = ()

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def _node_of(value, node):
    if node is not None:
        return node
    if getattr(value, "requires_grad", False):
        return AccumulateGrad(value)
    return None
