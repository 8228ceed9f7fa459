"""CUDA kernels: CuPy arrays, CUDA C compiled once per dtype on first use, cuBLAS for the
matrix products (``cupy.matmul``).  Only this package imports CuPy for kernels; the registry
imports it for CuPy arrays alone, so CPU-only installs never load it."""
from .activation import relu_backward, relu_forward
from .batchnorm import (
    batch_norm_backward_eval,
    batch_norm_backward_train,
    batch_norm_forward_eval,
    batch_norm_forward_train,
    batch_norm_update_running,
)
from .conv import (
    conv2d_backward_bias,
    conv2d_backward_input,
    conv2d_backward_weight,
    conv2d_forward,
    conv_transpose2d_forward,
)
from .linalg import matmul
from .optim import adadelta_update, adam_update
from .pooling import (
    adaptive_avg_pool2d_backward,
    adaptive_avg_pool2d_forward,
    avg_pool2d_backward,
    avg_pool2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)
from .softmax import (
    log_softmax_backward,
    log_softmax_forward,
    softmax_backward,
    softmax_forward,
)
from .special import erf, erfc
from .upsample import upsample_nearest2d_backward, upsample_nearest2d_forward
