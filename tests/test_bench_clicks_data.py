"""benchmarks/bench_clicks.py --data: the click protocol on another set laid out as DAVIS's."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _scene(seed, h=70, w=90):
    rng = np.random.default_rng(seed)
    image = np.full((h, w, 3), (60, 120, 60), np.int16)
    yy, xx = np.mgrid[:h, :w]
    obj = (yy - h // 2) ** 2 + (xx - w // 2) ** 2 <= 18 ** 2
    image[obj] = (220, 200, 40)
    image += rng.integers(-5, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8), obj


@pytest.fixture
def bench_clicks(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import bench_clicks

    return bench_clicks


def test_another_set_with_other_formats_runs_the_protocol(tmp_path, bench_clicks, monkeypatch, capsys):
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    image, obj = _scene(0)
    Image.fromarray(image).save(tmp_path / "images" / "a.png")
    grabcut_like = np.where(obj, 255, 0).astype(np.uint8)
    from scipy import ndimage

    band = ndimage.binary_dilation(obj, iterations=2) & ~ndimage.binary_erosion(obj, iterations=2)
    grabcut_like[band] = 128  # an unknown band along the boundary, as the GrabCut set's masks
    Image.fromarray(grabcut_like).save(tmp_path / "masks" / "a.bmp")
    image, obj = _scene(1)
    Image.fromarray(image).save(tmp_path / "images" / "b.jpg", quality=95)
    Image.fromarray(obj.astype(np.uint8)).save(tmp_path / "masks" / "b.png")  # 0 / 1
    Image.fromarray(image).save(tmp_path / "images" / "c.png")  # no mask: skipped and counted

    loaded, truth, ignore = bench_clicks.load_frame("a", tmp_path)
    assert loaded.shape == (70, 90, 3) and ignore.sum() == band.sum() and not (truth & ignore).any()
    _, truth, ignore = bench_clicks.load_frame("b", tmp_path)
    np.testing.assert_array_equal(truth, obj)
    assert not ignore.any()
    assert bench_clicks.frame_names("all", None, tmp_path) == ["a", "b"]
    assert bench_clicks.frame_names("odd", None, tmp_path) == ["b"]

    out = tmp_path / "out.json"
    monkeypatch.setattr(sys, "argv", ["bench_clicks.py", "--data", str(tmp_path), "--max-clicks", "3", "--jobs", "1",
                                      "--json", str(out)])
    bench_clicks.main()
    printed = capsys.readouterr().out
    assert "1 photo(s)" in printed and "no mask" in printed and f"of {tmp_path}" in printed
    report = json.loads(out.read_text())
    assert [frame["name"] for frame in report["frames"]] == ["a", "b"]
    assert report["summary"]["samples"] == 2
    assert report["summary"]["mIoU@1"] > 0.9  # one click on a plain disc


def _exit(bench_clicks, monkeypatch, capsys, *argv):
    monkeypatch.setattr(sys, "argv", ["bench_clicks.py", *argv])
    with pytest.raises(SystemExit) as exc:
        bench_clicks.main()
    out = capsys.readouterr()
    return exc.value.code, out.out + out.err


def test_folders_that_are_not_a_set_are_one_line_exit_2(tmp_path, bench_clicks, monkeypatch, capsys):
    code, said = _exit(bench_clicks, monkeypatch, capsys, "--data", str(tmp_path / "nowhere"))
    assert code == 2 and said.strip() == f"{tmp_path / 'nowhere'}: no such folder"
    (tmp_path / "images").mkdir()
    code, said = _exit(bench_clicks, monkeypatch, capsys, "--data", str(tmp_path))
    assert code == 2 and "no masks/ folder" in said and "no images/" not in said
    (tmp_path / "masks").mkdir()
    Image.fromarray(_scene(0)[0]).save(tmp_path / "images" / "a.png")
    code, said = _exit(bench_clicks, monkeypatch, capsys, "--data", str(tmp_path))
    assert code == 2 and "no usable photo with a mask" in said


def test_bad_masks_are_named_and_left_out(tmp_path, bench_clicks, monkeypatch, capsys):
    """A mask of another size, a colour mask and a JPEG mask: one line each naming the file,
    the good pair scored; with no good pair, exit 2 (a trial's runs ended in a worker's
    traceback, or called the JPEG mask missing)."""
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    for name in ("good", "small", "colour", "lossy"):
        Image.fromarray(_scene(1)[0]).save(tmp_path / "images" / f"{name}.png")
    obj = _scene(1)[1]
    Image.fromarray(np.where(obj, 255, 0).astype(np.uint8)).save(tmp_path / "masks" / "good.png")
    Image.fromarray(np.where(obj, 255, 0).astype(np.uint8)[::2, ::2]).save(tmp_path / "masks" / "small.png")
    red = np.zeros(obj.shape + (3,), np.uint8)
    red[obj] = (255, 0, 0)
    Image.fromarray(red).save(tmp_path / "masks" / "colour.png")
    Image.fromarray(np.where(obj, 255, 0).astype(np.uint8)).save(tmp_path / "masks" / "lossy.jpg")
    out = tmp_path / "out.json"
    monkeypatch.setattr(sys, "argv", ["bench_clicks.py", "--data", str(tmp_path), "--max-clicks", "2", "--jobs", "1",
                                      "--json", str(out)])
    with pytest.raises(SystemExit) as exc:
        bench_clicks.main()
    assert exc.value.code == 1  # as skin eval: the usable pairs scored, the others named
    said = capsys.readouterr().out
    assert "skipped small:" in said and "small.png" in said
    assert "skipped colour:" in said and "colour.png" in said
    assert "lossy.jpg: masks must be stored losslessly" in said and "have no mask" not in said
    assert "Traceback" not in said
    assert [frame["name"] for frame in json.loads(out.read_text())["frames"]] == ["good"]
    (tmp_path / "masks" / "good.png").unlink()
    code, said = _exit(bench_clicks, monkeypatch, capsys, "--data", str(tmp_path))
    assert code == 2 and "no usable photo" in said and "2 unusable" in said


def test_seeds_run_every_frame_once_per_seed_and_average(tmp_path, bench_clicks, monkeypatch, capsys):
    # One seed's NoC@90 on the DAVIS even half moved by 0.2 clicks with the seed alone (10.76 /
    # 10.56 / 10.52 for seeds 0 / 1 / 2, session 36): --seeds runs each frame with each.
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    for name, seed in (("a", 0), ("b", 1)):
        image, obj = _scene(seed)
        Image.fromarray(image).save(tmp_path / "images" / f"{name}.png")
        Image.fromarray(np.where(obj, 255, 0).astype(np.uint8)).save(tmp_path / "masks" / f"{name}.png")
    out = tmp_path / "out.json"
    monkeypatch.setattr(sys, "argv", ["bench_clicks.py", "--data", str(tmp_path), "--max-clicks", "2", "--jobs", "1",
                                      "--seeds", "0,3", "--json", str(out)])
    bench_clicks.main()
    printed = capsys.readouterr().out
    assert "seed 0: samples 2" in printed and "seed 3: samples 2" in printed and "mean over the 2 seeds" in printed
    report = json.loads(out.read_text())
    assert sorted((f["name"], f["seed"]) for f in report["frames"]) == [("a", 0), ("a", 3), ("b", 0), ("b", 3)]
    per_seed = report["per_seed"]
    assert report["summary"]["NoC@90"] == pytest.approx((per_seed["0"]["NoC@90"] + per_seed["3"]["NoC@90"]) / 2)
    code, text = _exit(bench_clicks, monkeypatch, capsys, "--data", str(tmp_path), "--seeds", "0,x")
    assert code == 2 and "--seeds 0,x" in text


def test_a_box_first_then_clicks(tmp_path, bench_clicks, monkeypatch, capsys):
    # --box-first M: the box round the object widened by M px and clamped, as the first step.
    truth = np.zeros((50, 60), bool)
    truth[10:20, 30:58] = True
    assert bench_clicks.start_box(truth, 5) == (5, 25, 25, 60)
    assert bench_clicks.start_box(np.zeros((4, 4), bool), 5) is None
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    image, obj = _scene(2)
    Image.fromarray(image).save(tmp_path / "images" / "a.png")
    Image.fromarray(np.where(obj, 255, 0).astype(np.uint8)).save(tmp_path / "masks" / "a.png")
    out = tmp_path / "out.json"
    monkeypatch.setattr(sys, "argv", ["bench_clicks.py", "--data", str(tmp_path), "--max-clicks", "2", "--jobs", "1",
                                      "--box-first", "4", "--json", str(out)])
    bench_clicks.main()
    assert "a box 4 px round the object first" in capsys.readouterr().out
    frame = json.loads(out.read_text())["frames"][0]
    rows, cols = np.flatnonzero(obj.any(axis=1)), np.flatnonzero(obj.any(axis=0))
    assert frame["start_box"] == [rows[0] - 4, rows[-1] + 5, cols[0] - 4, cols[-1] + 5]
    assert len(frame["iou"]) == 2 and len(frame["clicks"]) <= 1  # the box, then at most one click
    assert frame["iou"][0] > 0.9  # a box round a plain disc


def test_a_negative_box_margin_is_one_line_exit_2(tmp_path, bench_clicks, monkeypatch, capsys):
    code, said = _exit(bench_clicks, monkeypatch, capsys, "--box-first", "-3")
    assert code == 2 and said.strip().startswith("--box-first -3: give a margin of 0 px or more")
