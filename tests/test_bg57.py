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


def _kind_folder(folder, grey_every=5, n=16, colour_folder=True):
    folder.mkdir()
    for t in range(n):
        frame = _frame(t, (32, 24))
        odd = t % grey_every == 0
        image = Image.fromarray(frame)
        if odd == colour_folder:
            image = image.convert("L")
        image.save(folder / f"in{t + 1:06d}.png")


def test_greyscale_frames_among_colour_are_used_as_the_same_scene(tmp_path, capsys):
    # The trial: every 50th frame grey (a day / night camera's infrared frames), the first one
    # too: "7 frames skipped (greyscale among colour)", exit 1.
    for name, colour_folder in (("grey_in_colour", True), ("colour_in_grey", False)):
        frames, out = tmp_path / name, tmp_path / f"out_{name}"
        _kind_folder(frames, colour_folder=colour_folder)
        status = main(["background", str(frames), "--output-dir", str(out)])
        err = capsys.readouterr().err
        assert status == 0, err
        assert len(list(out.iterdir())) == 16
        assert "skipped" not in err and err.count("(said once)") <= 2, err
        masks = [np.array(Image.open(out / f"in{t + 1:06d}.png")) for t in range(16)]
        for t in range(6, 16):  # the odd frames too: only the square moving, no frame-wide foreground
            assert np.mean(masks[t] == 255) < 0.2, (name, t, np.mean(masks[t] == 255))


def test_a_grey_frame_is_compared_with_the_backgrounds_grey_and_not_learnt():
    import warnings

    from segmix.background import BackgroundMixture, FrameKindWarning

    model = BackgroundMixture()
    scene = np.random.default_rng(3).integers(30, 220, (24, 32, 3)).astype(np.uint8)
    for _ in range(20):
        model.apply(scene)
    before = model._means.copy()
    grey = np.array(Image.fromarray(scene).convert("L"))
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        mask = model.apply(grey)
        model.apply(grey)
    assert np.mean(mask == 255) < 0.01
    assert np.array_equal(model._means, before)
    assert sum(issubclass(w.category, FrameKindWarning) for w in said) == 1
