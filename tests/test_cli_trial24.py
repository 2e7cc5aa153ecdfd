"""Faults a new-user trial (session 24) found on the command line.

1. ``segment`` (``-o``, ``--probability``, ``--cutout``, ``--save-model``) and ``quantize``
   (``-o``) replaced any existing file in silence (a holiday photo, a marks file saved from the
   window, a model); they now mark what they write and refuse a file they did not write, unless
   ``--overwrite``.
2. A saved segmentation model could only be used from the window: ``segment --model``.
3. "the folder afile does not exist" when ``afile`` is a file.
4. Small slips: ``skin train --skin-share``, ``skin --help``'s wording, 16-bit input to
   ``quantize``, the docs' "GIF is not an output format".
"""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix import io
from segmix.cli import main
from segmix.io import load_image, save_labels, written_by
from segmix.own_outputs import own_file
from segmix.segment import BACKGROUND, SegmentationSettings, apply_model

from tests.test_cli_segment import _photo as _square_photo, _scribbles as _marks  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-k", "2"]


def _photo(seed=0, shape=(40, 60)):
    """A noisy orange square on a noisy blue background (test_cli_segment's)."""
    return _square_photo(seed, shape)[0]


@pytest.fixture
def scene(tmp_path):
    photo = tmp_path / "photo.png"
    Image.fromarray(_photo()).save(photo)
    marks = tmp_path / "marks.png"
    save_labels(marks, _marks())
    return tmp_path, photo, marks


def _error(capsys, command="segment"):
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    assert err.startswith(f"segmix {command}: error: "), err
    return err


# --------------------------------------------------------------- 1. foreign files are not replaced
SEGMENT_OUTPUTS = [("-o/--output", "-o", "m.png"), ("--probability", "--probability", "p.png"),
                   ("--probability", "--probability", "p.tif"), ("--probability", "--probability", "p.npy"),
                   ("--cutout", "--cutout", "c.png"), ("--save-model", "--save-model", "m.json")]


@pytest.mark.parametrize("named,option,name", SEGMENT_OUTPUTS, ids=[n for _, _, n in SEGMENT_OUTPUTS])
def test_segment_refuses_a_file_it_did_not_write_at_any_output(scene, capsys, named, option, name):
    tmp_path, photo, marks = scene
    foreign = tmp_path / name
    foreign.write_bytes(b"a user's own file")
    argv = ["segment", str(photo), "--scribbles", str(marks), *FAST]
    if option != "-o":
        argv += ["-o", str(tmp_path / "mask.png")]
    argv += [option, str(foreign)]
    assert main(argv) == 2
    err = _error(capsys)
    assert f"{named} {foreign}: exists" in err and "--overwrite" in err
    assert foreign.read_bytes() == b"a user's own file"
    assert not (tmp_path / "mask.png").exists()  # refused before the work: nothing written
    # --overwrite replaces it.
    assert main(argv + ["--overwrite"]) == 0
    assert foreign.read_bytes() != b"a user's own file"


def test_the_holiday_photo_and_the_windows_marks_are_refused_with_what_to_do(scene, capsys):
    """The trial's cases: a photo, then a marks file saved from the window (File > Save
    Scribbles: a palette PNG with the order of the marks), each given as -o."""
    tmp_path, photo, marks = scene
    holiday = tmp_path / "holiday.png"
    Image.fromarray(_photo(seed=3)).save(holiday)
    kept = holiday.read_bytes()
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(holiday), *FAST]) == 2
    err = _error(capsys)
    # Named once with its option; an older segmix's mask looks the same: the line says so.
    assert err == (f"segmix segment: error: -o/--output {holiday}: exists and segmix segment did not write it "
                   "(it carries no segmix segment mark; a file from an older segmix carries none either); "
                   "give another name, move it away, or add --overwrite to replace it")
    assert holiday.read_bytes() == kept
    window_marks = tmp_path / "window_marks.png"
    save_labels(window_marks, _marks(), order=(_marks() > 0).astype(np.int32))
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "m.png"),
                 "--cutout", str(window_marks), *FAST]) == 2
    assert f"--cutout {window_marks}: exists" in _error(capsys)


def test_segment_reruns_over_its_own_outputs(scene, capsys):
    tmp_path, photo, marks = scene
    outputs = {"-o": "m.png", "--probability": "p.npy", "--cutout": "c.png", "--save-model": "m.json"}
    argv = ["segment", str(photo), "--scribbles", str(marks), *FAST]
    for option, name in outputs.items():
        argv += [option, str(tmp_path / name)]
    assert main(argv) == 0
    assert main(argv) == 0  # the same command again: its own files are replaced
    for prob in ("p.png", "p.tif"):
        again = [*argv[:argv.index("--probability") + 1], str(tmp_path / prob), *argv[argv.index("--probability") + 2:]]
        assert main(again) == 0 and main(again) == 0
    for name in ("m.png", "c.png", "p.png", "p.tif"):
        assert written_by(tmp_path / name, "segment"), name
        assert not written_by(tmp_path / name, "quantize"), name
    assert own_file(tmp_path / "p.npy", "segment") and own_file(tmp_path / "m.json", "segment")
    # The marks do not change what a reader gets.
    assert np.load(tmp_path / "p.npy").dtype == np.float32
    assert Image.open(tmp_path / "m.png").mode == "L"


def test_an_empty_file_at_an_output_holds_nothing_to_lose(scene, capsys):
    """A script's tempfile.mkstemp name or a touched placeholder is replaced without --overwrite."""
    tmp_path, photo, marks = scene
    for name in ("m.png", "c.png", "p.npy", "m.json"):
        (tmp_path / name).touch()
    assert main(["segment", str(photo), "--scribbles", str(marks), *FAST, "-o", str(tmp_path / "m.png"),
                 "--cutout", str(tmp_path / "c.png"), "--probability", str(tmp_path / "p.npy"),
                 "--save-model", str(tmp_path / "m.json")]) == 0
    assert (tmp_path / "m.json").stat().st_size > 0 and written_by(tmp_path / "m.png", "segment")
    (tmp_path / "q.png").touch()
    assert main(["quantize", str(photo), "-k", "3", "-o", str(tmp_path / "q.png")]) == 0


def test_overwrite_never_replaces_an_input(scene, capsys):
    tmp_path, photo, marks = scene
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "m.png"),
                 "--cutout", str(photo), "--overwrite", *FAST]) == 2
    assert _error(capsys).endswith(f"--cutout {photo}: refusing to overwrite the input file")
    assert main(["quantize", str(photo), "-o", str(photo), "--overwrite"]) == 2
    assert _error(capsys, "quantize").endswith(f"-o/--output {photo}: refusing to overwrite the input file")


def test_save_model_replaces_a_segmentation_model_only(scene, capsys):
    tmp_path, photo, marks = scene
    model = tmp_path / "m.json"
    base = ["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "m.png"), *FAST]
    assert main(base + ["--save-model", str(model)]) == 0
    # A model written by segment (or the window's File > Save Model) is a valid segmentation model.
    assert main(base + ["--save-model", str(model)]) == 0
    notes = tmp_path / "notes.json"
    notes.write_text('{"my": "notes"}\n')
    assert main(base + ["--save-model", str(notes)]) == 2
    assert "--save-model" in _error(capsys) and notes.read_text() == '{"my": "notes"}\n'
    skin_model = tmp_path / "skin.json"  # a valid segmix model, but not what segment writes
    assert main(["skin", "train", "--uci", str(_uci(tmp_path)), "-o", str(skin_model), "--quiet", "-k", "1",
                 "--non-skin-components", "1"]) == 0
    kept = skin_model.read_bytes()
    capsys.readouterr()  # skin train's own warnings (a 1-component UCI model loses the Monk tones: session 56)
    assert main(base + ["--save-model", str(skin_model)]) == 2
    assert skin_model.read_bytes() == kept
    assert "is not a segmix segmentation model" in _error(capsys)


QUANTIZE_NAMES = ["q.png", "q.jpg", "q.webp", "q.tif", "q.gif"]


@pytest.mark.parametrize("name", QUANTIZE_NAMES)
def test_quantize_marks_its_output_and_replaces_only_its_own(scene, capsys, name):
    tmp_path, photo, _ = scene
    out = tmp_path / name
    argv = ["quantize", str(photo), "-k", "4", "-o", str(out)]
    assert main(argv) == 0 and written_by(out, "quantize")
    assert main(argv) == 0  # a rerun replaces its own file
    Image.fromarray(_photo(seed=5)).save(out)  # a user's picture of that name
    kept = out.read_bytes()
    capsys.readouterr()  # the JPEG's warnings of the runs above
    assert main(argv) == 2
    err = _error(capsys, "quantize")
    assert f"-o/--output {out}: exists and segmix quantize did not write it" in err and "--overwrite" in err
    assert out.read_bytes() == kept
    assert main(argv + ["--overwrite"]) == 0 and written_by(out, "quantize")


def test_a_bmp_holds_no_mark_so_quantize_replaces_one_with_overwrite_only(scene, capsys):
    tmp_path, photo, _ = scene
    out = tmp_path / "q.bmp"
    argv = ["quantize", str(photo), "-k", "4", "-o", str(out)]
    assert main(argv) == 0
    assert main(argv) == 2
    assert "a BMP holds no mark" in _error(capsys, "quantize")
    assert main(argv + ["--overwrite"]) == 0


def test_the_batch_marks_are_unchanged_and_other_readers_ignore_the_marks(tmp_path):
    """The formats' marks are where other software looks for the writer (PNG text "Software",
    TIFF / EXIF tag 305, GIF comment), and the pixels are those written."""
    rgb = _photo()
    for name in ("a.png", "a.jpg", "a.webp", "a.tif"):
        io.save_image(tmp_path / name, rgb, mark="quantize")
        with Image.open(tmp_path / name) as im:
            tag = im.info.get("Software") if im.format == "PNG" else im.getexif().get(305)
        assert tag == "segmix quantize", name
    io.save_image(tmp_path / "a.png", rgb)
    assert not written_by(tmp_path / "a.png", "quantize")  # no mark unless asked
    assert np.array_equal(load_image(tmp_path / "a.png"), rgb)
    io.save_marked_png(tmp_path / "s.png", np.zeros((4, 4), np.uint8), "skin apply")
    assert written_by(tmp_path / "s.png", "skin apply") and not written_by(tmp_path / "s.png", "segment")


# --------------------------------------------------------------- 2. segment --model
def _model_file(tmp_path, photo, marks):
    model = tmp_path / "model.json"
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(tmp_path / "fit.png"),
                 "--save-model", str(model), *FAST]) == 0
    return model


def _window_result(photo, model_path, labels, smoothing="graphcut", threshold=0.5):
    """What the window computes for a loaded model (segmix.gui.modes.segment's
    _apply_loaded_model with the panels' defaults): the model's settings, the panels' graph
    cut and threshold, apply_model on the segmentation pixels with the layer's labels."""
    from segmix.gui.files import read_segmentation_model
    from segmix.palette import segmentation_pixels

    model = read_segmentation_model(Path(model_path))
    settings = SegmentationSettings.from_dict(dict(model.settings.to_dict(), smoothing=smoothing, threshold=threshold))
    pixels = segmentation_pixels(io.load_image_info(photo))
    return apply_model(pixels, model, labels, settings)


def test_model_applies_a_saved_model_as_the_window_does(scene, capsys):
    tmp_path, photo, marks = scene
    model = _model_file(tmp_path, photo, marks)
    capsys.readouterr()
    # Without marks: the window's layer holds zeros.
    assert main(["segment", str(photo), "--model", str(model), "-o", str(tmp_path / "a.png"),
                 "--probability", str(tmp_path / "a.npy")]) == 0
    out = capsys.readouterr().out
    assert f"model {model} applied)" in out
    shown = _window_result(photo, model, np.zeros((40, 60), np.uint8))
    assert np.array_equal(load_image(tmp_path / "a.png")[..., 0] > 127, shown.mask)
    assert np.array_equal(np.load(tmp_path / "a.npy"), shown.probability.astype(np.float32))
    # With marks: hard constraints, as in the window.
    other = np.zeros((40, 60), np.uint8)
    other[25:28, 20:30] = BACKGROUND  # inside the object: a correction the model alone would not make
    save_labels(tmp_path / "other.png", other)
    assert main(["segment", str(photo), "--model", str(model), "--scribbles", str(tmp_path / "other.png"),
                 "-o", str(tmp_path / "b.png")]) == 0
    assert "the marks as hard constraints" in capsys.readouterr().out
    mask = load_image(tmp_path / "b.png")[..., 0] > 127
    assert np.array_equal(mask, _window_result(photo, model, other).mask)
    assert not mask[other == BACKGROUND].any()
    # The display choices: --threshold, --smoothing, as the window's slider and tick box.
    assert main(["segment", str(photo), "--model", str(model), "-o", str(tmp_path / "c.png"),
                 "--smoothing", "none", "--threshold", "0.7"]) == 0
    expected = _window_result(photo, model, np.zeros((40, 60), np.uint8), smoothing="none", threshold=0.7)
    assert np.array_equal(load_image(tmp_path / "c.png")[..., 0] > 127, expected.mask)


def test_model_takes_the_graph_cut_and_threshold_saved_with_the_marks(scene, capsys):
    """The window, with a model loaded, sets only its graph-cut box and threshold from marks
    saved with settings (offer_mark_settings)."""
    from segmix.mark_settings import settings_texts

    tmp_path, photo, marks = scene
    model = _model_file(tmp_path, photo, marks)
    saved = tmp_path / "saved.png"
    record = {"n_components": 3, "covariance_type": "diag", "color_space": "rgb", "smoothing": "none",
              "threshold": 0.3, "unexplained_weight": 0.0}
    save_labels(saved, _marks(), texts=settings_texts(record))
    capsys.readouterr()
    assert main(["segment", str(photo), "--model", str(model), "--scribbles", str(saved),
                 "-o", str(tmp_path / "s.png")]) == 0
    assert "using the settings saved with the marks" in capsys.readouterr().err
    expected = _window_result(photo, model, _marks(), smoothing="none", threshold=0.3)
    assert np.array_equal(load_image(tmp_path / "s.png")[..., 0] > 127, expected.mask)


REFUSED_WITH_MODEL = [(["-k", "3"], "-k/--components"), (["--covariance-type", "diag"], "--covariance-type"),
                      (["--color-space", "rgb"], "--color-space"), (["--position-weight", "1"], "--position-weight"),
                      (["--seed", "1"], "--seed"), (["--unexplained-weight", "3"], "--unexplained-weight"),
                      (["--at-once"], "--at-once"), (["--save-model", "x.json"], "--save-model")]


@pytest.mark.parametrize("extra,named", REFUSED_WITH_MODEL, ids=[n for _, n in REFUSED_WITH_MODEL])
def test_options_that_mean_nothing_with_model_are_refused(scene, capsys, extra, named):
    tmp_path, photo, marks = scene
    model = tmp_path / "never_read.json"  # refused before any file is read
    assert main(["segment", str(photo), "--model", str(model), "-o", str(tmp_path / "m.png"), *extra]) == 2
    assert _error(capsys).startswith(f"segmix segment: error: {named} has no effect with --model")
    assert not (tmp_path / "m.png").exists()


def test_segment_needs_marks_or_a_model(scene, capsys):
    tmp_path, photo, _ = scene
    assert main(["segment", str(photo), "-o", str(tmp_path / "m.png")]) == 2
    assert "required: --scribbles (or --box / --click X,Y for marks by coordinates, or --model M.json" in capsys.readouterr().err


def test_malformed_models_get_the_windows_lines(scene, capsys):
    from segmix.gui.files import read_segmentation_model as window_read

    tmp_path, photo, marks = scene
    bad = {"empty.json": b"", "text.json": b"not json", "cut.json": b'{"format": "segmix-model", ',
           "other.json": b'{"format": "something"}', "photo.json": photo.read_bytes()}
    model = _model_file(tmp_path, photo, marks)
    text = model.read_text()
    bad["no_threshold.json"] = text.replace('"threshold"', '"treshold"').encode()
    for name, data in bad.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ValueError) as window:
            window_read(path)
        assert main(["segment", str(photo), "--model", str(path), "-o", str(tmp_path / "m.png")]) == 2
        assert _error(capsys) == f"segmix segment: error: {window.value}", name
    assert not (tmp_path / "m.png").exists()
    # A skin model is named as such, with the command that applies it.
    skin = tmp_path / "skin.json"
    assert main(["skin", "train", "--uci", str(_uci(tmp_path)), "-o", str(skin), "--quiet", "-k", "1",
                 "--non-skin-components", "1"]) == 0
    capsys.readouterr()
    assert main(["segment", str(photo), "--model", str(skin), "-o", str(tmp_path / "m.png")]) == 2
    assert _error(capsys) == (f"segmix segment: error: {skin}: is a 'skin' model, not a segmentation model "
                              "(segmix skin apply --model applies skin models)")


def _uci(tmp_path):
    """A tiny UCI-format file: B G R label (1 skin, 2 non-skin)."""
    rng = np.random.default_rng(0)
    rows = [f"{b}\t{g}\t{r}\t1" for b, g, r in rng.integers(0, 256, (50, 3))]
    rows += [f"{b}\t{g}\t{r}\t2" for b, g, r in rng.integers(0, 256, (50, 3))]
    path = tmp_path / "uci.txt"
    path.write_text("\n".join(rows) + "\n")
    return path


# --------------------------------------------------------------- 3. a file where a folder is expected
def test_a_file_as_the_outputs_folder_is_named_as_such(scene, capsys):
    tmp_path, photo, marks = scene
    afile = tmp_path / "afile"
    afile.touch()
    for name in ("m.png", "sub/m.png"):
        assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(afile / name)]) == 2
        assert _error(capsys).endswith(f"-o/--output {afile / name}: {afile} exists and is not a folder")
    assert main(["quantize", str(photo), "-o", str(afile / "q.png")]) == 2
    assert _error(capsys, "quantize").endswith(f"{afile} exists and is not a folder")
    # The library's check, which the window's exports use too.
    with pytest.raises(NotADirectoryError, match="afile exists and is not a folder"):
        io.save_mask(afile / "m.png", np.zeros((4, 4), bool))
    with pytest.raises(FileNotFoundError, match="the folder .*nodir does not exist"):
        io.save_mask(tmp_path / "nodir" / "m.png", np.zeros((4, 4), bool))


# --------------------------------------------------------------- 4. small slips
def test_skin_train_takes_skin_share_as_skin_apply_names_it(tmp_path, capsys):
    from segmix.modelfile import read_model

    uci = _uci(tmp_path)
    base = ["skin", "train", "--uci", str(uci), "--quiet", "-k", "1", "--non-skin-components", "1"]
    assert main(base + ["-o", str(tmp_path / "a.json"), "--skin-share", "0.3"]) == 0
    assert main(base + ["-o", str(tmp_path / "b.json"), "--prior", "0.3"]) == 0  # the first name still works
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "(--skin-share 0.5 uses it)" in line and "--prior" not in line
    for name in ("a.json", "b.json"):
        assert read_model(tmp_path / name).classifier.priors[0] == pytest.approx(0.3)
    assert main(base + ["-o", str(tmp_path / "c.json"), "--skin-share", "0.3", "--prior", "0.2"]) == 2
    assert "given twice with different values (--skin-share 0.3, then --prior 0.2)" in capsys.readouterr().err


def test_skin_help_does_not_say_train_uses_the_built_in_model(capsys):
    assert main(["skin", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Every command uses the built-in model" not in text
    assert "apply and eval use the built-in model unless --model is given" in text


def test_quantize_says_a_16_bit_photo_is_read_at_8_bits(tmp_path, capsys):
    wide = tmp_path / "wide.png"
    values = np.linspace(0, 65535, 40 * 60).reshape(40, 60).astype(np.uint16)
    Image.fromarray(values).save(wide)
    assert Image.open(wide).mode == "I;16"
    assert main(["quantize", str(wide), "-k", "4", "-o", str(tmp_path / "q.png")]) == 0
    line = capsys.readouterr().out.strip()
    assert line.endswith(f"; {wide} has 16 bits per channel, read and written at 8)")
    photo = tmp_path / "eight.png"
    Image.fromarray(_photo()).save(photo)
    assert main(["quantize", str(photo), "-k", "4", "-o", str(tmp_path / "q8.png")]) == 0
    assert "bits per channel" not in capsys.readouterr().out


def test_the_docs_say_what_quantize_and_segment_do_now():
    command_line = (ROOT / "docs" / "command_line.md").read_text()
    assert "GIF is not an output format" not in command_line
    readme = (ROOT / "README.md").read_text()
    for option in ("`--model M.json`", "`--overwrite`"):
        assert option in readme, option
