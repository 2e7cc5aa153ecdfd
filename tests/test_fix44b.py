"""Leftovers of session 44's helpers (fix44b): advice for three inputs of one output name,
clicks on tiny photos, the reasons given for frames lost with a video's key frame."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.conftest import SKIN_RGB


def _error(capsys, command: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    prefix = f"segmix {command}: error: "
    assert err.startswith(prefix), err
    return err[len(prefix):].strip()


# ------------------------------------------------------------- 1. "rename one" for three writers
@pytest.mark.parametrize("exts, words", [
    (("png", "tif", "webp"), "rename all but one of the photos"),
    (("png", "tif"), "rename one of the photos"),
])
def test_skin_apply_advice_counts_the_photos_of_one_name(tmp_path, capsys, exts, words):
    # Three photos a.png a.tif a.webp into one --output-dir were all named, but the advice was
    # "rename one of the photos": renaming one leaves two writing one mask.
    photo = np.full((12, 16, 3), SKIN_RGB, np.uint8)
    names = [tmp_path / f"a.{ext}" for ext in exts]
    for name in names:
        Image.fromarray(photo).save(name)
    out = tmp_path / "o"
    assert main(["skin", "apply", *map(str, names), "--output-dir", str(out)]) == 2
    line = _error(capsys, "skin apply")
    assert f"; {words}, or give each folder" in line, line
    assert not out.exists()


def test_check_batch_outputs_gives_the_advice_the_number_of_writers():
    from segmix.io import OutputClash, check_batch_outputs

    planned = [("o/a_skin.png", "the mask of a.png"), ("o/a_skin.png", "the mask of a.tif"),
               ("o/b_skin.png", "the mask of b.png"), ("o/b_skin.png", "the mask of b.tif"),
               ("o/b_skin.png", "the mask of b.webp")]
    with pytest.raises(OutputClash) as caught:
        check_batch_outputs(planned, [], both_advice=lambda n: f"rename {n - 1}")
    assert str(caught.value).endswith("; rename 2"), caught.value  # the largest group counts


def test_three_photos_sharing_one_mask_are_all_named_with_advice(tmp_path, capsys):
    # x.jpg x.png x.tif against msk/x.png: "x.jpg and x.png: two photos of one name would share
    # the mask ...; ... rename one": the third left out, and renaming one was not enough.
    (tmp_path / "img").mkdir()
    (tmp_path / "msk").mkdir()
    photo = np.full((12, 16, 3), SKIN_RGB, np.uint8)
    for ext in ("jpg", "png", "tif"):
        Image.fromarray(photo).save(tmp_path / "img" / f"x.{ext}")
    Image.fromarray(np.full((12, 16), 255, np.uint8)).save(tmp_path / "msk" / "x.png")
    assert main(["skin", "eval", "--images", str(tmp_path / "img"), "--masks", str(tmp_path / "msk"), "--quiet"]) == 2
    line = _error(capsys, "skin eval")
    for ext in ("jpg", "png", "tif"):
        assert str(tmp_path / "img" / f"x.{ext}") in line, line
    assert "3 photos of one name would share the mask" in line and "rename all but one" in line, line


def test_background_distributed_advice_counts_every_shared_name(tmp_path):
    # Folders v1/a v2/a and v1/b v2/b v3/b: "... would both write OUT/a; rename one (and 1 more
    # output folder that more than one input would write: b)", and b has three.
    from segmix.distributed.background_jobs import plan_sequences

    for parent in ("v1", "v2", "v3"):
        for name in ("a", "b"):
            (tmp_path / parent / name).mkdir(parents=True)
            Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / parent / name / "f1.png")
    inputs = [tmp_path / "v1" / "a", tmp_path / "v2" / "a", *(tmp_path / p / "b" for p in ("v1", "v2", "v3"))]
    with pytest.raises(ValueError) as caught:
        plan_sequences(inputs, tmp_path / "out")
    assert "; rename all but one (and 1 more output folder" in str(caught.value), caught.value


@pytest.mark.parametrize("exts, words", [
    (("png", "tif", "bmp"), "rename all but one of them"),
    (("png", "bmp"), "rename one of them"),
])
def test_background_frames_of_one_stem_are_all_named_with_advice(tmp_path, capsys, exts, words):
    # f1.png f1.tif f1.bmp in a frames folder: "fr/f1.png: has the same name stem as
    # fr/f1.bmp; masks are named after stems", the third left out and no word of what to do.
    frames = tmp_path / "fr"
    frames.mkdir()
    for ext in exts:
        Image.fromarray(np.zeros((6, 6, 3), np.uint8)).save(frames / f"f1.{ext}")
    Image.fromarray(np.zeros((6, 6, 3), np.uint8)).save(frames / "f2.png")
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "o")]) == 2
    line = _error(capsys, "background")
    for ext in exts:
        assert f"f1.{ext}" in line, line
    assert "same name stem" in line and line.endswith(words), line
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------- 2. clicks on a photo under 8 px
def _noisy_plus(seed=0, n=5):
    """A blue photo with a red plus in its middle (5 of 25 pixels at 5 x 5), colours +-20."""
    photo = np.zeros((n, n, 3), int)
    photo[...] = (0, 0, 255)
    photo[n // 2, n // 2 - 1:n // 2 + 2] = photo[n // 2 - 1:n // 2 + 2, n // 2] = (255, 0, 0)
    noise = np.random.default_rng(seed).integers(-20, 21, photo.shape)
    return np.clip(photo + noise, 0, 255).astype(np.uint8)


def test_clicks_on_a_tiny_photo_give_the_mask_of_the_same_marks_as_a_file(tmp_path, capsys):
    # `segment p.png --click 2,2 --background-click 0,0` kept the clicked pixel alone (4 %):
    # the first click's one-pixel foreground model gave that pixel, and the background click,
    # agreeing with it, left it (the one-signed step); the same marks as --scribbles gave the
    # plus (20 %). (Session 45, clicks.tiny_scale: on this noise's seed 1 both now give 3 of
    # the plus's 5 pixels; seed 2's noise, used here, the plus.)
    Image.fromarray(_noisy_plus(2)).save(tmp_path / "p.png")
    labels = np.zeros((5, 5), np.uint8)
    labels[2, 2], labels[0, 0] = 1, 2
    Image.fromarray(labels).save(tmp_path / "s.png")
    assert main(["segment", str(tmp_path / "p.png"), "--click", "2,2", "--background-click", "0,0",
                 "-o", str(tmp_path / "c.png"), "--quiet"]) == 0
    assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "s.png"),
                 "-o", str(tmp_path / "f.png"), "--quiet"]) == 0
    clicked = np.array(Image.open(tmp_path / "c.png")) > 0
    marked = np.array(Image.open(tmp_path / "f.png")) > 0
    plus = _noisy_plus(2)[..., 0] > 128
    assert np.array_equal(marked, plus)
    assert np.array_equal(clicked, marked), clicked.astype(int)


def test_a_step_on_a_photo_under_8_px_is_fitted_afresh_and_larger_ones_are_held():
    from segmix.segment import one_pixel_clicks, segment, step_preview, SegmentationSettings

    assert one_pixel_clicks((5, 5)) and one_pixel_clicks((7, 300, 3))
    assert not one_pixel_clicks((8, 8)) and not one_pixel_clicks((40, 60, 3)) and not one_pixel_clicks((480, 854))
    photo = _noisy_plus(2)
    first = np.zeros((5, 5), np.uint8)
    first[2, 2] = 1
    both = first.copy()
    both[0, 0] = 2
    step = segment(photo, first)
    # The one-pixel foreground model gave the pixel alone until session 45; with the colours
    # next to it borrowed as a tiny photo's (clicks.tiny_scale), the plus.
    assert step.mask.sum() == 5
    chained = segment(photo, both, previous_mask=step.mask, previous_model=step.model, previous_scribbles=first)
    fresh = segment(photo, both)
    assert np.array_equal(chained.mask, fresh.mask) and fresh.mask.sum() == 5
    # the window's preview of the step starts afresh too (as without a previous result)
    decision = np.zeros((5, 5), bool)
    decision[1:4, 1:4] = True
    shown = step_preview(decision, both, SegmentationSettings(), previous_mask=step.mask, previous_scribbles=first)
    assert np.array_equal(shown, step_preview(decision, both, SegmentationSettings())) and shown.sum() == 9


# ------------------------------------------------------------- 3. frames lost with a video's key frame
def _h264(path, count=30, gop=50, b_frames=0, faststart=False, size=(64, 48)):
    """An H.264 MP4 of a square moving on noise, made with PyAV."""
    av = pytest.importorskip("av")
    rng = np.random.default_rng(0)
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream("h264", rate=25)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"g": str(gop), "bf": str(b_frames), "sc_threshold": "0"}
        for i in range(count):
            frame = (rng.random((size[1], size[0], 3)) * 60).astype(np.uint8)
            frame[10:20, i:i + 10] = 250
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _zero_packet(path, number):
    av = pytest.importorskip("av")
    with av.open(str(path)) as container:
        packets = [(p.pos, p.size) for p in container.demux(video=0) if p.size]
    position, size = packets[number - 1]
    data = bytearray(path.read_bytes())
    data[position:position + size] = bytes(size)
    path.write_bytes(bytes(data))


def _skips(err):
    return [line for line in err.splitlines() if "skipped" in line]


def test_frames_lost_with_the_first_key_frame_are_said_to_depend_on_it(tmp_path, capsys):
    # The first packet zeroed: frames 2-40, which gave no picture in silence because they
    # refer to it, were said as frame 1, "cannot be decoded (Invalid data found ...)".
    video = _h264(tmp_path / "clip.mp4", count=40)  # more frames than FFmpeg's threads (16 at most)
    _zero_packet(video, 1)
    assert main(["background", str(video), "--output-dir", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    skips = _skips(err)
    assert len(skips) == 2, err
    assert skips[0].startswith(f"segmix background: skipped {video} frame 1: the frame cannot be decoded ("), err
    assert skips[1] == (f"segmix background: skipped {video} frames 2-40 (39 frames): the frame cannot be decoded: "
                        "the key frame it depends on was lost (it could not be decoded)"), err
    assert "raw video stream" not in err, err  # an MP4 has time stamps, though no picture came


def test_frames_lost_with_a_later_key_frame_keep_their_places(tmp_path, capsys):
    video = _h264(tmp_path / "clip.mp4", count=30, gop=10)
    _zero_packet(video, 11)
    assert main(["background", str(video), "--output-dir", str(tmp_path / "o"), "--quiet"]) == 1
    skips = _skips(capsys.readouterr().err)
    assert len(skips) == 2 and f"{video} frame 11: the frame cannot be decoded (" in skips[0], skips
    assert f"{video} frames 12-19 (8 frames): the frame cannot be decoded: a frame it depends on was lost" in skips[1]
    assert "may show motion that is not there" in skips[1] and "may show" not in skips[0], skips
    names = sorted(p.name for p in (tmp_path / "o").glob("*.png"))
    assert names == [f"frame_{k:06d}.png" for k in [*range(1, 11), *range(20, 31)]]


def test_a_truncated_faststart_mp4_says_where_it_ends_once(tmp_path, capsys):
    # With B-frames the frames read last before the cut refer to the frame cut off: they were
    # "skipped ... frames 18-19: the frame cannot be decoded (it gives no picture)" before
    # "the video ends after frame 19 of the 40 its header announces".
    video = _h264(tmp_path / "full.mp4", count=40, b_frames=2, faststart=True, size=(320, 240))
    cut = tmp_path / "cut.mp4"
    data = video.read_bytes()
    cut.write_bytes(data[:len(data) // 2])
    assert main(["background", str(cut), "--output-dir", str(tmp_path / "o"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert not _skips(err), err
    ends = [line for line in err.splitlines() if "the video ends after frame" in line]
    assert len(ends) == 1, err
    last = int(ends[0].split("ends after frame ")[1].split()[0])
    names = sorted(p.name for p in (tmp_path / "o").glob("*.png"))
    assert names == [f"frame_{k:06d}.png" for k in range(1, last + 1)], (names, ends)
