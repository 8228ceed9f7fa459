"""Stateless functions on Tensors, with PyTorch's names and arguments (``torch.nn.functional``)."""
from .activation import leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from .conv import conv2d, conv_transpose2d
from .dropout import dropout
from .linear import linear
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    l1_loss,
    mse_loss,
    nll_loss,
)
from .normalization import batch_norm
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .upsampling import interpolate, upsample_nearest
