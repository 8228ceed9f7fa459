"""Utilities for training: gradient clipping, parameters as one vector, spectral and
weight normalization; ``rnn``: padding and packing batches of sequences."""
from . import parametrizations, rnn
from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .parametrizations import parametrize
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
           "parameters_to_vector",
           "vector_to_parameters", "spectral_norm", "remove_spectral_norm", "weight_norm",
           "remove_weight_norm", "rnn", "parametrizations", "parametrize"]
