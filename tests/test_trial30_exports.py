"""Faults a new-user trial (session 30) found exporting segmix's results and reading them back
with segmix and other tools, one test or more for each kind:

1. A file segmix itself wrote (``segment``'s 16-bit probability map or mask, a ``quantize``
   output, ``skin apply``'s probability map) given as ``--scribbles`` was refused in the label
   rules' words: "found 3, 4, 5, ... (the file looks resized with interpolation or lossily
   compressed)" for the probability map, "found 255" for the mask. It is now named as what
   segmix wrote ("is a probability map written by segmix segment, not scribbles").
2. A NumPy array file (``.npy``, as ``segment --probability p.npy`` writes) given where an
   image goes was "not an image although its name ends in .npy: ... the file may be damaged";
   it is named as a NumPy array, with how to save one as an image.
3. ``--cutout`` (and the window's Export Cut-out) dropped the photo's resolution, which
   ``quantize`` keeps: the cut-out of a 300 dpi photo read as 72 dpi, so an editor that places
   an image by its resolution sized it over four times the photo. The resolution is now read
   in the displayed orientation (a quarter-turn EXIF tag swaps across and down), for
   ``quantize`` too.
4. ``skin apply`` on a folder where a photo had been segmented (``x_mask.png``,
   ``x_probability.png``, ``x_cutout.png`` and the marks ``x_scribbles.png`` beside ``x.jpg``,
   the window's default names) took them for photos: "wrote masks of 5 photos", three
   "greyscale photo" warnings and masks of masks. They are left out, and the folder note
   says so. ``skin eval`` / ``skin train`` no longer count skin apply's masks written beside
   the photos as photos without a mask ("2 image(s) ... have no mask ... (first: 001_skin.png)").
5. ``background FRAMES/ --background-image FRAMES/bg.png`` wrote the image among the frames,
   and the next run of the folder read it as its first frame ("7 frames" of 6). It is refused
   before the work, as masks written there are.
"""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.io import ImageLoadError, save_labels
from segmix.labelmaps import load_scribbles

from tests.test_cli_segment import _photo, _scribbles
from tests.test_cli_trial27 import _error, _frames


def _segment_outputs(folder):
    """photo.png, s.png and segment's mask, probability maps and cut-out of them in ``folder``."""
    rgb, _ = _photo()
    Image.fromarray(rgb).save(folder / "photo.png")
    save_labels(folder / "s.png", _scribbles())
    assert main(["segment", str(folder / "photo.png"), "--scribbles", str(folder / "s.png"),
                 "-o", str(folder / "m.png"), "--probability", str(folder / "p.png"),
                 "--cutout", str(folder / "c.png")]) == 0
    assert main(["segment", str(folder / "photo.png"), "--scribbles", str(folder / "s.png"),
                 "-o", str(folder / "m2.png"), "--probability", str(folder / "p.tif")]) == 0
    assert main(["segment", str(folder / "photo.png"), "--scribbles", str(folder / "s.png"),
                 "-o", str(folder / "m3.png"), "--probability", str(folder / "p.npy")]) == 0
    return rgb


# ------------------------------------------------- 1. segmix's own outputs given as scribbles
@pytest.mark.parametrize("name, what", [
    ("p.png", "a probability map written by segmix segment"),
    ("p.tif", "a probability map written by segmix segment"),
    ("m.png", "a mask written by segmix segment"),
    ("c.png", "a cut-out written by segmix segment"),
])
def test_segments_own_output_given_as_scribbles_is_named_as_such(tmp_path, capsys, monkeypatch, name, what):
    _segment_outputs(tmp_path)
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "photo.png", "--scribbles", name, "-o", "again.png"]) == 2
    line = _error(capsys, "segment")
    assert line.startswith(f"{name}: is {what}, not scribbles"), line
    assert "resized" not in line and "found" not in line and "transparent" not in line, line
    assert not (tmp_path / "again.png").exists()


def test_a_quantize_output_given_as_scribbles_is_named_too(tmp_path, capsys, monkeypatch):
    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    monkeypatch.chdir(tmp_path)
    assert main(["quantize", "photo.png", "-k", "8", "-o", "q.png"]) == 0
    capsys.readouterr()
    with pytest.raises(ImageLoadError, match=r"q\.png: is an image written by segmix quantize, not scribbles"):
        load_scribbles("q.png", rgb.shape[:2])


def test_scribbles_segmix_saved_and_other_files_keep_their_words(tmp_path):
    # Label files carry no output mark: they load; a foreign 0/255 file keeps the rules' line.
    labels = _scribbles()
    save_labels(tmp_path / "s.png", labels)
    assert np.array_equal(load_scribbles(tmp_path / "s.png", labels.shape), labels)
    Image.fromarray(labels * np.uint8(100)).save(tmp_path / "foreign.png")
    with pytest.raises(ImageLoadError, match=r"scribble labels must be 0 \(unlabelled\)"):
        load_scribbles(tmp_path / "foreign.png", labels.shape)


# ------------------------------------------------- 2. a NumPy array where an image goes
def test_a_npy_label_array_given_as_scribbles_is_named_a_numpy_array(tmp_path, capsys, monkeypatch):
    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    np.save(tmp_path / "labels.npy", _scribbles())
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "photo.png", "--scribbles", "labels.npy", "-o", "m.png"]) == 2
    line = _error(capsys, "segment")
    assert line.startswith("labels.npy: is a NumPy array file (.npy), not an image; save the array as a PNG"), line
    assert "damaged" not in line


def test_segments_npy_probability_given_as_a_model_is_named_a_numpy_array(tmp_path, capsys, monkeypatch):
    _segment_outputs(tmp_path)
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "photo.png", "--model", "p.npy", "-o", "again.png"]) == 2
    line = _error(capsys, "segment")
    assert line.startswith("p.npy: is a NumPy array file (.npy), not a segmix model"), line


# ------------------------------------------------- 3. the cut-out keeps the photo's resolution
def test_the_cutout_keeps_the_photos_resolution(tmp_path, monkeypatch):
    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.jpg", quality=95, dpi=(300, 300))
    save_labels(tmp_path / "s.png", _scribbles())
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "photo.jpg", "--scribbles", "s.png", "-o", "m.png", "--cutout", "c.png"]) == 0
    with Image.open(tmp_path / "c.png") as cut:
        assert cut.mode == "RGBA"
        assert np.allclose(cut.info.get("dpi", (0, 0)), (300, 300), atol=0.05), cut.info


def test_the_mask_and_probability_map_keep_the_photos_resolution(tmp_path, monkeypatch):
    # Found by the trial, fixed after it: only the cut-out kept it, so a mask laid over its
    # 300 dpi photo in an editor that places images by resolution came out over 4x as large.
    import tifffile

    rgb, _ = _photo()
    Image.fromarray(rgb).save(tmp_path / "photo.jpg", quality=95, dpi=(300, 300))
    save_labels(tmp_path / "s.png", _scribbles())
    monkeypatch.chdir(tmp_path)
    assert main(["segment", "photo.jpg", "--scribbles", "s.png", "-o", "m.png", "--probability", "p.png"]) == 0
    assert main(["segment", "photo.jpg", "--scribbles", "s.png", "-o", "m2.png", "--probability", "p.tif"]) == 0
    for name in ("m.png", "p.png", "p.tif"):
        with Image.open(tmp_path / name) as im:
            assert np.allclose(im.info.get("dpi", (0, 0)), (300, 300), atol=0.05), (name, im.info)
    assert tifffile.imread(tmp_path / "p.tif").dtype == np.float32  # still the float map
    # A photo without a resolution gives files without one (no invented 72 dpi).
    Image.fromarray(rgb).save(tmp_path / "plain.png")
    assert main(["segment", "plain.png", "--scribbles", "s.png", "-o", "m3.png"]) == 0
    with Image.open(tmp_path / "m3.png") as im:
        assert "dpi" not in im.info


def test_a_quarter_turned_photos_resolution_is_of_its_displayed_sides(tmp_path):
    from segmix.io import load_image_info, save_cutout

    rgb, _ = _photo()  # 40 x 60 displayed; stored turned, 60 x 40, at 300 across and 150 down
    exif = Image.Exif()
    exif[0x0112] = 6  # turn 90 degrees clockwise to display
    stored = Image.fromarray(rgb).transpose(Image.Transpose.ROTATE_90)
    stored.save(tmp_path / "turned.jpg", quality=95, dpi=(300, 150), exif=exif.tobytes())
    loaded = load_image_info(tmp_path / "turned.jpg")
    assert loaded.pixels.shape[:2] == rgb.shape[:2]
    assert loaded.dpi == (150.0, 300.0)
    save_cutout(tmp_path / "c.png", loaded.pixels, np.ones(rgb.shape[:2], bool), dpi=loaded.dpi)
    with Image.open(tmp_path / "c.png") as cut:
        assert np.allclose(cut.info["dpi"], (150, 300), atol=0.05)


# ------------------------------------------------- 4. skin apply leaves segmix's results out
def test_skin_apply_leaves_segments_results_and_marks_files_out_of_the_photos(tmp_path, capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    rgb, _ = _photo()
    Image.fromarray(rgb).save(folder / "x.png")
    save_labels(folder / "x_scribbles.png", _scribbles())
    assert main(["segment", str(folder / "x.png"), "--scribbles", str(folder / "x_scribbles.png"),
                 "-o", str(folder / "x_mask.png"), "--probability", str(folder / "x_probability.png"),
                 "--cutout", str(folder / "x_cutout.png")]) == 0
    capsys.readouterr()
    assert main(["skin", "apply", str(folder), "--output-dir", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["x_skin.png"]
    assert "wrote masks of 1 photo to" in captured.out, captured.out
    assert "greyscale photo" not in captured.err, captured.err
    assert "4 masks, probability maps, cut-outs or marks files segmix wrote" in captured.err, captured.err
    # Named on the command line, such a file is a photo, as ever.
    assert main(["skin", "apply", str(folder / "x_cutout.png"), "--output-dir", str(tmp_path / "out2"),
                 "--quiet"]) == 0
    assert (tmp_path / "out2" / "x_cutout_skin.png").is_file()


def test_skin_eval_does_not_count_skin_applys_masks_beside_the_photos_as_photos(tmp_path, capsys):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        photo = np.full((30, 40, 3), (60, 90, 160), np.uint8)
        photo[5:25, 10:30] = (225, 170, 140)
        photo = np.clip(photo + rng.normal(0, 4, photo.shape), 0, 255).astype(np.uint8)
        Image.fromarray(photo).save(images / f"{name}.png")
        mask = np.zeros((30, 40), np.uint8)
        mask[5:25, 10:30] = 255
        Image.fromarray(mask).save(masks / f"{name}.png")
    assert main(["skin", "apply", str(images), "--output-dir", str(images), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 0
    captured = capsys.readouterr()
    assert "have no mask" not in captured.err, captured.err
    assert captured.out.startswith("images 2,"), captured.out


# ------------------------------------------------- 5. --background-image among the frames
def test_background_image_among_the_frames_is_refused_before_the_work(tmp_path, capsys, monkeypatch):
    _frames(tmp_path / "frames")
    monkeypatch.chdir(tmp_path)
    assert main(["background", "frames", "--background-image", "frames/bg.png", "--quiet"]) == 2
    line = _error(capsys, "background")
    assert line.startswith("--background-image frames/bg.png: is in the folder of the frames;"), line
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [f"in{i:06d}.png" for i in range(1, 7)]
    # Elsewhere it is written, and frames named one by one may share its folder (no folder is read).
    assert main(["background", "frames", "--background-image", "bg.png", "--quiet"]) == 0
    assert (tmp_path / "bg.png").is_file()
    assert main(["background", "frames/in000001.png", "frames/in000002.png", "--background-image",
                 "frames/bg2.png", "--quiet"]) == 0
