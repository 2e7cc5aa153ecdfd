"""Session 53 (inputs53): files moving between segmix and other tools.

1. A PGM / PPM label map of a small maxval (2) holding 0 / 1 / 2 was read as Pillow rescales
   it (0 / 128 / 255) and refused as a trimap; OpenCV and netpbm read the stored numbers.
2. Gaps in a frame folder's numbering passed in silence.
3. A TIFF of only its header printed tifffile's log line before segmix's error.
4. Whole-number floats ("n_components": 5.0) in a model file were refused.
5. A 10-bit PGM photo was said to hold 32 bits per sample.
6. A model written by a newer segmix (unknown settings, newer version) was applied in silence.
"""

import numpy as np
import pytest

from segmix.io import ImageLoadError
from segmix.labelmaps import load_mask, load_scribbles


def _labels(height=40, width=48):
    labels = np.zeros((height, width), np.uint8)
    labels[5:15, 5:20] = 1
    labels[25:35, 10:40] = 2
    return labels


def _pgm(path, values, maxval, plain=False, magic=None):
    """Write ``values`` (H, W) or (H, W, 3) as a PGM / PPM of ``maxval``, as stored numbers."""
    values = np.asarray(values)
    colour = values.ndim == 3
    magic = magic or {(False, False): "P5", (False, True): "P2", (True, False): "P6", (True, True): "P3"}[(colour, plain)]
    header = f"{magic}\n# made by another tool\n{values.shape[1]} {values.shape[0]}\n{maxval}\n".encode()
    if plain:
        body = "\n".join(" ".join(str(int(v)) for v in row.ravel()) for row in values).encode() + b"\n"
    else:
        body = values.astype(">u2" if maxval > 255 else np.uint8).tobytes()
    path.write_bytes(header + body)


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("maxval", [2, 3, 7, 100, 1000])
def test_small_maxval_pgm_scribbles_are_read_as_stored(tmp_path, plain, maxval):
    labels = _labels()
    path = tmp_path / "s.pgm"
    _pgm(path, labels, maxval, plain=plain)
    np.testing.assert_array_equal(load_scribbles(path, labels.shape), labels)


def test_small_maxval_grey_ppm_scribbles_are_read_as_stored(tmp_path):
    labels = _labels()
    path = tmp_path / "s.ppm"
    _pgm(path, np.repeat(labels[:, :, None], 3, axis=2), 2)
    np.testing.assert_array_equal(load_scribbles(path, labels.shape), labels)


def test_full_scale_pgm_is_read_as_before(tmp_path):
    labels = _labels()
    for maxval in (255, 65535):
        path = tmp_path / f"s{maxval}.pgm"
        _pgm(path, labels, maxval)
        np.testing.assert_array_equal(load_scribbles(path, labels.shape), labels)


def test_small_maxval_pgm_mask_is_read_as_stored(tmp_path):
    """A maxval-1 PGM of 0 / 1 is told as a 0/1 mask, as its PNG is (OpenCV reads 0 / 1)."""
    mask = (_labels() == 1).astype(np.uint8)
    path = tmp_path / "m.pgm"
    _pgm(path, mask, 1)
    with pytest.raises(ImageLoadError, match="0/1 mask"):
        load_mask(path, mask.shape)
    # stored 0 / 128 / 255 under maxval 255 are a mask as they are
    _pgm(path, mask * 255, 255)
    assert load_mask(path, mask.shape).sum() == mask.sum()
    # and a maxval-2 trimap 0 / 1 / 2 is not read as 0 / 128 / 255
    _pgm(path, _labels(), 2)
    with pytest.raises(ImageLoadError, match="masks must hold only"):
        load_mask(path, mask.shape)


@pytest.mark.parametrize("plain", [False, True])
def test_sample_above_maxval_is_refused_naming_the_maxval(tmp_path, plain):
    labels = _labels()
    labels[0, 3] = 5
    path = tmp_path / "s.pgm"
    _pgm(path, labels, 2, plain=plain)
    with pytest.raises(ImageLoadError, match=r"s\.pgm: .*maxval 2") as caught:
        load_scribbles(path, labels.shape)
    assert "(3, 0)" in str(caught.value)


def test_background_groundtruth_pgm_of_small_maxval_is_read_as_stored(tmp_path):
    from segmix.background_run import FrameError, _read_groundtruth

    labels = np.zeros((20, 24), np.uint8)
    labels[4:10, 4:10] = 1
    path = tmp_path / "gt.pgm"
    _pgm(path, labels, 1)
    # stored 0 / 1: told as a 0/1 mask (Pillow's 0 / 255 was scored as moving in silence)
    with pytest.raises(FrameError, match="0/1 mask"):
        _read_groundtruth(path, labels.shape)


# --------------------------------------------------------------------------- 2. gaps in numbering

def _gap_folder(path, numbers, name="in{:06d}.png"):
    from PIL import Image

    from tests.synthetic_photos import moving_square_frames

    path.mkdir()
    frames = moving_square_frames(max(numbers), (32, 24), seed=3)
    for n in numbers:
        Image.fromarray(frames[n - 1]).save(path / name.format(n))
    return path


def test_gap_words_name_the_jump_and_the_missing_count(tmp_path):
    from segmix.background_run import numbering_gap_words
    from segmix.frames import FrameSequence

    folder = _gap_folder(tmp_path / "gap", [*range(1, 7), *range(10, 13)])
    words = numbering_gap_words(FrameSequence(folder))
    assert words == f"{folder}: frame numbers jump from 6 to 10: 3 frames missing", words
    # many gaps: summarised
    many = _gap_folder(tmp_path / "many", [1, 2, 3, 5, 6, 7, 10, 11, 12, 14, 15, 16, 20, 21, 22, 23])
    words = numbering_gap_words(FrameSequence(many))
    assert words == (f"{many}: frame numbers jump at 4 places (from 3 to 5, from 7 to 10, from 12 to 14 and 1 "
                     "more): 7 frames missing"), words
    # every 5th frame kept on purpose: no gap
    assert numbering_gap_words(FrameSequence(_gap_folder(tmp_path / "fifth", range(5, 40, 5)))) is None
    # no gap, or names that do not carry frame numbers consistently: nothing
    assert numbering_gap_words(FrameSequence(_gap_folder(tmp_path / "none", range(1, 8)))) is None
    mixed = _gap_folder(tmp_path / "mixed", [1, 2, 3])
    (mixed / "in000003.png").rename(mixed / "shot9.png")
    assert numbering_gap_words(FrameSequence(mixed)) is None


def test_gap_words_with_ground_truth_count_the_unscored(tmp_path):
    from segmix.background_run import numbering_gap_words
    from segmix.frames import FrameSequence

    folder = _gap_folder(tmp_path / "gap", [*range(1, 7), *range(10, 13)])
    groundtruth = {n: tmp_path / f"gt{n:06d}.png" for n in range(1, 13)}
    words = numbering_gap_words(FrameSequence(folder), groundtruth, roi=(8, 12))
    assert words.endswith("3 frames missing, 2 of them with ground truth in the scored range (not scored)"), words


def test_background_notes_a_gap_in_a_folder(tmp_path, capsys):
    from segmix.cli import main

    folder = _gap_folder(tmp_path / "gap", [*range(1, 7), *range(10, 13)])
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert f"segmix background: note: {folder}: frame numbers jump from 6 to 10: 3 frames missing" in err, err
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "out2"), "--quiet"]) == 0
    assert "jump" not in capsys.readouterr().err


# --------------------------------------------------------------------------- 3. tifffile's log line

HEADER_ONLY_TIFF = b"II*\x00\x00\x00\x00\x00"


def _tifffile_records(caplog):
    return [record for record in caplog.records if record.name.startswith("tifffile")]


@pytest.mark.parametrize("reader", ["scribbles", "mask", "groundtruth", "photo", "deep"])
def test_a_header_only_tiff_is_refused_without_tifffiles_log_line(tmp_path, caplog, reader):
    import logging

    path = tmp_path / "x.tif"
    path.write_bytes(HEADER_ONLY_TIFF)
    caplog.set_level(logging.DEBUG)
    if reader == "scribbles":
        with pytest.raises(ImageLoadError, match="x.tif"):
            load_scribbles(path, (8, 8))
    elif reader == "mask":
        with pytest.raises(ImageLoadError, match="x.tif"):
            load_mask(path)
    elif reader == "groundtruth":
        from segmix.background_run import FrameError, _read_groundtruth

        with pytest.raises(FrameError, match="x.tif"):
            _read_groundtruth(path, (8, 8))
    elif reader == "photo":
        from segmix.io import load_image_info as load_image

        with pytest.raises(ImageLoadError, match="x.tif"):
            load_image(path)
    else:
        from segmix.deep_pixels import sixteen_bit_samples

        sixteen_bit_samples(path, np.zeros((8, 8, 3), np.uint8))
    assert _tifffile_records(caplog) == [], [record.getMessage() for record in _tifffile_records(caplog)]


def test_command_line_says_one_line_of_a_header_only_tiff(tmp_path):
    import subprocess
    import sys

    from PIL import Image

    Image.new("RGB", (8, 8)).save(tmp_path / "p.png")
    (tmp_path / "x.tif").write_bytes(HEADER_ONLY_TIFF)
    run = subprocess.run([sys.executable, "-m", "segmix", "segment", "p.png", "--scribbles", "x.tif", "-o", "o.png"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == ["segmix segment: error: x.tif: looks like a TIFF image but its header "
                                               "is damaged; the file is corrupt"], run.stderr


# --------------------------------------------------------------------------- 4. whole-number floats

def _segment_model(tmp_path):
    from PIL import Image

    from segmix.cli import main

    rng = np.random.default_rng(5)
    photo = np.clip(rng.normal(60, 8, (40, 48, 3)), 0, 255).astype(np.uint8)
    photo[10:30, 12:36] = np.clip(rng.normal((200, 80, 60), 8, (20, 24, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(photo).save(tmp_path / "p.png")
    path = tmp_path / "seg.json"
    assert main(["segment", str(tmp_path / "p.png"), "--box", "10,8,38,32", "-o", str(tmp_path / "o.png"),
                 "--save-model", str(path), "--quiet"]) == 0
    return path


def _edited(path, edit, name):
    import json

    data = json.loads(path.read_text())
    edit(data)
    out = path.with_name(name)
    out.write_text(json.dumps(data))
    return out


def _floats(data, keys):
    """Every integer under ``keys`` (anywhere) written as a float, as some JSON writers do."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in keys and isinstance(value, int) and not isinstance(value, bool):
                data[key] = float(value)
            elif key in keys and isinstance(value, list) and all(isinstance(v, int) for v in value):
                data[key] = [float(v) for v in value]
            else:
                _floats(value, keys)
    elif isinstance(data, list):
        for value in data:
            _floats(value, keys)


SEGMENT_INTEGERS = {"version", "n_components", "n_features", "n_iter", "positive_class", "connectivity", "n_init",
                    "max_iter", "random_state", "texture_levels", "seed", "scribbled_pixels", "max_exact_pixels"}


def test_segment_model_with_whole_floats_is_read(tmp_path):
    from segmix.segment_modelfile import read_segmentation_model

    path = _segment_model(tmp_path)
    floats = _edited(path, lambda d: _floats(d, SEGMENT_INTEGERS), "floats.json")
    assert '"n_components": 5.0' in floats.read_text() or '"n_components": 3.0' in floats.read_text()
    model, expected = read_segmentation_model(floats), read_segmentation_model(path)
    assert model.settings == expected.settings
    assert model.classifier.mixtures[0].n_components == expected.classifier.mixtures[0].n_components


@pytest.mark.parametrize("where", ["mixture", "settings", "positive"])
def test_segment_model_with_a_fraction_for_an_integer_is_refused(tmp_path, where):
    from segmix.segment_modelfile import read_segmentation_model

    path = _segment_model(tmp_path)
    edit = {"mixture": lambda d: d["classifier"]["classes"][0]["mixture"].__setitem__("n_components", 5.5),
            "settings": lambda d: d["training"]["settings"].__setitem__("connectivity", 7.5),
            "positive": lambda d: d.__setitem__("positive_class", 0.5)}[where]
    with pytest.raises(ValueError, match="must be an integer; got (5.5|7.5|0.5)"):
        read_segmentation_model(_edited(path, edit, "frac.json"))


def test_skin_model_with_whole_floats_is_read(tmp_path):
    from segmix.bayes import BayesClassifier
    from segmix.features import FeatureSpace
    from segmix.mixture import GaussianMixture
    from segmix.modelfile import SegmixModel, read_model, write_model

    rng = np.random.default_rng(0)
    mixtures = [GaussianMixture(2, n_init=1, random_state=0).fit(rng.normal(c, 0.05, (300, 3)))
                for c in ((0.6, 0.4, 0.6), (0.3, 0.5, 0.5))]
    model = SegmixModel("skin", BayesClassifier(mixtures, [0.3, 0.7], ["skin", "non-skin"]), FeatureSpace("ycbcr"),
                        0, 0.4, {"seed": 3, "n_components": 2, "data": {"skin_pixels": 400}})
    path = tmp_path / "skin.json"
    write_model(path, model)
    floats = _edited(path, lambda d: _floats(d, SEGMENT_INTEGERS | {"skin_pixels"}), "floats.json")
    again = read_model(floats)
    assert again.classifier.mixtures[1].n_components == 2 and again.positive_class == 0
    assert isinstance(again.training["seed"], int)
    with pytest.raises(ValueError, match="'version' must be an integer; got 1.5"):
        read_model(_edited(path, lambda d: d.__setitem__("version", 1.5), "v.json"))


def test_background_model_with_whole_floats_is_read(tmp_path):
    from segmix.background import BackgroundModelError, load_background_model
    from segmix.cli import main

    folder = _gap_folder(tmp_path / "frames", range(1, 6))
    path = tmp_path / "bg.json"
    assert main(["background", str(folder), "--save-model", str(path), "--quiet"]) == 0
    keys = {"version", "n_components", "median_size", "frame_count", "shape"}
    model, expected = load_background_model(_edited(path, lambda d: _floats(d, keys), "f.json")), \
        load_background_model(path)
    assert model.frame_count_ == expected.frame_count_ and model.n_components == expected.n_components
    with pytest.raises(BackgroundModelError, match="'params.n_components' must be an integer; got 3.5"):
        load_background_model(_edited(path, lambda d: d["params"].__setitem__("n_components", 3.5), "h.json"))


def test_every_integer_setting_of_a_segmentation_model_is_an_integer_key():
    """A setting added later is read from 5.0 too (segmix.modelfile.INTEGER_KEYS)."""
    from dataclasses import fields

    from segmix.modelfile import INTEGER_KEYS
    from segmix.segment import SegmentationSettings

    defaults = SegmentationSettings()
    integers = {f.name for f in fields(defaults)
                if isinstance(getattr(defaults, f.name), int) and not isinstance(getattr(defaults, f.name), bool)}
    assert integers <= INTEGER_KEYS, integers - INTEGER_KEYS


# --------------------------------------------------------------------------- 5. a 10-bit PGM photo

def _ten_bit(tmp_path, colour=False, plain=False, maxval=1023):
    rng = np.random.default_rng(10)
    shape = (24, 32, 3) if colour else (24, 32)
    stored = rng.integers(0, maxval + 1, shape)
    stored.flat[:maxval + 1 if stored.size > maxval else 0] = np.arange(min(stored.size, maxval + 1))
    path = tmp_path / ("p.ppm" if colour else "p.pgm")
    _pgm(path, stored, maxval, plain=plain)
    return path, stored


@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("plain", [False, True])
def test_a_ten_bit_pnm_photo_is_scaled_by_its_maxval_and_says_ten_bits(tmp_path, colour, plain):
    from segmix.io import load_image_info as load_image

    path, stored = _ten_bit(tmp_path, colour, plain)
    loaded = load_image(path)
    expected = np.floor(stored * 255 / 1023 + 0.5).astype(np.uint8)
    expected = expected if colour else np.repeat(expected[:, :, None], 3, axis=2)
    np.testing.assert_array_equal(loaded.pixels, expected)
    assert loaded.bits_per_sample == 10


def test_the_cutout_note_names_the_real_depth(tmp_path):
    from segmix.io import cutout_depth_note, load_image_info as load_image

    path, _ = _ten_bit(tmp_path)
    note = cutout_depth_note(path, load_image(path).bits_per_sample)
    assert "holds 10 bits per sample (in 16-bit samples, maxval 1023)" in note, note
    assert "32" not in note.replace(str(path), "")  # (the path may hold 32: pytest-324)
    assert "holds 10 bits per sample (in 16-bit samples, maxval 1023)" in cutout_depth_note(path)


def test_quantize_names_the_real_depth(tmp_path, capsys):
    from segmix.cli import main

    path, _ = _ten_bit(tmp_path)
    assert main(["quantize", str(path), "-o", str(tmp_path / "q.png"), "-k", "4"]) == 0
    out = capsys.readouterr().out
    assert "has 10 bits per channel (in 16-bit samples, maxval 1023), read and written at 8" in out, out


# --------------------------------------------------------------------------- 6. a newer segmix's model

def test_segment_notes_a_model_of_a_newer_segmix(tmp_path, capsys):
    from segmix.cli import main

    path = _segment_model(tmp_path)
    capsys.readouterr()
    photo, out = str(tmp_path / "p.png"), str(tmp_path / "o2.png")

    def notes(model, *extra):
        assert main(["segment", photo, "--model", str(model), "-o", out, "--overwrite", *extra]) == 0
        return [line for line in capsys.readouterr().err.splitlines() if "newer" in line or "ignored" in line]

    assert notes(path) == []
    future = _edited(path, lambda d: d["training"].__setitem__("segmix_version", "9.0.0"), "future.json")
    said = notes(future)
    assert len(said) == 1 and said[0].startswith("segmix segment: note: ") and "segmix 9.0.0" in said[0], said
    assert "newer than this one" in said[0], said
    unknown = _edited(path, lambda d: d["training"]["settings"].__setitem__("brand_new_setting", 3), "new.json")
    said = notes(unknown)
    assert len(said) == 1 and "brand_new_setting" in said[0] and "ignored" in said[0], said
    both = _edited(future, lambda d: d["training"]["settings"].__setitem__("brand_new_setting", 3), "both.json")
    said = notes(both)
    assert len(said) == 1 and "9.0.0" in said[0] and "brand_new_setting" in said[0], said
    assert notes(both, "--quiet") == []


def test_newer_model_words_for_a_skin_model(tmp_path):
    from segmix.modelfile import newer_model_words

    assert newer_model_words("s.json", {"segmix_version": "0.0.9"}) is None
    assert newer_model_words("s.json", {"segmix_version": "not a version"}) is None
    words = newer_model_words("s.json", {"segmix_version": "0.3.0.dev3"})  # segmix is 0.2.0 since session 58
    assert words.startswith("s.json was written by segmix 0.3.0.dev3, newer than this one"), words


def test_skin_apply_notes_a_model_of_a_newer_segmix(tmp_path, capsys):
    from PIL import Image

    from segmix.cli import main
    from segmix.skin import load_skin_model
    from segmix.modelfile import write_model

    model = load_skin_model()
    model.training["segmix_version"] = "9.0.0"
    write_model(tmp_path / "future.json", model)
    (tmp_path / "in").mkdir()
    Image.fromarray(np.full((16, 16, 3), (200, 150, 120), np.uint8)).save(tmp_path / "in" / "a.png")
    main(["skin", "apply", str(tmp_path / "in"), "--model", str(tmp_path / "future.json"),
          "--output-dir", str(tmp_path / "out")])
    said = [line for line in capsys.readouterr().err.splitlines() if "newer" in line]
    assert len(said) == 1 and said[0].startswith("segmix skin apply: note: ") and "9.0.0" in said[0], said


def test_background_notes_a_model_of_a_newer_segmix(tmp_path, capsys):
    from segmix.cli import main

    folder = _gap_folder(tmp_path / "frames", range(1, 6))
    path = tmp_path / "bg.json"
    assert main(["background", str(folder), "--save-model", str(path), "--quiet"]) == 0
    future = _edited(path, lambda d: d.__setitem__("segmix_version", "9.0.0"), "future.json")
    capsys.readouterr()
    for model, count in ((path, 0), (future, 1)):
        assert main(["background", str(folder), "--model", str(model), "--output-dir",
                     str(tmp_path / f"out_{model.stem}")]) == 0
        said = [line for line in capsys.readouterr().err.splitlines() if "newer" in line]
        assert len(said) == count, said
    assert said[0].startswith(f"segmix background: note: {future} was written by segmix 9.0.0"), said
