"""Session 37's re-check (helper recheck37) of the window's fixes of that session."""

from gui_helpers import drag


def test_wide_foreground_strokes_saved_and_loaded_again_are_not_called_a_mask(qtbot, make_window, tmp_path):
    """Foreground strokes alone with a wide brush, File > Save Scribbles, then Load Scribbles:
    the status said 'is it a 0 / 1 mask given as scribbles?' of the window's own marks file."""
    import numpy as np
    from PIL import Image

    photo = np.full((240, 320, 3), (40, 120, 60), np.uint8)
    photo[40:200, 80:240] = (200, 60, 50)
    Image.fromarray(photo).save(tmp_path / "p.png")
    window = make_window(tmp_path / "p.png")
    window.set_tool("foreground")
    window.canvas.set_brush_size(60)
    with qtbot.waitSignal(window.overlay_updated, timeout=60000):
        drag(window, [(160, 70), (160, 120), (160, 170)])
    marks = tmp_path / "marks.png"
    assert window.export("scribbles", marks)
    assert window.load_scribbles(marks)
    note = window.statusBar().currentMessage()
    assert "0 / 1 mask" not in note, note


def test_video_mode_says_the_12_bit_note_once_a_folder_not_once_a_frame(make_window, qtbot, tmp_path):
    """A folder of 16-bit frames of 12-bit data (TIFF or PNG): Video mode's status bar showed
    the note anew for every frame played (10 notes for 10 frames); the command line says it
    for the first such frame only."""
    import numpy as np
    import pytest
    from gui_helpers import play_folder

    tifffile = pytest.importorskip("tifffile")
    folder = tmp_path / "cam"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(1, 7):
        frame = rng.integers(60, 200, (32, 48, 3)).astype(np.uint16) * 16
        tifffile.imwrite(folder / f"f{i:03d}.tif", frame)
    notes = []
    window = make_window()
    window.statusBar().messageChanged.connect(lambda text: notes.append(text) if "12-bit data?" in text else None)
    play_folder(qtbot, make_window=lambda: window, folder=folder, last=6)
    assert len(notes) == 1 and "f001.tif" in notes[0], notes


def test_video_mode_does_not_call_an_h264_avi_with_dropped_frames_truncated(make_window, qtbot, tmp_path):
    """An H.264 AVI holding empty chunks for dropped frames: played to its end, Video mode said
    'cam.avi is truncated or damaged: it ends after frame 40 of the 44 its header announces
    (4 missing)'; the timeline now holds its 40 pictures from the start."""
    import pytest

    av = pytest.importorskip("av")
    if "libx264" not in av.codecs_available:
        pytest.skip("PyAV without libx264")
    from tests.test_trial37_background import _avi_with_drops, _scene

    video = _avi_with_drops(tmp_path / "cam.avi", _scene(40, size=(160, 96)), codec="libx264")
    notes = []
    window = make_window()
    window.statusBar().messageChanged.connect(lambda text: notes.append(text) if "truncated" in text else None)
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(video)
    qtbot.waitUntil(lambda: mode.index == 1, timeout=60000)
    mode.panel.play_button.click()
    qtbot.waitUntil(lambda: mode.index == 40 and not mode.playing, timeout=60000)
    qtbot.wait(300)
    assert notes == [] and mode.panel.slider.maximum() == 40, notes
