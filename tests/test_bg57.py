"""Session 57's background trial: frames of two sizes with ground truth of one of them."""
import numpy as np
from PIL import Image

from segmix.cli import main


def _frame(t, size):
    w, h = size
    frame = np.full((h, w, 3), (90, 110, 70), np.uint8)
    x = (2 * t) % (w // 2)
    frame[h // 4:h // 2, x:x + w // 8] = (250, 40, 40)
    return frame


def test_ground_truths_size_is_chosen_among_frames_of_two_sizes(tmp_path, capsys):
    # The trial: 151 frames at 640 x 480 after 150 at 320 x 240, ground truth at 320 x 240:
    # the majority's size was taken, exit 2 "ground-truth masks are 320 x 240 pixels but the
    # frame is 640 x 480", no mask written.
    frames, truth, out = tmp_path / "in", tmp_path / "gt", tmp_path / "out"
    frames.mkdir()
    truth.mkdir()
    small, large = (32, 24), (64, 48)
    for t in range(1, 12):
        size = small if t <= 5 else large
        Image.fromarray(_frame(t, size)).save(frames / f"in{t:06d}.png")
        gt = np.zeros(small[::-1], np.uint8)
        gt[6:12, (2 * t) % 16:(2 * t) % 16 + 4] = 255
        Image.fromarray(gt).save(truth / f"gt{t:06d}.png")
    status = main(["background", str(frames), "--output-dir", str(out), "--groundtruth", str(truth)])
    said = capsys.readouterr()
    err = said.err
    assert "F-measure" in said.out + err
    assert status == 1, err  # frames skipped, as without --groundtruth
    assert sorted(p.name for p in out.iterdir()) == [f"in{t:06d}.png" for t in range(1, 6)]
    assert "the ground truth's size" in err and "6 of other sizes are skipped" in err, err
    # Without ground truth the majority's size is kept (the trial found that fine).
    main(["background", str(frames), "--output-dir", str(tmp_path / "out2"), "--quiet"])
    assert len(list((tmp_path / "out2").iterdir())) == 6
