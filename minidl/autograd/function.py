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

from contextlib import contextmanager

from ..backend import array_device
from .grad_mode import is_grad_enabled

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


class Function:
    """Subclass and implement ``forward(self, *arrays, **options)`` and ``backward(self, grad)``.

    ``backward`` returns one gradient per positional input of ``forward`` (a tuple, or a
    single array when there is one input); ``None`` where an input needs no gradient.
    ``self.needs_input_grad[i]`` says whether input ``i`` needs one, so work can be skipped.
    Arrays needed by ``backward`` are kept with ``save_for_backward`` so that they can be
    released once the graph has been used (PyTorch's ``retain_graph=False``).
    """

    __slots__ = ("inputs", "needs_input_grad", "_saved", "_released", "retained_output", "__dict__")

    def __init__(self):
        self.inputs = ()
        self.needs_input_grad = ()
        self._saved = ()
        self._released = False
        self.retained_output = None

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

    def release(self) -> None:
        """Free what backward needed; a second backward through this node is then an error."""
        self._saved = ()
        # Subclasses keep what backward needs besides the saved arrays as plain attributes
        # (``self.axis``, ``self.input_shape``, a mask ...); they live in the instance's
        # ``__dict__`` (the slots above hold only the graph's own fields), so clearing it
        # frees them all without knowing their names.
        self.__dict__.clear()
        self._released = True

    @property
    def name(self) -> str:
        return type(self).__name__

    # -- running a node -------------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs, **options):
        """Run ``forward`` on the inputs' arrays and return the output as a Tensor (a tuple
        of Tensors when ``forward`` returns a tuple)."""
        from ..tensor import Tensor

        fn = cls()
        arrays = []
        needs = []
        device = None
        for value in inputs:
            if isinstance(value, Tensor):
                arrays.append(value.data)
                needs.append(value.requires_grad)
                where = value.device
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
        outputs = fn.forward(*arrays, **options)
        several = isinstance(outputs, tuple)
        if not several:
            outputs = (outputs,)
        differentiable = [output.dtype.kind == "f" for output in outputs]
        record = is_grad_enabled() and any(needs) and any(differentiable)
        if record:
            if sum(differentiable) > 1:
                raise TypeError(f"{cls.__name__}.forward returned {sum(differentiable)} "
                                "floating point outputs; a Function records at most one")
            fn.inputs = inputs
        tensors = tuple(Tensor._from_array(output, requires_grad=True, grad_fn=fn)
                        if record and is_float else Tensor._from_array(output)
                        for output, is_float in zip(outputs, differentiable))
        result = tensors if several else tensors[0]
        for observer in _observers:
            observer(cls, inputs, options, result)
        return result

