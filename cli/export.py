"""``minidl export RUN_DIR --format onnx|safetensors``: a trained run's models, for use
outside minidl.

``onnx`` writes each model as an ONNX graph (``minidl.onnx.export``) that takes a batch
of any size, of the images the run was trained on (``--dynamic-size``: of any height
and width too, for the models that allow it); ``safetensors`` writes each model's
weights (its state dict), which load into the same architecture in PyTorch.  The files
go into the run directory as ``<model>.onnx`` / ``<model>.safetensors`` (``model``, or
``generator`` and ``discriminator`` for a GAN), or to ``--out`` for one model.
"""
from __future__ import annotations

import inspect
from pathlib import Path

import click

from minidl.cli.messages import USER_ERRORS, user_error

SUFFIXES = {"onnx": ".onnx", "safetensors": ".safetensors"}


def example_shapes(model, task) -> list[tuple]:
    """One example input shape per forward argument, batch 1: the model's own example
    sizes, with the size the run trained on for a colourization model."""
    shape = model.example_input_shape
    shapes = list(shape) if isinstance(shape[0], tuple) else [shape]
    size = getattr(task, "input_size", None)
    if len(shapes) == 1 and size is not None:
        shapes = [(*shapes[0][:2], *size)]
    return [(1, *s[1:]) for s in shapes]


def export_onnx(model, task, path: Path, dynamic_size: bool) -> str:
    """Write the ONNX graph; returns a line describing its inputs and outputs."""
    import minidl
    import minidl.onnx

    shapes = example_shapes(model, task)
    inputs = tuple(minidl.zeros(*shape, device=task.device) for shape in shapes)
    names = list(inspect.signature(model.forward).parameters)[:len(inputs)]
    axes = {0: "batch", 2: "height", 3: "width"} if dynamic_size else {0: "batch"}
    proto = minidl.onnx.export(model, inputs, str(path), input_names=names,
                               dynamic_axes={name: axes for name in names})

    def described(values):
        return ", ".join(f"{v.name} ({', '.join(_dims(v))})" for v in values)
    return f"{described(proto.graph.input)} -> {described(proto.graph.output)}"


def _dims(value) -> list[str]:
    """An ONNX input's or output's dims as text: sizes and axis names."""
    return [d.dim_param or str(d.dim_value) for d in value.type.tensor_type.shape.dim]


@click.command("export")
@click.argument("run_dir")
@click.option("--format", "format_", type=click.Choice(sorted(SUFFIXES)), default="onnx",
              show_default=True, help="ONNX graph or safetensors weights.")
@click.option("--model", "model_name", help="Only this model of the run (a GAN has "
              "'generator' and 'discriminator').")
@click.option("--out", help="The file to write (one model only; default: "
              "RUN_DIR/<model>.<format>).")
@click.option("--dynamic-size", is_flag=True, help="ONNX: any image height and width, "
              "not only the size trained on (fully convolutional models).")
def export(run_dir, format_, model_name, out, dynamic_size):
    """Export the models of the trained run RUN_DIR as ONNX or safetensors files."""
    from minidl.serialization import save
    from minidl.studies.runner import load_trained
    try:
        trained = load_trained(run_dir, need_data=False,
                               note=lambda text: click.echo(f"note: {text}"))
        run, task = trained.run, trained.task
        models = task.models
        if model_name is not None:
            if model_name not in models:
                raise ValueError(f"run {run} has no model {model_name!r}; its models: "
                                 f"{', '.join(models)}")
            models = {model_name: models[model_name]}
        if out is not None and len(models) > 1:
            raise ValueError(f"run {run} has the models {', '.join(models)}; choose one "
                             "with --model to write it to --out")
        for name, model in models.items():
            path = Path(out) if out is not None else run.path / f"{name}{SUFFIXES[format_]}"
            if format_ == "onnx":
                detail = export_onnx(model, task, path, dynamic_size)
            else:
                save(model.state_dict(), str(path))
                detail = f"{len(model.state_dict())} tensors"
            click.echo(f"wrote {path}: {detail}")
    except (ImportError, *USER_ERRORS) as error:  # ExportError is a ValueError
        raise user_error(error) from None
