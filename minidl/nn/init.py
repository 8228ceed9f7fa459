"""Initialization schemes for weights (``torch.nn.init``)."""
