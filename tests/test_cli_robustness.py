"""Inputs of the kinds users bring, through every command that takes them (robustness sweep
of the bug-report cases in ../shared/cases: variants the cases do not cover).

Each test names the fault it pins down: animated / multi-page photos read silently as their
first frame, an output clash in ``skin apply`` exiting 1 (a partial run) instead of 2 (a
usage error), ``-k 3 --components 4`` keeping the last silently, a decompression bomb refused
without its size, empty folders named as folders without masks; and the photo encodings that
must give the same mask as the plain PNG (16-bit, RGBA, EXIF-rotated, paths with spaces and
non-ASCII letters).
"""

import warnings

import numpy as np
import pytest
from PIL import Image

from segmix import io
from segmix.cli import build_parser, main


def _photo(h=60, w=80, seed=0):
    """A red rectangle on green with noise (the cases' two_region_photo)."""
    rng = np.random.default_rng(seed)
    img = np.empty((h, w, 3))
    img[:] = (40, 120, 60)
    img[h // 4: 3 * h // 4, w // 4: 3 * w // 4] = (210, 60, 50)
    img += rng.normal(0, 6, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def _scribbles(h=60, w=80):
    s = np.zeros((h, w), np.uint8)
    s[h // 2, w // 3: 2 * w // 3] = 1
    s[2, 3: w - 3] = 2
    s[h - 3, 3: w - 3] = 2
    return s


def _err_lines(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def _save_animation(path, frames):
    first, *rest = [Image.fromarray(f) for f in frames]
    params = {"lossless": True} if path.suffix == ".webp" else {}
    first.save(path, save_all=True, append_images=rest, **params)


ANIMATED = ["anim.gif", "anim.png", "pages.tif", "anim.webp"]


# ------------------------------------------------------------------ multi-frame photos
@pytest.mark.parametrize("name", ANIMATED)
def test_multi_frame_photo_warns_once_and_reads_the_first_frame(tmp_path, name):
    photo = _photo()
    path = tmp_path / name
    _save_animation(path, [photo, 255 - photo, photo // 2])
    with pytest.warns(io.ExtraFramesWarning, match=r"3 frames .* only the first is used") as caught:
        pixels = io.load_image(path)
    assert len(caught) == 1 and str(path) in str(caught[0].message)
    if name != "anim.gif":  # GIF quantises to a palette
        np.testing.assert_array_equal(pixels, photo)
    # A frame asked for by number: that frame, no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = io.load_image(path, frame=1)
    if name != "anim.gif":
        np.testing.assert_array_equal(second, 255 - photo)
    with pytest.raises(io.ImageLoadError, match="has no frame 4"):
        io.load_image(path, frame=3)


def test_mpo_photo_is_not_warned_about(tmp_path):
    """Phone and camera JPEGs often carry previews or depth maps as further MPO pictures."""
    photo = _photo()
    path = tmp_path / "camera.jpg"
    Image.fromarray(photo).save(path, format="MPO", save_all=True, append_images=[Image.fromarray(photo[::2, ::2])])
    with Image.open(path) as im:
        assert im.format == "MPO" and im.n_frames == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert io.load_image(path).shape == photo.shape


@pytest.mark.parametrize("command", ["segment", "quantize", "skin apply"])
@pytest.mark.parametrize("name", ["anim.gif", "pages.tif"])
def test_every_command_warns_about_a_multi_frame_photo_in_one_line(tmp_path, capsys, command, name):
    path = tmp_path / name
    _save_animation(path, [_photo(), 255 - _photo()])
    Image.fromarray(_scribbles()).save(tmp_path / "s.png")
    args = {"segment": ["segment", str(path), "--scribbles", str(tmp_path / "s.png"), "-o", str(tmp_path / "m.png")],
            "quantize": ["quantize", str(path), "-k", "4", "-o", str(tmp_path / "q.png")],
            "skin apply": ["skin", "apply", str(path), "--output-dir", str(tmp_path / "out"), "--quiet"]}[command]
    assert main(args) == 0
    lines = _err_lines(capsys)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"segmix {command}: warning: {path}: the file holds 2 frames")


def test_skin_eval_and_train_warn_about_a_multi_frame_photo(tmp_path, capsys):
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir(), masks.mkdir()
    photo = _photo()
    _save_animation(images / "p0.gif", [photo, 255 - photo])
    Image.fromarray(np.where(_scribbles() == 1, 255, 0).astype(np.uint8)).save(masks / "p0.png")
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 0
    warned = [line for line in _err_lines(capsys) if "warning" in line]
    assert warned == [f"segmix skin eval: warning: {images / 'p0.gif'}: the file holds 2 frames (an animated or "
                      "multi-page image); only the first is used"]
    assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(tmp_path / "m.json"),
                 "-k", "1", "--non-skin-components", "1", "--quiet"]) == 0
    assert any(line.startswith("segmix skin train: warning:") and "p0.gif" in line for line in _err_lines(capsys))


# ------------------------------------------------------------------ exit statuses
def test_skin_apply_output_clash_is_a_usage_error_with_probability_maps_too(tmp_path, capsys):
    """x.png's probability map x_skin_prob.png would replace an input of the batch: refused
    before any work (2), and only with --probability (without it the file is not written)."""
    for name in ("x.png", "x_skin_prob.png"):
        Image.fromarray(_photo()).save(tmp_path / name)
    before = (tmp_path / "x_skin_prob.png").read_bytes()
    args = ["skin", "apply", str(tmp_path / "x.png"), str(tmp_path / "x_skin_prob.png"), "--output-dir", str(tmp_path),
            "--quiet"]
    assert main([*args, "--probability"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "x_skin_prob.png" in lines[0] and "would replace an input" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.png", "x_skin_prob.png"]
    assert (tmp_path / "x_skin_prob.png").read_bytes() == before
    assert main(args) == 0  # masks only: no clash
    assert (tmp_path / "x_skin.png").exists() and (tmp_path / "x_skin_prob_skin.png").exists()


@pytest.mark.parametrize("argv, named", [
    (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "-k", "3", "--components", "4"],
     "-k 3, then --components 4"),
    (["quantize", "p.png", "-o", "q.png", "--colors", "4", "-k", "8"], "--colors 4, then -k 8"),
    (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--fill-holes", "--no-fill-holes"],
     "--fill-holes, then --no-fill-holes"),
    (["skin", "apply", "p.png", "--output-dir", "a", "--output-dir", "b"], "--output-dir a, then --output-dir b"),
    (["skin", "train", "--uci", "u.txt", "-o", "a.json", "-k", "2", "-k", "3"], "-k 2, then -k 3"),
    (["background", "f", "--output-dir", "o", "-k", "3", "--components", "5"], "-k 3, then --components 5"),
])
def test_an_option_given_twice_with_different_values_is_refused(tmp_path, monkeypatch, capsys, argv, named):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "given twice with different values" in lines[0] and named in lines[0], lines
    assert list(tmp_path.iterdir()) == []  # refused when parsed, before any file


def test_an_option_repeated_with_the_same_value_and_append_options_pass():
    args = build_parser().parse_args(["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "-k", "3",
                                      "--components", "3", "--no-fill-holes", "--no-fill-holes"])
    assert args.components == 3 and args.fill_holes is False
    args = build_parser().parse_args(["skin", "train", "--images", "a", "--masks", "b", "--images", "c",
                                      "--masks", "d", "-o", "m.json"])
    assert args.images == ["a", "c"] and args.masks == ["b", "d"]


def test_position_weight_help_states_its_scale(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["segment", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--position-weight W" in text and "longer side" in text and "W = 1" in text and "0..1" in text


# ------------------------------------------------------------------ sizes and folders
def test_decompression_bomb_is_refused_with_its_size_before_decoding(tmp_path, capsys):
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    bomb = tmp_path / "bomb.png"
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    for argv in (["quantize", str(bomb), "-o", str(tmp_path / "q.png")],
                 ["skin", "apply", str(bomb), "--output-dir", str(tmp_path / "out"), "--quiet"]):
        assert main(argv) == 2
        lines = _err_lines(capsys)
        assert len(lines) == 1 and "bomb.png" in lines[0] and "100000 x 100000" in lines[0], lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.png"]


def test_one_pixel_photo(tmp_path, capsys):
    Image.fromarray(np.full((1, 1, 3), 200, np.uint8)).save(tmp_path / "one.png")
    Image.fromarray(np.full((1, 1), 2, np.uint8)).save(tmp_path / "s.png")
    assert main(["quantize", str(tmp_path / "one.png"), "-k", "4", "-o", str(tmp_path / "q.png")]) == 0
    assert main(["skin", "apply", str(tmp_path / "one.png"), "--output-dir", str(tmp_path / "o"), "--quiet"]) == 0
    assert np.asarray(Image.open(tmp_path / "o" / "one_skin.png")).shape == (1, 1)
    # background marked, nothing foreground: one line, exit 2, no mask
    assert main(["segment", str(tmp_path / "one.png"), "--scribbles", str(tmp_path / "s.png"),
                 "-o", str(tmp_path / "m.png")]) == 2
    assert not (tmp_path / "m.png").exists()


@pytest.mark.parametrize("empty", ["images", "masks"])
def test_empty_training_folders_are_named_as_empty(tmp_path, capsys, empty):
    for folder in ("images", "masks"):
        (tmp_path / folder).mkdir()
        if folder != empty:
            Image.fromarray(_photo()).convert("L").save(tmp_path / folder / "p0.png")
    for command in ("eval", "train"):
        argv = ["skin", command, "--images", str(tmp_path / "images"), "--masks", str(tmp_path / "masks"), "--quiet"]
        assert main(argv + (["-o", str(tmp_path / "m.json")] if command == "train" else [])) == 2
        lines = _err_lines(capsys)
        assert len(lines) == 1 and f"{tmp_path / empty}: the {empty} folder holds no" in lines[0], lines


# ------------------------------------------------------------------ encodings of one photo
def _encodings(tmp_path, photo):
    """The same pixels stored in other ways a user's files come in."""
    import struct
    import zlib

    out = {}
    h, w = photo.shape[:2]
    # 16-bit RGB PNG (v * 257): Pillow keeps the high byte, exactly v
    raw = b"".join(b"\0" + (photo[y].astype(np.uint16) * 257).astype(">u2").tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    out["16-bit"] = tmp_path / "deep.png"
    out["16-bit"].write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    out["RGBA"] = tmp_path / "alpha.png"
    Image.fromarray(np.dstack([photo, np.full((h, w), 128, np.uint8)])).save(out["RGBA"])
    out["EXIF 6"] = tmp_path / "rotated.png"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned a quarter left: shown turned back
    Image.fromarray(photo).transpose(Image.Transpose.ROTATE_90).save(out["EXIF 6"], exif=exif)
    out["TIFF"] = tmp_path / "photo.tif"
    Image.fromarray(photo).save(out["TIFF"], compression="tiff_deflate")
    folder = tmp_path / "my photos" / "été"
    folder.mkdir(parents=True)
    out["unicode path"] = folder / "phötö 1.png"
    Image.fromarray(photo).save(out["unicode path"])
    return out


def test_photo_encodings_give_the_plain_pngs_mask(tmp_path, capsys):
    photo = _photo()
    Image.fromarray(photo).save(tmp_path / "plain.png")
    scribbles = tmp_path / "scribbles ü.png"
    Image.fromarray(_scribbles()).save(scribbles)
    assert main(["segment", str(tmp_path / "plain.png"), "--scribbles", str(scribbles), "-o",
                 str(tmp_path / "plain_mask.png")]) == 0
    reference = np.asarray(Image.open(tmp_path / "plain_mask.png"))
    for kind, path in _encodings(tmp_path, photo).items():
        np.testing.assert_array_equal(io.load_image(path), photo, err_msg=kind)
        out = path.with_name(path.stem + " mask.png")
        assert main(["segment", str(path), "--scribbles", str(scribbles), "-o", str(out)]) == 0, kind
        np.testing.assert_array_equal(np.asarray(Image.open(out)), reference, err_msg=kind)
    assert not [line for line in _err_lines(capsys) if "warning" in line or "error" in line]


# ------------------------------------------------------------------ animations as sequences
def _moving_square(n=8, h=24, w=32):
    rng = np.random.default_rng(1)
    frames = []
    for t in range(n):
        frame = np.full((h, w, 3), 90.0) + rng.normal(0, 2, (h, w, 3))
        if t >= n // 2:
            frame[4:12, 3 * t - 8: 3 * t] = (240, 30, 30)
        frames.append(np.clip(np.rint(frame), 0, 255).astype(np.uint8))
    return frames


@pytest.mark.parametrize("name", ["clip.png", "clip.webp", "clip.tif", "clip.gif"])
def test_background_reads_every_frame_of_one_animated_file(tmp_path, capsys, name):
    """`segmix background anim.gif` wrote '1 frames' (the first, silently): an animated or
    multi-page file given alone is a sequence, read in order, masks named like a video's."""
    from segmix.frames import FrameReader, FrameSequence

    frames = _moving_square()
    path = tmp_path / name
    _save_animation(path, frames)
    sequence = FrameSequence(path)
    assert sequence.kind == "animation" and sequence.frame_count == len(frames)
    read = [frame.pixels for frame in sequence]
    assert [f.stem for f in sequence][:2] == ["frame_000001", "frame_000002"]
    reader = FrameReader(sequence)
    for index in (5, 2, 8):  # random access, as the window's slider asks
        np.testing.assert_array_equal(reader.read(index), read[index - 1])
    if name != "clip.gif":  # lossless: exactly the frames
        for got, want in zip(read, frames):
            np.testing.assert_array_equal(got, want)
    out = tmp_path / "masks"
    assert main(["background", str(path), "--output-dir", str(out), "--quiet"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [f"frame_{i:06d}.png" for i in range(1, len(frames) + 1)]
    assert capsys.readouterr().out.startswith(f"wrote the masks of {len(frames)} frames (32 x 24)")


def test_an_animated_file_among_frames_is_its_first_frame_with_a_warning(tmp_path, capsys):
    frames = _moving_square(4)
    for t, frame in enumerate(frames[:3], start=1):
        Image.fromarray(frame).save(tmp_path / f"f{t}.png")
    _save_animation(tmp_path / "f4.gif", [frames[3], frames[0]])
    assert main(["background", str(tmp_path), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    lines = _err_lines(capsys)
    # The second line: 4 frames are too few to learn the background (tests/test_cli_trial9.py).
    assert len(lines) == 2 and lines[0].startswith("segmix background: warning:") and "f4.gif" in lines[0]
    assert "all 4 of its frames go to learning the background" in lines[1]
    assert len(list((tmp_path / "out").iterdir())) == 4


def test_pages_of_another_size_are_named_with_their_number(tmp_path, capsys):
    frames = _moving_square(3)
    pages = [Image.fromarray(frames[0]), Image.fromarray(frames[1]), Image.fromarray(frames[2][:20])]
    pages[0].save(tmp_path / "scan.tif", save_all=True, append_images=pages[1:])
    # Skipped, as a folder's frame of another size is (session 30: a video or multi-page file
    # stopped here with exit 2 and removed the masks of the pages before it).
    assert main(["background", str(tmp_path / "scan.tif"), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 1
    lines = [line for line in _err_lines(capsys) if "a short run" not in line]  # 3 pages: a short run, warned
    assert len(lines) == 1 and "scan.tif frame 3" in lines[0] and "32 x 20" in lines[0], lines
    assert len(list((tmp_path / "out").glob("*.png"))) == 2


# ------------------------------------------------------------------ hidden files in folders
APPLEDOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(64)


def test_hidden_files_in_folders_are_not_photos_frames_or_masks(tmp_path, capsys):
    """A folder copied from a Mac holds '._NAME.png' (AppleDouble metadata) beside each file:
    skin eval stopped on it (2), skin apply and background skipped it as damaged (1)."""
    photo = _photo()
    images, masks, frames = tmp_path / "images", tmp_path / "masks", tmp_path / "frames"
    for folder in (images, masks, frames):
        folder.mkdir()
    Image.fromarray(photo).save(images / "p0.png")
    (images / "._p0.png").write_bytes(APPLEDOUBLE)
    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[15:45, 20:60] = 255
    Image.fromarray(mask).save(masks / "p0.png")
    (masks / "._p0.png").write_bytes(APPLEDOUBLE)
    for t in range(3):
        Image.fromarray(photo).save(frames / f"f{t}.png")
        (frames / f"._f{t}.png").write_bytes(APPLEDOUBLE)
    assert main(["skin", "apply", str(images), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 0
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "bg"), "--quiet"]) == 0
    assert sorted(p.name for p in (tmp_path / "bg").iterdir()) == ["f0.png", "f1.png", "f2.png"]
    assert not [line for line in _err_lines(capsys) if "._" in line]
    # named on the command line, a hidden file is what the user asked for (and refused as such)
    assert main(["skin", "apply", str(images / "._p0.png"), "--output-dir", str(tmp_path / "o2"), "--quiet"]) == 2
    assert "._p0.png" in _err_lines(capsys)[0]


# ------------------------------------------------------------------ the first word
@pytest.mark.parametrize("argv, hint", [
    (["segmnet"], "did you mean 'segment'?"),
    (["segmnet", "p.png", "--scribbles", "s.png", "-o", "m.png"], "did you mean 'segment'?"),
    (["backgrond", "frames", "--output-dir", "o"], "did you mean 'background'?"),
    (["train"], "commands: open, quantize, segment, skin, background"),
])
def test_a_mistyped_command_is_named_not_opened_as_a_photo(tmp_path, monkeypatch, capsys, argv, hint):
    """`segmix segmnet` opened the window on a file that does not exist; with more words it
    said "unrecognized arguments: p.png ..."."""
    import segmix.gui.app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(segmix.gui.app, "run_app", lambda *a: pytest.fail("the window was opened"))
    assert main(argv) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and f"'{argv[0]}' is not a command or an existing file" in lines[0] and hint in lines[0]


def test_a_photo_opens_the_window_and_a_missing_photo_is_named(tmp_path, monkeypatch, capsys):
    import segmix.gui.app

    opened = []
    monkeypatch.setattr(segmix.gui.app, "run_app", lambda path=None: opened.append(path) or 0)
    Image.fromarray(_photo()).save(tmp_path / "segment", format="PNG")  # named like a command: a photo
    monkeypatch.chdir(tmp_path)
    # A missing photo is one line on the command line (session 9: it opened the window, and
    # without a display Qt aborted without naming it; tests/test_cli_trial9b.py).
    assert main(["missing.jpg"]) == 2 and main([str(tmp_path / "segment")]) == 0
    assert opened == [str(tmp_path / "segment")]
    assert _err_lines(capsys) == ["segmix: error: missing.jpg: no such file"]


def test_an_animation_cut_short_ends_the_sequence_with_one_line(tmp_path, capsys):
    frames = _moving_square(6)
    path = tmp_path / "clip.png"
    _save_animation(path, frames)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.7)])
    out = tmp_path / "masks"
    assert main(["background", str(path), "--output-dir", str(out), "--quiet"]) == 1
    lines = _err_lines(capsys)
    written = len(list(out.iterdir()))
    # One line for the cut, one for the few frames left (tests/test_cli_trial9.py).
    assert 0 < written < 6 and len(lines) == 2 and "a short run: " in lines[1]
    assert "clip.png: truncated image" in lines[0] and f"the sequence ends after frame {written}" in lines[0]


@pytest.mark.parametrize("content, said", [
    (b"", "the UCI skin data file is empty (0 bytes)"),
    (b"\n\n", "the file holds no rows (B G R label)"),
    (b"\x89PNG\r\n\x1a\n" + bytes(40), "is a PNG image, not a UCI skin file"),
])
def test_a_uci_file_that_is_empty_or_a_photo_is_named_in_one_line(tmp_path, capsys, content, said):
    """An empty file printed NumPy's 'input contained no data' warning and 'got shape (0, 1)';
    a photo, "'utf-8' codec can't decode byte 0x89"."""
    path = tmp_path / "data.txt"
    path.write_bytes(content)
    assert main(["skin", "train", "--uci", str(path), "-o", str(tmp_path / "m.json"), "--quiet"]) == 2
    lines = _err_lines(capsys)
    assert lines == [f"segmix skin train: error: {path}: {said}" + ("" if "PNG" not in said else " (rows of B G R label)")]


def test_a_uci_file_with_windows_line_ends_is_read(tmp_path):
    from segmix import skin

    path = tmp_path / "Skin_NonSkin.txt"
    path.write_bytes(b"74\t85\t123\t1\r\n73\t84\t122\t1\r\n10\t20\t30\t2\r\n")
    counts = skin.load_uci(path)
    assert counts.n_skin == 2 and counts.n_non_skin == 1


@pytest.mark.parametrize("head, said", [
    (b"\x00\x00\x00\x18ftypisom", "is a video, not a photo; segmix background reads videos"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "is a video, not a photo"),
    (b"RIFF\x00\x01\x00\x00AVI LIST", "is a video, not a photo"),
    # A HEIC photo is read since session 42 (pi-heif): a HEIC header over zeros is damaged.
    (b"\x00\x00\x00\x18ftypheic", "looks like a HEIC image but its header is damaged"),
])
def test_a_video_or_heic_photo_given_as_a_photo_is_named(tmp_path, capsys, head, said):
    """Was 'is not an image although its name ends in .jpg: its contents match none of the formats'."""
    path = tmp_path / "holiday.jpg"
    path.write_bytes(head + bytes(64))
    assert main(["quantize", str(path), "-o", str(tmp_path / "q.png")]) == 2
    assert _err_lines(capsys) == [f"segmix quantize: error: {path}: {said}" + _err_tail(said)]


def _err_tail(said):
    return {"is a video, not a photo; segmix background reads videos": " (or give one frame as an image)",
            "is a video, not a photo": "; segmix background reads videos (or give one frame as an image)",
            "looks like a HEIC image but its header is damaged": "; the file is corrupt"}[said]


def test_one_photo_named_twice_is_one_photo(tmp_path, monkeypatch, capsys):
    """`skin apply p.png ./p.png` processed and counted it twice ('masks of 2 photos');
    `p.png sub/../p.png` was refused as two photos writing one output."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    Image.fromarray(_photo()).save(tmp_path / "p.png")
    Image.fromarray(_photo(seed=1)).save(tmp_path / "sub" / "q.png")
    for argv in (["p.png", "./p.png", str(tmp_path / "p.png")], ["p.png", "sub/../p.png"], ["sub", "sub/q.png"]):
        assert main(["skin", "apply", *argv, "--output-dir", "out"]) == 0
        said = capsys.readouterr().out.strip()  # an empty mask's why since session 53 (skin53)
        assert said == "wrote masks of 1 photo to out" or said.startswith("wrote masks of 1 photo to out; no skin found in it")
    assert main(["background", "p.png", "./p.png", "--output-dir", "bg", "--quiet"]) == 2
    assert _err_lines(capsys) == ["segmix background: error: p.png: given twice; give each frame once"]


@pytest.mark.parametrize("argv, option", [
    (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--save-model", "model.png"], "--save-model"),
    (["skin", "train", "--uci", "u.txt", "-o", "model.png"], "-o/--output"),
    (["skin", "eval", "--images", "images", "--masks", "masks", "--json", "figures.png"], "--json"),
])
def test_json_outputs_must_be_named_json(tmp_path, monkeypatch, capsys, argv, option):
    """segment --save-model, skin train -o and skin eval --json wrote JSON into any name
    (model.png beside the masks); background's --save-model already refused it."""
    monkeypatch.chdir(tmp_path)
    Image.fromarray(_photo()).save("p.png")
    Image.fromarray(_scribbles()).save("s.png")
    (tmp_path / "u.txt").write_text("74\t85\t123\t1\n10\t20\t30\t2\n")
    for folder in ("images", "masks"):
        (tmp_path / folder).mkdir()
        Image.fromarray(np.where(_scribbles() == 1, 255, 0).astype(np.uint8)).save(f"{folder}/a.png")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main([*argv, "--quiet"] if argv[0] == "skin" else argv) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and lines[0].endswith(f"{argv[-1]}: {option} writes JSON; give a file name ending in .json")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_folder_of_subfolders_says_they_are_not_searched(tmp_path, capsys):
    """A data set sorted into subfolders (photos/2023/, photos/2024/) read as an empty folder."""
    photos = tmp_path / "photos"
    for year in ("2023", "2024"):
        (photos / year).mkdir(parents=True)
        Image.fromarray(_photo()).save(photos / year / "p.png")
    (tmp_path / "masks").mkdir()
    hint = "it holds 2 subfolders (first: 2023), which are not searched: give them by name"
    for argv in (["skin", "apply", str(photos), "--output-dir", str(tmp_path / "out")],
                 ["skin", "eval", "--images", str(photos), "--masks", str(tmp_path / "masks")],
                 ["background", str(photos), "--output-dir", str(tmp_path / "bg")]):
        assert main([*argv, "--quiet"]) == 2
        lines = _err_lines(capsys)
        if argv[0:2] == ["skin", "eval"]:
            # skin eval takes one --images (session 51: "give them by name" was then refused); the
            # masks' folder has no 2023 subfolder, so it is named as it is
            eval_hint = (f"which are not searched: score each on its own, one run each (--images {photos}/2023 "
                         f"--masks {tmp_path / 'masks'}), or put their photos in one folder and their masks "
                         "in another to score them together")
            assert len(lines) == 1 and lines[0].endswith(eval_hint), lines
            continue
        assert len(lines) == 1 and lines[0].endswith(hint), lines


def test_masks_named_with_a_suffix_are_explained(tmp_path, capsys):
    """Data sets name masks p0_mask.png for p0.jpg: 'no image has a mask with the same name'
    now says how masks are paired and what these names add."""
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir(), masks.mkdir()
    Image.fromarray(_photo()).save(images / "p0.jpg")
    Image.fromarray(np.zeros((60, 80), np.uint8)).save(masks / "p0_mask.png")
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and lines[0].endswith(
        "(masks are paired by name: the mask of p0.jpg must be p0.png (any image extension); "
        "p0_mask.png has '_mask' after the name: rename the masks)"), lines


# ------------------------------------------------------------------ quantize: what a photo carries
def _logo():
    """A red square with a blue inside on a transparent background stored as black."""
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[10:30, 10:30] = (200, 30, 30, 255)
    rgba[12:28, 12:28] = (30, 30, 200, 255)
    rgba[16:24, 16:24] = (30, 200, 30, 255)
    return rgba


def test_quantize_keeps_transparency_and_ignores_invisible_colours(tmp_path, capsys):
    """A logo on transparent black came back opaque, on black, with its red turned near black
    (k-means spent its centres on the invisible pixels)."""
    Image.fromarray(_logo()).save(tmp_path / "logo.png")
    assert main(["quantize", str(tmp_path / "logo.png"), "-k", "2", "-o", str(tmp_path / "q.png")]) == 0
    with Image.open(tmp_path / "q.png") as im:  # RGBA: imageio drops a palette PNG's transparency
        assert im.mode == "RGBA"
        out = np.asarray(im.convert("RGBA"))
    assert out.shape == (40, 40, 4)
    np.testing.assert_array_equal(out[..., 3], _logo()[..., 3])
    visible = out[..., 3] > 0
    colours = np.unique(out[visible][:, :3], axis=0)
    assert len(colours) == 2 and not (colours.max(axis=1) < 60).any()  # no near-black centre
    assert "(2 colours" in capsys.readouterr().out
    assert main(["quantize", str(tmp_path / "logo.png"), "-k", "2", "-o", str(tmp_path / "q.jpg")]) == 0
    warned = [line for line in _err_lines(capsys) if "transparency" in line]
    assert len(warned) == 1 and "q.jpg cannot hold" in warned[0]


def test_quantize_keeps_the_icc_profile_and_resolution(tmp_path):
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(_photo()).save(tmp_path / "p.png", icc_profile=profile, dpi=(300, 300))
    assert main(["quantize", str(tmp_path / "p.png"), "-k", "4", "-o", str(tmp_path / "q.png")]) == 0
    with Image.open(tmp_path / "q.png") as im:
        assert im.mode == "P" and im.info.get("icc_profile") == profile  # 4 colours: a palette PNG
        assert tuple(round(v) for v in im.info["dpi"]) == (300, 300)


@pytest.mark.parametrize("argv, named", [
    (["skin", "apply", "p.png", "--output-dir", ""], "argument --output-dir: is empty"),
    (["background", "frames", "--output-dir", "", "--quiet"], "argument --output-dir: is empty"),
    (["segment", "", "--scribbles", "s.png", "-o", "m.png"], "argument image: is empty"),
    (["skin", "apply", "p.png", "", "--output-dir", "out"], "argument INPUT: is empty"),
    (["skin", "train", "--images", "", "--masks", "m", "-o", "m.json"], "argument --images: is empty"),
])
def test_an_empty_file_or_folder_name_is_refused(tmp_path, monkeypatch, capsys, argv, named):
    """`--output-dir "$OUT"` with OUT unset wrote the masks into the current folder (skin
    apply, background); an empty photo name was read as the folder '.'."""
    monkeypatch.chdir(tmp_path)
    Image.fromarray(_photo()).save("p.png")
    Image.fromarray(_scribbles()).save("s.png")
    (tmp_path / "frames").mkdir()
    for t in range(2):
        Image.fromarray(_photo()).save(f"frames/f{t}.png")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(argv) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and named in lines[0] and "unset shell variable" in lines[0], lines
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_distributed_alone_still_means_a_local_cluster():
    args = build_parser().parse_args(["skin", "apply", "p.png", "--output-dir", "o", "--distributed"])
    assert args.distributed == ""


def _options(parser, path=()):
    """(sub-command path, action) for every option of every sub-command."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _options(child, path + (name,))
        elif action.option_strings and not isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            yield path, action


def test_every_setting_option_states_its_default():
    # README: "segmix COMMAND --help prints every option of a command with its default". A
    # trial found -k, --color-space, --smoothness, --seed of segment and skin train's
    # --reg-covar without one. Outputs, input folders and on/off flags have no default to state.
    import argparse

    no_default = {"--output", "--scribbles", "--probability", "--cutout", "--save-model", "--images", "--masks",
                  "--uci", "--convergence", "--quiet", "--distributed", "--plain", "--roc", "--pr", "--json",
                  "--per-image", "--output-dir", "--background-image", "--model", "--groundtruth",
                  "--box", "--click", "--background-click", "--save-scribbles"}  # marks by coordinates: inputs
    missing = [f"{' '.join(path)} {action.option_strings[-1]}" for path, action in _options(build_parser())
               if action.option_strings[-1] not in no_default and action.help != argparse.SUPPRESS
               and "default" not in (action.help or "")]
    assert missing == []


def test_stated_defaults_are_the_real_ones(capsys):
    import re

    from segmix import skin
    from segmix.segment import SegmentationSettings

    helps = {f"{' '.join(path)} {action.option_strings[-1]}": action.help for path, action in _options(build_parser())}
    settings = SegmentationSettings()
    for option, value in (("--components", settings.n_components), ("--smoothness", settings.smoothness),
                          ("--seed", settings.random_state), ("--threshold", settings.threshold),
                          ("--distance-prior", settings.distance_prior)):
        stated = re.search(r"default (\S+?)[,;)]", helps[f"segment {option}"]).group(1)
        assert float(stated) == float(value), option
    assert f"default {settings.color_space})" in helps["segment --color-space"]
    assert float(re.search(r"default (\S+),", helps["skin train --reg-covar"]).group(1)) == skin.TRAIN_DEFAULTS["reg_covar"]
    # A final check: skin train's -k, --non-skin-components, --color-space said only "as the
    # built-in model".
    for option, key in (("--components", "n_components"), ("--non-skin-components", "non_skin_components"),
                        ("--color-space", "color_space"), ("--covariance-type", "covariance_type")):
        assert f"default {skin.TRAIN_DEFAULTS[key]}" in helps[f"skin train {option}"], option


@pytest.mark.parametrize("argv, prog", [
    (["skin", "eval", "--images", "i", "--masks", "m", "--workers", "1"], "segmix skin eval"),
    (["skin", "apply", "p.png", "--bogus"], "segmix skin apply"),
    (["quantize", "p.png", "-o", "q.png", "--zzz"], "segmix quantize"),
    (["background", "frames", "--output-dir", "o", "extra-word", "--nope"], "segmix background"),
])
def test_an_unknown_option_names_the_sub_commands_help(tmp_path, monkeypatch, capsys, argv, prog):
    """A trial's `segmix skin eval ... --workers 1` said "see segmix --help", whose usage does
    not list skin eval's options; the line names the sub-command and its help."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and lines[0].startswith(f"{prog}: error: unrecognized arguments:")
    assert lines[0].endswith(f"(see {prog} --help)")


def test_a_frame_folder_or_a_video_opens_the_window_and_a_bad_one_is_named(tmp_path, monkeypatch, capsys):
    """`segmix FOLDER` said "is a folder, not an image file" and `segmix clip.mp4` was sent to
    `segmix background`: both go to the window (which opens them in Video mode,
    tests/gui/test_video_mode.py); what Video mode could not open either is one line, before
    any window."""
    import av

    import segmix.gui.app

    opened = []
    monkeypatch.setattr(segmix.gui.app, "run_app", lambda path=None: opened.append(path) or 0)
    folder = tmp_path / "frames"
    folder.mkdir()
    for t in range(3):
        Image.fromarray(_photo(seed=t)).save(folder / f"f{t}.png")
    video = tmp_path / "clip.mp4"
    with av.open(str(video), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 80, 60, "yuv420p"
        for t in range(3):
            for packet in stream.encode(av.VideoFrame.from_ndarray(_photo(seed=t), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    assert main([str(folder)]) == 0 and main(["open", str(video)]) == 0
    assert opened == [str(folder), str(video)] and _err_lines(capsys) == []
    empty = tmp_path / "empty"
    empty.mkdir()
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"not a video at all" * 20)
    for bad, said in ((empty, "the folder holds no image frames"), (fake, "not a video file FFmpeg can read"),
                      (tmp_path / "gone.mp4", "no such file or folder")):
        assert main([str(bad)]) == 2
        lines = _err_lines(capsys)
        assert len(lines) == 1 and lines[0].startswith(f"segmix: error: {bad}: {said}"), lines
    assert len(opened) == 2


def test_a_model_of_another_command_is_named_as_such(tmp_path, capsys):
    """A trial gave a background model to skin apply and read "unknown key(s) 'frame_count',
    'params', ..."; a skin model given to background said only "not a segmix background model"."""
    frames = tmp_path / "frames"
    frames.mkdir()
    rng = np.random.default_rng(3)
    for t in range(3):
        Image.fromarray(rng.integers(0, 255, (16, 20, 3), dtype=np.uint8)).save(frames / f"in{t:04d}.png")
    background_model = tmp_path / "bg.json"
    assert main(["background", str(frames), "--output-dir", str(tmp_path / "masks"), "--quiet",
                 "--save-model", str(background_model)]) == 0
    photo = tmp_path / "p.png"
    Image.fromarray(rng.integers(0, 255, (16, 20, 3), dtype=np.uint8)).save(photo)
    capsys.readouterr()
    assert main(["skin", "apply", str(photo), "--model", str(background_model), "--output-dir",
                 str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "bg.json" in err and "is a background model" in err and "unknown key" not in err
    from segmix.skin import builtin_model_path

    assert main(["background", str(frames), "--output-dir", str(tmp_path / "m2"), "--quiet",
                 "--model", str(builtin_model_path())]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "is a segmix skin model, not a background model" in err
