"""Session 48: a video frame of the other kind than the model's (FrameKindWarning, the library's)
is said in the window's words: its status bar note gave a Python caller's advice (reset())."""

import numpy as np

from test_video_trial26 import _jump, _open


def _switching_video(path, colour=8, grey=4):
    import av

    from tests.synthetic_photos import moving_square_frames

    out = av.open(str(path), "w")
    stream = out.add_stream("mjpeg", rate=10)
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuvj444p"
    for i, frame in enumerate(moving_square_frames(colour + grey, size=(64, 48), step=1)):
        if i >= colour:  # a camera switched to infrared
            frame = np.repeat(np.rint(frame.astype(float) @ [0.299, 0.587, 0.114]).astype(np.uint8)[..., None], 3, -1)
        for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return path


def test_a_video_frame_of_the_other_kind_is_said_in_the_windows_words(make_window, qtbot, tmp_path):
    video = _switching_video(tmp_path / "switch.avi")
    window = make_window()
    shown = []
    window.statusBar().messageChanged.connect(shown.append)
    mode = _open(qtbot, window, video)
    for index in range(2, 11):
        _jump(qtbot, mode, index)
    said = [text for text in shown if "is greyscale, not colour as the frames before it" in text]
    assert len(said) == 1, shown
    assert "frame 9 is greyscale" in said[0] and "reset()" not in said[0], said[0]
