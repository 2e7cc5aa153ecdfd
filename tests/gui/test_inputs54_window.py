"""Session 54 (inputs54) in the window: File > Load Scribbles of JPEG'd scribbles says they
were lossily compressed (not "a grabCut mask"), and JPEG's specks in a 0 / 1 mask are said."""

import numpy as np
from PIL import Image

from tests.test_inputs54 import _object_mask, _strokes, _through_jpeg


def _photo(tmp_path):
    rng = np.random.default_rng(1)
    path = tmp_path / "p.png"
    Image.fromarray(rng.integers(0, 255, (480, 854, 3), dtype=np.uint8)).save(path)
    return path


def test_load_scribbles_of_jpegd_scribbles_says_lossy(make_window, tmp_path, messages):
    window = make_window(_photo(tmp_path))
    Image.fromarray(_through_jpeg(_strokes())).save(tmp_path / "s.png")
    assert not window.load_scribbles(tmp_path / "s.png")
    assert len(messages) == 1 and "lossily compressed" in messages[0][1], messages
    assert "recode" not in messages[0][1]


def test_load_scribbles_of_a_jpegd_mask_names_its_specks(make_window, tmp_path, messages):
    window = make_window(_photo(tmp_path))
    Image.fromarray(_through_jpeg(_object_mask())).save(tmp_path / "mask01.png")
    assert window.load_scribbles(tmp_path / "mask01.png")
    note = window.statusBar().currentMessage()
    assert "mask01.png" in note and "isolated pixel" in note and "0 / 1 mask" in note, note


def test_skin_mode_says_specks_as_specks_not_as_a_skin_mask(make_window, tmp_path, messages):
    window = make_window(_photo(tmp_path))
    window.set_mode("skin")
    marks = np.zeros((480, 854), np.uint8)
    marks[100:200, 100:300] = 2
    marks[300:400, 500:600] = 1
    marks[150, 150] = marks[120, 250] = 1
    Image.fromarray(marks).save(tmp_path / "skin_marks.png")
    assert window.load_scribbles(tmp_path / "skin_marks.png")
    note = window.statusBar().currentMessage()
    assert "2 isolated pixels" in note and "not as a skin mask" not in note, note


def test_export_cutout_clears_the_hidden_colours(qtbot, make_window, tmp_path, photo_path):
    """File > Export Cut-out kept the photo's colours under alpha 0 (the hidden background could
    be recovered); the export writer keeps them only when asked."""
    import cv2

    from tests.gui.gui_helpers import paint_two_classes

    window = make_window(photo_path)
    paint_two_classes(qtbot, window)
    seg = window.modes["segment"]
    qtbot.waitUntil(lambda: not seg.result_pending and not window.controller.busy, timeout=60000)
    assert window.export("cutout", tmp_path / "c.png")
    image = np.asarray(Image.open(photo_path).convert("RGB"))
    cut = cv2.imread(str(tmp_path / "c.png"), cv2.IMREAD_UNCHANGED)[..., [2, 1, 0, 3]]
    hidden = cut[..., 3] == 0
    assert hidden.any() and (~hidden).any()
    assert not cut[hidden].any() and np.array_equal(cut[~hidden][:, :3], image[~hidden])

    from segmix.gui import files

    files.write_export("cutout", tmp_path / "k.png", image=image, mask=~hidden, keep_hidden_colours=True)
    kept = cv2.imread(str(tmp_path / "k.png"), cv2.IMREAD_UNCHANGED)[..., [2, 1, 0, 3]]
    assert np.array_equal(kept[..., :3], image)


def test_a_labelme_file_as_scribbles_or_model_is_named_in_the_window(make_window, tmp_path, photo_path, messages):
    import json

    from tests.test_inputs54 import LABELME

    (tmp_path / "l.json").write_text(json.dumps(LABELME))
    window = make_window(photo_path)
    assert not window.load_scribbles(tmp_path / "l.json")
    assert len(messages) == 1 and "Labelme annotation" in messages[0][1], messages
    assert not window.modes["segment"].load_model(tmp_path / "l.json")
    assert len(messages) == 2 and "Labelme annotation" in messages[1][1], messages


def test_video_mode_says_non_square_pixels(make_window, qtbot, tmp_path):
    from tests.gui.gui_helpers import open_in_video_mode
    from tests.test_inputs54 import _anamorphic_clip

    video = _anamorphic_clip(tmp_path / "sar.mp4")
    window, mode, _ = open_in_video_mode(qtbot, make_window, video)
    assert "pixels are not square (aspect 2:1)" in mode.hint(), mode.hint()
