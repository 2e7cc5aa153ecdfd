"""A value starting with "-" reaches its option's own check (session 31).

`segmix segment photo.jpg --click -1,5` and `--max-megapixels -inf` were refused with argparse's
"argument --click: expected one argument": argparse took the value for an option (its pattern
of negative numbers knows only "-2" and "-0.1"), and the option's check, which says what is
wrong with the value, never ran.
"""

import argparse

import numpy as np
import pytest
from PIL import Image

from segmix.cli import build_parser, main


def _numeric_options():
    """(command words, option, nargs) for every option of every command that takes numbers or
    coordinates (a type check of segmix's: not a file name, not a choice)."""
    found = []

    def walk(parser, words):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*words, name])
            elif (action.option_strings and action.type not in (None, str, str.lower) and action.choices is None
                  and action.nargs != 0):
                found.append((tuple(words), max(action.option_strings, key=len), action.nargs))

    walk(build_parser(), [])
    return found


NUMERIC = _numeric_options()


def test_the_table_holds_the_options_of_the_fault():
    options = {(words, option) for words, option, _ in NUMERIC}
    assert {(("segment",), "--click"), (("segment",), "--background-click"), (("segment",), "--box"),
            (("segment",), "--max-megapixels"), (("open",), "--max-megapixels"), (("quantize",), "--colors"),
            (("skin", "apply"), "--threshold"), (("background",), "--learning-rate"),
            (("background",), "--roi")} <= options
    assert len(NUMERIC) > 40


@pytest.mark.parametrize("value", ["-inf", "-1,5", "-1e3", "-abc", "-NaN"])
@pytest.mark.parametrize("words, option, nargs", NUMERIC, ids=[f"{' '.join(w)} {o}" for w, o, _ in NUMERIC])
def test_a_value_starting_with_a_minus_is_refused_by_its_options_own_check(capsys, words, option, nargs, value):
    values = [value, "5"] if nargs == 2 else [value]
    if nargs == 2 and value == "-abc":
        # Two values (--roi FIRST LAST): only words that read as numbers are taken as values;
        # a word like -abc is argparse's, still one line naming the option.
        assert main([*words, option, *values]) == 2
        lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert len(lines) == 1 and f"argument {option}: expected 2 arguments" in lines[0], lines
        return
    assert main([*words, option, *values]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "expected one argument" not in lines[0] and "expected 2 arguments" not in lines[0], lines[0]
    assert f"error: argument {option}" in lines[0].replace("-k/", "").replace("-o/", "") and "must be" in lines[0]
    assert value in lines[0], lines[0]  # the value the user gave, named


def test_the_faults_command_lines_name_the_option_and_what_is_wrong(tmp_path, capsys):
    photo = tmp_path / "photo.png"
    Image.fromarray(np.full((40, 60, 3), 120, np.uint8)).save(photo)
    out = tmp_path / "m.png"
    assert main(["segment", str(photo), "--click", "-1,5", "-o", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (
        "segmix segment: error: argument --click: must be X,Y with X and Y >= -0.5 (from the top-left corner; a "
        "decimal goes to the nearest pixel), got '-1,5' (see segmix segment --help)")
    assert main(["segment", str(photo), "--max-megapixels", "-inf", "--click", "3,4", "-o", str(out)]) == 2
    assert "argument --max-megapixels: must be a number of megapixels > 0 and at most 10,000, got -inf" in \
        capsys.readouterr().err
    # The window's command line too (`segmix photo.png --max-megapixels -inf`).
    assert main([str(photo), "--max-megapixels", "-inf"]) == 2
    assert "segmix: error: argument --max-megapixels: must be" in capsys.readouterr().err
    # A box partly outside the photo is the box's own matter (clipped), one wholly outside is named.
    assert main(["segment", str(photo), "--box", "-50,-20,-10,-5", "-o", str(out)]) == 2
    assert "--box -50,-20,-10,-5: the box holds no pixel of the 60 x 40 photo" in capsys.readouterr().err
    assert not out.exists()


def test_an_option_after_a_numeric_option_is_still_an_option(capsys):
    # A missing value stays argparse's refusal: the next word is an option of the command.
    for argv in (["segment", "p.png", "--click", "-o", "m.png"],
                 ["segment", "p.png", "-k", "--seed", "3"],
                 ["segment", "p.png", "--click", "--background-click", "3,4"],
                 ["segment", "p.png", "--click", "--backg", "3,4"]):
        assert main(argv) == 2
        assert "expected one argument" in capsys.readouterr().err
    # Values after "--" and ordinary values are untouched.
    args = build_parser().parse_args(["segment", "p.png", "--click", "3,4", "--background-click", "5,6", "-k", "3",
                                      "-o", "m.png"])
    assert args.clicks == [(1, 3, 4, "--click"), (2, 5, 6, "--background-click")] and args.components == 3
    args = build_parser().parse_args(["background", "--roi", "2", "9", "--", "-frames"])
    assert args.roi == [2, 9] and args.inputs == ["-frames"]


def test_the_windows_options_without_open_are_named_as_typed(capsys):
    # `segmix photo.jpg --max-megapixels -inf` said "segmix open: error:", a command the user
    # never typed (the final new-user check); `segmix open ...` keeps its own name.
    for argv, prefix in ((["photo.jpg", "--max-megapixels", "-inf"], "segmix: error: argument --max-megapixels"),
                         (["--max-megapixels", "-3", "photo.jpg"], "segmix: error: argument --max-megapixels"),
                         (["open", "photo.jpg", "--max-megapixels", "-inf"],
                          "segmix open: error: argument --max-megapixels")):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(prefix) and err.endswith("(see segmix open --help)") and "\n" not in err, err
