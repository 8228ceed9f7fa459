"""``Function``: one node of the define-by-run graph.

A Function computes ``forward`` on raw arrays (NumPy or CuPy) and, later, ``backward``:
given dL/d(output) it returns dL/d(input) for each input, again as raw arrays.  Calling
``SomeFunction.apply(*inputs)`` runs the forward pass and, when any input requires a
gradient and recording is on, links the output Tensor to this node so that
``Tensor.backward`` can find its way back.
"""
from __future__ import annotations

from ..backend import array_device
from .grad_mode import is_grad_enabled


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
        self.__dict__.clear()
        self._released = True

    @property
    def name(self) -> str:
        return type(self).__name__

    # -- running a node -------------------------------------------------------------------
    @classmethod
    def apply(cls, *inputs, **options):
        """Run ``forward`` on the inputs' arrays and return the output as a Tensor."""
        from ..tensor import Tensor

        fn = cls()
        arrays = []
        needs = []
        device = None
        for value in inputs:
            if isinstance(value, Tensor):
                arrays.append(value.array)
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
        output = fn.forward(*arrays, **options)
        record = is_grad_enabled() and any(needs) and output.dtype.kind == "f"
        if record:
            fn.inputs = inputs
            return Tensor._from_array(output, requires_grad=True, grad_fn=fn)
        return Tensor._from_array(output)

