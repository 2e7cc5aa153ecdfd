"""What segmix writes, read by the tools a user takes it to, and what a failed write leaves
(helper interop, session 38)."""

import contextlib
import errno
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import segmix.io as segmix_io
from segmix.cli import main


@pytest.fixture()
def full_disk(monkeypatch):
    """segmix.io.atomic_write failing with ENOSPC on the writes ``fails(path)`` picks, as a full
    disk does (the error names the target)."""
    original = segmix_io.atomic_write
    lock = threading.Lock()
    state = {"fails": lambda path: False}

    @contextlib.contextmanager
    def atomic_write(path, *args, **kwargs):
        with lock:
            fail = state["fails"](Path(path))
        if fail:
            raise segmix_io._write_error(OSError(errno.ENOSPC, "No space left on device"), Path(path), None)
        with original(path, *args, **kwargs) as handle:
            yield handle

    monkeypatch.setattr(segmix_io, "atomic_write", atomic_write)

    def set_rule(fails):
        state["fails"] = fails

    return set_rule


def _frames(folder, n=6):
    folder.mkdir()
    for i in range(n):
        frame = np.full((10, 20, 3), 60, np.uint8)
        frame[2:6, 2 * i:2 * i + 4] = 220
        Image.fromarray(frame).save(folder / f"f{i}.png")


# ------------------------------------------------ background: the model after the masks fails
def test_background_whose_model_cannot_be_written_leaves_no_new_mask(tmp_path, full_disk, capsys):
    """A 600 kB tmpfs: the 30 masks fitted, --save-model did not ("error: bgm.json: cannot write
    (no space left on device)", exit 2) and the masks stayed, where README promises a run's
    outputs all or nothing ("per run elsewhere (background's masks too)")."""
    _frames(tmp_path / "frames")
    out = tmp_path / "o"
    full_disk(lambda path: path.name == "bgm.json")
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(out),
                 "--background-image", str(tmp_path / "bg.png"), "--save-model", str(tmp_path / "bgm.json")]) == 2
    assert "bgm.json: cannot write (no space left on device)" in capsys.readouterr().err
    assert not out.exists()  # the masks and the folder the run made
    assert not (tmp_path / "bg.png").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames"]


def test_background_model_failure_keeps_the_masks_an_earlier_run_wrote(tmp_path, full_disk, capsys):
    """Only what the failed run added goes: an earlier run's masks, and the folder, stay."""
    _frames(tmp_path / "frames")
    out = tmp_path / "o"
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(out), "--quiet"]) == 0
    (tmp_path / "frames" / "f6.png").write_bytes((tmp_path / "frames" / "f5.png").read_bytes())
    full_disk(lambda path: path.name == "bgm.json")
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(out),
                 "--save-model", str(tmp_path / "bgm.json")]) == 2
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == [f"f{i}.png" for i in range(6)]  # f6.png was new


def _earlier_masks(tmp_path, capsys):
    """A first run's masks, then each overwritten with a mark-bearing mask of other content
    (an earlier run with other settings), as (folder, {name: bytes})."""
    from segmix.background_run import save_foreground_mask

    _frames(tmp_path / "frames")
    out = tmp_path / "o"
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(out), "--quiet"]) == 0
    for path in out.iterdir():
        save_foreground_mask(path, np.full((10, 20), 255, np.uint8))
    capsys.readouterr()
    return out, {p.name: p.read_bytes() for p in out.iterdir()}


def test_a_failed_rerun_puts_back_the_masks_it_had_replaced(tmp_path, full_disk, capsys):
    """README: an output that fails "puts back those it had replaced ... per run elsewhere
    (background's masks too)"; a rerun whose --save-model failed left its own masks in place
    of the earlier run's, with other settings, under exit 2."""
    out, before = _earlier_masks(tmp_path, capsys)
    full_disk(lambda path: path.name == "bgm.json")
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(out), "--learning-rate", "0.2",
                 "--save-model", str(tmp_path / "bgm.json")]) == 2
    capsys.readouterr()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no backup left either


def test_a_rerun_failing_at_a_mask_puts_back_the_ones_it_had_replaced(tmp_path, full_disk, capsys):
    """The folder is not left half this run's, half the earlier run's."""
    out, before = _earlier_masks(tmp_path, capsys)
    full_disk(lambda path: path.name == "f4.png")
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(out), "--quiet"]) == 2
    capsys.readouterr()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_rerun_that_succeeds_replaces_the_masks_and_leaves_no_backup(tmp_path, capsys):
    out, before = _earlier_masks(tmp_path, capsys)
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(out), "--quiet",
                 "--save-model", str(tmp_path / "bgm.json")]) == 0
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(after) == sorted(before) and after["f3.png"] != before["f3.png"]


# ------------------------------------------ segment's probability map: what README says it is
def _two_object_photo(tmp_path):
    """A red square on grey and marks: foreground on the square, background on the grey and on
    a few pixels of a second red square, whose colour the models call foreground."""
    rng = np.random.default_rng(38)
    photo = np.clip(rng.normal(120, 6, (60, 80, 3)), 0, 255).astype(np.uint8)
    photo[20:40, 20:40] = (200, 40, 40)
    photo[5:15, 60:75] = (200, 40, 40)
    Image.fromarray(photo).save(tmp_path / "two.png")
    labels = np.zeros(photo.shape[:2], np.uint8)
    labels[25:35, 25:35] = 1
    labels[45:55, 5:75] = 2
    labels[8:11, 65:68] = 2
    Image.fromarray(labels).save(tmp_path / "marks.png")
    return tmp_path / "two.png", tmp_path / "marks.png"


def test_probability_map_formats_and_meaning_are_as_documented(tmp_path, capsys):
    photo, marks = _two_object_photo(tmp_path)
    base = ["segment", str(photo), "--scribbles", str(marks), "--quiet"]
    assert main([*base, "-o", str(tmp_path / "m.png"), "--probability", str(tmp_path / "p.png")]) == 0
    assert main([*base, "-o", str(tmp_path / "m2.png"), "--probability", str(tmp_path / "p.npy")]) == 0
    assert main([*base, "-o", str(tmp_path / "m3.png"), "--probability", str(tmp_path / "p.tif")]) == 0
    import tifffile

    p = np.load(tmp_path / "p.npy")
    assert p.dtype == np.float32 and p.ndim == 2 and 0 <= p.min() and p.max() <= 1
    assert np.array_equal(tifffile.imread(tmp_path / "p.tif"), p)
    png = np.asarray(Image.open(tmp_path / "p.png"))
    assert png.dtype == np.uint16
    assert np.array_equal(png, np.round(p.astype(np.float64) * 65535).astype(np.uint16))
    # The colour models' p(fg), not the cut's decision: the second square's pixels marked
    # background read foreground in the map, and are not in the mask.
    mask = np.asarray(Image.open(tmp_path / "m.png"))
    assert p[8:11, 65:68].min() > 0.5 and not mask[8:11, 65:68].any() and mask[25:35, 25:35].all()
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "16-bit PNG of p x 65535 rounded" in readme and "so the mask is not this map thresholded" in readme


# ------------------------------------- a label image given as a mask (ilastik's 1 / 2 export)
@pytest.mark.parametrize("values", [(1, 2), (0, 1, 2), (1, 2, 3)])
def test_a_label_image_given_as_a_mask_is_named_as_one(tmp_path, values):
    """ilastik's Simple Segmentation export (1 and 2) as a skin mask was told to threshold it
    "(for example v > 127 -> 255)", which makes every pixel negative."""
    from segmix.labelmaps import ImageLoadError, load_mask

    plane = np.zeros((8, 9), np.uint8)
    for i, value in enumerate(values):
        plane[i * 2:(i + 1) * 2 + (5 if i == len(values) - 1 else 0)] = value
    Image.fromarray(plane).save(tmp_path / "m.png")
    with pytest.raises(ImageLoadError) as caught:
        load_mask(tmp_path / "m.png")
    message = str(caught.value)
    assert "looks like a label image" in message and "v > 127" not in message
    assert "write the positive class as 255" in message


def test_a_resized_mask_still_gets_the_resizing_advice(tmp_path):
    from segmix.labelmaps import ImageLoadError, load_mask

    plane = np.zeros((8, 9), np.uint8)
    plane[:, 4:] = 255
    plane[:, 3] = 37
    plane[:, 4] = 180
    Image.fromarray(plane).save(tmp_path / "m.png")
    with pytest.raises(ImageLoadError, match="resizing with interpolation"):
        load_mask(tmp_path / "m.png")


def test_readers_of_a_16_bit_probability_map_give_what_readme_says(tmp_path):
    """README's Export section names the readers and flags that give the 16 bits."""
    cv2 = pytest.importorskip("cv2")
    import imageio.v3 as iio
    import skimage.io

    from segmix.io import save_probability

    p = np.linspace(0, 1, 12 * 10, dtype=np.float32).reshape(12, 10)
    path = tmp_path / "p.png"
    save_probability(path, p)
    expected = np.round(p.astype(np.float64) * 65535).astype(np.uint16)
    for read in (lambda: np.asarray(Image.open(path)), lambda: skimage.io.imread(path), lambda: iio.imread(path),
                 lambda: cv2.imread(str(path), cv2.IMREAD_UNCHANGED), lambda: cv2.imread(str(path), cv2.IMREAD_ANYDEPTH)):
        assert np.array_equal(read(), expected)
    default = cv2.imread(str(path))
    assert default.dtype == np.uint8 and default.shape == (12, 10, 3)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "`cv2.imread(p)` with its default flag gives 8-bit BGR" in readme


# ----------------------------------------- a 'min-is-white' TIFF mask (ImageJ's inverted LUT)
@pytest.mark.parametrize("dtype", [np.uint8, bool])
def test_a_min_is_white_tiff_mask_is_refused_not_read_inverted(tmp_path, dtype):
    """ImageJ saves a binary mask (object 255) with an inverting LUT: photometric min-is-white.
    Pillow read it inverted, so the object counted as background in skin eval / train, in
    silence, where tifffile and scikit-image read it as stored."""
    import tifffile

    from segmix.labelmaps import ImageLoadError, load_mask, load_scribbles

    plane = np.zeros((10, 12), np.uint8)
    plane[2:6, 3:8] = 255
    tifffile.imwrite(tmp_path / "m.tif", plane.astype(bool) if dtype is bool else plane, photometric="miniswhite")
    with pytest.raises(ImageLoadError, match="min-is-white"):
        load_mask(tmp_path / "m.tif")
    labels = np.zeros((10, 12), np.uint8)
    labels[2:6, 3:8], labels[8:, :] = 1, 2
    tifffile.imwrite(tmp_path / "s.tif", labels, photometric="miniswhite")
    with pytest.raises(ImageLoadError, match="min-is-white"):
        load_scribbles(tmp_path / "s.tif", (10, 12))


def test_a_min_is_black_tiff_mask_is_read_as_before(tmp_path):
    import tifffile

    from segmix.labelmaps import load_mask

    plane = np.zeros((10, 12), np.uint8)
    plane[2:6, 3:8] = 255
    tifffile.imwrite(tmp_path / "m.tif", plane, photometric="minisblack")
    assert (load_mask(tmp_path / "m.tif") == 1).sum() == 20


def test_one_stale_probability_map_is_said_in_the_singular(tmp_path, capsys):
    """"1 probability map of an earlier run stay in ... (e.g. x_skin_prob.png); they are ..."."""
    photo = tmp_path / "x.png"
    Image.fromarray(np.full((12, 16, 3), (200, 150, 120), np.uint8)).save(photo)
    out = tmp_path / "out"
    assert main(["skin", "apply", str(photo), "--output-dir", str(out), "--probability", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["skin", "apply", str(photo), "--output-dir", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert (f"warning: 1 probability map of an earlier run stays in {out} beside this run's masks "
            "(x_skin_prob.png); it is not of this run: add --probability to rewrite it, or remove it") in err


# ------------------------------------------------- outputs through links to what is gone
def test_an_output_folder_that_is_a_link_to_a_gone_folder_is_refused_before_the_work(tmp_path, capsys):
    """`skin apply photos --output-dir out` with out a link to a removed folder (an unmounted
    disk) did the work, then failed each photo with "skipped out: file exists"; background
    said "out: file exists"."""
    photo = tmp_path / "x.png"
    Image.fromarray(np.full((12, 16, 3), (200, 150, 120), np.uint8)).save(photo)
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "gone")
    assert main(["skin", "apply", str(photo), "--output-dir", str(link)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"segmix skin apply: error: --output-dir {link}: is a symbolic link to {tmp_path / 'gone'}, which "
                   "does not exist; give an existing folder or a new name"]
    _frames(tmp_path / "frames")
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(link)]) == 2
    assert "which does not exist; give an existing folder" in capsys.readouterr().err
    assert not (tmp_path / "gone").exists()


def test_an_output_file_linked_into_a_gone_folder_says_the_folder_does_not_exist(tmp_path, capsys):
    """`-o link.png` pointing into a removed folder: "cannot write in the folder ... (it takes no
    new files)", the words for /proc."""
    photo = tmp_path / "x.png"
    Image.fromarray(np.full((12, 16, 3), (200, 150, 120), np.uint8)).save(photo)
    link = tmp_path / "q.png"
    link.symlink_to(tmp_path / "gone" / "q.png")
    assert main(["quantize", str(photo), "-k", "2", "-o", str(link)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write in the folder {tmp_path / 'gone'} (it does not exist)" in err, err


# ------------------------- a failed run puts back outputs written more than 30 s before it
def _age(path, seconds=3600):
    """``path`` written an hour ago; and the folder listings of this process forgotten, as a
    new command's process starts without them (segmix.io lists a folder once a process)."""
    import os
    import time

    old = time.time() - seconds
    os.utime(path, (old, old))
    segmix_io._LEFTOVERS.clear()


def test_a_failed_segment_puts_back_an_output_written_long_before(tmp_path, full_disk, capsys):
    """all_or_nothing's backup of m.png is a hard link, sharing m.png's old mtime: the write of
    m.png took it for a killed run's leftover (older than 30 s) and removed it, so a run
    failing on --probability (a full disk; exit 2) left its new mask in m.png."""
    photo, marks = _two_object_photo(tmp_path)
    mask = tmp_path / "m.png"
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(mask), "--quiet"]) == 0
    _age(mask)
    before = mask.read_bytes()
    full_disk(lambda path: path.name == "p.npy")
    assert main(["segment", str(photo), "--scribbles", str(marks), "-o", str(mask), "--probability",
                 str(tmp_path / "p.npy"), "--smoothing", "none", "--quiet"]) == 2
    assert "p.npy: cannot write (no space left on device)" in capsys.readouterr().err
    assert mask.read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_skin_apply_photo_puts_back_its_earlier_outputs_written_long_before(tmp_path, full_disk, capsys):
    photo = tmp_path / "x.png"
    Image.fromarray(np.full((12, 16, 3), (200, 150, 120), np.uint8)).save(photo)
    out = tmp_path / "out"
    assert main(["skin", "apply", str(photo), "--output-dir", str(out), "--probability", "--quiet"]) == 0
    from segmix import skin

    skin._write_png(out / "x_skin.png", np.zeros((12, 16), np.uint8), ())  # "an earlier run's", other content
    for path in out.iterdir():
        _age(path)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    full_disk(lambda path: path.name == "x_skin_prob.png")
    assert main(["skin", "apply", str(photo), "--output-dir", str(out), "--probability", "--quiet"]) == 2
    capsys.readouterr()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_failed_background_rerun_puts_back_masks_written_long_before(tmp_path, full_disk, capsys):
    out, before = _earlier_masks(tmp_path, capsys)
    for path in out.iterdir():
        _age(path)
    full_disk(lambda path: path.name == "bgm.json")
    assert main(["background", str(tmp_path / "frames"), "--output-dir", str(out),
                 "--save-model", str(tmp_path / "bgm.json"), "--quiet"]) == 2
    capsys.readouterr()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
