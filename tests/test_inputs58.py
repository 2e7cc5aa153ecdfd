"""Session 58's new-user trial (inputs): out of memory on one photo of a batch, --distributed
given before the inputs or empty, the lines' prefixes, quantize's -o refusal, a background
model file whose 'shape' was edited."""

import json

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main

#: Pillow's words for a decode too large for the memory left (the trial's 8000 x 7500 JPEG).
PILLOW_WORDS = "allocation failed (probably too large)."


def _photo(path, seed=3):
    rng = np.random.default_rng(seed)
    image = np.zeros((24, 32, 3), np.uint8)
    image[:, :16] = (200, 140, 110)
    image[:, 16:] = (30, 60, 160)
    image = np.clip(image.astype(int) + rng.integers(-4, 5, image.shape), 0, 255).astype(np.uint8)
    Image.fromarray(image).save(path)
    return path


@pytest.mark.parametrize("workers", [None, "1"])
def test_skin_apply_skips_the_photo_that_ran_out_of_memory(tmp_path, capsys, monkeypatch, workers):
    # `(ulimit -v 2500000; segmix skin apply big60.jpg b2/ccp_0001.jpg --output-dir oom)` said
    # "error: b2/ccp_0001.jpg: out of memory (...)", exit 2, ccp_0001's mask written: the run
    # ended at the first photo, naming the photo read ahead (segmix.io.LAST_READ).
    import segmix.io
    import segmix.skin

    big, small, third = (_photo(tmp_path / name) for name in ("big60.png", "small.png", "third.png"))
    real = segmix.skin.apply_one

    def apply_one(model, path, *args, **kwargs):
        if path.name == big.name:
            segmix.io.LAST_READ[0] = small  # the decode threads read ahead
            raise MemoryError(PILLOW_WORDS)
        return real(model, path, *args, **kwargs)

    monkeypatch.setattr(segmix.skin, "apply_one", apply_one)
    out = tmp_path / "oom"
    options = ["--workers", workers] if workers else []
    status = main(["skin", "apply", str(big), str(small), str(third), "--output-dir", str(out), *options])
    err = capsys.readouterr().err
    assert status == 1, err
    assert (f"segmix skin apply: skipped {big}: out of memory (allocation failed, probably too large); close other "
            "programs, or give a smaller copy of the photo") in err.splitlines(), err
    assert str(small) + ":" not in err, err
    assert (out / "small_skin.png").is_file() and (out / "third_skin.png").is_file()
    assert not (out / "big60_skin.png").exists()


def test_one_photo_out_of_memory_is_still_an_error(tmp_path, capsys, monkeypatch):
    import segmix.skin

    photo = _photo(tmp_path / "big60.png")

    def apply_one(*args, **kwargs):
        raise MemoryError(PILLOW_WORDS)

    monkeypatch.setattr(segmix.skin, "apply_one", apply_one)
    assert main(["skin", "apply", str(photo), "--output-dir", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"{photo}: out of memory (allocation failed, probably too large); close other programs" in err, err


def test_allocation_words_without_nested_brackets_or_full_stop():
    from segmix.io import allocation_words

    assert allocation_words(MemoryError(PILLOW_WORDS)) == "allocation failed, probably too large"
    assert allocation_words(MemoryError("Unable to allocate 381. MiB for an array with shape (100000000,) and "
                                        "data type float32")) == "unable to allocate 381 MiB"


def test_distributed_worker_s_photo_out_of_memory_fails_that_photo(tmp_path, monkeypatch):
    # The Dask tasks' loop caught ValueError and OSError only: a MemoryError failed the task,
    # its other photos with it.
    import segmix.skin
    from segmix.distributed import skin_jobs

    calls = []

    def apply_one(model, path, *args, **kwargs):
        calls.append(path)
        raise MemoryError(PILLOW_WORDS)

    monkeypatch.setattr(segmix.skin, "apply_one", apply_one)
    photo = _photo(tmp_path / "big60.png")
    monkeypatch.setattr(skin_jobs, "_worker_model", lambda job: (None, None))
    job = skin_jobs.ApplyJob(model_path=None, model_digest="", output_dir=str(tmp_path / "o"), threshold=None,
                             probability=False, settings=None, key_digest="k", run_id="r")
    results = skin_jobs.apply_photos(job, [str(photo)])
    assert results[0][1] == "failed" and "out of memory" in results[0][2], results


@pytest.mark.parametrize("command", [["skin", "apply"], ["background"]])
def test_distributed_before_the_only_input_says_so(tmp_path, capsys, command):
    # `segmix skin apply --distributed many --output-dir x2` took many/ as the address and said
    # "the following arguments are required: INPUT".
    folder = tmp_path / "many"
    folder.mkdir()
    _photo(folder / "a.png")
    assert main([*command, "--distributed", str(folder), "--output-dir", str(tmp_path / "x2")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "it is a file or folder: write --distributed after the inputs, or --distributed=ADDRESS" in err, err
    assert "required" not in err, err


@pytest.mark.parametrize("command", [["skin", "apply"], ["background"]])
def test_an_empty_distributed_address_is_refused(tmp_path, capsys, command):
    # `--distributed ""` started a local cluster in silence.
    photo = _photo(tmp_path / "a.png")
    assert main([*command, str(photo), "--output-dir", str(tmp_path / "o"), "--distributed", ""]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--distributed" in err and "empty" in err, err


def test_quantize_s_unsupported_output_extension_names_the_option(tmp_path, capsys):
    photo = _photo(tmp_path / "three.png")
    assert main(["quantize", str(photo), "-o", str(tmp_path / "x.xyz")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"segmix quantize: error: -o/--output {tmp_path / 'x.xyz'}: unsupported extension"), err


def test_a_background_model_s_edited_shape_is_named(tmp_path, capsys):
    # A 320 x 240 model whose top-level "shape" was edited to [100, 100] was refused as
    # "state 'weights' 'shape' must be [10000, 3] ... got [76800, 3]": the state blamed.
    from segmix.background import BackgroundMixture, BackgroundModelError, load_background_model, save_background_model

    rng = np.random.default_rng(0)
    model = BackgroundMixture()
    model.apply(rng.integers(0, 256, (12, 10, 3)).astype(np.uint8))
    path = tmp_path / "bg.json"
    save_background_model(path, model)
    data = json.loads(path.read_text())
    data["shape"] = [5, 5]
    path.write_text(json.dumps(data))
    with pytest.raises(BackgroundModelError) as caught:
        load_background_model(path)
    said = str(caught.value)
    assert "'shape'" in said and "[5, 5]" in said and "120" in said and "must be [25" not in said, said


def _note_photo(path, name):
    import segmix.skin

    real = segmix.skin.apply_one

    def apply_one(model, photo, output_dir, threshold, probability, settings, cache, info, *args, **kwargs):
        real(model, photo, output_dir, threshold, probability, settings, cache, info, *args, **kwargs)
        if photo.name == name:
            info["clipped_note"] = "75 % of its pixels are clipped"

    return apply_one


def test_every_skin_apply_line_names_the_command(tmp_path, capsys, monkeypatch):
    # `three.png: note: 75 % of its pixels are clipped ...` lacked "segmix skin apply:".
    import segmix.skin

    monkeypatch.setattr(segmix.skin, "apply_one", _note_photo(tmp_path, "three.png"))
    photos = [_photo(tmp_path / "three.png"), _photo(tmp_path / "four.png")]
    assert main(["skin", "apply", *map(str, photos), "--output-dir", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert f"segmix skin apply: note: {photos[0]}: 75 % of its pixels are clipped" in err, err
    assert all(line.startswith("segmix skin apply: ") for line in err), err


@pytest.fixture(scope="module")
def inproc():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        client.wait_for_workers(2, timeout=60)
        yield client


def test_dask_skin_apply_lines_name_the_command_and_the_output_folder(inproc, tmp_path, capsys):
    # "segmix: Dask on ...", and a summary without the output folder.
    photos = [_photo(tmp_path / "three.png"), _photo(tmp_path / "four.png")]
    out = tmp_path / "x2"
    assert main(["skin", "apply", *map(str, photos), "--output-dir", str(out), "--distributed",
                 inproc.scheduler.address]) == 0
    said = capsys.readouterr()
    err = said.err.strip().splitlines()
    assert any(line.startswith("segmix skin apply: Dask on ") for line in err), err
    assert all(line.startswith("segmix skin apply: ") for line in err), err
    assert f"masks in {out}" in said.out, said.out


def test_workers_lost_mid_run_are_said(inproc, tmp_path, capsys, monkeypatch):
    # A Dask worker killed mid-run: every photo done, exit 0, nothing said.
    from segmix.distributed import cluster

    import distributed

    real_map = distributed.Client.map
    keys = []

    def map_(self, *args, **kwargs):
        futures = real_map(self, *args, **kwargs)
        keys.extend(str(f.key) for f in futures)
        return futures

    monkeypatch.setattr(distributed.Client, "map", map_)
    monkeypatch.setattr(distributed.Client, "get_events", lambda self, topic=None: [
        (0.0, {"action": "remove-worker", "worker": "tcp://10.0.0.9:4000", "processing-tasks": set(keys[:1]),
               "lost-computed-tasks": set(), "expected": False})])
    photos = [_photo(tmp_path / "three.png"), _photo(tmp_path / "four.png")]
    assert main(["skin", "apply", *map(str, photos), "--output-dir", str(tmp_path / "o"), "--distributed",
                 inproc.scheduler.address]) == 0
    err = capsys.readouterr().err
    assert ("segmix skin apply: note: 1 Dask worker left the run (tcp://10.0.0.9:4000: stopped, or killed, perhaps "
            "out of memory); 1 task was run again by the other workers") in err, err
    assert cluster.lost_workers_words(inproc, {"other-key"}) is None


def test_distributed_alone_is_still_a_local_cluster():
    # argparse passes a string const through the option's type: "" alone was refused as empty.
    from segmix.cli import build_parser

    for argv in (["skin", "apply", "a.png", "--distributed"], ["skin", "apply", "a.png", "--distributed", "--quiet"]):
        args = build_parser().parse_args(argv)
        assert args.distributed == "" and args.distributed is not None


def test_background_on_dask_one_sequence_out_of_memory_fails_alone(inproc, tmp_path, capsys, monkeypatch):
    # The tasks' loop caught ValueError and OSError only: a sequence out of memory failed its
    # task, the others' masks with it, in Dask's words.
    import segmix.background_run

    real = segmix.background_run.run_sequence

    def run_sequence(sequence, model, *args, **kwargs):
        if any("camB" in str(arg) for arg in args):  # its partial folder, OUT/.camB.partial
            raise MemoryError("Unable to allocate 1.61 GiB for an array with shape (3, 3, 48000000) and data type float32")
        return real(sequence, model, *args, **kwargs)

    monkeypatch.setattr(segmix.background_run, "run_sequence", run_sequence)
    cams = []
    for cam in ("camA", "camB"):
        folder = tmp_path / cam
        folder.mkdir()
        for i in range(4):
            _photo(folder / f"f{i:03d}.png", seed=i)
        cams.append(str(folder))
    out = tmp_path / "masks"
    status = main(["background", *cams, "--output-dir", str(out), "--distributed", inproc.scheduler.address])
    said = capsys.readouterr()
    assert status == 1, said.err
    assert "camB: out of memory (unable to allocate 1.61 GiB); close other programs, or scale the frames down" in said.err, \
        said.err
    assert (out / "camA").is_dir() and not (out / "camB").exists()
