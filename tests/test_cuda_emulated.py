"""The CUDA kernels of convolution, pooling, upsampling and batch norm against the
reference kernels, run on the CPU through ``cuda_emulation.py`` (their CUDA C built by the
host's C++ compiler, CuPy and cuBLAS stood in for by NumPy), so that CI, which has no GPU,
checks their index arithmetic and their cuBLAS arguments.  On a GPU, test_conv_kernels.py and
test_norm_pool_kernels.py run the same kernels for real."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

TESTS = Path(__file__).parent

CONV_CASES = [  # n, c_in, h, w, c_out, kernel, stride, padding, dilation, groups
    (1, 3, 7, 9, 4, (3, 3), (1, 1), (1, 1), (1, 1), 1),
    (2, 4, 8, 7, 6, (2, 3), (2, 1), (0, 2), (1, 2), 2),
    (3, 2, 9, 11, 4, (4, 4), (2, 2), (1, 1), (1, 1), 1),
    (2, 6, 5, 5, 6, (3, 1), (3, 2), (2, 0), (2, 1), 3),
    (1, 1, 6, 6, 2, (1, 1), (1, 1), (0, 0), (1, 1), 1),
    (4, 8, 3, 5, 16, (3, 3), (1, 1), (1, 1), (1, 1), 4),
    (2, 3, 4, 4, 5, (5, 5), (1, 1), (2, 2), (1, 1), 1),     # kernel larger than the image
]
POOL_CASES = [  # shape, kernel, stride, padding, dilation, ceil_mode
    ((2, 3, 7, 9), (2, 2), (2, 2), (0, 0), (1, 1), False),
    ((1, 2, 8, 7), (3, 2), (2, 1), (1, 1), (1, 1), True),
    ((2, 1, 9, 9), (3, 3), (1, 2), (1, 0), (2, 2), False),
    ((1, 4, 5, 6), (2, 3), (3, 3), (1, 1), (1, 1), True),
]


def check_every_case(build_dir) -> int:
    """Every case on both dtypes, the emulated CUDA kernels (built in ``build_dir``)
    against the reference: the number of comparisons made (raises at the first
    difference)."""
    import cuda_emulation
    cuda = cuda_emulation.install(build_dir)
    from minidl.kernels import reference
    from minidl.kernels.cuda import batchnorm as cuda_batchnorm
    from minidl.kernels.cuda import conv as cuda_conv

    rng = np.random.default_rng(0)
    compared = 0

    def same(mine, theirs, dtype, what):
        nonlocal compared
        mine, theirs = np.asarray(mine), np.asarray(theirs)
        assert mine.shape == theirs.shape, (what, mine.shape, theirs.shape)
        scale = max(1.0, float(np.abs(theirs).max(initial=0)))
        tolerance = 1e-12 if dtype == np.float64 else 2e-5
        assert np.abs(mine - theirs).max(initial=0) <= tolerance * scale, what
        compared += 1

    for dtype in (np.float64, np.float32):
        def sample(*shape):     # a non-contiguous view, as the kernels meet in use
            values = np.swapaxes(rng.standard_normal(shape).astype(dtype), 0, -1)
            return np.swapaxes(np.ascontiguousarray(values), 0, -1)

        for budget in (cuda_conv.COLUMN_BUDGET, 1):                # one chunk, or one a image
            cuda_conv.COLUMN_BUDGET = budget
            for n, c_in, h, w, c_out, kernel, stride, padding, dilation, groups in CONV_CASES:
                x, bias = sample(n, c_in, h, w), sample(c_out)
                weight = sample(c_out, c_in // groups, *kernel)
                options = (stride, padding, dilation, groups)
                y = reference.conv2d_forward(x, weight, bias, *options)
                gy = sample(*y.shape)
                what = f"conv {dtype.__name__} {(n, c_in, h, w, c_out, kernel, *options)}"
                same(cuda.conv2d_forward(x, weight, bias, *options), y, dtype, what)
                same(cuda.conv2d_backward_input(gy, weight, (h, w), *options),
                     reference.conv2d_backward_input(gy, weight, (h, w), *options), dtype, what)
                same(cuda.conv2d_backward_weight(x, gy, kernel, *options),
                     reference.conv2d_backward_weight(x, gy, kernel, *options), dtype, what)
                bias_t = sample(c_in)
                same(cuda.conv_transpose2d_forward(gy, weight, bias_t, (h, w), *options),
                     reference.conv_transpose2d_forward(gy, weight, bias_t, (h, w), *options),
                     dtype, what)
        for shape, kernel, stride, padding, dilation, ceil_mode in POOL_CASES:
            x = sample(*shape)
            what = f"pool {dtype.__name__} {(shape, kernel, stride, padding, dilation)}"
            y, indices = reference.max_pool2d_forward(x, kernel, stride, padding, dilation,
                                                      ceil_mode)
            mine_y, mine_indices = cuda.max_pool2d_forward(x, kernel, stride, padding,
                                                           dilation, ceil_mode)
            same(mine_y, y, dtype, what)
            assert np.array_equal(mine_indices, indices), what
            gy = sample(*y.shape)
            same(cuda.max_pool2d_backward(gy, indices, shape, kernel, stride, padding, dilation),
                 reference.max_pool2d_backward(gy, indices, shape, kernel, stride, padding,
                                               dilation), dtype, what)
            if dilation == (1, 1) and all(2 * p <= k for p, k in zip(padding, kernel)):
                for include_pad, divisor in ((True, None), (False, None), (True, 3)):
                    options = (kernel, stride, padding, ceil_mode, include_pad, divisor)
                    y = reference.avg_pool2d_forward(x, *options)
                    same(cuda.avg_pool2d_forward(x, *options), y, dtype, what)
                    gy = sample(*y.shape)
                    same(cuda.avg_pool2d_backward(gy, shape, *options),
                         reference.avg_pool2d_backward(gy, shape, *options), dtype, what)
            for size in ((1, 1), (3, 4), shape[2:]):
                y = reference.adaptive_avg_pool2d_forward(x, size)
                same(cuda.adaptive_avg_pool2d_forward(x, size), y, dtype, what)
                gy = sample(*y.shape)
                same(cuda.adaptive_avg_pool2d_backward(gy, shape),
                     reference.adaptive_avg_pool2d_backward(gy, shape), dtype, what)
            for scale in ((2, 2), (1, 3)):
                y = reference.upsample_nearest2d_forward(x, *scale)
                same(cuda.upsample_nearest2d_forward(x, *scale), y, dtype, what)
                gy = sample(*y.shape)
                same(cuda.upsample_nearest2d_backward(gy, *scale),
                     reference.upsample_nearest2d_backward(gy, *scale), dtype, what)
        cuda_batchnorm.ELEMENTS_PER_BLOCK = 7          # many slices a channel, one a short one
        for shape in ((5, 3), (2, 4, 9), (3, 2, 5, 4), (1, 3, 2, 2)):
            x = sample(*shape) * 3 + 5                            # far from 0: the centring
            weight, bias, eps = sample(shape[1]), sample(shape[1]), 1e-5
            what = f"batch norm {dtype.__name__} {shape}"
            for affine in ((weight, bias), (None, None)):
                y, mean, var = reference.batch_norm_forward_train(x, *affine, eps)
                for mine, theirs in zip(cuda.batch_norm_forward_train(x, *affine, eps),
                                        (y, mean, var)):
                    same(mine, theirs, dtype, what)
                gy = sample(*shape)
                for mine, theirs in zip(
                        cuda.batch_norm_backward_train(gy, x, mean, var, affine[0], eps),
                        reference.batch_norm_backward_train(gy, x, mean, var, affine[0], eps)):
                    same(mine, theirs, dtype, what)
                running = (mean + 0.5, var + 1)
                same(cuda.batch_norm_forward_eval(x, *running, *affine, eps),
                     reference.batch_norm_forward_eval(x, *running, *affine, eps), dtype, what)
                for mine, theirs in zip(
                        cuda.batch_norm_backward_eval(gy, x, *running, affine[0], eps),
                        reference.batch_norm_backward_eval(gy, x, *running, affine[0], eps)):
                    same(mine, theirs, dtype, what)
    return compared


@pytest.mark.skipif(shutil.which("g++") is None, reason="no C++ compiler (g++) here")
def test_cuda_kernels_emulated_on_the_cpu_match_the_reference(tmp_path):
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(TESTS), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", "import test_cuda_emulated as t; "
                           "print('compared', t.check_every_case('.'))"],
                          capture_output=True, text=True, env=environment, cwd=tmp_path,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert int(done.stdout.split("compared")[-1]) > 300
