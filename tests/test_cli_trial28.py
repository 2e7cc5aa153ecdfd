"""Faults a new-user trial (session 28) found, one test or more for each kind:

1. ``skin apply --distributed`` kept masks made from a photo changed since, or written by
   another run into the same folder, and called them "already complete": a photo is complete
   only when its input is unchanged since the recorded run and its outputs are the files that
   run wrote (tests/test_distributed.py, with a local cluster).
2. A photo whose second output could not be written (a full disk) left its first behind,
   while the summary said "nothing written".
4. An unreachable ``--distributed`` scheduler made every command wait 30 s.
5. A skin eval report (or another JSON file segmix writes that is no model) given as a model
   was refused with a long line of unknown keys: one short line says what it is.
6. A mixture whose 'weights' and 'means' disagree in length was refused naming 'means'
   alone: both fields are named, with their counts (covariances likewise).

(3, quantize's palette TIFF, is tested in tests/test_quantize.py.)
"""

import copy
import errno
import json
import socket
import time

import numpy as np
import pytest
from PIL import Image

from segmix import io as segmix_io
from segmix import modelfile, skin
from segmix.cli import main

from tests import test_cli_trial27
from tests.test_cli_trial27 import _error
from tests.test_cli_segment import _photo

segmentation_model_dict = test_cli_trial27.segmentation_model_dict  # the fixture, shared


# ------------------------------------------------------------- 6. which field disagrees
def _skin_model_dict():
    return modelfile.model_to_dict(skin.load_skin_model())


def _first_mixture(data):
    return data["classifier"]["classes"][0]["mixture"]


def _shorten_weights(data):
    mixture = _first_mixture(data)
    mixture["weights"] = [0.5]
    mixture.pop("n_components", None)


def _shorten_covariances(data):
    mixture = _first_mixture(data)
    mixture["covariances"] = mixture["covariances"][:1]


def _narrow_covariances(data):
    mixture = _first_mixture(data)
    mixture["covariances"] = [[row[:2] for row in matrix[:2]] for matrix in mixture["covariances"]]


LENGTHS = {
    "weights cut to one": (_shorten_weights, "mixture 'weights' has 1 entry but 'means' has {k} rows"),
    "covariances cut to one": (_shorten_covariances,
                               "mixture 'covariances' has 1 matrix but 'weights' has {k} entries and 'means' {k} rows"),
    "covariances of 2 features": (_narrow_covariances,
                                  "mixture 'covariances' matrices are 2 x 2 but 'means' rows have {d} features"),
}


@pytest.mark.parametrize("edit", LENGTHS, ids=list(LENGTHS))
def test_a_skin_model_names_the_fields_that_disagree(tmp_path, capsys, edit):
    change, words = LENGTHS[edit]
    data = _skin_model_dict()
    k, d = len(_first_mixture(data)["weights"]), len(_first_mixture(data)["means"][0])
    assert k >= 2
    change(data)
    path = tmp_path / "skin.json"
    path.write_text(json.dumps(data))
    Image.fromarray(np.full((8, 8, 3), 120, np.uint8)).save(tmp_path / "photo.png")
    assert main(["skin", "apply", str(tmp_path / "photo.png"), "--model", str(path), "--output-dir",
                 str(tmp_path / "out")]) == 2
    line = _error(capsys, "skin apply")
    assert words.format(k=k, d=d) in line, line
    assert "must have shape" not in line


@pytest.mark.parametrize("edit", LENGTHS, ids=list(LENGTHS))
def test_a_segmentation_model_names_the_fields_that_disagree(segmentation_model_dict, tmp_path, capsys, edit):
    change, words = LENGTHS[edit]
    data = copy.deepcopy(segmentation_model_dict)
    k, d = len(_first_mixture(data)["weights"]), len(_first_mixture(data)["means"][0])
    if edit == "covariances of 2 features":
        assert d > 2
    change(data)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    image, _ = _photo()
    Image.fromarray(image).save(tmp_path / "photo.png")
    assert main(["segment", str(tmp_path / "photo.png"), "--model", str(path), "-o", str(tmp_path / "out.png")]) == 2
    line = _error(capsys, "segment")
    assert words.format(k=k, d=d) in line, line


def test_a_model_of_consistent_arrays_still_reads(tmp_path):
    path = tmp_path / "skin.json"
    path.write_text(json.dumps(_skin_model_dict()))
    assert skin.load_skin_model(path).kind == "skin"


# ------------------------------------------------------------- 5. another segmix file as a model
@pytest.fixture()
def eval_report(skin_dataset):
    report = skin_dataset / "ev.json"
    assert main(["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "--json", str(report)]) == 0
    return report


def test_a_skin_eval_report_as_a_skin_model_is_named_as_a_report(skin_dataset, eval_report, capsys):
    capsys.readouterr()
    assert main(["skin", "apply", str(skin_dataset / "images"), "--model", str(eval_report), "--output-dir",
                 str(skin_dataset / "out")]) == 2
    line = _error(capsys, "skin apply")
    assert line == f"{eval_report}: is a skin eval report (written by segmix skin eval --json), not a skin or " \
                   "segmentation model"
    assert not (skin_dataset / "out").exists()


def test_an_older_report_without_its_format_is_named_too(skin_dataset, eval_report, capsys):
    data = json.loads(eval_report.read_text())
    del data["format"]
    eval_report.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["segment", str(skin_dataset / "images" / "p0.png"), "--model", str(eval_report), "-o",
                 str(skin_dataset / "m.png")]) == 2
    line = _error(capsys, "segment")
    words = line.replace(str(eval_report), "REPORT")  # the temporary path's length varies
    assert "is a skin eval report" in words and "unknown key" not in words and len(words) < 150, line


def _frames(folder, n=3):
    folder.mkdir()
    for i in range(n):
        Image.fromarray(np.full((10, 20, 3), 40 * i, np.uint8)).save(folder / f"f{i}.png")


def test_a_report_or_a_skin_model_as_a_background_model_is_named(skin_dataset, eval_report, tmp_path, capsys):
    _frames(tmp_path / "frames")
    capsys.readouterr()
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(tmp_path / "o"), "--model",
                 str(eval_report)]) == 2
    assert "this is a skin eval report (written by segmix skin eval --json), not a background model" in \
        _error(capsys, "background")
    assert not (tmp_path / "o").exists()


def test_run_records_as_models_are_named(tmp_path, capsys):
    """The --distributed commands' run records are JSON that segmix writes, no model."""
    records = {
        "skin.json": ({"model_sha256": "0" * 64, "threshold": None, "probability": False, "settings": {}},
                      "segmix skin apply --distributed"),
        "bg.json": ({"model_sha256": None, "overrides": {}, "input": {}, "masks": []},
                    "segmix background --distributed"),
    }
    Image.fromarray(np.full((8, 8, 3), 120, np.uint8)).save(tmp_path / "photo.png")
    _frames(tmp_path / "frames")
    for name, (record, words) in records.items():
        (tmp_path / name).write_text(json.dumps(record))
        assert main(["skin", "apply", str(tmp_path / "photo.png"), "--model", str(tmp_path / name), "--output-dir",
                     str(tmp_path / "o")]) == 2
        assert f"is the run record of {words}" in _error(capsys, "skin apply")
        assert main(["background", str(tmp_path / "frames"), "--output-dir", str(tmp_path / "o"), "--model",
                     str(tmp_path / name)]) == 2
        assert f"is the run record of {words}" in _error(capsys, "background")


def test_a_background_model_as_a_skin_model_is_still_named(tmp_path, capsys):
    from segmix.background import BackgroundMixture, save_background_model

    save_background_model(tmp_path / "bg.json", BackgroundMixture())
    Image.fromarray(np.full((8, 8, 3), 120, np.uint8)).save(tmp_path / "photo.png")
    assert main(["skin", "apply", str(tmp_path / "photo.png"), "--model", str(tmp_path / "bg.json"), "--output-dir",
                 str(tmp_path / "o")]) == 2
    line = _error(capsys, "skin apply")
    assert "is a background model" in line and "unknown key" not in line


# ------------------------------------------------------------- 4. an unreachable scheduler
def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("command", ["skin apply", "skin train", "background"])
def test_an_unreachable_scheduler_fails_at_once_naming_it(skin_dataset, tmp_path, capsys, command):
    """A trial's `--distributed tcp://127.0.0.1:1` waited 30 s for "Timed out trying to
    connect"; every command that takes --distributed now says so at once, in one line."""
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    images, masks = str(skin_dataset / "images"), str(skin_dataset / "masks")
    args = {"skin apply": ["skin", "apply", images, "--output-dir", str(tmp_path / "o")],
            "skin train": ["skin", "train", "--images", images, "--masks", masks, "-o", str(tmp_path / "m.json")],
            "background": ["background", images, "--output-dir", str(tmp_path / "o")]}[command]
    start = time.monotonic()
    assert main([*args, "--distributed", address]) == 2
    assert time.monotonic() - start < 5
    line = _error(capsys, command)
    assert line.startswith(f"--distributed {address}: cannot reach a Dask scheduler there (connection refused)")
    assert not (tmp_path / "o").exists() and not (tmp_path / "m.json").exists()


def test_an_unknown_scheduler_host_is_named():
    pytest.importorskip("distributed")
    from segmix.distributed.cluster import probe_scheduler

    with pytest.raises(ConnectionError, match="unknown host nosuchhost.invalid"):
        probe_scheduler("tcp://nosuchhost.invalid:8786")


def _server(reply):
    """A local TCP server that accepts and sends ``reply`` (None: stays silent); its port."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)

    def serve():
        kept = []
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            kept.append(connection)
            if reply is not None:
                connection.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


@pytest.mark.parametrize("reply, words", [(None, "it accepted the connection but sent nothing within 1 s"),
                                          (b"HTTP/1.1 400 Bad Request\r\n\r\n", "it answered in HTTP"),
                                          (b"SSH-2.0-OpenSSH_9.2\r\n", "it answered in another protocol")],
                         ids=["silent", "http", "other"])
def test_a_server_that_is_not_a_dask_scheduler_is_named(reply, words):
    # A fresh trial: a web server's port hung past 200 s inside distributed.Client, and a
    # server answering in HTTP gave "MemoryError: Unable to allocate 3.07 EiB".
    pytest.importorskip("distributed")
    from segmix.distributed.cluster import NotAScheduler, probe_scheduler

    server, port = _server(reply)
    try:
        start = time.monotonic()
        with pytest.raises(NotAScheduler, match=f"tcp://127.0.0.1:{port}: this is not a Dask scheduler \\({words}\\)"):
            probe_scheduler(f"tcp://127.0.0.1:{port}", timeout=1)
        assert time.monotonic() - start < 4
    finally:
        server.close()


def test_a_dask_scheduler_passes_the_probe():
    distributed = pytest.importorskip("distributed")
    from segmix.distributed.cluster import probe_scheduler

    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=None) as cluster:
        probe_scheduler(cluster.scheduler_address)


# ------------------------------------------------------------- 2. a photo's outputs together
@pytest.fixture()
def full_disk(monkeypatch):
    """segmix.io.atomic_write failing with ENOSPC ("no space left on device") on the writes
    that ``fails(path, count)`` picks (count: that write's number, from 1), as a full disk
    does: the temporary file is not left behind, the error names the target."""
    import contextlib
    import threading
    from pathlib import Path

    original = segmix_io.atomic_write
    lock = threading.Lock()
    state = {"count": 0, "fails": lambda path, count: False}

    @contextlib.contextmanager
    def atomic_write(path, *args, **kwargs):
        with lock:
            state["count"] += 1
            fail = state["fails"](Path(path), state["count"])
        if fail:
            raise segmix_io._write_error(OSError(errno.ENOSPC, "No space left on device"), Path(path), None)
        with original(path, *args, **kwargs) as handle:
            yield handle

    monkeypatch.setattr(segmix_io, "atomic_write", atomic_write)

    def set_rule(fails):
        state["count"] = 0
        state["fails"] = fails

    return set_rule


def _listing(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else None


def test_a_photo_whose_probability_map_fails_keeps_no_mask(skin_dataset, full_disk, capsys):
    """The trial: a 40 kB tmpfs took every probability map and left five masks, while the
    run said "all 6 inputs failed; nothing written"."""
    out = skin_dataset / "full"
    out.mkdir()
    full_disk(lambda path, count: path.name.endswith("_skin_prob.png"))
    assert main(["skin", "apply", str(skin_dataset / "images"), "--output-dir", str(out), "--probability"]) == 2
    err = capsys.readouterr().err
    # The 4 alike lines: the first as it came, the 3 others once after the run, with the count
    # (session 42: alike per-file lines folded; the first of a kind is said at once).
    assert err.count("cannot write (no space left on device)") == 2 and "(3 more files alike)" in err, err
    assert "error: all 4 inputs failed; nothing written" in err
    assert _listing(out) == []  # no mask, no temporary file


def test_the_second_file_of_one_photo_fails(skin_dataset, full_disk, capsys):
    """One photo, its mask written, its probability map not: the mask goes, and the folder
    the run made."""
    out = skin_dataset / "new"
    full_disk(lambda path, count: count == 2)
    assert main(["skin", "apply", str(skin_dataset / "images" / "p0.png"), "--output-dir", str(out),
                 "--probability"]) == 2
    assert "p0_skin_prob.png: cannot write (no space left on device)" in _error(capsys, "skin apply")
    assert not out.exists()


def test_only_the_failing_photo_is_left_out_and_earlier_outputs_come_back(skin_dataset, full_disk, capsys):
    """Outputs of an earlier run are put back as they were, not left half replaced: a
    photo's mask and map are of one run."""
    out = skin_dataset / "out"
    images = skin_dataset / "images"
    assert main(["skin", "apply", str(images), "--output-dir", str(out), "--probability", "--workers", "1"]) == 0
    for mask in out.glob("*_skin.png"):  # "an earlier run's" masks, unlike what this run writes
        skin._write_png(mask, np.zeros((30, 40), np.uint8), ())
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    full_disk(lambda path, count: path.name == "p2_skin_prob.png")
    assert main(["skin", "apply", str(images), "--output-dir", str(out), "--probability", "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert "p2_skin_prob.png: cannot write (no space left on device)" in err and "1 of 4 files failed" in err
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(after) == sorted(before)  # no temporary file, no backup left
    assert after["p2_skin.png"] == before["p2_skin.png"]  # the earlier run's mask, not this run's
    assert after["p2_skin_prob.png"] == before["p2_skin_prob.png"]
    assert after["p0_skin.png"] != before["p0_skin.png"]  # the others are this run's


def test_background_leaves_no_mask_when_one_cannot_be_written(tmp_path, full_disk, capsys):
    _frames(tmp_path / "frames", n=6)
    full_disk(lambda path, count: path.name == "f3.png")
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(tmp_path / "o")]) == 2
    assert "f3.png: cannot write (no space left on device)" in _error(capsys, "background")
    assert not (tmp_path / "o").exists()  # f0.png..f2.png were written, and removed


def test_background_keeps_masks_that_were_there(tmp_path, full_disk, capsys):
    """Masks an earlier run wrote are not removed by a failed rerun (only new ones go)."""
    _frames(tmp_path / "frames", n=6)
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(tmp_path / "o")]) == 0
    full_disk(lambda path, count: path.name == "f3.png")
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(tmp_path / "o")]) == 2
    assert _listing(tmp_path / "o") == [f"f{i}.png" for i in range(6)]


def test_segment_puts_back_an_output_it_had_replaced(tmp_path, full_disk, capsys):
    """`-o m.png --probability p.png` over an earlier run's files: p.png cannot be written,
    so m.png is the earlier one again (it was this run's mask beside the earlier map)."""
    from segmix.io import save_labels
    from tests.test_cli_segment import _scribbles

    image, _ = _photo()
    Image.fromarray(image).save(tmp_path / "photo.png")
    save_labels(tmp_path / "marks.png", _scribbles())
    base = ["segment", str(tmp_path / "photo.png"), "--scribbles", str(tmp_path / "marks.png"),
            "-o", str(tmp_path / "m.png"), "--probability", str(tmp_path / "p.png"), "--smoothing", "none"]
    assert main([*base, "--threshold", "0.9"]) == 0
    before = (tmp_path / "m.png").read_bytes()
    full_disk(lambda path, count: path.name == "p.png")
    assert main([*base, "--threshold", "0.1"]) == 2
    assert "p.png: cannot write (no space left on device)" in _error(capsys, "segment")
    assert (tmp_path / "m.png").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.png", "marks.png", "p.png", "photo.png"]
