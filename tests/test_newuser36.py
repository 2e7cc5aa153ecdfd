"""Faults a new user (session 36) found following README.

1. ``segmix background highway --groundtruth highway/groundtruth`` (a CDnet sequence given
   by its own folder, ``ROI.bmp`` beside ``input/``) read ``ROI.bmp`` as its one frame and
   was refused with advice to give ``--groundtruth-offset N``, which cannot help; the same
   run without ``--groundtruth`` named the ``input`` subfolder. The refusal names it now.
2. ``segmix background frames clip.mp4 --output-dir out/ --distributed`` wrote the folder
   ``frames`` to ``out/<its parent's name>/`` (documented: a generic name takes its parent's),
   but the summary said only "2 sequences to out/": the user looked for ``out/frames``. A
   note now says where each such folder went.
3. ``segmix background frames --groundtruth masks`` with ``masks`` an earlier run's output
   skipped every mask holding a shadow (127), one line each, as "resized with interpolation
   or lossily compressed?", and scored the rest against themselves: F-measure 1.0000. Ground
   truth carrying a segmix mark is refused in one line, as ``skin eval`` names its own masks.
"""

import numpy as np
import pytest

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


def test_distributed_background_says_where_a_generic_folder_name_went(tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed")
    from PIL import Image

    for folder in ("trial/frames", "cam1"):
        (tmp_path / folder).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(np.full((8, 8, 3), 40 + i, np.uint8)).save(tmp_path / folder / f"f{i}.png")
    monkeypatch.chdir(tmp_path)
    assert main(["background", "trial/frames", "cam1", "--output-dir", "masks", "--distributed",
                 "--n-workers", "1"]) == 0
    captured = capsys.readouterr()
    assert "trial/frames/ -> masks/trial/" in captured.err, captured.err
    assert "cam1/ ->" not in captured.err  # named as given: nothing to say
    assert len(list((tmp_path / "masks" / "trial").glob("*.png"))) == 3
    # --quiet drops the note, as it drops the other notes.
    assert main(["background", "trial/frames", "--output-dir", "masks", "--distributed", "--n-workers", "1",
                 "--quiet"]) == 0
    assert "->" not in capsys.readouterr().err


def test_background_refuses_its_own_masks_as_ground_truth(tmp_path, capsys):
    sequence = _cdnet_folder(tmp_path)
    masks = tmp_path / "masks"
    assert main(["background", str(sequence / "input"), "--output-dir", str(masks), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["background", str(sequence / "input"), "--groundtruth", str(masks)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "in000001.png (and 5 more of its 6 images) is a mask segmix background wrote" in lines[0], lines[0]
    assert "not ground truth" in lines[0] and "F-measure" not in captured.out


def test_ground_truth_cut_out_with_segment_s_mark_is_still_scored(tmp_path, capsys):
    """Ground truth a user made in Segment mode carries segment's mark: it is no model output."""
    from PIL import Image

    from segmix.io import save_marked_png

    sequence = _cdnet_folder(tmp_path)
    truth = tmp_path / "truth"
    truth.mkdir()
    for t in range(3, 7):
        save_marked_png(truth / f"gt{t:06d}.png", np.asarray(Image.open(sequence / "groundtruth" / f"gt{t:06d}.png")),
                        "segment")
    assert main(["background", str(sequence / "input"), "--groundtruth", str(truth)]) == 0
    assert "scored 4 frames" in capsys.readouterr().out
