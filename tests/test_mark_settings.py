"""The settings kept with a marks file (segmix.mark_settings): text form, checks, the command line."""

import numpy as np
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from segmix.cli import main
from segmix.io import load_image, save_labels
from segmix.mark_settings import (
    MARK_SETTINGS_KEY, WINDOW_SETTINGS, decode_settings, describe_settings, encode_settings, read_mark_settings,
    settings_record, settings_texts,
)
from segmix.segment import SegmentationSettings, segment


def test_record_round_trip_and_words():
    settings = SegmentationSettings(n_components=3, covariance_type="spherical", smoothing="none", threshold=0.7)
    record = settings_record(settings)
    assert set(record) == set(WINDOW_SETTINGS)
    assert decode_settings(encode_settings(record)) == record
    assert describe_settings(record) == "3 components, spherical covariance, no graph cut, threshold 0.70"
    assert describe_settings(settings_record(SegmentationSettings())) == "the default settings"


def test_words_name_every_change_against_the_settings_replaced():
    """A trial's panel had RGB, spherical, 7 components, threshold 0.35 and "unmarked =
    background" before loading marks saved with the defaults but 3 components, diag and 0.60:
    the status bar named only the three that differ from the defaults."""
    before = settings_record(SegmentationSettings(n_components=7, covariance_type="spherical", color_space="rgb",
                                                  threshold=0.35, unexplained_weight=3.0))
    saved = settings_record(SegmentationSettings(n_components=3, covariance_type="diag", threshold=0.6))
    changed = {k: v for k, v in saved.items() if before[k] != v}
    assert describe_settings(changed, against=before) == ("3 components, diag covariance, colour space lab, "
                                                          "unmarked pixels not background, threshold 0.60")


@pytest.mark.parametrize("text, words", [
    ("not json", "not JSON"),
    ('{"version": 2, "settings": {}}', "unknown format (version 2"),
    ('[1, 2]', "unknown format"),
    ('{"version": 1, "settings": {"smoothness": 3}}', "unknown setting(s) 'smoothness'"),
    ('{"version": 1, "settings": {"n_components": true}}', "n_components is True"),
    ('{"version": 1, "settings": {"threshold": NaN}}', "threshold is nan"),
    ('{"version": 1, "settings": {"threshold": 1.5}}', "threshold must lie in [0, 1]"),
    ('{"version": 1, "settings": {"covariance_type": "tied"}}', "covariance_type must be one of full, diag"),
    ('{"version": 1, "settings": {"color_space": "xyz"}}', "unknown color_space 'xyz'"),
])
def test_bad_settings_text_is_refused_in_words(text, words):
    with pytest.raises(ValueError, match=None) as info:
        decode_settings(text)
    assert words in str(info.value)


def _scene():
    rng = np.random.default_rng(0)
    image = np.full((90, 120, 3), (120, 130, 140), np.uint8)
    image[20:70, 30:95] = (200, 90, 60)
    image[40:50, 10:110] = (150, 120, 110)  # a bar of an in-between colour across both
    image = np.clip(image + rng.normal(0, 14, image.shape), 0, 255).astype(np.uint8)
    labels = np.zeros(image.shape[:2], np.uint8)
    labels[30:38, 55:65] = 1
    labels[3:7, 5:115] = 2
    return image, labels


def test_save_labels_keeps_the_settings_and_bad_ones_are_refused_before(tmp_path):
    image, labels = _scene()
    record = settings_record(SegmentationSettings(n_components=2))
    save_labels(tmp_path / "m.png", labels, texts=settings_texts(record))
    assert read_mark_settings(tmp_path / "m.png", labels) == (record, None)
    with Image.open(tmp_path / "m.png") as im:  # other tools see the same greyscale PNG
        assert im.mode == "L" and np.array_equal(np.asarray(im), labels)
    save_labels(tmp_path / "plain.png", labels)
    assert read_mark_settings(tmp_path / "plain.png", labels) == (None, None)
    with pytest.raises(ValueError, match="threshold must lie"):
        settings_texts({"threshold": 2.0})


def test_the_command_line_uses_saved_settings_unless_a_flag_says_otherwise(tmp_path, capsys):
    image, labels = _scene()
    Image.fromarray(image).save(tmp_path / "p.png")
    chosen = SegmentationSettings(n_components=1, covariance_type="spherical", threshold=0.8)
    save_labels(tmp_path / "m.png", labels, texts=settings_texts(settings_record(chosen)))
    run = ["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "m.png"), "-o"]

    assert main(run + [str(tmp_path / "a.png")]) == 0
    err = capsys.readouterr().err
    assert "m.png: using the settings saved with the marks (1 component, spherical covariance, threshold 0.80;" in err
    expected = segment(image, labels, chosen).mask
    assert np.array_equal(load_image(tmp_path / "a.png")[..., 0] > 127, expected)

    assert main(run + [str(tmp_path / "b.png"), "--threshold", "0.3", "-k", "2"]) == 0
    err = capsys.readouterr().err
    assert "(spherical covariance; the flags given here took precedence: --components, --threshold;" in err
    flagged = segment(image, labels, SegmentationSettings(n_components=2, covariance_type="spherical",
                                                          threshold=0.3)).mask
    assert np.array_equal(load_image(tmp_path / "b.png")[..., 0] > 127, flagged)

    assert main(run + [str(tmp_path / "c.png"), "--ignore-saved-settings"]) == 0
    assert "saved" not in capsys.readouterr().err
    assert np.array_equal(load_image(tmp_path / "c.png")[..., 0] > 127, segment(image, labels).mask)


def test_damaged_saved_settings_are_one_warning_and_the_defaults(tmp_path, capsys):
    image, labels = _scene()
    Image.fromarray(image).save(tmp_path / "p.png")
    chunk = PngInfo()
    chunk.add_text(MARK_SETTINGS_KEY, '{"version": 1, "settings": {"n_components": 1')
    im = Image.frombytes("P", labels.shape[::-1], labels.tobytes())
    im.putpalette([0, 0, 0, 255, 64, 64, 64, 128, 255])
    im.save(tmp_path / "m.png", pnginfo=chunk)
    assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "m.png"),
                 "-o", str(tmp_path / "a.png")]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "settings" in line]
    assert len(lines) == 1 and "m.png: the settings saved with the marks are not used (the saved settings are " \
                                "not JSON" in lines[0]
    assert np.array_equal(load_image(tmp_path / "a.png")[..., 0] > 127, segment(image, labels).mask)


def test_covariance_type_flag_reaches_the_settings(tmp_path):
    image, labels = _scene()
    Image.fromarray(image).save(tmp_path / "p.png")
    save_labels(tmp_path / "m.png", labels)
    assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "m.png"), "-o",
                 str(tmp_path / "a.png"), "--covariance-type", "diag", "--save-model", str(tmp_path / "m.json")]) == 0
    import json

    classes = json.loads((tmp_path / "m.json").read_text())["classifier"]["classes"]
    assert [c["mixture"]["covariance_type"] for c in classes] == ["diag", "diag"]
