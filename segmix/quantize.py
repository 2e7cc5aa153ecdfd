"""Colour quantisation by k-means (the lecture's image-compression application).

Every pixel is replaced by the mean of its colour cluster. k-means runs on the distinct
colours weighted by their pixel counts, which is the same objective as on all pixels but
touches each colour once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from segmix.bayes import check_image
from segmix.features import unique_colors
from segmix.io import ensure_not_input, load_image, save_image
from segmix.mixture import KMeans


@dataclass
class QuantizeResult:
    """What :func:`quantize_image` produced.

    Attributes
    ----------
    image : (H, W, 3) uint8 ndarray
        The quantised photo.
    palette : (M, 3) uint8 ndarray
        The distinct colours of ``image``, sorted; ``M <= n_colors_requested``.
    mse : float
        Mean squared error per channel against the input (0..255 scale).
    n_colors_requested : int
        The ``n_colors`` asked for.
    n_colors_in_image : int
        Distinct colours of the input photo.
    """

    image: np.ndarray
    palette: np.ndarray
    mse: float
    n_colors_requested: int = 0
    n_colors_in_image: int = 0

    @property
    def n_colors(self) -> int:
        """Colours actually used: the palette's real size."""
        return int(self.palette.shape[0])


def quantize_image(image: np.ndarray, n_colors: int = 8, random_state=0, n_init: int = 4) -> QuantizeResult:
    """Quantise an (H, W, 3) uint8 image to at most ``n_colors`` colours.

    If the image has no more distinct colours than ``n_colors`` it is returned unchanged
    and the palette holds its own colours (``result.n_colors`` tells how many). Two k-means
    centres that round to the same 8-bit colour count once.

    Raises
    ------
    ValueError
        ``n_colors`` not an integer from 1 to 65536, or a bad image array.
    """
    image = check_image(image)
    if isinstance(n_colors, bool) or not isinstance(n_colors, (int, np.integer)) or not 1 <= n_colors <= 65536:
        raise ValueError(f"number of colours must be an integer from 1 to 65536; got {n_colors!r}")
    colors, inverse, counts = unique_colors(image, return_counts=True)
    n_distinct = int(colors.shape[0])
    if n_distinct <= n_colors:
        return QuantizeResult(image.copy(), _sorted_rows(colors), 0.0, int(n_colors), n_distinct)
    km = KMeans(int(n_colors), n_init=n_init, random_state=random_state)
    km.fit(colors.astype(np.float64), sample_weight=counts.astype(np.float64))
    centres = np.clip(np.rint(km.cluster_centers_), 0, 255).astype(np.uint8)
    out = centres[km.labels_][inverse].reshape(image.shape)
    palette = _sorted_rows(centres[np.unique(km.labels_)])
    mse = float(np.mean((out.astype(np.float64) - image) ** 2))
    return QuantizeResult(out, palette, mse, int(n_colors), n_distinct)


def _sorted_rows(colors: np.ndarray) -> np.ndarray:
    """Distinct (M, 3) uint8 rows in lexicographic order."""
    return np.unique(np.asarray(colors, dtype=np.uint8).reshape(-1, 3), axis=0)


def quantize_file(input_path, output_path, n_colors: int = 8, random_state=0) -> QuantizeResult:
    """Load, quantise and write atomically (never over the input file)."""
    ensure_not_input(output_path, input_path)
    result = quantize_image(load_image(input_path), n_colors, random_state)
    save_image(output_path, result.image, protect=(input_path,))
    return result
