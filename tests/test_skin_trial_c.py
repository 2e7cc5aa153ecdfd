"""A new-user trial of skin detection (trial c): Dask reruns, hand-edited models, palette photos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def _face(size=64):
    """A crop of the bundled astronaut photo around her face: skin the detector finds."""
    photo = Image.open(ROOT / "sample_images" / "astronaut.png").convert("RGB")
    return photo.crop((170, 70, 250, 150)).resize((size, size))


def test_a_photo_a_killed_attempt_of_the_same_run_wrote_counts_as_written(tmp_path):
    """Dask reruns a killed worker's task; the photos its first attempt finished were counted
    "already complete" on a first run into an empty folder ("276 written, 4 already complete")."""
    from dataclasses import replace

    from segmix import skin, skin_detect
    from segmix.distributed.cluster import file_digest
    from segmix.distributed.skin_jobs import ApplyJob, apply_photos

    _face().save(tmp_path / "face.png")
    job = ApplyJob(None, file_digest(skin.builtin_model_path()), str(tmp_path / "out"), None, False,
                   skin_detect.DEFAULT_SETTINGS, run_id="run-1")
    photo = str(tmp_path / "face.png")
    assert apply_photos(job, [photo]) == [(photo, "written", None, None)]
    assert apply_photos(job, [photo]) == [(photo, "written", None, None)]  # the task's second attempt
    assert apply_photos(replace(job, run_id="run-2"), [photo]) == [(photo, "complete", None, None)]  # a rerun


def test_a_model_whose_rows_differ_in_length_is_refused_naming_them(tmp_path):
    """A hand-edited model with a mean of 2 numbers among rows of 3 was refused in NumPy's
    words ("setting an array element with a sequence. The requested array has an
    inhomogeneous shape after 1 dimensions..."), naming no row."""
    import json

    import pytest

    from segmix import skin

    data = json.loads(skin.builtin_model_path().read_text())
    data["classifier"]["classes"][0]["mixture"]["means"][1] = [0.1, 0.2]
    (tmp_path / "m.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"'means' must have shape \(K, D\): means\[0\] has 3 entries but "
                                         r"means\[1\] has 2$"):
        skin.load_skin_model(tmp_path / "m.json")


def test_the_operating_point_of_a_model_with_its_classes_in_the_other_order(tmp_path):
    """A valid model listing non-skin first (positive_class 1) detects as the built-in one,
    but its line read "p(skin) prior 0.9 ... > -5.38": the first class's prior."""
    import json

    from segmix import skin
    from segmix.cli import operating_point

    data = json.loads(skin.builtin_model_path().read_text())
    classes = data["classifier"]["classes"]
    data["classifier"]["classes"], data["positive_class"] = classes[::-1], 1
    (tmp_path / "m.json").write_text(json.dumps(data))
    swapped = operating_point(skin.load_skin_model(tmp_path / "m.json"))
    assert swapped == operating_point(skin.load_skin_model())
    assert swapped.startswith("operating point: p(skin) prior 0.1, ") and "> -0.98" in swapped


def test_a_gif_in_the_web_palette_is_scored_low_passed_by_skin_apply_and_eval(tmp_path):
    """A dithered palette stores no skin colour, only entries around it: a trial's web-palette
    GIFs (Pillow's convert("P")) got empty masks, against 2-51 % skin as PNG."""
    from segmix.cli import main

    face = _face(96)
    (tmp_path / "img").mkdir()
    face.convert("P").save(tmp_path / "img" / "face.gif")  # 48 colours, dithered
    face.save(tmp_path / "face.png")
    assert main(["skin", "apply", str(tmp_path / "face.png"), str(tmp_path / "img" / "face.gif"),
                 "--output-dir", str(tmp_path / "out"), "--quiet"]) == 2  # one name for two photos
    assert main(["skin", "apply", str(tmp_path / "face.png"), "--output-dir", str(tmp_path / "png"), "--quiet"]) == 0
    assert main(["skin", "apply", str(tmp_path / "img" / "face.gif"), "--output-dir", str(tmp_path / "gif"),
                 "--quiet"]) == 0
    as_png = np.asarray(Image.open(tmp_path / "png" / "face_skin.png")) > 0
    as_gif = np.asarray(Image.open(tmp_path / "gif" / "face_skin.png")) > 0
    assert as_png.mean() > 0.9
    assert (as_png & as_gif).sum() > 0.85 * (as_png | as_gif).sum()  # it was empty
    # skin eval scores what skin apply writes: its mask as the ground truth is matched exactly
    (tmp_path / "gif" / "face_skin.png").rename(tmp_path / "gif" / "face.png")
    from segmix import skin
    from segmix.skin_eval import evaluate_folder

    result = evaluate_folder(skin.load_skin_model(), tmp_path / "img", tmp_path / "gif", workers=1)
    assert result.precision == 1.0 and result.recall == 1.0


def test_a_hand_edited_training_note_that_is_no_share_is_left_out_of_the_line(tmp_path, capsys):
    """training.prior_from_data is a note the line quotes: as text it stopped skin apply with
    "error: Unknown format code 'g' for object of type 'str'", as a list with a traceback."""
    import json

    from segmix import skin
    from segmix.cli import main

    _face().save(tmp_path / "face.png")
    data = json.loads(skin.builtin_model_path().read_text())
    for value in ("x", [1], None, 2.5):
        data["training"]["prior_from_data"] = value
        (tmp_path / "m.json").write_text(json.dumps(data))
        assert main(["skin", "apply", str(tmp_path / "face.png"), "--output-dir", str(tmp_path / "out"),
                     "--model", str(tmp_path / "m.json")]) == 0
        out = capsys.readouterr().out
        assert "operating point: p(skin) prior 0.1," in out and "training data's skin share" not in out


def test_two_photos_of_one_name_sharing_one_mask_are_refused_naming_both(tmp_path, capsys):
    """x.jpg and its converted copy x.png were both scored against x.png's mask: its pixels
    counted twice in skin eval's figures and in skin train's model, without a word."""
    from segmix.cli import main

    (tmp_path / "img").mkdir()
    (tmp_path / "msk").mkdir()
    face = _face()
    face.save(tmp_path / "img" / "x.jpg")
    face.save(tmp_path / "img" / "x.png")
    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 16:48] = 255
    Image.fromarray(mask).save(tmp_path / "msk" / "x.png")
    words = (f"{tmp_path / 'img' / 'x.jpg'} and {tmp_path / 'img' / 'x.png'}: two photos of one name would share "
             f"the mask {tmp_path / 'msk' / 'x.png'}")
    for argv in (["eval"], ["train", "-o", str(tmp_path / "m.json")]):
        assert main(["skin", *argv, "--images", str(tmp_path / "img"), "--masks", str(tmp_path / "msk"),
                     "--quiet"]) == 2
        assert words in capsys.readouterr().err
    assert not (tmp_path / "m.json").exists()


def test_skin_train_reads_a_palette_photo_as_the_detector_scores_it(tmp_path):
    """skin train learned a GIF's dithered palette entries, which the detector never scores
    (it low-passes palette photos): F1 0.56 on held-out web-palette GIFs, 0.89 since."""
    from segmix.palette import smooth_palette_pixels
    from segmix.skin import count_image_folder

    gif = _face(48).convert("P")
    mask = np.zeros((48, 48), np.uint8)
    mask[12:36, 12:36] = 255
    for name, photo in (("gif", gif), ("png", Image.fromarray(smooth_palette_pixels(np.asarray(gif.convert("RGB")))))):
        (tmp_path / name / "img").mkdir(parents=True)
        (tmp_path / name / "msk").mkdir()
        photo.save(tmp_path / name / "img" / f"p.{name}")
        Image.fromarray(mask).save(tmp_path / name / "msk" / "p.png")
    read = [count_image_folder(tmp_path / name / "img", tmp_path / name / "msk", workers=1) for name in ("gif", "png")]
    for field in ("codes", "skin", "non_skin"):
        np.testing.assert_array_equal(getattr(read[0], field), getattr(read[1], field))


def test_images_and_masks_given_the_other_way_round_are_said_to_look_swapped(tmp_path, capsys):
    """--images masks/ --masks images/ was told, for every photo taken for a mask, "masks must
    be stored losslessly ... save the masks again as PNG from the original labels"."""
    from segmix.cli import main

    (tmp_path / "img").mkdir()
    (tmp_path / "msk").mkdir()
    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 16:48] = 255
    for name in ("a", "b"):
        _face().save(tmp_path / "img" / f"{name}.jpg")
        Image.fromarray(mask).save(tmp_path / "msk" / f"{name}.png")
    swapped = ["--images", str(tmp_path / "msk"), "--masks", str(tmp_path / "img"), "--quiet"]
    line = (f"--images {tmp_path / 'msk'} holds masks and --masks {tmp_path / 'img'} photos (a.png reads as a mask, "
            "a.jpg does not): the two folders look swapped; give the photos with --images and the masks with --masks")
    assert main(["skin", "eval", *swapped]) == 2
    assert capsys.readouterr().err.splitlines() == [f"segmix skin eval: error: {line}"]
    assert main(["skin", "train", *swapped, "-o", str(tmp_path / "m.json")]) == 2
    assert capsys.readouterr().err.splitlines() == [f"segmix skin train: error: {line}"]


def test_a_greyscale_photo_skipped_by_a_dask_rerun_is_still_warned_about(tmp_path):
    """The local command warns of a greyscale photo on every run; a --distributed rerun that
    found its mask complete (or a retried task that found it written) said nothing."""
    from dataclasses import replace

    from segmix import skin, skin_detect
    from segmix.distributed.cluster import file_digest
    from segmix.distributed.skin_jobs import ApplyJob, apply_photos

    _face().convert("L").save(tmp_path / "grey.png")
    photo = str(tmp_path / "grey.png")
    warning = f"{photo}: greyscale photo (no colour): skin detection needs colour; its mask is empty"
    job = ApplyJob(None, file_digest(skin.builtin_model_path()), str(tmp_path / "out"), None, False,
                   skin_detect.DEFAULT_SETTINGS, run_id="run-1")
    assert apply_photos(job, [photo]) == [(photo, "written", warning, None)]
    assert apply_photos(job, [photo]) == [(photo, "written", warning, None)]
    assert apply_photos(replace(job, run_id="run-2"), [photo]) == [(photo, "complete", warning, None)]


def test_a_scheduler_without_workers_is_said_to_be_waited_for(tmp_path, monkeypatch, capsys):
    """The run said "connecting to the Dask scheduler at ... (up to 30 s)", then nothing for
    the 120 s it waited for a worker that never came."""
    import pytest

    distributed = pytest.importorskip("distributed")
    from segmix.cli import main
    from segmix.distributed import cluster

    monkeypatch.setattr(cluster, "WORKER_TIMEOUT", 1)
    _face().save(tmp_path / "face.png")
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=None) as local:
        address = local.scheduler_address
        assert main(["skin", "apply", str(tmp_path / "face.png"), "--output-dir", str(tmp_path / "out"),
                     "--distributed", address]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[-2:] == [
        f"segmix skin apply: the Dask scheduler at {address} has no worker yet: waiting up to 1 s for one (start "
        "one with "
        f"`dask worker {address}`)",
        f"segmix skin apply: error: no Dask worker joined the scheduler at {address} within 1 s"]
    assert not (tmp_path / "out").exists()


def test_a_run_whose_workers_are_all_gone_says_that_it_waits_for_one():
    """Every worker stopped mid-run: Dask waits for one for ever, and the run hung without a word."""
    import io
    import threading
    import types

    from segmix.distributed.cluster import said_when_no_worker_is_left

    checked = threading.Event()

    class Gone:
        scheduler = types.SimpleNamespace(address="tcp://sched:8786")

        def nthreads(self):
            checked.set()
            return {}

    stream = io.StringIO()
    with said_when_no_worker_is_left(Gone(), stream, every=0.01):
        assert checked.wait(60)
        while "no Dask worker" not in stream.getvalue():
            checked.clear()
            assert checked.wait(60)
    assert stream.getvalue().strip() == (
        "segmix: no Dask worker is left on the scheduler at tcp://sched:8786: the run waits for one (start one "
        "with `dask worker tcp://sched:8786`, or press Ctrl+C; a rerun redoes only what is missing)")
    quiet = io.StringIO()
    with said_when_no_worker_is_left(Gone(), quiet, quiet=True, every=0.01):
        pass
    assert quiet.getvalue() == ""


def test_a_model_with_a_mean_beyond_computing_is_refused_and_far_components_score_nothing(tmp_path, capsys):
    """A hand-edited mean of 1e308 (finite, so it passed) printed NumPy's bare "overflow
    encountered in multiply" in skin apply and gave NaN covariances in the adaptation; it is
    refused naming the field, and a component far from every colour has density 0 without a
    warning."""
    import json
    import warnings

    from segmix import skin
    from segmix.cli import main
    from segmix.skin_detect import _component_log_pdf

    data = json.loads(skin.builtin_model_path().read_text())
    data["classifier"]["classes"][0]["mixture"]["means"][0][0] = 1e308
    (tmp_path / "far.json").write_text(json.dumps(data))
    _face().save(tmp_path / "face.png")
    assert main(["skin", "apply", str(tmp_path / "face.png"), "--output-dir", str(tmp_path / "out"),
                 "--model", str(tmp_path / "far.json")]) == 2
    err = capsys.readouterr().err
    assert "'means' holds 1e+308, beyond the 1e+150 segmix can compute with" in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "out").exists()
    X = np.array([[100.0, 120, 140], [0, 0, 0]])
    means = np.array([[1e150, 0, 0], [120, 128, 128], [-1e150, 1e150, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_pdf = _component_log_pdf(X, means, np.stack([np.eye(3) * 1e-200] * 3))
    assert np.isneginf(log_pdf[:, [0, 2]]).all(), log_pdf


def test_skin_apply_names_the_photos_in_which_it_found_no_skin(tmp_path, capsys):
    """A trial's dim evening photo got an empty mask after "wrote masks of 1 photo": the
    summary now names the colour photos whose masks are empty."""
    from segmix.cli import main

    _face().save(tmp_path / "face.png")
    Image.fromarray(np.full((40, 50, 3), (30, 60, 160), np.uint8)).save(tmp_path / "sky.png")
    Image.fromarray(np.full((40, 50, 3), (40, 140, 60), np.uint8)).save(tmp_path / "grass.png")
    assert main(["skin", "apply", str(tmp_path / "face.png"), str(tmp_path / "sky.png"), str(tmp_path / "grass.png"),
                 "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    out = capsys.readouterr().out.strip()
    # (then session 56's notes: the dim sky and grass lifted, the face filling its photo)
    assert out.startswith(f"wrote masks of 3 photos to {tmp_path / 'out'}; no skin found in 2 of them (grass.png, "
                          "sky.png)"), out
    assert np.asarray(Image.open(tmp_path / "out" / "face_skin.png")).any()
    assert main(["skin", "apply", str(tmp_path / "sky.png"), "--output-dir", str(tmp_path / "one"), "--quiet"]) == 0
    # since session 53 with why (skin53: skin apply says why a mask is empty)
    assert capsys.readouterr().out.strip().startswith(f"wrote masks of 1 photo to {tmp_path / 'one'}; no skin found in it")
