"""Tensor's methods, one idea a module.  Each module holds one mixin class, which ``class
Tensor`` (in ``minidl/tensor.py``) inherits; ``tensor.py`` itself keeps the core: what a tensor
is, gradients, devices and dtypes, indexing and the arithmetic operators.

- ``inplace.py``, ``InPlaceMethods``: in-place changes (``add_``, ``+=``, ``copy_``, ...) and
  how they are recorded in the graph;
- ``comparison.py``, ``ComparisonMethods``: ``==``, ``<``, ``&``, ``any``, ``isnan``,
  ``isclose``, ``logical_and``, ``nonzero``, ...;
- ``elementwise.py``, ``ElementwiseMethods``: ``exp``, ``sin``, ``round``, ``clamp``,
  ``lerp``, ``maximum``, ``softmax``, ...;
- ``reductions.py``, ``ReductionMethods``: ``sum``, ``mean``, ``max``, ``var``, ``norm``,
  ``median``, ``quantile``, ``cumsum``, ...;
- ``sorting.py``, ``SortingMethods``: ``sort``, ``argsort``, ``topk``, ``unique``;
- ``shape.py``, ``ShapeMethods``: ``reshape``, ``permute``, ``expand``, ``split``, ``flip``,
  ``repeat``, ...;
- ``selection.py``, ``SelectionMethods``: ``gather``, ``scatter``, ``index_select``,
  ``masked_fill``, ...;
- ``matrices.py``, ``MatrixMethods``: ``matmul``, ``mm``, ``outer``, ``diag``, ``tril``,
  ``trace``, ...;
- ``sampling.py``, ``SamplingMethods``: ``normal_``, ``uniform_``, ``bernoulli``,
  ``multinomial``;
- ``base.py``: ``TensorMethods``, the groups' base, and helpers several modules share.

Import ``Tensor`` from ``minidl`` or ``minidl.tensor``, never from here.

The groups' methods name the class, as the core's do: ``Tensor._from_array(...)`` makes a
plain Tensor whatever subclass ``self`` is (a Parameter's sum is no Parameter), and
``isinstance(x, Tensor)`` tests an operand.  But the groups are imported before the class
exists (it inherits from them), so their modules import ``Tensor`` for the type checker only,
and ``tensor.py`` calls ``bind(Tensor)`` right after defining the class: from then on the
name is there when a method runs.  (Importing it inside each method instead costs about
0.7 µs a call, as much as a small method's whole work.)
"""
from . import (
    base,
    comparison,
    elementwise,
    inplace,
    matrices,
    reductions,
    sampling,
    selection,
    shape,
    sorting,
)
from .comparison import ComparisonMethods
from .elementwise import ElementwiseMethods
from .inplace import InPlaceMethods
from .matrices import MatrixMethods
from .reductions import ReductionMethods
from .sampling import SamplingMethods
from .selection import SelectionMethods
from .shape import ShapeMethods
from .sorting import SortingMethods

_MODULES = (base, comparison, elementwise, inplace, matrices, reductions, sampling, selection,
            shape, sorting)


def bind(tensor_class: type) -> None:
    """Bind the name ``Tensor`` in every module of this package to ``tensor_class`` (called
    once, by ``minidl/tensor.py``, right after it defines the class)."""
    for module in _MODULES:
        setattr(module, "Tensor", tensor_class)
