"""Colour thumbnails taken for toned black-and-white photos (helper tonefix, session 42).

A new user's 64 x 48 thumbnail of a colour street photo got "toned black-and-white photo ...
cannot be trusted" from ``skin apply`` (its mask scored F1 0.71): the lossy test of
``segmix.features.is_monochrome`` judged the photo by its 16-px blocks free of clipped pixels,
and a thumbnail has few (its 4-8 blocks of wall and pavement held no colour), so colour copies
of street photos were called toned at 48-160 px across (11 of 160 at 64 px, as JPEG 50-95 and
PNG). Its 2 x 2-px cells are now held to the tone curve too
(``segmix.features.TONED_CELL_P90``).
"""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.test_session38 import COLD, SEPIA, WARM, _grey_photo, _toned

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "skin"
if not DATA.is_dir():
    DATA = Path("/work/shared/data/skin")


def _saved(image: np.ndarray, quality) -> np.ndarray:
    """``image`` saved as JPEG at ``quality`` (PNG for None) and read back."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG" if quality is None else "JPEG", **({} if quality is None else
                                                                                {"quality": quality}))
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def street_thumbnail(seed: int = 0, shape=(48, 64)) -> np.ndarray:
    """A colour street photo in miniature: a beige wall over grey pavement, a person in black
    with a white shirt, skin at the face and arms, a red bag and a green shrub in deep shade.
    Its colour lies in small objects next to black or white, as a thumbnail's does."""
    rng = np.random.default_rng(seed)
    h, w = shape
    y, x = np.mgrid[:h, :w]
    image = np.empty((h, w, 3))
    wall = np.array([196, 184, 160.0]) * (0.85 + 0.15 * x / w)[..., None]
    pavement = np.array([128, 128, 126.0]) * (0.7 + 0.3 * y / h)[..., None]
    image[:] = np.where((y < 0.6 * h)[..., None], wall, pavement)
    middle = w // 2
    image[(abs(x - middle) < 7) & (y > 0.25 * h) & (y < 0.9 * h)] = (6, 6, 8)
    image[(abs(x - middle) < 4) & (y > 0.28 * h) & (y < 0.45 * h)] = (252, 252, 250)
    image[(x - middle) ** 2 + (y - 0.17 * h) ** 2 < 12] = (214, 160, 130)
    image[(abs(x - middle) >= 7) & (abs(x - middle) < 9) & (y > 0.3 * h) & (y < 0.55 * h)] = (200, 146, 118)
    image[(x >= middle + 9) & (x < middle + 14) & (y > 0.45 * h) & (y < 0.62 * h)] = (190, 40, 50)
    shrub = (x - 8) ** 2 / 30 + (y - 0.55 * h) ** 2 / 40 < 1
    image[shrub] = (60, 120, 50)
    image[shrub & ((x + y) % 3 == 0)] = (4, 6, 4)
    image += rng.normal(0, 3, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("quality", [50, 75, 95, None])
def test_a_colour_thumbnail_is_not_called_toned(seed, quality):
    # Before: "photo in one tone" for 9 of these 12 (JPEG 75 and 95, JPEG 50 of seed 0, PNG of seeds 1, 2).
    from segmix.features import is_monochrome
    from segmix.skin import colourless_words

    image = _saved(street_thumbnail(seed), quality)
    assert colourless_words(image) is None
    assert not is_monochrome(image)


def test_skin_apply_gives_a_colour_thumbnail_no_toned_warning(tmp_path):
    (tmp_path / "photos").mkdir()
    Image.fromarray(street_thumbnail(0)).save(tmp_path / "photos" / "street.jpg", quality=75)
    done = subprocess.run([sys.executable, "-m", "segmix", "skin", "apply", tmp_path / "photos", "--output-dir",
                           tmp_path / "out"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "tone" not in done.stderr and "greyscale" not in done.stderr, done.stderr


def _small(grey: np.ndarray, width: int) -> np.ndarray:
    height = round(grey.shape[0] * width / grey.shape[1])
    return np.asarray(Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).resize((width, height), Image.LANCZOS),
                      float)


def _cyanotype(grey: np.ndarray) -> np.ndarray:
    """Prussian blue shadows to a near-white paper, each channel along its own curve."""
    t = grey[..., None] / 255.0
    dark, light = np.array([10, 40, 95.0]), np.array([235, 245, 250.0])
    return np.clip(np.rint(dark + (light - dark) * t ** np.array([1.25, 1.05, 0.8])), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("width", [96, 128, 224])
@pytest.mark.parametrize("quality", [50, 75, 95, None])
def test_toned_photos_are_still_warned_of_from_96_px_across(width, quality):
    # The rule's claim: toned JPEGs are told from 96 px across (smaller, a toned JPEG's chroma
    # noise hides its tone as much as a thumbnail's colour); PNGs at any size (next test).
    from segmix.skin import ONE_TONE_WORDS, TONED_WORDS, colourless_words

    grey = _small(_grey_photo(), width)
    for gains in (SEPIA, WARM, COLD):
        assert colourless_words(_saved(_toned(grey, gains), quality)) == TONED_WORDS, gains
    # A cyanotype's grey levels span less than a print's range (its paper is blue-white, its
    # shadows blue): the conditional line of a photo in one tone.
    assert colourless_words(_saved(_cyanotype(grey), quality)) in (TONED_WORDS, ONE_TONE_WORDS)


@pytest.mark.parametrize("width", [32, 48, 64, 320])
def test_toned_pngs_and_greyscale_photos_are_warned_of_at_any_size(width):
    from segmix.skin import GREYSCALE_WORDS, TONED_WORDS, colourless_words

    grey = _small(_grey_photo(), width)
    for gains in (SEPIA, WARM, COLD):
        assert colourless_words(_saved(_toned(grey, gains), None)) == TONED_WORDS
    for quality in (50, 75, 95, None):
        assert colourless_words(_saved(_toned(grey, (1, 1, 1)), quality)) == GREYSCALE_WORDS


# Street photos of ccp whose 64-px-wide copies were called toned (JPEG 75 and 95, PNG).
_STREET = ("ccp_0001.jpg", "ccp_0216.jpg", "ccp_0682.jpg")


@pytest.mark.skipif(not (DATA / "ccp" / "images").is_dir(), reason="needs ../shared/data/skin/ccp")
@pytest.mark.parametrize("name", _STREET)
def test_real_colour_thumbnails_are_not_toned_and_their_sepia_copies_are(name):
    from segmix.skin import TONED_WORDS, colourless_words

    photo = Image.open(DATA / "ccp" / "images" / name).convert("RGB")
    for width in (32, 48, 64, 96, 128):
        small = photo.resize((width, round(photo.height * width / photo.width)), Image.LANCZOS)
        for quality in (50, 75, 95, None):
            assert colourless_words(_saved(np.asarray(small), quality)) is None, (width, quality)
    small = photo.resize((200, round(photo.height * 200 / photo.width)), Image.LANCZOS)
    sepia = _toned(np.asarray(small.convert("L"), float), SEPIA)
    for quality in (75, 95, None):
        assert colourless_words(_saved(sepia, quality)) == TONED_WORDS, quality
