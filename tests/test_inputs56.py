"""Faults of the new-user trial of session 56 (inputs56)."""

import numpy as np
import pytest
from PIL import Image


# --------------------------------------------------------------------------- 3: greyscale kinds
def _grey_ramp():
    return np.linspace(0, 1, 10000, dtype=np.float32).reshape(100, 100)


def _grey_files(folder):
    """One greyscale photo in each single-channel kind Pillow hands (the same ramp)."""
    ramp = _grey_ramp()
    eight = np.round(ramp * 255).astype(np.uint8)
    files = {}
    Image.fromarray(ramp, "F").save(folder / "f32.tif")
    files["F"] = folder / "f32.tif"
    Image.fromarray((ramp * 65535).astype(np.int32), "I").save(folder / "i32.tif")
    files["I"] = folder / "i32.tif"
    Image.fromarray((ramp * 65535).astype(np.uint16)).save(folder / "g16.png")
    files["I;16"] = folder / "g16.png"
    Image.fromarray(eight, "L").save(folder / "l.png")
    files["L"] = folder / "l.png"
    Image.fromarray(np.dstack([eight, np.full_like(eight, 255)]), "LA").save(folder / "la.png")
    files["LA"] = folder / "la.png"
    Image.fromarray(eight > 127).save(folder / "bw.png")
    files["1"] = folder / "bw.png"
    Image.fromarray(eight, "L").convert("P").save(folder / "p.png")
    files["P"] = folder / "p.png"
    return files


def test_every_greyscale_kind_is_quantised_to_8_bit_greyscale(tmp_path):
    """A 32-bit float grey TIFF came out as a palette PNG of greys (read as 3 channels) where
    the same values as int32 TIFF or 16-bit PNG gave 8-bit greyscale."""
    from segmix.quantize import quantize_file

    for mode, path in _grey_files(tmp_path).items():
        with Image.open(path) as im:
            assert im.mode == mode  # the kind this case is about
        for suffix in (".png", ".tif"):
            out = tmp_path / f"q_{path.stem}{suffix}"
            result = quantize_file(path, out, n_colors=4)
            with Image.open(out) as im:
                assert im.mode == "L", (mode, suffix, im.mode)
            assert result.mode == "L"


def test_a_colour_palette_photo_stays_a_colour_palette_photo(tmp_path):
    """The grey rule does not take a palette photo of colours (nor an RGB one) for grey."""
    from segmix.quantize import quantize_file

    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    Image.fromarray(rgb).convert("P").save(tmp_path / "p.png")
    Image.fromarray(np.repeat(rgb[..., :1], 3, axis=2)).save(tmp_path / "rgb_of_greys.png")
    for name in ("p.png", "rgb_of_greys.png"):
        quantize_file(tmp_path / name, tmp_path / f"q_{name}", n_colors=4)
        with Image.open(tmp_path / f"q_{name}") as im:
            assert im.mode == "P", (name, im.mode)


# --------------------------------------------------------------------------- 2: a loss after every output
def _skin_photos(folder, n=4):
    folder.mkdir()
    rng = np.random.default_rng(5)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(folder / f"p{i}.png")
    return folder


def _all_then_lost(real):
    def run(client, function, job, batches, **kwargs):
        real(client, function, job, batches, **kwargs)
        raise RuntimeError("cancelled for reason: scheduler-connection-lost.")

    return run


def test_dask_skin_apply_that_loses_the_scheduler_after_every_mask_exits_0(address, tmp_path, capsys,
                                                                            monkeypatch):
    """A trial's run counted "the masks of 40 of 40 photos to do were written" and ended 1,
    which a script reads as "some photos failed"."""
    pytest.importorskip("distributed")
    from segmix.cli import main
    from segmix.distributed import skin_jobs

    monkeypatch.setattr(skin_jobs, "run_tasks", _all_then_lost(skin_jobs.run_tasks))
    monkeypatch.setattr(skin_jobs, "PHOTOS_PER_TASK", 1)
    photos = _skin_photos(tmp_path / "in")
    status = main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out"), "--quiet",
                   "--distributed", address])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "the connection to the Dask scheduler was lost" in err and "the masks of all 4 photos" in err, err
    assert "error" not in err and len(list((tmp_path / "out").glob("*_skin.png"))) == 4


def test_dask_background_that_loses_the_scheduler_after_every_sequence_exits_0(address, tmp_path, capsys,
                                                                               monkeypatch):
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
    monkeypatch.setattr(background_jobs, "run_tasks", _all_then_lost(background_jobs.run_tasks))
    status = main(["background", *cams, "--output-dir", str(tmp_path / "out"), "--quiet", "--distributed", address])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "the connection to the Dask scheduler was lost" in err and "all 2 sequences were written whole" in err, err
    assert "error" not in err


# --------------------------------------------------------------------------- 1: a late joiner left out
class _Pending:
    def done(self):
        return False


class _OnlyAnUnfitWorker:
    """A client whose scheduler has one worker, which the run leaves out once it has joined."""

    def __init__(self):
        self.workers: dict = {}

    def nthreads(self):
        return dict(self.workers)

    def cancel(self, futures):
        pass


def _until(condition):
    import time

    for _ in range(5000):
        if condition():
            return
        time.sleep(0.002)
    raise AssertionError("never")


def test_a_worker_that_joins_while_tasks_wait_and_is_left_out_is_named_then(monkeypatch):
    """A trial's run said "no Dask worker that 4 of this run's tasks can go to is left ... unless
    one of those workers comes back or another joins" though one had just joined and failed
    segmix's identity check; that worker was named only in its own log."""
    import io

    from segmix.distributed import cluster

    now = [0.0]
    monkeypatch.setattr(cluster, "_clock", lambda: now[0])
    client, placed, stream = _OnlyAnUnfitWorker(), cluster.Placed(), io.StringIO()
    placed.run = "run"
    placed.add(_Pending(), {"workers": ["tcp://gone:1"]})
    why = "it runs another segmix than this command, whose outputs would differ (segmix from /elsewhere)"
    with cluster.said_when_no_worker_is_left(client, stream, every=0.001, placed=placed):
        _until(lambda: "no Dask worker that 1 of this run's tasks" in stream.getvalue())
        now[0] = 20.0
        client.workers["tcp://late:2"] = 1
        cluster.leave_out(client, "tcp://late:2", why, lasting=True)  # as its first task's check does
        _until(lambda: "tcp://late:2" in stream.getvalue())
    said = stream.getvalue()
    assert f"the Dask worker tcp://late:2 is left out of this run: {why}" in said, said
    assert "the run ends in 40 s" in said, said
    assert said.count("tcp://late:2") == 1
    # Named once: not again among the run's closing notes.
    assert not any("tcp://late:2" in note for note in cluster.left_out_notes(client))
