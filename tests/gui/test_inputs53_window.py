"""Session 53 (inputs53) in the window: a frame folder's gaps in numbering are said in Video
mode's banner, as a video's dropped frames are (they played in silence)."""

from tests.gui.gui_helpers import open_in_video_mode
from tests.test_inputs53 import _gap_folder


def test_video_mode_says_a_gap_in_a_folders_numbering(make_window, qtbot, tmp_path):
    folder = _gap_folder(tmp_path / "gap", [*range(1, 7), *range(10, 13)])
    window, mode, _ = open_in_video_mode(qtbot, make_window, folder)
    assert "gap: frame numbers jump from 6 to 10: 3 frames missing; shown as they come." in mode.hint(), mode.hint()
    plain = _gap_folder(tmp_path / "plain", range(1, 10))
    assert window.open_image(plain)
    qtbot.waitUntil(lambda: mode.sequence is not None and mode.sequence.paths[0].parent == plain, timeout=60000)
    assert "jump" not in mode.hint()


def test_loading_a_newer_segmix_model_is_said_in_the_status_bar(make_window, qtbot, tmp_path, messages):
    from segmix.modelfile import write_model
    from segmix.skin import load_skin_model
    from tests.test_inputs53 import _edited, _segment_model

    path = _segment_model(tmp_path)
    future = _edited(path, lambda d: (d["training"].__setitem__("segmix_version", "9.0.0"),
                                      d["training"]["settings"].__setitem__("brand_new_setting", 3)), "future.json")
    window = make_window(tmp_path / "p.png")
    notes = []
    window.statusBar().messageChanged.connect(notes.append)
    assert window.modes["segment"].load_model(future)
    said = [note for note in notes if "newer" in note]
    assert len(said) == 1 and said[0].startswith("future.json was written by segmix 9.0.0") \
        and "brand_new_setting" in said[0], notes
    assert window.modes["segment"].load_model(path)
    assert len([note for note in notes if "newer" in note]) == 1

    skin_model = load_skin_model()
    skin_model.training["segmix_version"] = "9.0.0"
    write_model(tmp_path / "skin_future.json", skin_model)
    assert window.modes["skin"].load_skin_model(tmp_path / "skin_future.json")
    said = [note for note in notes if "newer" in note]
    assert len(said) == 2 and said[1].startswith("skin_future.json was written by segmix 9.0.0"), notes
    assert messages == []
