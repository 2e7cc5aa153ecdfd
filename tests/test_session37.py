"""Session 37's own fixes (not a trial's): each test names the fault it stands for."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, features

from segmix import frames, io as segmix_io, skin


def _photo(seed=0, shape=(48, 64, 3)):
    return (np.random.default_rng(seed).random(shape) * 255).astype(np.uint8)


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "segmix", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_one_list_of_photo_names_and_it_holds_avif_and_jfif():
    # Two hand-written lists (skin's and frames') both left out AVIF, which Pillow reads: an
    # AVIF photo opened alone was segmented, but a folder of them was "no photos found".
    assert skin.IMAGE_SUFFIXES is frames.IMAGE_SUFFIXES is segmix_io.IMAGE_SUFFIXES
    for suffix in (".avif", ".jfif", ".jpg", ".png", ".gif", ".webp", ".tif"):
        assert suffix in segmix_io.IMAGE_SUFFIXES


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF codec")
def test_folders_of_avif_and_jfif_photos_are_listed(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(_photo(1)).save(photos / "a.avif")
    Image.fromarray(_photo(2)).save(photos / "b.jfif", "JPEG")
    assert [p.name for p in frames.frame_files(photos)] == ["a.avif", "b.jfif"]
    done = _cli("skin", "apply", photos, "--output-dir", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a_skin.png", "b_skin.png"]


def test_an_avif_photo_this_pillow_cannot_decode_is_not_called_corrupt(tmp_path, monkeypatch):
    # With a Pillow without the AVIF codec (before 11.2, which our requirement allows), a sound
    # AVIF photo was "looks like an AVIF image but its header is damaged; the file is corrupt".
    path = tmp_path / "holiday.avif"
    path.write_bytes(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(64))
    assert "damaged" in segmix_io._why_unreadable(path) or not features.check("avif")
    monkeypatch.setattr(segmix_io, "_pillow_reads", lambda feature: False)
    words = segmix_io._why_unreadable(path)
    assert "AVIF" in words and "cannot decode" in words and "corrupt" not in words
    assert "convert it to PNG" in words


def test_a_cutout_of_a_16_bit_photo_holds_16_bits(tmp_path):
    # segment --cutout of a 16-bit PNG wrote an 8-bit RGBA PNG without a word (session 37),
    # then with a note; it now holds the photo's 16 bits (session 43), and says nothing.
    import cv2

    pixels = np.zeros((40, 50, 3), np.uint16)
    pixels[10:30, 15:35] = (60000, 2000, 2000)
    cv2.imwrite(str(tmp_path / "deep.png"), pixels)
    Image.fromarray(_photo(3, (40, 50, 3))).save(tmp_path / "flat.png")
    for name, said in (("deep.png", True), ("flat.png", False)):
        done = _cli("segment", tmp_path / name, "--click", "25,20", "-o", tmp_path / f"{name}_m.png",
                    "--cutout", tmp_path / f"{name}_c.png")
        assert done.returncode == 0, done.stderr
        assert "bits per sample" not in done.stderr
        deep = cv2.imread(str(tmp_path / f"{name}_c.png"), cv2.IMREAD_UNCHANGED)
        assert deep.dtype == (np.uint16 if said else np.uint8) and deep.shape == (40, 50, 4)
    assert segmix_io.cutout_depth_note(tmp_path / "missing.png") == ""


# -- a box on a greyscale photo ------------------------------------------------------------
def _grey_textured_scene(seed=0, size=(120, 160)):
    """A surround of broad bands of two grey levels and a disc of fine checkerboard of the same
    two levels: grey level alone cannot tell them apart, the local gradient can."""
    rng = np.random.default_rng(seed)
    h, w = size
    y, x = np.mgrid[0:h, 0:w]
    grey = np.where((x // 12) % 2 == 0, 100.0, 160.0) + rng.normal(0, 1.5, size)
    disc = (y - h / 2) ** 2 + (x - w / 2) ** 2 < 32 ** 2
    checker = np.where((y // 2 + x // 2) % 2 == 0, 100.0, 160.0)
    grey[disc] = checker[disc] + rng.normal(0, 1.5, disc.sum())
    grey = np.clip(np.rint(grey), 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2), disc


def _box_marks(shape, top, bottom, left, right):
    from segmix.segment import BACKGROUND

    labels = np.full(shape, BACKGROUND, np.uint8)
    labels[top:bottom, left:right] = 0
    return labels


def test_is_greyscale_takes_grey_photos_and_small_chroma_rounding_only():
    from segmix.segment import is_greyscale

    grey, _ = _grey_textured_scene()
    assert is_greyscale(grey)
    rounded = grey.astype(np.int16)
    rounded[::7, ::5, 2] += 1  # a grey JPEG decoded to RGB: a level here and there
    assert is_greyscale(np.clip(rounded, 0, 255).astype(np.uint8))
    tinted = grey.copy()
    tinted[60, 80] = (200, 100, 100)  # one coloured pixel, off the strided look's grid
    assert not is_greyscale(tinted)
    assert not is_greyscale(_photo(4))
    assert not is_greyscale(grey[..., 0])  # not (H, W, 3)


def test_a_box_on_a_greyscale_photo_uses_the_texture_too(monkeypatch):
    # On the DAVIS frames made grey a box alone gave mean IoU 0.36 (colour: 0.66): grey levels
    # alone could not tell the object from the rest of the box. The texture feature now joins
    # them for a box on a greyscale photo.
    import warnings

    import segmix.segment as seg

    image, disc = _grey_textured_scene()
    labels = _box_marks(disc.shape, 20, 100, 40, 120)

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return seg.segment(image, labels, seg.SegmentationSettings())

    def iou(mask):
        return np.count_nonzero(mask & disc) / np.count_nonzero(mask | disc)

    result = run()
    assert result.model.features.texture_weight == seg.GREY_BOX_TEXTURE_WEIGHT > 0
    with_texture = iou(result.mask)
    monkeypatch.setattr(seg, "GREY_BOX_TEXTURE_WEIGHT", 0.0)
    grey_alone = run()
    assert grey_alone.model.features.texture_weight == 0
    assert with_texture > 0.7 and with_texture > iou(grey_alone.mask) + 0.5  # grey alone: 0.0, an empty mask


def test_colour_photos_and_clicks_on_grey_photos_keep_their_features():
    import warnings

    import segmix.segment as seg

    image, disc = _grey_textured_scene()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clicks = np.zeros(disc.shape, np.uint8)
        clicks[58:63, 78:83] = seg.FOREGROUND
        assert seg.segment(image, clicks, seg.SegmentationSettings()).model.features.texture_weight == 0
        tinted = image.copy()
        tinted[..., 0] = np.clip(tinted[..., 0].astype(int) + 40, 0, 255)
        box = _box_marks(disc.shape, 20, 100, 40, 120)
        assert seg.segment(tinted, box, seg.SegmentationSettings()).model.features.texture_weight == 0
        # An explicit choice of features is the user's: kept on a grey box too.
        asked = seg.segment(image, box, seg.SegmentationSettings(position_weight=0.5)).model.features
        assert asked.texture_weight == 0 and asked.position_weight == 0.5


@pytest.mark.parametrize("value", ["0", "abc", "", "-2", "4,0"])
def test_an_openmp_thread_count_openmp_cannot_read_is_one_warning_line(tmp_path, value):
    # OMP_NUM_THREADS=0 printed libgomp's "Invalid value for environment variable
    # OMP_NUM_THREADS" after a blank line on every run (a trial): now segmix's one line.
    import os

    Image.fromarray(_photo(5)).save(tmp_path / "p.png")
    env = dict(os.environ, OMP_NUM_THREADS=value, NUMBA_THREADING_LAYER="omp")
    done = subprocess.run([sys.executable, "-m", "segmix", "quantize", str(tmp_path / "p.png"), "-k", "3",
                           "-o", str(tmp_path / "q.png")], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "libgomp" not in done.stderr
    said = [line for line in done.stderr.splitlines() if "OMP_NUM_THREADS" in line]
    assert said == [f"segmix quantize: warning: OMP_NUM_THREADS={value}: not a thread count (a whole number of "
                    "at least 1, or a list of them such as 4,2), so it is not used: the kernels take one thread "
                    "per core; unset it or give a valid value"]


def test_valid_openmp_thread_counts_are_left_alone(monkeypatch):
    import os

    from segmix import kernels

    for value in ("1", "4,2", " 2"):
        monkeypatch.setenv("OMP_NUM_THREADS", value)
        kernels._openmp_thread_count()
        assert os.environ["OMP_NUM_THREADS"] == value


@pytest.mark.parametrize("codec, pix_fmt", [("mjpeg", "yuvj420p"), ("mpeg4", "yuv420p")])
def test_an_avi_on_a_millisecond_time_base_is_whole_not_truncated(tmp_path, codec, pix_fmt):
    # An AVI written with a 1/1000 s time base (a variable frame rate, a 2-s gap) announces a
    # "frame" per tick: a trial's whole 60-picture file was said to "end after frame 60 of the
    # 5160 its header announces (a truncated or damaged file?)", exit 1.
    from fractions import Fraction

    import av

    from segmix.frames import FrameSequence

    path = tmp_path / "vfr.avi"
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, pix_fmt
        stream.codec_context.time_base = Fraction(1, 1000)
        pts = 0
        for i in range(24):
            frame = av.VideoFrame.from_ndarray(_photo(i, (48, 64, 3)), format="rgb24").reformat(format=pix_fmt)
            frame.pts, frame.time_base = pts, Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
            pts += 2000 if i == 11 else (40 if i % 3 else 80)
        for packet in stream.encode():
            container.mux(packet)
    sequence = FrameSequence(path)
    assert sequence.frame_count == 24
    done = _cli("background", path, "--output-dir", tmp_path / "masks", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "truncated" not in done.stderr and "ends" not in done.stderr
    assert len(list((tmp_path / "masks").glob("*.png"))) == 24


def test_wide_brush_marks_saved_by_segmix_are_not_asked_about_as_a_mask(tmp_path):
    # Trial A's warning for a 0 / 1 mask given as scribbles (filled foreground, no background)
    # also fired on segmix's own saved marks painted with a wide brush: such a file is marks.
    from segmix.io import save_labels

    photo = _photo(6, (120, 160, 3))
    Image.fromarray(photo).save(tmp_path / "p.png")
    labels = np.zeros((120, 160), np.uint8)
    labels[20:100, 30:130] = 1  # a wide brush's filled area
    Image.fromarray(labels).save(tmp_path / "mask01.png")
    save_labels(tmp_path / "saved.png", labels)
    warned = _cli("segment", tmp_path / "p.png", "--scribbles", tmp_path / "mask01.png", "-o", tmp_path / "a.png")
    assert warned.returncode == 0 and "is it a 0 / 1 mask given as scribbles?" in warned.stderr
    saved = _cli("segment", tmp_path / "p.png", "--scribbles", tmp_path / "saved.png", "-o", tmp_path / "b.png")
    assert saved.returncode == 0, saved.stderr
    assert "0 / 1 mask" not in saved.stderr


def test_segment_says_a_grey_photo_s_box_learns_the_texture(tmp_path):
    image, _ = _grey_textured_scene()
    Image.fromarray(image[..., 0]).save(tmp_path / "grey.png")
    Image.fromarray(image).save(tmp_path / "grey_rgb.png")
    tinted = image.copy()
    tinted[..., 0] = np.clip(tinted[..., 0].astype(int) + 40, 0, 255)
    Image.fromarray(tinted).save(tmp_path / "colour.png")
    for name, said in (("grey.png", True), ("grey_rgb.png", True), ("colour.png", False)):
        done = _cli("segment", tmp_path / name, "--box", "40,20,120,100", "-o", tmp_path / f"m_{name}")
        assert done.returncode == 0, done.stderr
        assert ("is a greyscale photo: the box's models learn its texture" in done.stderr) is said, name
    clicked = _cli("segment", tmp_path / "grey.png", "--click", "80,60", "-o", tmp_path / "m_click.png")
    assert clicked.returncode == 0 and "texture" not in clicked.stderr


def test_skin_train_asks_whether_inverted_masks_are_inverted(tmp_path):
    # Masks with skin 0 and non-skin 255 trained a model of everything but skin, the only sign
    # "the training data's skin share is 0.803" (trial B): now a warning asks.
    from synthetic_photos import GREEN, SKIN

    rng = np.random.default_rng(3)
    for kind in ("img", "right", "inverted"):
        (tmp_path / kind).mkdir()
    for i in range(3):
        photo = np.empty((40, 60, 3))
        photo[:] = GREEN
        photo[10:30, 15:45] = SKIN
        photo = np.clip(photo + rng.normal(0, 4, photo.shape), 0, 255).astype(np.uint8)
        mask = np.zeros((40, 60), np.uint8)
        mask[10:30, 15:45] = 255
        Image.fromarray(photo).save(tmp_path / "img" / f"p{i}.png")
        Image.fromarray(mask).save(tmp_path / "right" / f"p{i}.png")
        Image.fromarray(255 - mask).save(tmp_path / "inverted" / f"p{i}.png")
    for masks, said in (("right", False), ("inverted", True)):
        done = _cli("skin", "train", "--images", tmp_path / "img", "--masks", tmp_path / masks,
                    "-o", tmp_path / f"{masks}.json", "--quiet")
        assert done.returncode == (2 if said else 0), done.stderr  # refused without --inverted-ok (session 56)
        assert ("are the masks inverted?" in done.stderr) is said, done.stderr


def test_an_unfitted_estimator_s_error_is_caught_as_scikit_learn_s_would_be():
    # scikit-learn's NotFittedError is a ValueError and an AttributeError; segmix's was a
    # RuntimeError alone, which code written for scikit-learn's estimators did not catch (trial E).
    from segmix.mixture import GaussianMixture, KMeans, NotFittedError

    for estimator in (GaussianMixture(2), KMeans(2)):
        for caught in (RuntimeError, ValueError, AttributeError, NotFittedError):
            with pytest.raises(caught, match="not fitted yet: call fit first"):
                estimator.predict(np.ones((3, 2)))
