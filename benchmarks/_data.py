"""Shared benchmark data: pixels of real photos, and a synthetic 12-megapixel photo.

Only real photographs are used (the bundled sample images and scikit-image's own photos);
nothing is tiled to reach a pixel count, because tiling would repeat colours and flatter
every method that works on unique colours.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SAMPLE_IMAGES = REPO / "sample_images"

# (source, name): "bundled" files live in sample_images/, "skimage" ones in skimage/data/.
PHOTOS = (
    ("bundled", "astronaut.png"),
    ("bundled", "coffee.png"),
    ("bundled", "chelsea.png"),
    ("skimage", "rocket.jpg"),
    ("skimage", "motorcycle_left.png"),
)
# Real photos with atypical colour statistics (a fundus image, a deep-sky image): used only
# when the everyday photos above do not hold enough pixels.
EXTRA_PHOTOS = (
    ("skimage", "retina.jpg"),
    ("skimage", "hubble_deep_field.jpg"),
)


def _skimage_data_dir() -> Path:
    import skimage

    return Path(skimage.__file__).resolve().parent / "data"


def load_photo(source: str, name: str) -> np.ndarray:
    """(H, W, 3) uint8 RGB array of one photo."""
    from skimage import io

    path = (SAMPLE_IMAGES if source == "bundled" else _skimage_data_dir()) / name
    image = np.asarray(io.imread(path))
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    image = image[:, :, :3]
    if image.dtype != np.uint8:
        raise ValueError(f"{path} is not an 8-bit image")
    return np.ascontiguousarray(image)


def available_photos(extra: bool = False) -> list[tuple[str, np.ndarray]]:
    """Every photo of PHOTOS (and EXTRA_PHOTOS if ``extra``) on this machine, as (name, image)."""
    out = []
    for source, name in PHOTOS + (EXTRA_PHOTOS if extra else ()):
        try:
            out.append((name, load_photo(source, name)))
        except (FileNotFoundError, OSError):
            continue
    return out


def photo_pixels(n_pixels: int, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """The first ``n_pixels`` rows of all photos' pixels after a fixed-seed shuffle.

    Returns
    -------
    X : (n_pixels, 3) float64 in [0, 1], C-contiguous
    names : photos used
    """
    photos = available_photos()
    if sum(image.shape[0] * image.shape[1] for _, image in photos) < n_pixels:
        photos = available_photos(extra=True)
    pixels = np.concatenate([image.reshape(-1, 3) for _, image in photos])
    if n_pixels > len(pixels):
        raise ValueError(f"only {len(pixels)} photo pixels available; asked for {n_pixels}")
    rng = np.random.default_rng(seed)
    rows = rng.permutation(len(pixels))[:n_pixels]
    return np.ascontiguousarray(pixels[rows], dtype=np.float64) / 255.0, [name for name, _ in photos]


def twelve_megapixel_photo(seed: int = 0, height: int = 3000, width: int = 4000) -> np.ndarray:
    """(3000, 4000, 3) uint8: four bundled photos resized into a 2 x 2 mosaic, plus mild noise.

    The Gaussian noise (sigma 2 grey levels) gives the colour statistics of a real camera
    frame, where neighbouring pixels rarely share an exact colour.
    """
    import cv2

    by_name = dict(available_photos())
    names = ["astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg"]
    tiles = [by_name[n] for n in names if n in by_name]
    while len(tiles) < 4:
        tiles.append(tiles[len(tiles) % len(tiles)][:, ::-1])
    th, tw = height // 2, width // 2
    out = np.empty((height, width, 3), np.uint8)
    rng = np.random.default_rng(seed)
    for i, tile in enumerate(tiles[:4]):
        y, x = divmod(i, 2)
        resized = cv2.resize(tile, (tw, th), interpolation=cv2.INTER_CUBIC).astype(np.float32)
        resized += rng.normal(0.0, 2.0, size=resized.shape).astype(np.float32)
        out[y * th:(y + 1) * th, x * tw:(x + 1) * tw] = np.clip(np.rint(resized), 0, 255).astype(np.uint8)
    return out


def davis_click_photo(davis: Path, frame: int, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """A DAVIS frame upscaled (bicubic) to ``width`` x ``height`` with one click on its object
    (the middle of its mask's pixels) and one beside it (its first background pixel), as the
    window paints clicks: (H, W, 3) uint8 photo, (H, W) uint8 marks."""
    from PIL import Image

    from segmix.clicks import click_radius, paint_disc
    from segmix.io import BACKGROUND, FOREGROUND

    image = np.asarray(Image.open(davis / "images" / f"{frame:03d}.jpg").convert("RGB")
                       .resize((width, height), Image.BICUBIC))
    truth = np.asarray(Image.open(davis / "masks" / f"{frame:03d}.png").resize((width, height), Image.NEAREST)) > 0
    ys, xs = np.nonzero(truth)
    middle = len(ys) // 2
    scribbles = np.zeros((height, width), np.uint8)
    radius = click_radius((height, width))
    paint_disc(scribbles, int(ys[middle]), int(xs[middle]), FOREGROUND, radius)  # a click on the object
    by, bx = np.argwhere(~truth)[0]
    paint_disc(scribbles, int(by), int(bx), BACKGROUND, radius)  # ... and one beside it
    return np.ascontiguousarray(image), scribbles
