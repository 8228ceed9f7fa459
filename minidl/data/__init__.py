"""Data utilities: datasets, the DataLoader, transforms (names as in ``torch.utils.data``
and torchvision).

    from minidl.data import DataLoader, TensorDataset, random_split, transforms
"""
from . import functional, transforms
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
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
from .worker import WorkerInfo, get_worker_info

__all__ = ["Dataset", "IterableDataset", "ConcatDataset", "TensorDataset", "Subset",
           "random_split", "split_sizes", "DataLoader", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
           "DistributedSampler", "default_collate", "default_convert", "transforms",
           "functional", "sample_generator", "using_generator", "StackDataset",
           "ChainDataset", "get_worker_info", "WorkerInfo"]
