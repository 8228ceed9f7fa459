"""Stateless functions on Tensors, with PyTorch's names and arguments (``torch.nn.functional``)."""
from .activation import (
                         celu,
                         celu_,
                         elu,
                         elu_,
                         gelu,
                         glu,
                         hardshrink,
                         hardsigmoid,
                         hardswish,
                         hardtanh,
                         hardtanh_,
                         leaky_relu,
                         leaky_relu_,
                         log_softmax,
                         logsigmoid,
                         mish,
                         prelu,
                         relu,
                         relu6,
                         relu_,
                         rrelu,
                         rrelu_,
                         selu,
                         selu_,
                         sigmoid,
                         silu,
                         softmax,
                         softmin,
                         softplus,
                         softshrink,
                         softsign,
                         tanh,
                         tanhshrink,
                         threshold,
                         threshold_,
)
from .adaptive_max_pooling import adaptive_max_pool1d, adaptive_max_pool2d
from .attention import scaled_dot_product_attention
from .bilinear import bilinear
from .channel_shuffle import channel_shuffle
from .conv import conv2d, conv_transpose2d
from .conv1d import conv1d, conv_transpose1d
from .distance import cosine_similarity, normalize, pairwise_distance
from .dropout import dropout, dropout2d
from .embedding import embedding, one_hot
from .embedding_bag import embedding_bag
from .fold import fold, unfold
from .gumbel import gumbel_softmax
from .linear import linear
from .loss import (
                         binary_cross_entropy,
                         binary_cross_entropy_with_logits,
                         cosine_embedding_loss,
                         cross_entropy,
                         gaussian_nll_loss,
                         hinge_embedding_loss,
                         huber_loss,
                         kl_div,
                         l1_loss,
                         margin_ranking_loss,
                         mse_loss,
                         multi_margin_loss,
                         multilabel_margin_loss,
                         multilabel_soft_margin_loss,
                         nll_loss,
                         poisson_nll_loss,
                         smooth_l1_loss,
                         soft_margin_loss,
                         triplet_margin_loss,
                         triplet_margin_with_distance_loss,
)
from .normalization import batch_norm, group_norm, instance_norm, layer_norm
from .padding import pad
from .pixel_shuffle import pixel_shuffle, pixel_unshuffle
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .pooling1d import adaptive_avg_pool1d, avg_pool1d, max_pool1d
from .sampling_grid import affine_grid, grid_sample
from .unpooling import max_unpool1d, max_unpool2d
from .upsampling import interpolate, upsample_bilinear, upsample_nearest
