"""Faults a new user (session 36) found following README.

1. ``segmix background highway --groundtruth highway/groundtruth`` (a CDnet sequence given
   by its own folder, ``ROI.bmp`` beside ``input/``) read ``ROI.bmp`` as its one frame and
   was refused with advice to give ``--groundtruth-offset N``, which cannot help; the same
   run without ``--groundtruth`` named the ``input`` subfolder. The refusal names it now.
"""

import numpy as np

from segmix.cli import main


def _cdnet_folder(root, frames=6):
    """A CDnet-like sequence folder: ROI.bmp, temporalROI.txt, input/, groundtruth/."""
    from PIL import Image

    sequence = root / "highway"
    (sequence / "input").mkdir(parents=True)
    (sequence / "groundtruth").mkdir()
    rng = np.random.default_rng(0)
    for t in range(1, frames + 1):
        Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(sequence / "input" / f"in{t:06d}.png")
        truth = np.zeros((24, 32), np.uint8)
        truth[5:10, 5:10] = 255
        Image.fromarray(truth).save(sequence / "groundtruth" / f"gt{t:06d}.png")
    Image.fromarray(np.full((24, 32), 255, np.uint8)).save(sequence / "ROI.bmp")
    (sequence / "temporalROI.txt").write_text(f"3 {frames}\n")
    return sequence


def test_a_sequence_s_own_folder_with_groundtruth_names_the_subfolder_not_an_offset(tmp_path, capsys):
    sequence = _cdnet_folder(tmp_path)
    assert main(["background", str(sequence), "--groundtruth", str(sequence / "groundtruth")]) == 2
    err = capsys.readouterr().err
    assert f"its subfolder input holds 6 frames: give {sequence / 'input'}" in err, err
    assert "ROI.bmp" in err and "--groundtruth-offset" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    # Given the subfolder, the same ground truth scores.
    assert main(["background", str(sequence / "input"), "--groundtruth", str(sequence / "groundtruth")]) == 0
    assert "scored 4 frames" in capsys.readouterr().out
