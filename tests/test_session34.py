"""Faults met in session 34 (its own work beside the trials), each a test.

1. ``skin eval`` on folders none of whose pairs could be used named only the first pair's
   reason ("none of the 3 photo / mask pairs could be used; first: ..."), so a user fixed one
   mask per run; ``skin apply`` and ``skin train`` list every input. Every pair is now listed,
   one "skipped" line each as when some are scored, then the refusal (exit 2).
"""

import types

import numpy as np
from synthetic_photos import photo_mask_folders
import pytest
from PIL import Image

from segmix import skin
from segmix.cli import main
from segmix.skin_eval import evaluate_folder




def test_skin_eval_lists_every_unusable_pair(tmp_path, capsys):
    ignored = np.full((20, 24), 128, np.uint8)
    images, masks = photo_mask_folders(tmp_path, [ignored, b"junk", np.zeros((7, 7), np.uint8)])
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4, err
    assert "p0.png: every pixel is 128" in err[0] and err[0].startswith("segmix skin eval: skipped ")
    assert "p1.png" in err[1] and "text file" in err[1]
    assert "p2.png" in err[2]
    assert err[3] == "segmix skin eval: error: none of the 3 photo / mask pairs could be used; nothing scored"


def test_skin_eval_library_error_holds_every_line(tmp_path):
    ignored = np.full((20, 24), 128, np.uint8)
    images, masks = photo_mask_folders(tmp_path, [ignored, ignored])
    with pytest.raises(skin.UnusablePairs, match="none of the 2 photo / mask pairs could be used; first: ") as info:
        evaluate_folder(skin.load_skin_model(), images, masks)
    assert isinstance(info.value, ValueError) and len(info.value.lines) == 2
    assert all("every pixel is 128" in line for line in info.value.lines)


def test_skin_eval_one_unusable_pair_is_its_line(tmp_path, capsys):
    images, masks = photo_mask_folders(tmp_path, [b"junk"])
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "p0.png" in err[0] and "text file" in err[0], err


# 2. The click disc (and the window's default brush, which follows it) on strips and
#    panoramas: the diagonal is their length, and a 3000 x 120 strip's disc was 15 px
#    (a trial: the brush 61 px, half the strip's height).

from segmix.clicks import CLICK_RADIUS, click_radius  # noqa: E402


@pytest.mark.parametrize("shape, radius", [((120, 3000), 5.0), ((3000, 120), 5.0), ((400, 6000), 400 / 48),
                                           ((8, 8), 1.0)])  # under 40 px across: an eighth of the side (session 44)
def test_the_click_disc_of_a_strip_keeps_to_its_short_side(shape, radius):
    assert click_radius(shape) == pytest.approx(radius)


@pytest.mark.parametrize("shape", [(480, 854), (960, 1708), (3000, 4000), (1080, 1920), (1080, 2560), (6000, 4000)])
def test_photos_of_ordinary_shape_keep_the_diagonal_rule(shape):
    import math

    assert click_radius(shape) == pytest.approx(CLICK_RADIUS * max(1.0, math.hypot(*shape) / math.hypot(480, 854)))


# 3. An interrupted `background --distributed` run said "segmix: interrupted" alone: which
#    sequences were written whole was left to look up in OUT.

import contextlib  # noqa: E402

from segmix.distributed import background_jobs, cluster  # noqa: E402


def _frames(folder, n=3):
    folder.mkdir(parents=True)
    for i in range(n):
        Image.fromarray(np.full((6, 8, 3), 40 * i, np.uint8)).save(folder / f"f{i:03d}.png")


@pytest.mark.parametrize("address, tail", [(None, ""), ("tcp://127.0.0.1:8786", "; what the scheduler's workers")])
def test_an_interrupted_distributed_background_run_says_which_sequences_are_whole(tmp_path, monkeypatch, capsys,
                                                                                 address, tail):
    for name in ("camA", "camB", "camC"):
        _frames(tmp_path / name)
    out = tmp_path / "out"

    def fake_run_tasks(client, function, job, batches, **kwargs):
        (out / "camA").mkdir(parents=True)  # one sequence finished: renamed into place with its record
        (out / "camA" / background_jobs.RECORD).write_text("{}")
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def fake_connect(*args, **kwargs):
        yield types.SimpleNamespace(segmix_tasks_submitted=True)  # a client whose tasks were submitted

    monkeypatch.setattr(background_jobs, "run_tasks", fake_run_tasks)
    monkeypatch.setattr(cluster, "connect", fake_connect)
    argv = ["background", *(str(tmp_path / n) for n in ("camA", "camB", "camC")), "--output-dir", str(out),
            "--distributed"] + ([address] if address else ["--n-workers", "1"])
    assert main(argv) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(f"segmix: interrupted; 1 of 3 sequences were written whole when it came ({out / 'camA'}); "
                           + ("tasks under way then may still finish; a rerun does only what is missing" if not tail
                              else tail[2:])), last
    assert last.count("a rerun does only what is missing") == 1, last  # said twice with an address (session 38)


def test_a_record_there_before_the_run_is_not_counted(tmp_path, monkeypatch):
    _frames(tmp_path / "camA")
    out = tmp_path / "out"
    (out / "camA").mkdir(parents=True)
    (out / "camA" / background_jobs.RECORD).write_text("{}")  # an earlier run's, untouched

    def fake_run_tasks(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(background_jobs, "run_tasks", fake_run_tasks)
    with pytest.raises(KeyboardInterrupt, match="^0 of 1 sequence was written whole when it came; tasks under way"):
        background_jobs.run_background(object(), [str(tmp_path / "camA")], str(out), overrides={})


def test_an_interrupted_distributed_skin_apply_says_how_many_photos_are_written(tmp_path, monkeypatch, capsys):
    from segmix.distributed import skin_jobs

    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(3):
        Image.fromarray(np.full((6, 8, 3), 60 * i, np.uint8)).save(photos / f"p{i}.png")
    out = tmp_path / "out"

    def fake_run_tasks(client, function, job, batches, **kwargs):
        records = out / skin_jobs.PHOTO_RECORDS
        records.mkdir(parents=True, exist_ok=True)
        (records / "p0.json").write_text("{}")  # one photo done: its record follows its outputs
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def fake_connect(*args, **kwargs):
        yield object()

    monkeypatch.setattr(skin_jobs, "run_tasks", fake_run_tasks)
    monkeypatch.setattr(skin_jobs, "_total_threads", lambda client: 1)
    monkeypatch.setattr(cluster, "connect", fake_connect)
    assert main(["skin", "apply", str(photos), "--output-dir", str(out), "--distributed", "--n-workers", "1"]) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == ("segmix: interrupted; the masks of 1 of 3 photos to do were written when it came; "
                    "tasks under way then may still finish; a rerun does only what is missing"), last


# 4. A mask given as a photo: `skin apply` on a folder of masks warned "greyscale photo" for
#    each and exited 0 without saying that they look like masks (trial V).

from segmix.skin import looks_like_a_mask  # noqa: E402


def test_looks_like_a_mask():
    mask = np.zeros((10, 12), np.uint8)
    mask[:5] = 255
    assert looks_like_a_mask(mask) and looks_like_a_mask(np.dstack([mask] * 3))
    mask[0, 0] = 128
    assert looks_like_a_mask(mask)
    assert not looks_like_a_mask(np.zeros((10, 12), np.uint8))  # one flat grey
    assert not looks_like_a_mask(np.full((10, 12), 3, np.uint8) * (mask > 0))  # 0 / 3: no mask's values
    colour = np.dstack([mask] * 3)
    colour[0, 1] = (255, 0, 0)
    assert not looks_like_a_mask(colour)


def test_skin_apply_and_eval_ask_whether_a_mask_was_given_as_a_photo(tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    mask = np.zeros((20, 24), np.uint8)
    mask[:10] = 255
    Image.fromarray(mask).save(photos / "m.png")
    ramp = (np.arange(480).reshape(20, 24) % 256).astype(np.uint8)
    Image.fromarray(ramp).save(photos / "grey.png")
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    err = capsys.readouterr().err.splitlines()
    hint = "is it a mask given as a photo?"
    assert any("m.png: greyscale photo" in line and hint in line for line in err), err
    assert any("grey.png: greyscale photo" in line and hint not in line for line in err), err
    masks = tmp_path / "masks"
    masks.mkdir()
    Image.fromarray(mask).save(masks / "m.png")
    Image.fromarray(mask).save(masks / "grey.png")
    main(["skin", "eval", "--images", str(photos), "--masks", str(masks), "--quiet"])
    err = capsys.readouterr().err.splitlines()
    assert any("m.png: greyscale photo" in line and hint in line for line in err), err


def test_background_names_a_segmix_model_given_as_the_video(tmp_path, capsys):
    import json

    model = tmp_path / "bg.json"
    model.write_text(json.dumps({"format": "segmix-background-model", "version": 1}))
    assert main(["background", str(model), "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"segmix background: error: {model}: is a segmix background model (segmix background --model "
                   "reads it), not a video or a folder of frames"), err
    assert not (tmp_path / "out").exists()
