"""Video mode, three defects a new-user trial found (session 9).

1. Back from Video mode, Segment and Skin mode worked on the last video frame instead of
   the photo open there: every image space keeps its own image, scribbles and zoom.
2. Ctrl+O in Video mode could not open a folder of frames: a frame picked in the file
   dialog opens its folder, File / Video > Open Frame Folder (Ctrl+Shift+O) works from any
   mode, and the dock has both buttons.
3. Playing a folder of frames ran as fast as the computer could: it runs at the source's
   frame rate (25 fps for a folder), shown and changeable in the dock, and never skips.
"""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QKeySequence
from segmix.gui import file_dialogs

from segmix.gui.main_window import HINT_NO_PHOTO
from segmix.gui.modes.video import DEFAULT_FPS, play_interval_ms

from gui_helpers import HEIGHT, WIDTH, drag, make_two_colour_image, moving_square, write_frames

FH, FW = 24, 32  # video frames of another size than the photo (60 x 80)


def _frame(t: int) -> np.ndarray:
    return moving_square(t, shape=(FH, FW))  # a square moving right


@pytest.fixture
def frame_folder(tmp_path):
    return write_frames(tmp_path / "frames", 6, shape=(FH, FW))


def _wait_frame(qtbot, mode, index):
    qtbot.waitUntil(lambda: mode.current is not None and mode.current.index == index, timeout=60000)


# -- 1. each mode's image belongs to it ---------------------------------------------------
@pytest.mark.parametrize("photo_mode", ["segment", "skin"])
def test_back_from_video_mode_the_photo_and_its_scribbles_are_there(make_window, photo_path, frame_folder, qtbot,
                                                                     photo_mode, messages):
    window = make_window(photo_path)
    window.set_mode(photo_mode)
    window.set_tool("foreground")
    drag(window, [(10, 10), (20, 30), (15, 50)])
    marks = window.layer.labels.copy()
    assert marks.any()
    photo = window.image
    np.testing.assert_array_equal(photo, make_two_colour_image())

    window.set_mode("video")
    video = window.modes["video"]
    assert window.has_unsaved_scribbles  # the photo's marks still count while Video mode is shown
    assert window.open_image(frame_folder)
    _wait_frame(qtbot, video, 1)
    with qtbot.waitSignal(video.frame_shown, timeout=60000):
        video.step()
    assert video.current.index == 2
    np.testing.assert_array_equal(window.image, _frame(2))
    assert window.canvas.sceneRect().size().toSize().toTuple() == (FW, FH)

    window.set_mode(photo_mode)
    assert window.image is photo and window.image_path == photo_path
    np.testing.assert_array_equal(window.layer.labels, marks)
    assert window.canvas.layer is window.layer
    assert window.canvas.sceneRect().size().toSize().toTuple() == (WIDTH, HEIGHT)
    assert window.canvas._photo_item.pixmap().size().toTuple() == (WIDTH, HEIGHT)
    assert window.undo_stack.canUndo()  # the stroke's history is kept too
    assert window.windowTitle().startswith("*two.png")
    # Its result comes back for the photo (here or recomputed), not for a frame.
    qtbot.waitUntil(lambda: window.current_mask() is not None, timeout=60000)
    assert window.current_mask().shape == (HEIGHT, WIDTH)

    window.set_mode("video")  # and the video's last frame is where it was, without a new step
    assert video.current.index == 2
    np.testing.assert_array_equal(window.image, _frame(2))
    assert window.canvas.sceneRect().size().toSize().toTuple() == (FW, FH)
    assert messages == []


def test_video_mode_without_a_photo_leaves_the_photo_modes_empty(make_window, frame_folder, qtbot):
    window = make_window()
    window.set_mode("video")
    video = window.modes["video"]
    assert "Ctrl+Shift+O" in window.hint_label.text()  # how to open a video, not a photo
    window.open_image(frame_folder)
    _wait_frame(qtbot, video, 1)
    window.set_mode("skin")
    assert window.image is None and window.layer is None and window.canvas.layer is None
    assert window.hint_label.text() == HINT_NO_PHOTO
    drag(window, [(5, 5), (10, 10)])  # nothing to draw on: ignored, no error
    assert window.image is None and not window.undo_stack.canUndo()


def test_a_photo_zoomed_in_keeps_its_zoom_across_video_mode(make_window, photo_path, frame_folder, qtbot):
    window = make_window(photo_path)
    canvas = window.canvas
    canvas.set_zoom(25.0)  # zoomed in on a detail, off the photo's centre
    canvas.centerOn(20.0, 15.0)
    centre = canvas.mapToScene(canvas.viewport().rect().center())
    window.set_mode("video")
    window.open_image(frame_folder)
    _wait_frame(qtbot, window.modes["video"], 1)
    window.set_mode("segment")
    assert canvas.zoom == pytest.approx(25.0)
    back = canvas.mapToScene(canvas.viewport().rect().center())
    assert abs(back.x() - centre.x()) < 0.1 and abs(back.y() - centre.y()) < 0.1
    assert abs(centre.x() - 20.0) < 1 and abs(centre.y() - 15.0) < 1


def test_a_lone_photo_in_video_mode_is_refused_and_the_photo_stays(make_window, photo_path, tmp_path, messages):
    window = make_window(photo_path)
    lone = tmp_path / "alone" / "photo.png"
    lone.parent.mkdir()
    Image.fromarray(_frame(1)).save(lone)
    window.set_mode("video")
    assert not window.open_image(lone)
    assert "single photo" in messages[-1][1] and "photo.png" in messages[-1][1]
    odd = tmp_path / "mixed"
    odd.mkdir()
    Image.fromarray(_frame(1)).save(odd / "a.png")
    Image.fromarray(make_two_colour_image()).save(odd / "b.png")
    assert not window.open_image(odd / "a.png")
    assert "no frames of one video" in messages[-1][1]
    window.set_mode("segment")
    np.testing.assert_array_equal(window.image, make_two_colour_image())


# -- 2. opening a folder of frames ----------------------------------------------------------
def test_the_dock_has_open_video_and_open_folder_buttons(make_window, frame_folder, qtbot, monkeypatch):
    window = make_window()
    window.set_mode("video")
    panel = window.modes["video"].panel
    for button in (panel.open_button, panel.folder_button):
        assert button.isVisible() and button.isEnabled()
    assert panel.open_button.text().replace("&", "").startswith("Open Video")
    assert panel.folder_button.text().replace("&", "").startswith("Open Frame Folder")  # the menus' name (session 53)
    asked = []
    monkeypatch.setattr(file_dialogs, "existing_folder", lambda *args: asked.append(args[1]) or str(frame_folder))
    panel.folder_button.click()
    assert asked == ["Open Frame Folder"]
    video = window.modes["video"]
    _wait_frame(qtbot, video, 1)
    assert video.sequence.kind == "folder" and video.panel.slider.maximum() == 6


def test_open_frame_folder_works_from_the_file_menu_in_any_mode(make_window, photo_path, frame_folder, qtbot,
                                                               monkeypatch):
    window = make_window(photo_path)
    file_menu = window.menuBar().actions()[0].menu()
    entries = [a for a in file_menu.actions() if not a.isSeparator()]
    assert entries[0] is window.open_action and entries[0].text() == "&Open Photo..."
    folder_action = entries[1]  # right below Open
    assert folder_action.text() == "Open Frame &Folder…"
    assert folder_action.shortcut() == QKeySequence("Ctrl+Shift+O") and folder_action.isEnabled()
    monkeypatch.setattr(file_dialogs, "existing_folder", lambda *args: "")
    folder_action.trigger()  # cancelled: nothing changes
    assert window.mode == "segment"
    monkeypatch.setattr(file_dialogs, "existing_folder", lambda *args: str(frame_folder))
    folder_action.trigger()
    assert window.mode == "video"  # a folder of frames is Video mode's
    assert window.open_action.text() == "&Open Video or Frames..."  # "Open Video" until session 45
    _wait_frame(qtbot, window.modes["video"], 1)
    window.set_mode("segment")
    np.testing.assert_array_equal(window.image, make_two_colour_image())  # the photo was left alone


def test_ctrl_o_in_video_mode_opens_the_folder_of_a_picked_frame(make_window, frame_folder, qtbot, monkeypatch):
    window = make_window()
    window.set_mode("video")
    asked = []

    def pick(title, name_filter):
        asked.append((title, name_filter))
        return str(frame_folder / "frame3.png")

    monkeypatch.setattr(window, "ask_open_path", pick)
    window.open_action.trigger()  # File > Open / Ctrl+O
    assert asked[0][0] == "Open Video or Frames" and "*.png" in asked[0][1] and "*.mp4" in asked[0][1]
    video = window.modes["video"]
    _wait_frame(qtbot, video, 1)  # from the first frame: the model must see every frame
    assert video.sequence.kind == "folder" and len(video.sequence.paths) == 6
    assert video.sequence.paths[0].parent == frame_folder
    assert "frame3.png" in window.statusBar().currentMessage() and "6 frames" in window.statusBar().currentMessage()


# -- 3. playing at the frame rate -------------------------------------------------------------
def test_play_timer_follows_the_source_frame_rate(make_window, frame_folder, qtbot, tmp_path):
    import av

    video_path = tmp_path / "clip.mp4"
    with av.open(str(video_path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = FW, FH, "yuv420p"
        for t in range(1, 7):
            for packet in stream.encode(av.VideoFrame.from_ndarray(_frame(t), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    gif = tmp_path / "clip.gif"
    frames = [Image.fromarray(_frame(t)) for t in range(1, 5)]
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=200, loop=0)

    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    timer = mode._play_timer
    for path, fps in ((video_path, 10.0), (frame_folder, DEFAULT_FPS), (gif, 5.0)):
        assert window.open_image(path)
        _wait_frame(qtbot, mode, 1)
        assert mode.panel.fps.value() == pytest.approx(fps), path.name
        assert timer.interval() == play_interval_ms(fps) == round(1000 / fps), path.name
    mode.panel.fps.setValue(50.0)  # the dock's control
    assert timer.interval() == 20
    window.open_image(frame_folder)
    _wait_frame(qtbot, mode, 1)
    assert timer.interval() == 40  # a folder: 25 fps again


def test_playing_shows_every_frame_in_order_one_slot_each(make_window, frame_folder, qtbot):
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    window.open_image(frame_folder)
    _wait_frame(qtbot, mode, 1)
    mode.panel.fps.setValue(100.0)
    shown, slots = [], []
    mode.frame_shown.connect(shown.append)
    original = mode._request

    def request(index):
        before = mode._play_timer.isActive()  # the previous frame's slot still running?
        original(index)
        slots.append((index, before, mode._play_timer.isActive()))

    mode._request = request
    mode.panel.play_button.click()
    assert mode.playing and mode._in_flight  # the first frame at once
    qtbot.waitUntil(lambda: not mode.playing, timeout=60000)
    assert shown == [2, 3, 4, 5, 6]  # none skipped, none twice
    # Each frame was asked for once its predecessor's slot had run out (or the predecessor
    # was back late), never within it, and started a slot of its own.
    assert [index for index, _before, _after in slots] == [2, 3, 4, 5, 6]
    assert not any(before for _index, before, _after in slots)
    assert all(after for _index, _before, after in slots)



def test_open_sample_photo_from_video_mode_opens_it_in_segment_mode(make_window, messages):
    window = make_window()
    window.set_mode("video")
    assert window.open_sample()
    assert window.mode == "segment" and window.image_path.name == "astronaut.png" and messages == []
