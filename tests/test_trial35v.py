"""Faults a new-user trial (session 35, fresh clone, README's install command) found on the
command line, one test or more for each kind:

1. ``background FRAMES --model M.json -k 3`` with a model of 3 Gaussians per pixel was refused
   "--components cannot change a saved model's number of components" (exit 2): the model's
   own number counted as a change, and the message named neither the file nor the number it
   holds. The model's own number is accepted; another is refused naming ``-k``, the file and
   the model's number, with ``--distributed`` too.
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main

from tests.test_cli_trial27 import _error, _frames


# ----------------------------------------------------- 1. -k with a resumed background model
@pytest.fixture
def saved_model(tmp_path, capsys):
    """A folder of frames and a 3-Gaussian background model saved from it."""
    _frames(tmp_path / "frames", n=20)
    assert main(["background", str(tmp_path / "frames"), "--save-model", str(tmp_path / "bg.json"),
                 "--output-dir", str(tmp_path / "first")]) == 0
    capsys.readouterr()
    return tmp_path


def test_background_model_own_components_accepted(saved_model, capsys):
    run = ["background", str(saved_model / "frames"), "--model", str(saved_model / "bg.json"), "--output-dir"]
    assert main([*run, str(saved_model / "without_k")]) == 0
    assert main([*run, str(saved_model / "with_k"), "-k", "3"]) == 0
    assert "error" not in capsys.readouterr().err
    for name in sorted(p.name for p in (saved_model / "without_k").iterdir()):
        np.testing.assert_array_equal(np.asarray(Image.open(saved_model / "without_k" / name)),
                                      np.asarray(Image.open(saved_model / "with_k" / name)))


@pytest.mark.parametrize("distributed", [False, True])
def test_background_model_other_components_named(saved_model, capsys, distributed):
    if distributed:
        pytest.importorskip("distributed")
    model = str(saved_model / "bg.json")
    extra = ["--distributed", "--n-workers", "1"] if distributed else []
    assert main(["background", str(saved_model / "frames"), "--model", model, "--output-dir",
                 str(saved_model / "out"), "-k", "5", *extra]) == 2
    message = _error(capsys, "background")
    assert message.startswith("-k/--components 5: ") and model in message and "holds 3 Gaussians" in message
    assert not (saved_model / "out").exists()


# ---------------------------------- 2. quantize's counts of colours with a thousands separator
def test_quantize_colour_counts_grouped(tmp_path, capsys):
    """Its lines wrote "has only 53562 distinct colours, fewer than the 65536 asked for" and
    "wrote kbig.png (53562 colours, ...)" beside "the file holds 3,250 colours" and "53,562
    distinct colours into 2,000" (k-means' note): every count is now grouped."""
    rgb = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "noise.png")
    found = len(np.unique(rgb.reshape(-1, 3), axis=0))
    assert found > 1000
    assert main(["quantize", str(tmp_path / "noise.png"), "-k", "4000", "-o", str(tmp_path / "q.png")]) == 0
    captured = capsys.readouterr()
    assert f"has only {found:,} distinct colours, fewer than the 4,000 asked for" in captured.err
    assert f"wrote {tmp_path / 'q.png'} ({found:,} colours," in captured.out


# ------------------------------------ 3. docs/command_line.md quotes background's one-frame line
def test_docs_quote_one_frame_summary(tmp_path, capsys):
    """The docs showed "1 frame (320 x 240) to out", a line the command stopped printing
    ("wrote the masks of 1 frame ..."): a user comparing found them different."""
    from pathlib import Path

    frame = np.full((240, 320, 3), 90, np.uint8)
    Image.fromarray(frame).save(tmp_path / "in000800.jpg")
    out = tmp_path / "out"
    assert main(["background", str(tmp_path / "in000800.jpg"), "--output-dir", str(out)]) == 0
    line = capsys.readouterr().out.strip().replace(str(out), "out")
    assert line == "wrote the masks of 1 frame (320 x 240) to out"
    docs = (Path(__file__).resolve().parents[1] / "docs" / "command_line.md").read_text(encoding="utf-8")
    assert f"\n{line}\n" in docs


# ------------------------------------ 4. a segmentation model given to skin apply / skin eval
@pytest.mark.parametrize("command", ["apply", "eval"])
def test_skin_commands_name_where_a_segmentation_model_goes(tmp_path, capsys, command):
    """``segment --model`` given a skin model names ``skin apply --model``; the other way round
    it said only "is a 'segmentation' model, not a skin model"."""
    from tests.test_cli_segment import _photo, _scribbles
    from segmix.io import save_labels

    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    save_labels(tmp_path / "s.png", _scribbles())
    assert main(["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "s.png"),
                 "-o", str(tmp_path / "m.png"), "--save-model", str(tmp_path / "seg.json")]) == 0
    capsys.readouterr()
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    Image.fromarray(rgb).save(tmp_path / "images" / "a.png")
    Image.fromarray(np.zeros(rgb.shape[:2], np.uint8)).save(tmp_path / "masks" / "a.png")
    run = (["skin", "apply", str(tmp_path / "images"), "--output-dir", str(tmp_path / "out")] if command == "apply"
           else ["skin", "eval", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks")])
    assert main([*run, "--model", str(tmp_path / "seg.json")]) == 2
    message = _error(capsys, f"skin {command}")
    assert message == (f"{tmp_path / 'seg.json'}: is a 'segmentation' model, not a skin model "
                       "(segmix segment --model applies segmentation models)")
    assert not (tmp_path / "out").exists()


# --------------------------- 5. README's library examples run on the install README gives
def test_readme_library_examples_need_no_extra():
    """README's skin example called ``with_options(DEFAULT_SETTINGS, faces=True, ...)``, which
    the install README gives first (``pip install .``, no OpenCV) ends in
    FaceDetectorUnavailable: a user running it verbatim got a traceback. Code in the Library
    section's examples may name an extra only in a comment."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Library"):readme.index("## Layout")]
    code = [line.split("#", 1)[0] for block in re.findall(r"```python\n(.*?)```", section, re.S)
            for line in block.splitlines()]
    assert code and not [line for line in code if "faces=True" in line]


# ------------------- 6. a click that relabels earlier marks: a fresh fit, as in the window
def test_point_marks_relabel_is_a_fresh_fit():
    """A foreground click outside the box (over the box's background) kept the box's step
    number on its disc: it joined the box's step, a chain the window never makes (the window
    refines its result only while marks are added, else fits every mark at once)."""
    from segmix.mark_order import count_steps
    from segmix.point_marks import add_point_marks

    empty = np.zeros((60, 80), np.uint8)
    labels, order = add_point_marks(empty, None, box=(20, 10, 60, 50), clicks=[(1, 40, 30), (2, 25, 15)])
    assert count_steps(order) == 3  # marks only added: one step each
    labels, order = add_point_marks(empty, None, box=(20, 10, 60, 50),
                                    clicks=[(1, 40, 30), (2, 25, 15), (1, 70, 30)])
    assert labels[30, 70] == 1 and set(np.unique(order)) == {0, 1}  # all at once from the relabelling click
    labels, order = add_point_marks(empty, None, box=(20, 10, 60, 50),
                                    clicks=[(1, 70, 30), (1, 40, 30)])
    assert count_steps(order) == 2 and order[30, 40] == 2  # after it, clicks are steps again
    # a click over one of the other label relabels too
    labels, order = add_point_marks(empty, None, clicks=[(1, 40, 30), (2, 42, 30)])
    assert set(np.unique(order)) == {0, 1}


def test_segment_click_outside_box_is_the_marks_at_once(tmp_path, capsys):
    from tests.test_cli_segment import _photo

    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    marks = ["--box", "12,8,44,33", "--click", "27,20", "--background-click", "5,5", "--click", "50,20"]
    for name, extra in (("steps.png", []), ("once.png", ["--at-once"])):
        assert main(["segment", str(tmp_path / "photo.png"), *marks, "-o", str(tmp_path / name), *extra]) == 0
    assert "replayed" not in capsys.readouterr().out
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "steps.png")),
                                  np.asarray(Image.open(tmp_path / "once.png")))


# ------------------------------------------------ 7. several photos given to the window
@pytest.mark.parametrize("prefix", [[], ["open"]])
def test_window_given_several_files_says_it_opens_one(tmp_path, capsys, prefix):
    """``segmix a.png b.png`` (as ``segmix background frames/*.png`` takes them) said only
    "unrecognized arguments: b.png"."""
    for name in ("a.png", "b.png"):
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / name)
    assert main([*prefix, str(tmp_path / "a.png"), str(tmp_path / "b.png")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert f"unrecognized arguments: {tmp_path / 'b.png'}; the window opens one photo, folder of frames or video" in err
