"""The JSON model format: round trip, and every kind of malformed file refused with its message."""

import copy
import json
import pickle

import numpy as np
import pytest

from segmix import __version__
from segmix.bayes import BayesClassifier
from segmix.features import FeatureSpace
from segmix.mixture import GaussianMixture
from segmix.modelfile import (
    MAX_MODEL_BYTES,
    ModelFileError,
    SegmixModel,
    model_to_dict,
    read_model,
    write_model,
)


def _mixture(center, k=2, seed=0, covariance_type="full"):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(center, 0.05, (200, 3)), rng.normal(np.add(center, 0.2), 0.05, (200, 3))])
    return GaussianMixture(k, covariance_type=covariance_type, n_init=1, random_state=0).fit(X)


@pytest.fixture(scope="module")
def model():
    classifier = BayesClassifier([_mixture((0.6, 0.4, 0.6)), _mixture((0.3, 0.5, 0.5), seed=1)],
                                 [0.3, 0.7], ["skin", "non-skin"])
    return SegmixModel("skin", classifier, FeatureSpace("ycbcr"), 0, 0.4,
                       {"seed": 3, "data": {"skin_pixels": 400, "non_skin_pixels": 400}})


@pytest.fixture()
def good(model):
    return model_to_dict(model)


def _write(tmp_path, data, name="m.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_round_trip(tmp_path, model):
    path = tmp_path / "model.json"
    write_model(path, model)
    back = read_model(path)
    assert back.kind == "skin" and back.threshold == 0.4 and back.positive_class == 0
    assert back.features == model.features
    assert back.classifier.class_names == ["skin", "non-skin"]
    np.testing.assert_allclose(back.classifier.priors, [0.3, 0.7])
    for a, b in zip(back.classifier.mixtures, model.classifier.mixtures):
        np.testing.assert_array_equal(a.means_, b.means_)
        np.testing.assert_array_equal(a.covariances_, b.covariances_)
        np.testing.assert_array_equal(a.weights_, b.weights_)
    assert back.training["seed"] == 3 and back.training["segmix_version"] == __version__
    image = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    np.testing.assert_array_equal(back.posterior_map(image), model.posterior_map(image))


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_round_trip_other_covariances(tmp_path, covariance_type):
    classifier = BayesClassifier([_mixture((0.6, 0.4, 0.6), covariance_type=covariance_type),
                                  _mixture((0.3, 0.5, 0.5), covariance_type=covariance_type)])
    model = SegmixModel("segmentation", classifier, FeatureSpace("lab"))
    write_model(tmp_path / "m.json", model)
    back = read_model(tmp_path / "m.json")
    np.testing.assert_allclose(back.classifier.mixtures[0].covariances_, classifier.mixtures[0].covariances_)


def _cov(data, cls=0):
    return data["classifier"]["classes"][cls]["mixture"]


def _set(path_fn):
    def edit(data):
        path_fn(data)
        return data
    return edit


BAD_EDITS = {
    "wrong format name": (lambda d: d.update(format="other-model"), "not a segmix model"),
    "future version": (lambda d: d.update(version=99), "was written by a newer segmix (format 99)"),
    "version not integer": (lambda d: d.update(version="1"), "'version' must be an integer"),
    "unknown kind": (lambda d: d.update(kind="faces"), "'kind' must be one of"),
    "missing features": (lambda d: d.pop("features"), "missing 'features'"),
    "missing classifier": (lambda d: d.pop("classifier"), "missing 'classifier'"),
    "bad colour space": (lambda d: d["features"].update(color_space="cmyk"), "unknown color_space"),
    "changed scaling": (lambda d: d["features"].update(scaling="Y/255"), "scaling"),
    "wrong means shape": (lambda d: _cov(d).update(means=[[0.1, 0.2], [0.3, 0.4]]), "covariances"),
    "wrong covariance shape": (lambda d: _cov(d).update(covariances=[[1.0, 0.0], [0.0, 1.0]]),
                               "'covariances' must have shape"),
    "weights not summing to 1": (lambda d: _cov(d).update(weights=[0.5, 0.2]), "sum to 1"),
    "negative weight": (lambda d: _cov(d).update(weights=[1.5, -0.5]), "non-negative"),
    "non-symmetric covariance": (lambda d: _cov(d)["covariances"][0][0].__setitem__(1, 0.5), "symmetric"),
    "non-positive-definite covariance": (
        lambda d: _cov(d)["covariances"].__setitem__(0, [[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
        "positive definite"),
    "means not numbers": (lambda d: _cov(d).update(means=[["a", "b", "c"], [1, 2, 3]]), "must be numbers"),
    "feature-dimension mismatch": (lambda d: d["features"].update(position_weight=1.0),
                                   "features but the feature description makes"),
    "threshold above 1": (lambda d: d.update(threshold=1.5), "'threshold' must be a number in [0, 1]"),
    "threshold not a number": (lambda d: d.update(threshold="high"), "'threshold'"),
    "bad positive class": (lambda d: d.update(positive_class=5), "'positive_class'"),
    "priors not summing to 1": (lambda d: d["classifier"]["classes"][0].update(prior=0.9), "priors must sum to 1"),
    "one class only": (lambda d: d["classifier"]["classes"].pop(), "at least 2 classes"),
    "class without mixture": (lambda d: d["classifier"]["classes"][0].pop("mixture"), "is missing 'mixture'"),
    # The key(s) that are missing are named (was "class 0 must have 'name', 'prior' and 'mixture'").
    "class without prior": (lambda d: d["classifier"]["classes"][0].pop("prior"), "is missing 'prior' ("),
    "class without prior, named": (lambda d: [d["classifier"]["classes"][1].update(name="non-skin"),
                                              d["classifier"]["classes"][1].pop("prior")],
                                   "class 1 ('non-skin') is missing 'prior'"),
    "class without name and prior": (lambda d: [d["classifier"]["classes"][1].pop(k) for k in ("name", "prior")],
                                     "class 1 is missing 'name' and 'prior'"),
    "class not an object": (lambda d: d["classifier"]["classes"].__setitem__(0, 3), "class 0 must be an object"),
    "missing threshold and positive class": (lambda d: [d.pop("threshold"), d.pop("positive_class")],
                                             "missing 'positive_class' (the index"),
    "training not an object": (lambda d: d.update(training=[1, 2]), "'training' must be a JSON object"),
    # The optional mixture fields: each named (were Python's "float() argument must be ..."
    # or silently accepted: a negative reg_covar, an n_components the arrays contradict).
    "reg_covar null": (lambda d: _cov(d).update(reg_covar=None), "'reg_covar' must be a finite number >= 0"),
    "reg_covar text": (lambda d: _cov(d).update(reg_covar="abc"), "'reg_covar' must be a finite number >= 0"),
    "reg_covar negative": (lambda d: _cov(d).update(reg_covar=-5), "'reg_covar' must be a finite number >= 0"),
    "n_iter null": (lambda d: _cov(d).update(n_iter=None), "'n_iter' must be an integer >= 0"),
    "converged text": (lambda d: _cov(d).update(converged="no"), "'converged' must be true or false"),
    "n_components contradicts arrays": (lambda d: _cov(d).update(n_components=7),
                                        "'n_components' is 7 but the arrays hold 2"),
    "n_features contradicts arrays": (lambda d: _cov(d).update(n_features=5), "'n_features' is 5 but the arrays hold 3"),
    # Required: each changes the decisions, and a default would change them without a word
    # (a skin model without a threshold was read with 0.5; the built-in model's is 0.04).
    "missing threshold": (lambda d: d.pop("threshold"), "missing 'threshold'"),
    "missing positive class": (lambda d: d.pop("positive_class"), "missing 'positive_class'"),
    "misspelt threshold": (lambda d: d.update(treshold=d.pop("threshold")), "unknown key(s) 'treshold'"),
    "unknown class key": (lambda d: d["classifier"]["classes"][0].update(colour="red"), "class 0 has unknown key(s) 'colour'"),
    "unknown mixture key": (lambda d: _cov(d).update(weigths=[0.5, 0.5]), "class 0 mixture has unknown key(s) 'weigths'"),
    "unknown classifier key": (lambda d: d["classifier"].update(priors=[0.5, 0.5]), "'classifier' has unknown key(s)"),
    "class name not text": (lambda d: d["classifier"]["classes"][0].update(name=7), "class 0 'name' must be text"),
    "lower bound text": (lambda d: _cov(d).update(lower_bound="high"), "'lower_bound' must be a number or null"),
    "three classes": (lambda d: d["classifier"]["classes"].append(copy.deepcopy(d["classifier"]["classes"][1]))
                      or [c.update(prior=1 / 3) for c in d["classifier"]["classes"]], "exactly 2 classes"),
    "negative prior summing to 1": (lambda d: [c.update(prior=p) for c, p in zip(d["classifier"]["classes"], (1.5, -0.5))],
                                    "positive finite"),
    "zero prior": (lambda d: [c.update(prior=p) for c, p in zip(d["classifier"]["classes"], (0.0, 1.0))],
                   "positive finite"),
    "missing covariances": (lambda d: _cov(d).pop("covariances"), "mixture is missing 'covariances'"),
    "missing means and weights": (lambda d: [_cov(d).pop("means"), _cov(d).pop("weights")],
                                  "mixture is missing 'weights', 'means'"),
    "weights not numbers": (lambda d: _cov(d).update(weights=["a", "b"]), "'weights' must be numbers"),
    "missing colour space": (lambda d: d["features"].pop("color_space"), "'color_space'"),
}

#: The optional fields and the value each takes when absent (modelfile's docstring).
OPTIONAL_DEFAULTS = {
    "training": (lambda d: d.pop("training"), lambda m: m.training == {}),
    "features.position_weight": (lambda d: d["features"].pop("position_weight"), lambda m: m.features.position_weight == 0),
    "features.scaling": (lambda d: d["features"].pop("scaling"), lambda m: m.features.color_space == "ycbcr"),
    "mixture.reg_covar": (lambda d: _cov(d).pop("reg_covar"), lambda m: m.classifier.mixtures[0].reg_covar == 1e-6),
    "mixture.n_components": (lambda d: _cov(d).pop("n_components"), lambda m: m.classifier.mixtures[0].n_components == 2),
    "mixture.n_features": (lambda d: _cov(d).pop("n_features"), lambda m: m.classifier.mixtures[0].n_features_in_ == 3),
    "mixture.converged": (lambda d: _cov(d).pop("converged"), lambda m: m.classifier.mixtures[0].converged_ is True),
    "mixture.n_iter": (lambda d: _cov(d).pop("n_iter"), lambda m: m.classifier.mixtures[0].n_iter_ == 0),
    "mixture.lower_bound": (lambda d: _cov(d).pop("lower_bound"), lambda m: np.isnan(m.classifier.mixtures[0].lower_bound_)),
}


@pytest.mark.parametrize("field", sorted(OPTIONAL_DEFAULTS))
def test_optional_fields_take_their_documented_default(tmp_path, good, model, field):
    """An optional field left out gives its documented default and the same decisions."""
    drop, check = OPTIONAL_DEFAULTS[field]
    data = copy.deepcopy(good)
    drop(data)
    back = read_model(_write(tmp_path, data))
    assert check(back)
    image = np.random.default_rng(1).integers(0, 256, (12, 12, 3), dtype=np.uint8)
    np.testing.assert_array_equal(back.posterior_map(image), model.posterior_map(image))
    assert back.threshold == model.threshold


@pytest.mark.parametrize("case", sorted(BAD_EDITS))
def test_malformed_model_rejected(tmp_path, good, case):
    edit, message = BAD_EDITS[case]
    data = copy.deepcopy(good)
    edit(data)
    path = _write(tmp_path, data)
    with pytest.raises(ModelFileError) as info:
        read_model(path)
    text = str(info.value)
    assert message in text, text
    assert str(path) in text  # the message names the file
    assert "\n" not in text  # one line


def test_mismatched_mixture_dimensions_rejected(tmp_path, good):
    data = copy.deepcopy(good)
    two_d = GaussianMixture(1, n_init=1, random_state=0).fit(np.random.default_rng(0).random((50, 2)))
    data["classifier"]["classes"][1]["mixture"] = two_d.to_dict()
    with pytest.raises(ModelFileError, match="disagree on the number of features"):
        read_model(_write(tmp_path, data))


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_literal_rejected(tmp_path, good, literal):
    text = json.dumps(good)
    text = text.replace('"threshold": 0.4', f'"threshold": {literal}')
    assert literal in text
    with pytest.raises(ModelFileError, match="NaN/Infinity are not allowed"):
        read_model(_write(tmp_path, text))


def test_nan_in_means_rejected(tmp_path, good):
    text = json.dumps(good)
    mean = good["classifier"]["classes"][0]["mixture"]["means"][0][0]
    text = text.replace(json.dumps(mean), "NaN", 1)
    with pytest.raises(ModelFileError, match="not valid JSON|NaN"):
        read_model(_write(tmp_path, text))


def test_not_json(tmp_path):
    with pytest.raises(ModelFileError, match="not valid JSON"):
        read_model(_write(tmp_path, "this is { not json"))


def test_a_model_file_cut_short_is_named_so(tmp_path, good):
    """A trial's truncated model gave only "not valid JSON (Expecting ',' delimiter: line 58
    column 27 (char 1500))"."""
    text = json.dumps(good, indent=1)
    for cut in (len(text) // 3, len(text) - 2):
        with pytest.raises(ModelFileError, match=r"ends in the middle of its JSON after \d+ characters: it looks "
                                                 r"cut short"):
            read_model(_write(tmp_path, text[:cut] + "\n"))


def test_json_list(tmp_path):
    with pytest.raises(ModelFileError, match="top level must be a JSON object"):
        read_model(_write(tmp_path, "[1, 2, 3]"))


def test_empty_file(tmp_path):
    with pytest.raises(ModelFileError, match=r"the model file is empty \(0 bytes\)"):
        read_model(_write(tmp_path, ""))


def test_a_photo_given_as_a_model_is_named_as_a_photo(tmp_path):
    """Was "cannot read model file ('utf-8' codec can't decode byte 0x89 in position 0 ...)"."""
    from PIL import Image

    from segmix.background import BackgroundModelError, load_background_model

    Image.new("RGB", (4, 3)).save(tmp_path / "photo.png")
    Image.new("RGB", (4, 3)).save(tmp_path / "photo.jpg")
    with pytest.raises(ModelFileError, match=r"photo.png: is a PNG image, not a segmix model \(a JSON text file\)$"):
        read_model(tmp_path / "photo.png")
    with pytest.raises(BackgroundModelError, match=r"photo.jpg: is a JPEG image, not a background model"):
        load_background_model(tmp_path / "photo.jpg")
    (tmp_path / "empty.json").write_bytes(b"")
    with pytest.raises(BackgroundModelError, match=r"empty.json: the model file is empty"):
        load_background_model(tmp_path / "empty.json")


def test_huge_file(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.seek(MAX_MODEL_BYTES + 10)
        handle.write(b" ")
    with pytest.raises(ModelFileError, match="larger than"):
        read_model(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        read_model(tmp_path / "nope.json")
    with pytest.raises(ModelFileError, match="folder"):
        read_model(tmp_path)


def test_binary_file(tmp_path):
    path = tmp_path / "bin.json"
    path.write_bytes(b"\xff\xfe\x00garbage\x80")
    with pytest.raises(ModelFileError):
        read_model(path)


class _Payload:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))


def test_pickle_payload_is_rejected_not_executed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.json"
    path.write_bytes(pickle.dumps(_Payload()))
    with pytest.raises(ModelFileError):
        read_model(path)
    assert not (tmp_path / "PWNED").exists()


def test_reduce_in_json_is_just_data(tmp_path, good, monkeypatch):
    """A JSON object that smells like a pickle payload is data, never executed."""
    monkeypatch.chdir(tmp_path)
    data = copy.deepcopy(good)
    data["classifier"] = {"__reduce__": ["os.system", ["touch PWNED"]], "py/object": "os.system"}
    with pytest.raises(ModelFileError, match="classifier"):
        read_model(_write(tmp_path, data))
    assert not (tmp_path / "PWNED").exists()
    # in "training" (free-form) it is kept as plain data
    data = copy.deepcopy(good)
    data["training"]["__reduce__"] = ["os.system", ["touch PWNED"]]
    back = read_model(_write(tmp_path, data))
    assert back.training["__reduce__"] == ["os.system", ["touch PWNED"]]
    assert not (tmp_path / "PWNED").exists()


def test_write_refuses_non_finite(tmp_path, model):
    bad = copy.copy(model)
    bad.training = {"score": float("nan")}
    with pytest.raises(ValueError, match="not finite"):
        write_model(tmp_path / "m.json", bad)
    assert not (tmp_path / "m.json").exists()


# ---------------------------------------------------------- segmentation models (Save Model)
@pytest.fixture(scope="module")
def segmentation_file_data():
    from segmix.segment import SegmentationModel, SegmentationSettings

    classifier = BayesClassifier([_mixture((0.6, 0.4, 0.6)), _mixture((0.3, 0.5, 0.5), seed=1)], [0.5, 0.5])
    settings = SegmentationSettings(n_components=2, smoothing="none", smoothness=12.0, keep_connected=False)
    return model_to_dict(SegmentationModel(settings, classifier, FeatureSpace("lab"), {"seed": 0}).to_segmix_model())


@pytest.mark.parametrize("key, value, message", [
    ("smoothing", 5, "'training.settings.smoothing' must be text"),
    ("smoothing", "magic", "smoothing must be one of"),
    ("n_components", "abc", "'training.settings.n_components' must be an integer"),
    ("n_components", 2.5, "'training.settings.n_components' must be an integer"),
    ("keep_connected", 1, "'training.settings.keep_connected' must be true or false"),
    ("smoothness", None, "'training.settings.smoothness' must be a finite number"),
    ("smoothness", -1.0, "smoothness must lie in"),
    ("max_iter", 0, "'training.settings.max_iter' must be >= 1"),
    ("random_state", -3, "'training.settings.random_state' must be >= 0"),
    ("connectivity", 5, "connectivity must be 4, 8 or 16"),
])
def test_segmentation_model_settings_are_checked_field_by_field(tmp_path, segmentation_file_data, key, value, message):
    """The window's saved settings were read unchecked (``"smoothing": 5`` loaded, then failed
    at the first stroke): each field is now checked for its type and value, named with the file."""
    from segmix.gui.files import read_segmentation_model

    data = copy.deepcopy(segmentation_file_data)
    data["training"]["settings"][key] = value
    path = _write(tmp_path, data)
    with pytest.raises(ValueError) as info:
        read_segmentation_model(path)
    assert message in str(info.value) and str(path) in str(info.value) and "\n" not in str(info.value)


def test_segmentation_model_settings_are_optional_per_field(tmp_path, segmentation_file_data):
    """Missing settings take the defaults; unknown ones (a newer segmix's) are ignored."""
    from segmix.gui.files import read_segmentation_model
    from segmix.segment import SegmentationSettings

    data = copy.deepcopy(segmentation_file_data)
    assert read_segmentation_model(_write(tmp_path, data)).settings.smoothness == 12.0
    del data["training"]["settings"]["smoothness"]
    data["training"]["settings"]["a_setting_of_the_future"] = 1
    loaded = read_segmentation_model(_write(tmp_path, data)).settings
    assert loaded.smoothness == SegmentationSettings().smoothness and loaded.keep_connected is False
    del data["training"]["settings"]
    assert read_segmentation_model(_write(tmp_path, data)).settings.n_components == SegmentationSettings().n_components
    data["training"]["settings"] = [1, 2]
    with pytest.raises(ValueError, match="'training.settings' must be a JSON object"):
        read_segmentation_model(_write(tmp_path, data))


def test_skin_model_without_threshold_is_one_cli_line(tmp_path, good, capsys):
    """The command line's refusal names the file and the field on one line, exit status 2."""
    from PIL import Image

    from segmix.cli import main

    data = copy.deepcopy(good)
    del data["threshold"]
    path = _write(tmp_path, data, "own.json")
    Image.fromarray(np.full((8, 8, 3), 120, np.uint8)).save(tmp_path / "p.png")
    assert main(["skin", "apply", str(tmp_path / "p.png"), "--model", str(path), "--output-dir", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(path) in err and "missing 'threshold'" in err
