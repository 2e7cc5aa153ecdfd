"""Video mode: faults of new-user trial 33."""

import numpy as np
import pytest

from gui_helpers import write_frames


def test_a_model_too_large_for_memory_is_said_in_the_windows_words(make_window, qtbot, messages, tmp_path, monkeypatch):
    # NumPy's MemoryError reached the window as "_ArrayMemoryError: Unable to allocate ...",
    # the class name marking a fault of ours; the model's own error names the frames' size.
    from segmix import background

    full = np.full

    def refuse(shape, *args, **kwargs):
        if isinstance(shape, tuple) and len(shape) == 3 and shape[1] == 1:  # the variances (K, 1, H W)
            raise MemoryError("Unable to allocate 1.61 GiB for an array")
        return full(shape, *args, **kwargs)

    monkeypatch.setattr(background.np, "full", refuse)
    folder = write_frames(tmp_path / "frames", 3)
    window = make_window()
    window.set_mode("video")
    assert window.open_image(folder)
    qtbot.waitUntil(lambda: len(messages) > 0, timeout=60000)
    title, text = messages[-1]
    assert text.startswith("not enough memory for the background model of 32 x 24 frames"), text
    assert text.endswith("scale the frames down") and "n_components" not in text, text
