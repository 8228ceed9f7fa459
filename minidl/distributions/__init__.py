"""``torch.distributions``: probability distributions with PyTorch's interface
(``Distribution``: ``sample``, ``rsample``, ``log_prob``, ``entropy``, moments, ``expand``)
and closed-form KL divergences (``kl_divergence``).  One distribution a module; draws come
from minidl's global generator, so ``minidl.manual_seed`` fixes them.
"""
from . import constraints, kl
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .distribution import Distribution
from .exponential import Exponential
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Categorical", "Distribution", "Exponential", "Gamma",
           "Independent", "Laplace", "LogNormal", "MultivariateNormal", "Normal",
           "OneHotCategorical", "Uniform", "constraints", "kl", "kl_divergence",
           "register_kl"]
