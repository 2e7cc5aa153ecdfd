"""Video mode, session 48 (a new user's trial): exports among symlinked frames, frames named by
time, an oversized frame in a folder, the Video menu's Open items, a portrait clip's dock."""

import sys
from pathlib import Path

import numpy as np
from PIL import Image

from test_video_trial26 import _open

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from test_video48 import _frames, _linked  # noqa: E402  the command line's tests' frame folders


# ------------------------------------------------- 1. exports among symlinked frames
def test_exports_among_symlinked_frames_are_refused(make_window, qtbot, tmp_path, messages):
    """The window compared the frames' resolved files' folder: a background image or a mask
    saved among links to frames was written, and read as a frame when the folder was opened again."""
    links = _linked(tmp_path)
    window = make_window()
    mode = _open(qtbot, window, links)
    for name in ("bg.png", "in000001_mask.png"):
        refusal = mode.export_refusal(links / name, "cutout")
        assert refusal is not None and "is the folder of the frames" in refusal, refusal
    assert mode.export_refusal(links / "in000001.jpg", "mask").startswith(f"{links / 'in000001.jpg'} is frame 1")
    assert mode.export_refusal(tmp_path / "bg.png", "cutout") is None
    assert not mode.export_background_image(links / "bg.png")
    assert messages and "is the folder of the frames" in messages[-1][1], messages
    assert sorted(p.name for p in links.iterdir()) == [f"in{i:06d}.jpg" for i in range(1, 9)]
    # Export All Masks into the folder of links is refused as the command line's --output-dir.
    messages.clear()
    mode.export_masks(links)
    qtbot.waitUntil(lambda: not mode._exporting, timeout=60000)
    assert sorted(p.name for p in links.iterdir()) == [f"in{i:06d}.jpg" for i in range(1, 9)]
    assert messages and "is the input folder" in messages[-1][1], messages


# ------------------------------------------------- 2. frames named by time
def test_frames_named_by_time_are_numbered_by_their_place_in_the_dock(make_window, qtbot, tmp_path):
    """The dock read "cam1_2024-05-01_12-01-40.jpg (frame 40)" beside "frame 11 / 20": the
    seconds in the names were taken for frame numbers, several files sharing each."""
    names = [f"cam1_2024-05-01_12-{i * 10 // 60:02d}-{i * 10 % 60:02d}" for i in range(20)]
    folder = tmp_path / "ts"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in names:
        Image.fromarray((80 + rng.integers(0, 4, (24, 32, 3))).astype(np.uint8)).save(folder / f"{name}.jpg")
    window = make_window()
    mode = _open(qtbot, window, folder)
    for index in (1, 7, 11, 20):
        assert mode._file_line_text(index) == f"frame {index}: {names[index - 1]}.jpg"
    # CDnet's names keep their own numbers.
    cdnet = tmp_path / "cdnet"
    _frames(cdnet, 3, name="in{:06d}.jpg")
    for path in sorted(cdnet.iterdir()):
        path.rename(path.with_name(f"in{int(path.stem[2:]) + 469:06d}.jpg"))
    mode = _open(qtbot, window, cdnet)
    assert mode._file_line_text(2) == "in000471.jpg (frame 471 by its name)"


# ------------------------------------------------- 4. a frame over the pixel limit
def test_a_frame_over_the_pixel_limit_is_said_in_frame_folder_words(make_window, qtbot, tmp_path, messages):
    """The window said "Resize it in an image editor to at most 15,118 x 13,228 pixels ... and
    open it again", a photo's advice for one frame that, scaled down alone, would still be
    skipped for its size."""
    from segmix.gui.modes.video import skip_text
    from test_video48 import huge_png

    folder = tmp_path / "huge"
    _frames(folder, 6)
    huge_png(folder / "in000007.png")
    window = make_window()
    notes = []
    window.statusBar().messageChanged.connect(lambda text: notes.append(text) if "Skipped" in text else None)
    mode = _open(qtbot, window, folder)
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: not mode.playing, timeout=60000)
    said = " ".join(notes)
    assert "Skipped frame 7 (in000007.png): of another size, 16000 x 14000, not the 32 x 24 of the other frames" \
        in said, notes
    assert "image editor" not in said and "unreadable" not in said and messages == []
    assert "1 of another size, skipped" in mode.panel.source_label.text()
    # Every frame over the limit (none of another size): frames' words, not a photo's.
    text = skip_text("frame 2 (in2.png): the image is 16000 x 14000 = 224,000,000 pixels, more than the limit of "
                     "200,000,000 (a guard against decompression bombs; segmix.io.load_image(path, max_pixels=...) "
                     "reads a trusted file)")
    assert text.startswith("Skipped frame 2 (in2.png): the frame is 16,000 x 14,000 pixels (224 megapixels), more "
                           "than segmix reads (200 megapixels). Scale the frames down, every one to the same size"), text
    assert "image editor" not in text and "unreadable" not in text


# ------------------------------------------------- 5. the Video menu's Open items
def _menu(window, title):
    return next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == title)


def test_the_video_menu_opens_a_video_and_a_folder(make_window, qtbot, tmp_path, monkeypatch):
    """A new user looked for Open Video in the Video menu: it was only under File, as "Open
    Video or Frames..." in Video mode."""
    window = make_window()
    # The shortcut after the tab (window58 shows Ctrl+O in the menu) is not part of the name.
    texts = [a.text().replace("&", "").split("\t")[0] for a in _menu(window, "Video").actions()
             if not a.isSeparator()]
    assert texts[:2] == ["Open Video…", "Open Frame Folder…"], texts
    frames = _frames(tmp_path / "clip", 6)
    asked = []
    monkeypatch.setattr(window, "ask_open_path", lambda title, name_filter, saved=False: asked.append(
        (title, name_filter)) or "")
    mode = window.modes["video"]
    assert window.active_mode.name == "segment"
    assert not mode.open_video_action.trigger() and window.active_mode.name == "segment"  # cancelled: stays
    assert asked and asked[0][0] == "Open Video or Frames" and "*.mp4" in asked[0][1]
    monkeypatch.setattr(window, "ask_open_path", lambda title, name_filter, saved=False: str(frames[2]))
    mode.open_video_action.trigger()
    qtbot.waitUntil(lambda: mode.current is not None and mode.current.index == 1, timeout=60000)
    assert window.active_mode.name == "video" and len(mode.sequence.paths) == 6


def test_the_background_picture_keeps_off_the_dock_s_edges(qtbot):
    """Scaled to the whole label, a portrait clip's background ran down to the window's bottom
    edge (onto the status bar) at 1366 x 768 and 1024 x 600, a landscape one to its right edge."""
    from segmix.gui.modes.video import BackgroundView

    view = BackgroundView()
    qtbot.addWidget(view)
    view.resize(260, 286)
    for shape in ((320, 240, 3), (240, 320, 3)):  # portrait, landscape
        view.set_image(np.full(shape, 128, np.uint8))
        picture = view.pixmap().size()
        # At least 4 px either side, as the other docks' contents; the picture still fills the rest.
        assert picture.height() <= 286 - 8 and picture.width() <= 260 - 8, (shape, picture)
        assert picture.height() >= 286 - 16 or picture.width() >= 260 - 16, (shape, picture)
