"""Trial 39: a new user ran the commands the documentation shows and compared what came out.

docs/command_line.md quoted `segmix quantize 000.jpg -k 8 ...` on DAVIS frame 000 as printing
"mean squared error 93.40" and "the file holds 3,250 colours" (115.75 as saved); since session
38's k-means++ seeding the command prints 93.37, 2,341 and 114.68. The quoted sessions
(`$ segmix ...` lines in a plain fenced block, each followed by what it prints) are run here on
the data they name, when that data is on the machine, and must print what the page says.
"""
from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from segmix.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
if not DATA.is_dir():
    DATA = Path("/work/shared/data")
HIGHWAY = DATA / "background" / "highway" / "input"

# The inputs the quoted sessions name, made from the shared data sets.
INPUTS = {
    "000.jpg": lambda dest: shutil.copy(DATA / "interactive" / "davis" / "images" / "000.jpg", dest),
    "highway/input/in000800.jpg": lambda dest: shutil.copy(HIGHWAY / "in000800.jpg", dest),
    "five_frames/": lambda dest: [shutil.copy(HIGHWAY / f"in00080{i}.jpg", Path(dest) / f"in00080{i}.jpg")
                                  for i in range(5)],
}


def _sessions(page: Path) -> list[list[tuple[list[str], list[str]]]]:
    """The fenced blocks of ``page`` made of ``$ segmix ...`` commands and the lines each prints."""
    blocks = re.findall(r"^```\n(.*?)^```", page.read_text(encoding="utf-8"), re.S | re.M)
    sessions = []
    for block in blocks:
        lines = block.splitlines()
        if not lines or not lines[0].startswith("$ segmix "):
            continue
        runs: list[tuple[list[str], list[str]]] = []
        for line in lines:
            if line.startswith("$ "):
                runs.append((shlex.split(line[2:])[1:], []))
            else:
                runs[-1][1].append(line)
        sessions.append(runs)
    return sessions


def _runnable(args: list[str]) -> list[str]:
    return [a for a in args if a in INPUTS]


SESSIONS = [s for s in _sessions(ROOT / "docs" / "command_line.md")
            if all(_runnable(args) for args, _ in s)]


def test_the_page_quotes_runnable_sessions():
    """The quantize and background sessions are found (a change of the page's layout would
    otherwise leave this file testing nothing)."""
    commands = {args[0] for session in SESSIONS for args, _ in session}
    assert {"quantize", "background"} <= commands


@pytest.mark.parametrize("session", SESSIONS, ids=lambda s: " / ".join(" ".join(a) for a, _ in s)[:60])
def test_quoted_session_prints_what_the_page_says(session, tmp_path, monkeypatch, capsys):
    needed = {name for args, _ in session for name in _runnable(args)}
    for name in needed:
        source = {"000.jpg": DATA / "interactive" / "davis" / "images" / "000.jpg"}.get(name, HIGHWAY)
        if not source.exists():
            pytest.skip(f"{source} is not on this machine")
    monkeypatch.chdir(tmp_path)
    for name in needed:
        dest = tmp_path / name
        if name.endswith("/"):
            dest.mkdir(parents=True)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
        INPUTS[name](dest)
    for args, quoted in session:
        main(args)
        captured = capsys.readouterr()
        printed = [line for line in captured.err.splitlines() + captured.out.splitlines()
                   if not line.startswith("segmix: compiling")]
        assert sorted(printed) == sorted(quoted), (args, printed)


# ------------------------------------ marks saved by segment --save-scribbles, given with another photo
def _two_colour(height: int, width: int):
    import numpy as np

    image = np.zeros((height, width, 3), np.uint8)
    image[...] = (40, 90, 200)
    image[height // 4: 3 * height // 4, width // 4: 3 * width // 4] = (220, 120, 30)
    return image


def test_saved_marks_of_another_size_are_called_marks(tmp_path, capsys):
    """README: `--save-scribbles` marks "can be opened in the window ... and `--scribbles L.png`
    gives the same mask again". Given with a photo of another size (or an EXIF-turned copy of
    the photo), the file, which carries segment's mark so that a rerun may replace it, was
    refused as "is a mask written by segmix segment, not scribbles"; the size is the fault."""
    from PIL import Image

    from tests.test_cli_trial27 import _error

    Image.fromarray(_two_colour(40, 60)).save(tmp_path / "photo.png")
    Image.fromarray(_two_colour(60, 40)).save(tmp_path / "other.png")
    assert main(["segment", str(tmp_path / "photo.png"), "--click", "30,20", "--background-click", "3,3",
                 "-o", str(tmp_path / "m.png"), "--save-scribbles", str(tmp_path / "marks.png")]) == 0
    capsys.readouterr()
    assert main(["segment", str(tmp_path / "other.png"), "--scribbles", str(tmp_path / "marks.png"),
                 "-o", str(tmp_path / "m2.png")]) == 2
    message = _error(capsys, "segment")
    assert "not scribbles" not in message and "written by segmix segment" not in message, message
    assert message.startswith(f"{tmp_path / 'marks.png'}: scribbles are 60 x 40 pixels but the image is 40 x 60"), message
    # A mask segment wrote, given as scribbles, is still named as one.
    assert main(["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "m.png"),
                 "-o", str(tmp_path / "m3.png")]) == 2
    assert "is a mask written by segmix segment, not scribbles" in _error(capsys, "segment")


# ------------------------------------ every option --help gives is named in README
def _options(parser, name="segmix"):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, sub_parser in action.choices.items():
                yield from _options(sub_parser, f"{name} {sub}")
        else:
            for option in action.option_strings:
                if option.startswith("--") and option not in ("--help", "--version"):
                    yield name, option


def test_readme_names_every_option_of_every_command():
    """README's skin train paragraph listed its options but not --reg-covar, which --help
    gives (and docs/skin.md's synopses left out seven of skin apply's options)."""
    from segmix.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = []
    for command, option in _options(build_parser()):
        word = option[len("--no-"):] if option.startswith("--no-") else option[2:]
        if f"--{word}" not in readme and f"--[no-]{word}" not in readme:
            missing.append(f"{command} {option}")
    assert not missing, missing


# ------------------------------------ README's first steps: the sample photo's first click
@pytest.mark.parametrize("click, inside, outside", [
    ("113,431", [(113, 431)], [(320, 320), (340, 300)]),   # shaded suit left of the straps: that side alone
    ("301,261", [(320, 320)], [(80, 330), (113, 431)]),    # the collar ring's rim: the shaded sleeve left out
    ("320,320", [(80, 330), (113, 431), (340, 300)], []),  # the lit chest: most of the suit
    ("250,300", [(320, 320), (150, 330)], [(80, 330), (110, 330)]),  # the straps: cut half-way to the edge
])
def test_readme_first_click_cases_on_the_sample_photo(tmp_path, capsys, click, inside, outside):
    """README said "a click on the lit chest leaves out the shaded sleeve"; a click on the lit
    chest (320, 320) gives most of the suit, sleeve included: the case measured (301, 261) is
    on the collar ring's dark rim. README now names the three cases this checks."""
    import numpy as np
    from PIL import Image

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split()).lower()  # as read, not as wrapped
    # session 45: README gives each case's click
    assert "a click on the collar ring's rim (`301,261`) leaves out the shaded sleeve" in readme
    assert "a click on the lit chest (`--click 320,320`) gives most of the suit" in readme
    assert "a click on the shaded suit left of the white straps (`113,431`) gives that side alone" in readme
    assert ("one on the straps (`250,300`) cuts the suit along a straight line half-way to the photo's left edge"
            in readme)
    photo = ROOT / "sample_images" / "astronaut.png"
    assert main(["segment", str(photo), "--click", click, "-o", str(tmp_path / "m.png"), "--quiet"]) == 0
    mask = np.asarray(Image.open(tmp_path / "m.png")) > 0
    assert all(mask[y, x] for x, y in inside), click
    assert not any(mask[y, x] for x, y in outside), click
