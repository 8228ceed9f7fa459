"""The one error ``minidl.onnx.export`` raises for a model it cannot export."""


class ExportError(ValueError):
    """The model cannot be exported: an operation without an ONNX conversion, a forward
    pass that depends on the input in a way a traced graph cannot follow, or bad export
    arguments.  The message names the operation and the layer that applied it.  A
    ValueError: the model (or an argument) is a value the exporter cannot take."""
