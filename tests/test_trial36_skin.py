"""Session 36's trial of skin detection and colour quantisation (helper t36b): the faults a
demanding new user met, each with the test that failed before its fix."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.quantize import quantize_image


def _far_colours_image() -> np.ndarray:
    """Clusters of dark and light greys, and a few saturated colours far from every grey
    (the yellow-green of DAVIS frame 000's flower): those are the colours whose nearest
    centre rounding can change."""
    rng = np.random.default_rng(3)
    grey = np.concatenate([rng.normal(70, 12, 4000), rng.normal(150, 12, 4000)])
    rgb = np.clip(np.stack([grey + 8, grey, grey - 8], axis=1), 0, 255)
    odd = rng.integers(0, 256, size=(2000, 3))
    return np.concatenate([rgb, odd]).astype(np.uint8).reshape(100, 100, 3)


@pytest.mark.parametrize("k", [2, 3, 8, 30])
def test_quantize_writes_each_pixel_as_the_nearest_palette_colour(k):
    # README: "Replaces every colour by the nearest of k colours". Pixels took the colour of
    # the nearest *unrounded* k-means centre, and rounding reorders distances: on DAVIS frame
    # 000 at -k 8, 0.25 % of the pixels were written up to 140 squared levels farther than
    # the nearest colour of the palette written.
    image = _far_colours_image()
    result = quantize_image(image, k, random_state=0)
    pixels = image.reshape(-1, 3).astype(np.int64)
    written = result.image.reshape(-1, 3).astype(np.int64)
    palette = result.palette.astype(np.int64)
    to_palette = ((pixels[:, None, :] - palette[None]) ** 2).sum(axis=2)
    got = ((pixels - written) ** 2).sum(axis=1)
    assert np.array_equal(got, to_palette.min(axis=1))
    # The palette is the colours written, and they are the rounded k-means centres.
    assert np.array_equal(np.unique(written, axis=0), palette)
    assert result.mse == pytest.approx(float(np.mean((pixels - written) ** 2)))


def _rgb_profile_without_name() -> bytes:
    """A 132-byte ICC profile of an RGB display with no tags: not sRGB, and nameless."""
    import struct

    header = bytearray(128)
    header[0:4] = struct.pack(">I", 132)
    header[8:12] = bytes([4, 0x20, 0, 0])
    header[12:16], header[16:20], header[20:24], header[36:40] = b"mntr", b"RGB ", b"XYZ ", b"acsp"
    return bytes(header) + struct.pack(">I", 0)


@pytest.mark.parametrize("output", ["q.gif", "q.bmp"])
def test_quantize_says_when_the_output_drops_the_colour_profile(tmp_path, monkeypatch, capsys, output):
    # A photo with an Adobe RGB profile quantised to GIF or BMP, which Pillow writes without
    # a profile: the colours show as sRGB (duller), and README says the profile is kept.
    from segmix.cli import main

    monkeypatch.chdir(tmp_path)
    image = _far_colours_image()
    Image.fromarray(image).save("wide.png", icc_profile=_rgb_profile_without_name())
    assert main(["quantize", "wide.png", "-k", "4", "-o", output]) == 0
    err = capsys.readouterr().err
    assert f"wide.png has a colour profile (unnamed), which {output} cannot hold" in err
    # A PNG keeps it, and says nothing; an sRGB profile's loss changes nothing, and is not said.
    assert main(["quantize", "wide.png", "-k", "4", "-o", "q.png"]) == 0
    assert "colour profile" not in capsys.readouterr().err
    assert Image.open("q.png").info.get("icc_profile") == _rgb_profile_without_name()
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(image).save("srgb.png", icc_profile=srgb)
    assert main(["quantize", "srgb.png", "-k", "4", "-o", "s" + output]) == 0
    assert "colour profile" not in capsys.readouterr().err


def test_icc_profile_name():
    from PIL import ImageCms

    from segmix.io import icc_profile_name

    assert icc_profile_name(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()) == "sRGB built-in"
    assert icc_profile_name(None) is None and icc_profile_name(b"garbage") is None


def _uci_rows(rng, n=300):
    """(n, 4) UCI rows B G R label: skin (label 1, redder than blue) and non-skin (2)."""
    skin_rgb = np.clip(rng.normal((200, 140, 110), 12, (n, 3)), 0, 255)
    other_rgb = rng.integers(0, 256, (n, 3))
    rows = [np.column_stack([c[:, ::-1], np.full(n, label)]) for c, label in ((skin_rgb, 1), (other_rgb, 2))]
    return np.concatenate(rows).astype(np.int64)


def test_skin_train_refuses_a_uci_file_in_rgb_order(tmp_path, monkeypatch, capsys):
    # UCI's layout is B G R label; a file written R G B was read without a word into a model
    # whose skin is blue (UCI's own file so swapped: F1 0.000 on three street photos).
    from segmix.cli import main
    from segmix.skin import load_uci

    monkeypatch.chdir(tmp_path)
    rows = _uci_rows(np.random.default_rng(0))
    np.savetxt("bgr.txt", rows, fmt="%d", delimiter="\t")
    swapped = rows.copy()
    swapped[:, [0, 2]] = rows[:, [2, 0]]
    np.savetxt("rgb.txt", swapped, fmt="%d", delimiter="\t")
    assert load_uci("bgr.txt").class_colors(1)[0].shape[0] > 0
    with pytest.raises(ValueError, match=r"rgb.txt: 100% of its skin rows \(label 1\) are bluer than red"):
        load_uci("rgb.txt")
    assert main(["skin", "train", "--uci", "rgb.txt", "-o", "m.json"]) == 2
    err = capsys.readouterr().err
    assert "its columns look like R G B; swap the first and third columns" in err and "Traceback" not in err
    assert not (tmp_path / "m.json").exists()
    assert main(["skin", "train", "--uci", "bgr.txt", "-o", "m.json"]) == 0


def test_skin_eval_and_train_say_when_the_masks_are_skin_applys_own(skin_dataset, monkeypatch, capsys):
    # skin eval refused skin apply's x_skin.png masks with "has '_skin' after the name: rename
    # the masks"; renamed, they were scored as ground truth: F1 1.0000 without a word (and
    # skin train learnt the detector's own decisions).
    import shutil

    from segmix.cli import main

    monkeypatch.chdir(skin_dataset)
    assert main(["skin", "apply", "images", "--output-dir", "detected", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["skin", "eval", "--images", "images", "--masks", "detected", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "p0_skin.png is a mask segmix skin apply wrote (the detector's output), not ground truth" in err
    assert "rename" not in err
    renamed = skin_dataset / "renamed"
    renamed.mkdir()
    for i in range(4):
        shutil.copy(skin_dataset / "detected" / f"p{i}_skin.png", renamed / f"p{i}.png")
    shutil.copy(skin_dataset / "masks" / "p3.png", renamed / "p3.png")  # one hand-labelled mask
    assert main(["skin", "eval", "--images", "images", "--masks", "renamed", "--quiet"]) == 0
    out = capsys.readouterr()
    assert ("segmix skin eval: warning: 3 of the 4 masks in renamed were written by segmix skin apply (e.g. p0.png): "
            "the detector's output, not hand-labelled ground truth; their figures measure agreement") in out.err
    assert main(["skin", "train", "--images", "images", "--masks", "renamed", "-o", "m.json", "--quiet"]) == 0
    assert "a model trained on them learns the detector's own decisions" in capsys.readouterr().err
    # Hand-labelled masks: no word.
    assert main(["skin", "eval", "--images", "images", "--masks", "masks", "--quiet"]) == 0
    assert "skin apply" not in capsys.readouterr().err


def _s15(x: float) -> bytes:
    import struct

    return struct.pack(">i", round(x * 65536))


def wide_rgb_profile(description: str = "Wide RGB test") -> bytes:
    """A v2 matrix / TRC ICC profile of Adobe RGB (1998)'s primaries (adapted to D50) and gamma
    2.2: littleCMS converts through it as through Adobe's own profile (the same 8-bit values)."""
    import struct

    def xyz(x, y, z):
        return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)

    def curve(gamma):
        return b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", round(gamma * 256)) + b"\0\0"

    text = description.encode("ascii") + b"\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(text)) + text + b"\0" * 81
    tags = [(b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
            (b"rXYZ", xyz(0.6097, 0.3111, 0.0195)), (b"gXYZ", xyz(0.2053, 0.6257, 0.0609)),
            (b"bXYZ", xyz(0.1492, 0.0632, 0.7446)),
            (b"rTRC", curve(2.2)), (b"gTRC", curve(2.2)), (b"bTRC", curve(2.2)), (b"cprt", b"text\0\0\0\0none\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        data += b"\0" * (-(offset + len(data)) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = bytearray(128)
    header[0:4] = struct.pack(">I", offset + len(data))
    header[8:12] = bytes([2, 0x10, 0, 0])
    header[12:16], header[16:20], header[20:24], header[36:40] = b"mntr", b"RGB ", b"XYZ ", b"acsp"
    header[68:80] = _s15(0.9642) + _s15(1.0) + _s15(0.8249)
    return bytes(header) + struct.pack(">I", len(tags)) + table + data


def _save_tagged_copy(source, target) -> bytes:
    """``source`` converted from sRGB to :func:`wide_rgb_profile` and saved tagged with it,
    as a camera set to Adobe RGB writes the photo; the profile."""
    import io

    from PIL import ImageCms

    profile = wide_rgb_profile()
    transform = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                        "RGB", "RGB")
    ImageCms.applyTransform(Image.open(source).convert("RGB"), transform).save(target, icc_profile=profile)
    return profile


def test_skin_detection_reads_a_wide_gamut_photo_in_srgb(skin_dataset, monkeypatch):
    # The same photos saved in Adobe RGB, tagged with its profile: segmix scored the stored
    # numbers, less saturated for the same colours, against its sRGB skin model (58 hgr1 and
    # ccp photos: pooled F1 0.758 -> 0.682, 3 photos without skin; now 0.757).
    from segmix.cli import main
    from segmix.io import load_image_info, srgb_pixels
    from segmix.palette import skin_pixels

    monkeypatch.chdir(skin_dataset)
    (skin_dataset / "wide").mkdir()
    for i in range(4):
        _save_tagged_copy(skin_dataset / "images" / f"p{i}.png", skin_dataset / "wide" / f"p{i}.png")
    original = load_image_info(Path("images/p0.png")).pixels.astype(int)
    tagged = load_image_info(Path("wide/p0.png"))
    assert np.abs(tagged.pixels.astype(int) - original).max() > 20  # the stored numbers differ
    # Read as the same colours: the skin half to 8-bit rounding (a round trip through gamma 2.2
    # at 8 bits moves some dark saturated colours of the other half by more).
    back = np.abs(skin_pixels(tagged).astype(int) - original)
    assert back[:, :20].max() <= 2 and back.mean() < 1
    # No profile, or an sRGB one: the pixels themselves.
    assert srgb_pixels(tagged.pixels, None) is tagged.pixels
    from PIL import ImageCms

    assert srgb_pixels(tagged.pixels, ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()) is tagged.pixels
    # skin apply: the tagged copies' probability maps are the originals' (to rounding).
    assert main(["skin", "apply", "images", "--output-dir", "srgb", "--probability", "--quiet"]) == 0
    assert main(["skin", "apply", "wide", "--output-dir", "adobe", "--probability", "--quiet"]) == 0
    for i in range(4):
        a = np.array(Image.open(f"srgb/p{i}_skin_prob.png")).astype(float) / 65535
        b = np.array(Image.open(f"adobe/p{i}_skin_prob.png")).astype(float) / 65535
        m1 = np.array(Image.open(f"srgb/p{i}_skin.png")) > 0
        m2 = np.array(Image.open(f"adobe/p{i}_skin.png")) > 0
        assert np.abs(a - b).mean() < 0.01 and (m1 == m2).mean() > 0.99, (i, np.abs(a - b).mean(), (m1 == m2).mean())


def test_quantize_writes_an_opaque_grey_photo_with_alpha_channel_greyscale(tmp_path, monkeypatch):
    # README: "a greyscale photo is written greyscale". A grey photo stored with an alpha
    # channel (Pillow mode LA, every pixel opaque) was written as a palette PNG of greys.
    from segmix.cli import main

    monkeypatch.chdir(tmp_path)
    grey = np.linspace(0, 255, 40 * 30).reshape(30, 40).astype(np.uint8)
    Image.fromarray(np.dstack([grey, np.full_like(grey, 255)]), "LA").save("la.png")
    assert main(["quantize", "la.png", "-k", "4", "-o", "q.png"]) == 0
    written = Image.open("q.png")
    assert written.mode == "L" and len(np.unique(np.array(written))) == 4
    # With transparent pixels: RGBA of grey colours, as documented.
    alpha = np.full_like(grey, 255)
    alpha[:5] = 0
    Image.fromarray(np.dstack([grey, alpha]), "LA").save("la_t.png")
    assert main(["quantize", "la_t.png", "-k", "4", "-o", "q_t.png"]) == 0
    rgba = np.array(Image.open("q_t.png").convert("RGBA"))
    assert (rgba[:5, :, 3] == 0).all() and (rgba[..., 0] == rgba[..., 1]).all() and (rgba[..., 1] == rgba[..., 2]).all()


def test_skin_apply_does_not_call_its_own_output_folder_ignored(skin_dataset, monkeypatch, capsys):
    # `skin apply images --output-dir images/masks`, run twice: the second run noted "ignored
    # in images: 1 subfolder (masks)", the folder it writes into.
    from segmix.cli import main

    monkeypatch.chdir(skin_dataset)
    (skin_dataset / "images" / "other").mkdir()
    for _ in range(2):
        assert main(["skin", "apply", "images", "--output-dir", "images/masks"]) == 0
        err = capsys.readouterr().err
        assert "ignored in images: 1 subfolder (other)" in err and "masks" not in err


SWOP = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


@pytest.mark.skipif(not SWOP.is_file(), reason="needs a CMYK ICC profile (Ghostscript's default_cmyk.icc)")
def test_a_cmyk_photo_with_its_profile_is_read_through_it(tmp_path):
    # A CMYK photo made for a press (converted through a SWOP profile and tagged with it) was
    # read with Pillow's plain conversion, 13 levels off its colours on a street photo (red
    # 11 low), by skin detection, segment, quantize and the window alike.
    import io

    from PIL import ImageCms

    from segmix.io import load_image_info

    rng = np.random.default_rng(2)
    rgb = np.clip(rng.normal((190, 140, 115), 30, (40, 50, 3)), 0, 255).astype(np.uint8)
    profile = SWOP.read_bytes()
    to_cmyk = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                      "RGB", "CMYK")
    ImageCms.applyTransform(Image.fromarray(rgb), to_cmyk).save(tmp_path / "press.jpg", quality=95,
                                                                icc_profile=profile)
    read = load_image_info(tmp_path / "press.jpg")
    assert np.abs(read.pixels.astype(int) - rgb).mean() < 5
    plain = np.asarray(Image.open(tmp_path / "press.jpg").convert("RGB")).astype(int)
    assert np.abs(plain - rgb).mean() > 8  # what it read before
    assert read.icc_profile == profile and read.mode == "CMYK"
    # Without a profile (or one littleCMS cannot use): the plain conversion, as before.
    Image.open(tmp_path / "press.jpg").save(tmp_path / "bare.jpg", quality=95)
    bare = Image.open(tmp_path / "bare.jpg")
    assert np.array_equal(load_image_info(tmp_path / "bare.jpg").pixels, np.asarray(bare.convert("RGB")))
