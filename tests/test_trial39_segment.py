"""Faults of the command line found in session 39's trial of the interactive segmentation
(helper segwin): a user coming from GIMP's foreground select, ilastik and grabCut scripts."""

import json

from segmix.cli import main
from tests.test_trial37_segment import _two_halves


def test_the_window_given_a_photo_and_its_marks_says_where_the_marks_load(tmp_path, capsys, monkeypatch):
    """`segmix photo.png photo_scribbles.png` (the two files a user drops on the window together)
    was told "the window opens one photo, folder of frames or video: give their folder to play
    frames (segmix FOLDER), or one photo at a time": advice for a second photo, not for marks."""
    monkeypatch.setenv("DISPLAY", ":0")  # refused before the window: no display is used
    photo = tmp_path / "photo.png"
    _two_halves(photo)
    marks = tmp_path / "photo_scribbles.png"
    assert main(["segment", str(photo), "--click", "10,30", "--background-click", "70,30", "-o",
                 str(tmp_path / "m.png"), "--save-scribbles", str(marks), "--save-model", str(tmp_path / "m.json"),
                 "--quiet"]) == 0
    capsys.readouterr()
    assert main([str(photo), str(marks)]) == 2
    err = capsys.readouterr().err
    assert ("the window opens one photo: load photo_scribbles.png with File > Load Scribbles once the photo is open "
            "(or drop the photo and it on the window together)") in err, err
    assert "play frames" not in err
    assert main([str(photo), str(tmp_path / "m.json"), str(marks)]) == 2
    err = capsys.readouterr().err
    assert ("load m.json with File > Load Model; load photo_scribbles.png with File > Load Scribbles once the photo "
            "is open (or drop the photo and them on the window together)") in err, err
    # A skin model names Skin mode's menu; a second photo keeps the words for photos.
    skin = tmp_path / "skin.json"
    skin.write_text(json.dumps({"format": "segmix-model", "kind": "skin"}))
    assert main([str(photo), str(skin)]) == 2
    assert "load skin.json with Skin > Load Skin Model once the photo is open" in capsys.readouterr().err
    assert main([str(photo), str(photo)]) == 2
    assert "give their folder to play frames (segmix FOLDER), or one photo at a time" in capsys.readouterr().err
