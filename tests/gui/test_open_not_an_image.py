"""Opening a file that is no image (a text file named .png, a corrupt or truncated JPEG)
leaves the window as it was: the photo, its marks, their undo history and the result
(a trial saw the dialog and its marks kept; this keeps it so)."""

import numpy as np
from PIL import Image

from gui_helpers import drag, paint_two_classes


def _not_images(folder):
    """A text file named .png, a JPEG of garbage after its first marker, and a JPEG cut in half."""
    text = folder / "notes.png"
    text.write_text("hello, not an image\n")
    whole = folder / "whole.jpg"
    pixels = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(whole, quality=90)
    data = whole.read_bytes()
    garbage = folder / "garbage.jpg"
    garbage.write_bytes(data[:2] + b"garbage" * 50)
    truncated = folder / "truncated.jpg"
    truncated.write_bytes(data[: len(data) // 2])
    return [text, garbage, truncated]


def test_a_file_that_is_no_image_leaves_the_photo_and_its_marks(qtbot, window, tmp_path, messages):
    paint_two_classes(qtbot, window)
    image, labels = window.image, window.layer.labels.copy()
    mask, steps, title = window.current_mask().copy(), window.undo_stack.count(), window.windowTitle()
    asked = []
    for bad in _not_images(tmp_path):
        # Unsaved marks are asked about before the photo is decoded (session 40): only for a
        # file whose header reads as a photo, and not for the JPEG cut short either (it does
        # not end in its end marker: decoded first, refused without the question, session 53).
        window.confirm_discard = lambda bad=bad: asked.append(bad.name) or True
        messages.clear()
        assert not window.open_image(bad)
        assert len(messages) == 1 and bad.name in messages[0][1], messages
        assert window.image is image and window.windowTitle() == title
        assert np.array_equal(window.layer.labels, labels) and window.undo_stack.count() == steps
        assert np.array_equal(window.current_mask(), mask)
    assert asked == [], asked
    window.set_tool("foreground")
    with qtbot.waitSignal(window.overlay_updated, timeout=30000):
        drag(window, [(25, 15), (25, 40)])  # still usable: one more stroke, one more undo step
    assert window.undo_stack.count() == steps + 1
