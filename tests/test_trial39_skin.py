"""Session 39's trial of skin apply / eval / train and the skin library as a demanding user runs
them: each test pins a fault the trial found.

1. A 16-bit PNG of 10-bit data (values 0..1023, levels 0-4 at 8 bits) was warned "(12-bit
   data?) ... scale it first (12-bit data: multiply by 16)": scaled so, it still reads at levels
   0-64, dark. The library's cast advice for such an array was ``>> 4`` (levels 0..63), and 14-bit
   data was told ``>> 8`` (levels 0..63 too): only 12-bit data was told the shift that keeps 8 bits.
2. ``skin.detect`` given a cut-out's RGBA array was told "image[..., :3] drops an alpha
   channel", which scores the colours the cut-out hides: skin found where the file is
   transparent, a mask other than skin apply's of the same file.
3. README's library example (``SkinEvaluator.add`` per photo, then ``format_eval``) was told its
   best threshold came from the posterior alone because "the exact graph cut, --cut-diagonal 0,
   is too costly to re-run per threshold": an option the user never gave.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from segmix.source_record import source_digest


def _sixteen_bit_png(path, top: int) -> None:
    """A 16-bit RGB PNG whose samples reach ``top`` (a skin patch on a grey-blue wall)."""
    import cv2

    image = np.zeros((24, 32, 3), np.float64)
    image[:] = (70, 90, 120)
    image[6:18, 8:24] = (224, 172, 140)
    cv2.imwrite(str(path), np.round(image / 224 * top).astype(np.uint16)[..., ::-1])


@pytest.mark.parametrize("top, bits, factor", [(1023, 10, 64), (900, 10, 64), (4095, 12, 16), (2000, 12, 16)])
def test_a_16_bit_photo_of_10_bit_data_is_told_its_own_factor(tmp_path, capsys, top, bits, factor):
    from segmix.cli import main
    from segmix.io import NarrowSamplesWarning, load_image

    path = tmp_path / "sensor.png"
    _sixteen_bit_png(path, top)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pixels = load_image(path)
    said = [str(w.message) for w in caught if issubclass(w.category, NarrowSamplesWarning)]
    assert len(said) == 1 and f"({bits}-bit data?)" in said[0] and f"multiply by {factor})" in said[0], said
    assert f"under 1/{factor} of their range" in said[0], said
    # Scaled by the factor said, the data reaches the top of the range (not levels 0-64).
    assert int(pixels.max()) * factor <= 255 + factor and top * factor > 30000
    assert main(["skin", "apply", str(path), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"({bits}-bit data?)" in err and f"multiply by {factor})" in err, err


def test_a_10_bit_video_frame_and_the_window_note_use_the_same_words():
    from segmix.io import narrow_samples_words

    assert narrow_samples_words(4).endswith("(10-bit data: multiply by 64)")
    assert narrow_samples_words(16).endswith("(12-bit data: multiply by 16)")
    assert "(8-bit levels 0-12)" in narrow_samples_words(12)


@pytest.mark.parametrize("top, shift, bits", [(1000, 2, 10), (4000, 4, 12), (16000, 6, 14)])
def test_a_16_bit_array_of_10_or_14_bit_data_is_told_the_shift_that_keeps_8_bits(top, shift, bits):
    from segmix.skin import detect, load_skin_model

    image = np.zeros((8, 8, 3), np.uint16)
    image[:] = (top // 3, top // 2, top)
    with pytest.raises(ValueError) as refused:
        detect(load_skin_model(), image)
    words = str(refused.value)
    assert f"(image >> {shift}).astype(np.uint8) (its values are all under {2 ** bits}: {bits}-bit data?)" in words
    # The shift advised keeps the brightest value within 8 bits and above half of them.
    assert 128 <= top >> shift <= 255


def test_a_cut_out_array_refused_by_detect_is_told_how_to_keep_its_transparency():
    from segmix.skin import detect, load_skin_model
    from tests.test_trial38_skin import cut_out_photo

    image, hidden = cut_out_photo()
    rgba = np.dstack([image, np.where(hidden, 0, 255).astype(np.uint8)])
    model = load_skin_model()
    with pytest.raises(ValueError) as refused:
        detect(model, rgba)
    words = str(refused.value)
    assert "transparent=image[..., 3] == 0" in words, words
    # The advice gives the command line's mask of the cut-out; dropping the alpha alone does not.
    advised = detect(model, rgba[..., :3], transparent=rgba[..., 3] == 0).mask
    assert not advised[hidden].any()
    assert detect(model, rgba[..., :3]).mask[hidden].any()
    # An opaque RGBA array (or CMYK) is not told of transparency.
    with pytest.raises(ValueError) as opaque:
        detect(model, np.dstack([image, np.full(hidden.shape, 255, np.uint8)]))
    assert "transparent=" not in str(opaque.value)


def test_the_library_evaluators_best_threshold_line_names_no_option_it_did_not_use():
    from segmix.skin_eval import SkinEvaluator, format_eval

    evaluator = SkinEvaluator(0.5)
    posterior = np.array([[0.9, 0.8, 0.3, 0.1]], np.float32)
    evaluator.add(posterior, np.array([[1, 1, 0, 0]], np.int8), posterior > 0.5)
    result = evaluator.result()
    assert result.best_basis == "per-pixel"
    text = format_eval(result)
    line = text.splitlines()[-1]
    assert "not comparable" in line and "SkinEvaluator.add alone re-runs nothing" in line, line
    assert "is too costly to re-run per threshold" not in line, line


def test_a_run_of_another_folder_does_not_replace_an_earlier_photos_masks(tmp_path, capsys):
    # skin apply day1/ --output-dir masks, then skin apply day2/ --output-dir masks where day2
    # holds another IMG_0001.jpg (cameras reuse names): day1's masks were replaced in silence,
    # exit 0, where two such photos in one run are refused naming both.
    from PIL import Image

    from segmix.cli import main
    from tests.test_trial38_skin import cut_out_photo

    image, _ = cut_out_photo()
    for day, photo in (("day1", image), ("day2", image[::-1].copy())):
        (tmp_path / day).mkdir()
        Image.fromarray(photo).save(tmp_path / day / "IMG_0001.png")
    out = tmp_path / "masks"
    assert main(["skin", "apply", str(tmp_path / "day1"), "--output-dir", str(out), "--probability", "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    for extra in ([], ["--probability"]):
        assert main(["skin", "apply", str(tmp_path / "day2"), "--output-dir", str(out), "--quiet", *extra]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert "IMG_0001_skin.png" in err and str((tmp_path / "day1" / "IMG_0001.png").resolve()) in err, err
        assert "another photo of the same name" in err, err
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # A rerun of the same photos rewrites their outputs, as before.
    assert main(["skin", "apply", str(tmp_path / "day1"), "--output-dir", str(out), "--probability", "--quiet"]) == 0
    # The record is the photo's absolute path, in both files.
    for name in ("IMG_0001_skin.png", "IMG_0001_skin_prob.png"):
        with Image.open(out / name) as written:
            assert written.info["Source-Digest"] == source_digest(str((tmp_path / "day1" / "IMG_0001.png").resolve()))
