"""The tile plan of a convolution: which output positions go through one matrix product,
and which worker owns which tiles.

The output positions (n, i, j) are processed in tiles: several whole images when the images
are small, slices of one image when they are large.  A tile's column matrix (``im2col.py``)
is one 2-D array of about ``TILE_BUDGET`` elements, so it stays in cache between im2col
writing it and BLAS reading it, and each group's product is one fat GEMM (BLAS is slow on
thin matrices).  A tile inside one image multiplies straight into (or out of) that image's
slice of the output: a strided view is a valid BLAS operand.

Ownership, race-free by construction: the workers (``workers.py``) each take a contiguous
block of tiles and own everything those tiles write: their slices of the output, the images
of dL/dx (``by_image``: a worker takes all the tiles of an image, because col2im adds the
tiles of one image into the same pixels), and a private sum of dL/dweight, the private sums
being added in a fixed order at the end.
"""
from __future__ import annotations

from dataclasses import dataclass

TILE_BUDGET = 1 << 19
"""Elements of the column matrix built at once (2 MiB of float32: it stays in cache).
Measured against 1 << 20: the same speed (forward+backward of the kernel cases, geometric
mean 1.005), half the scratch each worker keeps."""

MIN_TILE_WIDTH = 256
"""Fewest columns per tile: thinner matrix products waste most of BLAS's speed."""

MIN_WEIGHT_TILE_WIDTH = 1024
"""Fewest columns per tile of the weight gradient, where the columns are the inner
dimension of the product, and each tile adds a product to the running sum; unless there
are too few columns for a tile of this width for each worker: then they are shared out,
down to ``MIN_TILE_WIDTH`` (16x512x16x16 -> 512 3x3/2, 1024 columns: one tile, one
thread, 36 ms; two tiles of 512 columns on 2 cores, 20 ms)."""

MIN_IMAGE_TILE_OUTPUTS = 1 << 16
"""Output values from which an image gets tiles of its own: below, the fixed cost of a
tile (microseconds) outweighs gathering several images' columns side by side."""


@dataclass(frozen=True)
class TilePlan:
    """The tiles (n0, n1, l0, l1): output positions [l0, l1) of the images [n0, n1).

    ``side_by_side``: the images are narrower than ``MIN_TILE_WIDTH``, so a tile's product
    is one GEMM over the columns of all its images side by side, its result moved back to
    NCHW afterwards; otherwise each image of a tile gets a GEMM of its own, straight from
    or into its slice of the NCHW array (one batched ``np.matmul``).
    """

    tiles: list
    most_images: int                   # most images in a tile
    most_columns: int                  # most columns in a tile
    side_by_side: bool

    def by_image(self) -> list[list]:
        """The tiles grouped into lists that share their images (the units of work of
        col2im, whose tiles of one image add into the same pixels)."""
        groups: list[list] = []
        for tile in self.tiles:
            if groups and groups[-1][0][:2] == tile[:2]:
                groups[-1].append(tile)
            else:
                groups.append([tile])
        return groups


def plan_tiles(batch, plane, rows, channels, workers, min_width=None,
               one_image_per_tile=False) -> TilePlan:
    """Split the N·OH·OW output positions (``plane`` = OH·OW per image) into tiles.

    A tile's column matrix (``rows`` x columns) stays near ``TILE_BUDGET`` elements, with
    at least ``min_width`` columns (default ``MIN_TILE_WIDTH``), and each worker gets at
    least two tiles.  An image with at least ``min_width`` positions whose output
    (``channels`` x positions) is large gets tiles of its own, or slices of one, whose part
    of the output is a BLAS operand as it is; smaller images share tiles, their columns
    gathered side by side.  ``one_image_per_tile`` (pointwise convolutions, whose columns
    are the input itself) keeps every tile inside one image.
    """
    min_width = MIN_TILE_WIDTH if min_width is None else min_width
    width = max(min_width, min(TILE_BUDGET // rows, -(-batch * plane // (2 * workers))))
    if batch * plane < workers * width:   # too few columns for a tile each: share them out
        width = max(MIN_TILE_WIDTH, -(-batch * plane // workers))
    own_tiles = plane >= min_width and (plane * channels >= MIN_IMAGE_TILE_OUTPUTS
                                        or plane > width)
    if own_tiles or one_image_per_tile:
        tiles = [(n, n + 1, l0, min(plane, l0 + width))
                 for n in range(batch) for l0 in range(0, plane, width)]
    else:
        step = max(1, min(batch, width // plane))
        tiles = [(n0, min(batch, n0 + step), 0, plane) for n0 in range(0, batch, step)]
    return TilePlan(tiles,
                    most_images=max(n1 - n0 for n0, n1, _, _ in tiles),
                    most_columns=max((n1 - n0) * (l1 - l0) for n0, n1, l0, l1 in tiles),
                    side_by_side=plane < MIN_TILE_WIDTH and not one_image_per_tile)
