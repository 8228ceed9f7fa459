"""ONNX export: ``minidl.onnx.export(model, example_input, "model.onnx")``, with
``torch.onnx.export``'s arguments (input/output names, dynamic axes, opset).

    import minidl.onnx
    minidl.onnx.export(model, minidl.randn(1, 1, 32, 32), "model.onnx",
                       input_names=["gray"], dynamic_axes={"gray": {0: "batch"}})

The file runs in onnxruntime (and other runtimes of its opset).  It needs the ``onnx``
package (``pip install 'minidl[onnx]'``).  Package layout: :mod:`.tracer` records the
operations of one forward pass, :mod:`.lowering` turns them into a graph through the
converters of :mod:`.converters` (one per minidl Function), :mod:`.exporter` assembles,
checks and writes the model.
"""
try:
    import onnx  # noqa: F401
except ModuleNotFoundError:
    raise ModuleNotFoundError("minidl.onnx needs the onnx package: pip install "
                              "'minidl[onnx]' (or pip install onnx)") from None

from .errors import ExportError
from .exporter import export

__all__ = ["export", "ExportError"]
