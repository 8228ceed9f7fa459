"""``kl_divergence(p, q)`` = KL(p ‖ q) = E_p[ln p(x) - ln q(x)], in closed form for the
registered pairs of types (``register_kl`` adds one), batched over ``batch_shape``:

* Normal ‖ Normal:  ½ (r + ((μp - μq)/σq)² - 1 - ln r),  r = (σp/σq)²
* Bernoulli ‖ Bernoulli:  p (softplus(-lq) - softplus(-lp)) + (1 - p)(softplus(lq) - softplus(lp))
* Categorical ‖ Categorical (and OneHotCategorical):  Σₖ pₖ (ln pₖ - ln qₖ)  (+∞ where
  qₖ = 0 < pₖ)
* Exponential ‖ Exponential:  ln(λp/λq) + λq/λp - 1
* Gamma ‖ Gamma:  (αp - αq) ψ(αp) - ln Γ(αp) + ln Γ(αq) + αq ln(βp/βq) + αp (βq - βp)/βp
* Beta ‖ Beta:  ln B(aq, bq) - ln B(ap, bp) + (ap - aq) ψ(ap) + (bp - bq) ψ(bp)
                + (aq - ap + bq - bp) ψ(ap + bp)
* MultivariateNormal ‖ MultivariateNormal:  ½ (‖Lq⁻¹ Lp‖²_F + ‖Lq⁻¹(μq - μp)‖² - n)
                + Σ ln diag Lq - Σ ln diag Lp
* Independent ‖ Independent (same reinterpreted dimensions): the base KL summed over them.
"""
from __future__ import annotations

from collections.abc import Callable

from ..creation import where
from ..nn.functional import softplus
from ..ops.gamma_functions import digamma, lgamma
from ..ops.triangular import solve_lower
from ..tensor import Tensor
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .distribution import Distribution
from .exponential import Exponential
from .gamma import Gamma
from .independent import Independent, sum_rightmost
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical

_KL_REGISTRY: dict[tuple[type, type], Callable] = {}


def register_kl(type_p: type, type_q: type):
    """Decorator: ``@register_kl(P, Q) def kl(p, q): ...`` is used for KL(P ‖ Q)."""
    if not (isinstance(type_p, type) and issubclass(type_p, Distribution)
            and isinstance(type_q, type) and issubclass(type_q, Distribution)):
        raise TypeError("register_kl: expected two subclasses of Distribution, got "
                        f"{type_p!r} and {type_q!r}")

    def decorator(function: Callable) -> Callable:
        _KL_REGISTRY[type_p, type_q] = function
        return function
    return decorator


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p ‖ q), of shape ``batch_shape``: the closed form registered for the most
    specific pair of types of p and q."""
    for type_p in type(p).__mro__:
        for type_q in type(q).__mro__:
            function = _KL_REGISTRY.get((type_p, type_q))
            if function is not None:
                return function(p, q)
    raise NotImplementedError(f"No KL(p || q) is implemented for p = {type(p).__name__}, "
                              f"q = {type(q).__name__}")


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale) ** 2
    t1 = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    t = p.probs * (p.logits - q.logits)
    t = where(q.probs == 0, float("inf"), t)
    return where(p.probs == 0, 0.0, t).sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehot_onehot(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p: Exponential, q: Exponential) -> Tensor:
    ratio = q.rate / p.rate
    return ratio - 1 - ratio.log()


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p: Gamma, q: Gamma) -> Tensor:
    ap, bp, aq, bq = p.concentration, p.rate, q.concentration, q.rate
    return ((ap - aq) * digamma(ap) - lgamma(ap) + lgamma(aq) + aq * (bp / bq).log()
            + ap * (bq - bp) / bp)


@register_kl(Beta, Beta)
def _kl_beta_beta(p: Beta, q: Beta) -> Tensor:
    ap, bp, aq, bq = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    return (q._log_normalizer() - p._log_normalizer() + (ap - aq) * digamma(ap)
            + (bp - bq) * digamma(bp) + (aq - ap + bq - bp) * digamma(ap + bp))


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different "
                         "event shapes cannot be computed")
    n = p.event_shape[0]
    p_lower, q_lower, diff = p.scale_tril, q.scale_tril, (q.loc - p.loc).unsqueeze(-1)
    shape = p_lower.shape if p_lower.ndim >= q_lower.ndim else q_lower.shape
    q_lower = q_lower.expand(shape)
    trace = (solve_lower(q_lower, p_lower.expand(shape)) ** 2).sum((-2, -1))
    mahalanobis = (solve_lower(q_lower, diff.expand(shape[:-1] + (1,))) ** 2).sum((-2, -1))
    return 0.5 * (trace + mahalanobis - n) + q._half_log_det() - p._half_log_det()


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("KL between Independent distributions with different "
                                  "reinterpreted_batch_ndims is not implemented")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)
