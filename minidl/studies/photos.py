"""A few named photos at their own proportions: the lab-colorize study's first two
experiments train on one photo, then on two photos of different sizes.

``Photos(folder, names, longer_side=200, multiple=8)``: sample ``i`` is the photo
``names[i]`` (a file name without extension, e.g. "flower") as RGB (3, H, W) float32 in
[0, 1], resized so that its longer side is ``longer_side`` and the aspect ratio is kept,
both sides rounded to a multiple of ``multiple`` (the downsampling of the models that
halve the size three times). Photos of different proportions have different shapes, so
they are batched one at a time.
"""
from __future__ import annotations

from pathlib import Path

from ..data import Dataset
from ..data.functional import to_tensor
from ..data.image_file import image_shape, load_image
from ..datasets.image_folder import list_images


def fitted_size(height: int, width: int, longer_side: int, multiple: int) -> tuple[int, int]:
    """(height, width) scaled so the longer side is ``longer_side``, each rounded to a
    multiple of ``multiple`` (at least one multiple)."""
    scale = longer_side / max(height, width)
    fitted_height, fitted_width = (max(multiple, int(round(side * scale / multiple)) * multiple)
                                   for side in (height, width))
    return fitted_height, fitted_width


class Photos(Dataset):
    def __init__(self, folder, names, longer_side: int = 200, multiple: int = 8):
        folder = Path(folder)
        files = {path.stem: path for path in list_images(folder)}
        missing = [name for name in names if name not in files]
        if missing:
            raise FileNotFoundError(f"Photos: {missing} not in {folder} (it has "
                                    f"{sorted(files)})")
        self.paths = [files[name] for name in names]
        self.longer_side, self.multiple = longer_side, multiple

    def __getitem__(self, index):
        height, width = image_shape(self.paths[index])
        size = fitted_size(height, width, self.longer_side, self.multiple)
        return to_tensor(load_image(self.paths[index], size=size))

    def __len__(self) -> int:
        return len(self.paths)
