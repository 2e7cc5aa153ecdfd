"""Session 43 (cliclean): Skin mode's exports of one photo compute its source record once."""

import numpy as np
from PIL import Image


def test_skin_mode_exports_of_one_photo_compute_its_source_record_once(qtbot, make_window, tmp_path, monkeypatch):
    # Was: segmix.source_record.source_text once per export (the mask, then the map, into one
    # folder), the same answer each time; a photo opened anew is computed anew.
    import segmix.source_record as source_record
    from tests.conftest import skin_photo

    calls = []
    real = source_record.source_text
    def counted(source, path):
        calls.append(path)
        return real(source, path)

    import segmix.gui.files as files

    monkeypatch.setattr(source_record, "source_text", counted)
    monkeypatch.setattr(files, "source_text", counted)
    (tmp_path / "photos").mkdir()
    for name, seed in (("p.png", 4), ("q.png", 5)):
        Image.fromarray(skin_photo(np.random.default_rng(seed), 40, 60)[0]).save(tmp_path / "photos" / name)
    window = make_window(tmp_path / "photos" / "p.png")
    skin_mode = window.modes["skin"]
    window.set_mode("skin")
    qtbot.waitUntil(lambda: not skin_mode.result_pending and skin_mode.has_result, timeout=60000)
    (tmp_path / "out").mkdir()
    for kind, name in (("mask", "p_skin.png"), ("probability", "p_skin_prob.png"), ("mask", "p_skin2.png")):
        assert window.export(kind, tmp_path / "out" / name)
    qtbot.waitUntil(lambda: all((tmp_path / "out" / n).is_file() for n in ("p_skin.png", "p_skin_prob.png",
                                                                          "p_skin2.png")), timeout=20000)
    assert len(calls) == 1, calls
    texts = []
    for name in ("p_skin.png", "p_skin_prob.png", "p_skin2.png"):
        with Image.open(tmp_path / "out" / name) as written:
            texts.append(written.info["Source-Relative"])
    assert texts == ["../photos/p.png"] * 3  # the same record in each
    window.open_image(tmp_path / "photos" / "q.png")
    qtbot.waitUntil(lambda: not skin_mode.result_pending and skin_mode.has_result, timeout=60000)
    assert window.export("mask", tmp_path / "out" / "q_skin.png")
    qtbot.waitUntil(lambda: (tmp_path / "out" / "q_skin.png").is_file(), timeout=20000)
    assert len(calls) == 2, calls
    with Image.open(tmp_path / "out" / "q_skin.png") as written:
        assert written.info["Source-Relative"] == "../photos/q.png"
