"""The study models: forward and backward on tiny inputs, output shapes and ranges, the
seeds' parameter counts, Iizuka's gradient isolation, the layer summary; and
nn.MultiheadAttention (PyTorch parity, gradient check, errors)."""
import numpy as np
import pytest
from helpers import leaf, untied

import minidl
import minidl.nn as nn
import minidl.nn.functional as F
from minidl import gradcheck
from minidl.models import (
    MODELS,
    ColorizedMNISTNet,
    GANDiscriminator,
    GANGenerator,
    IizukaNet,
    LabColorizerAttention,
    LabColorizerBasic,
    LabColorizerBatch,
    LabColorizerSkip,
    MultiDigitNet,
    RegressionColorizer,
    UNetColorClassifier,
    summary,
)
from minidl.models.iizuka import ResidualConvBlock


def _random_batch(rng, *shape):
    return minidl.tensor(rng.uniform(0, 1, shape).astype(np.float32))


# -- every model: forward and backward at its smallest size ---------------------------
# (model factory, input shapes with batch 2, expected output shape, output range or None)
CASES = {
    "colorized-mnist-rgb": (lambda: ColorizedMNISTNet(), [(2, 3, 28, 28)], (2, 10), None),
    "colorized-mnist-gray": (lambda: ColorizedMNISTNet(in_channels=1, num_classes=7),
                             [(2, 1, 28, 28)], (2, 7), None),
    "multidigit": (lambda: MultiDigitNet(image_size=22), [(2, 1, 22, 22)], (2, 30), None),
    "regression": (lambda: RegressionColorizer(width=4), [(2, 1, 4, 4)], (2, 3, 4, 4),
                   (0, 1)),
    "unet-classify": (lambda: UNetColorClassifier(width=4), [(2, 1, 4, 4)], (2, 24, 4, 4),
                      None),
    "gan-generator": (lambda: GANGenerator(width=2), [(2, 1, 32, 32)], (2, 3, 32, 32),
                      (-1, 1)),
    "gan-discriminator": (lambda: GANDiscriminator(width=4, image_size=8),
                          [(2, 1, 8, 8), (2, 3, 8, 8)], (2, 1), (0, 1)),
    "lab-basic": (lambda: LabColorizerBasic(), [(2, 1, 5, 3)], (2, 2, 5, 3), (-1, 1)),
    "lab-batch": (lambda: LabColorizerBatch(), [(2, 1, 8, 16)], (2, 2, 8, 16), (-1, 1)),
    "lab-skip": (lambda: LabColorizerSkip(width=2), [(2, 1, 8, 8)], (2, 2, 8, 8), (-1, 1)),
    "lab-attention": (lambda: LabColorizerAttention(width=2, num_heads=2), [(2, 1, 16, 8)],
                      (2, 2, 16, 8), (-1, 1)),
}


@pytest.mark.parametrize("case", CASES)
def test_model_forward_backward_shapes_and_ranges(case, rng):
    """Output shape and range; and backward gives the derivative of the whole model: moving
    every parameter by ε along the gradient g of L = <output, u> changes L by ε·|g|
    (central differences, float64, evaluation mode so that dropout holds still)."""
    factory, input_shapes, output_shape, bounds = CASES[case]
    model = factory()
    inputs = [_random_batch(rng, *shape) for shape in input_shapes]
    output = model(*inputs)
    assert output.shape == output_shape
    values = output.detach().numpy()
    assert np.isfinite(values).all()
    if bounds is not None:
        assert values.min() >= bounds[0] and values.max() <= bounds[1]
    model.double().eval()
    inputs = [x.double() for x in inputs]
    weights = minidl.tensor(rng.standard_normal(output_shape))
    (model(*inputs) * weights).sum().backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None, f"{case}: no gradient reached {name}"
        assert parameter.grad.shape == parameter.shape
    parameters = list(model.parameters())
    starts = [p.detach().numpy().copy() for p in parameters]
    grads = [p.grad.numpy() for p in parameters]
    norm = np.sqrt(sum(float((g * g).sum()) for g in grads))
    assert norm > 0

    def loss_moved_by(step):
        with minidl.no_grad():
            for parameter, start, grad in zip(parameters, starts, grads):
                parameter.copy_(start + grad * (step / norm))
            return (model(*inputs) * weights).sum().item()

    eps = 1e-6
    slope = (loss_moved_by(eps) - loss_moved_by(-eps)) / (2 * eps)
    assert slope == pytest.approx(norm, rel=1e-4), case


@pytest.mark.parametrize("model,bad_shape,message", [
    (ColorizedMNISTNet(), (2, 1, 28, 28), r"ColorizedMNISTNet: expected input \(N, 3, 28, 28\)"),
    (MultiDigitNet(image_size=22), (2, 1, 24, 24), r"expected input \(N, 1, 22, 22\)"),
    (RegressionColorizer(width=2), (2, 1, 6, 8), "multiples of 4"),
    (UNetColorClassifier(width=2), (2, 3, 8, 8), r"expected input \(N, 1, H, W\)"),
    (GANGenerator(width=2), (2, 1, 16, 16), "multiples of 32"),
    (LabColorizerBatch(), (2, 1, 12, 16), "LabColorizerBatch: .*multiples of 8"),
    (LabColorizerSkip(width=2), (1, 8, 8), r"expected input \(N, 1, H, W\)"),
    (IizukaNet(width=2), (2, 1, 12, 8), "IizukaNet: .*multiples of 8"),
])
def test_models_reject_inputs_they_cannot_take(model, bad_shape, message):
    with pytest.raises(ValueError, match=message):
        model(minidl.zeros(*bad_shape))


def test_discriminator_checks_both_inputs():
    model = GANDiscriminator(width=2, image_size=8)
    with pytest.raises(ValueError, match=r"GANDiscriminator \(color\): expected input "
                                         r"\(N, 3, 8, 8\)"):
        model(minidl.zeros(2, 1, 8, 8), minidl.zeros(2, 1, 8, 8))
    with pytest.raises(ValueError, match="different batch sizes"):
        model(minidl.zeros(2, 1, 8, 8), minidl.zeros(3, 3, 8, 8))
    with pytest.raises(ValueError, match="multiple of 8"):
        GANDiscriminator(image_size=12)


def test_multidigit_default_size_and_smallest_size():
    model = MultiDigitNet()
    assert model(minidl.zeros(2, 1, 84, 84)).shape == (2, 30)
    with pytest.raises(ValueError, match="at least 22"):
        MultiDigitNet(image_size=21)


def test_unet_classifier_logits_give_a_distribution_per_pixel(rng):
    logits = UNetColorClassifier(num_colors=5, width=2)(_random_batch(rng, 2, 1, 8, 8))
    probabilities = F.softmax(logits, dim=1).detach().numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


# -- parameter counts the seeds print -------------------------------------------------
def _rows(text):
    """(layer, output shape, count) rows of a summary table."""
    lines = text.splitlines()
    body = lines[lines.index(next(l for l in lines if l.startswith("="))) + 1:]
    body = body[:body.index(next(l for l in body if l.startswith("=")))]
    rows = []
    for line in body:
        name, rest = line.split(")", 1)
        shape, count = rest.strip().rsplit(" ", 1)
        rows.append((name + ")", shape.strip(), int(count.replace(",", ""))))
    return rows


def test_lab_basic_has_figure_4_parameters():
    model = LabColorizerBasic()
    assert sum(p.numel() for p in model.parameters()) == 19_682
    rows = _rows(model.summary())
    convs = [(shape, count) for name, shape, count in rows if "Conv2d" in name]
    assert convs == [("(1, 64, 200, 200)", 640), ("(1, 32, 200, 200)", 18_464),
                     ("(1, 2, 200, 200)", 578)]


def test_lab_batch_matches_figure_8_layer_by_layer():
    model = LabColorizerBatch()
    trainable = sum(p.numel() for p in model.parameters())
    statistics = sum(b.numel() for b in model.buffers() if b.dtype.kind == "f")
    assert (trainable, statistics, trainable + statistics) == (43_820, 50, 43_870)
    text = model.summary()
    assert "Total params: 43,870" in text
    assert "Trainable params: 43,820" in text
    assert "Non-trainable params: 50" in text
    # Figure 8's rows (Keras prints NHWC; minidl NCHW), activations left out
    figure_8 = [
        ("BatchNorm2d", (1, 200, 200), 4), ("Conv2d", (8, 100, 100), 80),
        ("Conv2d", (8, 100, 100), 584), ("BatchNorm2d", (8, 100, 100), 32),
        ("Conv2d", (16, 100, 100), 1168), ("Conv2d", (16, 50, 50), 2320),
        ("BatchNorm2d", (16, 50, 50), 64), ("Conv2d", (32, 50, 50), 4640),
        ("Conv2d", (32, 25, 25), 9248), ("Upsample", (32, 50, 50), 0),
        ("Conv2d", (32, 50, 50), 9248), ("Conv2d", (32, 50, 50), 9248),
        ("Upsample", (32, 100, 100), 0), ("Conv2d", (16, 100, 100), 4624),
        ("Conv2d", (16, 100, 100), 2320), ("Upsample", (16, 200, 200), 0),
        ("Conv2d", (2, 200, 200), 290),
    ]
    rows = [(name.split("(")[-1].rstrip(")"), shape, count) for name, shape, count in
            _rows(text) if "ReLU" not in name and "Tanh" not in name]
    assert rows == [(kind, str((1,) + shape), count) for kind, shape, count in figure_8]


# -- Iizuka et al.: tasks, variants, gradient isolation --------------------------------
def _parameters_of(*modules):
    return {id(p) for m in modules for p in m.parameters()}


@pytest.mark.parametrize("variant", ["basic", "adam-dropout", "residual"])
def test_iizuka_tasks_give_their_outputs(variant, rng):
    x = _random_batch(rng, 2, 1, 8, 16)
    joint = IizukaNet("joint", variant, num_classes=3, width=4)
    ab, logits = joint(x)
    assert ab.shape == (2, 2, 4, 8) and logits.shape == (2, 3)
    assert 0 <= ab.detach().numpy().min() and ab.detach().numpy().max() <= 1
    colorize = IizukaNet("colorize", variant, width=4)
    out = colorize(x)
    assert out.logits is None and out.ab.shape == (2, 2, 4, 8)
    assert not hasattr(colorize, "global_features") and not hasattr(colorize, "fusion")
    classify = IizukaNet("classify", variant, num_classes=5, width=4)
    out = classify(x)
    assert out.ab is None and out.logits.shape == (2, 5)
    assert not hasattr(classify, "mid_level") and not hasattr(classify, "colorization")
    dropouts = [m for m in joint.modules() if isinstance(m, nn.Dropout)]
    assert len(dropouts) == (0 if variant == "basic" else 3)
    residual_blocks = [m for m in joint.modules() if isinstance(m, ResidualConvBlock)]
    # 6 low-level + 2 mid-level + 4 global + 4 colourization convolutions
    assert len(residual_blocks) == (16 if variant == "residual" else 0)


def test_iizuka_full_width_matches_the_paper_channels():
    model = IizukaNet(num_classes=20)
    convs = [m for m in model.low_level.modules() if isinstance(m, nn.Conv2d)]
    assert [(c.out_channels, c.stride) for c in convs] == [
        (64, (2, 2)), (128, (1, 1)), (128, (2, 2)), (256, (1, 1)), (256, (2, 2)),
        (512, (1, 1))]
    linears = [m for m in model.global_features.modules() if isinstance(m, nn.Linear)]
    assert [l.out_features for l in linears] == [1024, 512, 256]
    assert [l.out_features for l in model.classifier.modules()
            if isinstance(l, nn.Linear)] == [256, 20]


@pytest.mark.parametrize("variant", ["basic", "residual"])
def test_iizuka_classification_loss_stays_out_of_colorization_parts(variant, rng):
    model = IizukaNet("joint", variant, num_classes=3, width=4)
    x = _random_batch(rng, 2, 1, 16, 16)
    target_ab = _random_batch(rng, 2, 2, 8, 8)
    labels = minidl.tensor(np.array([0, 2]))
    colorization_only = _parameters_of(model.mid_level, model.fusion, model.colorization)
    classification_path = _parameters_of(model.low_level, model.global_features,
                                         model.classifier)

    ab, logits = model(x)
    (F.cross_entropy(logits, labels) / 200).backward()
    for p in model.parameters():
        if id(p) in colorization_only:
            assert p.grad is None
    assert all(p.grad is not None for p in model.parameters() if id(p) in classification_path)

    # the joint loss gives the colourization-only parts exactly the MSE's gradient
    def gradients(loss_of):
        model.zero_grad()
        minidl.manual_seed(0)
        loss_of(*model(x)).backward()
        return {id(p): p.grad.numpy().copy() for p in model.parameters()
                if id(p) in colorization_only}

    joint = gradients(lambda ab, logits: F.mse_loss(ab, target_ab)
                      + F.cross_entropy(logits, labels) / 200)
    mse_only = gradients(lambda ab, logits: F.mse_loss(ab, target_ab))
    for key in colorization_only:
        np.testing.assert_allclose(joint[key], mse_only[key], rtol=1e-5, atol=1e-9)


def test_iizuka_rejects_unknown_task_and_variant():
    with pytest.raises(ValueError, match="task must be one of"):
        IizukaNet(task="segment")
    with pytest.raises(ValueError, match="variant must be one of"):
        IizukaNet(variant="dense")
    with pytest.raises(ValueError, match="width must be an even int"):
        IizukaNet(width=3)


# -- summary ---------------------------------------------------------------------------
def test_summary_lists_layers_shapes_and_totals():
    model = ColorizedMNISTNet()
    text = summary(model, (1, 3, 28, 28))
    assert text.splitlines()[0].startswith('Model: "ColorizedMNISTNet"')
    assert "Layer (type)" in text and "Output Shape" in text and "Param #" in text
    rows = _rows(text)
    assert rows[0] == ("features.0.0 (Conv2d)", "(1, 16, 28, 28)", 3 * 16 * 9 + 16)
    assert rows[1] == ("features.0.1 (BatchNorm2d)", "(1, 16, 28, 28)", 4 * 16)
    assert ("features.3 (MaxPool2d)", "(1, 32, 7, 7)", 0) in rows
    assert rows[-1] == ("classifier.4 (Linear)", "(1, 10)", 128 * 10 + 10)
    trainable = sum(p.numel() for p in model.parameters())
    statistics = 2 * (16 + 32)  # batch norm's running means and variances
    assert sum(count for _, _, count in rows) == trainable + statistics
    assert f"Total params: {trainable + statistics:,}" in text
    assert f"Non-trainable params: {statistics}" in text
    assert text == model.summary()


def test_summary_changes_nothing_in_the_model():
    model = LabColorizerBatch()
    model.train()
    model.layers[0].eval()
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    summary(model, (2, 1, 16, 16))
    assert model.training and not model.layers[0].training and model.layers[1].training
    assert "forward" not in vars(model.layers[1])
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key])


def test_summary_of_models_with_several_inputs_and_attention():
    text = GANDiscriminator(width=2, image_size=8).summary(((1, 1, 8, 8), (1, 3, 8, 8)))
    assert "classify.2 (Sigmoid)" in text and "(1, 1)" in text
    text = LabColorizerAttention(width=2, num_heads=2).summary((1, 1, 16, 16))
    # attention owns parameters itself: one row for it, with its out_proj included
    row = next(r for r in _rows(text) if "MultiheadAttention" in r[0])
    assert row[0] == "refine.attention (MultiheadAttention)"
    assert row[2] == 4 * 16 * 16 + 4 * 16
    iizuka = IizukaNet(width=2).summary((1, 1, 16, 16))
    assert "(1, 2, 8, 8)" in iizuka and "(1, 20)" in iizuka


def test_summary_counts_a_shared_layer_once():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    rows = _rows(summary(model, minidl.zeros(2, 3)))
    assert [count for _, _, count in rows] == [12, 0, 0]


def test_summary_rejects_what_is_not_a_shape_or_a_model():
    with pytest.raises(TypeError, match="summary: input must be a shape"):
        summary(LabColorizerBasic(), "1x1x8x8")
    with pytest.raises(TypeError, match="summary: model must be an nn.Module"):
        summary(object(), (1, 1, 8, 8))


def test_models_registry_names_every_study_model():
    assert set(MODELS) == {"colorized-mnist-cnn", "multidigit-cnn", "regression",
                           "unet-classify", "gan-generator", "gan-discriminator", "iizuka",
                           "lab-basic", "lab-batch", "lab-skip", "lab-attention"}
    for name in ("colorized-mnist-cnn", "regression", "unet-classify", "gan-generator",
                 "gan-discriminator", "lab-basic"):
        model, text = MODELS[name](), MODELS[name]().summary()
        trainable = sum(p.numel() for p in model.parameters())
        statistics = sum(value.numel() for key, value in model.state_dict().items()
                         if key.endswith(("running_mean", "running_var")))
        assert f"Trainable params: {trainable:,}" in text, name
        assert f"Total params: {trainable + statistics:,}" in text, name


# -- nn.MultiheadAttention ---------------------------------------------------------------
def _attention_pair(torch, embed_dim, num_heads, bias=True, batch_first=False):
    """A minidl and a PyTorch attention layer holding the same float64 weights."""
    ours = nn.MultiheadAttention(embed_dim, num_heads, bias=bias, batch_first=batch_first)
    ours.double()
    theirs = torch.nn.MultiheadAttention(embed_dim, num_heads, bias=bias,
                                         batch_first=batch_first).double()
    rng = np.random.default_rng(7)
    for name, parameter in theirs.named_parameters():
        value = rng.standard_normal(tuple(parameter.shape)) * 0.5
        with torch.no_grad():
            parameter.copy_(torch.tensor(value))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("shapes,batch_first", [
    (((3, 2, 8), (5, 2, 8)), False),   # (L, N, E), (S, N, E)
    (((2, 3, 8), (2, 4, 8)), True),    # batch first
    (((3, 8), (4, 8)), False),         # unbatched
])
@pytest.mark.parametrize("average", [True, False])
def test_attention_matches_torch_forward_and_backward(shapes, batch_first, average, rng,
                                                      torch):
    ours, theirs = _attention_pair(torch, 8, 2, batch_first=batch_first)
    q, kv = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    v = rng.standard_normal(shapes[1])
    mine = [leaf(a) for a in (q, kv, v)]
    reference = [torch.tensor(a, requires_grad=True) for a in (q, kv, v)]
    out, weights = ours(*mine, average_attn_weights=average)
    out_ref, weights_ref = theirs(*reference, average_attn_weights=average)
    np.testing.assert_allclose(out.detach().numpy(), out_ref.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(weights.detach().numpy(), weights_ref.detach().numpy(),
                               atol=1e-12)
    grad = rng.standard_normal(out.shape)
    grad_weights = rng.standard_normal(weights.shape)
    ((out * minidl.tensor(grad)).sum() + (weights * minidl.tensor(grad_weights)).sum()) \
        .backward()
    ((out_ref * torch.tensor(grad)).sum()
     + (weights_ref * torch.tensor(grad_weights)).sum()).backward()
    for a, b in zip(mine, reference):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-10)
    ours_parameters = dict(ours.named_parameters())
    for name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(ours_parameters[name].grad.numpy(),
                                   parameter.grad.numpy(), atol=1e-10, err_msg=name)


@pytest.mark.parametrize("mask_kind", ["bool-attn", "float-attn", "per-head-attn",
                                       "key-padding"])
def test_attention_masks_match_torch(mask_kind, rng, torch):
    ours, theirs = _attention_pair(torch, 6, 3, batch_first=True)
    n, target, source = 2, 3, 4
    q, kv = rng.standard_normal((n, target, 6)), rng.standard_normal((n, source, 6))
    blocked = rng.random((target, source)) < 0.4
    blocked[:, 0] = False  # every query keeps a key
    arguments = {
        "bool-attn": lambda: {"attn_mask": blocked},
        "float-attn": lambda: {"attn_mask": rng.standard_normal((target, source))},
        "per-head-attn": lambda: {"attn_mask": np.repeat(blocked[None], n * 3, axis=0)},
        "key-padding": lambda: {"key_padding_mask": np.array([[False, False, True, True],
                                                              [False, True, False, False]])},
    }[mask_kind]()
    mine = [leaf(q), leaf(kv)]
    reference = [torch.tensor(q, requires_grad=True), torch.tensor(kv, requires_grad=True)]
    out, weights = ours(mine[0], mine[1], mine[1],
                        **{k: minidl.tensor(v) for k, v in arguments.items()})
    out_ref, weights_ref = theirs(reference[0], reference[1], reference[1],
                                  **{k: torch.tensor(v) for k, v in arguments.items()})
    np.testing.assert_allclose(out.detach().numpy(), out_ref.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(weights.detach().numpy(), weights_ref.detach().numpy(),
                               atol=1e-12)
    out.sum().backward()
    out_ref.sum().backward()
    for a, b in zip(mine, reference):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-10)


def test_attention_without_bias_and_without_weights_matches_torch(rng, torch):
    ours, theirs = _attention_pair(torch, 4, 1, bias=False)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == [
        "in_proj_weight", "out_proj.weight"]
    x = rng.standard_normal((3, 2, 4))
    out, weights = ours(leaf(x), leaf(x), leaf(x), need_weights=False)
    out_ref, _ = theirs(*(torch.tensor(x),) * 3, need_weights=False)
    assert weights is None
    np.testing.assert_allclose(out.detach().numpy(), out_ref.detach().numpy(), atol=1e-12)


def test_attention_gradcheck(rng):
    attention = nn.MultiheadAttention(4, 2, batch_first=True).double()
    with minidl.no_grad():
        attention.in_proj_bias.copy_(untied(rng, 12, low=-0.5, high=0.5))
        attention.out_proj.bias.copy_(untied(rng, 4, low=-0.5, high=0.5))
    q, k, v = leaf(untied(rng, 2, 3, 4)), leaf(untied(rng, 2, 2, 4)), leaf(untied(rng, 2, 2, 4))

    def output(q, k, v, in_weight, in_bias, out_weight):
        return attention(q, k, v)[0]

    parameters = (attention.in_proj_weight, attention.in_proj_bias, attention.out_proj.weight)
    assert gradcheck(output, (q, k, v) + parameters)
    assert gradcheck(lambda q, k, v: attention(q, k, v, average_attn_weights=False)[1],
                     (q, k, v))


def test_attention_initialization_follows_torch():
    attention = nn.MultiheadAttention(16, 4)
    bound = np.sqrt(6 / (16 + 48))  # Xavier-uniform over the (3E, E) stacked projection
    weight = attention.in_proj_weight.detach().numpy()
    assert weight.shape == (48, 16) and np.abs(weight).max() <= bound
    assert weight.std() > bound / 3
    assert not attention.in_proj_bias.detach().numpy().any()
    assert not attention.out_proj.bias.detach().numpy().any()
    assert attention.out_proj.weight.shape == (16, 16)


def test_attention_dropout_acts_only_in_training(rng):
    attention = nn.MultiheadAttention(4, 2, dropout=0.5, batch_first=True)
    x = _random_batch(rng, 2, 6, 4)
    _, weights = attention(x, x, x)
    sums = weights.detach().numpy().sum(axis=-1)
    assert not np.allclose(sums, 1)
    attention.eval()
    _, weights = attention(x, x, x)
    np.testing.assert_allclose(weights.detach().numpy().sum(axis=-1), 1, rtol=1e-5)


@pytest.mark.parametrize("arguments,message", [
    (lambda: nn.MultiheadAttention(6, 4), "embed_dim 6 must be divisible by num_heads 4"),
    (lambda: nn.MultiheadAttention(4, 2, dropout=1.0), r"dropout must be in \[0, 1\)"),
    (lambda: nn.MultiheadAttention(4, 2)(minidl.zeros(3, 2, 5), minidl.zeros(3, 2, 5),
                                         minidl.zeros(3, 2, 5)),
     "query has 5 features .* expected embed_dim=4"),
    (lambda: nn.MultiheadAttention(4, 2)(minidl.zeros(3, 2, 4), minidl.zeros(3, 2, 4),
                                         minidl.zeros(2, 2, 4)),
     "key shape .* does not match value shape"),
    (lambda: nn.MultiheadAttention(4, 2)(minidl.zeros(3, 2, 4), minidl.zeros(3, 3, 4),
                                         minidl.zeros(3, 3, 4)),
     "different batch sizes"),
    (lambda: nn.MultiheadAttention(4, 2)(minidl.zeros(3, 2, 4), minidl.zeros(5, 2, 4),
                                         minidl.zeros(5, 2, 4),
                                         attn_mask=minidl.zeros(5, 3)),
     r"attn_mask has shape \(5, 3\), expected \(3, 5\)"),
    (lambda: nn.MultiheadAttention(4, 2)(minidl.zeros(3, 2, 4), minidl.zeros(5, 2, 4),
                                         minidl.zeros(5, 2, 4),
                                         key_padding_mask=minidl.zeros(2, 3)),
     r"key_padding_mask has shape \(2, 3\), expected \(2, 5\)"),
    (lambda: nn.MultiheadAttention(4, 2)(minidl.zeros(2, 3, 2, 4), minidl.zeros(2, 3, 2, 4),
                                         minidl.zeros(2, 3, 2, 4)),
     "query must be 2-D"),
])
def test_attention_errors_name_the_problem(arguments, message):
    with pytest.raises(ValueError, match=message):
        arguments()
