"""Data utilities: datasets, the DataLoader, transforms (names as in ``torch.utils.data``
and torchvision).

    from minidl.data import DataLoader, TensorDataset, random_split, transforms
"""
from . import functional, transforms
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
    split_sizes,
)
from .distributed import DistributedSampler
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .seeding import sample_generator, using_generator

__all__ = ["Dataset", "IterableDataset", "ConcatDataset", "TensorDataset", "Subset",
           "random_split", "split_sizes", "DataLoader", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
           "DistributedSampler", "default_collate", "default_convert", "transforms",
           "functional", "sample_generator", "using_generator"]
