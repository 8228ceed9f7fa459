"""Data utilities: datasets, the DataLoader, transforms (names as in ``torch.utils.data``
and torchvision).

    from minidl.data import DataLoader, TensorDataset, random_split, transforms
"""
from . import functional, transforms
from .collate import default_collate
from .dataloader import DataLoader
from .dataset import Dataset, Subset, TensorDataset, random_split, split_sizes
from .distributed import DistributedSampler
from .seeding import sample_generator, using_generator

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "split_sizes", "DataLoader",
           "DistributedSampler", "default_collate", "transforms", "functional", "sample_generator",
           "using_generator"]
