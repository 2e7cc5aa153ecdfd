"""Session 55's new-user trial of the command line's files, quantize, batch and Dask paths."""

import json

import numpy as np
import pytest
from PIL import Image


# --------------------------------------------------------------------------- 1
def _documents():
    """JSON documents as segmix writes them: a background model (mostly base64 strings), an
    indented model-like object, and one of every token kind (literals, escapes, numbers)."""
    from segmix.background import BackgroundMixture

    rng = np.random.default_rng(0)
    model = BackgroundMixture(n_components=2)
    for _ in range(3):
        model.apply(rng.integers(0, 256, (3, 4, 3), dtype=np.uint8))
    every = {"a": [1.5e-3, -2, True, False, None, 'x\\y\u00e9"z', {"b": {}}, float("nan"), float("-inf")],
             "c": "\u1234\U0001F600", "d": -0.25e10, "e": 1e5}
    return [json.dumps(model.to_dict(), indent=1), json.dumps(every), json.dumps(every, indent=2)]


def test_every_prefix_of_a_json_document_is_said_to_end_mid_document():
    """A cut inside a string (most of a background model: its arrays are base64) was "cannot
    read a background model (Unterminated string starting at: line 1 column 508)": one rule
    for every cut, wherever it falls (in a string, a literal, a number, an escape)."""
    from segmix.io import json_ends_mid_document

    missed = []
    for text in _documents():
        for end in range(1, len(text)):
            try:
                json.loads(text[:end])
            except json.JSONDecodeError as exc:
                if not json_ends_mid_document(text[:end], exc):
                    missed.append((text[max(0, end - 12):end], exc.msg))
    assert not missed, missed[:5]


@pytest.mark.parametrize("text", ['{"a": 1 2}', '{"a": tru e}', '{"a": x', "[1, .", "[1 .", '{"a": "\\x"}',
                                  '{"a" 1', "[tr]", "hello", "[1,]", '{"a": "b\n"}'])
def test_json_damaged_inside_is_not_called_cut_short(text):
    from segmix.io import json_ends_mid_document

    with pytest.raises(json.JSONDecodeError) as info:
        json.loads(text)
    assert not json_ends_mid_document(text, info.value)


def test_models_cut_inside_a_string_are_called_cut_short(tmp_path):
    """The background model of the trial, and a segmentation model cut inside "foreground"."""
    from segmix.background import BackgroundModelError, load_background_model
    from segmix.modelfile import ModelFileError, read_model

    background = _documents()[0]
    start = background.index('"data": "') + 9  # in the first base64 array's string
    (tmp_path / "bg.json").write_text(background[:start + 20])
    with pytest.raises(BackgroundModelError, match=r"bg.json: the file ends in the middle of its JSON after \d+ "
                                                    r"characters: it looks cut short \(an interrupted copy"):
        load_background_model(tmp_path / "bg.json")
    model = '{\n  "format": "segmix-model",\n  "version": 1,\n  "kind": "segmentation",\n  "classes": ["foregr'
    (tmp_path / "m.json").write_text(model)
    with pytest.raises(ModelFileError, match="ends in the middle of its JSON after .* it looks cut short"):
        read_model(tmp_path / "m.json")


def test_an_annotation_cut_short_given_as_scribbles_is_called_cut_short(tmp_path):
    """It was "a text file, not an image"; its kind is named from the keys of its first part."""
    from segmix.io import ImageLoadError, load_scribbles

    coco = json.dumps({"images": [{"id": 1, "file_name": "p.png", "width": 8, "height": 8}],
                       "categories": [{"id": 1, "name": "person"}],
                       "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4]}]}, indent=1)
    (tmp_path / "c.json").write_text(coco[:-30])
    with pytest.raises(ImageLoadError, match="is a COCO annotation, not an image, and it ends in the middle of its "
                                             "JSON after .* cut short"):
        load_scribbles(tmp_path / "c.json", (8, 8))


# --------------------------------------------------------------------------- 4
def test_quantize_of_an_animation_of_few_colours_says_its_first_frame_is_written(tmp_path, capsys):
    """An animated GIF of one colour was "written unchanged" beside "only the first is used"."""
    from segmix.cli import main

    frames = [Image.fromarray(np.full((12, 16, 3), value, np.uint8)).convert("P") for value in (40, 120, 200)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert main(["quantize", str(tmp_path / "anim.gif"), "-k", "8", "-o", str(tmp_path / "q.gif")]) == 0
    err = capsys.readouterr().err
    assert "only the first is used" in err and "written unchanged" not in err, err
    assert "fewer than the 8 asked for; written as its first frame" in err, err
    with Image.open(tmp_path / "q.gif") as im:
        assert getattr(im, "n_frames", 1) == 1


# --------------------------------------------------------------------------- 2, 3: skin apply on Dask
def _skin_photos(folder, n=4, long_names=0):
    folder.mkdir()
    rng = np.random.default_rng(5)
    names = [f"p{i}.png" for i in range(n)] + [chr(97 + i) * 248 + ".png" for i in range(long_names)]
    for name in names:
        Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(folder / name)
    return folder


def test_dask_failures_that_name_their_outputs_share_a_line(address, tmp_path, capsys):
    """A full disk's "OUT/x_skin.png: cannot write (no space left on device)" was a line per
    photo on Dask; the one-machine command folds them ("(6 more files alike)"). Here masks
    whose names are too long for the file system, a failure that names the output too."""
    pytest.importorskip("distributed")
    from segmix.cli import main

    photos = _skin_photos(tmp_path / "in", n=1, long_names=3)
    status = main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--quiet",
                   "--distributed", address])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "name too long" in line]
    assert status == 1 and len(lines) == 1 and "(3 files alike): file name too long" in lines[0], err


def test_dask_rerun_says_a_damaged_run_record_and_names_a_damaged_photo_record(address, tmp_path, capsys):
    """'[1,2' as the run record: the rerun redid everything without a word; a damaged photo's
    record was blamed on its outputs ("outputs are not those the last run wrote")."""
    pytest.importorskip("distributed")
    from segmix.cli import main
    from segmix.distributed.skin_jobs import PHOTO_RECORDS, RECORD

    photos = _skin_photos(tmp_path / "in")
    out = tmp_path / "out"
    argv = ["skin", "apply", str(photos), "--output-dir", str(out), "--distributed", address]
    assert main(argv) == 0
    (out / RECORD).write_text("[1,2")
    capsys.readouterr()
    assert main(argv) == 0
    out_text, err = capsys.readouterr()
    notes = [line for line in err.splitlines() if RECORD in line]
    assert len(notes) == 1 and "the run record cannot be read (damaged), so it is ignored" in notes[0], err
    assert "4 written, 0 already complete" in out_text
    record = sorted((out / PHOTO_RECORDS).iterdir())[0]
    record.write_text('{"photo": "p0.png", "key_sha')
    assert main(argv) == 0
    out_text, err = capsys.readouterr()
    assert RECORD + ":" not in err
    assert f"redone 1 photo whose record in {PHOTO_RECORDS}/ cannot be read (damaged)" in out_text, out_text
    assert "not those the last run wrote" not in out_text and "1 written, 3 already complete" in out_text


def test_dask_run_that_fails_after_masks_were_written_exits_1(address, tmp_path, capsys, monkeypatch):
    """README: exit 2 means nothing is written; a trial's scheduler killed at 14 s left 82 of
    150 masks and the run ended 2. Here the run fails (as a lost scheduler fails it) after the
    first task's masks are written."""
    pytest.importorskip("distributed")
    from segmix.cli import main
    from segmix.distributed import skin_jobs

    real = skin_jobs.run_tasks

    def first_then_lost(client, function, job, batches, **kwargs):
        real(client, function, job, batches[:1], **kwargs)
        raise RuntimeError("cancelled for reason: scheduler-connection-lost.")

    monkeypatch.setattr(skin_jobs, "run_tasks", first_then_lost)
    monkeypatch.setattr(skin_jobs, "PHOTOS_PER_TASK", 1)
    photos = _skin_photos(tmp_path / "in")
    status = main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--quiet",
                   "--distributed", address])
    err = capsys.readouterr().err
    assert status == 1, err
    assert "the connection to the Dask scheduler was lost" in err and "(the masks of 1 of 4 photos to do were written)" in err
    assert len(list((tmp_path / "out").glob("*_skin.png"))) == 1
    monkeypatch.setattr(skin_jobs, "run_tasks", lambda *a, **k: (_ for _ in ()).throw(
        RuntimeError("cancelled for reason: scheduler-connection-lost.")))
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "none"), "--quiet",
                 "--distributed", address]) == 2  # nothing written: 2, as README says


def test_dask_background_run_that_fails_after_a_sequence_was_written_exits_1(address, tmp_path, capsys,
                                                                                monkeypatch):
    """As skin apply on Dask: a lost scheduler after a sequence was written whole is exit 1."""
    pytest.importorskip("distributed")
    from segmix.cli import main
    from segmix.distributed import background_jobs

    cams = []
    for name in ("cam1", "cam2"):
        folder = tmp_path / "cams" / name
        folder.mkdir(parents=True)
        for t in range(8):
            Image.fromarray(np.full((24, 32, 3), 90 + t, np.uint8)).save(folder / f"in{t:04d}.png")
        cams.append(str(folder))
    real = background_jobs.run_tasks

    def first_then_lost(client, function, job, batches, **kwargs):
        real(client, function, job, batches[:1], **kwargs)
        raise RuntimeError("cancelled for reason: scheduler-connection-lost.")

    monkeypatch.setattr(background_jobs, "run_tasks", first_then_lost)
    status = main(["background", *cams, "--output-dir", str(tmp_path / "out"), "--quiet", "--distributed", address])
    err = capsys.readouterr().err
    assert status == 1 and "the connection to the Dask scheduler was lost" in err and "(1 of 2 sequences were " \
                                                                                      "written whole)" in err, err


# --------------------------------------------------------------------------- 5
def test_quantize_of_many_colours_runs_kmeans_on_a_sample_at_a_small_cost(monkeypatch):
    """A 1000 x 1000 noise photo (970,693 colours) took 70 CPU-s at -k 64, 2000 x 2000 more
    than 300 s: k-means' restarts now run on pixels drawn at random, then a few Lloyd steps on
    every colour, and the pixels are mapped exactly. Here at a small scale (the sample's size
    lowered): the restarts see no more than the sample, the error is within 2 % of the full
    k-means', and equal seeds give equal results."""
    from segmix import quantize
    from segmix.mixture import KMeans

    image = np.random.default_rng(1).integers(0, 256, (150, 150, 3), dtype=np.uint8)
    full = quantize.quantize_image(image, 8)
    sizes = []
    real_fit = KMeans.fit

    def fit(self, X, y=None, sample_weight=None):
        sizes.append((len(X), isinstance(self.init, str)))
        return real_fit(self, X, y, sample_weight=sample_weight)

    monkeypatch.setattr(quantize, "KMEANS_SAMPLE", 3000)
    monkeypatch.setattr(KMeans, "fit", fit)
    sampled = quantize.quantize_image(image, 8)
    restarts = [n for n, seeded in sizes if seeded]
    assert restarts and max(restarts) <= 3000, sizes
    assert sampled.mse <= 1.02 * full.mse, (sampled.mse, full.mse)
    assert np.array_equal(quantize.quantize_image(image, 8).image, sampled.image)
    assert quantize.kmeans_colours(970_693, 64) == 3000 and quantize.kmeans_colours(2000, 64) == 2000


def test_the_slow_kmeans_note_gives_the_photo_s_own_estimate(tmp_path, capsys, monkeypatch):
    """The note cited "about half a minute at 350,000 colours into 256" for a noise photo of
    970,693 colours into 64 that took 70 s; now this photo's estimate (here with the note's
    threshold lowered, so that a small photo gets it)."""
    from segmix import cli, quantize

    monkeypatch.setattr(cli, "SLOW_QUANTIZE_WORK", 1)
    Image.fromarray(np.random.default_rng(2).integers(0, 256, (40, 50, 3), dtype=np.uint8)).save(tmp_path / "n.png")
    assert cli.main(["quantize", str(tmp_path / "n.png"), "-k", "4", "-o", str(tmp_path / "q.png")]) == 0
    err = capsys.readouterr().err
    expected = quantize.kmeans_time_words(quantize.kmeans_seconds(2000, 4))
    assert "350,000" not in err and "2,000 distinct colours into 4: k-means takes a while (up to about " + expected \
        in err, err
