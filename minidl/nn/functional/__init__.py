"""Stateless functions on Tensors, with PyTorch's names and arguments (``torch.nn.functional``)."""
from .activation import (
                         elu,
                         gelu,
                         leaky_relu,
                         log_softmax,
                         relu,
                         sigmoid,
                         silu,
                         softmax,
                         softplus,
                         tanh,
)
from .conv import conv2d, conv_transpose2d
from .dropout import dropout, dropout2d
from .embedding import embedding, one_hot
from .linear import linear
from .loss import (
                         binary_cross_entropy,
                         binary_cross_entropy_with_logits,
                         cross_entropy,
                         huber_loss,
                         l1_loss,
                         mse_loss,
                         nll_loss,
                         smooth_l1_loss,
)
from .normalization import batch_norm, group_norm, instance_norm, layer_norm
from .padding import pad
from .pixel_shuffle import pixel_shuffle, pixel_unshuffle
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .upsampling import interpolate, upsample_bilinear, upsample_nearest
