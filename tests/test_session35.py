"""Faults met in session 35 (its own work beside the trials), each a test.

1. A word that starts with "-" and reads as a file name but names no file
   (``segmix -missing.png``) was told only "unrecognized arguments: -missing.png", or of a
   command "the following arguments are required: image": the line now says it is no option
   and that no such file exists. Options and negative numbers keep argparse's words.
"""

import pytest

from segmix.cli import main


@pytest.mark.parametrize("argv, prefix", [
    (["-missing.png"], "segmix: error: unrecognized arguments: -missing.png"),
    (["segment", "-missing.png", "-o", "m.png", "--click", "1,1"], "segmix segment: error: "),
    (["skin", "apply", "-gone/photo.jpg", "-o", "out"], "segmix skin apply: error: "),
    (["quantize", "-photo.tiff", "-k", "4", "-o", "q.png"], "segmix quantize: error: "),
])
def test_missing_dash_file_is_named(argv, prefix, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    word = next(w for w in argv if w.startswith("-") and ("." in w or "/" in w))
    assert err.startswith(prefix) and f"{word} is no option, and no file of that name exists" in err, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [["-k8"], ["--thresh=0.5"], ["segment", "-0.5"]])
def test_option_like_words_keep_argparse_line(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "no file of that name" not in err and len(err.strip().splitlines()) == 1, err
