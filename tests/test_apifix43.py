"""Faults a library user (scripts, notebooks) met, left by the library trial of session 43
(apifix43), one test per kind."""

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main


def _skin_photo(seed: int, size=(40, 48)) -> tuple[np.ndarray, np.ndarray]:
    """A colour photo with a skin-coloured patch and its 0 / 255 mask (128 on a band)."""
    rng = np.random.default_rng(seed)
    h, w = size
    image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    image[10:30, 12:36] = rng.normal((200, 140, 115), 10, (20, 24, 3)).clip(0, 255)
    mask = np.zeros((h, w), np.uint8)
    mask[10:30, 12:36] = 255
    mask[9, 12:36] = 128
    return image, mask


def _folders(tmp_path: Path, n: int = 3) -> tuple[Path, Path]:
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    for i in range(n):
        image, mask = _skin_photo(i)
        Image.fromarray(image).save(images / f"p{i}.png")
        Image.fromarray(mask).save(masks / f"p{i}.png")
    return images, masks


def test_folder_refusals_name_the_parameters_in_python_and_the_options_on_the_command_line(tmp_path, capsys):
    # evaluate_folder(model, masks, images) from Python was told "--images ... holds masks ...
    # give the photos with --images", options a script never gave; arrays as the folders met
    # Path()'s "expected str, bytes or os.PathLike object, not ndarray".
    from segmix.skin import count_image_folder, image_mask_pairs, load_skin_model
    from segmix.skin_eval import evaluate_folder

    images, masks = _folders(tmp_path, 2)
    photo = next(images.iterdir())
    model = load_skin_model()
    with pytest.raises(ValueError, match=r"^images_dir .* holds masks and masks_dir .* photos .*look swapped; "
                                         r"give the photos with images_dir and the masks with masks_dir$") as swapped:
        evaluate_folder(model, masks, images)
    assert "--" not in str(swapped.value)
    with pytest.raises(ValueError, match="^images_dir .* holds masks and masks_dir"):
        count_image_folder(masks, images)
    with pytest.raises(ValueError, match=r"^images_dir and masks_dir are the same folder .*give the photos' folder as "
                                         r"images_dir and the masks' folder as masks_dir"):
        image_mask_pairs(images, images)
    with pytest.raises(NotADirectoryError, match=r"is a file, not a folder \(images_dir takes a folder of photos\)"):
        image_mask_pairs(photo, masks)
    for bad, name in (((np.zeros((3, 3, 3)), np.zeros((3, 3))), "images_dir"), ((images, [np.zeros((3, 3))]), "masks_dir")):
        with pytest.raises(TypeError, match=rf"^{name} must be a folder's path \(a str or path-like\), got "
                                            r"(ndarray|list): .*color_counts\(image, mask\).*SkinEvaluator.add"):
            evaluate_folder(model, *bad)
    # the command line keeps its own words
    assert main(["skin", "eval", "--images", str(masks), "--masks", str(images)]) == 2
    err = capsys.readouterr().err
    assert "error: --images " in err and "give the photos with --images and the masks with --masks" in err
    assert "images_dir" not in err
    assert main(["skin", "train", "--images", str(images), "--masks", str(images), "-o", str(tmp_path / "m.json")]) == 2
    assert "error: --images and --masks are the same folder" in capsys.readouterr().err
    # and the library's words are back after a command
    with pytest.raises(ValueError, match="^images_dir and masks_dir are the same folder"):
        image_mask_pairs(images, images)


@pytest.mark.parametrize("bad", ["0.5", True, math.nan, -0.1, 1.5, np.array([0.5])])
def test_numeric_parameters_refuse_strings_bools_nan_and_values_out_of_range_by_name(bad):
    # detect(model, image, threshold='0.5') was taken (float("0.5")); train_skin_model took
    # threshold="0.5", threshold=True (deciding at 1.0) and prior="0.1", and
    # background_weight="0.1" failed as "'>' not supported between 'str' and 'int'".
    from segmix.skin import ColorCounts, detect, load_skin_model, train_skin_model, with_threshold
    from segmix.skin_eval import SkinEvaluator

    model = load_skin_model()
    image, _ = _skin_photo(0)
    counts = ColorCounts(np.array([0x804030, 0x202020]), np.array([5, 0]), np.array([0, 5]))
    hint = ": a string; give the number itself" if isinstance(bad, str) else ""
    for call in (lambda: detect(model, image, threshold=bad), lambda: with_threshold(model, bad),
                 lambda: SkinEvaluator(bad), lambda: train_skin_model(counts, threshold=bad)):
        with pytest.raises(ValueError, match=rf"^threshold must be a number in \[0, 1\].*got .*{hint}"):
            call()
    with pytest.raises(ValueError, match=r"^prior \(p\(skin\), the expected share of skin\) must be a number strictly"):
        train_skin_model(counts, prior=bad)
    with pytest.raises(ValueError, match=r"^background_weight must be a number in \[0, 1\)"):
        train_skin_model(counts, background_weight=bad)
    with pytest.raises(ValueError, match=r"^non_skin_components must be None or a positive integer"):
        train_skin_model(counts, non_skin_components=bad)


def test_numbers_as_numpy_scalars_and_zero_d_arrays_are_still_taken():
    from segmix.skin import ColorCounts, detect, load_skin_model, train_skin_model

    model = load_skin_model()
    image, _ = _skin_photo(0)
    for good in (np.float32(0.3), np.float64(0.3), np.array(0.3), 0):
        assert detect(model, image, threshold=good).mask.shape == (40, 48)
    counts = ColorCounts(np.array([0x804030, 0x202020]), np.array([5, 0]), np.array([0, 5]))
    assert train_skin_model(counts, threshold=np.float32(0.2), prior=np.float64(0.3), non_skin_components=1).threshold == pytest.approx(0.2)


def test_a_keyword_under_another_librarys_name_says_the_parameter_to_give():
    # quantize_image(img, k=4) met Python's "got an unexpected keyword argument 'k'".
    import inspect

    from segmix.quantize import quantize_image

    image, _ = _skin_photo(0)
    with pytest.raises(TypeError, match=r"^quantize_image\(\) has no parameter k: k is n_colors here; give n_colors=4$"):
        quantize_image(image, k=4)
    for other in ("n_clusters", "colors"):
        with pytest.raises(TypeError, match=f"has no parameter {other}: {other} is n_colors here"):
            quantize_image(image, **{other: 4})
    with pytest.raises(TypeError, match="seed is random_state here; give random_state=1"):
        quantize_image(image, 4, seed=1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'n_colrs'"):  # a typo: Python's words
        quantize_image(image, n_colrs=4)
    assert quantize_image(image, n_colors=4).n_colors <= 4
    assert list(inspect.signature(quantize_image).parameters)[:2] == ["image", "n_colors"]
    assert quantize_image.__name__ == "quantize_image" and "Parameters" in quantize_image.__doc__


def test_color_counts_from_arrays_train_the_same_model_as_the_same_photos_as_files(tmp_path):
    # Training from arrays meant packing r << 16 | g << 8 | b codes by hand.
    from segmix.skin import TRAIN_DEFAULTS, ColorCounts, color_counts, count_image_folder, train_skin_model

    images, masks = _folders(tmp_path, 3)
    from_files = count_image_folder(images, masks)
    from_arrays = ColorCounts.empty()
    for i in range(3):
        image, mask = _skin_photo(i)
        from_arrays = from_arrays + color_counts(image, mask)
    for name in ("codes", "skin", "non_skin"):
        assert np.array_equal(getattr(from_arrays, name), getattr(from_files, name)), name
    assert from_arrays.sources == [{"type": "arrays", "photos": 3, "skin_pixels": from_files.n_skin,
                                    "non_skin_pixels": from_files.n_non_skin}]
    a = train_skin_model(from_files, **TRAIN_DEFAULTS)
    b = train_skin_model(from_arrays, **TRAIN_DEFAULTS)
    for ga, gb in zip(a.classifier.mixtures, b.classifier.mixtures):
        assert np.array_equal(ga.means_, gb.means_) and np.array_equal(ga.covariances_, gb.covariances_)
        assert np.array_equal(ga.weights_, gb.weights_)
    assert a.threshold == b.threshold and list(a.classifier.priors) == list(b.classifier.priors)
    # bool and 0 / 1 masks count as 0 / 255 without the ignored band
    image, mask = _skin_photo(0)
    kept = np.where(mask == 128, 0, mask)
    expected = color_counts(image, kept)
    for other in (kept == 255, (kept == 255).astype(np.uint8), (kept == 255).astype(np.int64)):
        got = color_counts(image, other)
        assert np.array_equal(got.codes, expected.codes) and np.array_equal(got.skin, expected.skin)


def test_color_counts_refuse_masks_of_other_values_shapes_and_types_and_grey_photos():
    from segmix.skin import color_counts

    image, mask = _skin_photo(0)
    with pytest.raises(ValueError, match=r"^mask must hold 0 / 1 \(or bool: 1 skin\) or 0 / 255 with 128 ignored.*"
                                         r"found 0, 1, 255"):
        color_counts(image, np.where(mask == 128, 1, mask))
    with pytest.raises(ValueError, match=r"found 0, 127, 255: a resized"):
        color_counts(image, np.where(mask == 128, 127, mask))
    with pytest.raises(ValueError, match=r"^mask must be the image's \(H, W\) = \(40, 48\); got shape \(48, 40\): transposed"):
        color_counts(image, mask.T)
    with pytest.raises(ValueError, match=r"got shape \(40, 48, 3\): one value per pixel"):
        color_counts(image, np.dstack([mask] * 3))
    with pytest.raises(ValueError, match=r"^mask must be bool or integers .*got float64: a probability map"):
        color_counts(image, mask / 255.0)
    with pytest.raises(TypeError, match="^mask must be an array, got a path"):
        color_counts(image, "mask.png")
    with pytest.raises(ValueError, match=r"^image must be an \(H, W, 3\) uint8"):
        color_counts(image.astype(float) / 255, mask)
    grey = np.repeat(image[..., :1], 3, axis=2)
    with pytest.raises(ValueError, match="^image is greyscale"):
        color_counts(grey, mask)
    assert color_counts(grey, np.zeros_like(mask)).n_non_skin == mask.size  # no skin labelled: taken


def test_readme_trains_a_skin_model_from_arrays_as_shown():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("Training a skin model from photos in memory")
    block = readme.index("```python", start) + len("```python")
    code = readme[block:readme.index("```", block)]
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    mask = scope["detect"](scope["model"], scope["image"]).mask
    assert mask[16:48, 16:48].mean() > 0.9 and mask.mean() < 0.4


def test_other_skin_refusals_name_the_parameters_in_python_and_the_options_on_the_command_line(tmp_path, capsys):
    # load_uci(folder) said "--uci takes the UCI Skin_NonSkin.txt file"; plan_batch /
    # apply_batch told a script to "give each folder its own --output-dir".
    from segmix.skin import load_uci, plan_batch

    with pytest.raises(IsADirectoryError, match=r"is a folder, not a file \(load_uci\(path\) takes the UCI"):
        load_uci(tmp_path)
    images, masks = _folders(tmp_path, 1)
    other = tmp_path / "other"
    other.mkdir()
    Image.fromarray(_skin_photo(1)[0]).save(other / "p0.png")
    with pytest.raises(ValueError, match="give each folder its own output_dir ") as refused:
        plan_batch([images / "p0.png", other / "p0.png"], tmp_path / "out")
    assert "--" not in str(refused.value)
    # the command line's words, as before
    assert main(["skin", "train", "--uci", str(tmp_path), "-o", str(tmp_path / "m.json")]) == 2
    assert "(--uci takes the UCI" in capsys.readouterr().err
    assert main(["skin", "apply", str(images / "p0.png"), str(other / "p0.png"), "--output-dir",
                 str(tmp_path / "out")]) == 2
    assert "give each folder its own --output-dir " in capsys.readouterr().err


def test_groundtruth_folder_refusals_name_the_function_in_python_and_the_option_on_the_command_line(tmp_path, capsys):
    # load_groundtruth_folder(file) said "(--groundtruth takes a folder of ground-truth masks)",
    # and a sequence's own folder "give --groundtruth SUBFOLDER", to a Python caller.
    from segmix.background_run import load_groundtruth_folder
    from segmix.frames import FrameError

    frames, sequence = tmp_path / "input", tmp_path / "seq"
    frames.mkdir()
    (sequence / "groundtruth").mkdir(parents=True)
    for i in range(1, 4):
        Image.fromarray(np.full((8, 10, 3), 60 * i, np.uint8)).save(frames / f"in{i:06d}.png")
        Image.fromarray(np.zeros((8, 10), np.uint8)).save(sequence / "groundtruth" / f"gt{i:06d}.png")
    Image.fromarray(np.zeros((8, 10), np.uint8)).save(sequence / "ROI.png")
    photo = frames / "in000001.png"
    with pytest.raises(FrameError, match=r"is a file, not a folder \(load_groundtruth_folder takes a folder of"):
        load_groundtruth_folder(photo)
    with pytest.raises(FrameError, match="subfolder groundtruth holds 3: give that subfolder, .*groundtruth$") as told:
        load_groundtruth_folder(sequence)
    assert "--" not in str(told.value)
    assert main(["background", str(frames), "--groundtruth", str(photo), "--quiet"]) == 2
    assert "(--groundtruth takes a folder of ground-truth masks)" in capsys.readouterr().err
    assert main(["background", str(frames), "--groundtruth", str(sequence), "--quiet"]) == 2
    assert f"give --groundtruth {sequence / 'groundtruth'}" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["hysteresis", "seed_cap", "confident_skin", "confident_non_skin", "texture"])
def test_detector_settings_refuse_nan_by_name(name):
    # with_options(DEFAULT_SETTINGS, hysteresis=nan) and three others were taken without a word.
    from segmix.skin_detect import DEFAULT_SETTINGS, with_options

    with pytest.raises(ValueError, match=f"^{name} must be a number, not NaN$"):
        with_options(DEFAULT_SETTINGS, **{name: math.nan})
    assert getattr(with_options(DEFAULT_SETTINGS, **{name: 1.0}), name) == 1.0
