"""The versioned JSON model format: write, read, validate.

A model file holds a Bayes classifier (each class's prior and mixture parameters), how
features are made from pixels (colour space, scaling, position weight), the decision
threshold, and how the model was trained. It is plain JSON read with ``json.loads``: a
model file from a stranger can never execute code (no pickle anywhere).

Layout (schema version 1)::

    {
      "format": "segmix-model",
      "version": 1,
      "kind": "segmentation" | "skin",
      "features": {"color_space": "lab", "scaling": "...", "position_weight": 0.0},
      "classifier": {"classes": [{"name": "skin", "prior": 0.3,
                                   "mixture": {"covariance_type": "full", "weights": [...],
                                               "means": [[...]], "covariances": [[[...]]], ...}},
                                  ...]},
      "positive_class": 0,
      "threshold": 0.5,
      "training": {"segmix_version": "...", "seed": 0, "data": {...}, ...}
    }

Required fields (a file without one is refused with a line naming the file and the field):
``format``, ``version``, ``kind``, ``features.color_space``, ``classifier.classes`` (exactly
two, each with ``name`` (text), ``prior`` (in (0, 1), summing to 1) and ``mixture`` with
``covariance_type``, ``weights``, ``means``, ``covariances``), ``positive_class`` and
``threshold``: every one of them changes what the model decides, and segmix has written
them all since schema version 1. A default threshold in particular would give another
operating point without a word (the built-in skin model's is 0.04, not 0.5).

Optional fields, with their defaults (they describe how the model was made, or are
implied by the required ones): ``training`` ({}: provenance, except two keys a skin model's
detector reads: ``core_skin_components``, the skin components that adapt to a photo (the
built-in model's), and ``detector_threshold``, the threshold of the detector's inner steps
when ``threshold`` was moved from it (:func:`segmix.skin.with_threshold`));
``features.position_weight`` (0: colour only; a mixture with position dimensions then
disagrees with the features and is refused); ``features.scaling`` (this version's scaling;
refused when present and different); per mixture ``reg_covar`` (1e-6: added to the
covariances only when a mixture is refitted, e.g. by skin adaptation; the stored
covariances already include the training's), ``n_components`` / ``n_features`` (those of
the arrays; refused when they differ), ``converged`` (true), ``n_iter`` (0) and
``lower_bound`` (null: unknown). Any other key is refused by name: a misspelt
``"treshold"`` must not pass for a model without one.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segmix import __version__
from segmix.bayes import BayesClassifier, colour_means_out_of_range
from segmix.features import SCALINGS, FeatureSpace
from segmix.io import (TEXT_ENCODING, DuplicateKeyError, json_cut_short, missing_words, refuse_duplicate_keys, shown_path,
                       undecodable_words, write_json_atomic)
from segmix.json_numbers import whole_integers

FORMAT_NAME = "segmix-model"
#: The format a file is written in and the newest this segmix reads. Move it on whenever a file
#: gains a key or value an older segmix refuses or reads otherwise: that segmix then says the
#: file is newer (:class:`NewerFormatError`) instead of blaming the key.
SCHEMA_VERSION = 1
MODEL_KINDS = ("segmentation", "skin")
# A real model is a few kilobytes; refusing huge files keeps a hostile file from eating memory.
MAX_MODEL_BYTES = 16 * 1024 * 1024


class ModelFileError(ValueError):
    """A model file that cannot be read or is not a valid segmix model (names the file)."""


@dataclass
class SegmixModel:
    """A trained classifier plus everything needed to apply it to a new photo.

    Attributes
    ----------
    kind : {"segmentation", "skin"}
    classifier : BayesClassifier
    features : FeatureSpace
    positive_class : int
        Index of the class whose posterior is the foreground / skin probability.
    threshold : float
        Decide positive where p(positive | x) > threshold.
    training : dict
        How the model was trained (data summary, seed, segmix version, ...).
    """

    kind: str
    classifier: BayesClassifier
    features: FeatureSpace
    positive_class: int = 0
    threshold: float = 0.5
    training: dict[str, Any] = field(default_factory=dict)

    def posterior_map(self, image):
        """p(positive | pixel) for an (H, W, 3) uint8 image: (H, W) float32."""
        return self.classifier.posterior_map(image, self.features, self.positive_class)


def model_to_dict(model: SegmixModel) -> dict[str, Any]:
    """Serialise to the schema-version-1 layout (adds the writing segmix version)."""
    training = dict(model.training)
    training.setdefault("segmix_version", __version__)
    return {
        "format": FORMAT_NAME,
        "version": SCHEMA_VERSION,
        "kind": model.kind,
        "features": model.features.to_dict(),
        # The feature space is the file's own field: the classifier's copy is left out.
        "classifier": {key: value for key, value in model.classifier.to_dict().items() if key != "features"},
        "positive_class": int(model.positive_class),
        "threshold": float(model.threshold),
        "training": training,
    }


#: The integer fields of a model file, wherever they are (the mixtures', the training record's
#: and its settings'): a whole-number float there (5.0) is read as the integer
#: (:func:`segmix.json_numbers.whole_integers`), a fraction refused as no integer.
INTEGER_KEYS = frozenset({
    "version", "positive_class", "n_components", "n_features", "n_iter", "non_skin_components", "seed",
    "random_state", "n_init", "max_iter", "max_exact_pixels", "warm_refit_iter", "unexplained_components",
    "connectivity", "refine_rounds", "snapcut_window", "snapcut_rounds", "texture_levels", "scribbled_pixels",
    "distinct_rows", "unlabelled_rows", "pairs", "unmatched_images", "skin_pixels", "non_skin_pixels",
    "distinct_colors", "core_skin_components",
})


def model_from_dict(data: Any) -> SegmixModel:
    """Validate and rebuild a model; ValueError says what is wrong.

    Checks the format name, a known schema version, the kind, the feature description,
    every mixture (shapes, finite values, weights summing to one, symmetric positive-definite
    covariances), the priors, agreement of feature dimensions, the positive class and the
    threshold.
    """
    if not isinstance(data, dict):
        raise ValueError("the top level must be a JSON object")
    data = whole_integers(data, INTEGER_KEYS)  # "n_components": 5.0, as JSON writers of doubles write 5
    other = other_segmix_json(data)  # before the keys: another file's are all "unknown"
    if other is not None:
        raise NotAModelError(f"is {other}, not a skin or segmentation model")
    found = newer_format(data.get("version"), SCHEMA_VERSION) if data.get("format") == FORMAT_NAME else None
    if found is not None:  # before the keys: a newer format's own are all "unknown" here
        raise NewerFormatError(found, SCHEMA_VERSION)
    _check_keys(data, TOP_LEVEL_KEYS, "the model")
    if data.get("format") != FORMAT_NAME:
        raise ValueError(f"not a segmix model ({field_words(data, 'format')}; a segmix model's is {FORMAT_NAME!r})")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("'version' must be an integer")
    if version > SCHEMA_VERSION:
        raise ValueError(f"model schema version {version} is newer than this segmix understands ({SCHEMA_VERSION}); upgrade segmix")
    if version < 1:
        raise ValueError(f"unknown model schema version {version}")
    kind = data.get("kind")
    if kind not in MODEL_KINDS:
        raise ValueError(f"'kind' must be one of {', '.join(MODEL_KINDS)}; {field_words(data, 'kind')}")
    missing = [key for key in ("features", "classifier", "positive_class", "threshold") if key not in data]
    if missing:
        raise ValueError("missing " + "; ".join(f"{key!r} ({REQUIRED_WHY[key]})" for key in missing))
    _check_classes(data["classifier"])
    try:
        features = FeatureSpace.from_dict(data["features"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"features: {exc}") from None
    try:
        classifier = BayesClassifier.from_dict(data["classifier"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"classifier: {exc}") from None
    if classifier.n_features != features.n_features:
        raise ValueError(
            f"classifier mixtures have {classifier.n_features} features but the feature description makes {features.n_features}"
        )
    span = colour_means_out_of_range(classifier.mixtures)
    if span is not None:
        # A model edited into 0-255 units was applied in silence: no skin found, exit 0, or a
        # mask of 0 % foreground (a trial of session 38).
        raise ValueError(f"classifier: the mixtures' colour means span {span[0]:.4g} .. {span[1]:.4g}, but "
                         f"{features.color_space} features lie in [0, 1], as {SCALINGS[features.color_space]}: a model in other units "
                         "(edited into 0-255 values?)")
    if classifier.n_classes != 2:
        raise ValueError(f"a {kind} model has exactly 2 classes; this one has {classifier.n_classes}")
    positive = data["positive_class"]
    if not isinstance(positive, int) or isinstance(positive, bool) or not 0 <= positive < classifier.n_classes:
        raise ValueError(f"'positive_class' must be a class index below {classifier.n_classes}; got {json_words(positive)}")
    threshold = data["threshold"]
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0.0 <= threshold <= 1.0:
        raise ValueError(f"'threshold' must be a number in [0, 1]; got {json_words(threshold)}")
    training = data.get("training", {})
    if not isinstance(training, dict):
        raise ValueError("'training' must be a JSON object")
    return SegmixModel(kind, classifier, features, positive, float(threshold), training)


#: segmix's other JSON files with a "format", in words (a trial gave a background model to
#: skin apply and was told of its "unknown key(s) 'frame_count', 'params', ..."; a later one
#: a skin eval report, and was told of 21 unknown keys on one long line).
OTHER_FORMATS = {
    "segmix-background-model": "a background model (written by segmix background --save-model; "
                               "segmix background --model reads it)",
    "segmix skin eval": "a skin eval report (written by segmix skin eval --json)",
}
#: Figures every skin eval report holds (an older segmix's report has no "format"); here, not
#: in segmix.skin_eval, so that reading a model imports no evaluation.
EVAL_REPORT_KEYS = ("threshold", "precision", "recall", "f1", "auc", "best_threshold", "n_images", "per_image")
#: The run records of the --distributed commands (no "format"), by the keys that tell them.
_RUN_RECORDS = (
    (("model_sha256", "overrides"), "the run record of segmix background --distributed (.segmix-background.json)"),
    (("model_sha256", "settings"), "the run record of segmix skin apply --distributed (.segmix-skin-apply.json)"),
)


class NewerFormatError(ValueError):
    """A model file of a format newer than this segmix reads (its ``version``): what that format
    adds is unknown here, so nothing else in the file is judged (a newer file's new key was
    refused as "unknown", without a word that the file was newer; session 58). The message is
    :func:`newer_format_words` of "the model"; a reader that knows the file names it instead."""

    def __init__(self, found: int, reads: int) -> None:
        self.found, self.reads = int(found), int(reads)
        super().__init__(newer_format_words("the model", self.found, self.reads))


def newer_format_words(what: str, found: int, reads: int) -> str:
    """"m.json was written by a newer segmix (format 3); this one reads formats up to 2: update
    segmix", for any of segmix's versioned files (``what``: the file, or "the model")."""
    return f"{what} was written by a newer segmix (format {found}); this one reads formats up to {reads}: update segmix"


def newer_format(version: Any, reads: int) -> int | None:
    """``version`` (a file's format number, a whole-number float too) when it is above ``reads``,
    else None: a format this segmix cannot read because it is newer."""
    if isinstance(version, bool) or not isinstance(version, (int, float)):
        return None
    if isinstance(version, float) and not (math.isfinite(version) and version.is_integer()):
        return None
    return int(version) if version > reads else None


class NotAModelError(ValueError):
    """A JSON file segmix wrote that is no model of this format (a background model, a skin
    eval report, a run record): :func:`read_model` says what it is, in one short line."""


def json_words(value: Any) -> str:
    """A value read from a JSON file as the file spells it (``null``, ``true``, ``"text"``),
    for a refusal: Python's ``None`` in one ("format None") read as segmix's own slip, not as
    what the file holds. Cut to 60 characters."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def field_words(data: dict, key: str) -> str:
    """What a JSON object holds as ``key``, for a refusal: "it has no 'format' field" when the
    key is missing, else "its 'format' is null" (:func:`json_words`)."""
    if key not in data:
        return f"it has no {key!r} field"
    return f"its {key!r} is {json_words(data[key])}"


def other_segmix_json(data: Any, own: str = FORMAT_NAME) -> str | None:
    """What a JSON object segmix wrote is, in words, when it is not a file of the format
    ``own`` (this module's, or ``segmix-background-model`` for the background loader);
    None for any other object (then refused field by field)."""
    if not isinstance(data, dict):
        return None
    fmt = data.get("format")
    if fmt == own:
        return None
    # A hand-edited "format" may be any JSON value: a list or object looked up in the table
    # raised TypeError ("unhashable type: 'list'"), a traceback from background --model.
    if isinstance(fmt, str) and fmt in OTHER_FORMATS:
        return OTHER_FORMATS[fmt]
    if fmt is None and all(key in data for key in EVAL_REPORT_KEYS) and isinstance(data["per_image"], list):
        return OTHER_FORMATS["segmix skin eval"]
    for keys, words in _RUN_RECORDS:
        if fmt is None and all(key in data for key in keys):
            return words
    from segmix.annotation_json import annotation_kind, annotation_words

    # Labelme / COCO JSON given to --model: "unknown key(s) 'flags', 'imageData', ..." named
    # neither the tool nor what to do (a new user's).
    kind = annotation_kind(data) if fmt is None else None
    return None if kind is None else annotation_words(kind)
TOP_LEVEL_KEYS = ("format", "version", "kind", "features", "classifier", "positive_class", "threshold", "training")
CLASS_KEYS = ("name", "prior", "mixture")
MIXTURE_KEYS = ("covariance_type", "weights", "means", "covariances", "reg_covar", "n_components", "n_features",
                "converged", "n_iter", "lower_bound", "feature_names_in")
REQUIRED_WHY = {
    "features": "how pixels become features",
    "classifier": "the classes' priors and mixtures",
    "positive_class": "the index of the skin / foreground class",
    "threshold": "the decision threshold on p(positive | x); there is no safe default",
}


def _check_keys(obj: dict, allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(str(k) for k in obj if k not in allowed)
    if unknown:
        raise ValueError(f"{where} has unknown key(s) {', '.join(map(repr, unknown))} "
                         f"(known: {', '.join(allowed)})")


def _check_classes(classifier: Any) -> None:
    """What BayesClassifier.from_dict leaves to the file format: no unknown keys in a class
    or its mixture, a class name that is text, a lower bound that is a number or null."""
    if not isinstance(classifier, dict):
        return  # BayesClassifier.from_dict names it
    _check_keys(classifier, ("classes",), "'classifier'")
    classes = classifier.get("classes")
    if not isinstance(classes, list):
        return
    for i, entry in enumerate(classes):
        if not isinstance(entry, dict):
            continue
        _check_keys(entry, CLASS_KEYS, f"class {i}")
        if "name" in entry and not isinstance(entry["name"], str):
            raise ValueError(f"class {i} 'name' must be text; got {entry['name']!r}")
        mixture = entry.get("mixture")
        if isinstance(mixture, dict):
            _check_keys(mixture, MIXTURE_KEYS, f"class {i} mixture")
            bound = mixture.get("lower_bound")
            if bound is not None and (not isinstance(bound, (int, float)) or isinstance(bound, bool)):
                raise ValueError(f"class {i} mixture 'lower_bound' must be a number or null; got {json_words(bound)}")


def _reject_constant(name: str):
    raise ValueError(f"non-standard JSON constant {name} (NaN/Infinity are not allowed)")


def read_model(path) -> SegmixModel:
    """Read and validate a model file.

    Raises
    ------
    ModelFileError
        Naming the file and what is wrong: missing, too large, not JSON, not a segmix model,
        or any invalid field.
    TypeError
        A ``path`` that is not a file path (a model already loaded is named as one).
    """
    if not isinstance(path, (str, os.PathLike)):
        # Path()'s "expected str, bytes or os.PathLike object, not SegmixModel" named no parameter.
        already = ": it is loaded already; use it as it is" if isinstance(path, SegmixModel) else ""
        raise TypeError(f"path must be a model file's path (str or os.PathLike), not {type(path).__name__}{already}")
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_MODEL_BYTES:
            raise ModelFileError(f"{path}: model file is {size} bytes, larger than the {MAX_MODEL_BYTES} allowed")
        if size == 0 and path.is_file():
            raise ModelFileError(f"{path}: the model file is empty (0 bytes)")
        if not path.is_file() and not path.is_dir():
            # A pipe given as --model waited for a writer for ever.
            raise ModelFileError(f"{path}: is not a regular file (a device, pipe or socket), not a model file")
        text = path.read_text(encoding=TEXT_ENCODING)  # a BOM (Windows Notepad) is no error
    except ModelFileError:
        raise
    except FileNotFoundError:
        raise ModelFileError(f"{shown_path(path)}: {missing_words(path, 'model file not found')}") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a folder, not a model file") from None
    except UnicodeDecodeError:
        # A photo or mask given as --model (was "'utf-8' codec can't decode byte 0x89 ...").
        raise ModelFileError(f"{path}: {undecodable_words(path, 'a segmix model (a JSON text file)')}") from None
    except OSError as exc:
        # The system's words alone: "([Errno 36] File name too long: 'm.json')" named the file twice.
        raise ModelFileError(f"{path}: cannot read model file ({(exc.strerror or str(exc)).lower()})") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=refuse_duplicate_keys)
    except DuplicateKeyError as exc:
        raise ModelFileError(f"{path}: {exc}") from None
    except ValueError as exc:
        cut = json_cut_short(text, exc)  # a trial got only "Expecting ',' delimiter: line 58 column 27"
        start = text.lstrip("\ufeff \t\r\n")
        # A table of numbers (UCI's Skin_NonSkin.txt given as --model) parses as one number
        # and then "Extra data": "not valid JSON (Extra data: line 1 column 4 (char 3))".
        extra = isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data" and start[:1] not in ("{", "[")
        # A JSON value begins so; words that merely begin with its letters ("not an image",
        # "name,value") are no JSON either (they were "Expecting value: ... (char 0)").
        json_start = start[:1] in tuple('{["-0123456789') or start.startswith(
            ("true", "false", "null", "NaN", "Infinity"))
        if not cut and start and (extra or not json_start):
            # Text that is no JSON at all (skin eval's --per-image table given as --model) was
            # "not valid JSON (Expecting value: line 1 column 1 (char 0))".
            first = start.splitlines()[0]
            shown = first if len(first) <= 40 else first[:39] + "\u2026"
            fields = first.split()
            uci = (" (rows of B G R label, as UCI's Skin_NonSkin.txt: segmix skin train --uci FILE -o model.json "
                   "makes a model of them)") if len(fields) == 4 and all(f.isdigit() for f in fields) else ""
            raise ModelFileError(f"{path}: not valid JSON, so not a segmix model: its text starts with {shown!r}{uci}") \
                from None
        raise ModelFileError(f"{path}: {cut}" if cut else f"{path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise ModelFileError(f"{path}: not a segmix model (JSON nested too deeply)") from None
    # A newer segmix's model refused for what it adds (an unknown key) was refused without a
    # word of its version, where a newer model this one reads is noted (session 54).
    training = data.get("training") if isinstance(data, dict) else None
    newer = newer_refusal_words(training.get("segmix_version")) if isinstance(training, dict) else ""
    try:
        return model_from_dict(data)
    except NotAModelError as exc:  # another file segmix writes: what it is, not what is "invalid"
        raise ModelFileError(f"{path}: {exc}") from None
    except NewerFormatError as exc:
        raise ModelFileError(newer_format_words(str(path), exc.found, exc.reads)) from None
    except ValueError as exc:
        raise ModelFileError(f"{path}: invalid segmix model: {exc}{newer}") from None
    except (TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError) as exc:
        # A field of an unexpected JSON type deep inside: still the stranger's file, not a bug.
        raise ModelFileError(f"{path}: invalid segmix model ({type(exc).__name__}: {exc}){newer}") from None


def _version_numbers(version: Any) -> tuple[int, ...] | None:
    """(0, 2, 0) of "0.2.0.dev3" / "9.0.0"; None for no version."""
    if not isinstance(version, str):
        return None
    found = re.match(r"\s*v?(\d+(?:\.\d+)*)", version)
    return tuple(int(part) for part in found.group(1).split(".")) if found else None


def written_by_newer(version: Any) -> bool:
    """Whether a file's ``segmix_version`` ("9.0", "0.2.0.dev3") is newer than this segmix's
    (by its first three numbers); False for no version."""
    theirs, ours = _version_numbers(version), _version_numbers(__version__)
    return theirs is not None and ours is not None and theirs[:3] + (0,) * (3 - len(theirs[:3])) > \
        ours[:3] + (0,) * (3 - len(ours[:3]))


def newer_refusal_words(version: Any) -> str:
    """"; it was written by segmix 9.0, newer than this one (0.1.0): upgrade segmix to read it",
    to end a refusal of a file a newer segmix wrote (its new keys or values are what this one
    refuses); "" for a file of this or an older version."""
    if not written_by_newer(version):
        return ""
    return (f"; it was written by segmix {version}, newer than this one ({__version__}), whose files may hold what "
            "this one does not know: upgrade segmix to read it")


def newer_model_words(path, training: Any, known_settings: Collection[str] | None = None) -> str | None:
    """A note on a model file a newer segmix wrote, or whose settings this one does not know.

    A model of ``training.segmix_version`` "9.0.0", or with a setting this version lacks
    (``training.settings.brand_new_setting``), was applied in silence (session 53): what the
    newer version adds is not applied, and the mask may differ from the one it gives.

    Parameters
    ----------
    path : str or PathLike
        The model file, named in the words.
    training : dict
        The model's ``training`` record.
    known_settings : collection of str, optional
        The settings this segmix reads from ``training.settings`` (a segmentation model's);
        None: not looked at.

    Returns
    -------
    str or None
        One line; None for a model of this or an older version with no unknown setting.
    """
    if not isinstance(training, dict):
        return None
    written = training.get("segmix_version")
    newer = written_by_newer(written)
    stored = training.get("settings")
    unknown = (sorted(str(key) for key in stored if key not in known_settings)
               if known_settings is not None and isinstance(stored, dict) else [])
    if not newer and not unknown:
        return None
    shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
    ignored = (f"its setting{'s' if len(unknown) > 1 else ''} {shown} (training.settings) "
               f"{'are' if len(unknown) > 1 else 'is'} not known here and ignored, so the mask may differ from the "
               "one that segmix gives") if unknown else ""
    if newer:
        return (f"{path} was written by segmix {written}, newer than this one ({__version__}): "
                + (ignored if unknown else "what it adds is not applied, so the result may differ from the one that "
                   "segmix gives") + "; upgrade segmix to apply it as written")
    return f"{path}: {ignored}"


def write_model(path, model: SegmixModel, protect=()) -> None:
    """Write ``model`` as JSON atomically (temporary file in the same folder, then replace).

    Raises
    ------
    TypeError
        A ``model`` that is not a SegmixModel (the arguments swapped, ``write_model(model,
        path)``, are named so; a SegmentationModel is ``model.to_segmix_model()``).
    """
    if not isinstance(model, SegmixModel):
        # "'str' object has no attribute 'training'" named neither parameter (read_model names
        # a model given as its path since session 34)
        if isinstance(path, SegmixModel) or type(path).__name__ == "SegmentationModel":
            raise TypeError("write_model takes the path first: write_model(path, model)")
        how = (": model.to_segmix_model() is one" if type(model).__name__ == "SegmentationModel" else "")
        raise TypeError(f"model must be a SegmixModel, not {type(model).__name__}{how}")
    data = model_to_dict(model)
    _check_finite(data, "model")
    write_json_atomic(path, data, protect=protect)


def _check_finite(value: Any, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where} is not finite ({value}); refusing to write an invalid model")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_finite(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_finite(item, f"{where}[{i}]")
