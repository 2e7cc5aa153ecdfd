"""Faults a new-user trial with hostile and broken inputs (session 30) found, one test or more
for each kind:

1. A model file whose ``"format"`` is a JSON list or object: ``background --model`` stopped
   with a traceback (TypeError: unhashable type: 'list'), ``segment --model`` said
   "invalid segmix model (TypeError: unhashable type: 'list')".
2. A segmentation or skin model whose covariances are positive definite but tiny (1e-300, a
   hand edit): accepted, every log-likelihood overflowed float32 to -inf, the posteriors were
   NaN, and ``segment`` printed "warning: overflow encountered in cast" four times and wrote an
   all-background mask with exit 0.
"""

import json

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main

from tests.test_cli_segment import _photo, _scribbles
from tests.test_cli_trial27 import _error, _frames


def _segmentation_model(folder):
    """A photo, its marks and the segmentation model segment saved from them."""
    rgb, _ = _photo()
    Image.fromarray(rgb).save(folder / "photo.png")
    Image.fromarray(_scribbles()).save(folder / "s.png")
    assert main(["segment", str(folder / "photo.png"), "--scribbles", str(folder / "s.png"),
                 "-o", str(folder / "m.png"), "--save-model", str(folder / "model.json")]) == 0
    return json.loads((folder / "model.json").read_text())


# ------------------------------------------------------------- 1. a "format" that is a list or object
@pytest.mark.parametrize("fmt", [[], {}, ["segmix-background-model"]])
def test_background_model_whose_format_is_a_list_is_one_line(tmp_path, capsys, fmt):
    _frames(tmp_path / "frames", n=4)
    assert main(["background", str(tmp_path / "frames"), "--save-model", str(tmp_path / "bg.json"),
                 "--quiet"]) == 0
    data = json.loads((tmp_path / "bg.json").read_text())
    data["format"] = fmt
    (tmp_path / "bad.json").write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["background", str(tmp_path / "frames"), "--model", str(tmp_path / "bad.json"),
                 "--output-dir", str(tmp_path / "out"), "--quiet"]) == 2
    line = _error(capsys, "background")
    assert line.startswith(f"{tmp_path / 'bad.json'}: not a segmix background model"), line
    assert "TypeError" not in line and "unhashable" not in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt", [[], {"a": 1}])
def test_segmentation_model_whose_format_is_a_list_is_named_as_such(tmp_path, capsys, fmt):
    data = _segmentation_model(tmp_path)
    data["format"] = fmt
    (tmp_path / "bad.json").write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["segment", str(tmp_path / "photo.png"), "--model", str(tmp_path / "bad.json"),
                 "-o", str(tmp_path / "out.png")]) == 2
    line = _error(capsys, "segment")
    assert "not a segmix model (its 'format' is " in line, line
    assert "TypeError" not in line and "unhashable" not in line
    assert not (tmp_path / "out.png").exists()


# ------------------------------------------------------------- 2. tiny covariances
@pytest.mark.parametrize("variance", [1e-300, 1e-40])
def test_a_model_with_tiny_covariances_is_refused_by_name(tmp_path, capsys, variance):
    data = _segmentation_model(tmp_path)
    for entry in data["classifier"]["classes"]:
        mixture = entry["mixture"]
        d = len(mixture["means"][0])
        mixture["covariances"] = [(np.eye(d) * variance).tolist()] * len(mixture["weights"])
        mixture["covariance_type"] = "full"
    (tmp_path / "tiny.json").write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["segment", str(tmp_path / "photo.png"), "--model", str(tmp_path / "tiny.json"),
                 "-o", str(tmp_path / "out.png")]) == 2
    line = _error(capsys, "segment")
    assert line.startswith(f"{tmp_path / 'tiny.json'}: invalid segmix model"), line
    assert "variance of" in line and "component 0" in line, line
    assert not (tmp_path / "out.png").exists()


def test_a_skin_model_with_a_tiny_variance_is_refused_by_name(tmp_path, capsys):
    from segmix.resources import resource_path

    data = json.loads(resource_path("skin_model.json").read_text())
    mixture = data["classifier"]["classes"][0]["mixture"]
    full = np.asarray(mixture["covariances"], np.float64)
    if mixture["covariance_type"] == "full":
        full[1] = np.eye(full.shape[-1]) * 1e-300
    else:
        full[1] = 1e-300
    mixture["covariances"] = full.tolist()
    (tmp_path / "skin.json").write_text(json.dumps(data))
    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    assert main(["skin", "apply", str(tmp_path / "photo.png"), "--model", str(tmp_path / "skin.json"),
                 "--output-dir", str(tmp_path / "out"), "--quiet"]) == 2
    line = _error(capsys, "skin apply")
    assert "component 1 has a variance of 1e-300" in line, line
    assert not (tmp_path / "out").exists()


def test_a_fitted_model_with_small_but_sound_variances_still_loads(tmp_path, capsys):
    data = _segmentation_model(tmp_path)
    for entry in data["classifier"]["classes"]:
        mixture = entry["mixture"]
        d = len(mixture["means"][0])
        mixture["covariances"] = [(np.eye(d) * 1e-8).tolist()] * len(mixture["weights"])
        mixture["covariance_type"] = "full"
    (tmp_path / "small.json").write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["segment", str(tmp_path / "photo.png"), "--model", str(tmp_path / "small.json"),
                 "-o", str(tmp_path / "out.png")]) == 0
    assert "warning" not in capsys.readouterr().err


# ------------------------------------------------------------- 3. UCI rows named as a text editor counts them
def _uci(path, extra_lines):
    rows = ["74\t85\t123\t1", "10\t20\t30\t2"] * 50
    path.write_text("\n".join(rows + extra_lines) + "\n")
    return path


@pytest.mark.parametrize("extra, words", [
    (["1.5\t2\t3\t1"], "in row 101, column 1"),        # NumPy said "at row 100"
    (["300\t2\t3\t1", "0\t999\t3\t2"], "colour values must be 0..255; row 101 is 300 2 3 1 (and 1 more row)"),
    (["1\t2\t3\t7"], "labels must be 1 (skin) or 2 (non-skin); row 101 is 1 2 3 7"),
])
def test_a_wrong_row_of_a_uci_file_is_named_from_1(tmp_path, capsys, extra, words):
    uci = _uci(tmp_path / "uci.txt", extra)
    assert main(["skin", "train", "--uci", str(uci), "-o", str(tmp_path / "m.json"), "--quiet"]) == 2
    line = _error(capsys, "skin train")
    assert line.startswith(f"{uci}: ") and words in line, line
    assert not (tmp_path / "m.json").exists()


def test_a_header_line_of_a_uci_file_is_row_1(tmp_path, capsys):
    uci = tmp_path / "uci.txt"
    uci.write_text("B\tG\tR\tlabel\n" + "74\t85\t123\t1\n" * 5)
    assert main(["skin", "train", "--uci", str(uci), "-o", str(tmp_path / "m.json"), "--quiet"]) == 2
    assert "could not convert string 'B' to int64 in row 1, column 1" in _error(capsys, "skin train")


# ------------------------------------------------------------- 4. a TIFF written onto a full disk
def _run_with_file_size_limit(args, cwd, limit):
    """``python -m segmix ARGS`` in ``cwd`` with files limited to ``limit`` bytes (RLIMIT_FSIZE,
    SIGXFSZ ignored): a write past it fails with EFBIG, as one onto a full disk with ENOSPC."""
    import os
    import resource
    import signal
    import subprocess
    import sys

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = dict(os.environ, PYTHONPATH=str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    return subprocess.run([sys.executable, "-m", "segmix", *args], cwd=cwd, env=env, preexec_fn=limited,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(__import__("sys").platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_tiff_that_does_not_fit_is_named_in_one_line(tmp_path):
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (200, 300, 3), dtype=np.uint8)).save(tmp_path / "noise.png")
    done = _run_with_file_size_limit(["quantize", "noise.png", "-k", "64", "-o", "q.tif"], tmp_path, 20_000)
    # libtiff wrote to the descriptor itself: two lines of its own from C, then "encoder error -2
    # when writing image file" naming no file (on a full disk a RuntimeError traceback instead).
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == ["segmix quantize: error: q.tif: cannot write (file too large)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["noise.png"]  # no temporary file left


@pytest.mark.skipif(__import__("sys").platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_probability_npy_that_does_not_fit_is_named(tmp_path):
    rgb, _ = _photo(shape=(120, 160))
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    marks = np.zeros((120, 160), np.uint8)
    marks[50:60, 50:90], marks[2:6, :] = 1, 2
    Image.fromarray(marks).save(tmp_path / "s.png")
    # The mask (a few hundred bytes) fits; the 76,928-byte .npy does not.
    done = _run_with_file_size_limit(["segment", "photo.png", "--scribbles", "s.png", "-o", "m.png",
                                      "--probability", "p.npy"], tmp_path, 20_000)
    assert done.returncode == 2, done.stderr
    # NumPy's own words were "N requested and M written", naming no file.
    assert done.stderr.strip().splitlines() == ["segmix segment: error: p.npy: cannot write (file too large)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photo.png", "s.png"]  # nor m.png: all or nothing


# ------------------------------------------------------------- 5. standard error closed or full, standard output full
def _run(args, cwd, **kwargs):
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    return subprocess.run([sys.executable, "-m", "segmix", *args], cwd=cwd, env=env, timeout=600, **kwargs)


def _flat_photo(folder):
    Image.fromarray(np.full((20, 30, 3), 90, np.uint8)).save(folder / "flat.png")
    # One colour, four asked for: quantize warns on stderr, then writes the file.
    return ["quantize", "flat.png", "-k", "4", "-o", "q.png"]


@pytest.mark.skipif(not __import__("os").path.exists("/dev/full"), reason="needs /dev/full")
def test_a_warning_to_a_full_standard_error_does_not_fail_the_run(tmp_path):
    import subprocess

    with open("/dev/full", "w") as full:
        done = _run(_flat_photo(tmp_path), tmp_path, stderr=full, stdout=subprocess.PIPE, text=True)
    # It exited 1 (OSError: [Errno 28] raised by the warning, after the file was written).
    assert done.returncode == 0
    assert done.stdout.startswith("wrote q.png (1 colour")
    assert (tmp_path / "q.png").is_file()


@pytest.mark.skipif(__import__("sys").platform == "win32", reason="closes descriptor 2 in the child")
def test_a_warning_with_standard_error_closed_does_not_fail_the_run(tmp_path):
    import os
    import subprocess

    done = _run(_flat_photo(tmp_path), tmp_path, preexec_fn=lambda: os.close(2),
                stdout=subprocess.PIPE, text=True)
    # Python's sys.stderr is None then: skin apply's and others' stream.write raised
    # AttributeError and the run exited 1.
    assert done.returncode == 0
    assert done.stdout.startswith("wrote q.png (1 colour")
    assert (tmp_path / "q.png").is_file()


def test_skin_apply_warning_with_standard_error_closed_exits_0(tmp_path, monkeypatch, capsys):
    import sys

    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    out = tmp_path / "out"
    assert main(["skin", "apply", str(tmp_path / "photo.png"), "--output-dir", str(out), "--probability",
                 "--quiet"]) == 0
    # A run without --probability warns of the earlier run's probability map.
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["skin", "apply", str(tmp_path / "photo.png"), "--output-dir", str(out), "--quiet"]) == 0


@pytest.mark.skipif(not __import__("os").path.exists("/dev/full"), reason="needs /dev/full")
def test_a_report_to_a_full_standard_output_names_it(tmp_path):
    import subprocess

    with open("/dev/full", "w") as full:
        done = _run(_flat_photo(tmp_path)[:-2] + ["-o", "q.png"], tmp_path, stdout=full,
                    stderr=subprocess.PIPE, text=True)
    # Session 49: 1, not 2 ("nothing written"): the run goes on and writes its files (a new user's).
    assert done.returncode == 1
    assert (tmp_path / "q.png").is_file()
    # It said "error: [Errno 28] No space left on device", as if of the output file.
    assert done.stderr.strip().splitlines()[-1] == (
        "segmix quantize: error: standard output: cannot write (no space left on device); the run went on to its "
        "end and wrote its files, its report to standard output is lost")


# ------------------------------------------------------------- 6. a file name with a line break
def test_a_file_name_with_a_line_break_stays_on_one_line(tmp_path, capsys):
    broken = tmp_path / "new\nline.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    assert main(["quantize", str(broken), "-o", str(tmp_path / "q.png")]) == 2
    line = _error(capsys, "quantize")  # one line, where the name's break made two
    assert line.startswith(f"{tmp_path}/new\\nline.png: "), line
    assert main(["skin", "apply", str(broken), str(tmp_path / "photo.png"), "--output-dir", str(tmp_path / "out"),
                 "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"segmix skin apply: skipped {tmp_path}/new\\nline.png: "), err
    assert err[1:] == ["segmix skin apply: 1 of 2 files failed"], err


# ------------------------------------------------------------- 7. a name longer than the file system takes
def test_an_output_name_too_long_is_said_in_words(tmp_path, capsys):
    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    long_name = tmp_path / ("a" * 300 + ".png")
    assert main(["quantize", str(tmp_path / "photo.png"), "-o", str(long_name)]) == 2
    # It said "-o/--output [Errno 36] File name too long: '/tmp/.../aaa...png'".
    assert _error(capsys, "quantize") == f"-o/--output {long_name}: file name too long"


@pytest.mark.parametrize("command", ["segment", "background"])
def test_a_model_name_too_long_is_said_in_words(tmp_path, capsys, command):
    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    model = tmp_path / ("m" * 300 + ".json")
    args = (["segment", str(tmp_path / "photo.png"), "--model", str(model), "-o", str(tmp_path / "o.png")]
            if command == "segment" else
            ["background", str(tmp_path / "photo.png"), "--model", str(model), "--output-dir", str(tmp_path / "o")])
    assert main(args) == 2
    line = _error(capsys, command)
    # It said "cannot read model file ([Errno 36] File name too long: '/tmp/.../mmm.json')".
    assert line.startswith(f"{model}: cannot read") and line.endswith(" (file name too long)"), line
    assert "Errno" not in line


# ------------------------------------------------------------- 8. a PNG with large metadata
def test_a_png_with_a_3_mb_xmp_is_read(tmp_path, capsys):
    from PIL import PngImagePlugin

    rgb, _ = _photo()
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>" + "x" * 3_000_000 + "</x:xmpmeta>", zip=True)
    Image.fromarray(rgb).save(tmp_path / "photo.png", pnginfo=info)
    # Refused as "corrupt or truncated image: Decompressed data too large for
    # PngImagePlugin.MAX_TEXT_CHUNK" (Pillow's 1 MB cap), where OpenCV and viewers read it.
    assert main(["quantize", str(tmp_path / "photo.png"), "-k", "4", "-o", str(tmp_path / "q.png")]) == 0
    assert (tmp_path / "q.png").is_file()


def test_a_png_metadata_bomb_is_named_as_one(tmp_path, capsys):
    from PIL import PngImagePlugin

    rgb, _ = _photo()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "A" * 100_000_000, zip=True)  # 100 MB of text in a ~100 kB file
    Image.fromarray(rgb).save(tmp_path / "bomb.png", pnginfo=info)
    assert main(["quantize", str(tmp_path / "bomb.png"), "-k", "4", "-o", str(tmp_path / "q.png")]) == 2
    line = _error(capsys, "quantize")
    assert line.startswith(f"{tmp_path / 'bomb.png'}: its metadata") and "decompression bomb" in line, line
    assert "corrupt" not in line and "MAX_TEXT_CHUNK" not in line


# ------------------------------------------------------------- 9. 8-bit values in a 32-bit integer TIFF
def test_8_bit_values_in_an_int32_tiff_are_warned_as_near_black(tmp_path, capsys):
    import tifffile

    rgb, _ = _photo()
    tifffile.imwrite(tmp_path / "grey.tif", rgb[..., 0].astype(np.int32))  # levels 0-255 as int32
    assert main(["quantize", str(tmp_path / "grey.tif"), "-k", "4", "-o", str(tmp_path / "q.png")]) == 0
    err = capsys.readouterr().err
    # It said only "has only 2 distinct colour(s), fewer than the 4 asked for".
    assert f"segmix quantize: warning: {tmp_path / 'grey.tif'}: its 32-bit integer samples are read as 16-bit" \
           in err, err


def test_an_int32_tiff_of_16_bit_range_is_not_warned(tmp_path, capsys):
    import tifffile

    rng = np.random.default_rng(1)
    tifffile.imwrite(tmp_path / "wide.tif", rng.integers(0, 65536, (30, 40)).astype(np.int32))
    assert main(["quantize", str(tmp_path / "wide.tif"), "-k", "4", "-o", str(tmp_path / "q.png")]) == 0
    assert "warning" not in capsys.readouterr().err


# ------------------------------------------------------------- 10. a hostile mark order in a marks file
def _marks_with_order_text(folder, text):
    from PIL import PngImagePlugin

    rgb, _ = _photo()
    Image.fromarray(rgb).save(folder / "photo.png")
    info = PngImagePlugin.PngInfo()
    info.add_text("segmix:mark-order", text, zip=True)
    Image.fromarray(_scribbles()).save(folder / "marks.png", pnginfo=info)


def test_a_deeply_nested_mark_order_is_a_warning_not_a_traceback(tmp_path, capsys):
    _marks_with_order_text(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert main(["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "marks.png"),
                 "-o", str(tmp_path / "m.png")]) == 0  # a RecursionError traceback, exit 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "the saved order of the marks is not used" in err, err


def test_a_mark_order_zlib_bomb_is_not_inflated(tmp_path):
    import base64
    import tracemalloc
    import zlib

    from segmix.mark_order import decode_order

    bomb = base64.b64encode(zlib.compress(b"\0" * 200_000_000, 9)).decode()  # 200 MB in ~270 kB of text
    text = json.dumps({"version": 1, "shape": [40, 60], "data": bomb})
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="holds more than the 4800 bytes 60 x 40 pixels need"):
            decode_order(text, (40, 60))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, peak  # it inflated all 200 MB before checking the size


# ------------------------------------------------------------- 11. JSON nested thousands deep where segmix looks at a file
def test_skin_eval_json_over_deeply_nested_json_is_refused_in_one_line(tmp_path, capsys, skin_dataset):
    images, masks = skin_dataset / "images", skin_dataset / "masks"
    report = tmp_path / "report.json"
    report.write_text("[" * 100_000 + "]" * 100_000)
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--json", str(report),
                 "--quiet"]) == 2  # a RecursionError traceback, exit 1
    assert _error(capsys, "skin eval").startswith(f"--json {report}: exists and is not a segmix skin eval report")
    assert report.read_text().startswith("[[[")


def test_a_deeply_nested_run_record_is_unreadable_not_a_traceback(tmp_path):
    from segmix.distributed.cluster import read_record, runs_match

    (tmp_path / "record.json").write_text("[" * 100_000 + "]" * 100_000)
    assert read_record(tmp_path / "record.json") is None
    assert runs_match(tmp_path, "record.json", {"a": 1}) is False


# ------------------------------------------------------------- 12. skin train --reg-covar 0 on collapsing data
def test_a_collapsed_skin_mixture_names_the_options(tmp_path, capsys):
    uci = tmp_path / "uci.txt"
    rng = np.random.default_rng(0)
    rows = ["74\t85\t123\t1"] * 20 + [f"{b}\t{g}\t{r}\t2" for b, g, r in rng.integers(0, 256, (200, 3))]
    uci.write_text("\n".join(rows) + "\n")  # one skin colour: no spread without reg_covar
    assert main(["skin", "train", "--uci", str(uci), "-o", str(tmp_path / "m.json"), "--reg-covar", "0",
                 "--quiet"]) == 2
    line = _error(capsys, "skin train")
    # It said the fit's own words: "... Try to decrease n_components or increase reg_covar."
    assert line.startswith("the skin mixture of 2 components could not be fitted"), line
    assert "-k/--components" in line and "--reg-covar" in line and "n_components" not in line, line
    assert not (tmp_path / "m.json").exists()


# ------------------------------------------------------------- 13. damaged ground truth among good
def _frames_and_truth_folders(tmp_path):
    """Empty folders ``frames`` and ``gt`` in ``tmp_path``."""
    (frames := tmp_path / "frames").mkdir()
    (gt := tmp_path / "gt").mkdir()
    return frames, gt


def test_damaged_ground_truth_files_are_each_named_and_left_out_of_the_score(tmp_path, capsys):
    frames, gt = _frames_and_truth_folders(tmp_path)
    for i in range(1, 13):
        frame = np.full((20, 30, 3), 90, np.uint8)
        frame[4:8, i:i + 4] = 240
        Image.fromarray(frame).save(frames / f"in{i:06d}.png")
        truth = np.zeros((20, 30), np.uint8)
        truth[4:8, i:i + 4] = 255
        Image.fromarray(truth).save(gt / f"gt{i:06d}.png")
    (gt / "gt000009.png").write_bytes((gt / "gt000009.png").read_bytes()[:60])  # cut short
    Image.fromarray(np.full((10, 15), 255, np.uint8)).save(gt / "gt000011.png")  # another size
    out = tmp_path / "out"
    assert main(["background", str(frames), "--groundtruth", str(gt), "--output-dir", str(out),
                 "--save-model", str(tmp_path / "m.json"), "--quiet"]) == 1
    captured = capsys.readouterr()
    err = [line for line in captured.err.strip().splitlines() if ": warning: " not in line]  # a short sequence
    # The first damaged file stopped the run with exit 2, its masks and model removed, and
    # the second was not named.
    assert len(err) == 2 and "Traceback" not in captured.err, err
    assert err[0].startswith(f"segmix background: skipped the ground truth {gt / 'gt000009.png'}: truncated"), err
    assert err[1].startswith(f"segmix background: skipped the ground truth {gt / 'gt000011.png'}: "), err
    assert "scored 10 frames (" in captured.out and "; 2 ground-truth files skipped, not scored): " in captured.out
    assert len(list(out.iterdir())) == 12 and (tmp_path / "m.json").is_file()


def test_ground_truth_none_of_which_can_be_used_scores_nothing(tmp_path, capsys):
    frames, gt = _frames_and_truth_folders(tmp_path)
    for i in range(1, 5):
        Image.fromarray(np.full((20, 30, 3), 90 + i, np.uint8)).save(frames / f"in{i:06d}.png")
    for i in range(1, 5):
        (gt / f"gt{i:06d}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert main(["background", str(frames), "--groundtruth", str(gt), "--quiet"]) == 2
    line = _error(capsys, "background")
    assert line.startswith(f"{gt / 'gt000001.png'}: ") and line.endswith(
        "(and 3 more of the 4 matched frames): no ground truth of the matched frames can be used;"
        " nothing was written (without --groundtruth the masks are written, unscored)"), line


def test_a_damaged_first_ground_truth_file_does_not_stop_the_check_before_the_run(tmp_path, capsys):
    frames, gt = _frames_and_truth_folders(tmp_path)
    for i in range(1, 6):
        Image.fromarray(np.full((20, 30, 3), 90 + i, np.uint8)).save(frames / f"in{i:06d}.png")
        Image.fromarray(np.zeros((20, 30), np.uint8)).save(gt / f"gt{i:06d}.png")
    (gt / "gt000001.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # the one the check read first stopped the run
    assert main(["background", str(frames), "--groundtruth", str(gt), "--quiet"]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if ": warning: " not in line]
    assert len(err) == 1 and err[0].startswith(f"segmix background: skipped the ground truth {gt / 'gt000001.png'}")


# ------------------------------------------------------------- 14. a folder without photos beside other inputs
def test_skin_apply_names_a_folder_without_photos_beside_other_inputs(tmp_path, capsys):
    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    (tmp_path / "empty").mkdir()
    assert main(["skin", "apply", str(tmp_path / "photo.png"), str(tmp_path / "empty"),
                 "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    # It was passed over in silence.
    from segmix.io import IMAGE_SUFFIXES  # the one list of photo names (session 37 added .avif, ...)

    assert err == [f"segmix skin apply: warning: {tmp_path / 'empty'}: no photos found in this folder (looked for "
                   f"{', '.join(sorted(IMAGE_SUFFIXES))})"], err
    assert (tmp_path / "out" / "photo_skin.png").is_file()


# ------------------------------------------------------------- 15. a loop of symbolic links
@pytest.mark.skipif(__import__("sys").platform == "win32", reason="symbolic links")
@pytest.mark.parametrize("command", [
    lambda d: ["quantize", str(d / "loop1"), "-o", str(d / "q.png")],
    lambda d: ["quantize", str(d / "photo.png"), "-o", str(d / "loop1")],
    lambda d: ["skin", "apply", str(d / "photo.png"), "--output-dir", str(d / "loop1"), "--quiet"],
    lambda d: ["segment", str(d / "photo.png"), "--scribbles", str(d / "loop1"), "-o", str(d / "m.png")],
    lambda d: ["skin", "train", "--uci", str(d / "loop1"), "-o", str(d / "m.json"), "--quiet"],
])
def test_a_loop_of_symbolic_links_is_one_line(tmp_path, capsys, command):
    import os

    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    os.symlink("loop2", tmp_path / "loop1")
    os.symlink("loop1", tmp_path / "loop2")
    args = command(tmp_path)
    assert main(args) == 2  # RuntimeError("Symlink loop from ...") out of pathlib: a traceback
    name = "skin apply" if args[:2] == ["skin", "apply"] else "skin train" if args[0] == "skin" else args[0]
    line = _error(capsys, name)
    assert "loop1" in line and "RuntimeError" not in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop1", "loop2", "photo.png"]


# ------------------------------------------------------------- 16. a marks file of many steps
def test_a_marks_file_of_many_steps_is_said_before_the_replay(tmp_path, capsys, monkeypatch):
    import base64
    import zlib

    from segmix import cli

    monkeypatch.setattr(cli, "MANY_MARK_STEPS", 5)  # the replay of 101 steps takes a minute here
    marks = _scribbles()
    order = np.zeros(marks.shape, "<u2")
    marked = np.flatnonzero(marks > 0)[:6]
    order.flat[np.flatnonzero(marks > 0)] = 1
    order.flat[marked] = np.arange(1, 7)  # steps 1..6, each adding marks to the last
    text = json.dumps({"version": 1, "shape": list(marks.shape),
                       "data": base64.b64encode(zlib.compress(order.tobytes())).decode()})
    _marks_with_order_text(tmp_path, text)
    assert main(["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "marks.png"),
                 "-o", str(tmp_path / "m.png")]) == 0
    err = capsys.readouterr().err
    assert f"segmix segment: note: {tmp_path / 'marks.png'}: replaying its 6 marking steps one by one" in err, err


def test_a_traceback_written_to_the_guarded_stderr_keeps_its_lines(capsys):
    import sys
    import traceback

    from segmix.cli_streams import guarded_streams

    with guarded_streams():
        try:
            raise ValueError("boom")
        except ValueError:
            traceback.print_exc(file=sys.stderr)  # as the window's exception hook prints one
    err = capsys.readouterr().err
    assert "\\n" not in err and err.splitlines()[0] == "Traceback (most recent call last):", err


# ------------------------------------------------------------- 17. a dangling symbolic link or a loop, read
@pytest.mark.skipif(__import__("sys").platform == "win32", reason="symbolic links")
@pytest.mark.parametrize("command, name", [
    (lambda d: ["quantize", str(d / "link"), "-o", str(d / "q.png")], "quantize"),
    (lambda d: ["segment", str(d / "photo.png"), "--model", str(d / "link"), "-o", str(d / "m.png")], "segment"),
    (lambda d: ["background", str(d / "link"), "--output-dir", str(d / "out")], "background"),
    (lambda d: ["background", str(d / "photo.png"), "--model", str(d / "link"), "--output-dir", str(d / "out")],
     "background"),
    (lambda d: ["skin", "train", "--uci", str(d / "link"), "-o", str(d / "m.json")], "skin train"),
    (lambda d: ["skin", "eval", "--images", str(d / "link"), "--masks", str(d)], "skin eval"),
])
def test_a_dangling_link_is_named_as_one(tmp_path, capsys, command, name):
    import os

    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    os.symlink(tmp_path / "moved_away", tmp_path / "link")
    assert main(command(tmp_path)) == 2
    # It said "no such file", "model file not found", "cannot read a background model (no such
    # file or directory)": the link was in the listing.
    assert _error(capsys, name) == f"{tmp_path / 'link'}: is a symbolic link to {tmp_path / 'moved_away'}, " \
                                   "which does not exist"


@pytest.mark.skipif(__import__("sys").platform == "win32", reason="symbolic links")
def test_a_loop_given_as_frames_is_named_as_one(tmp_path, capsys):
    import os

    os.symlink("loop2", tmp_path / "loop1")
    os.symlink("loop1", tmp_path / "loop2")
    assert main(["background", str(tmp_path / "loop1"), "--output-dir", str(tmp_path / "out")]) == 2
    assert _error(capsys, "background").startswith(f"{tmp_path / 'loop1'}: is a loop of symbolic links")
