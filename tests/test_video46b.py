"""Background subtraction, session 46 (video46b): a new user's trial."""

import warnings

import numpy as np
import pytest
from PIL import Image

from segmix import io as segmix_io
from segmix.frames import frame_files, ignored_in_folder


def _frames(folder, count=6, size=(12, 16), grey=False):
    folder.mkdir()
    rng = np.random.default_rng(1)
    for t in range(1, count + 1):
        frame = rng.integers(60, 70, (*size, 3), dtype=np.uint8)
        Image.fromarray(frame[..., 0] if grey else frame).save(folder / f"in{t:03d}.png")
    return folder


def test_every_image_segmix_writes_is_left_out_of_a_frame_folder_whatever_its_name(tmp_path):
    """Only ``*_mask``, ``*_cutout``, ... names were looked at for a mark: ``segment --cutout
    cut.png``, ``--background-image bg.png`` and the plots, among frames, were read as frames."""
    from segmix.background import BackgroundMixture
    from segmix.background_run import save_background_image
    from segmix.frames import FrameSequence
    from segmix.plots import save_roc_png

    frames = _frames(tmp_path / "frames")
    image = np.asarray(Image.open(frames / "in001.png"))
    mask = np.zeros(image.shape[:2], bool)
    mask[2:6, 3:9] = True
    segmix_io.save_cutout(frames / "cut.png", image, mask, mark="segment")
    segmix_io.save_cutout(frames / "cut.tif", image, mask, mark="segment")
    segmix_io.save_cutout(frames / "video_cut.png", image, mask, mark="background")
    segmix_io.save_cutout(frames / "skin_cut.png", image, mask, mark="skin apply")
    segmix_io.save_mask(frames / "m.png", mask, mark="segment")
    segmix_io.save_probability(frames / "p.png", mask * 0.5, mark="segment")
    segmix_io.save_probability(frames / "p.tif", mask * 0.5, mark="skin apply")
    labels = mask.astype(np.uint8)
    labels[0, 0] = 2
    segmix_io.save_labels(frames / "marks.png", labels)
    model = BackgroundMixture(n_components=2)
    model.apply(image)
    sequence = FrameSequence(frames)
    for name in ("bg.png", "bg.jpg", "bg.tif", "bg.webp"):
        save_background_image(frames / name, model, sequence)
    save_roc_png(frames / "roc.png", [{"fpr": [0, 0.5, 1], "tpr": [0, 0.9, 1], "label": "x"}], mark="skin eval")
    assert [p.name for p in frame_files(frames)] == [f"in{t:03d}.png" for t in range(1, 7)]
    results = ignored_in_folder(frames)["segmix results"]
    assert len(results) == 13, results


def test_a_quantized_frame_and_a_foreign_text_chunk_stay_frames(tmp_path):
    """quantize's output is the photo in fewer colours: frames a user may run on. A PNG with
    another program's Software text, or a compressed one, is a frame."""
    from PIL.PngImagePlugin import PngInfo

    frames = _frames(tmp_path / "frames", count=3)
    image = np.asarray(Image.open(frames / "in001.png"))
    segmix_io.save_image(frames / "in004.png", image, mark="quantize")
    info = PngInfo()
    info.add_text("Software", "GIMP 2.10")
    info.add_itxt("Comment", "segmix background", zip=True)
    Image.fromarray(image).save(frames / "in005.png", pnginfo=info)
    assert [p.name for p in frame_files(frames)] == [f"in{t:03d}.png" for t in range(1, 6)]


@pytest.mark.parametrize("how", ["tEXt", "iTXt"])
def test_the_png_mark_is_read_from_either_text_chunk(tmp_path, how):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    if how == "tEXt":
        info.add_text("Software", "segmix segment")
    else:
        info.add_itxt("Software", "segmix segment")
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "x.png", pnginfo=info)
    assert segmix_io.segmix_result(tmp_path / "x.png", ["segment"])
    assert not segmix_io.segmix_result(tmp_path / "x.png", ["background"])
    assert segmix_io.segmix_mark(tmp_path / "x.png") == "segment"


def test_a_frame_over_pillows_pixel_limit_is_skipped_in_segmix_words_alone(tmp_path, monkeypatch, capsys):
    """Pillow's raw "Image size (90250000 pixels) exceeds limit ... could be decompression bomb
    DOS attack." leaked out of `segmix background` for a 9500 x 9500 JPEG among small frames:
    its header was read bare (frame depth, greyscale check). Pillow's limit is lowered here so
    that a 40 x 40 frame stands for it."""
    from segmix.cli import main

    frames = _frames(tmp_path / "frames", count=8)
    Image.fromarray(np.full((40, 40, 3), 90, np.uint8)).save(frames / "in009.jpg")
    Image.fromarray(np.full((40, 40, 3), 90, np.uint8)).save(frames / "in000.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        code = main(["background", str(frames), "--output-dir", str(tmp_path / "out"), "-k", "2"])
    err = capsys.readouterr().err
    assert "decompression bomb" not in err.lower(), err
    assert "exceeds limit" not in err, err
    assert "in009.jpg: frame is 40 x 40, not the 16 x 12 of the other frames" in err, err
    assert code in (0, 1)


def test_header_reads_hold_pillows_warnings():
    """Every Image.open in segmix is under a filter of Pillow's warnings (io.open_header,
    io._pillow_limits, a catch_warnings block), never bare."""
    import ast
    from pathlib import Path

    import segmix

    bare = []
    for path in Path(segmix.__file__).parent.rglob("*.py"):
        text = path.read_text()
        lines = text.splitlines()
        for function in ast.walk(ast.parse(text)):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "open"
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == "Image"):
                    # The function up to the call (its docstring may say its callers hold the filter).
                    before = "\n".join(lines[function.lineno - 1:node.lineno])
                    if not any(word in before for word in ("_pillow_limits", "catch_warnings", "held_catch",
                                                           "def open_header")):
                        bare.append(f"{path.name}:{node.lineno}")
    assert not bare, bare


@pytest.mark.parametrize("name,mode", [("bg.png", "L"), ("bg.tif", "L"), ("bg.jpg", "L")])
def test_greyscale_frames_give_a_single_channel_background_image(tmp_path, name, mode):
    """`--background-image` of a greyscale camera's frames was an RGB image with R = G = B."""
    from segmix.cli import main

    frames = _frames(tmp_path / "frames", grey=True)
    assert main(["background", str(frames), "--background-image", str(tmp_path / name), "-k", "2"]) == 0
    with Image.open(tmp_path / name) as im:
        assert im.mode == mode
        assert im.size == (16, 12)
        written = np.asarray(im)
    first = np.asarray(Image.open(frames / "in001.png")).astype(int)
    assert np.abs(written.astype(int) - first).max() <= 12
    assert segmix_io.segmix_mark(tmp_path / name) == "background"


def test_sixteen_bit_greyscale_frames_give_a_sixteen_bit_single_channel_image(tmp_path, capsys):
    from segmix.cli import main

    frames = tmp_path / "frames"
    frames.mkdir()
    rng = np.random.default_rng(2)
    for t in range(1, 7):
        Image.fromarray((rng.integers(100, 104, (12, 16)) * 257).astype(np.uint16)).save(frames / f"in{t:03d}.png")
    assert main(["background", str(frames), "--background-image", str(tmp_path / "bg.png"), "-k", "2"]) == 0
    with Image.open(tmp_path / "bg.png") as im:
        assert im.mode == "I;16" and im.size == (16, 12)
        values = np.asarray(im)
    assert 100 * 257 <= values.min() and values.max() <= 104 * 257
    assert "written at 16 bits (one greyscale channel)" in capsys.readouterr().err


def test_colour_frames_keep_an_rgb_background_image(tmp_path):
    from segmix.cli import main

    frames = _frames(tmp_path / "frames")
    assert main(["background", str(frames), "--background-image", str(tmp_path / "bg.png"), "-k", "2"]) == 0
    assert Image.open(tmp_path / "bg.png").mode == "RGB"
