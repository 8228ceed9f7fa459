"""``SummaryWriter``: watch runs in TensorBoard, with PyTorch's names.

    from minidl.utils.tensorboard import SummaryWriter
    writer = SummaryWriter("runs/experiment-1")
    writer.add_scalar("loss/train", loss.item(), step)
    writer.add_images("examples", batch, step)          # (N, C, H, W) in [0, 1]
    writer.add_histogram("conv1.weight", model[0].weight, step)
    writer.close()

then ``tensorboard --logdir runs``. The event files are written by the ``tensorboard``
package's own writer (``pip install "minidl[tensorboard]"``), in its protocol buffers, so
TensorBoard and its readers open them as they open any other run's.
"""
from __future__ import annotations

import io
import os
import socket
import time
from datetime import datetime

import numpy as np

__all__ = ["SummaryWriter"]


def _tensorboard():
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError:
        raise ImportError("SummaryWriter needs the tensorboard package: "
                          "pip install \"minidl[tensorboard]\"") from None
    return EventFileWriter, event_pb2, summary_pb2


def _numpy(value) -> np.ndarray:
    """A Tensor, array or number as a NumPy array on the host."""
    if hasattr(value, "detach"):
        value = value.detach().numpy()
    return np.asarray(value)


def _scalar(value, name: str) -> float:
    array = _numpy(value)
    if array.size != 1:
        raise ValueError(f"{name}: expected a single number, got shape {array.shape}")
    return float(array.reshape(()))


class SummaryWriter:
    """Writes scalars, images, histograms and hyperparameters as TensorBoard event files.

    ``log_dir`` defaults to ``runs/<date>_<time>_<host><comment>`` as in PyTorch.
    """

    def __init__(self, log_dir: str | os.PathLike | None = None, comment: str = "",
                 purge_step=None, max_queue: int = 10, flush_secs: int = 120,
                 filename_suffix: str = ""):
        if log_dir is None:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = str(log_dir)
        self._max_queue, self._flush_secs = max_queue, flush_secs
        file_writer, self._event_pb2, self._summary_pb2 = _tensorboard()
        self._writer = file_writer(self.log_dir, max_queue_size=max_queue,
                                   flush_secs=flush_secs, filename_suffix=filename_suffix)
        self._children: dict[str, SummaryWriter] = {}

    def get_logdir(self) -> str:
        return self.log_dir

    # -- writing one summary --------------------------------------------------------------
    def _add(self, value, global_step, walltime) -> None:
        summary = self._summary_pb2.Summary(value=[value])
        event = self._event_pb2.Event(summary=summary,
                                      wall_time=time.time() if walltime is None else walltime)
        if global_step is not None:
            event.step = int(global_step)
        self._writer.add_event(event)

    def add_scalar(self, tag: str, scalar_value, global_step=None, walltime=None,
                   new_style: bool = False) -> None:
        """One number of the curve ``tag`` at step ``global_step``."""
        value = self._summary_pb2.Summary.Value(
            tag=tag, simple_value=_scalar(scalar_value, f"add_scalar({tag!r})"))
        self._add(value, global_step, walltime)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict, global_step=None,
                    walltime=None) -> None:
        """Several curves in one chart: each goes to the run ``<log_dir>/<main_tag>_<tag>``."""
        for tag, scalar in tag_scalar_dict.items():
            run = os.path.join(self.log_dir, f"{main_tag.replace('/', '_')}_{tag}")
            child = self._children.get(run)
            if child is None:
                child = self._children[run] = SummaryWriter(
                    run, max_queue=self._max_queue, flush_secs=self._flush_secs)
            child.add_scalar(main_tag, scalar, global_step, walltime)

    def add_image(self, tag: str, img_tensor, global_step=None, walltime=None,
                  dataformats: str = "CHW") -> None:
        """One image: float values in [0, 1] (or uint8 in [0, 255]), layout ``dataformats``."""
        image = _to_hwc(_numpy(img_tensor), dataformats, f"add_image({tag!r})")
        self._add(self._image_value(tag, image), global_step, walltime)

    def add_images(self, tag: str, img_tensor, global_step=None, walltime=None,
                   dataformats: str = "NCHW") -> None:
        """A batch of images, tiled into one grid (at most 8 per row), as PyTorch does."""
        images = _numpy(img_tensor)
        if dataformats.upper() not in ("NCHW", "NHWC") or images.ndim != 4:
            raise ValueError(f"add_images({tag!r}): expected a 4-D batch in NCHW or NHWC, "
                             f"got shape {images.shape} as {dataformats!r}")
        if dataformats.upper() == "NHWC":
            images = images.transpose(0, 3, 1, 2)
        from ..tensor import Tensor
        from ..vision.utils import make_grid  # torchvision's grid, as PyTorch's writer uses

        grid = make_grid(Tensor._from_array(images), nrow=8, padding=0).numpy()
        self._add(self._image_value(tag, _to_hwc(grid, "CHW", tag)), global_step, walltime)

    def _image_value(self, tag: str, image: np.ndarray):
        from PIL import Image

        if image.dtype != np.uint8:
            image = (np.clip(image.astype(np.float64), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
        height, width, channels = image.shape
        buffer = io.BytesIO()
        Image.fromarray(image[:, :, 0] if channels == 1 else image).save(buffer, format="PNG")
        encoded = self._summary_pb2.Summary.Image(height=height, width=width,
                                                  colorspace=channels,
                                                  encoded_image_string=buffer.getvalue())
        return self._summary_pb2.Summary.Value(tag=tag, image=encoded)

    def add_histogram(self, tag: str, values, global_step=None, bins="tensorflow",
                      walltime=None, max_bins=None) -> None:
        """The distribution of ``values`` (e.g. a layer's weights) at step ``global_step``."""
        array = _numpy(values).astype(np.float64).ravel()
        if array.size == 0 or not np.all(np.isfinite(array)):
            raise ValueError(f"add_histogram({tag!r}): the values must be finite and not empty")
        edges = _tensorflow_edges(array) if bins == "tensorflow" else bins
        counts, limits = np.histogram(array, bins=edges)
        histogram = self._summary_pb2.HistogramProto(
            min=float(array.min()), max=float(array.max()), num=int(array.size),
            sum=float(array.sum()), sum_squares=float(np.dot(array, array)),
            bucket_limit=[float(x) for x in limits[1:]], bucket=[float(c) for c in counts])
        self._add(self._summary_pb2.Summary.Value(tag=tag, histo=histogram), global_step,
                  walltime)

    def add_text(self, tag: str, text_string: str, global_step=None, walltime=None) -> None:
        from tensorboard.plugins.text import metadata as text_metadata
        from tensorboard.util import tensor_util

        value = self._summary_pb2.Summary.Value(
            tag=f"{tag}/text_summary",
            metadata=text_metadata.create_summary_metadata(display_name=tag, description=""),
            tensor=tensor_util.make_tensor_proto([text_string.encode()], shape=[1]))
        self._add(value, global_step, walltime)

    def add_hparams(self, hparam_dict: dict, metric_dict: dict, hparam_domain_discrete=None,
                    run_name: str | None = None, global_step=None) -> None:
        """One trial's hyperparameters and its final metrics, for TensorBoard's HParams tab.

        As in PyTorch, they go to a run of their own, ``<log_dir>/<run_name or time>``.
        """
        from tensorboard.plugins.hparams import summary_v2 as hparams_summary

        if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
            raise TypeError("add_hparams: hparam_dict and metric_dict must be dicts")
        hparams = {k: v if isinstance(v, (bool, int, float, str)) else str(v)
                   for k, v in hparam_dict.items()}
        run = os.path.join(self.log_dir, run_name or str(time.time()))
        with SummaryWriter(run) as child:
            config = hparams_summary.hparams_config_pb(
                [hparams_summary.HParam(name) for name in hparams],
                [hparams_summary.Metric(tag) for tag in metric_dict])
            for summary in (config, hparams_summary.hparams_pb(hparams)):
                child._add(summary.value[0], global_step, None)
            for tag, value in metric_dict.items():
                child.add_scalar(tag, value, global_step)

    # -- lifetime -------------------------------------------------------------------------
    def flush(self) -> None:
        self._writer.flush()
        for child in self._children.values():
            child.flush()

    def close(self) -> None:
        self._writer.close()
        for child in self._children.values():
            child.close()

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _to_hwc(image: np.ndarray, dataformats: str, name: str) -> np.ndarray:
    """An image of layout ``dataformats`` (CHW, HWC, HW) as (H, W, 1 or 3)."""
    layout = dataformats.upper()
    if sorted(layout) not in (sorted("CHW"), sorted("HW")) or image.ndim != len(layout):
        raise ValueError(f"{name}: image of shape {image.shape} does not match "
                         f"dataformats {dataformats!r} (CHW, HWC or HW)")
    if layout == "HW":
        return image[:, :, None]
    image = image.transpose([layout.index(c) for c in "HWC"])
    if image.shape[2] not in (1, 3, 4):
        raise ValueError(f"{name}: expected 1, 3 or 4 channels, got shape {image.shape}")
    return image[:, :, :3] if image.shape[2] == 4 else image


def _tensorflow_edges(values: np.ndarray) -> np.ndarray:
    """TensorFlow's default histogram buckets: ±1e-12 * 1.1**k, covering the values."""
    positive = 1e-12 * 1.1 ** np.arange(0, 775)  # up to about 1e20
    limits = np.concatenate([-positive[::-1], [0.0], positive])
    low = np.searchsorted(limits, values.min(), side="right") - 1
    high = np.searchsorted(limits, values.max(), side="left") + 1
    return limits[max(low, 0):min(high, len(limits) - 1) + 1]
