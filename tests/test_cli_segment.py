"""``segmix segment`` on the command line: round trips through files and one-line errors."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.io import load_image, save_labels
from segmix.modelfile import read_model
from segmix.segment import BACKGROUND, FOREGROUND, SegmentationSettings, segment

FAST_ARGS = ["-k", "2"]
FAST = SegmentationSettings(n_components=2)


def _photo(seed=0, shape=(40, 60)):
    """A noisy orange square on a noisy blue background; truth = the square."""
    rng = np.random.default_rng(seed)
    h, w = shape
    image = np.empty((h, w, 3), np.float64)
    image[:] = (40, 70, 180)
    truth = np.zeros((h, w), bool)
    truth[10:30, 15:40] = True
    image[truth] = (230, 140, 30)
    image += rng.normal(0, 12, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), truth


def _scribbles(shape=(40, 60)):
    s = np.zeros(shape, np.uint8)
    s[18:22, 20:35] = FOREGROUND
    s[2, :] = BACKGROUND
    s[-3, :] = BACKGROUND
    s[:, 2] = BACKGROUND
    return s


@pytest.fixture
def files(tmp_path):
    image, truth = _photo()
    photo = tmp_path / "photo.png"
    Image.fromarray(image).save(photo)
    labels = tmp_path / "labels.png"
    save_labels(labels, _scribbles())
    return tmp_path, photo, labels, image, truth


def _one_line_error(capsys, code):
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith("segmix segment: error:")
    return err


def test_round_trip_and_library_agree(files, capsys):
    tmp_path, photo, labels, image, truth = files
    out = tmp_path / "mask.png"
    prob = tmp_path / "prob.png"
    cut = tmp_path / "cut.png"
    model = tmp_path / "model.json"
    code = main(["segment", str(photo), "--scribbles", str(labels), "--output", str(out), *FAST_ARGS,
                 "--probability", str(prob), "--cutout", str(cut), "--save-model", str(model)])
    assert code == 0
    written = capsys.readouterr().out
    for path in (out, prob, cut, model):  # every file written is named
        assert f"wrote {path}" in written
    mask = np.asarray(Image.open(out))
    assert mask.dtype == np.uint8 and mask.shape == truth.shape
    assert set(np.unique(mask)) <= {0, 255}
    assert ((mask == 255) != truth).sum() <= 2
    expected = segment(load_image(photo), _scribbles(), FAST).mask
    np.testing.assert_array_equal(mask == 255, expected)  # same bytes as the library
    assert Image.open(prob).mode.startswith("I")  # 16-bit probability
    assert Image.open(cut).mode == "RGBA"
    saved = read_model(model)
    assert saved.kind == "segmentation" and saved.classifier.n_classes == 2


def test_subprocess_python_m_segmix(files):
    tmp_path, photo, labels, _, truth = files
    out = tmp_path / "mask.png"
    run = subprocess.run(
        [sys.executable, "-m", "segmix", "segment", str(photo), "--scribbles", str(labels), "-o", str(out),
         *FAST_ARGS, "--smoothing", "none", "--color-space", "rgb", "--threshold", "0.5"],
        capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr
    mask = np.asarray(Image.open(out)) == 255
    expected = segment(load_image(photo), _scribbles(), SegmentationSettings(
        n_components=2, smoothing="none", color_space="rgb")).mask
    np.testing.assert_array_equal(mask, expected)


def test_subprocess_error_has_no_traceback(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "segmix", "segment", str(tmp_path / "missing.jpg"), "--scribbles",
         str(tmp_path / "l.png"), "-o", str(tmp_path / "m.png")],
        capture_output=True, text=True,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_missing_image(files, capsys):
    tmp_path, _, labels, _, _ = files
    code = main(["segment", str(tmp_path / "nope.jpg"), "--scribbles", str(labels), "-o", str(tmp_path / "m.png")])
    assert "nope.jpg" in _one_line_error(capsys, code)


def test_corrupt_image(files, capsys):
    tmp_path, _, labels, _, _ = files
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff not really a jpeg")
    code = main(["segment", str(bad), "--scribbles", str(labels), "-o", str(tmp_path / "m.png")])
    assert "bad.jpg" in _one_line_error(capsys, code)


def test_scribbles_of_wrong_size(files, capsys):
    tmp_path, photo, _, _, _ = files
    small = tmp_path / "small.png"
    save_labels(small, np.ones((10, 10), np.uint8))
    code = main(["segment", str(photo), "--scribbles", str(small), "-o", str(tmp_path / "m.png")])
    err = _one_line_error(capsys, code)
    assert "10 x 10" in err and "60 x 40" in err


def test_scribbles_with_bad_labels(files, capsys):
    tmp_path, photo, _, _, _ = files
    bad = tmp_path / "bad_labels.png"
    labels = _scribbles()
    labels[0, 0] = 9
    Image.fromarray(labels).save(bad)
    code = main(["segment", str(photo), "--scribbles", str(bad), "-o", str(tmp_path / "m.png")])
    assert "9" in _one_line_error(capsys, code)


def test_foreground_scribbles_alone_give_a_mask(files, capsys):
    # The zero-background prior: foreground marks alone are enough.
    tmp_path, photo, _, _, _ = files
    only_fg = tmp_path / "fg.png"
    labels = _scribbles()
    labels[labels == BACKGROUND] = 0
    save_labels(only_fg, labels)
    code = main(["segment", str(photo), "--scribbles", str(only_fg), "-o", str(tmp_path / "m.png")])
    assert code == 0
    mask = np.asarray(Image.open(tmp_path / "m.png"))
    assert mask[labels == FOREGROUND].min() == 255 and 0 < np.count_nonzero(mask) < mask.size


def test_no_scribbles_at_all(files, capsys):
    tmp_path, photo, _, _, _ = files
    empty = tmp_path / "empty.png"
    save_labels(empty, np.zeros_like(_scribbles()))
    code = main(["segment", str(photo), "--scribbles", str(empty), "-o", str(tmp_path / "m.png")])
    assert "no scribbles" in _one_line_error(capsys, code)
    assert not (tmp_path / "m.png").exists()


def test_output_equals_input(files, capsys):
    tmp_path, photo, labels, _, _ = files
    before = photo.read_bytes()
    code = main(["segment", str(photo), "--scribbles", str(labels), "-o", str(labels)])
    assert "refusing to overwrite" in _one_line_error(capsys, code)
    code = main(["segment", str(photo), "--scribbles", str(labels), "-o", str(tmp_path / "m.png"),
                 "--cutout", str(photo)])
    _one_line_error(capsys, code)
    assert photo.read_bytes() == before


@pytest.mark.parametrize("option", ["--probability", "--cutout", "--save-model"])
def test_bad_second_output_writes_nothing(files, capsys, option):
    # A folder or a missing folder as the second output used to be found after the mask was
    # written: the run failed (exit 2) and left the mask behind.
    tmp_path, photo, labels, _, _ = files
    suffix = ".json" if option == "--save-model" else ".png"
    folder = tmp_path / f"folder{suffix}"
    folder.mkdir()
    for bad in (folder, tmp_path / "missing" / f"x{suffix}"):
        mask = tmp_path / "m.png"
        code = main(["segment", str(photo), "--scribbles", str(labels), "-o", str(mask), option, str(bad)])
        assert str(bad) in _one_line_error(capsys, code)
        assert not mask.exists()


@pytest.mark.parametrize("option", ["--probability", "--cutout", "--save-model"])
def test_one_file_for_two_outputs_is_refused(files, capsys, option):
    # `-o m.png --save-model m.png` wrote the model's JSON over the mask and said "wrote m.png".
    tmp_path, photo, labels, _, _ = files
    mask = tmp_path / "m.png"
    mask.write_bytes(b"kept")
    code = main(["segment", str(photo), "--scribbles", str(labels), "-o", str(mask), option, str(mask)])
    err = _one_line_error(capsys, code)
    assert "two outputs" in err and "m.png" in err
    assert mask.read_bytes() == b"kept"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_bad_parameters(files, capsys):
    tmp_path, photo, labels, _, _ = files
    for extra in (["--threshold", "2"], ["-k", "0"], ["--probability", str(tmp_path / "p.gif")]):
        code = main(["segment", str(photo), "--scribbles", str(labels), "-o", str(tmp_path / "m.png"), *extra])
        _one_line_error(capsys, code)


def test_too_few_colours_warning_is_one_line(tmp_path, capsys):
    # 10 and 240, not 0 and 255: a photo of a mask's values is also asked about (session 36)
    image = np.full((30, 30, 3), 10, np.uint8)
    image[:, 15:] = 240
    photo = tmp_path / "flat.png"
    Image.fromarray(image).save(photo)
    labels = np.zeros((30, 30), np.uint8)
    labels[:, 3] = FOREGROUND
    labels[:, 25] = BACKGROUND
    save_labels(tmp_path / "l.png", labels)
    code = main(["segment", str(photo), "--scribbles", str(tmp_path / "l.png"), "-o", str(tmp_path / "m.png")])
    assert code == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("segmix segment: warning:") for line in err)
    mask = np.asarray(Image.open(tmp_path / "m.png"))
    assert (mask[:, :15] == 255).all() and (mask[:, 15:] == 0).all()


def test_exif_rotated_input_gives_display_oriented_mask(tmp_path):
    image, truth = _photo(shape=(40, 60))
    # Stored rotated: orientation 6 means "rotate 90 degrees clockwise to display".
    stored = np.rot90(image, k=1)  # (60, 40): displaying it rotates back to (40, 60)
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = tmp_path / "rotated.jpg"
    Image.fromarray(np.ascontiguousarray(stored)).save(photo, quality=98, exif=exif)
    displayed = load_image(photo)
    assert displayed.shape[:2] == (40, 60)
    save_labels(tmp_path / "l.png", _scribbles())
    out = tmp_path / "mask.png"
    assert main(["segment", str(photo), "--scribbles", str(tmp_path / "l.png"), "-o", str(out), *FAST_ARGS]) == 0
    mask = np.asarray(Image.open(out)) == 255
    assert mask.shape == (40, 60)
    assert (mask != truth).sum() <= 0.01 * truth.size


def test_fill_holes_can_be_turned_off(tmp_path):
    # A blue hole inside the orange square, with no background scribble in it: filled by
    # default, kept with --no-fill-holes.
    image, truth = _photo()
    image[17:23, 36:39] = (40, 70, 180)
    photo = tmp_path / "photo.png"
    Image.fromarray(image).save(photo)
    labels = tmp_path / "labels.png"
    save_labels(labels, _scribbles())
    filled, kept = tmp_path / "filled.png", tmp_path / "kept.png"
    base = ["segment", str(photo), "--scribbles", str(labels), *FAST_ARGS, "--smoothness", "1"]
    assert main([*base, "-o", str(filled)]) == 0
    assert main([*base, "-o", str(kept), "--no-fill-holes", "--distance-prior", "0"]) == 0
    hole = (slice(18, 22), slice(37, 38))
    assert (np.asarray(Image.open(filled))[hole] == 255).all()
    assert (np.asarray(Image.open(kept))[hole] == 0).all()


def test_negative_distance_prior_is_one_line(files, capsys):
    _, photo, labels, _, _ = files
    code = main(["segment", str(photo), "--scribbles", str(labels), "-o", str(photo.with_name("m.png")),
                 "--distance-prior", "-1"])
    assert "--distance-prior" in _one_line_error(capsys, code)


def test_an_empty_result_is_warned_about(tmp_path, capsys):
    # A trial's box came out empty with only "0.0% foreground" printed. A plain grey photo
    # with a box: nothing inside differs from the outside.
    image = np.full((40, 60, 3), 128, np.uint8)
    labels = np.full((40, 60), BACKGROUND, np.uint8)
    labels[10:30, 15:45] = 0
    Image.fromarray(image).save(tmp_path / "grey.png")
    save_labels(tmp_path / "box.png", labels)
    out = tmp_path / "mask.png"
    assert main(["segment", str(tmp_path / "grey.png"), "--scribbles", str(tmp_path / "box.png"), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert not np.asarray(Image.open(out)).any()
    assert "0.0% foreground" in captured.out
    lines = [line for line in captured.err.splitlines() if "no pixel came out foreground" in line]
    assert len(lines) == 1 and str(out) in lines[0]
    # A run with a result says nothing of the kind.
    Image.fromarray(_photo()[0]).save(tmp_path / "photo.png")
    save_labels(tmp_path / "scribbles.png", _scribbles())
    assert main(["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "scribbles.png"), "-o",
                 str(tmp_path / "m2.png")]) == 0
    assert "no pixel came out foreground" not in capsys.readouterr().err


def test_keep_connected_gap_bad_values_and_without_keep_connected_are_refused(files, capsys):
    tmp_path, photo, labels, image, truth = files
    out = tmp_path / "mask.png"
    # refused by the option's name, as every other range (the settings' field name meant
    # nothing to a command-line user; a new-user trial)
    for extra, expected in ((["--keep-connected-gap", "-1"], "argument --keep-connected-gap: must be a number in [0, 1], got -1"),
                            (["--keep-connected-gap", "nan"], "argument --keep-connected-gap: must be a number in [0, 1], got nan"),
                            (["--keep-connected-gap", "2"], "argument --keep-connected-gap: must be a number in [0, 1], got 2"),
                            (["--no-keep-connected", "--keep-connected-gap", "0.016"], "no effect with --no-keep-connected")):
        code = main(["segment", str(photo), "--scribbles", str(labels), "--output", str(out), *FAST_ARGS, *extra])
        assert expected in _one_line_error(capsys, code)
        assert not out.exists()
    assert main(["segment", str(photo), "--scribbles", str(labels), "--output", str(out), *FAST_ARGS,
                 "--keep-connected-gap", "0.016"]) == 0
    assert out.exists()
    # 0 is the default: saying it with --no-keep-connected contradicts nothing
    assert main(["segment", str(photo), "--scribbles", str(labels), "--output", str(out), *FAST_ARGS,
                 "--no-keep-connected", "--keep-connected-gap", "0"]) == 0


def test_a_large_photo_is_said_to_take_a_while_before_the_work(files, capsys, monkeypatch):
    """A trial waited minutes on a 144-megapixel photo with nothing on the terminal."""
    import segmix.cli

    folder, image, scribbles = files[:3]
    out = folder / "mask.png"
    monkeypatch.setattr(segmix.cli, "LARGE_PHOTO_MEGAPIXELS", 0.001)  # this 40 x 60 photo counts as large
    assert main(["segment", str(image), "--scribbles", str(scribbles), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "megapixel photo; the graph cut takes a while" in captured.err and str(image) in captured.err
    assert main(["segment", str(image), "--scribbles", str(scribbles), "-o", str(out), "--smoothing", "none"]) == 0
    assert "takes a while" not in capsys.readouterr().err
    monkeypatch.setattr(segmix.cli, "LARGE_PHOTO_MEGAPIXELS", 20)
    assert main(["segment", str(image), "--scribbles", str(scribbles), "-o", str(out)]) == 0
    assert "takes a while" not in capsys.readouterr().err
