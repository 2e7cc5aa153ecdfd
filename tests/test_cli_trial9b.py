"""Command-line and start-up defects from the session-9 new-user trial (second set).

1. ``skin apply clash --output-dir clash`` with photos ``x.png`` and ``x_skin.png`` wrote
   x.png's mask over the photo x_skin.png (exit 0): a file named like an output was left out of
   the photos by its name alone. Every output of a batch is now named before the work and
   refused (exit 2, one line naming both files) when it is an input of the run or when two
   outputs share a name: skin apply (also ``--distributed``, before a cluster starts) and
   background (masks against frames, ground truth and ``--background-image``; ``--distributed``
   output folders against the sequences and ``--model``).
2. Without a display the window aborted (exit 134) with Qt's lines about xcb-cursor0, and
   ``segmix missing.jpg`` did not say that the file was missing.
3. A scribble file marking every pixel one class was refused in the window's words ("no
   background scribbles: paint some background pixels first"), without the file's name.
4. Scribbles in RGB with R = G = B, 16-bit and palette PNGs are read as their labels (README
   said single-channel only).
"""

import sys

import numpy as np
import pytest
from PIL import Image

from segmix import cli, skin
from segmix.cli import main
from segmix.labelmaps import load_scribbles


def _photo(h=30, w=40, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (h, w, 3)).astype(np.uint8)


def _err_lines(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture()
def no_cluster(monkeypatch):
    """--distributed runs whose checks must refuse before a cluster is asked for."""
    monkeypatch.setattr(cli, "_dask_client", lambda *a, **k: pytest.fail("a cluster was started"))


# ------------------------------------------------------------------- 1. skin apply
@pytest.mark.parametrize("distributed", [False, True])
def test_a_photo_named_like_another_photos_mask_is_not_replaced(tmp_path, capsys, no_cluster, distributed):
    folder = tmp_path / "clash"
    folder.mkdir()
    Image.fromarray(_photo(seed=1)).save(folder / "x.png")
    Image.fromarray(_photo(seed=2)).save(folder / "x_skin.png")  # a photo, not a mask
    before = _snapshot(folder)
    argv = ["skin", "apply", str(folder), "--output-dir", str(folder), "--quiet"]
    assert main(argv + (["--distributed"] if distributed else [])) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1
    assert lines[0].startswith(f"segmix skin apply: error: {folder / 'x_skin.png'}: the mask of {folder / 'x.png'} "
                               "would replace an input of this run; give another --output-dir")
    assert _snapshot(folder) == before


def test_a_data_sets_own_mask_named_like_an_output_is_an_input(tmp_path, capsys):
    """A 0/255 greyscale x_skin.png looks like a mask but skin apply did not write it (no mark):
    it may be the data set's ground truth, and is not replaced."""
    folder = tmp_path / "data"
    folder.mkdir()
    Image.fromarray(_photo()).save(folder / "x.jpg")
    mask = np.zeros((30, 40), np.uint8)
    mask[:, :20] = 255
    Image.fromarray(mask).save(folder / "x_skin.png")
    before = _snapshot(folder)
    assert main(["skin", "apply", str(folder), "--output-dir", str(folder), "--quiet"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "x_skin.png: the mask of" in lines[0] and "x.jpg" in lines[0]
    assert _snapshot(folder) == before


def test_the_probability_map_of_one_photo_may_not_replace_another(tmp_path, capsys):
    folder = tmp_path / "p"
    folder.mkdir()
    Image.fromarray(_photo(seed=3)).save(folder / "x.png")
    Image.fromarray(_photo(seed=4)).save(folder / "x_skin_prob.png")
    before = _snapshot(folder)
    assert main(["skin", "apply", str(folder), "--output-dir", str(folder), "--probability", "--quiet"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and f"{folder / 'x_skin_prob.png'}: the probability map of {folder / 'x.png'}" in lines[0]
    assert _snapshot(folder) == before


@pytest.mark.parametrize("distributed", [False, True])
def test_two_photos_of_one_stem_are_refused_naming_both(tmp_path, capsys, no_cluster, distributed):
    folder = tmp_path / "stems"
    folder.mkdir()
    Image.fromarray(_photo(seed=5)).save(folder / "y.png")
    Image.fromarray(_photo(seed=6)).save(folder / "y.jpg")
    out = tmp_path / "out"
    assert main(["skin", "apply", str(folder), "--output-dir", str(out), "--quiet"]
                + (["--distributed"] if distributed else [])) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1
    assert lines[0].startswith(f"segmix skin apply: error: {out / 'y_skin.png'}: both the mask of {folder / 'y.jpg'} "
                               f"and the mask of {folder / 'y.png'} would write it; rename one of the photos")
    assert not out.exists()


def test_skin_apply_marks_its_outputs_and_only_marked_files_are_left_out(tmp_path):
    """The mark that lets a rerun into the photos' folder leave its own masks alone."""
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(_photo()).save(folder / "a.png")
    ours = folder / "a_skin.png"
    skin._write_png(ours, np.zeros((30, 40), np.uint8), (folder / "a.png",))
    assert skin.written_by_apply(ours)
    files, _ = skin.plan_batch([folder], folder)
    assert files == [folder / "a.png"]
    Image.fromarray(np.zeros((30, 40), np.uint8)).save(ours)  # the same pixels, not written by skin apply
    assert not skin.written_by_apply(ours)
    with pytest.raises(ValueError, match="would replace an input of this run"):
        skin.plan_batch([folder], folder)


def test_masks_an_earlier_run_wrote_into_the_photos_folder_are_not_photos_of_the_next(tmp_path, capsys):
    """A trial ran ``skin apply mixed --output-dir mixed``, then ``skin apply mixed --output-dir
    other``: the second took the first's masks for photos (masks of masks, x_skin_skin.png, and
    a "greyscale photo" warning each). Marked files in a folder are never photos; a marked
    file named on its own still is; an unmarked x_skin.png is a photo like any other."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    Image.fromarray(_photo(seed=1)).save(folder / "a.png")
    Image.fromarray(_photo(seed=2)).save(folder / "b.jpg")
    assert main(["skin", "apply", str(folder), "--output-dir", str(folder), "--probability", "--quiet"]) == 0
    Image.fromarray(_photo(seed=3)).save(folder / "c_skin.png")  # the user's own photo of that name
    capsys.readouterr()
    other = tmp_path / "other"
    assert main(["skin", "apply", str(folder), "--output-dir", str(other), "--quiet"]) == 0
    assert sorted(p.name for p in other.iterdir()) == ["a_skin.png", "b_skin.png", "c_skin_skin.png"]
    assert "greyscale" not in capsys.readouterr().err
    files, _ = skin.plan_batch([folder, folder / "a_skin.png"], tmp_path / "third")
    assert sorted(f.name for f in files) == ["a.png", "a_skin.png", "b.jpg", "c_skin.png"]


def test_skin_apply_star_over_its_own_masks_says_what_to_do(tmp_path, capsys, monkeypatch):
    """`skin apply *` in a folder of earlier masks names each mask as a photo: the refusal said
    "a file named like an output is a photo unless skin apply wrote it", which it had (a trial)."""
    monkeypatch.chdir(tmp_path)
    Image.fromarray(_photo(seed=4)).save("a.png")
    assert main(["skin", "apply", "a.png", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["skin", "apply", "a.png", "a_skin.png", "--quiet"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "a_skin.png is a mask skin apply wrote, named here as a photo" in lines[0]
    assert "give the folder instead of its files" in lines[0] and "unless skin apply wrote it" not in lines[0]


# ------------------------------------------------------------------- 1. background
def _frames(folder, names, value=0):
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        Image.fromarray(np.full((8, 8, 3), value + 10 * i, np.uint8)).save(folder / name)


def test_background_masks_may_not_replace_ground_truth(tmp_path, capsys):
    frames, gt = tmp_path / "frames", tmp_path / "gt"
    _frames(frames, ["0001.png", "0002.png", "0003.png"])
    gt.mkdir()
    for name in ("0001.png", "0002.png", "0003.png"):
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(gt / name)
    before = _snapshot(gt)
    assert main(["background", str(frames), "--output-dir", str(gt), "--groundtruth", str(gt), "--quiet"]) == 2
    lines = _err_lines(capsys)
    # Refused as one folder given twice (trial 27), before any mask name is compared.
    assert lines == [f"segmix background: error: --output-dir {gt} and --groundtruth {gt} are the same folder; "
                     "write the masks to another --output-dir"]
    assert _snapshot(gt) == before


def test_background_image_may_not_share_a_masks_name(tmp_path, capsys):
    frames, out = tmp_path / "frames", tmp_path / "out"
    _frames(frames, ["f1.png", "f2.png"])
    assert main(["background", str(frames), "--output-dir", str(out), "--background-image", str(out / "f2.png"),
                 "--quiet"]) == 2
    assert _err_lines(capsys) == [f"segmix background: error: {out / 'f2.png'}: both the mask of {frames / 'f2.png'} "
                                  "and --background-image would write it; give --background-image another file name"]
    assert not out.exists()


def test_background_image_may_not_share_an_animation_masks_name(tmp_path, capsys):
    clip, out = tmp_path / "clip.gif", tmp_path / "out"
    out.mkdir()
    images = [Image.fromarray(np.full((8, 8, 3), 40 * i, np.uint8)) for i in range(3)]
    images[0].save(clip, save_all=True, append_images=images[1:])
    assert main(["background", str(clip), "--output-dir", str(out), "--background-image",
                 str(out / "frame_000002.png"), "--quiet"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and f"{out / 'frame_000002.png'}: both the mask of frame 2 of {clip}" in lines[0]
    assert list(out.iterdir()) == []
    # Another name passes: the check does not refuse a sound run.
    assert main(["background", str(clip), "--output-dir", str(out), "--background-image", str(tmp_path / "bg.png"),
                 "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["frame_000001.png", "frame_000002.png", "frame_000003.png"]


def test_background_distributed_refuses_a_model_inside_an_output_folder_before_a_cluster(tmp_path, capsys,
                                                                                        no_cluster):
    _frames(tmp_path / "cam1", ["a.png", "b.png"])
    model = tmp_path / "masks" / "cam1" / "m.json"
    model.parent.mkdir(parents=True)
    model.write_text("{}")
    assert main(["background", str(tmp_path / "cam1"), "--output-dir", str(tmp_path / "masks"), "--model", str(model),
                 "--distributed"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "would replace the input" in lines[0] and str(model) in lines[0]
    assert model.read_text() == "{}"


def test_background_distributed_refuses_two_sequences_of_one_name_before_a_cluster(tmp_path, capsys, no_cluster):
    _frames(tmp_path / "a" / "cam", ["f1.png", "f2.png"])
    _frames(tmp_path / "b" / "cam", ["f1.png", "f2.png"])
    assert main(["background", str(tmp_path / "a" / "cam"), str(tmp_path / "b" / "cam"), "--output-dir",
                 str(tmp_path / "masks"), "--distributed"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "would both write" in lines[0]
    assert not (tmp_path / "masks").exists()


# ------------------------------------------------------------------- 2. the window without a display
@pytest.fixture()
def headless(monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")


@pytest.fixture()
def x_sockets(monkeypatch, tmp_path):
    """An X socket folder with display :0 only, and no abstract sockets."""
    folder = tmp_path / "x11"
    folder.mkdir()
    (folder / "X0").write_text("")
    monkeypatch.setattr(cli, "X11_SOCKET_DIR", str(folder))
    monkeypatch.setattr(cli, "PROC_NET_UNIX", str(tmp_path / "unix"))
    (tmp_path / "unix").write_text("Num RefCount Protocol Flags Type St Inode Path\n")
    # and a Wayland compositor's socket wayland-0 (a WAYLAND_DISPLAY with no socket is refused)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "wayland-0").write_text("")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    return folder


@pytest.fixture()
def window(monkeypatch):
    import segmix.gui.app

    opened = []
    monkeypatch.setattr(segmix.gui.app, "run_app", lambda path=None: opened.append(path) or 0)
    return opened


@pytest.mark.parametrize("argv", [[], ["open"]])
def test_no_display_is_one_line_not_a_qt_abort(headless, window, capsys, argv):
    assert main(argv) == 2
    assert _err_lines(capsys) == ["segmix: error: no display (DISPLAY is not set): the window needs a desktop "
                                  "session; the command line works without one: segmix --help"]
    assert window == []


@pytest.mark.parametrize("argv", [["missing.jpg"], ["open", "missing.jpg"]])
def test_a_missing_photo_is_named_first_with_or_without_a_display(headless, window, x_sockets, capsys, monkeypatch,
                                                                  tmp_path, argv):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert _err_lines(capsys) == ["segmix: error: missing.jpg: no such file"]
    monkeypatch.setenv("DISPLAY", ":0")
    assert main(argv) == 2
    assert _err_lines(capsys) == ["segmix: error: missing.jpg: no such file"]
    assert window == []


def test_a_file_that_is_no_photo_is_named_before_the_window(headless, window, capsys, tmp_path):
    (tmp_path / "notes.jpg").write_text("shopping list")
    (tmp_path / "empty.png").write_bytes(b"")
    assert main([str(tmp_path / "notes.jpg")]) == 2
    assert _err_lines(capsys) == [f"segmix: error: {tmp_path / 'notes.jpg'}: is a text file, not an image "
                                  "(it starts with 'shopping list')"]
    assert main([str(tmp_path / "empty.png")]) == 2
    assert _err_lines(capsys) == [f"segmix: error: {tmp_path / 'empty.png'}: the file is empty (0 bytes)"]
    assert window == []


@pytest.mark.parametrize("variable, value", [("DISPLAY", ":0"), ("WAYLAND_DISPLAY", "wayland-0"),
                                             ("QT_QPA_PLATFORM", "offscreen")])
def test_a_display_or_a_chosen_platform_opens_the_window(headless, window, x_sockets, monkeypatch, tmp_path, variable,
                                                         value):
    photo = tmp_path / "p.png"
    Image.fromarray(_photo()).save(photo)
    monkeypatch.setenv(variable, value)
    assert main([str(photo)]) == 0 and main([]) == 0
    assert window == [str(photo), None]


def test_a_display_naming_no_running_x_server_is_one_line(headless, window, x_sockets, capsys, monkeypatch, tmp_path):
    # A verification's DISPLAY=:99 after its Xvfb had stopped: Qt aborted (exit 134).
    monkeypatch.setenv("DISPLAY", ":99")
    assert main([]) == 2
    assert _err_lines(capsys) == [f"segmix: error: no display: DISPLAY=:99 names no running X server (no socket "
                                  f"{x_sockets}/X99); start one, or unset DISPLAY; the command line works without "
                                  "one: segmix --help"]
    assert window == []
    # The same display as an abstract socket (no file) is reachable; so are :0 and its screens.
    (tmp_path / "unix").write_text(f"0000: 00000002 00000000 00010000 0001 01 123 @{x_sockets}/X99\n")
    assert main([]) == 0
    (tmp_path / "unix").write_text("")
    for display in (":0", ":0.1", "unix:0"):
        monkeypatch.setenv("DISPLAY", display)
        assert main([]) == 0
    # Remote displays, Wayland and a chosen platform are left to Qt.
    for variable, value in (("DISPLAY", "localhost:10.0"), ("WAYLAND_DISPLAY", "wayland-0"),
                            ("QT_QPA_PLATFORM", "offscreen")):
        monkeypatch.setenv("DISPLAY", ":99")
        monkeypatch.setenv(variable, value)
        assert main([]) == 0
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    assert len(window) == 7


def test_display_missing_only_where_x11_or_wayland_is_needed():
    assert cli.display_missing({}, "linux")
    assert cli.display_missing({"DISPLAY": ""}, "linux")  # set but empty: none
    assert not cli.display_missing({"DISPLAY": ":1"}, "linux")
    assert not cli.display_missing({}, "win32") and not cli.display_missing({}, "darwin")


# ------------------------------------------------------------------- 3. scribbles of one class
@pytest.fixture()
def scene(tmp_path):
    Image.fromarray(_photo()).save(tmp_path / "p.png")
    return tmp_path


@pytest.mark.parametrize("value, said", [
    (1, "every pixel is marked foreground (1); leave the pixels to classify unmarked (0) and mark some "
        "background (2)"),
    (2, "every pixel is marked background (2); leave the pixels to classify unmarked (0) and mark some "
        "foreground (1)"),
    (0, "no scribbles (every pixel is 0 = unmarked); mark foreground (1) or background (2) pixels"),
])
def test_scribbles_of_one_class_are_refused_naming_the_file(scene, capsys, value, said):
    scribbles = scene / "scr.png"
    Image.fromarray(np.full((30, 40), value, np.uint8)).save(scribbles)
    assert main(["segment", str(scene / "p.png"), "--scribbles", str(scribbles), "-o", str(scene / "m.png")]) == 2
    assert _err_lines(capsys) == [f"segmix segment: error: {scribbles}: {said}"]
    assert not (scene / "m.png").exists()


def test_every_pixel_marked_with_both_classes_is_no_refusal():
    labels = np.ones((4, 4), np.uint8)
    labels[:, 2:] = 2
    assert cli.scribble_refusal(labels) is None
    labels[0, 0] = 0
    assert cli.scribble_refusal(labels) is None


# ------------------------------------------------------------------- 4. what scribble files may be
def test_grey_rgb_16_bit_and_palette_scribbles_read_as_their_labels(tmp_path):
    labels = np.zeros((30, 40), np.uint8)
    labels[5:15, 5:20] = 1
    labels[20:28, 25:38] = 2
    Image.fromarray(np.stack([labels] * 3, axis=-1)).save(tmp_path / "rgb.png")
    Image.fromarray(labels.astype(np.uint16)).save(tmp_path / "u16.png")
    Image.fromarray(labels).convert("P").save(tmp_path / "pal.png")
    assert Image.open(tmp_path / "u16.png").mode.startswith("I")
    assert Image.open(tmp_path / "pal.png").mode == "P"
    for name in ("rgb.png", "u16.png", "pal.png"):
        np.testing.assert_array_equal(load_scribbles(tmp_path / name, labels.shape), labels)
    colour = np.stack([labels] * 3, axis=-1)
    colour[6, 7] = (0, 0, 255)
    Image.fromarray(colour).save(tmp_path / "colour.png")
    with pytest.raises(ValueError, match=r"colour.png: scribbles must be single-channel greyscale \(or grey RGB, "
                                         r"R = G = B\), but this is a colour RGB image \(pixel \(x=7, y=6\)"):
        load_scribbles(tmp_path / "colour.png", labels.shape)
