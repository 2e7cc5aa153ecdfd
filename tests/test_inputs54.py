"""Session 54 (inputs54): files moving between segmix and other tools.

1. Scribbles (or a trimap) JPEG'd and saved again as PNG hold a few 3s (ringing beside the
   2s): they were called an OpenCV grabCut mask with a recoding that destroyed the marks.
2. Cut-outs kept the whole photo's colours under alpha 0.
3. A 0 / 1 mask JPEG'd and back held a few isolated 2s inside the object, which hid the
   "0 / 1 mask given as scribbles?" warning.
"""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from segmix.io import ImageLoadError
from segmix.labelmaps import load_scribbles, mask_like_marks


def _through_jpeg(labels, quality=95):
    """``labels`` (H, W) uint8 saved as JPEG at ``quality`` and decoded: what a PNG re-saved
    from it holds."""
    buffer = io.BytesIO()
    Image.fromarray(labels).save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("L"))


def _strokes(width=20):
    """The trial's scribbles: label 1 and 2 lines of ``width`` px on an 854 x 480 map."""
    im = Image.new("L", (854, 480), 0)
    draw = ImageDraw.Draw(im)
    draw.line([(300, 200), (500, 250), (550, 350)], fill=1, width=width)
    draw.line([(50, 50), (800, 60), (820, 450)], fill=2, width=width)
    return np.asarray(im)


def _trimap():
    trimap = np.full((480, 854), 2, np.uint8)
    trimap[100:380, 250:600] = 0
    trimap[150:330, 300:550] = 1
    return trimap


def _grabcut_mask():
    """An OpenCV grabCut mask after a rectangle's start: 0 outside the rectangle, 2 / 3 in it
    (3 the object, an ellipse, with a speck or two), and a GC_FGD stroke (1)."""
    mask = np.zeros((480, 854), np.uint8)
    mask[80:420, 200:650] = 2
    rows, cols = np.mgrid[:480, :854]
    mask[((rows - 250) / 150.0) ** 2 + ((cols - 425) / 200.0) ** 2 <= 1] = 3
    mask[100, 220] = 3  # grabCut's own specks
    mask[240:250, 380:470] = 1
    return mask


@pytest.mark.parametrize("quality", [90, 95, 100])
@pytest.mark.parametrize("width", [3, 8, 20])
def test_jpegd_scribbles_are_called_lossy_not_a_grabcut_mask(tmp_path, quality, width):
    decoded = _through_jpeg(_strokes(width), quality)
    assert 3 in decoded and decoded.max() == 3  # the case: 0-3, as a grabCut mask's values
    path = tmp_path / "s.png"
    Image.fromarray(decoded).save(path)
    with pytest.raises(ImageLoadError) as info:
        load_scribbles(path, decoded.shape)
    words = str(info.value)
    assert words.startswith(f"{path}: ")
    assert "lossily compressed" in words and "JPEG" in words
    assert "recode" not in words and "numpy.array([2, 1, 0, 0]" not in words


def test_jpegd_trimap_is_called_lossy_not_a_grabcut_mask(tmp_path):
    decoded = _through_jpeg(_trimap())
    assert 3 in decoded
    path = tmp_path / "t.png"
    Image.fromarray(decoded).save(path)
    with pytest.raises(ImageLoadError, match="lossily compressed") as info:
        load_scribbles(path, decoded.shape)
    assert "recode" not in str(info.value)


def test_a_grabcut_mask_is_still_told_as_one(tmp_path):
    path = tmp_path / "gc.png"
    Image.fromarray(_grabcut_mask()).save(path)
    with pytest.raises(ImageLoadError, match="grabCut") as info:
        load_scribbles(path, (480, 854))
    assert "numpy.array([2, 1, 0, 0], numpy.uint8)[mask]" in str(info.value)
    assert "lossily" not in str(info.value)


def test_segment_refuses_jpegd_scribbles_in_one_line(tmp_path):
    from segmix.cli import main

    photo = tmp_path / "p.png"
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (480, 854, 3), dtype=np.uint8)).save(photo)
    marks = tmp_path / "s.png"
    Image.fromarray(_through_jpeg(_strokes())).save(marks)
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "segmix", "segment", str(photo), "--scribbles", str(marks),
                          "-o", str(tmp_path / "m.png")], capture_output=True, text=True)
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "lossily compressed" in lines[0] and "grabCut mask?" not in lines[0]
    assert not (tmp_path / "m.png").exists()
    del main


# --------------------------------------------------------------------------- 3
def _object_mask():
    mask = np.zeros((480, 854), np.uint8)
    rows, cols = np.mgrid[:480, :854]
    mask[((rows - 240) / 120.0) ** 2 + ((cols - 420) / 90.0) ** 2 <= 1] = 1
    return mask


def test_isolated_background_pixels_in_a_mask_are_called_compression_noise():
    marks = _object_mask()
    marks[200, 400] = marks[260, 430] = marks[230, 380] = 2  # JPEG's specks inside the object
    marks[231, 380] = 2
    words = mask_like_marks(marks)
    assert words is not None
    assert "4 isolated" in words and "compression" in words
    assert "0 / 1 mask" in words  # the specks no longer hide it


def test_isolated_foreground_pixels_in_background_are_noise_too():
    marks = np.zeros((480, 854), np.uint8)
    marks[100:200, 100:300] = 2
    marks[300:400, 500:600] = 1
    marks[150, 150] = marks[120, 250] = 1
    words = mask_like_marks(marks)
    assert words is not None and "2 isolated" in words and "foreground (1)" in words


def test_jpegd_mask_names_the_file_and_the_count(tmp_path):
    decoded = _through_jpeg(_object_mask())
    path = tmp_path / "mask01.png"
    Image.fromarray(decoded).save(path)
    labels = load_scribbles(path, decoded.shape)
    words = mask_like_marks(labels, path)
    assert words is not None and "compression" in words and "0 / 1 mask" in words


def test_scribbles_without_specks_say_nothing_new():
    assert mask_like_marks(_strokes()) is None


# --------------------------------------------------------------------------- 2
def _photo_and_mask(seed=0):
    rng = np.random.default_rng(seed)
    image = rng.integers(1, 255, (40, 60, 3), dtype=np.uint8)
    mask = np.zeros((40, 60), bool)
    mask[10:30, 15:45] = True
    return image, mask


def _read_rgba(path):
    """RGBA as stored: OpenCV for PNG and 16-bit TIFF; Pillow for an 8-bit TIFF, which OpenCV
    premultiplies (README: a TIFF cut-out's colours are unassociated)."""
    import cv2

    bgra = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if str(path).endswith(".tif") and bgra.dtype == np.uint8:
        return np.asarray(Image.open(path))
    return bgra[..., [2, 1, 0, 3]]


@pytest.mark.parametrize("name", ["cut.png", "cut.tif"])
def test_a_cutout_clears_the_colours_under_alpha_0(tmp_path, name):
    from segmix.io import save_cutout

    image, mask = _photo_and_mask()
    save_cutout(tmp_path / name, image, mask)
    cut = _read_rgba(tmp_path / name)
    assert np.array_equal(cut[~mask], np.zeros((np.count_nonzero(~mask), 4), np.uint8))
    assert np.array_equal(cut[mask][:, :3], image[mask])
    save_cutout(tmp_path / ("kept_" + name), image, mask, keep_hidden_colours=True)
    kept = _read_rgba(tmp_path / ("kept_" + name))
    assert np.array_equal(kept[..., :3], image) and np.array_equal(kept[..., 3], mask * np.uint8(255))


def test_a_soft_cutout_keeps_the_colours_of_partial_alpha(tmp_path):
    from segmix.io import save_cutout

    image, _ = _photo_and_mask()
    matte = np.tile(np.linspace(0, 1, 60), (40, 1))
    save_cutout(tmp_path / "soft.png", image, matte)
    cut = _read_rgba(tmp_path / "soft.png")
    hidden = cut[..., 3] == 0
    assert hidden.any() and not cut[hidden].any()
    assert np.array_equal(cut[~hidden][:, :3], image[~hidden])


def test_a_16_bit_cutout_clears_the_colours_under_alpha_0(tmp_path):
    import cv2

    from segmix.io import load_image_info, save_cutout

    rgb = np.random.default_rng(2).integers(1, 65536, (40, 60, 3)).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "p16.png"), rgb[..., ::-1])
    loaded = load_image_info(tmp_path / "p16.png")
    _, mask = _photo_and_mask()
    for name, keep in (("cut.png", False), ("cut.tif", False), ("kept.png", True), ("kept.tif", True)):
        assert save_cutout(tmp_path / name, loaded.pixels, mask, photo=tmp_path / "p16.png",
                           keep_hidden_colours=keep) == 16
        cut = _read_rgba(tmp_path / name)
        assert cut.dtype == np.uint16
        assert np.array_equal(cut[mask][:, :3], rgb[mask])
        assert np.array_equal(cut[~mask][:, :3], rgb[~mask] if keep else np.zeros_like(rgb[~mask])), name
        assert not cut[~mask][:, 3].any()


def test_segment_cutout_clears_hidden_colours_unless_asked(tmp_path):
    import subprocess
    import sys

    image, _ = _photo_and_mask()
    image[:, :30] = (200, 30, 30)
    image[:, 30:] = (30, 30, 200)
    Image.fromarray(image).save(tmp_path / "p.png")
    marks = np.zeros((40, 60), np.uint8)
    marks[15:25, 5:20] = 1
    marks[15:25, 40:55] = 2
    Image.fromarray(marks).save(tmp_path / "s.png")

    def run(*extra):
        return subprocess.run([sys.executable, "-m", "segmix", "segment", str(tmp_path / "p.png"), "--scribbles",
                               str(tmp_path / "s.png"), "-o", str(tmp_path / "m.png"), "--overwrite", "--quiet",
                               *extra], capture_output=True, text=True)

    assert run("--cutout", str(tmp_path / "c.png")).returncode == 0
    cut = _read_rgba(tmp_path / "c.png")
    hidden = cut[..., 3] == 0
    assert hidden.any() and not cut[hidden].any()
    done = run("--cutout", str(tmp_path / "k.png"), "--keep-hidden-colours")
    assert done.returncode == 0, done.stderr
    assert np.array_equal(_read_rgba(tmp_path / "k.png")[..., :3], image)
    alone = run("--keep-hidden-colours")
    assert alone.returncode != 0 and len(alone.stderr.strip().splitlines()) == 1
    assert "--cutout" in alone.stderr
    helped = subprocess.run([sys.executable, "-m", "segmix", "segment", "--help"], capture_output=True, text=True)
    assert "--keep-hidden-colours" in helped.stdout


def test_the_docs_name_the_flag():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    assert "--keep-hidden-colours" in (root / "docs" / "command_line.md").read_text(encoding="utf-8")
    assert "--keep-hidden-colours" in (root / "README.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- 4
def _background_model(tmp_path):
    from segmix.cli import main
    from tests.test_inputs53 import _gap_folder

    folder = _gap_folder(tmp_path / "frames", range(1, 6))
    path = tmp_path / "bg.json"
    assert main(["background", str(folder), "--save-model", str(path), "--quiet"]) == 0
    return path


def test_a_newer_background_model_names_its_new_parameter_and_the_version(tmp_path):
    from segmix.background import BackgroundModelError, load_background_model
    from tests.test_inputs53 import _edited

    path = _background_model(tmp_path)
    newer = _edited(path, lambda d: (d.__setitem__("segmix_version", "9.0"),
                                     d["params"].__setitem__("new_param", 1)), "new.json")
    with pytest.raises(BackgroundModelError) as info:
        load_background_model(newer)
    words = str(info.value)
    assert "new_param" in words and "9.0" in words and "newer" in words and "upgrad" in words, words
    same = _edited(path, lambda d: d["params"].__setitem__("new_param", 1), "same.json")
    with pytest.raises(BackgroundModelError, match="unknown parameter new_param") as info:
        load_background_model(same)
    assert "newer than" not in str(info.value)
    gone = _edited(path, lambda d: d["params"].pop("rho"), "gone.json")
    with pytest.raises(BackgroundModelError, match="lacks the parameter rho"):
        load_background_model(gone)


def test_an_edited_n_components_is_blamed_not_the_state(tmp_path):
    import json

    from segmix.background import BackgroundModelError, load_background_model
    from tests.test_inputs53 import _edited

    path = _background_model(tmp_path)
    k = json.loads(path.read_text())["params"]["n_components"]
    edited = _edited(path, lambda d: d["params"].__setitem__("n_components", k + 2), "k.json")
    with pytest.raises(BackgroundModelError) as info:
        load_background_model(edited)
    words = str(info.value)
    assert f"'params.n_components' is {k + 2}" in words and f"{k} per pixel" in words and "edited" in words, words


def test_a_newer_segmentation_model_with_an_unknown_key_says_upgrade(tmp_path):
    from segmix.segment_modelfile import read_segmentation_model
    from tests.test_inputs53 import _edited, _segment_model

    path = _segment_model(tmp_path)
    newer = _edited(path, lambda d: (d["training"].__setitem__("segmix_version", "9.0.0"),
                                     d.__setitem__("texture", {"weight": 1})), "newer.json")
    with pytest.raises(ValueError) as info:
        read_segmentation_model(newer)
    words = str(info.value)
    assert "texture" in words and "9.0.0" in words and "newer" in words and "upgrade segmix" in words, words
    same = _edited(path, lambda d: d.__setitem__("texture", {"weight": 1}), "same.json")
    with pytest.raises(ValueError) as info:
        read_segmentation_model(same)
    assert "newer than" not in str(info.value)


# --------------------------------------------------------------------------- 5
def test_16_bit_scribbles_shifted_by_8_bits_are_named_so(tmp_path):
    labels = _strokes(8).astype(np.uint16) << 8
    path = tmp_path / "s16.png"
    Image.fromarray(labels).save(path)  # Pillow: I;16
    with pytest.raises(ImageLoadError) as info:
        load_scribbles(path, labels.shape)
    words = str(info.value)
    assert "found 256, 512" in words and "shifted by 8 bits" in words and "256" in words and ">> 8" in words, words


def test_float_scribbles_divided_by_255_say_times_255(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    labels = _strokes(8).astype(np.float32) / 255.0  # skimage.img_as_float32 of uint8 labels
    path = tmp_path / "f.tif"
    tifffile.imwrite(path, labels)
    with pytest.raises(ImageLoadError) as info:
        load_scribbles(path, labels.shape)
    words = str(info.value)
    assert "x 255" in words and "0, 1 and 2" in words, words


# --------------------------------------------------------------------------- 6
LABELME = {"version": "5.2.1", "flags": {}, "shapes": [{"label": "person", "points": [[38, 10], [48, 10], [48, 40]],
                                                         "group_id": None, "shape_type": "polygon", "flags": {}}],
           "imagePath": "p.png", "imageData": None, "imageHeight": 480, "imageWidth": 854}
COCO = {"images": [{"id": 1, "file_name": "p.png", "width": 854, "height": 480}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [19, 8, 29, 33], "area": 957,
                         "iscrowd": 0, "segmentation": [[19, 8, 48, 8, 48, 41, 19, 41]]}],
        "categories": [{"id": 1, "name": "person"}]}


@pytest.mark.parametrize("kind, data", [("Labelme", LABELME), ("COCO", COCO)])
def test_annotation_json_as_scribbles_is_named_with_how_to_rasterise(tmp_path, kind, data):
    import json

    path = tmp_path / "a.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ImageLoadError) as info:
        load_scribbles(path, (480, 854))
    words = str(info.value)
    assert f"{kind} annotation" in words and "label images, not annotation JSON" in words, words
    assert ("labelme_json_to_dataset" if kind == "Labelme" else "pycocotools") in words


@pytest.mark.parametrize("kind, data", [("Labelme", LABELME), ("COCO", COCO)])
def test_annotation_json_as_a_model_is_named(tmp_path, kind, data):
    import json

    from segmix.background import BackgroundModelError, load_background_model
    from segmix.segment_modelfile import read_segmentation_model

    path = tmp_path / "a.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError) as info:
        read_segmentation_model(path)
    words = str(info.value)
    assert f"is a {kind} annotation" in words and "not a skin or segmentation model" in words, words
    assert "unknown key" not in words
    with pytest.raises(BackgroundModelError, match=f"a {kind} annotation"):
        load_background_model(path)


def test_segment_says_one_line_of_a_labelme_file_as_model_and_scribbles(tmp_path):
    import json
    import subprocess
    import sys

    Image.fromarray(np.zeros((480, 854, 3), np.uint8) + 90).save(tmp_path / "p.png")
    (tmp_path / "l.json").write_text(json.dumps(LABELME))
    for option in ("--model", "--scribbles"):
        run = subprocess.run([sys.executable, "-m", "segmix", "segment", str(tmp_path / "p.png"), option,
                              str(tmp_path / "l.json"), "-o", str(tmp_path / "m.png")], capture_output=True, text=True)
        lines = run.stderr.strip().splitlines()
        assert run.returncode == 2 and len(lines) == 1 and "Labelme annotation" in lines[0], run.stderr


# --------------------------------------------------------------------------- 7
def _anamorphic_clip(path, aspect=(2, 1), n=8):
    """An MPEG-4 clip of 48 x 32 pictures whose pixels are ``aspect`` (width:height) wide."""
    from fractions import Fraction

    av = pytest.importorskip("av")
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 48, 32, "yuv420p"
        stream.sample_aspect_ratio = Fraction(*aspect)
        for t in range(n):
            frame = np.full((32, 48, 3), 100, np.uint8)
            frame[8:16, 4 * t:4 * t + 8] = 220
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_a_video_of_non_square_pixels_is_said_by_the_command_line_and_the_reader(tmp_path, capsys):
    import warnings

    from segmix.cli import main
    from segmix.frames import FrameReader, FrameSequence

    video = _anamorphic_clip(tmp_path / "sar.mp4")
    sequence = FrameSequence(video)
    assert sequence.pixel_aspect == 2
    out = tmp_path / "masks"
    assert main(["background", str(video), "--output-dir", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count("not square") == 1 and "sample aspect ratio 2:1" in err and "96 x 32" in err, err
    reader = FrameReader(FrameSequence(video))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader.read(3)
        reader.read(1)
    assert len([w for w in caught if "not square" in str(w.message)]) == 1
    square = _anamorphic_clip(tmp_path / "square.mp4", aspect=(1, 1))
    assert FrameSequence(square).pixel_aspect is None


# --------------------------------------------------------------------------- 8
@pytest.mark.parametrize("suffix", [".tif", ".npy", ".bmp", ".webp"])
def test_a_mask_of_another_format_is_refused_saying_why_png(tmp_path, capsys, suffix):
    from segmix.cli import main

    Image.fromarray(np.zeros((40, 60, 3), np.uint8) + 90).save(tmp_path / "p.png")
    marks = np.zeros((40, 60), np.uint8)
    marks[5:10, 5:10], marks[30:35, 40:50] = 1, 2
    Image.fromarray(marks).save(tmp_path / "s.png")
    assert main(["segment", str(tmp_path / "p.png"), "--scribbles", str(tmp_path / "s.png"),
                 "-o", str(tmp_path / f"m{suffix}")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "use .png" in err[0] and "masks are 8-bit greyscale PNG" in err[0], err
    assert "--probability writes .npy and .tif" in err[0]
    assert not (tmp_path / f"m{suffix}").exists()


def test_scribbles_jpegd_at_q50_holding_3_and_4_are_called_lossy(tmp_path):
    decoded = _through_jpeg(_strokes(20), 50)
    assert decoded.max() == 4
    path = tmp_path / "s.png"
    Image.fromarray(decoded).save(path)
    with pytest.raises(ImageLoadError, match="lossily compressed") as info:
        load_scribbles(path, decoded.shape)
    assert "grabCut" not in str(info.value)
