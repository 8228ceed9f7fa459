"""``minidl.distributions`` against ``torch.distributions``: densities, entropies, moments
and KL divergences (float64, to ~1e-10) and their gradients; reparameterised samples;
sample shapes and statistics; argument errors; ``import torch.distributions`` under
``minidl run``."""
import textwrap

import numpy as np
import pytest

import minidl
import minidl.distributions as MD
from minidl.compat import run_script

RNG = np.random.default_rng(7)
LOC = RNG.normal(size=3)
SCALE = RNG.uniform(0.5, 2.0, size=3)
PROBS = np.array([0.2, 0.5, 0.9])
CAT_PROBS = RNG.uniform(0.1, 1.0, size=(2, 4))
CONC = RNG.uniform(0.6, 3.0, size=3)
LOWER = np.tril(RNG.normal(size=(3, 3)), -1) + np.diag(RNG.uniform(0.5, 1.5, size=3))

# name: (build(D, params), parameters, value for log_prob)
CASES = {
    "normal": (lambda D, p: D.Normal(p["loc"], p["scale"]), {"loc": LOC, "scale": SCALE},
               RNG.normal(size=(2, 3))),
    "uniform": (lambda D, p: D.Uniform(p["low"], p["high"]),
                {"low": LOC - SCALE, "high": LOC + SCALE}, LOC + SCALE * [0.3, -0.5, 0.9]),
    "bernoulli_probs": (lambda D, p: D.Bernoulli(probs=p["probs"]), {"probs": PROBS},
                        np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])),
    "bernoulli_logits": (lambda D, p: D.Bernoulli(logits=p["logits"]), {"logits": LOC},
                         np.array([0.0, 1.0, 1.0])),
    "categorical_probs": (lambda D, p: D.Categorical(probs=p["probs"]), {"probs": CAT_PROBS},
                          np.array([[0, 3], [2, 1], [1, 1]])),
    "categorical_logits": (lambda D, p: D.Categorical(logits=p["logits"]),
                           {"logits": np.log(CAT_PROBS)}, np.array([3, 0])),
    "one_hot_categorical": (lambda D, p: D.OneHotCategorical(probs=p["probs"]),
                            {"probs": CAT_PROBS}, np.eye(4)[[1, 3]]),
    "beta": (lambda D, p: D.Beta(p["a"], p["b"]), {"a": CONC, "b": CONC[::-1].copy()},
             np.array([0.1, 0.5, 0.93])),
    "gamma": (lambda D, p: D.Gamma(p["alpha"], p["rate"]), {"alpha": CONC, "rate": SCALE},
              np.array([[0.3, 1.5, 4.0], [2.0, 0.1, 0.7]])),
    "exponential": (lambda D, p: D.Exponential(p["rate"]), {"rate": SCALE},
                    np.array([0.3, 1.5, 4.0])),
    "laplace": (lambda D, p: D.Laplace(p["loc"], p["scale"]), {"loc": LOC, "scale": SCALE},
                RNG.normal(size=(2, 3))),
    "log_normal": (lambda D, p: D.LogNormal(p["loc"], p["scale"]),
                   {"loc": LOC, "scale": SCALE}, np.array([0.3, 1.5, 4.0])),
    "independent": (lambda D, p: D.Independent(D.Normal(p["loc"], p["scale"]), 1),
                    {"loc": RNG.normal(size=(2, 3)), "scale": RNG.uniform(0.5, 2, (2, 3))},
                    RNG.normal(size=(4, 2, 3))),
    "mvn_scale_tril": (lambda D, p: D.MultivariateNormal(p["loc"], scale_tril=p["tril"]),
                       {"loc": RNG.normal(size=(2, 3)), "tril": LOWER},
                       RNG.normal(size=(4, 2, 3))),
    "mvn_diagonal": (lambda D, p: D.MultivariateNormal(p["loc"], scale_tril=p["tril"]),
                     {"loc": LOC, "tril": np.diag(SCALE)}, RNG.normal(size=(3,))),
    "mvn_covariance": (lambda D, p: D.MultivariateNormal(p["loc"], covariance_matrix=p["cov"]),
                       {"loc": LOC, "cov": LOWER @ LOWER.T}, RNG.normal(size=(2, 3))),
}


def build(module, case):
    """The distribution of ``case`` in ``module`` (minidl or torch), its parameters as
    float64 leaves that require grad, and the log_prob value."""
    make, params, value = CASES[case]
    leaves = {k: module.tensor(np.array(v, dtype=np.float64), requires_grad=True)
              for k, v in params.items()}
    distributions = MD if module is minidl else module.distributions
    return make(distributions, leaves), leaves, module.tensor(value)


def array(t):
    return t.detach().numpy()


@pytest.mark.parametrize("case", sorted(CASES))
def test_densities_entropies_and_moments_match_pytorch(torch, case):
    ours, _, value = build(minidl, case)
    theirs, _, torch_value = build(torch, case)
    assert ours.batch_shape == theirs.batch_shape and ours.event_shape == theirs.event_shape
    np.testing.assert_allclose(array(ours.log_prob(value)), array(theirs.log_prob(torch_value)),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(array(ours.entropy()), array(theirs.entropy()), rtol=1e-10)
    for moment in ("mean", "variance", "stddev", "mode"):
        np.testing.assert_allclose(array(getattr(ours, moment)),
                                   array(getattr(theirs, moment)), rtol=1e-10, atol=1e-14,
                                   err_msg=moment)


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients_of_log_prob_and_entropy_match_pytorch(torch, case):
    ours, our_leaves, value = build(minidl, case)
    theirs, their_leaves, torch_value = build(torch, case)
    (ours.log_prob(value).sum() + ours.entropy().sum()).backward()
    (theirs.log_prob(torch_value).sum() + theirs.entropy().sum()).backward()
    for name, leaf in our_leaves.items():
        # ψ₁ (trigamma) of PyTorch is good to ~1e-9 only; minidl's to double precision
        np.testing.assert_allclose(leaf.grad.numpy(), their_leaves[name].grad.numpy(),
                                   rtol=1e-8, atol=1e-12, err_msg=name)


KL_PAIRS = [("normal", lambda p: {"loc": p["loc"][::-1].copy(), "scale": p["scale"] ** 2}),
            ("bernoulli_probs", lambda p: {"probs": 1 - p["probs"] ** 2}),
            ("categorical_logits", lambda p: {"logits": p["logits"][::-1].copy()}),
            ("one_hot_categorical", lambda p: {"probs": p["probs"][:, ::-1].copy()}),
            ("exponential", lambda p: {"rate": p["rate"] ** 2}),
            ("gamma", lambda p: {"alpha": p["alpha"] + 0.5, "rate": p["rate"] ** 2}),
            ("beta", lambda p: {"a": p["a"] * 2, "b": p["b"] + 1}),
            ("independent", lambda p: {"loc": -p["loc"], "scale": p["scale"] + 1}),
            ("mvn_scale_tril", lambda p: {"loc": p["loc"] * 2,
                                          "tril": np.linalg.cholesky(np.eye(3) * 2 + 0.5)})]


@pytest.mark.parametrize("case, other", KL_PAIRS, ids=[c for c, _ in KL_PAIRS])
def test_kl_divergence_and_its_gradients_match_pytorch(torch, case, other):
    make, params, _ = CASES[case]
    results = []
    for module in (minidl, torch):
        distributions = MD if module is minidl else module.distributions
        p_leaves = {k: module.tensor(np.array(v, float), requires_grad=True)
                    for k, v in params.items()}
        q_leaves = {k: module.tensor(np.array(v, float), requires_grad=True)
                    for k, v in other(params).items()}
        kl = distributions.kl_divergence(make(distributions, p_leaves),
                                         make(distributions, q_leaves))
        kl.sum().backward()
        results.append((array(kl), [leaf.grad.numpy() for leaf in
                                    [*p_leaves.values(), *q_leaves.values()]]))
    (ours, our_grads), (theirs, their_grads) = results
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-14)
    for mine, reference in zip(our_grads, their_grads, strict=True):
        np.testing.assert_allclose(mine, reference, rtol=1e-8, atol=1e-12)


def test_kl_of_categoricals_with_zero_probabilities_is_infinite_or_ignores_them():
    p = MD.Categorical(probs=minidl.tensor([0.5, 0.5, 0.0]))
    q = MD.Categorical(probs=minidl.tensor([1.0, 0.0, 0.0]))
    assert MD.kl_divergence(q, p).item() == pytest.approx(np.log(2))
    assert MD.kl_divergence(p, q).item() == float("inf")


# name: how x is rebuilt from its parameters and the noise z of the same draw
REPARAMETERISED = {
    "normal": lambda p, z: p["loc"] + p["scale"] * z,
    "laplace": lambda p, z: p["loc"] + p["scale"] * z,
    "uniform": lambda p, z: p["low"] + (p["high"] - p["low"]) * z,
    "log_normal": lambda p, z: (p["loc"] + p["scale"] * z).exp(),
    "exponential": lambda p, z: z / p["rate"],
    "independent": lambda p, z: p["loc"] + p["scale"] * z,
    "mvn_scale_tril": lambda p, z: p["loc"] + (p["tril"] @ z.unsqueeze(-1)).squeeze(-1),
}
NOISE = {  # the noise of a draw x, recovered from x
    "normal": lambda p, x: (x - p["loc"]) / p["scale"],
    "laplace": lambda p, x: (x - p["loc"]) / p["scale"],
    "uniform": lambda p, x: (x - p["low"]) / (p["high"] - p["low"]),
    "log_normal": lambda p, x: (x.log() - p["loc"]) / p["scale"],
    "exponential": lambda p, x: x * p["rate"],
    "independent": lambda p, x: (x - p["loc"]) / p["scale"],
    "mvn_scale_tril": lambda p, x: minidl.tensor(np.linalg.solve(
        p["tril"].detach().numpy(), (x - p["loc"]).detach().numpy()[..., None])[..., 0]),
}


@pytest.mark.parametrize("case", sorted(REPARAMETERISED))
def test_rsample_gradients_are_those_of_the_reparameterisation(torch, case):
    ours, leaves, _ = build(minidl, case)
    assert ours.has_rsample
    x = ours.rsample((5,))
    z = NOISE[case](leaves, x).detach()
    np.testing.assert_allclose(array(x), array(REPARAMETERISED[case](leaves, z)), rtol=1e-12)
    (x ** 2).sum().backward()
    _, their_leaves, _ = build(torch, case)
    (REPARAMETERISED[case](their_leaves, torch.tensor(z.numpy())) ** 2).sum().backward()
    for name, leaf in leaves.items():
        np.testing.assert_allclose(leaf.grad.numpy(), their_leaves[name].grad.numpy(),
                                   rtol=1e-10, err_msg=name)


def test_normal_rsample_is_loc_plus_scale_times_the_global_streams_normal_draws():
    loc = minidl.tensor([0.0, 10.0], dtype=minidl.float64)
    scale = minidl.tensor([1.0, 3.0], dtype=minidl.float64)
    minidl.manual_seed(3)
    x = MD.Normal(loc, scale).rsample((4,))
    minidl.manual_seed(3)
    eps = minidl.randn(4, 2, dtype=minidl.float64)
    np.testing.assert_array_equal(x.numpy(), (loc + scale * eps).numpy())
    minidl.manual_seed(3)
    np.testing.assert_array_equal(MD.Normal(loc, scale).sample((4,)).numpy(), x.numpy())


@pytest.mark.parametrize("case", sorted(CASES))
def test_sample_shapes_and_log_prob_of_samples(case):
    dist, _, _ = build(minidl, case)
    x = dist.sample((5, 2))
    assert x.shape == (5, 2, *dist.batch_shape, *dist.event_shape)
    assert not x.requires_grad
    assert dist.log_prob(x).shape == (5, 2, *dist.batch_shape)
    assert dist.sample().shape == (*dist.batch_shape, *dist.event_shape)
    wider = dist.expand((4, *dist.batch_shape))
    assert wider.batch_shape == (4, *dist.batch_shape)
    np.testing.assert_allclose(array(wider.entropy()[1]), array(dist.entropy()), rtol=1e-12)


STATISTICS = ["normal", "uniform", "bernoulli_probs", "one_hot_categorical", "beta", "gamma",
              "exponential", "laplace", "mvn_scale_tril"]  # (LogNormal's tails are too heavy)


@pytest.mark.parametrize("case", STATISTICS)
def test_sample_mean_and_variance_agree_with_the_moments(case):
    minidl.manual_seed(0)
    dist, _, _ = build(minidl, case)
    n = 20000
    x = dist.sample((n,)).numpy()
    mean, variance = array(dist.mean), array(dist.variance)
    np.testing.assert_array_less(np.abs(x.mean(0) - mean), 5 * np.sqrt(variance / n))
    np.testing.assert_allclose(x.var(0), variance, rtol=0.05)


def test_categorical_frequencies_agree_with_probs():
    minidl.manual_seed(0)
    probs = CAT_PROBS / CAT_PROBS.sum(-1, keepdims=True)
    x = MD.Categorical(probs=minidl.tensor(CAT_PROBS)).sample((20000,)).numpy()
    assert x.dtype == np.int64
    frequencies = np.stack([(x == k).mean(0) for k in range(4)], -1)
    np.testing.assert_array_less(np.abs(frequencies - probs), 5 * np.sqrt(probs / 20000))


def test_mvn_sample_covariance_agrees_with_scale_tril():
    minidl.manual_seed(1)
    dist = MD.MultivariateNormal(minidl.tensor(LOC), scale_tril=minidl.tensor(LOWER))
    x = dist.sample((20000,)).numpy()
    np.testing.assert_allclose(np.cov(x.T), LOWER @ LOWER.T, atol=0.1)


def test_manual_seed_fixes_the_samples():
    dist = MD.Gamma(minidl.tensor(CONC), 1.0)
    minidl.manual_seed(5)
    a = dist.sample((3,))
    minidl.manual_seed(5)
    np.testing.assert_array_equal(a.numpy(), dist.sample((3,)).numpy())


def test_parameters_default_to_float32_from_numbers_and_keep_float64_tensors():
    assert MD.Normal(0.0, 1.0).sample().dtype == minidl.float32
    assert MD.Normal(minidl.zeros(2, dtype=minidl.float64), 1.0).rsample().dtype == np.float64


@pytest.mark.parametrize("make, message", [
    (lambda: MD.Normal(0.0, -1.0), "parameter scale"),
    (lambda: MD.Bernoulli(), "either `probs` or `logits`"),
    (lambda: MD.Bernoulli(probs=0.5, logits=0.0), "either `probs` or `logits`"),
    (lambda: MD.Bernoulli(probs=1.5), "parameter probs"),
    (lambda: MD.Categorical(probs=minidl.tensor(0.5)), "at least one dimension"),
    (lambda: MD.Categorical(probs=minidl.tensor([0.7, -0.2])), "parameter probs"),
    (lambda: MD.Uniform(1.0, 0.0), "less than high"),
    (lambda: MD.Beta(1.0, 0.0), "concentration0"),
    (lambda: MD.Independent(MD.Normal(minidl.zeros(3), 1.0), 2), "reinterpreted_batch_ndims"),
    (lambda: MD.MultivariateNormal(minidl.zeros(3), scale_tril=minidl.eye(2)), "square"),
    (lambda: MD.MultivariateNormal(minidl.zeros(2)), "Exactly one"),
    (lambda: MD.Normal(0.0, "1"), "tensors or numbers"),
])
def test_bad_parameters_are_refused_with_clear_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_values_outside_the_support_or_shape_are_refused_unless_validation_is_off():
    with pytest.raises(ValueError, match="support"):
        MD.Bernoulli(probs=0.3).log_prob(minidl.tensor(0.5))
    with pytest.raises(ValueError, match="support"):
        MD.Beta(2.0, 2.0).log_prob(minidl.tensor(1.5))
    with pytest.raises(ValueError, match="broadcastable"):
        MD.Normal(minidl.zeros(3), 1.0).log_prob(minidl.zeros(2))
    with pytest.raises(ValueError, match="event_shape"):
        MD.MultivariateNormal(minidl.zeros(3), scale_tril=minidl.eye(3)).log_prob(
            minidl.zeros(2))
    lenient = MD.Bernoulli(probs=0.3, validate_args=False)
    assert np.isfinite(lenient.log_prob(minidl.tensor(0.5)).item())
    assert MD.Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0
    with pytest.raises(NotImplementedError, match="No KL"):
        MD.kl_divergence(MD.Normal(0.0, 1.0), MD.Exponential(1.0))
    with pytest.raises(NotImplementedError, match="rsample"):
        MD.Bernoulli(probs=0.3).rsample()


def test_torch_distributions_imports_under_minidl_run(tmp_path, capsys):
    script = tmp_path / "vae_bits.py"
    script.write_text(textwrap.dedent("""
        import torch
        import torch.distributions as D
        from torch.distributions import Normal, kl_divergence
        mu = torch.zeros(4, 2, requires_grad=True)
        q = D.Independent(Normal(mu, torch.ones(4, 2)), 1)
        z = q.rsample()
        loss = kl_divergence(q, D.Independent(Normal(torch.zeros(2), 1.0).expand((4, 2)), 1))
        (loss.sum() + (z ** 2).sum()).backward()
        print(D.Normal is torch.distributions.Normal, tuple(mu.grad.shape), loss.shape)
        """))
    run_script(script, [])
    assert capsys.readouterr().out.strip() == "True (4, 2) (4,)"
