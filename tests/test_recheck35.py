"""Re-check of session 35's fixes: neighbours of the faults fixed that the fixes missed.

* The JPEG check called a frame "corrupt JPEG data ... decodes as garbage" and skipped it when
  zero bytes stood before a marker (before the end marker, a restart marker, or between header
  segments), though the picture decodes whole: USB webcams' MJPEG frames carry such padding
  (OpenCV's familiar "Corrupt JPEG data: 2 extraneous bytes before marker 0xd9").
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from segmix.jpeg_scan import jpeg_damage
from synthetic_photos import damaged_jpeg


def _photo(seed: int = 35, size=(72, 56)) -> np.ndarray:
    """A noisy picture with a bright square (deterministic)."""
    rng = np.random.default_rng(seed)
    width, height = size
    pixels = rng.integers(30, 220, (height, width, 3)).astype(np.uint8)
    pixels[8:24, 10:30] = (250, 240, 30)
    return pixels


def _jpeg(pixels: np.ndarray, **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90, **options)
    return buffer.getvalue()


def _decoded(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _padded(data: bytes, where: str, pad: bytes) -> bytes:
    if where == "eoi":
        at = data.rindex(b"\xff\xd9")
    elif where == "restart":
        at = data.index(b"\xff\xd0", data.index(b"\xff\xda"))
    else:  # between the first header segment (APP0) and the next
        at = 4 + int.from_bytes(data[4:6], "big")
    return data[:at] + pad + data[at:]


@pytest.mark.parametrize("where", ["eoi", "restart", "segments"])
@pytest.mark.parametrize("pad", [b"\x00", b"\x00\x00", b"\x00" * 9], ids=["1", "2", "9"])
def test_zero_bytes_before_a_marker_are_no_damage(where, pad):
    whole = _jpeg(_photo(), restart_marker_blocks=4)
    padded = _padded(whole, where, pad)
    # The picture decodes the same: padding, not damage.
    assert np.array_equal(_decoded(padded), _decoded(whole))
    assert jpeg_damage(whole) is None
    assert jpeg_damage(padded) is None


@pytest.mark.parametrize("where", ["eoi", "restart"])
def test_coded_bytes_before_a_marker_are_still_damage(where):
    # Bytes that are not zero where the codes should have ended: codes fallen out of step.
    whole = _jpeg(_photo(), restart_marker_blocks=4)
    found = jpeg_damage(_padded(whole, where, b"\x5a\x17"))
    assert found is not None and found.startswith("corrupt JPEG data")


def test_zero_bytes_after_coded_bytes_are_still_damage():
    whole = _jpeg(_photo())
    found = jpeg_damage(_padded(whole, "eoi", b"\x5a\x00\x00"))
    assert found is not None and "left over" in found


def test_background_keeps_a_frame_padded_before_its_end_marker(tmp_path, capsys):
    frames = tmp_path / "frames"
    frames.mkdir()
    for i in range(4):
        pixels = _photo()
        pixels[30:40, 5 + 8 * i: 15 + 8 * i] = (20, 20, 240)
        data = _jpeg(pixels)
        if i == 2:
            data = _padded(data, "eoi", b"\x00\x00")
        (frames / f"f{i + 1}.jpg").write_bytes(data)
    out = tmp_path / "out"
    code = main(["background", str(frames), "--output-dir", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "corrupt" not in err
    assert sorted(p.name for p in out.iterdir()) == ["f1.png", "f2.png", "f3.png", "f4.png"]


def test_mjpeg_avi_frame_padded_before_its_end_marker_is_kept(tmp_path):
    av = pytest.importorskip("av")
    from segmix.frames import FrameSequence

    path = tmp_path / "clip.avi"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mjpeg", rate=10)
        stream.width, stream.height, stream.pix_fmt = 72, 56, "yuvj420p"
        for i in range(5):
            pixels = _photo(seed=i)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24").reformat(format="yuvj420p")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    # Pad the third frame's JPEG with two zero bytes before its end marker, and take two bytes
    # off its comment (FFmpeg's "Lavc..."): the AVI chunk keeps its size, no index to mend.
    data = bytearray(path.read_bytes())
    ends = [i for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] == 0xD9]
    assert len(ends) == 5
    start = data.rindex(b"\xff\xd8", 0, ends[2])
    comment = data.find(b"\xff\xfe", start, ends[2])
    if comment < 0:
        pytest.skip("the encoder wrote no comment to shorten")
    length = int.from_bytes(data[comment + 2: comment + 4], "big")
    frame = bytes(data[start: ends[2] + 2])
    at = comment - start
    shorter = (frame[:at + 2] + (length - 2).to_bytes(2, "big") + frame[at + 4: at + 2 + length - 2]
               + frame[at + 2 + length: -2] + b"\x00\x00\xff\xd9")
    assert len(shorter) == len(frame)
    assert np.array_equal(_decoded(shorter), _decoded(frame))
    assert jpeg_damage(shorter) is None
    data[start: ends[2] + 2] = shorter
    path.write_bytes(bytes(data))
    frames = list(FrameSequence(path))
    assert len(frames) == 5


# A marks file given where a mask goes: skin eval / train said "this looks like a 0/1 mask:
# multiply it by 255" of a file of foreground clicks (labels 0 and 1).


def _marks_and_photo(tmp_path, labels_present=(1,)):
    from segmix.io import save_labels

    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    Image.fromarray(_photo()).save(images / "p.png")
    labels = np.zeros((56, 72), np.uint8)
    for i, value in enumerate(labels_present):
        labels[5 + 10 * i: 12 + 10 * i, 5:20] = value
    save_labels(masks / "p.png", labels)
    return images, masks


@pytest.mark.parametrize("present", [(1,), (1, 2)], ids=["clicks", "strokes"])
def test_load_mask_names_a_marks_file(tmp_path, present):
    from segmix.io import ImageLoadError
    from segmix.labelmaps import load_mask

    _, masks = _marks_and_photo(tmp_path, present)
    with pytest.raises(ImageLoadError, match="holds marks \\(scribbles\\) saved by segmix") as caught:
        load_mask(masks / "p.png")
    assert "multiply" not in str(caught.value)


@pytest.mark.parametrize("command", ["eval", "train"])
def test_skin_eval_and_train_name_a_marks_file_among_the_masks(tmp_path, capsys, command):
    images, masks = _marks_and_photo(tmp_path)
    argv = ["skin", command, "--images", str(images), "--masks", str(masks)]
    if command == "train":
        argv += ["-o", str(tmp_path / "m.json")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "holds marks (scribbles) saved by segmix" in err and "multiply" not in err


def test_a_plain_zero_one_mask_keeps_its_hint(tmp_path):
    from segmix.io import ImageLoadError
    from segmix.labelmaps import load_mask

    Image.fromarray(np.array([[0, 1], [1, 0]], np.uint8)).save(tmp_path / "m.png")
    with pytest.raises(ImageLoadError, match="multiply it by 255"):
        load_mask(tmp_path / "m.png")


# --distributed stopped by SIGTERM sent to the process group (timeout, systemd, a terminal)
# while the local cluster starts: the workers got it too, the start failed on it, and the
# run said "the Dask run failed: RuntimeError: Nanny failed to start." with exit 2 (4 of 8
# `skin apply --distributed` runs stopped at 1.0-1.3 s), not "segmix: terminated", 143.


def test_a_held_termination_wins_over_the_failure_it_caused():
    import logging
    import os
    import signal

    from segmix.distributed.cluster import _terminations_held

    class Stop(Exception):
        pass

    def stop(signum, frame):
        raise Stop

    previous = signal.signal(signal.SIGTERM, stop)
    levels = {name: logging.getLogger(name).level for name in ("distributed", "tornado")}
    try:
        with pytest.raises(Stop):
            with _terminations_held():
                os.kill(os.getpid(), signal.SIGTERM)
                raise RuntimeError("Nanny failed to start.")
        assert signal.getsignal(signal.SIGTERM) is stop
        # Without a signal the failure is the failure.
        with pytest.raises(RuntimeError, match="Nanny"):
            with _terminations_held():
                raise RuntimeError("Nanny failed to start.")
        assert signal.getsignal(signal.SIGTERM) is stop
    finally:
        signal.signal(signal.SIGTERM, previous)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


# A photo damaged in its coded data (markers in place) was segmented, quantised, skin-applied
# and scored in silence, exit 0 (frames were already skipped): now each command says it.


def _damaged_jpeg(tmp_path) -> Path:
    path = tmp_path / "damaged.jpg"
    path.write_bytes(damaged_jpeg(_jpeg(_photo(size=(96, 80)))))
    return path


def test_load_image_info_warns_of_a_damaged_jpeg(tmp_path):
    import warnings

    from segmix.io import DamagedJpegWarning, load_image_info

    path = _damaged_jpeg(tmp_path)
    with pytest.warns(DamagedJpegWarning, match="corrupt JPEG data.*garbage"):
        assert load_image_info(path).pixels.shape == (80, 96, 3)
    whole = tmp_path / "whole.jpg"
    whole.write_bytes(_padded(_jpeg(_photo()), "eoi", b"\x00\x00"))  # padding: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_image_info(whole)


@pytest.mark.parametrize("command", ["segment", "quantize", "skin apply"])
def test_commands_say_a_damaged_jpeg_photo(tmp_path, capsys, command):
    path = _damaged_jpeg(tmp_path)
    argv = {"segment": ["segment", str(path), "-o", str(tmp_path / "m.png"), "--click", "20,16",
                        "--background-click", "80,70"],
            "quantize": ["quantize", str(path), "-o", str(tmp_path / "q.png"), "-k", "4"],
            "skin apply": ["skin", "apply", str(path), "--output-dir", str(tmp_path / "out")]}[command]
    main(argv)
    err = capsys.readouterr().err
    assert "warning:" in err and "damaged.jpg: corrupt JPEG data" in err
