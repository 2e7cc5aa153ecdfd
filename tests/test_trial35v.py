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
