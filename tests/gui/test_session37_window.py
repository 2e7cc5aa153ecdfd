"""Session 37's own window fixes (not a trial's)."""

import numpy as np


def test_a_cutout_of_a_16_bit_photo_holds_16_bits(qtbot, make_window, tmp_path):
    # A 16-bit photo's cut-out was an 8-bit RGBA PNG, written without a word, as on the command
    # line, and found only in an editor (session 37); it now holds the photo's 16 bits.
    import cv2

    from gui_helpers import make_two_colour_image, paint_two_classes

    pixels = make_two_colour_image().astype(np.uint16) * 257
    cv2.imwrite(str(tmp_path / "deep.png"), pixels[..., ::-1])
    window = make_window(tmp_path / "deep.png")
    paint_two_classes(qtbot, window)
    qtbot.waitUntil(lambda: not window.modes["segment"].result_pending, timeout=60000)
    assert window.export("cutout", tmp_path / "cut.png")
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Saved {tmp_path / 'cut.png'}")
    assert "bits per sample" not in message  # it holds them all (session 43)
    assert cv2.imread(str(tmp_path / "cut.png"), cv2.IMREAD_UNCHANGED).dtype == np.uint16
    assert window.export("mask", tmp_path / "mask.png")  # a mask loses nothing: no such words
    assert "bits per sample" not in window.statusBar().currentMessage()


def test_a_high_speed_video_plays_at_the_top_rate_and_says_so(make_window, qtbot, tmp_path):
    # A 240-fps video (a phone's slow motion) played at 25 fps, ten times slower than it was
    # recorded, without a word: its rate was taken for a broken header's.
    import av

    from segmix.gui.modes.video import MAX_FPS, play_interval_ms

    path = tmp_path / "slowmo.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=240)
        stream.width, stream.height, stream.pix_fmt = 32, 24, "yuv420p"
        for t in range(12):
            frame = av.VideoFrame.from_ndarray(np.full((24, 32, 3), 20 * t, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    window = make_window()
    window.set_mode("video")
    mode = window.modes["video"]
    assert window.open_image(path)
    assert mode.panel.fps.value() == MAX_FPS
    assert mode._play_timer.interval() == play_interval_ms(MAX_FPS)
    message = window.statusBar().currentMessage()
    assert "slowmo.mp4 was recorded at 240 fps" in message and "2.0 times slower than real time" in message


def test_the_rectangle_on_a_greyscale_photo_gives_the_command_line_s_mask(make_window, qtbot, tmp_path):
    # A box on a greyscale photo learns the texture beside the grey level (the DAVIS frames made
    # grey: mean IoU 0.36 -> 0.52); the window's Rectangle trains through the same path as
    # `segment --box`, so it gives the same mask.
    from PIL import Image

    from gui_helpers import box_on_photo
    from segmix.cli import main
    from segmix.segment import GREY_BOX_TEXTURE_WEIGHT
    from tests.test_session37 import _grey_textured_scene

    image, disc = _grey_textured_scene()
    Image.fromarray(image[..., 0]).save(tmp_path / "grey.png")
    window = make_window(smoothing=True)
    outcome = box_on_photo(qtbot, window, tmp_path / "grey.png", [(40, 20), (119.5, 99.5)])
    assert outcome.model.features.texture_weight == GREY_BOX_TEXTURE_WEIGHT
    assert "A grey photo: the box's models learn its texture too." in window.modes["segment"].training_panel.status_label.text()
    mask = outcome.mask.astype(bool)
    assert np.count_nonzero(mask & disc) / np.count_nonzero(mask | disc) > 0.7
    Image.fromarray(window.layer.labels).save(tmp_path / "labels.png")
    assert main(["segment", str(tmp_path / "grey.png"), "--scribbles", str(tmp_path / "labels.png"), "-o",
                 str(tmp_path / "cli.png")]) == 0
    cli = np.asarray(Image.open(tmp_path / "cli.png")) > 127
    assert np.count_nonzero(cli != mask) < 0.01 * mask.size
    window.grab().save(str(tmp_path.parent / "grey_box_window.png"))


def test_a_photo_of_12_bit_data_keeps_its_note_under_the_banner(make_window, qtbot, tmp_path):
    # A 16-bit PNG of 12-bit data reads almost black: its note was in the status bar for 10 s,
    # and then the photo stayed near-black with nothing on screen to say why (a new user).
    import cv2

    from segmix.io import NARROW_16_BIT_LEVEL

    pixels = np.zeros((40, 60, 3), np.uint16)
    pixels[:, :30] = 4000
    pixels[:, 30:] = 300
    cv2.imwrite(str(tmp_path / "g12.png"), pixels)
    window = make_window(tmp_path / "g12.png")
    assert int(window.image.max()) <= NARROW_16_BIT_LEVEL
    text = window.hint_label.text()
    assert "g12.png reads almost black: its 16-bit samples all lie under 1/16 of their range" in text
    window.set_mode("skin")
    assert "reads almost black" in window.hint_label.text()
    cv2.imwrite(str(tmp_path / "full.png"), pixels * 16)
    assert window.open_image(tmp_path / "full.png")
    assert "reads almost black" not in window.hint_label.text()
