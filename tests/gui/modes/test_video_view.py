"""Video mode keeps the view the user chose and takes no marks (a new-user trial, session 9).

Every frame used to rebuild the canvas and fit it to the window, so a zoom into a video was
lost at the next frame; and a drag on a frame painted into a scribble layer nobody reads.
"""

import numpy as np
import pytest
from PIL import Image

from gui_helpers import drag, moving_square, write_frames


SQUARE = dict(shape=(48, 64), rows=(10, 30), step=3, size=8)


def _frame(t: int) -> np.ndarray:
    return moving_square(t, **SQUARE)


@pytest.fixture
def frame_folder(tmp_path):
    return write_frames(tmp_path / "frames", 5, prefix="f", **SQUARE)


def _open_and_show(qtbot, window, folder, index):
    window.set_mode("video")
    video = window.modes["video"]
    assert video.open_path(folder)
    qtbot.waitUntil(lambda: video.current is not None and video.current.index == 1, timeout=60000)
    return video


def test_the_zoom_stays_from_frame_to_frame_and_each_frame_is_shown(make_window, photo_path, frame_folder, qtbot):
    window = make_window(photo_path)
    video = _open_and_show(qtbot, window, frame_folder, 1)
    fitted = window.canvas.zoom
    window.canvas.set_zoom(fitted * 3)
    zoomed = window.canvas.zoom
    assert zoomed == pytest.approx(fitted * 3, rel=1e-3)
    for index in (2, 3):
        video.step()
        qtbot.waitUntil(lambda i=index: video.current is not None and video.current.index == i, timeout=60000)
        assert window.canvas.zoom == pytest.approx(zoomed, rel=1e-6)  # was fitted again
        np.testing.assert_array_equal(window.image, _frame(index))  # the frame itself is shown
        shown = window.canvas._photo_item.pixmap().toImage()
        assert (shown.width(), shown.height()) == (64, 48)
        x = 3 * index + 2  # a pixel of the moving square in this frame, grey in frame 1
        assert shown.pixelColor(x, 15).red() == 250 and shown.pixelColor(x, 15).green() == 40


def test_a_new_video_opens_fitted(make_window, photo_path, frame_folder, qtbot, tmp_path):
    window = make_window(photo_path)
    video = _open_and_show(qtbot, window, frame_folder, 1)
    fitted = window.canvas.zoom
    window.canvas.set_zoom(fitted * 4)
    other = tmp_path / "other"
    other.mkdir()
    for t in range(1, 4):
        Image.fromarray(_frame(t)).save(other / f"g{t}.png")
    assert video.open_path(other)
    qtbot.waitUntil(lambda: video.current is not None and video.current.index == 1 and video.sequence.paths[0].parent == other,
                    timeout=60000)
    qtbot.waitUntil(lambda: window.canvas.zoom == pytest.approx(fitted, rel=1e-3), timeout=5000)


def test_a_drag_on_a_video_frame_paints_nothing_and_back_in_segment_mode_it_paints(
        make_window, photo_path, frame_folder, qtbot):
    window = make_window(photo_path)
    _open_and_show(qtbot, window, frame_folder, 1)
    window.set_tool("foreground")
    drag(window, [(5, 5), (20, 20), (30, 30)])
    assert window.layer is None or not window.layer.labels.any()
    assert not window.canvas._brush_item.isVisible()
    window.set_mode("segment")
    drag(window, [(5, 5), (20, 20), (30, 30)])
    assert window.layer.labels.any()
