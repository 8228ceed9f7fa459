"""F.affine_grid and F.grid_sample (spatial transformers): PyTorch parity of values and of
the gradients of input, grid and theta over modes x padding modes x align_corners, float64
gradient checks, the rounding and reflection rules, a spatial transformer's training step,
and the errors."""
import itertools
import warnings
from fractions import Fraction

import numpy as np
import pytest
from helpers import host, leaf

import minidl
import minidl.nn.functional as F
from minidl import gradcheck
from minidl.ops.fused_multiply_add import fused_multiply_add
from minidl.ops.grid_sample import source_coordinates

MODES = ("bilinear", "nearest")
PADDINGS = ("zeros", "border", "reflection")
SETTINGS = list(itertools.product(MODES, PADDINGS, (True, False)))
IDS = [f"{mode}-{padding}-{'aligned' if align else 'edges'}"
       for mode, padding, align in SETTINGS]
SHAPES = [(1, 1, 5, 7, 4, 6), (3, 4, 6, 3, 5, 4), (2, 1, 1, 4, 3, 2)]
"""(N, C, H, W, H_out, W_out): non-square, batch 1 and 3, one and four channels, and an
image one pixel high (reflection with aligned corners then has nothing to span)."""


def normalized(pixels, size: int, align_corners: bool):
    """The grid coordinate of pixel coordinate(s) ``pixels`` along an axis of ``size``."""
    pixels = np.asarray(pixels, dtype=np.float64)
    if align_corners:
        return 2 * pixels / (size - 1) - 1 if size > 1 else np.zeros_like(pixels)
    return (2 * pixels + 1) / size - 1


def sample_grid(rng, n, height, width, h_out, w_out, align_corners):
    """Points inside the image, exactly on pixel centres, halves between them and its
    edges (±1), and far outside (beyond several reflections): (N, H_out, W_out, 2)."""
    count = n * h_out * w_out
    columns = []
    for size in (width, height):
        lattice = normalized(np.arange(-2 * size, 3 * size) / 2, size, align_corners)
        special = np.concatenate([lattice, [-1.0, 1.0, 0.0, -7.3, 9.6, -3.05, 4.4]])
        values = rng.uniform(-1.3, 1.3, count)
        chosen = rng.random(count) < 0.5
        values[chosen] = rng.choice(special, int(chosen.sum()))
        columns.append(values)
    return np.stack(columns, axis=-1).reshape(n, h_out, w_out, 2)


def run_both(torch, fn_ours, fn_theirs, arrays, rng):
    """Both engines on the same float64 arrays: (outputs, gradients) of each, for one
    random output gradient; every input requires a gradient."""
    ours = [leaf(a) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, out_ref = fn_ours(*ours), fn_theirs(*theirs)
    seed = rng.standard_normal(tuple(out_ref.shape))
    out.backward(minidl.tensor(seed))
    out_ref.backward(torch.tensor(seed))
    return ((out.detach().numpy(), [t.grad.numpy() for t in ours]),
            (out_ref.detach().numpy(), [t.grad.numpy() for t in theirs]))


def assert_same(ours, theirs, names):
    (out, grads), (out_ref, grads_ref) = ours, theirs
    np.testing.assert_allclose(out, out_ref, rtol=1e-10, atol=1e-12, err_msg="output")
    for name, grad, grad_ref in zip(names, grads, grads_ref):
        np.testing.assert_allclose(grad, grad_ref, rtol=1e-9, atol=1e-11,
                                   err_msg=f"gradient of {name}")


# -- parity with PyTorch ---------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES, ids=["n1c1", "n3c4", "one-row"])
@pytest.mark.parametrize("mode,padding,align", SETTINGS, ids=IDS)
def test_grid_sample_matches_torch(mode, padding, align, shape, rng, torch):
    n, c, h, w, h_out, w_out = shape
    image = rng.standard_normal((n, c, h, w))
    grid = sample_grid(rng, n, h, w, h_out, w_out, align)
    ours, theirs = run_both(
        torch, lambda x, g: F.grid_sample(x, g, mode, padding, align),
        lambda x, g: torch.nn.functional.grid_sample(x, g, mode, padding, align),
        [image, grid], rng)
    assert_same(ours, theirs, ["input", "grid"])
    if mode == "nearest":
        assert not ours[1][1].any()                   # nearest: no gradient to the grid


@pytest.mark.parametrize("mode,padding,align", SETTINGS, ids=IDS)
def test_affine_grid_then_grid_sample_match_torch(mode, padding, align, rng, torch):
    """A spatial transformer's geometry: theta -> grid -> image, gradients to the image and
    theta.  The identity at half the size puts nearest's points on exact halves."""
    image = rng.standard_normal((3, 2, 8, 6))
    theta = np.array([[[1.0, 0, 0], [0, 1, 0]],
                      [[0.8, -0.6, 0.1], [0.6, 0.8, -0.2]],
                      [[1.7, 0.3, 0.9], [-0.4, 1.2, 1.1]]])
    size = (3, 2, 4, 5) if align else (3, 2, 4, 3)

    def ours(x, t):
        return F.grid_sample(x, F.affine_grid(t, size, align), mode, padding, align)

    def theirs(x, t):
        functional = torch.nn.functional
        return functional.grid_sample(x, functional.affine_grid(t, size, align), mode,
                                      padding, align)

    assert_same(*run_both(torch, ours, theirs, [image, theta], rng), ["input", "theta"])


@pytest.mark.parametrize("align", [True, False])
@pytest.mark.parametrize("size", [(2, 3, 4, 7), (1, 1, 1, 5), (3, 2, 9, 1)])
def test_affine_grid_matches_torch(size, align, rng, torch):
    theta = rng.standard_normal((size[0], 2, 3))
    identity = np.array([[[1.0, 0, 0], [0, 1, 0]]] * size[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")               # the unit-size warning
        assert_same(*run_both(torch, lambda t: F.affine_grid(t, size, align),
                               lambda t: torch.nn.functional.affine_grid(t, size, align),
                               [theta], rng), ["theta"])
        ours = F.affine_grid(minidl.tensor(identity), size, align).numpy()
        theirs = torch.nn.functional.affine_grid(torch.tensor(identity), size, align).numpy()
    assert np.array_equal(ours, theirs)               # the pixel centres, to the last bit


def test_float32_keeps_its_dtype_and_matches_torch(rng, torch):
    image = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)
    grid = sample_grid(rng, 2, 5, 4, 3, 3, False).astype(np.float32)
    for mode, padding in itertools.product(MODES, PADDINGS):
        out = F.grid_sample(minidl.tensor(image), minidl.tensor(grid), mode, padding, False)
        ref = torch.nn.functional.grid_sample(torch.tensor(image), torch.tensor(grid), mode,
                                              padding, False)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-6)


# -- the rules, without PyTorch --------------------------------------------------------------
def test_nearest_rounds_halves_to_even():
    """Width 4 without aligned corners: gx = -0.5, 0, 0.5 are pixel columns 0.5, 1.5, 2.5,
    which round to 0, 2 and 2 (nearbyint), and gx = -1 is column -0.5, rounded to -0:
    pixel 0."""
    image = minidl.tensor(np.array([[[[10.0, 11.0, 12.0, 13.0]]]]))
    grid = minidl.tensor(np.array([[[[-0.5, 0.0], [0.0, 0.0], [0.5, 0.0], [-1.0, 0.0]]]]))
    out = F.grid_sample(image, grid, mode="nearest", align_corners=False)
    assert out.numpy().ravel().tolist() == [10.0, 12.0, 12.0, 10.0]


def test_bilinear_blends_the_four_neighbours():
    """Pixel (y, x) = (0.25, 1.5) of a 2x3 image: rows 0 and 1 weighted 3/4 and 1/4,
    columns 1 and 2 half each; a point past the edge reads zeros for its outer half."""
    image = np.array([[[[0.0, 2.0, 4.0], [8.0, 10.0, 12.0]]]])
    point = [normalized(1.5, 3, True), normalized(0.25, 2, True)]
    outside = [normalized(2.5, 3, True), normalized(0.0, 2, True)]
    out = F.grid_sample(minidl.tensor(image), minidl.tensor(np.array([[[point, outside]]])),
                        align_corners=True)
    expected = 0.75 * (2 + 4) / 2 + 0.25 * (10 + 12) / 2
    np.testing.assert_allclose(out.numpy().ravel(), [expected, 0.5 * 4.0], rtol=1e-14)


@pytest.mark.parametrize("align,pixels,expected,slopes", [
    # aligned corners, 4 pixels: mirrors at the first and last centres (0 and 3), period 6
    (True, [4.0, -1.0, 7.0, 1.5, -4.5], [2.0, 1.0, 1.0, 1.5, 1.5], [-1, -1, 1, 1, 1]),
    # outer edges, 4 pixels: mirrors at -0.5 and 3.5 (period 8), then clamped to [0, 3]
    # (a point clamped to 0 or 3 has slope 0)
    (False, [4.25, -1.0, 8.5, 1.5, -0.25], [2.75, 0.0, 0.5, 1.5, 0.0], [-1, 0, 1, 1, 0]),
])
def test_reflection_rules(align, pixels, expected, slopes):
    coords = normalized(pixels, 4, align)
    x, slope = source_coordinates(coords, 4, "reflection", align)
    np.testing.assert_allclose(x, expected, atol=1e-12)
    scale = 1.5 if align else 2.0                     # dx/dg = (size - 1)/2 or size/2
    np.testing.assert_allclose(slope, np.array(slopes) * scale)
    clamped, border_slope = source_coordinates(coords, 4, "border", align)
    np.testing.assert_allclose(clamped, np.clip(pixels, 0, 3), atol=1e-12)
    assert border_slope.tolist() == [0.0 if p <= 0 or p >= 3 else scale for p in pixels]


def test_fused_multiply_add_rounds_once(rng):
    """a·b + c rounded once, against exact rational arithmetic; the case that decides a
    pixel: (2/3 rounded)·3 - 0.5 is 0.5000000000000001, not the 0.5 of two roundings."""
    a = rng.standard_normal(300) * 10.0 ** rng.integers(-3, 4, 300)
    b, c = rng.standard_normal(300), rng.standard_normal(300)
    exact = [float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c)]
    assert fused_multiply_add(a, b, c).tolist() == exact
    third = np.array([1 - 2 / 3])
    assert third * 3 - 0.5 == 0.5 and fused_multiply_add(third, 3.0, -0.5) > 0.5
    single = fused_multiply_add(third.astype(np.float32), 3.0, -0.5)
    assert single.dtype == np.float32


def test_identity_transform_reads_the_image_back(rng):
    image = minidl.tensor(rng.standard_normal((2, 3, 5, 6)))
    identity = minidl.tensor(np.array([[[1.0, 0, 0], [0, 1, 0]]] * 2))
    for align in (True, False):
        grid = F.affine_grid(identity, image.shape, align_corners=align)
        for mode in MODES:
            out = F.grid_sample(image, grid, mode=mode, align_corners=align)
            np.testing.assert_allclose(out.numpy(), image.numpy(), atol=1e-12)


# -- float64 gradient checks -----------------------------------------------------------------
def smooth_grid(rng, n, height, width, h_out, w_out, align_corners):
    """Points whose pixel coordinates are 0.15-0.35 or 0.65-0.85 past a whole number (away
    from the integers where bilinear weights kink and the halves where reflections without
    aligned corners turn), some beyond the image."""
    columns = []
    for size in (width, height):
        whole = rng.integers(-2, size + 2, n * h_out * w_out)
        fraction = rng.uniform(0.15, 0.35, whole.shape) + 0.5 * rng.integers(0, 2, whole.shape)
        columns.append(normalized(whole + fraction, size, align_corners))
    return np.stack(columns, axis=-1).reshape(n, h_out, w_out, 2)


@pytest.mark.parametrize("mode,padding,align", SETTINGS, ids=IDS)
def test_gradcheck_input_and_grid(mode, padding, align, rng):
    image = leaf(rng.standard_normal((2, 2, 3, 4)))
    grid = leaf(smooth_grid(rng, 2, 3, 4, 2, 3, align), requires_grad=mode == "bilinear")
    assert gradcheck(lambda x, g: F.grid_sample(x, g, mode, padding, align), (image, grid))


@pytest.mark.parametrize("align", [True, False])
def test_gradcheck_theta(align, rng):
    theta = leaf(rng.standard_normal((2, 2, 3)))
    assert gradcheck(lambda t: F.affine_grid(t, (2, 1, 3, 4), align), (theta,))
    image = leaf(rng.standard_normal((2, 2, 5, 4)), requires_grad=False)
    rotation = leaf(np.array([[[0.91, -0.33, 0.047], [0.35, 0.86, -0.113]],
                              [[1.13, 0.21, -0.153], [-0.09, 0.73, 0.217]]]))
    size = (2, 2, 3, 3)
    grid = F.affine_grid(rotation, size, align).detach().numpy()
    pixels = [source_coordinates(grid[..., axis], image.shape[3 - axis], "zeros", align)[0]
              for axis in (0, 1)]
    assert all(np.abs(p - np.round(p)).min() > 0.01 for p in pixels)  # no kink within reach
    assert gradcheck(lambda t: F.grid_sample(image, F.affine_grid(t, size, align),
                                             padding_mode="border", align_corners=align),
                     (rotation,))


# -- a spatial transformer network -----------------------------------------------------------
def make_stn(nn, functional):
    """A small STN for 8x8 images, written once for both engines: a localization net
    predicts theta, affine_grid and grid_sample warp the input, a linear head classifies."""

    class STN(nn.Module):
        def __init__(self):
            super().__init__()
            self.localization = nn.Sequential(nn.Conv2d(1, 4, 3), nn.MaxPool2d(2), nn.ReLU())
            self.theta = nn.Linear(4 * 3 * 3, 6)
            self.head = nn.Linear(8 * 8, 3)

        def forward(self, x):
            theta = self.theta(self.localization(x).flatten(1)).view(-1, 2, 3)
            grid = functional.affine_grid(theta, x.size(), align_corners=False)
            x = functional.grid_sample(x, grid, align_corners=False)
            return self.head(x.flatten(1))

    return STN()


def test_spatial_transformer_training_step_matches_torch(rng, torch):
    ours = make_stn(minidl.nn, F).double()
    theirs = make_stn(torch.nn, torch.nn.functional).double()
    state = {}
    for name, value in ours.state_dict().items():
        if name == "theta.weight":
            value = minidl.tensor(0.1 * rng.standard_normal(value.shape))
        if name == "theta.bias":                      # start near the identity, as usual
            value = minidl.tensor(np.array([1.0, 0.1, 0, -0.1, 1.0, 0]))
        state[name] = host(value)
    ours.load_state_dict({k: minidl.tensor(v) for k, v in state.items()})
    theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    images, labels = rng.standard_normal((5, 1, 8, 8)), rng.integers(0, 3, 5)
    optimizers = (minidl.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9),
                  torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9))
    for _ in range(2):
        losses = []
        for engine, model, optimizer in ((minidl, ours, optimizers[0]),
                                         (torch, theirs, optimizers[1])):
            optimizer.zero_grad()
            loss = engine.nn.functional.cross_entropy(model(engine.tensor(images)),
                                                      engine.tensor(labels))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        np.testing.assert_allclose(losses[0], losses[1], rtol=1e-12)
    for (name, mine), (_, reference) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(host(mine), reference.detach().numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=name)


# -- shapes, warnings and errors -------------------------------------------------------------
def test_empty_batches_channels_and_grids():
    for shape, grid_shape in [((0, 3, 4, 5), (0, 6, 7, 2)), ((2, 0, 4, 5), (2, 6, 7, 2)),
                              ((2, 3, 4, 5), (2, 0, 7, 2))]:
        image = minidl.zeros(*shape, dtype=minidl.float64, requires_grad=True)
        grid = minidl.zeros(*grid_shape, dtype=minidl.float64, requires_grad=True)
        out = F.grid_sample(image, grid, align_corners=True)
        out.sum().backward()
        assert out.shape == (shape[0], shape[1], *grid_shape[1:3])
        assert image.grad.shape == shape and grid.grad.shape == grid_shape


def test_align_corners_default_warns_as_torch():
    image, grid = minidl.zeros(1, 1, 2, 2), minidl.zeros(1, 1, 1, 2)
    message = r"Default grid_sample and affine_grid behavior has changed to align_corners=False"
    with pytest.warns(UserWarning, match=message):
        F.grid_sample(image, grid)
    with pytest.warns(UserWarning, match=message):
        F.affine_grid(minidl.zeros(1, 2, 3), (1, 1, 2, 2))
    with pytest.warns(UserWarning, match="affine_grid behavior has changed for unit-size"):
        F.affine_grid(minidl.zeros(1, 2, 3), (1, 1, 1, 2), align_corners=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.grid_sample(image, grid, align_corners=False)


def test_grid_sample_errors():
    image = minidl.zeros(2, 3, 4, 5)
    grid = minidl.zeros(2, 6, 7, 2)
    cases = [
        ((image, minidl.zeros(3, 6, 7, 2)), RuntimeError,
         r"same batch size, but got input with sizes \(2, 3, 4, 5\) and grid with sizes "
         r"\(3, 6, 7, 2\)"),
        ((image, minidl.zeros(2, 6, 7, 3)), RuntimeError,
         r"expected grid to have size 2 in last dimension, but got grid with sizes "
         r"\(2, 6, 7, 3\)"),
        ((image, minidl.zeros(2, 6, 2)), RuntimeError, "same number of dimensions"),
        ((minidl.zeros(2, 3, 0, 5), grid), RuntimeError, "dimension 2 being empty"),
        ((image, grid.double()), RuntimeError, "expected grid to have the input's dtype"),
        ((image.int(), grid.int()), TypeError, "input must be floating point"),
        ((image.numpy(), grid), TypeError, "input must be a Tensor"),
    ]
    for arguments, error, message in cases:
        with pytest.raises(error, match=message):
            F.grid_sample(*arguments, align_corners=False)
    with pytest.raises(ValueError, match="expected mode to be 'bilinear', 'nearest' or "
                                         "'bicubic', but got: 'area'"):
        F.grid_sample(image, grid, mode="area", align_corners=False)
    with pytest.raises(ValueError, match="expected padding_mode to be 'zeros', 'border', or "
                                         "'reflection', but got: 'wrap'"):
        F.grid_sample(image, grid, padding_mode="wrap", align_corners=False)
    with pytest.raises(NotImplementedError, match="mode 'bicubic' is not implemented"):
        F.grid_sample(image, grid, mode="bicubic", align_corners=False)
    with pytest.raises(NotImplementedError, match="5-D inputs"):
        F.grid_sample(minidl.zeros(1, 1, 2, 3, 4), minidl.zeros(1, 2, 2, 2, 3),
                      align_corners=False)
    with pytest.raises(TypeError, match="align_corners must be a bool or None, got 1"):
        F.grid_sample(image, grid, align_corners=1)


def test_affine_grid_errors():
    theta = minidl.zeros(2, 2, 3)
    with pytest.raises(ValueError, match=r"Nx2x3 for size \[2, 3, 4, 5\]. Got \(2, 3, 3\)"):
        F.affine_grid(minidl.zeros(2, 3, 3), (2, 3, 4, 5), align_corners=False)
    with pytest.raises(RuntimeError, match=r"theta holds 2 matrices .* a batch of 3"):
        F.affine_grid(theta, (3, 3, 4, 5), align_corners=False)
    with pytest.raises(ValueError, match="positive output size. Got \\[2, 3, 0, 5\\]"):
        F.affine_grid(theta, (2, 3, 0, 5), align_corners=False)
    with pytest.raises(ValueError, match="expected theta to have floating point type"):
        F.affine_grid(theta.int(), (2, 3, 4, 5), align_corners=False)
    with pytest.raises(NotImplementedError, match="5-D sizes"):
        F.affine_grid(minidl.zeros(2, 3, 4), (2, 3, 4, 5, 6), align_corners=False)
    with pytest.raises(NotImplementedError, match="only supports 4D and 5D sizes"):
        F.affine_grid(theta, (2, 3, 4), align_corners=False)
    with pytest.raises(TypeError, match="size must be a sequence of ints"):
        F.affine_grid(theta, (2, 3, 4.0, 5), align_corners=False)


def test_grid_sample_on_cuda_matches_the_cpu(cuda, rng):
    image = rng.standard_normal((2, 3, 5, 4))
    grid = sample_grid(rng, 2, 5, 4, 3, 6, False)
    for mode, padding, align in SETTINGS:
        results = []
        for device in ("cpu", cuda):
            x = leaf(image).detach().to(device).requires_grad_()
            g = leaf(grid).detach().to(device).requires_grad_()
            out = F.grid_sample(x, g, mode, padding, align)
            out.backward(minidl.ones(*out.shape, dtype=minidl.float64).to(device))
            results.append([host(out), host(x.grad), host(g.grad)])
        for ours, reference in zip(*results):
            np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-12)
