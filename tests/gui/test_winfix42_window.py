"""The window: faults a reviewer found in session 42 (winfix42).

1. Video mode's Export All Masks gave the masks of frames that came out mostly moving (a cut,
   a pan) without a word, where ``segmix background`` warns of them.
2. Skin mode said a loaded skin model may be inverted in a dialog only, its question after the
   figures; after OK nothing said it. The model's name in the dock now says it while the model
   is active (the whole text in its tooltip), and the question comes first.
3. Video mode's sentence for a frame that came out mostly moving grew the banner at the first
   such frame while playing, and the picture's zoom jumped: it is short now, its explanation
   in the banner's tooltip.
4. Video mode's note of a JPEG frame lacking its end marker named the frame's whole path, its
   last clause cut off at the status bar's end, and was gone after 10 s: it names the file,
   in fewer words, and stays in the source label's tooltip.
5. Video mode's note of skipped frames listed every run skipped so far ("…" in a run, ", ..."
   past four runs), pushing the run's own reason off the status bar at 1100 px: it counts
   them, and the source label's tooltip names them.
"""

import numpy as np
from PIL import Image

from segmix.cli import main
from tests.conftest import write_skin_pairs
from tests.gui.modes.test_video_trial_frames import _open


def _cut_folder(folder, frames=14, cut=12):
    """Frames f001..f014 of one fixed scene, then (after ``cut``) of another: a cut."""
    rng = np.random.default_rng(3)
    folder.mkdir()
    scene_a = rng.integers(0, 120, (24, 32, 3))
    scene_b = rng.integers(130, 256, (24, 32, 3))
    for t in range(1, frames + 1):
        scene = scene_a if t <= cut else scene_b
        frame = np.clip(scene + rng.normal(0, 2, scene.shape), 0, 255).astype(np.uint8)
        Image.fromarray(frame).save(folder / f"f{t:03d}.png")
    return folder


def test_export_all_masks_warns_of_masks_that_came_out_mostly_moving(make_window, qtbot, messages, tmp_path,
                                                                     monkeypatch):
    window = make_window()
    video = _open(qtbot, window, _cut_folder(tmp_path / "cut"))
    out = tmp_path / "masks"
    monkeypatch.setattr(video, "ask_export_folder", lambda: out)
    with qtbot.waitSignal(video.export_finished, timeout=60000) as blocker:
        video.panel.export_button.click()  # exported without playing: frame 1 is all it showed
    result = blocker.args[0]
    assert result is not None and [stem for stem, _ in result.mostly_moving][:1] == ["f013"]
    assert len(messages) == 1, messages
    title, text = messages[0]
    assert title == "Export All Masks"
    assert text.startswith(f"{len(result.mostly_moving)} of 14 frames came out mostly moving"), text
    assert "f013" in text
    window.grab().save(str(tmp_path / "export.png"))


def test_an_inverted_skin_model_is_said_beside_its_name_while_it_is_active(qtbot, make_window, photo_path,
                                                                          tmp_path, messages):
    write_skin_pairs(tmp_path, [f"p{i}" for i in range(3)], np.random.default_rng(0))
    (tmp_path / "inverted").mkdir()
    for path in (tmp_path / "masks").iterdir():
        Image.fromarray(255 - np.asarray(Image.open(path))).save(tmp_path / "inverted" / path.name)
    assert main(["skin", "train", "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "inverted"),
                 "-o", str(tmp_path / "inv.json"), "--quiet", "--inverted-ok"]) in (0, 1)
    window = make_window(photo_path)
    window.resize(1100, 700)
    window.set_mode("skin")
    skin_mode = window.modes["skin"]
    label = skin_mode.skin_panel.model_label
    assert skin_mode.load_skin_model(tmp_path / "inv.json")
    said = [text for title, text in messages if title == "Skin model may be inverted"]
    # The plain question first, the figures last.
    assert len(said) == 1 and said[0].startswith("inv.json: was this model trained on inverted masks (skin 0)?")
    assert said[0].endswith("on the others)"), said[0]
    # After OK the dock still says it, the whole text in the tooltip.
    assert label.text() == "Model: inv.json \N{EM DASH} may be inverted (trained on skin-0 masks?)"
    assert "inv.json: was this model trained on inverted masks" in label.toolTip()
    window.grab().save(str(tmp_path / "skin.png"))
    # Another model: the note goes with the inverted one.
    assert skin_mode.use_builtin_skin_model()
    assert label.text() == "Model: built-in" and "inverted" not in label.toolTip()


def test_a_mostly_moving_frame_is_said_in_short_and_the_banner_keeps_its_height(make_window, qtbot, tmp_path):
    window = make_window()
    window.resize(1100, 700)
    video = _open(qtbot, window, _cut_folder(tmp_path / "cut", frames=30, cut=25))  # not a short clip
    banner = window.hint_label

    def seek(index):
        video.panel.slider.setValue(index)
        qtbot.waitUntil(lambda: video.index == index and not video.catching_up, timeout=60000)

    seek(20)
    assert "moving:" not in video.hint() and banner.toolTip() == ""
    height, zoom = banner.height(), window.canvas.zoom
    seek(26)
    hint = video.hint()
    assert "Frame 26 is " in hint and " % moving: not one fixed camera's view (a cut, a pan or a zoom?)" in hint
    assert "learns the background of one fixed camera" not in hint  # the explanation is the tooltip's
    assert "learns the background of one fixed camera" in banner.toolTip()
    qtbot.wait(50)
    assert banner.height() == height and window.canvas.zoom == zoom  # the picture keeps its place and zoom
    window.grab().save(str(tmp_path / "moving.png"))


def test_a_jpeg_frame_without_its_end_marker_is_said_in_short_and_kept_in_the_tooltip(make_window, qtbot,
                                                                                       messages, tmp_path):
    from tests.gui.gui_helpers import moving_square

    folder = tmp_path / "a_long_folder_name_of_frames_from_a_camera"
    folder.mkdir()
    for t in range(1, 6):
        path = folder / f"f{t}.jpg"
        Image.fromarray(moving_square(t)).save(path, quality=95)
        path.write_bytes(path.read_bytes()[:-2])  # the end marker FF D9 cut off, as some cameras write
    window = make_window()
    window.resize(1100, 700)
    notes = []
    window.statusBar().messageChanged.connect(lambda text: notes.append(text) if "end marker" in text else None)
    video = _open(qtbot, window, folder)
    assert notes == ["Note: f1.jpg: no JPEG end marker (FF D9); its picture is whole and was read as it is "
                     "(said for the first such frame only)"], notes
    assert str(folder) not in notes[0]
    # Kept where the dock keeps such notes, and still there once the status bar is cleared.
    window.statusBar().clearMessage()
    assert notes[0].removeprefix("Note: ") in video.panel.source_label.toolTip().splitlines()
    window.grab().save(str(tmp_path / "noeoi.png"))
    assert messages == []


def test_the_skipped_frames_note_keeps_its_reason_and_leaves_the_list_to_the_tooltip(make_window, qtbot,
                                                                                      messages, tmp_path):
    from tests.gui.gui_helpers import play_folder
    from tests.test_vidnote42 import _folder

    broken = (3, 6, 9, 12, 15, 18)
    window, mode, shown, notes = play_folder(qtbot, make_window, _folder(tmp_path / "frames", broken), 30)
    window.resize(1100, 700)
    assert len(notes) == 6, notes
    last = notes[-1]
    assert last.startswith("Skipped 6 frames so far (listed in the Video dock's tooltip); the last: unreadable frame 18 "
                           "(in000018.png): "), last
    assert "in000003.png" not in last and "..." not in last and "\N{HORIZONTAL ELLIPSIS}" not in last
    tips = [line for line in mode.panel.source_label.toolTip().splitlines() if line.startswith("Skipped")]
    assert [f"in{k:06d}.png" in tip for k, tip in zip(broken, tips)] == [True] * 6, tips
    window.statusBar().showMessage(last)
    window.grab().save(str(tmp_path / "skipped.png"))
    assert messages == []
