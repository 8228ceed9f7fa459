"""Stateless functions on Tensors, with PyTorch's names and arguments (``torch.nn.functional``)."""
