"""Utilities for training: gradient clipping."""
