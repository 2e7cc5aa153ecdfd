"""Faults a new-user trial (session 28) found in the command line's words:

1. ``segment photo.jpg --scribbles s.png -o photo.jpg`` said only "unsupported extension for
   --output; use .png": the output is the input photo, which is said first (as every other
   output that is an input is refused), and the option is named ``-o/--output`` as elsewhere.
2. ``background frames --model junk.json`` (a JSON object without a 'format' field) said "not a
   segmix background model (format None)": a loader's refusal says what the file holds ("it
   has no 'format' field", "its 'kind' is null"), never Python's None.
"""

import json

import numpy as np
import pytest
from PIL import Image

from segmix import modelfile
from segmix.background import BackgroundMixture, BackgroundModelError
from segmix.cli import main


@pytest.fixture
def photo_and_marks(tmp_path):
    photo = tmp_path / "photo.jpg"
    Image.fromarray(np.full((16, 16, 3), 90, np.uint8)).save(photo)
    marks = np.zeros((16, 16), np.uint8)
    marks[2:5, 2:5], marks[10:13, 10:13] = 1, 2
    Image.fromarray(marks).save(tmp_path / "s.png")
    return photo, tmp_path / "s.png"


@pytest.mark.parametrize("option", ["-o", "--cutout"])
def test_an_output_that_is_the_input_photo_is_said_before_its_extension(photo_and_marks, capsys, option):
    photo, marks = photo_and_marks
    before = photo.read_bytes()
    args = ["segment", str(photo), "--scribbles", str(marks)]
    args += ["-o", str(photo)] if option == "-o" else ["-o", str(photo.with_name("m.png")), "--cutout", str(photo)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    named = "-o/--output" if option == "-o" else "--cutout"
    assert f"{named} {photo}: refusing to overwrite the input file" in err
    assert "extension" not in err and photo.read_bytes() == before


def test_an_unsupported_extension_names_the_option_as_the_other_messages_do(photo_and_marks, capsys):
    photo, marks = photo_and_marks
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(photo.with_name("m.jpg"))]) == 2
    # (and, since session 54, why masks are PNG: "use .png" alone read as arbitrary)
    assert "unsupported extension for -o/--output; use .png (masks are 8-bit greyscale PNG" in capsys.readouterr().err


@pytest.mark.parametrize("content, words", [({"a": 1}, "it has no 'format' field"),
                                            ({"format": None}, "its 'format' is null"),
                                            ({"format": "segmix-background-model"}, "it has no 'version' field")])
def test_a_json_that_is_no_background_model_says_what_it_holds(tmp_path, capsys, content, words):
    frames = tmp_path / "frames"
    frames.mkdir()
    for t in range(3):
        Image.fromarray(np.full((8, 8, 3), 90 + t, np.uint8)).save(frames / f"f{t}.png")
    junk = tmp_path / "junk.json"
    junk.write_text(json.dumps(content))
    assert main(["background", str(frames), "--model", str(junk), "--output-dir", str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert words in err and "None" not in err
    with pytest.raises(BackgroundModelError, match=words):
        BackgroundMixture.from_dict(content)


@pytest.mark.parametrize("content, words", [({"version": 1}, "it has no 'format' field"),
                                            ({"format": "segmix-model", "version": 1, "kind": None},
                                             "its 'kind' is null")])
def test_a_json_that_is_no_segmix_model_says_what_it_holds(content, words):
    with pytest.raises(ValueError) as caught:
        modelfile.model_from_dict(content)
    assert words in str(caught.value) and "None" not in str(caught.value)


def test_json_words_spell_values_as_the_file_does():
    assert modelfile.json_words(None) == "null" and modelfile.json_words(True) == "true"
    assert modelfile.json_words("x") == '"x"' and modelfile.json_words("y" * 100).endswith("…")
