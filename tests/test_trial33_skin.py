"""Skin detection's library, faults of session 33's new-user trial (a data scientist's calls).

1. ``segmix.skin.detect(model, image, threshold=...)`` (and ``skin_detect.detect``) took any
   threshold: -1 marked the whole photo as skin, 2 and NaN none of it, without a word (the
   command line refuses them). ``SkinEvaluator(threshold)`` and ``evaluate_folder`` too.
2. A path or None for the model ended in "AttributeError: 'str' object has no attribute
   'threshold'" from inside the detector.
3. ``SkinEvaluator.add`` counted a 0 / 255 ground-truth mask's 255 as non-skin (refused later
   as "needs both skin and non-skin pixels", or, with other photos' 0 / 1 labels, scored
   wrong), took a posterior scaled to 0..65535 (ROC AUC 0.52 instead of 0.99) and raised an
   IndexError for arrays of two sizes.
"""

import numpy as np
import pytest

from segmix import skin, skin_detect
from segmix.skin_eval import SkinEvaluator, evaluate_folder


@pytest.fixture(scope="module")
def model():
    return skin.load_skin_model()


def _photo() -> np.ndarray:
    image = np.zeros((24, 32, 3), np.uint8)
    image[:] = (40, 90, 160)  # blue
    image[6:18, 8:20] = (205, 150, 125)  # a skin tone
    return image


@pytest.mark.parametrize("threshold", [-1, 1.5, float("nan"), "x", True])
@pytest.mark.parametrize("detect", [skin.detect, skin_detect.detect])
def test_detect_refuses_a_threshold_outside_0_1(model, detect, threshold):
    with pytest.raises(ValueError, match=r"threshold must be a number in \[0, 1\]"):
        detect(model, _photo(), threshold=threshold)


def test_detect_takes_the_ends_and_none(model):
    image = _photo()
    assert skin.detect(model, image, threshold=1).mask.sum() == 0
    assert skin.detect(model, image, threshold=0.5).mask.shape == image.shape[:2]
    default = skin.detect(model, image, threshold=None).mask
    assert np.array_equal(default, skin.detect(model, image, threshold=model.threshold).mask)
    assert skin.detect(model, image, threshold=0).mask.all()


@pytest.mark.parametrize("given", ["own.json", None, {"kind": "skin"}])
def test_a_model_that_is_not_loaded_is_named(given):
    calls = (lambda: skin.detect(given, _photo()), lambda: skin_detect.detect(given, _photo()),
             lambda: skin.detect_skin(given, _photo()), lambda: evaluate_folder(given, "images", "masks"))
    for call in calls:
        with pytest.raises(TypeError, match=r"model must be a loaded skin model.*load_skin_model"):
            call()


def test_a_segmentation_model_is_refused(model):
    from dataclasses import replace

    with pytest.raises(ValueError, match="'segmentation' model, not a skin model"):
        skin.detect(replace(model, kind="segmentation"), _photo())


def _scores():
    posterior = np.linspace(0, 1, 24 * 32, dtype=np.float32).reshape(24, 32)
    truth = posterior > 0.6
    return posterior, truth


def test_evaluator_takes_bool_and_0_1_labels_alike():
    posterior, truth = _scores()
    results = []
    for labels in (truth, truth.astype(np.int8), truth.astype(np.uint8)):
        ev = SkinEvaluator(0.5)
        ev.add(posterior, labels)
        results.append((ev.result().f1, ev.result().auc))
    assert results[0] == results[1] == results[2]
    assert results[0][1] > 0.99


def test_evaluator_refuses_a_0_255_mask_with_how_to_convert():
    posterior, truth = _scores()
    ev = SkinEvaluator(0.5)
    with pytest.raises(ValueError, match=r"got 255: a 0 / 255 \(128 ignored\) mask is \(mask == 255\)"):
        ev.add(posterior, truth.astype(np.uint8) * 255)


def test_evaluator_refuses_a_16_bit_posterior_and_other_sizes():
    posterior, truth = _scores()
    ev = SkinEvaluator(0.5)
    with pytest.raises(ValueError, match="divide it by 65535"):
        ev.add(posterior * 65535, truth)
    with pytest.raises(ValueError, match="divide it by 65535"):
        ev.add((posterior * 65535).astype(np.uint16), truth)
    with pytest.raises(ValueError, match=r"labels must be the posterior's shape \(24, 32\); got \(10, 32\)"):
        ev.add(posterior, truth[:10])
    with pytest.raises(ValueError, match=r"mask must be the posterior's shape"):
        ev.add(posterior, truth, mask=truth[:, :5])
    with pytest.raises(ValueError, match=r"posterior must be p\(skin\) in \[0, 1\]"):
        ev.add(np.full((24, 32), np.nan, np.float32), truth)
    with pytest.raises(ValueError, match=r"threshold must be a number in \[0, 1\]"):
        SkinEvaluator(40)


def test_readme_skin_library_example_runs(tmp_path, monkeypatch):
    """README's Library section had no word on skin detection; its example now runs as printed
    (paths moved to a small photo and mask)."""
    from pathlib import Path

    from PIL import Image

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    library = readme[readme.index("## Library"):readme.index("## Layout")]
    block = library[library.index("Skin detection as"):].split("```python")[1].split("```")[0]
    (tmp_path / "sub" / "images").mkdir(parents=True)
    (tmp_path / "sub" / "masks").mkdir()
    photo = np.zeros((48, 64, 3), np.uint8)
    photo[:] = (40, 90, 160)
    photo[10:38, 16:44] = (205, 150, 125)
    truth = np.zeros((48, 64), np.uint8)
    truth[10:38, 16:44] = 255
    truth[9, :] = 128
    Image.fromarray(photo).save(tmp_path / "photo.png")
    Image.fromarray(photo).save(tmp_path / "sub" / "images" / "a.png")
    Image.fromarray(truth).save(tmp_path / "sub" / "masks" / "a.png")
    Image.fromarray(truth).save(tmp_path / "photo_gt.png")
    monkeypatch.chdir(tmp_path)
    exec(compile(block.replace('"photo.jpg"', '"photo.png"'), "README.md", "exec"), {})


def test_a_model_whose_positive_class_is_non_skin_is_refused(tmp_path, model):
    """A hand-edited ``"positive_class": 1`` (the class named non-skin) was applied turned
    round: 7 % of a face photo 'skin', its dark corners."""
    import json

    data = json.loads(skin.builtin_model_path().read_text(encoding="utf-8"))
    data["positive_class"] = 1
    path = tmp_path / "turned.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=r"turned.json: invalid segmix model: 'positive_class' is 1, the class "
                                         r"named 'non-skin'; a skin model's positive class is its 'skin' class \(0\)"):
        skin.load_skin_model(path)


def test_a_photo_left_out_names_its_mask_of_another_name(tmp_path):
    """8 SFA photos, one mask saved as 1030_mask.png: the warning said only that 1030.jpg has no
    mask of the same name."""
    from PIL import Image

    from segmix.skin import unmatched_warning

    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    for stem in ("1020", "1030", "1030_b"):
        Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(images / f"{stem}.jpg")
    for name in ("1020.png", "1030_mask.png", "1030_b.png"):
        Image.fromarray(np.zeros((4, 4), np.uint8)).save(masks / name)
    assert unmatched_warning(images, masks, [images / "1030.jpg"]) == (
        f"1 image in {images} has no mask of the same name in {masks} and is left out "
        "(1030.jpg; 1030_mask.png has '_mask' after the name: rename it)")
    (masks / "1030_mask.png").unlink()  # 1030_b.png is 1030_b.jpg's mask: no hint
    assert unmatched_warning(images, masks, [images / "1030.jpg"]).endswith("left out (1030.jpg)")
    (masks / "1030.PNG").write_bytes((masks / "1020.png").read_bytes())
    (images / "1030.jpg").rename(images / "1030.JPG")
    assert "1030.PNG" not in unmatched_warning(images, masks, [images / "1030.JPG"])  # same stem: a pair


def test_settings_that_are_not_skin_settings_are_named(model):
    """``detect(model, image, {"faces": True})`` ended in "AttributeError: 'dict' object has no
    attribute 'adapt'"."""
    for call in (lambda: skin.detect(model, _photo(), {"faces": True}),
                 lambda: skin_detect.detect(model, _photo(), "default"),
                 lambda: evaluate_folder(model, "images", "masks", settings={"faces": True})):
        with pytest.raises(TypeError, match=r"settings must be a SkinSettings, not (dict|str): .*with_options"):
            call()


def _skin_square_set(tmp_path):
    """Empty ``images`` / ``masks`` folders, and a 48 x 64 photo of a skin-coloured square on blue
    with its 0/255 truth."""
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    photo = np.zeros((48, 64, 3), np.uint8)
    photo[:] = (40, 90, 160)
    photo[10:38, 16:44] = (205, 150, 125)
    truth = np.zeros((48, 64), np.uint8)
    truth[10:38, 16:44] = 255
    return images, masks, photo, truth


def test_a_mask_that_ignores_every_pixel_is_left_out_by_name(tmp_path, capsys):
    """Two photos, one mask all 128: 'images 2' and a per-image mean F1 of 0.9834 where the
    one scored photo's F1 was 0.9668 (the ignored photo counted as F1 1)."""
    from PIL import Image

    from segmix.cli import main

    images, masks, photo, truth = _skin_square_set(tmp_path)
    for stem in ("a", "b"):
        Image.fromarray(photo).save(images / f"{stem}.png")
    Image.fromarray(truth).save(masks / "a.png")
    Image.fromarray(np.full((48, 64), 128, np.uint8)).save(masks / "b.png")
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert f"segmix skin eval: skipped {masks / 'b.png'}: every pixel is 128 (ignored): nothing of b.png to score" in err
    assert out.startswith("images 1,")
    # skin train leaves the pair out as skin eval does (it stopped, exit 2, until session 40).
    assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(tmp_path / "m.json"),
                 "--components", "1", "--non-skin-components", "1"]) == 1
    assert (f"segmix skin train: skipped {masks / 'b.png'}: every pixel is 128 (ignored): nothing of b.png to train on"
            in capsys.readouterr().err)
    assert (tmp_path / "m.json").exists()
    evaluator = SkinEvaluator(0.5)
    with pytest.raises(ValueError, match="labels: every pixel is -1"):
        evaluator.add(np.zeros((4, 4), np.float32), np.full((4, 4), -1, np.int8))


def test_no_detection_in_any_photo_is_said_plainly():
    """``skin eval --threshold 1``: "precision over the 0 with a detection: n/a on the others"."""
    from segmix.skin_eval import format_eval

    posterior, truth = _scores()
    evaluator = SkinEvaluator(1.0)
    evaluator.add(posterior, truth)
    evaluator.add(posterior, truth)
    line = format_eval(evaluator.result(), per_image_hint=False).splitlines()[3]
    assert line.endswith("(mean over images; precision n/a: no photo with a detection)")
    evaluator = SkinEvaluator(0.5)
    evaluator.add(posterior, truth)
    evaluator.add(posterior, np.zeros_like(truth))
    line = format_eval(evaluator.result(), per_image_hint=False).splitlines()[3]
    assert line.endswith("(mean over images; recall over the 1 with skin: n/a on the others)")


def test_an_interrupted_batch_says_how_far_it_got(tmp_path, monkeypatch, capsys):
    """SIGTERM after 4 of 6 photos said only "segmix: terminated"."""
    from PIL import Image

    from segmix.cli import main

    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(4):
        Image.fromarray(_photo()).save(photos / f"p{i}.png")
    real = skin.apply_one

    def apply_one(model, path, *args, **kwargs):
        if path.name == "p2.png":
            raise KeyboardInterrupt
        return real(model, path, *args, **kwargs)

    monkeypatch.setattr(skin, "apply_one", apply_one)
    out = tmp_path / "out"
    assert main(["skin", "apply", str(photos), "--output-dir", str(out), "--workers", "1", "--quiet"]) == 130
    err = capsys.readouterr().err.splitlines()
    written = sorted(p.name for p in out.iterdir())  # the worker may take p3 before the main thread stops
    assert "p2_skin.png" not in written and {"p0_skin.png", "p1_skin.png"} <= set(written)
    assert err[-2:] == [f"segmix skin apply: stopped after writing the masks of {len(written)} of 4 photos to {out} "
                        "(each file whole; a rerun writes them all again)", "segmix: interrupted"]


def test_a_photo_named_with_a_leading_dash_is_named_as_a_file(tmp_path, monkeypatch, capsys):
    """``segmix skin apply -dash.jpg`` was told "the following arguments are required: INPUT"."""
    from PIL import Image

    from segmix.cli import main

    monkeypatch.chdir(tmp_path)
    Image.fromarray(_photo()).save("-dash.png")
    assert main(["skin", "apply", "-dash.png"]) == 2
    assert capsys.readouterr().err.strip() == (
        "segmix skin apply: error: the following arguments are required: INPUT; -dash.png is a file: write "
        "./-dash.png, or put -- before it (see segmix skin apply --help)")
    assert main(["skin", "apply", "-dash.png", "--threshold", "0.5"]) == 2
    assert "-dash.png is a file: write ./-dash.png" in capsys.readouterr().err
    assert main(["skin", "apply", "--quiet", "--", "-dash.png"]) == 0
    assert (tmp_path / "-dash_skin.png").is_file()


def test_float_masks_are_read_as_their_whole_numbers(tmp_path):
    """A float32 TIFF mask (NumPy, tifffile, scikit-image) was refused as "must be
    single-channel greyscale (L) or palette (P)", beside RGB and 16-bit masks that were read."""
    from PIL import Image

    from segmix.io import ImageLoadError
    from segmix.labelmaps import load_mask

    truth = np.zeros((6, 8), np.float32)
    truth[1:4, 2:6] = 255
    truth[0, :] = 128
    Image.fromarray(truth).save(tmp_path / "m.tif")
    labels = load_mask(tmp_path / "m.tif", (6, 8))
    assert (labels == 1).sum() == 12 and (labels == -1).sum() == 8
    Image.fromarray((truth == 255).astype(np.float32)).save(tmp_path / "one.tif")
    with pytest.raises(ImageLoadError, match="this looks like a 0/1 mask: multiply it by 255"):
        load_mask(tmp_path / "one.tif", (6, 8))
    Image.fromarray(truth / 300).save(tmp_path / "frac.tif")
    with pytest.raises(ImageLoadError, match=r"frac.tif: masks stored as floating point must hold whole numbers; "
                                             r"found 0.42\d*, 0.85"):
        load_mask(tmp_path / "frac.tif", (6, 8))
    Image.new("CMYK", (8, 6)).save(tmp_path / "cmyk.tif")
    with pytest.raises(ImageLoadError, match=r"masks must be greyscale \(8- or 16-bit, or float holding whole "
                                             r"numbers\), palette or grey RGB images, this one has mode 'CMYK'"):
        load_mask(tmp_path / "cmyk.tif", (6, 8))


@pytest.mark.parametrize("array, hint", [
    (np.zeros((4, 5, 3), np.float32), r"floats in \[0, 1\]\? \(image \* 255\).round\(\).astype\(np.uint8\)"),
    (np.full((4, 5, 3), 200.0), r"floats in \[0, 255\]\?"),
    (np.zeros((3, 4, 5), np.uint8), r"channels first\? np.moveaxis\(image, 0, -1\)"),
    (np.zeros((4, 5, 4), np.uint8), r"4 channels \(RGBA or CMYK\): segmix.io.load_image\(path\)"),
    (np.zeros((4, 5), np.uint8), r"greyscale; np.dstack"),
    (np.zeros((4, 5, 3), np.uint16), r"16-bit; segmix.io.load_image"),
])
def test_a_refused_image_array_says_how_to_convert_it(model, array, hint):
    """A data scientist's float image in [0, 1], channels-first tensor or CMYK PIL image was
    told only "must be an (H, W, 3) uint8 RGB array; got float32 (...)"."""
    with pytest.raises(ValueError, match=r"image must be an \(H, W, 3\) uint8 RGB array; got \w+ \([\d, ]+\): " + hint):
        skin.detect(model, array)


def test_eval_with_faces_says_on_how_many_photos_a_face_was_used(tmp_path, capsys):
    """``skin apply --faces`` says on how many photos a face calibrated the skin colour;
    ``skin eval --faces`` said nothing, so figures of photos where no face was found (scored
    as without --faces) passed for the faces' figures."""
    pytest.importorskip("cv2")
    import json

    from PIL import Image

    from segmix.cli import main

    images, masks, photo, truth = _skin_square_set(tmp_path)
    Image.fromarray(photo).save(images / "a.png")
    Image.fromarray(truth).save(masks / "a.png")
    report = tmp_path / "r.json"
    args = ["skin", "eval", "--images", str(images), "--masks", str(masks), "--quiet"]
    assert main(args + ["--faces", "--json", str(report)]) == 0
    out = capsys.readouterr().out.splitlines()
    # (session 57: the photo without a face named, not "in 0 of 1 photo (the others ...)")
    assert "--faces: no face found in the photo (a.png): scored as without --faces" in out, out
    assert json.loads(report.read_text(encoding="utf-8"))["faces_used"] == 0
    assert main(args) == 0
    assert not any(line.startswith("--faces") for line in capsys.readouterr().out.splitlines())


def test_a_lone_mask_that_ignores_every_pixel_is_named(tmp_path, capsys):
    """The final check: with the all-128 mask the only pair (or beside a mask without skin),
    skin eval said "the 1 mask used holds no skin (255) pixels" and never named it."""
    from PIL import Image

    from segmix.cli import main

    images, masks, photo, truth = _skin_square_set(tmp_path)
    Image.fromarray(photo).save(images / "10.png")
    Image.fromarray(np.full(truth.shape, 128, np.uint8)).save(masks / "10.png")
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "10.png: every pixel is 128 (ignored): nothing of 10.png to score" in err, err
    Image.fromarray(photo).save(images / "11.png")
    Image.fromarray(np.zeros(truth.shape, np.uint8)).save(masks / "11.png")
    # a mask without skin is scored by its false positive rate (session 45); the all-128 one is named
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 1
    captured = capsys.readouterr()
    assert "the 1 mask used labels no skin (255)" in captured.out
    assert "10.png: every pixel is 128 (ignored)" in captured.err, captured.err
