"""Utilities beside the engine, under PyTorch's names (``minidl.utils.tensorboard``,
``minidl.utils.checkpoint``)."""
