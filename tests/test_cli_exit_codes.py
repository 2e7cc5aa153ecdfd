"""One exit-status rule for every command (segmix.cli.EXIT_STATUSES) and one-line argparse refusals.

0: every input done; 1: some inputs failed (one line each) while others were written;
2: bad usage / bad parameter, or no usable input at all (nothing written).
"""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import EXIT_STATUSES, main


def _photo(path, seed=0):
    rng = np.random.default_rng(seed)
    image = np.zeros((24, 32, 3), np.uint8)
    image[:, :16] = (200, 140, 110)
    image[:, 16:] = (30, 60, 160)
    image = np.clip(image.astype(int) + rng.integers(-4, 5, image.shape), 0, 255).astype(np.uint8)
    Image.fromarray(image).save(path)


def _mask(path):
    mask = np.zeros((24, 32), np.uint8)
    mask[:, :16] = 255
    Image.fromarray(mask).save(path)


def _corrupt(path):
    path.write_bytes(b"\x89PNG\r\n\x1a\n truncated")


@pytest.fixture
def folders(tmp_path):
    """good/ (2 photos), bad/ (2 corrupt), mixed/ (1 good, 1 corrupt), frames/ (3 good, 1 corrupt),
    empty/, and labelled sets."""
    for name in ("good", "bad", "mixed", "empty", "masks", "imgs_bad", "frames"):
        (tmp_path / name).mkdir()
    for t in range(3):
        _photo(tmp_path / "frames" / f"f{t}.png", 0)
    _corrupt(tmp_path / "frames" / "f3.png")
    _photo(tmp_path / "good" / "a.png", 1)
    _photo(tmp_path / "good" / "b.png", 2)
    _corrupt(tmp_path / "bad" / "a.png")
    _corrupt(tmp_path / "bad" / "b.png")
    _photo(tmp_path / "mixed" / "a.png", 3)
    _corrupt(tmp_path / "mixed" / "b.png")
    for stem in ("a", "b"):
        _mask(tmp_path / "masks" / f"{stem}.png")
    _photo(tmp_path / "imgs_bad" / "a.png", 4)
    _corrupt(tmp_path / "imgs_bad" / "b.png")
    scribbles = np.zeros((24, 32), np.uint8)
    scribbles[4:20, 4:8] = 1
    scribbles[4:20, 24:28] = 2
    Image.fromarray(scribbles).save(tmp_path / "scribbles.png")
    return tmp_path


def _status(argv):
    try:
        return main(argv)
    except SystemExit as exc:  # argparse's refusals
        return exc.code


# (name, argv builder given the folders and an output folder, expected status)
CASES = [
    ("skin apply, all good", lambda d, o: ["skin", "apply", str(d / "good"), "--output-dir", str(o), "--quiet"], 0),
    ("skin apply, some corrupt", lambda d, o: ["skin", "apply", str(d / "mixed"), "--output-dir", str(o), "--quiet"], 1),
    ("skin apply, every photo corrupt", lambda d, o: ["skin", "apply", str(d / "bad"), "--output-dir", str(o), "--quiet"], 2),
    ("skin apply, one corrupt file", lambda d, o: ["skin", "apply", str(d / "bad" / "a.png"), "--output-dir", str(o), "--quiet"], 2),
    ("skin apply, empty folder", lambda d, o: ["skin", "apply", str(d / "empty"), "--output-dir", str(o), "--quiet"], 2),
    ("skin apply, missing input", lambda d, o: ["skin", "apply", str(d / "nope"), "--output-dir", str(o), "--quiet"], 2),
    ("background, some frames corrupt", lambda d, o: ["background", str(d / "frames"), "--output-dir", str(o), "--quiet"], 1),
    ("background, every frame corrupt", lambda d, o: ["background", str(d / "bad"), "--output-dir", str(o), "--quiet"], 2),
    ("background, empty folder", lambda d, o: ["background", str(d / "empty"), "--output-dir", str(o), "--quiet"], 2),
    ("skin eval, good", lambda d, o: ["skin", "eval", "--images", str(d / "good"), "--masks", str(d / "masks"), "--quiet"], 0),
    # A pair that cannot be used is skipped and the rest scored, as skin apply skips a photo.
    ("skin eval, a corrupt photo", lambda d, o: ["skin", "eval", "--images", str(d / "imgs_bad"), "--masks", str(d / "masks"), "--json", str(o / "e.json"), "--quiet"], 1),
    ("skin eval, every photo corrupt", lambda d, o: ["skin", "eval", "--images", str(d / "bad"), "--masks", str(d / "masks"), "--json", str(o / "e.json"), "--quiet"], 2),
    ("skin eval, empty folder", lambda d, o: ["skin", "eval", "--images", str(d / "empty"), "--masks", str(d / "masks"), "--quiet"], 2),
    ("skin train, a corrupt photo", lambda d, o: ["skin", "train", "--images", str(d / "imgs_bad"), "--masks", str(d / "masks"), "-o", str(o / "m.json"), "--quiet"], 2),
    ("skin train, empty folder", lambda d, o: ["skin", "train", "--images", str(d / "empty"), "--masks", str(d / "masks"), "-o", str(o / "m.json"), "--quiet"], 2),
    ("segment, corrupt photo", lambda d, o: ["segment", str(d / "bad" / "a.png"), "--scribbles", str(d / "scribbles.png"), "-o", str(o / "m.png")], 2),
    ("segment, corrupt scribbles", lambda d, o: ["segment", str(d / "good" / "a.png"), "--scribbles", str(d / "bad" / "a.png"), "-o", str(o / "m.png")], 2),
    ("quantize, corrupt photo", lambda d, o: ["quantize", str(d / "bad" / "a.png"), "-o", str(o / "q.png")], 2),
    ("quantize, good", lambda d, o: ["quantize", str(d / "good" / "a.png"), "-k", "2", "-o", str(o / "q.png")], 0),
]


@pytest.mark.parametrize("name,build,expected", CASES, ids=[c[0] for c in CASES])
def test_every_command_follows_one_exit_rule(folders, tmp_path, capsys, name, build, expected):
    out = tmp_path / "out"
    out.mkdir()
    status = _status(build(folders, out))
    err = capsys.readouterr().err
    assert status == expected, err
    assert expected in EXIT_STATUSES and "Traceback" not in err
    written = list(out.rglob("*.png")) + list(out.rglob("*.json"))
    if expected == 2:
        # nothing usable: nothing written, and the last line says why
        assert written == [] and "error" in err.strip().splitlines()[-1]
    elif expected == 1:
        assert written and ("failed" in err or "skipped" in err)


BAD_VALUES = [
    (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--components", "0"], "--components"),
    (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "-k", "-3"], "--components"),
    (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--components", "two"], "--components"),
    (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--threshold", "1.5"], "--threshold"),
    (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--smoothness", "-1"], "--smoothness"),
    (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--distance-prior", "nan"], "--distance-prior"),
    (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--seed", "x"], "--seed"),
    (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--color-space", "xyz"], "--color-space"),
    (["quantize", "p.png", "-o", "q.png", "-k", "0"], "-k/--colors"),
    (["quantize", "p.png", "-o", "q.png", "-k", "many"], "-k/--colors"),
    (["skin", "train", "--uci", "u.txt", "-o", "m.json", "--components", "0"], "--components"),
    (["skin", "train", "--uci", "u.txt", "-o", "m.json", "--prior", "2"], "--prior"),
    (["skin", "train", "--uci", "u.txt", "-o", "m.json", "--prior", "0"], "--prior"),
    (["skin", "train", "--uci", "u.txt", "-o", "m.json", "--reg-covar", "-1e-3"], "--reg-covar"),
    (["skin", "train", "--uci", "u.txt", "-o", "m.json", "--threshold", "inf"], "--threshold"),
    (["skin", "apply", "x", "--output-dir", "o", "--threshold", "7"], "--threshold"),
    (["skin", "apply", "x", "--output-dir", "o", "--skin-share", "1"], "--skin-share"),
    (["skin", "apply", "x", "--output-dir", "o", "--min-area", "2"], "--min-area"),
    (["skin", "apply", "x", "--output-dir", "o", "--workers", "0"], "--workers"),
    (["skin", "eval", "--images", "i", "--masks", "m", "--threshold", "-0.1"], "--threshold"),
    (["background", "f", "--output-dir", "o", "--components", "0"], "--components"),
    (["background", "f", "--output-dir", "o", "--components", "abc"], "--components"),
    (["background", "f", "--output-dir", "o", "--learning-rate", "2"], "--learning-rate"),
    (["background", "f", "--output-dir", "o", "--match-threshold", "0"], "--match-threshold"),
    (["background", "f", "--output-dir", "o", "--median-size", "-1"], "--median-size"),
    (["background", "f", "--output-dir", "o", "--roi", "0", "5"], "--roi"),
    (["skin", "apply", "x", "--output-dir", "o", "--n-workers", "-2"], "--n-workers"),
    # a required option missing, of a photo that is there (a missing photo is said first)
    ([
        "segment", str(Path(__file__).resolve().parents[1] / "sample_images" / "coffee.png"), "-o", "m.png"
    ], "--scribbles"),
    (["skin", "frobnicate"], "invalid choice"),
]


@pytest.mark.parametrize("argv,named", BAD_VALUES, ids=[" ".join(a[:2]) + " " + n for a, n in BAD_VALUES])
def test_bad_values_are_refused_in_one_line(argv, named, capsys):
    assert _status(argv) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert err.count("\n") == 1, err  # one line: no usage block before it
    assert named in err and "error" in err and "usage" not in err and "Traceback" not in err
    assert "--help" in err  # where the usage is


def test_help_and_a_missing_subcommand_stay_helpful(capsys):
    assert _status(["segment", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: segmix segment") and "--scribbles" in out and "--components" in out
    assert _status(["skin"]) == 2
    err = capsys.readouterr().err
    assert err == "segmix skin: error: choose a command: train, apply or eval (see segmix skin --help)\n"
    assert _status(["skin", "apply", "--help"]) == 0
    assert "--output-dir" in capsys.readouterr().out


def test_refusals_and_summaries_name_what_they_are_about(folders, tmp_path, capsys):
    # An all-zero scribble file names the file (it used to say only "no scribbles").
    blank = tmp_path / "blank.png"
    Image.fromarray(np.zeros((24, 32), np.uint8)).save(blank)
    assert _status(["segment", str(folders / "good" / "a.png"), "--scribbles", str(blank), "-o", str(tmp_path / "m.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(blank) in err[0] and "no scribbles" in err[0]
    assert not (tmp_path / "m.png").exists()
    # An empty folder is named.
    assert _status(["skin", "apply", str(folders / "empty"), "--output-dir", str(tmp_path / "o1"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(folders / "empty") in err[0] and "no photos" in err[0]
    # A run that wrote nothing leaves no empty output folder behind; one that wrote says so.
    assert _status(["skin", "apply", str(folders / "bad"), "--output-dir", str(tmp_path / "o2"), "--quiet"]) == 2
    assert not (tmp_path / "o2").exists()
    capsys.readouterr()
    assert _status(["skin", "apply", str(folders / "good"), "--output-dir", str(tmp_path / "o3")]) == 0
    out = capsys.readouterr().out
    assert f"wrote masks of 2 photos to {tmp_path / 'o3'}" in out
    assert sorted(p.name for p in (tmp_path / "o3").iterdir()) == ["a_skin.png", "b_skin.png"]


@pytest.mark.parametrize("name,build,expected",
                         [c for c in CASES if c[2] == 2 and "--output-dir" in c[1](Path("d"), Path("o"))],
                         ids=[c[0] for c in CASES if c[2] == 2 and "--output-dir" in c[1](Path("d"), Path("o"))])
def test_a_run_that_writes_nothing_creates_no_output_folder(folders, tmp_path, capsys, name, build, expected):
    # New-user trial: `segmix background text.png --output-dir o4` exited 2 and left an empty
    # o4/ (README: nothing is written on exit 2). The folder is made with the first output.
    fresh = tmp_path / "fresh"
    assert _status(build(folders, fresh / "out")) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not fresh.exists()


def test_background_of_a_text_file_named_png_creates_no_folder(tmp_path, capsys):
    text = tmp_path / "text.png"
    text.write_text("hello, not an image\n")
    assert _status(["background", str(text), "--output-dir", str(tmp_path / "o4"), "--quiet"]) == 2
    assert not (tmp_path / "o4").exists()
    err = capsys.readouterr().err
    assert "text.png: is a text file" in err and len(err.strip().splitlines()) == 1


def test_quantize_refuses_a_read_only_output_before_any_work(folders, tmp_path, monkeypatch, capsys):
    # The trial's `segmix quantize` to a read-only file compiled its kernels (16 s on a cold
    # cache) and only then refused; the refusal now comes before the photo is even read.
    import segmix.quantize

    def no_work(*args, **kwargs):
        raise AssertionError("quantised before checking the output")

    monkeypatch.setattr(segmix.quantize, "quantize_image", no_work)
    monkeypatch.setattr(segmix.quantize, "load_image_info", no_work)
    target = tmp_path / "ro.png"
    target.write_bytes(b"keep me")
    target.chmod(0o444)
    assert _status(["quantize", str(folders / "good" / "a.png"), "-o", str(target)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "read-only" in err[0] and str(target) in err[0]
    assert target.read_bytes() == b"keep me"
    missing = tmp_path / "no_such_folder" / "q.png"
    assert _status(["quantize", str(folders / "good" / "a.png"), "-o", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err and not missing.parent.exists()


def test_skin_apply_refuses_a_read_only_mask_before_detecting(folders, tmp_path, monkeypatch, capsys):
    import segmix.skin

    def no_work(*args, **kwargs):
        raise AssertionError("detected skin before checking the output")

    monkeypatch.setattr(segmix.skin, "load_image_info", no_work)
    out = tmp_path / "sk"
    out.mkdir()
    target = out / "a_skin.png"
    # An earlier run's mask (a file skin apply did not write is refused before, for that).
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(*segmix.skin.OUTPUT_MARK)
    Image.new("L", (4, 4)).save(target, pnginfo=info)
    kept = target.read_bytes()
    target.chmod(0o444)
    assert _status(["skin", "apply", str(folders / "good" / "a.png"), "--output-dir", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "read-only" in err[0] and str(target) in err[0]
    assert target.read_bytes() == kept


def test_a_mistyped_choice_or_option_gets_the_close_one(capsys):
    from segmix.cli import main

    for argv, hint in ((["skin", "aply", "x.png"], "did you mean 'apply'?"),
                       (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--color-space", "lba"],
                        "did you mean 'lab'?"),
                       (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--colour-space", "lab"],
                        "did you mean '--color-space'?"),
                       # The mistyped option is the missing required one: argparse refuses the
                       # missing one first and never named the typo.
                       # Since session 36 the typo leads the line (it is why the other is missing).
                       (["segment", "p.png", "--scribbels", "s.png", "-o", "m.png"],
                        "error: '--scribbels' is no option (did you mean '--scribbles'?); without it, the "
                        "following arguments are required"),
                       (["segment", "p.png", "--scribbels=s.png", "--outptu", "m.png"],
                        "'--scribbels' is no option (did you mean '--scribbles'?); '--outptu' is no option "
                        "(did you mean '--output'?)"),
                       (["skin", "train", "--skin-dir", "a", "--outptu", "m.json"],
                        "'--outptu' is no option (did you mean '--output'?)")):
        assert main(argv) == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and hint in lines[0], lines


def test_choices_are_taken_in_any_case():
    """A trial's --color-space Lab was refused ("did you mean 'lab'?")."""
    from segmix.cli import build_parser

    args = build_parser().parse_args(["segment", "p.png", "--scribbles", "s.png", "-o", "m.png",
                                      "--color-space", "Lab", "--covariance-type", "DIAG", "--smoothing", "GraphCut"])
    assert (args.color_space, args.covariance_type, args.smoothing) == ("lab", "diag", "graphcut")
