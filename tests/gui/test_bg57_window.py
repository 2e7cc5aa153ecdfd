"""Session 57's background trial, the window: Load Background Model's refusals name the file one
way (its name, the file just picked), whatever the fault."""
import numpy as np


def _frames(folder, scene, count=3):
    from PIL import Image

    folder.mkdir()
    for t in range(count):
        frame = scene.copy()
        frame[4:20, 4 + 4 * t:14 + 4 * t] = (250, 40, 40)
        Image.fromarray(frame).save(folder / f"f{t}.png")
    return folder


def test_load_background_model_refusals_name_the_file_one_way(qtbot, make_window, tmp_path, messages):
    # The trial: a model of another frame size was refused as "bg.json: ...", a truncated one
    # as "/full/path/to/bg.json: ...".
    from gui_helpers import open_in_video_mode
    from segmix.background import BackgroundMixture, save_background_model

    scene = np.full((24, 32, 3), (90, 110, 70), np.uint8)
    other = BackgroundMixture()
    other.apply(np.zeros((30, 40, 3), np.uint8))
    folder = tmp_path / "models"
    folder.mkdir()
    save_background_model(folder / "wrong_size.json", other)
    text = (folder / "wrong_size.json").read_text()
    (folder / "truncated.json").write_text(text[: len(text) // 2])
    (folder / "empty.json").write_text("")
    (folder / "notes.json").write_text("some notes")
    window, mode, _ = open_in_video_mode(qtbot, make_window, _frames(tmp_path / "frames", scene))
    for name in ("wrong_size.json", "truncated.json", "empty.json", "notes.json"):
        messages.clear()
        assert not mode.load_model(folder / name)
        assert len(messages) == 1, messages
        said = messages[0][1]
        assert said.startswith(f"{name}: "), said
        assert str(folder) not in said, said
