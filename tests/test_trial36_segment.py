"""Faults of segmix segment found in session 36's new-user trial (t36a): clicks, boxes and
scribbles on real and odd photos, and what the command says about them."""

import numpy as np
from PIL import Image

from segmix.cli import main
from segmix.io import save_labels


def _flat_square(path):
    """A flat red square on flat blue (a logo, a diagram): 200 x 60, the square 40 x 20."""
    photo = np.zeros((60, 200, 3), np.uint8)
    photo[:] = (0, 0, 200)
    photo[20:40, 80:120] = (255, 0, 0)
    Image.fromarray(photo).save(path)
    inside = np.zeros((60, 200), bool)
    inside[20:40, 80:120] = True
    return inside


def _warnings(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if "warning" in line]


def test_the_few_colours_warning_does_not_count_borrowed_colours_as_the_users_marks(tmp_path, capsys):
    """One click inside a flat red square, nothing marked background: the command warned "the
    foreground marks hold only 2 distinct colours" (the click's disc holds one) and "the
    background marks hold only 1 distinct colour" (none was marked): the counts were of the
    unmarked colours each class borrowed too."""
    inside = _flat_square(tmp_path / "logo.png")
    assert main(["segment", str(tmp_path / "logo.png"), "--click", "100,30", "-o", str(tmp_path / "m.png")]) == 0
    assert np.array_equal(np.array(Image.open(tmp_path / "m.png")) > 0, inside)  # the result is right
    lines = _warnings(capsys)
    # Since session 54 the few-colours warning is said only when the user's own marks hold the
    # few colours (a box round a plain object warned of "1 distinct colour" at IoU 1.0): a flat
    # photo's borrowed colours are no fault, and nothing is said.
    assert lines == [], lines


def test_the_few_colours_warning_names_the_marks_when_they_hold_the_colours(tmp_path, capsys):
    # A foreground and a background click, each on one flat colour: the marks' own count.
    _flat_square(tmp_path / "logo.png")
    assert main(["segment", str(tmp_path / "logo.png"), "--click", "100,30", "--background-click", "20,30",
                 "--at-once", "-o", str(tmp_path / "m.png")]) == 0
    lines = _warnings(capsys)
    assert "segmix segment: warning: the background marks hold only 1 distinct colour: the background mixture " \
           "has 1 component, not 5" in lines, lines
    assert not any("nothing is marked" in line for line in lines), lines


def _tiny(path, size):
    rng = np.random.default_rng(7)
    Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8)).save(path)


def _error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert err and "Traceback" not in "\n".join(err)
    return err[-1]


def test_a_click_covering_a_tiny_photo_says_so_not_to_leave_pixels_unmarked(tmp_path, capsys):
    """Clicks that mark every pixel of a tiny photo: "every pixel is marked foreground (1);
    leave the pixels to classify unmarked (0) and mark some background (2)", a label file's
    words, where no click can leave a pixel unmarked nor a --background-click add background.
    (Until session 44 a single click's 5-px disc covered a 3 x 3 photo; the disc is now an
    eighth of a tiny photo's shorter side, tests/test_inputs44.py, so it takes two clicks
    on a 2 x 1 photo.)"""
    Image.fromarray(np.random.default_rng(7).integers(0, 255, (1, 2, 3), dtype=np.uint8)).save(tmp_path / "tiny.png")
    out = tmp_path / "m.png"
    assert main(["segment", str(tmp_path / "tiny.png"), "--click", "0,0", "--click", "1,0", "-o", str(out)]) == 2
    assert _error_line(capsys) == (
        "segmix segment: error: the marks (2 clicks): every pixel is marked foreground (1): the clicks mark one "
        "pixel each, and cover all of this 2 x 1 photo; on so small a photo give the marks as --scribbles "
        "LABELS.png (0 unmarked, 1 foreground, 2 background) instead")
    assert not out.exists()


def test_a_label_file_covering_the_photo_keeps_its_words_with_a_click(tmp_path, capsys):
    # The scribbles mark every pixel but the click's disc, which the click marks foreground
    # too: the file's marks cover the photo, not the click, and the general words stand.
    _tiny(tmp_path / "tiny12.png", 12)
    save_labels(tmp_path / "s.png", np.ones((12, 12), np.uint8))
    assert main(["segment", str(tmp_path / "tiny12.png"), "--scribbles", str(tmp_path / "s.png"), "--click", "6,6",
                 "-o", str(tmp_path / "m.png")]) == 2
    line = _error_line(capsys)
    assert line.endswith("every pixel is marked foreground (1); leave the pixels to classify unmarked (0) and mark "
                         "some background (2)"), line


def _no_effect(capsys):
    return [line for line in _warnings(capsys) if "no effect" in line]


def test_the_cuts_options_given_without_the_cut_are_said_to_do_nothing(tmp_path, capsys):
    """--smoothing none with --smoothness, --no-fill-holes, --boundary-refine, --distance-prior:
    the per-pixel rule's mask, the same to the pixel as without them, and not a word."""
    _flat_square(tmp_path / "logo.png")
    base = ["segment", str(tmp_path / "logo.png"), "--click", "100,30", "--background-click", "20,30"]
    assert main([*base, "--smoothing", "none", "-o", str(tmp_path / "plain.png")]) == 0
    assert not _no_effect(capsys)
    assert main([*base, "--smoothing", "none", "--smoothness", "10", "--no-fill-holes", "--boundary-refine", "0",
                 "-o", str(tmp_path / "m.png"), "--save-scribbles", str(tmp_path / "s.png")]) == 0
    lines = _no_effect(capsys)
    assert lines == ["segmix segment: warning: --smoothness, --boundary-refine, --no-fill-holes have no effect with "
                     "--smoothing none: the per-pixel rule p(fg | colour) > T has no graph cut, clean-ups or boundary "
                     "refinement"], lines
    assert np.array_equal(np.array(Image.open(tmp_path / "m.png")), np.array(Image.open(tmp_path / "plain.png")))
    # The graph cut off by the settings saved with the marks is named as such.
    assert main(["segment", str(tmp_path / "logo.png"), "--scribbles", str(tmp_path / "s.png"), "--distance-prior", "2",
                 "-o", str(tmp_path / "again.png")]) == 0
    assert _no_effect(capsys) == [
        "segmix segment: warning: --distance-prior has no effect with the graph cut off (the setting saved with the "
        "marks; --smoothing graphcut turns it on): the per-pixel rule p(fg | colour) > T has no graph cut, clean-ups "
        "or boundary refinement"]
    # With the cut, nothing is said.
    assert main([*base, "--smoothness", "10", "--no-fill-holes", "-o", str(tmp_path / "cut.png")]) == 0
    assert not _no_effect(capsys)


def test_a_single_pixel_photo_is_said_to_hold_nothing_to_segment(tmp_path, capsys):
    """A 1 x 1 photo clicked, or given marks: the advice was to leave pixels unmarked and mark
    background beside them, which no mark on a single pixel can do."""
    Image.fromarray(np.array([[[200, 10, 10]]], np.uint8)).save(tmp_path / "one.png")
    save_labels(tmp_path / "s.png", np.ones((1, 1), np.uint8))
    for marks, source in ((["--click", "0,0"], "the marks (1 click)"),
                          (["--background-click", "0,0"], "the marks (1 click)"),
                          (["--scribbles", str(tmp_path / "s.png")], str(tmp_path / "s.png"))):
        assert main(["segment", str(tmp_path / "one.png"), *marks, "-o", str(tmp_path / "m.png")]) == 2
        assert _error_line(capsys) == (f"segmix segment: error: {source}: the photo holds a single pixel (1 x 1), so "
                                       "there is nothing to segment")
    assert not (tmp_path / "m.png").exists()
