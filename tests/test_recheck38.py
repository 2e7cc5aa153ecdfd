"""Re-check of session 38's fixes on the merged code: neighbouring inputs the fixes' tests left
out, each test naming its fault."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests.test_session38 import SEPIA, WARM, _grey_photo, _jpeg, _toned


def _dim_grey_photo() -> np.ndarray:
    """A grey photo over about 150 levels (a dim or flat scene: DAVIS 090 spans 20-177)."""
    return 30 + 0.6 * _grey_photo()


@pytest.mark.parametrize("gains", [SEPIA, WARM])
@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_a_toned_jpeg_of_a_dim_scene_is_warned_of(gains, fmt):
    # A sepia JPEG of DAVIS 090 (grey levels 20-177, under the 190 asked of a lossy toned photo)
    # got a mask of 59 % skin from `skin apply` in silence, while its PNG was warned of; 8-9 of
    # 15 toned JPEG copies of DAVIS and ccp photos were below the range.
    import io

    from segmix.skin import ONE_TONE_WORDS, colourless_words, greyscale_warning, is_toned

    buffer = io.BytesIO()
    Image.fromarray(_toned(_dim_grey_photo(), gains)).save(buffer, fmt, quality=85)
    image = np.asarray(Image.open(buffer).convert("RGB"))
    assert not is_toned(image)  # skin train still takes it (a close-up of skin looks the same)
    assert colourless_words(image) == ONE_TONE_WORDS
    line = greyscale_warning("old.jpg", np.ones(image.shape[:2], bool), kind=ONE_TONE_WORDS)
    assert "if it is toned (skin detection needs colour), its mask (100.0 % skin) comes from its tint and " \
        "brightness alone" in line


def test_skin_apply_warns_of_a_dim_sepia_jpeg_without_calling_it_colourless(tmp_path):
    from tests.test_session38 import skin_apply_on

    done = skin_apply_on(tmp_path, _toned(_dim_grey_photo(), SEPIA))
    assert done.returncode == 0, done.stderr
    assert "old.jpg: photo in one tone (a toned black-and-white photo such as sepia, or a close-up of skin)" \
        in done.stderr
    # Perhaps a close-up of skin: the summary does not say it has no colour of its own.
    assert "no colour of its own" not in done.stdout


def test_a_colour_photo_saved_as_jpeg_is_not_one_tone():
    from segmix.skin import colourless_words

    rng = np.random.default_rng(5)
    grey = _dim_grey_photo()
    hue = np.linspace(0, 2 * np.pi, grey.shape[1])[None, :, None] + np.array([0, 2.1, 4.2])
    colour = np.clip(grey[..., None] + 40 * np.cos(hue) + rng.normal(0, 2, grey.shape + (3,)), 0, 255)
    assert colourless_words(_jpeg(colour.astype(np.uint8), 85)) is None


def test_skin_apply_on_a_folder_of_its_own_masks_says_so(tmp_path):
    # `skin apply out/` on an earlier run's masks said "out: no photos found (looked for .avif,
    # ..., .png, ...)", as if its PNGs had not been seen.
    (tmp_path / "photos").mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(tmp_path / "photos" / "a.png")
    run = [sys.executable, "-m", "segmix", "skin", "apply"]
    done = subprocess.run(run + [tmp_path / "photos", "--output-dir", tmp_path / "out"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    again = subprocess.run(run + [tmp_path / "out", "--output-dir", tmp_path / "out2"], capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 2
    assert "out: no photos, only results segmix wrote (a_skin.png: masks" in again.stderr, again.stderr
    assert not (tmp_path / "out2").exists()


@pytest.mark.parametrize("name", ["clip.vob", "CLIP.MOD", "clip.tod", "clip.m2v", "clip.3g2", "clip.asf",
                                  "clip.dv", "clip.mxf", "clip.f4v", "clip.qt"])
def test_the_window_opens_more_video_names_in_video_mode(name):
    # `segmix clip.vob` took a DVD video for a damaged photo ("is not an image although its name
    # ends in .vob ... the file may be damaged"), while `segmix background clip.vob` read it.
    from segmix.frames import is_sequence_path

    assert is_sequence_path(name)


def test_a_vob_video_is_read_as_frames(tmp_path):
    av = pytest.importorskip("av")
    from segmix.frames import FrameSequence

    path = tmp_path / "clip.vob"
    with av.open(str(path), "w", format="vob") as container:
        stream = container.add_stream("mpeg2video", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            frame = np.full((48, 64, 3), 40 * i, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    assert sum(1 for _ in FrameSequence(path)) == 5


def test_segment_box_on_a_sepia_jpeg_names_it_toned_not_greyscale(tmp_path):
    # The box's texture note called a sepia JPEG "a greyscale photo".
    photo = tmp_path / "old.jpg"
    Image.fromarray(_toned(_grey_photo(), SEPIA)).save(photo, quality=85)
    done = subprocess.run([sys.executable, "-m", "segmix", "segment", photo, "--box", "40,30,180,130", "-o",
                           tmp_path / "m.png"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "old.jpg is a toned black-and-white photo: the box's models learn its texture" in done.stderr


def test_kmeans_init_array_with_nan_names_the_nan():
    # KMeans(init=array) of the right shape holding NaN said "... of shape (2, 3); got shape (2, 3)".
    from segmix.mixture import KMeans

    X = np.random.default_rng(0).normal(size=(50, 3))
    with pytest.raises(ValueError, match=r"got 1 NaN or infinite value\(s\)"):
        KMeans(2, init=np.array([[np.nan, 0, 0], [1, 1, 1]])).fit(X)
    with pytest.raises(ValueError, match=r"got shape \(2, 2\)"):
        KMeans(2, init=np.zeros((2, 2))).fit(X)


def test_skin_train_warns_of_a_dim_sepia_jpeg_with_skin_labelled(tmp_path):
    # A sepia JPEG of a dim scene with skin labelled was trained on without a word (its PNG is
    # refused as toned): its skin is the tint's.
    from tests.test_session38 import skin_train_on

    image = _toned(_dim_grey_photo(), SEPIA)
    mask = np.zeros(image.shape[:2], np.uint8)
    mask[40:100, 60:140] = 255
    done = skin_train_on(tmp_path, image, mask)
    assert done.returncode == 0, done.stderr
    assert "old.jpg: photo in one tone (a toned black-and-white photo such as sepia, or a close-up of skin): " \
           "if it is toned, its 4,800 skin pixels teach the skin model its tint as skin" in done.stderr


def test_skin_train_on_dask_warns_of_a_dim_sepia_jpeg_too(tmp_path):
    pytest.importorskip("distributed")
    from segmix.distributed.skin_jobs import count_shard

    image = _toned(_dim_grey_photo(), SEPIA)
    Image.fromarray(image).save(tmp_path / "old.jpg", quality=85)
    mask = np.zeros(image.shape[:2], np.uint8)
    mask[40:100, 60:140] = 255
    Image.fromarray(mask).save(tmp_path / "old.png")
    part = count_shard(None, [("pairs", 0, [(0, str(tmp_path / "old.jpg"), str(tmp_path / "old.png"))])])
    assert [line for _, line in part.warnings if "photo in one tone" in line and "old.jpg" in line]
