"""The tasks of the studies (see :mod:`minidl.training.task` for the interface).

=============================  ======================================================
``ClassificationTask``         one class per image: cross-entropy, accuracy, confusion
``MultiLabelTask``             several digits per image: sigmoid + BCE, exact match, F1
``ColorizationTask``           colours by regression (MSE), RGB or Lab targets
``PaletteColorizationTask``    colours as per-pixel classes of a k-means palette
``GANColorizationTask``        a conditional GAN: generator + discriminator
``JointTask``                  Iizuka: colourize and/or classify, MSE + CE / 200
=============================  ======================================================
"""
from .classification import ClassificationTask
from .colorization import ColorizationTask
from .gan import GANColorizationTask
from .joint import JointTask
from .multilabel import MultiLabelTask
from .palette import PaletteColorizationTask

__all__ = ["ClassificationTask", "MultiLabelTask", "ColorizationTask",
           "PaletteColorizationTask", "GANColorizationTask", "JointTask"]
