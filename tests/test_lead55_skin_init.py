"""skin train --init: a model that barely moved is said, and the initial model is an input
(a re-check of session 55's new option)."""

from segmix.cli import main
from tests.test_skin_init import _write_scenes


def _train(data, out, *options):
    return main(["skin", "train", "--images", str(data / "images"), "--masks", str(data / "masks"),
                 "-o", str(out), "--quiet", *options])


def test_an_adaptation_that_barely_moved_the_model_is_a_warning(tmp_path, capsys):
    # 48,000 skin pixels against the default relevance (1e6) moved the skin Gaussians 5 % at
    # most, and the model missed the skin of a photo it was trained on, with only a note.
    data = tmp_path / "set"
    _write_scenes(data)
    out = tmp_path / "m.json"
    assert _train(data, out, "--init", "builtin") == 0
    err = capsys.readouterr().err
    assert f"warning: {out}: the labelled photos moved the skin Gaussians at most" in err, err
    assert "a smaller --relevance" in err
    # Enough weight for the labelled pixels: no such warning.
    assert _train(data, tmp_path / "m2.json", "--init", "builtin", "--relevance", "100") == 0
    assert "moved the skin Gaussians at most" not in capsys.readouterr().err


def test_the_initial_model_file_is_not_written_over(tmp_path, capsys):
    data = tmp_path / "set"
    _write_scenes(data)
    first = tmp_path / "m.json"
    assert _train(data, first, "--init", "builtin", "--relevance", "100") == 0
    before = first.read_bytes()
    capsys.readouterr()
    assert _train(data, first, "--init", str(first), "--relevance", "100") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "m.json" in err, err
    assert first.read_bytes() == before
