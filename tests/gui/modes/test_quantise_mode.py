"""Quantise mode: the photo in k colours in the window, as `segmix quantize PHOTO -k K` makes it.

Before it the window had no way to colour quantisation, one of segmix's four capabilities: a
user wanting a photo in k colours went to the command line (session 55's known gap).
"""

import threading

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QApplication

from segmix.gui.qimage import qimage_to_rgb

TIMEOUT = 60000


def _canvas_rgb(window) -> np.ndarray:
    return qimage_to_rgb(window.canvas._photo_item.pixmap().toImage())


def _quantised(qtbot, window, colours=None):
    """Quantise mode on the window's photo (at ``colours``), its result once shown."""
    mode = window.modes["quantise"]
    if window.mode != "quantise":
        window.set_mode("quantise")
    if colours is not None:
        mode.panel.set_colours(colours)
    qtbot.waitUntil(lambda: mode.has_result and not mode.result_pending, timeout=TIMEOUT)
    return mode


@pytest.fixture
def held_kmeans(monkeypatch):
    """``hold()``: from now on Quantise mode's quantize_image has its first call held until
    ``release`` is set and then stopped by its own check (a newer request or Esc has made it
    stale by then: ``stopped`` is set); later calls run as they are. ``asked`` lists the k of
    every call from ``hold()`` on."""
    from types import SimpleNamespace

    from segmix import quantize

    real = quantize.quantize_image

    def hold():
        held = SimpleNamespace(asked=[], release=threading.Event(), stopped=threading.Event())

        def first_held(image, n_colors, *args, check=None, **kwargs):
            held.asked.append(n_colors)
            if len(held.asked) == 1:
                held.release.wait(20)
                try:
                    check()  # stale by now: this raises
                except BaseException:
                    held.stopped.set()
                    raise
            return real(image, n_colors, *args, check=check, **kwargs)

        monkeypatch.setattr(quantize, "quantize_image", first_held)
        return held

    return hold


def test_mode_switch_shows_the_quantised_photo_and_gives_the_photo_back(qtbot, window):
    mode = _quantised(qtbot, window)
    assert window.mode == "quantise"
    QApplication.processEvents()
    # No marks and no overlay here: the Scribbles and Overlay docks go, Quantise's comes.
    assert window.docks["quantise"].isVisible()
    assert not window.docks["tools"].isVisible() and not window.docks["overlay"].isVisible()
    assert window.export_actions["mask"].text().replace("&", "") == "Export Quantised Photo..."
    assert mode.showing_quantised
    assert np.array_equal(_canvas_rgb(window), mode.result.image)
    assert "8</b> colours" in window.hint_label.text()
    # O shows the photo as it is, and back.
    window.toggle_overlay()
    assert not mode.showing_quantised and np.array_equal(_canvas_rgb(window), window.image)
    assert "as it is" in window.hint_label.text()
    window.toggle_overlay()
    assert mode.showing_quantised and np.array_equal(_canvas_rgb(window), mode.result.image)
    # Another mode marks the photo as it is, with its own menus' words.
    window.set_mode("segment")
    QApplication.processEvents()
    assert np.array_equal(_canvas_rgb(window), window.image)
    assert window.docks["overlay"].isVisible() and window.docks["tools"].isVisible()
    assert window.export_actions["mask"].text().replace("&", "") == "Export Mask..."
    assert window.toggle_overlay_action.text().replace("&", "") == "Toggle Overlay"
    # Back in Quantise mode the result is shown at once (kept), with no new job.
    window.set_mode("quantise")
    assert mode.has_result and not mode.result_pending
    assert np.array_equal(_canvas_rgb(window), mode.result.image)


def test_the_result_is_segmix_quantize_s_pixel_for_pixel(qtbot, window, photo_path, tmp_path):
    from segmix.cli import main
    from segmix.io import load_image
    from segmix.quantize import quantize_image

    mode = _quantised(qtbot, window, 5)
    assert mode.result.n_colors == 5
    library = quantize_image(load_image(photo_path), 5, random_state=0)
    assert np.array_equal(mode.result.image, library.image)
    assert mode.result.mse == library.mse
    out = tmp_path / "cli.png"
    assert main(["quantize", str(photo_path), "-k", "5", "-o", str(out)]) == 0
    assert np.array_equal(np.asarray(Image.open(out).convert("RGB")), mode.result.image)
    # The command line's words for the error.
    assert f"mean squared error {library.mse:.2f} per channel" in mode.panel.status_label.text()
    # The palette's swatches: every colour, its share of the photo, most used first.
    rows = mode.panel.palette_view.rows
    assert len(rows) == 5
    assert {row[1] for row in rows} == {f"RGB {r}, {g}, {b}" for r, g, b in library.palette}
    counts = [int(row[2].split()[-1].replace(",", "")) for row in rows]
    assert counts == sorted(counts, reverse=True) and sum(counts) == window.image.shape[0] * window.image.shape[1]


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_export_round_trip_writes_segmix_quantize_s_file(qtbot, window, photo_path, tmp_path, suffix):
    from segmix.cli import main

    mode = _quantised(qtbot, window, 6)
    out = tmp_path / f"window{suffix}"
    assert window.export("mask", out)
    cli = tmp_path / f"cli{suffix}"
    assert main(["quantize", str(photo_path), "-k", "6", "-o", str(cli)]) == 0
    written, expected = Image.open(out), Image.open(cli)
    assert written.mode == expected.mode  # a palette PNG of the 6 colours, as the command line's
    assert np.array_equal(np.asarray(written.convert("RGB")), np.asarray(expected.convert("RGB")))
    if suffix == ".png":
        assert written.mode == "P"
        assert np.array_equal(np.asarray(written.convert("RGB")), mode.result.image)
    # The window's file carries segmix quantize's mark: the command line may replace it.
    from segmix.io import segmix_mark

    assert segmix_mark(out) == "quantize"
    # The default name is the command line's loops' (photo_quantized.png).
    assert mode.export_default_path("mask").name == f"{photo_path.stem}_quantized.png"


def test_export_never_writes_over_the_opened_photo(qtbot, window, photo_path, messages):
    _quantised(qtbot, window)
    before = photo_path.read_bytes()
    assert not window.export("mask", photo_path)
    assert photo_path.read_bytes() == before
    assert messages and "is the open photo" in messages[-1][1]


def test_a_photo_of_three_colours_at_k_8_says_so(qtbot, make_window, tmp_path):
    pixels = np.zeros((30, 40, 3), np.uint8)
    pixels[:, 10:20] = (200, 30, 30)
    pixels[:, 20:] = (20, 90, 200)
    path = tmp_path / "three.png"
    Image.fromarray(pixels).save(path)
    window = make_window(path)
    mode = _quantised(qtbot, window, 8)
    assert mode.result.n_colors == 3 and np.array_equal(mode.result.image, pixels)
    status = mode.panel.status_label.text()
    assert "three.png has only 3 distinct colours, fewer than the 8 asked for" in status
    assert "kept as they are" in status and status.startswith("three.png has only 3")
    assert "only <b>3</b> distinct colours" in window.hint_label.text()  # not "the photo in 8 colours"


def test_busy_state_and_a_newer_k_replacing_an_older_one(qtbot, window, held_kmeans):
    """While k-means runs: the busy bar, the banner and a pending export; a newer k makes the
    older job stale, which stops at its next step (its result is never shown)."""
    mode = _quantised(qtbot, window, 8)
    held = held_kmeans()
    asked, release, stopped = held.asked, held.release, held.stopped
    mode.panel.set_colours(3)
    qtbot.waitUntil(lambda: asked == [3], timeout=TIMEOUT)
    assert mode.result_pending and mode.panel.busy_bar.isVisible()
    assert "quantising to 3 colours" in window.hint_label.text()
    # The 8-colour photo stays on show meanwhile, and the banner says so.
    assert "8 colours stays on show" in window.hint_label.text()
    assert window.export_actions["mask"].isEnabled()  # an export now waits for the new result
    mode.panel.set_colours(4)
    qtbot.waitUntil(lambda: mode._request_number and not mode._request_timer.isActive(), timeout=TIMEOUT)
    release.set()
    qtbot.waitUntil(lambda: mode.has_result and not mode.result_pending, timeout=TIMEOUT)
    assert stopped.is_set()
    assert mode.result.n_colors == 4 and mode.panel.colours == 4
    assert not mode.panel.busy_bar.isVisible()
    assert (id(window.image), 3) not in mode._results  # the stale k's result was never made


def test_a_stale_k_means_stops_between_its_steps():
    from gui_helpers import make_two_colour_image
    from segmix.quantize import quantize_image

    photo = make_two_colour_image()
    calls = []

    def check():
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("stale")

    with pytest.raises(RuntimeError, match="stale"):
        quantize_image(photo, 6, check=check)
    assert len(calls) == 3
    # A check that never raises changes nothing; another thread's fits are not checked.
    plain = quantize_image(photo, 6)
    checked = quantize_image(photo, 6, check=lambda: None)
    assert np.array_equal(plain.image, checked.image) and plain.mse == checked.mse


def test_opening_another_photo_quantises_it_and_drops_the_old_result(qtbot, window, tmp_path):
    from segmix.quantize import quantize_image

    mode = _quantised(qtbot, window, 4)
    old = mode.result
    other = np.zeros((20, 30, 3), np.uint8)
    other[..., 0] = np.arange(30, dtype=np.uint8)[None, :] * 8
    other[..., 1] = np.arange(20, dtype=np.uint8)[:, None] * 12
    path = tmp_path / "other.png"
    Image.fromarray(other).save(path)
    assert window.open_image(path)
    qtbot.waitUntil(lambda: mode.has_result and not mode.result_pending, timeout=TIMEOUT)
    assert mode.result is not old and mode.result.image.shape == other.shape
    assert np.array_equal(mode.result.image, quantize_image(other, 4).image)
    assert np.array_equal(_canvas_rgb(window), mode.result.image)


def test_a_failing_job_is_said_and_the_window_stays(qtbot, window, monkeypatch, messages):
    from segmix import quantize

    _quantised(qtbot, window)

    def broken(*args, **kwargs):
        raise ValueError("no memory for k-means (a test)")

    monkeypatch.setattr(quantize, "quantize_image", broken)
    mode = window.modes["quantise"]
    mode.panel.set_colours(7)
    qtbot.waitUntil(lambda: not mode.result_pending, timeout=TIMEOUT)
    assert messages and messages[-1][0] == "Cannot quantise" and "no memory for k-means" in messages[-1][1]
    assert not mode.panel.busy_bar.isVisible() and window.isVisible()
    monkeypatch.undo()
    mode.panel.set_colours(6)
    qtbot.waitUntil(lambda: mode.has_result and not mode.result_pending, timeout=TIMEOUT)


def test_the_number_of_colours_is_remembered(qtbot, make_window, photo_path, qsettings):
    window = make_window(photo_path)
    _quantised(qtbot, window, 12)
    window.close()
    again = make_window(photo_path)
    assert again.modes["quantise"].panel.colours == 12
    qsettings.setValue("quantise/colours", "lots")
    assert make_window(photo_path).modes["quantise"].panel.colours == 8


def test_the_slider_spin_box_and_menu_steps_agree(qtbot, window):
    from segmix.gui.modes.quantise_panel import MAX_COLOURS, MIN_COLOURS, SLIDER_COLOURS

    mode = _quantised(qtbot, window)
    panel = mode.panel
    assert (panel.colours_spin.minimum(), panel.colours_spin.maximum()) == (MIN_COLOURS, MAX_COLOURS) == (2, 256)
    panel.colours_slider.setValue(SLIDER_COLOURS.index(16))
    assert panel.colours == 16
    panel.set_colours(17)
    assert SLIDER_COLOURS[panel.colours_slider.value()] == 16  # the nearest stop
    mode.more_action.trigger()
    assert panel.colours == 20
    mode.fewer_action.trigger()
    assert panel.colours == 16


def test_help_lists_the_mode_and_its_o_key(qtbot, window):
    from segmix.gui.help_menu import shortcut_rows

    rows = shortcut_rows(window.menuBar())
    assert ("Mode", "Quantise Mode", "Ctrl+U") in rows
    window.set_mode("quantise")
    rows = shortcut_rows(window.menuBar())
    assert ("View", "Toggle Original Photo", "O") in rows
    assert ("File", "Export Quantised Photo", "Ctrl+E") in rows


def test_the_window_s_constants_are_the_command_line_s():
    import inspect

    from segmix import cli, quantize
    from segmix.gui.modes import quantise as quantise_mode
    from segmix.gui.modes.quantise_panel import DEFAULT_COLOURS

    assert cli.JPEG_QUANTIZE_QUALITY == quantize.JPEG_QUALITY
    assert cli.SLOW_QUANTIZE_WORK == quantise_mode.SLOW_WORK
    assert inspect.signature(quantize.quantize_image).parameters["n_colors"].default == DEFAULT_COLOURS


def test_the_quantise_dock_is_shown_in_full_at_1366x768(qtbot, qsettings, messages, monkeypatch):
    from test_docks_fit import XVFB_SCREEN, _cut_controls, _shown_window

    window = _shown_window(qtbot, qsettings, messages, monkeypatch, XVFB_SCREEN)
    try:
        mode = _quantised(qtbot, window, 8)
        for _ in range(20):
            QApplication.processEvents()
        assert _cut_controls(window) == []
        assert window.docks["quantise"].widget().verticalScrollBar().maximum() == 0
        assert len(mode.panel.palette_view.rows) == 8
    finally:
        window.close()
        window.controller.shutdown()


def test_a_photo_with_transparency_is_quantised_as_the_command_line_does(qtbot, make_window, tmp_path):
    """Fully transparent pixels take no part in k-means (quantize_file's alpha), and the export
    keeps the transparency (RGBA PNG), as `segmix quantize -o q.png` writes it."""
    from gui_helpers import make_two_colour_image
    from segmix.cli import main

    rgba = np.dstack([make_two_colour_image(), np.full((60, 80), 255, np.uint8)])
    rgba[:, :20, 3] = 0
    rgba[:, :20, :3] = (0, 255, 0)  # hidden green: no palette entry for it
    path = tmp_path / "logo.png"
    Image.fromarray(rgba, "RGBA").save(path)
    window = make_window(path)
    mode = _quantised(qtbot, window, 4)
    assert not any(row[1] == "RGB 0, 255, 0" for row in mode.panel.palette_view.rows)
    assert sum(int(row[2].split()[-1].replace(",", "")) for row in mode.panel.palette_view.rows) == 60 * 60
    out, cli = tmp_path / "window.png", tmp_path / "cli.png"
    assert window.export("mask", out)
    assert main(["quantize", str(path), "-k", "4", "-o", str(cli)]) == 0
    assert np.array_equal(np.asarray(Image.open(out).convert("RGBA")), np.asarray(Image.open(cli).convert("RGBA")))
    assert np.asarray(Image.open(out).convert("RGBA"))[0, 0, 3] == 0


def test_an_export_name_of_another_format_is_refused_before_writing(window):
    from segmix.gui import files

    name_filter = files.EXPORTS["quantised_photo"][2]
    refusal = window._name_refusal("/tmp/q.xyz", "quantised_photo", name_filter)
    assert refusal is not None and "quantised photos are not saved as .xyz" in refusal
    for suffix in (".png", ".gif", ".bmp", ".tif", ".webp", ".jpg"):
        assert files.suffix_refusal(f"/tmp/q{suffix}", "quantised_photo", name_filter) is None


def test_the_quantise_dock_widens_no_dock(window):
    """Every mode's docks take the widest one's width: the Quantise dock's controls side by side
    needed 316 px against Video mode's 271, and the docks of every mode widened (the canvas and
    Video mode's lines narrower: test_video46_window, test_video50_window)."""
    def needed(key):
        return window.docks[key].widget().widget().minimumSizeHint().width()

    others = [needed(key) for key in window.docks if key != "quantise"]
    assert needed("quantise") <= max(others)


def test_the_quantise_dock_never_scrolls_sideways(qtbot, window):
    """A palette title that did not wrap widened the panel past the dock's edge at 1024 x 700:
    the status line and the shares were cut off, with a sideways scroll bar."""
    window.resize(1024, 700)
    mode = _quantised(qtbot, window, 32)
    for _ in range(20):
        QApplication.processEvents()
    scroll = window.docks["quantise"].widget()
    assert scroll.horizontalScrollBar().maximum() == 0
    assert mode.panel.width() <= scroll.viewport().width()


def test_esc_then_quantise_again_or_enter_restarts_the_k_shown(qtbot, window, held_kmeans):
    """A re-check: after Esc the banner said "Press O to see it in 128 colours" (no such result
    existed), and neither O, nor Enter on the same k, nor any menu entry started it again."""
    # The photo's first k: Esc on a new k while another's result is shown keeps that one
    # (inputs56), so nothing is left to show only here.
    mode = window.modes["quantise"]
    mode.panel.set_colours(5)
    held = held_kmeans()
    asked, release = held.asked, held.release
    window.set_mode("quantise")
    qtbot.waitUntil(lambda: asked == [5], timeout=TIMEOUT)
    window.cancel_action.trigger()
    release.set()
    qtbot.waitUntil(lambda: not mode.result_pending and not window.controller.busy, timeout=TIMEOUT)
    assert not mode.has_result
    hint = window.hint_label.text()
    assert "cancelled" in hint and "Press <b>O</b>" not in hint, hint
    assert mode.again_action.isEnabled()
    mode.again_action.trigger()
    qtbot.waitUntil(lambda: mode.has_result and not mode.result_pending, timeout=TIMEOUT)
    assert asked == [5, 5]
    assert "cancelled" not in window.hint_label.text()
    assert not mode.again_action.isEnabled()  # its result is shown


def test_a_palette_row_keeps_every_colour_number_beside_a_large_count(qtbot, window):
    # On a 15 MP photo a row read "143, 149, ..." (the pixel count took the room): the count
    # goes first, the three numbers stay.
    from PySide6.QtGui import QFontMetrics

    from segmix.gui.modes.quantise_panel import row_texts

    view = window.modes["quantise"].panel.palette_view
    metrics = QFontMetrics(view.font())
    numbers, share = row_texts(metrics.horizontalAdvance, 260, "RGB 143, 149, 152", "56.4 %  8,316,221")
    # The count in short (inputs56: one form down the column, whole, short or none).
    assert numbers == "143, 149, 152" and share == "56.4 %  8.32 M"
    assert metrics.horizontalAdvance(numbers) <= 260 - 40 - metrics.horizontalAdvance(share) - 8 - 36
    # With room, both stay.
    assert row_texts(metrics.horizontalAdvance, 600, "RGB 1, 2, 3", "5.0 %  12") == ("1, 2, 3", "5.0 %  12")


def test_leaving_the_colours_box_after_esc_does_not_start_again(qtbot, window, held_kmeans):
    # Enter in Colours starts the stopped k again; leaving the box (Esc typed there gives the
    # canvas the focus) must not undo the Esc.
    # The photo's first k (Esc on a new k while another's result is shown keeps that one).
    mode = window.modes["quantise"]
    mode.panel.set_colours(5)
    held = held_kmeans()
    asked, release = held.asked, held.release
    spin = mode.panel.colours_spin
    window.set_mode("quantise")
    qtbot.waitUntil(lambda: asked == [5], timeout=TIMEOUT)
    window.cancel_action.trigger()
    release.set()
    qtbot.waitUntil(lambda: not mode.result_pending and not window.controller.busy, timeout=TIMEOUT)
    spin.editingFinished.emit()  # as on leaving the box: it has no focus
    qtbot.wait(300)
    assert asked == [5] and not mode.result_pending
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=5000)
    spin.editingFinished.emit()  # Enter
    qtbot.waitUntil(lambda: mode.has_result and not mode.result_pending, timeout=TIMEOUT)
    assert asked == [5, 5]
