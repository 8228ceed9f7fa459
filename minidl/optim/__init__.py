"""Optimizers and learning-rate schedules with PyTorch's update rules."""
