"""Faults of segment's marks, exports and quantize found in session 33's new-user trial."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.io import save_labels
from tests.test_cli_trial27 import _error


def _drawing(path):
    """A red square on white (flat colours, as a logo or a diagram): 300 x 200."""
    drawing = np.full((200, 300, 3), 255, np.uint8)
    drawing[50:150, 80:200] = (200, 30, 30)
    Image.fromarray(drawing).save(path)
    inside = np.zeros((200, 300), bool)
    inside[50:150, 80:200] = True
    return inside


def test_a_click_on_a_drawings_edge_then_a_background_click_gives_the_mask(tmp_path, capsys):
    """The first click's disc takes both colours of the drawing, so its step alone has no colour
    left for background and fails; the window passes over a failed fit and the background click's
    step is fitted afresh. The replay stopped at the first step instead: "no background
    scribbles: ... paint some background pixels", exit 2, the background click given."""
    inside = _drawing(tmp_path / "logo.png")
    args = ["segment", str(tmp_path / "logo.png"), "--click", "80,100", "--background-click", "20,20"]
    assert main([*args, "-o", str(tmp_path / "m.png"), "--save-scribbles", str(tmp_path / "s.png")]) == 0
    err = capsys.readouterr().err
    assert "error" not in err
    mask = np.array(Image.open(tmp_path / "m.png")) > 0
    assert (mask == inside).mean() > 0.99  # the red square
    # The same marks at once, and the saved marks replayed, give the same square.
    assert main([*args, "--at-once", "-o", str(tmp_path / "once.png")]) == 0
    assert main(["segment", str(tmp_path / "logo.png"), "--scribbles", str(tmp_path / "s.png"),
                 "-o", str(tmp_path / "again.png")]) == 0
    for name in ("once.png", "again.png"):
        assert np.array_equal(np.array(Image.open(tmp_path / name)) > 0, mask)


def test_a_replay_warns_of_the_last_fit_only_in_words_that_fit_clicks(tmp_path, capsys):
    """Each replayed step's fit warned "foreground scribbles have only 2 distinct colour(s);
    using 2 component(s) ...": four lines for two clicks, about marks no scribble made."""
    _drawing(tmp_path / "logo.png")
    assert main(["segment", str(tmp_path / "logo.png"), "--background-click", "20,20", "--click", "80,100",
                 "-o", str(tmp_path / "m.png")]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert lines == ["segmix segment: warning: the foreground marks hold only 2 distinct colours: the foreground "
                     "mixture has 2 components, not 5",
                     "segmix segment: warning: the background marks hold only 1 distinct colour: the background "
                     "mixture has 1 component, not 5"], lines


@pytest.mark.parametrize("marks, words", [
    (["--click", "80,100"], "the marks (1 click): nothing is marked background, "),
    (["--scribbles", "S"], "S: nothing is marked background, "),
])
def test_a_refused_fit_is_one_line_naming_the_marks_and_the_option(tmp_path, capsys, marks, words):
    """A click on both colours of a drawing: one error line, naming the marks and how to add
    background. It read "no background scribbles: ... paint some background pixels" with no file
    or option, after a warning of "0 distinct colour(s); using 0 component(s)"."""
    _drawing(tmp_path / "logo.png")
    labels = np.zeros((200, 300), np.uint8)
    labels[95:105, 70:90] = 1  # across the square's edge: red and white
    save_labels(tmp_path / "s.png", labels)
    marks = [str(tmp_path / "s.png") if m == "S" else m for m in marks]
    words = words.replace("S:", f"{tmp_path / 's.png'}:")
    assert main(["segment", str(tmp_path / "logo.png"), *marks, "-o", str(tmp_path / "m.png")]) == 2
    line = _error(capsys, "segment")  # one line, no warning before it
    assert line.startswith(words), line
    assert line.endswith("give --background-click X,Y" if "--click" in marks
                         else "mark some background (2) in the scribbles"), line
    assert not (tmp_path / "m.png").exists()


@pytest.mark.parametrize("stop, status, word", [("Terminated", 143, "terminated"),
                                                ("KeyboardInterrupt", 130, "interrupted")])
def test_an_interruption_inside_a_numba_kernel_is_said_as_one(tmp_path, capsys, monkeypatch, stop, status, word):
    """SIGTERM during a kernel: `timeout 120 segmix quantize big.jpg -k 2000` ended in a
    traceback, "SystemError: CPUDispatcher(<function lloyd_pass ...>) returned a result with an
    exception set", exit 1 (Numba's dispatcher wraps what its own Python code raised)."""
    import segmix.cli as cli
    import segmix.quantize

    interruption = cli.Terminated if stop == "Terminated" else KeyboardInterrupt

    def interrupted(*args, **kwargs):
        try:
            raise interruption
        except KeyboardInterrupt as exc:
            raise SystemError("CPUDispatcher(<function lloyd_pass>) returned a result with an exception set") from exc

    monkeypatch.setattr(segmix.quantize, "quantize_file", interrupted)
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "p.png")
    assert main(["quantize", str(tmp_path / "p.png"), "-o", str(tmp_path / "q.png")]) == status
    err = capsys.readouterr().err
    assert err == f"segmix: {word}\n", err


def test_another_system_error_is_not_taken_for_an_interruption(tmp_path, monkeypatch):
    import segmix.quantize

    def broken(*args, **kwargs):
        raise SystemError("a real fault")

    monkeypatch.setattr(segmix.quantize, "quantize_file", broken)
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "p.png")
    with pytest.raises(SystemError):
        main(["quantize", str(tmp_path / "p.png"), "-o", str(tmp_path / "q.png")])


def test_an_output_name_of_255_bytes_is_written(tmp_path, capsys):
    """A valid 254-byte name was refused "cannot write (file name too long)": the atomic
    write's temporary file beside it is 14 bytes longer. Rewritten too (a rerun keeps a hard
    link of the old file, named as the temporary files are), with no temporary file left."""
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (24, 32, 3), dtype=np.uint8)).save(tmp_path / "p.png")
    stem = "b" * 251
    out = {"-o": f"{stem}.png", "--cutout": f"{stem[:250]}c.png", "--probability": f"{stem[:250]}p.npy",
           "--save-scribbles": f"{stem[:250]}s.png", "--save-model": f"{stem[:250]}.json"}
    args = ["segment", str(tmp_path / "p.png"), "--click", "16,12"]
    for option, name in out.items():
        args += [option, str(tmp_path / name)]
    for _ in range(2):  # written, then replaced
        assert main(args) == 0, capsys.readouterr().err
        assert main(["quantize", str(tmp_path / "p.png"), "-k", "2", "-o", str(tmp_path / f"{stem[:250]}q.png")]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 7 and all(len(name) in (5, 255) for name in names), names  # p.png and the six


def test_the_temporary_prefix_fits_the_file_system_in_bytes():
    from segmix.io import NAME_MAX, temporary_prefix

    assert temporary_prefix("mask.png") == ".mask.png."
    for name in ("x" * 255, "é" * 127 + "x", "長" * 85):
        prefix = temporary_prefix(name)
        assert prefix.startswith(".") and prefix.endswith(".") and name.startswith(prefix[1:-1])
        assert len(prefix.encode()) + 8 + len(".tmp") <= NAME_MAX


@pytest.mark.parametrize("option", ["-o", "--probability", "--cutout"])
def test_a_name_too_long_names_its_option(tmp_path, capsys, option):
    """`--probability <260 bytes>.png` said "aaa...png: file name too long", no option named
    (quantize's -o named it); pathlib's is_dir raises on such a name in Python 3.11."""
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "p.png")
    long_name = str(tmp_path / ("a" * 260 + ".png"))
    outputs = {"-o": str(tmp_path / "m.png"), option: long_name}
    args = ["segment", str(tmp_path / "p.png"), "--click", "3,3"]
    for key, value in outputs.items():
        args += [key, value]
    assert main(args) == 2
    line = _error(capsys, "segment")
    assert line.startswith(f"{'-o/--output' if option == '-o' else option} {long_name}") and "too long" in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png"]


def test_foreground_scribbles_outside_the_box_are_warned_about(tmp_path, capsys):
    """The box marks its outside background over the marks there (the window's Rectangle
    tool): a trial's foreground strokes outside --box were dropped, from --save-scribbles' file
    too, without a word."""
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (60, 80, 3), dtype=np.uint8)).save(tmp_path / "p.png")
    labels = np.zeros((60, 80), np.uint8)
    labels[30:34, 60:65] = 1  # 20 pixels outside the box below
    labels[25:30, 25:30] = 1  # inside it
    save_labels(tmp_path / "s.png", labels)
    args = ["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "s.png"), "-o", str(tmp_path / "m.png")]
    assert main([*args, "--box", "10,10,50,50", "--save-scribbles", str(tmp_path / "saved.png")]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "--box" in line]
    assert lines == [f"segmix segment: warning: --box 10,10,50,50: 20 foreground (1) pixels of {tmp_path / 's.png'} "
                     "lie outside the box, which marks its outside background (2) over them, as the window's "
                     "Rectangle tool does; draw the box around them, or mark that part with --click after the box"]
    assert (np.array(Image.open(tmp_path / "saved.png"))[30:34, 60:65] == 2).all()  # what the warning says
    assert main([*args, "--box", "10,10,70,50"]) == 0  # round them all: no warning
    assert "--box" not in capsys.readouterr().err


def test_quantize_says_when_k_means_takes_a_while(tmp_path, capsys, monkeypatch):
    """-k 20000 on a DAVIS frame ran 92 s with nothing on the terminal; a note comes before
    k-means when distinct colours times k is large (here the threshold is lowered)."""
    import segmix.cli as cli

    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 255, (20, 30, 3), dtype=np.uint8)).save(tmp_path / "p.png")
    args = ["quantize", str(tmp_path / "p.png"), "-k", "50", "-o", str(tmp_path / "q.png")]
    assert main(args) == 0
    assert "takes a while" not in capsys.readouterr().err
    monkeypatch.setattr(cli, "SLOW_QUANTIZE_WORK", 600 * 50)
    assert main(args) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [f"segmix quantize: note: {tmp_path / 'p.png'}: 600 distinct colours into 50: k-means takes a while "
                   "(up to about 1 s on a 2-core machine; a smaller -k is faster)"], err  # inputs55: its own estimate


@pytest.mark.parametrize("values, hint", [
    ((0, 128, 255), "(a trimap of 0 / 128 / 255? Its 0 is background and 128 unknown: write 255 as 1, 0 as 2 and "
                    "128 as 0)"),
    ((0, 255), "(a 0 / 255 mask? Marks are 1 on the object, 2 on what is not it and 0 where segmix decides: to "
               "refine a mask, mark its eroded inside 1 and what lies beyond its dilation 2)"),
])
def test_a_trimap_or_a_mask_given_as_scribbles_is_told_how_to_write_it(tmp_path, capsys, values, hint):
    """A matting trimap (0 background, 128 unknown, 255 object) was refused "found 128, 255",
    leaving a user to guess that its 0 means background where the scribbles' 0 means unmarked."""
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(tmp_path / "p.png")
    plane = np.full((30, 40), values[0], np.uint8)
    for i, value in enumerate(values[1:], start=1):
        plane[5 * i:5 * i + 5, 10:30] = value
    Image.fromarray(plane).save(tmp_path / "t.png")
    assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "t.png"),
                 "-o", str(tmp_path / "m.png")]) == 2
    line = _error(capsys, "segment")
    assert line.endswith(hint), line


def test_a_box_of_x_y_width_height_is_told_the_corners(tmp_path, capsys):
    """COCO's and many detectors' boxes are X,Y,WIDTH,HEIGHT: `--box 400,300,100,80` was refused
    "RIGHT > LEFT" with no word of the likely mix-up."""
    assert main(["segment", str(tmp_path / "p.png"), "--box", "400,300,100,80", "-o", str(tmp_path / "m.png")]) == 2
    line = _error(capsys, "segment")
    assert "X,Y,WIDTH,HEIGHT, as COCO writes boxes? give 400,300,500,380)" in line, line
    assert main(["segment", str(tmp_path / "p.png"), "--box", "400,300,400,80", "-o", str(tmp_path / "m.png")]) == 2
    assert "give 400,300,800,380" in _error(capsys, "segment")


@pytest.mark.filterwarnings("ignore:the (fore|back)ground marks hold only")
def test_replay_steps_passes_over_a_failed_step_as_the_window_does(tmp_path):
    """The window's worker replays the steps before the last with ``last_may_fail`` and refines
    the last fitted one (none here: the failed first click), as when the marks were made."""
    from segmix.mark_steps import replay_steps
    from segmix.point_marks import add_point_marks

    _drawing(tmp_path / "logo.png")
    image = np.array(Image.open(tmp_path / "logo.png"))
    labels, order = add_point_marks(np.zeros((200, 300), np.uint8), None, clicks=[(1, 80, 100), (2, 20, 20)])
    from segmix.mark_steps import step_marks

    steps = step_marks(labels, order)
    fitted = []
    assert replay_steps(image, steps[:1], last_may_fail=True, on_step=lambda i, r: fitted.append(i)) is None
    assert fitted == []
    with pytest.raises(ValueError, match="no background scribbles"):
        replay_steps(image, steps[:1])  # the last step's failure is still the caller's
    result = replay_steps(image, steps, on_step=lambda i, r: fitted.append(i))
    assert fitted == [2] and result.mask.mean() == pytest.approx(0.2, abs=0.01)


def test_a_few_foreground_pixels_are_not_said_as_zero_percent(tmp_path, capsys):
    """A click and a background click 2 px apart left 20 pixels of a DAVIS frame foreground,
    and the summary said "0.0% foreground", which reads as an empty mask (no warning came: the
    mask was not empty)."""
    photo = np.zeros((400, 500, 3), np.uint8)
    photo[:, 250:] = (200, 40, 40)
    Image.fromarray(photo).save(tmp_path / "p.png")
    labels = np.zeros((400, 500), np.uint8)
    labels[200, 100] = 1  # one pixel of foreground
    labels[0:20, :] = 2
    save_labels(tmp_path / "s.png", labels)
    assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "s.png"), "--smoothing", "none",
                 "--threshold", "0.999999", "-o", str(tmp_path / "m.png")]) == 0
    out = capsys.readouterr().out
    mask = np.array(Image.open(tmp_path / "m.png")) > 0
    n = int(mask.sum())
    assert 0 < n < 100, n
    assert f"(500 x 400, {n} pixel{'s' if n != 1 else ''} foreground, under 0.1%" in out, out


def test_a_model_applied_with_other_display_settings_than_saved_says_so(tmp_path, capsys):
    """A model saved with --smoothing none --threshold 0.7 is applied, as the window applies a
    loaded model, with the command's graph cut and 0.5: a trial got 56.4 % foreground instead
    of 22.7 %, and nothing said why."""
    rng = np.random.default_rng(3)
    photo = rng.integers(0, 60, (40, 60, 3), dtype=np.uint8)
    photo[10:30, 20:40] += 150
    Image.fromarray(photo).save(tmp_path / "p.png")
    base = ["segment", str(tmp_path / "p.png")]
    assert main([*base, "--click", "30,20", "--smoothing", "none", "--threshold", "0.7",
                 "-o", str(tmp_path / "m.png"), "--save-model", str(tmp_path / "m.json")]) == 0
    capsys.readouterr()
    assert main([*base, "--model", str(tmp_path / "m.json"), "-o", str(tmp_path / "a.png")]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "note" in line]
    assert notes == [f"segmix segment: note: {tmp_path / 'm.json'} was saved with no graph cut (--smoothing none) "
                     "and threshold 0.7; it is applied with the graph cut and threshold 0.5, as the window's File > "
                     "Load Model applies a model (its graph-cut box and threshold slider): give --smoothing none "
                     "--threshold 0.7 to apply it as saved"], notes
    assert main([*base, "--model", str(tmp_path / "m.json"), "--smoothing", "none", "--threshold", "0.7",
                 "-o", str(tmp_path / "b.png")]) == 0
    assert "note" not in capsys.readouterr().err


def test_a_click_wholly_painted_over_by_a_later_one_is_named(tmp_path, capsys):
    """`--click 420,250 --background-click 420,250`: the later disc replaces the earlier (the
    window's rule), and the only word was "no object marked", the --click given."""
    rng = np.random.default_rng(4)
    Image.fromarray(rng.integers(0, 255, (60, 80, 3), dtype=np.uint8)).save(tmp_path / "p.png")
    args = ["segment", str(tmp_path / "p.png"), "-o", str(tmp_path / "m.png")]
    assert main([*args, "--click", "40,30", "--background-click", "40,30"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "paint over" in line]
    assert lines == ["segmix segment: warning: --click 40,30: later clicks paint over the whole of its disc (a later "
                     "click replaces an earlier one where they overlap, as in the window): it marks nothing; move "
                     "one of them"], lines
    for clicks in (["--click", "40,30", "--click", "40,30"], ["--click", "40,30", "--background-click", "44,30"]):
        assert main([*args, *clicks]) == 0  # the same label twice, or an overlap that leaves some of the disc
        assert "paint over" not in capsys.readouterr().err


@pytest.mark.parametrize("args", [["segment", "-", "--click", "1,1", "-o", "M"],
                                  ["quantize", "-", "-o", "M"],
                                  ["segment", "P", "--scribbles", "-", "-o", "M"]])
def test_a_dash_for_standard_input_is_told_to_give_a_file(tmp_path, capsys, monkeypatch, args):
    """`segmix segment - ... < photo.jpg` said "-: no such file", as if a file were lost."""
    monkeypatch.chdir(tmp_path)
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "p.png")
    args = [{"M": "m.png", "P": "p.png"}.get(a, a) for a in args]
    assert main(args) == 2
    line = _error(capsys, args[0])
    assert line == "-: no such file (segmix reads files, not standard input: give the file's name)", line


def test_saved_marks_record_their_photo_and_another_photo_is_noted(tmp_path, capsys):
    """The final check: marks saved by --save-scribbles on DAVIS 000 were applied to 001 in
    silence (the window's saved marks record their photo; the command line's did not, and the
    command line read no record)."""
    from PIL import Image

    from segmix.cli import main
    from segmix.mark_settings import PHOTO_KEY

    rng = np.random.default_rng(0)
    first = np.zeros((40, 60, 3), np.uint8)
    first[10:30, 20:40] = (200, 40, 40)
    second = first.copy()
    second[:, :, 2] = rng.integers(0, 30, (40, 60))  # the same size, other pixels
    Image.fromarray(first).save(tmp_path / "a.png")
    Image.fromarray(second).save(tmp_path / "b.png")
    marks = tmp_path / "marks.png"
    assert main(["segment", str(tmp_path / "a.png"), "--click", "30,20", "--save-scribbles", str(marks),
                 "-o", str(tmp_path / "ma.png")]) == 0
    with Image.open(marks) as im:
        assert PHOTO_KEY in im.info
    capsys.readouterr()
    assert main(["segment", str(tmp_path / "a.png"), "--scribbles", str(marks), "-o", str(tmp_path / "ma2.png")]) == 0
    assert "holds marks drawn on" not in capsys.readouterr().err
    assert main(["segment", str(tmp_path / "b.png"), "--scribbles", str(marks), "-o", str(tmp_path / "mb.png")]) == 0
    err = capsys.readouterr().err
    assert "note: marks.png holds marks drawn on a.png, not on b.png" in err, err


@pytest.mark.parametrize("argv, option", [
    (["segment", "{photo}", "--click", "5,5", "-o", "-"], "-o/--output"),
    (["segment", "{photo}", "--click", "5,5", "-o", "{tmp}/m.png", "--probability", "-"], "--probability"),
    (["quantize", "{photo}", "-k", "2", "-o", "-"], "-o/--output"),
    (["skin", "apply", "{photo}", "--output-dir", "-"], "--output-dir"),
    (["background", "{tmp}", "--output-dir", "-"], "--output-dir"),
    (["skin", "eval", "--images", "{tmp}", "--masks", "{tmp}", "--json", "-"], "--json"),
])
def test_a_dash_for_an_output_is_refused_naming_the_option(tmp_path, monkeypatch, capsys, argv, option):
    """The final check: `segment -o -` was told "unsupported extension", and `skin apply
    --output-dir -` / `background --output-dir -` wrote into a folder named "-"."""
    from PIL import Image

    from segmix.cli import main

    Image.fromarray(np.zeros((12, 16, 3), np.uint8)).save(tmp_path / "p.png")
    monkeypatch.chdir(tmp_path)
    argv = [a.replace("{photo}", str(tmp_path / "p.png")).replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"argument {option}: -: segmix writes files, not standard output" in err and err.count("\n") == 1, err
    assert not (tmp_path / "-").exists()
