"""Class-conditional mixtures + priors -> posteriors and Bayes decisions.

p(c | x) = p(x | c) p(c) / sum_c' p(x | c') p(c'), computed in log space with log-sum-exp.
The lecture's decision rule picks the class with the largest posterior; for two classes an
adjustable threshold on p(positive | x) trades precision for recall.

Images are scored colour by colour: an 8-bit photo of 12 megapixels rarely has more than a
few hundred thousand distinct colours, so each distinct colour is featurised and scored
once and the results are spread back to the pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from segmix.features import FeatureSpace, given_as_array, pil_pixels, unique_colors
from segmix.mixture import GaussianMixture
from segmix.kernels import pixels as pixel_kernels
from segmix.kernels.threads import for_pixels

# Rows featurised and scored at once when pixel positions are features (bounded memory).
POSITION_CHUNK_PIXELS = 1 << 18


def _log_softmax(log_joint: np.ndarray) -> np.ndarray:
    top = log_joint.max(axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    norm = top + np.log(np.exp(log_joint - top).sum(axis=1, keepdims=True))
    return log_joint - norm


def check_image(image: np.ndarray, name: str = "image") -> np.ndarray:
    """Require an (H, W, 3) uint8 RGB array (C-contiguous copy if needed)."""
    if isinstance(image, np.ma.MaskedArray) and np.ma.is_masked(image):
        # np.asarray drops the mask: the masked pixels were scored as any other, without a word.
        raise ValueError(f"{name} is a masked array with masked pixels, which would be used as they are: give "
                         f"{name}.data, and the pixels to leave out as the function's transparent / marks")
    given = image
    image = np.asarray(pil_pixels(image, name))
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        # The hint's array expressions made to work on a nested list (np.asarray first).
        raise ValueError(f"{name} must be an (H, W, 3) uint8 RGB array; got {image.dtype} {image.shape}"
                         f"{given_as_array(_image_hint(image), 'image', given)}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {image.shape})")
    return np.ascontiguousarray(image)


def _image_hint(image: np.ndarray) -> str:
    """How to turn a refused array into the (H, W, 3) uint8 RGB one :func:`check_image` wants,
    for the usual cases: a data scientist's float image in [0, 1], a channels-first tensor, a
    16-bit, greyscale, RGBA or CMYK array (a CMYK PIL image read as "got uint8 (576, 768, 4)"
    looked like RGBA). "" when none applies."""
    load = "segmix.io.load_image(path) reads any photo file as one"
    shape, dtype = image.shape, image.dtype
    if dtype.kind in "US" or (dtype.kind == "O" and image.ndim == 0 and hasattr(image.item(), "__fspath__")):
        return f": a file name? {load}"  # was "got <U9 ()"
    if dtype.kind == "O" and image.ndim == 0 and isinstance(getattr(image.item(), "pixels", None), np.ndarray):
        # segmix.io.load_image_info's LoadedImage was "got object ()", with no word of its pixels.
        return ": a LoadedImage (segmix.io.load_image_info)? give loaded.pixels (its alpha channel, if any: loaded.alpha)"
    if image.ndim == 3 and shape[0] in (3, 4) and shape[2] not in (3, 4):
        return ": channels first? np.moveaxis(image, 0, -1) puts them last"
    if image.ndim == 3 and shape[2] == 4:
        hint = f": 4 channels (RGBA or CMYK): {load}, or image[..., :3] drops an alpha channel"
        if image.dtype == np.uint8 and image.size and (image[..., 3] == 0).any():
            # A cut-out: dropping its alpha scored the colours it hides as any other pixel
            # (skin found where the file is transparent), where skin apply and segment leave
            # them out; the functions take them as transparent.
            hint += ("; a cut-out's fully transparent pixels (alpha 0), which the command line leaves out, go "
                     "to skin.detect and segment.segment as transparent=image[..., 3] == 0")
        return hint
    if image.ndim == 2 and shape[1] in (3, 4) and shape[0] > shape[1]:
        # A table of pixels (scikit-learn's layout, or colours read from a CSV) was called
        # "greyscale" with an np.dstack recipe that made it (N, 3, 3), a trial found.
        return (f": {shape[0]} rows of {shape[1]} values, a table of pixels? pixels.reshape(1, -1, {shape[1]}) "
                "makes it a one-row image; a photo is (H, W, 3)")
    if image.ndim == 2 or (image.ndim == 3 and shape[2] == 1):
        return f": greyscale; np.dstack([image.reshape(image.shape[:2])] * 3) makes it RGB, and {load}"
    if image.ndim == 3 and shape[2] == 3:
        if np.issubdtype(dtype, np.floating):
            finite = np.isfinite(image)
            high = float(image[finite].max()) if finite.any() else 0.0
            hint = (": floats in [0, 1]? (image * 255).round().astype(np.uint8)" if high <= 1.0
                    else ": floats in [0, 255]? image.round().clip(0, 255).astype(np.uint8)")
            # The cast turns NaN into 0 or 255 with only a RuntimeWarning: say so before it.
            return hint + ("; it holds NaN or infinity, which no cast to uint8 keeps: np.nan_to_num first"
                           if not finite.all() else "")
        # By kind and size, not dtype == np.uint16: a big-endian '>u2' array (FITS, some TIFF
        # readers) was told "image.astype(np.uint8)", which wraps 16-bit values modulo 256.
        if dtype.kind == "u" and dtype.itemsize == 2:
            return f": 16-bit; {load} (8-bit), or {sixteen_bit_cast(image, 'image')}"
        if dtype == bool:
            return ": a bool mask, not a photo; image.astype(np.uint8) * 255 makes it black and white"
        if np.issubdtype(dtype, np.integer):
            return ": image.astype(np.uint8) if its values are 0-255"
    return ""


def sixteen_bit_cast(array: np.ndarray, name: str) -> str:
    """The cast to 8 bits that keeps a 16-bit array's levels, by its values: the high byte
    of full-range data, but 12-bit sensor data (all under 4096) kept 4 of its 12 bits that
    way and came out almost black, and 8-bit values stored in 16 bits came out all black."""
    top = int(array.max()) if array.size else 0
    if top <= 255:
        return f"{name}.astype(np.uint8) (its values are all 0..255)"
    # 10- and 14-bit data too: ">> 4" left 10-bit data at levels 0..63 and made 14-bit data
    # wrap modulo 256 in the uint8 cast.
    for bits in (10, 12, 14):
        if top < 2 ** bits:
            return (f"({name} >> {bits - 8}).astype(np.uint8) (its values are all under {2 ** bits}: "
                    f"{bits}-bit data?)")
    return f"({name} >> 8).astype(np.uint8)"


class BayesClassifier:
    """Bayes classifier over class-conditional Gaussian mixtures.

    Parameters
    ----------
    mixtures : sequence of fitted GaussianMixture, one per class (C >= 2)
    priors : (C,) array-like, optional
        Class priors p(c); default uniform. Normalised to sum to one.
    class_names : sequence of str, optional
    features : segmix.features.FeatureSpace, optional
        The features the mixtures were fitted on. Recorded, it is what :meth:`posterior_map`,
        :meth:`image_log_likelihoods` and :meth:`log_likelihood_ratio_map` use when given none,
        and another given to them is refused: mixtures fitted in Lab scored in RGB fell from
        IoU 0.553 to 0.119 on a DAVIS photo without a word (every space's features span about
        [0, 1], so nothing else tells them apart). Without it, those methods need ``features``.

    Raises
    ------
    TypeError
        ``features`` that is not a FeatureSpace.
    ValueError
        Fewer than 2 mixtures, one not fitted (named by its index), mixtures of different
        numbers of features, priors that are not C positive finite numbers, or class names of
        another count.
    """

    def __init__(self, mixtures: Sequence[GaussianMixture], priors=None, class_names=None,
                 features: FeatureSpace | None = None):
        mixtures = list(mixtures)
        if len(mixtures) < 2:
            raise ValueError(f"a Bayes classifier needs at least 2 classes; got {len(mixtures)}")
        for index, mixture in enumerate(mixtures):
            # An unfitted one failed as "'GaussianMixture' object has no attribute 'means_'".
            if not hasattr(mixture, "means_") or not callable(getattr(mixture, "score_samples", None)):
                what = "is not fitted: call fit first" if hasattr(mixture, "score_samples") else \
                    f"is a {type(mixture).__name__}, not a fitted GaussianMixture"
                raise ValueError(f"mixtures[{index}] {what}")
        dims = {m.means_.shape[1] for m in mixtures}
        if len(dims) != 1:
            raise ValueError(f"class mixtures disagree on the number of features: {sorted(dims)}")
        n_classes = len(mixtures)
        priors = np.full(n_classes, 1.0 / n_classes) if priors is None else np.asarray(priors, dtype=np.float64)
        if priors.shape != (n_classes,) or not np.isfinite(priors).all() or (priors <= 0).any():
            # the numbers as a JSON file spells them (was "got array([0., 1.])")
            raise ValueError(f"priors must be {n_classes} positive finite numbers; got {np.ravel(priors).tolist()}")
        names = [f"class {i}" for i in range(n_classes)] if class_names is None else [str(n) for n in class_names]
        if len(names) != n_classes:
            raise ValueError(f"class_names must have {n_classes} entries; got {len(names)}")
        self.mixtures = mixtures
        self.priors = priors / priors.sum()
        self.class_names = names
        self.features = None
        if features is not None:
            self._check_features(features)
            self.features = features

    @property
    def n_classes(self) -> int:
        return len(self.mixtures)

    @property
    def n_features(self) -> int:
        return int(self.mixtures[0].means_.shape[1])

    # ---------------------------------------------------------------- vectors
    def class_log_likelihood(self, X) -> np.ndarray:
        """log p(x_n | c): (N, D) -> (N, C) float64."""
        return np.stack([m.score_samples(X) for m in self.mixtures], axis=1)

    def log_joint(self, X) -> np.ndarray:
        """log p(x_n | c) + log p(c): (N, D) -> (N, C) float64."""
        return self.class_log_likelihood(X) + np.log(self.priors)

    def log_posterior(self, X) -> np.ndarray:
        """log p(c | x_n): (N, D) -> (N, C) float64, via log-sum-exp."""
        return _log_softmax(self.log_joint(X))

    def predict_proba(self, X) -> np.ndarray:
        """p(c | x_n): (N, D) -> (N, C) float64, rows summing to one."""
        return np.exp(self.log_posterior(X))

    def predict(self, X) -> np.ndarray:
        """The lecture's rule: the class of largest posterior, (N,) int64."""
        return self.log_joint(X).argmax(axis=1)

    def log_likelihood_ratio(self, X, positive: int = 0) -> np.ndarray:
        """log p(x | positive) - log p(x | other) for a two-class model: (N,) float64."""
        self._check_two_class(positive)
        ll = self.class_log_likelihood(X)
        return ll[:, positive] - ll[:, 1 - positive]

    def decide(self, X, threshold: float = 0.5, positive: int = 0) -> np.ndarray:
        """p(positive | x_n) > threshold: (N,) bool. threshold 0.5 is the Bayes rule."""
        _check_threshold(threshold)
        return self.predict_proba(X)[:, self._check_class(positive)] > threshold

    # ----------------------------------------------------------------- images
    def _score_colors(self, colors: np.ndarray, features: FeatureSpace) -> np.ndarray:
        return self.class_log_likelihood(features.colors_to_features(colors))

    def image_log_likelihoods(self, image, features: FeatureSpace | None = None) -> np.ndarray:
        """log p(x | c) for every pixel: (H, W, 3) uint8 -> (C, H, W) float32.

        Parameters
        ----------
        image : (H, W, 3) uint8
        features : FeatureSpace, optional
            How the classifier's features are made from pixels; default the classifier's
            ``features`` (another is refused, as by :meth:`posterior_map`).
        """
        image = check_image(image)
        features = self._check_features(features)
        h, w = image.shape[:2]
        out = np.empty((self.n_classes, h * w), dtype=np.float32)
        if features.uses_texture:  # distinct (colour, texture level) pairs
            inverse, rows = features.distinct_rows(image)
            per_row = self.class_log_likelihood(rows)
            gather = for_pixels(pixel_kernels.gather_rows, h * w)
            for c in range(self.n_classes):
                gather(np.ascontiguousarray(per_row[:, c], dtype=np.float32), inverse, out[c])
            return out.reshape(self.n_classes, h, w)
        colors, inverse = unique_colors(image)
        if not features.uses_position:
            per_color = self._score_colors(colors, features)
            gather = for_pixels(pixel_kernels.gather_rows, h * w)
            for c in range(self.n_classes):
                gather(np.ascontiguousarray(per_color[:, c], dtype=np.float32), inverse, out[c])
            return out.reshape(self.n_classes, h, w)
        color_features = features.colors_to_features(colors)
        positions = features.position_features((h, w))
        for start in range(0, h * w, POSITION_CHUNK_PIXELS):
            stop = min(h * w, start + POSITION_CHUNK_PIXELS)
            X = np.concatenate([color_features[inverse[start:stop]], positions[start:stop]], axis=1)
            out[:, start:stop] = self.class_log_likelihood(X).T
        return out.reshape(self.n_classes, h, w)

    def posterior_map(self, image, features: FeatureSpace | None = None, positive: int = 0) -> np.ndarray:
        """p(positive | x) for every pixel: (H, W, 3) uint8 -> (H, W) float32.

        Parameters
        ----------
        image : (H, W, 3) uint8 array
        features : segmix.features.FeatureSpace, optional
            The features the class mixtures were fitted on (its number of features theirs);
            default the classifier's ``features``, and refused when it differs from them.
        positive : int, default 0
            The class whose posterior is returned.

        Raises
        ------
        TypeError
            ``features`` that is not a FeatureSpace (a colour-space name is told how to make one),
            or none given to a classifier that recorded none.
        ValueError
            An image that is not (H, W, 3) uint8, a feature space of another number of
            features, class mixtures whose colour means lie well outside the feature space's
            [0, 1] (fitted on 0-255 pixel values: ``features.colors_to_features(pixels)`` makes
            what they are to be fitted on), or a class index out of range.
        """
        positive = self._check_class(positive)
        image = check_image(image)
        features = self._check_features(features)
        if features.uses_position or features.uses_texture:
            return posterior_from_log_likelihoods(self.image_log_likelihoods(image, features), self.priors, positive)
        h, w = image.shape[:2]
        colors, inverse = unique_colors(image)
        log_joint = self._score_colors(colors, features) + np.log(self.priors)
        per_color = np.exp(_log_softmax(log_joint)[:, positive]).astype(np.float32)
        out = np.empty(h * w, dtype=np.float32)
        for_pixels(pixel_kernels.gather_rows, inverse.shape[0])(per_color, inverse, out)
        return out.reshape(h, w)

    def log_likelihood_ratio_map(self, image, features: FeatureSpace | None = None, positive: int = 0) -> np.ndarray:
        """log p(x | positive) - log p(x | other) per pixel: (H, W, 3) uint8 -> (H, W) float32."""
        self._check_two_class(positive)
        ll = self.image_log_likelihoods(image, features)
        return ll[positive] - ll[1 - positive]

    # ---------------------------------------------------------------- helpers
    def _check_class(self, index: int) -> int:
        # int() took 1.7 as class 1 and True as class 1 without a word
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise ValueError(f"positive must be a class index 0..{self.n_classes - 1}; got {index!r}")
        if not 0 <= int(index) < self.n_classes:
            raise ValueError(f"class index {index} out of range for {self.n_classes} classes")
        return int(index)

    def _check_two_class(self, positive: int) -> None:
        if self.n_classes != 2:
            raise ValueError("a log-likelihood ratio needs exactly two classes")
        self._check_class(positive)

    def _check_features(self, features: FeatureSpace | None) -> FeatureSpace:
        """``features``, or the recorded ones for None, checked against the mixtures and the
        recorded ones (a TypeError or ValueError names what differs)."""
        recorded = getattr(self, "features", None)  # None in a classifier pickled before session 50
        if features is None:
            if recorded is None:
                raise TypeError("features must be given (a segmix.features.FeatureSpace, those the mixtures were "
                                "fitted on), or recorded with BayesClassifier(..., features=...)")
            features = recorded
        if recorded is not None and isinstance(features, FeatureSpace) and features != recorded:
            raise ValueError(f"the class mixtures were fitted on {_space_words(recorded)}, not "
                             f"{_space_words(features)}: scored in other features, their posteriors mean nothing "
                             "(give the classifier's features, or none)")
        if not isinstance(features, FeatureSpace):
            # a colour-space name failed as "'str' object has no attribute 'n_features'"
            shown = f"FeatureSpace({features!r})" if isinstance(features, str) else "FeatureSpace('rgb')"
            raise TypeError(f"features must be a segmix.features.FeatureSpace, not {type(features).__name__}: "
                            f"{shown} makes one")
        if features.n_features != self.n_features:
            raise ValueError(
                f"feature space makes {features.n_features} features but the classifier expects {self.n_features}"
            )
        # Every colour space's features span about [0, 1] (segmix.features); mixtures fitted
        # on a photo's 0-255 values (image.reshape(-1, 3)) scored every pixel's features as
        # far off all of them, and the map came out all 0 without a word. Fitted means lie
        # within the data, so means well outside [0, 1] are of other units.
        span = colour_means_out_of_range(self.mixtures)
        if span is not None:
            low, high = span
            raise ValueError(
                f"the class mixtures' colour means span {low:.4g} .. {high:.4g}, but "
                f"FeatureSpace({features.color_space!r}) makes colour features in [0, 1]: fit them on "
                "features.colors_to_features(pixels) of (N, 3) uint8 pixels, not on 0-255 or other values"
            )
        return features

    # ---------------------------------------------------------- serialisation
    def to_dict(self) -> dict:
        """JSON-able: one entry per class with its name, prior and mixture, and the feature
        space the mixtures were fitted on when it was recorded (``features``): a classifier
        read back without it scored any space given to it in silence (Lab mixtures scored in
        RGB, IoU 0.54 -> 0.12 on a DAVIS photo; a library trial).

        Raises
        ------
        TypeError
            A class mixture that cannot be written (scikit-learn's GaussianMixture scores here,
            but has no ``to_dict``: it failed as an AttributeError).
        """
        for index, mixture in enumerate(self.mixtures):
            if not callable(getattr(mixture, "to_dict", None)):
                kind = f"{type(mixture).__module__}.{type(mixture).__qualname__}"
                raise TypeError(f"mixtures[{index}] is a {kind}, which is not written: fit a "
                                "segmix.mixture.GaussianMixture (the same parameters) to save the classifier")
        out = {
            "classes": [
                {"name": name, "prior": float(prior), "mixture": mixture.to_dict()}
                for name, prior, mixture in zip(self.class_names, self.priors, self.mixtures)
            ]
        }
        if self.features is not None:
            out["features"] = self.features.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "BayesClassifier":
        """Rebuild from :meth:`to_dict` output, its feature space too when it holds one;
        ValueError names what is wrong."""
        if not isinstance(data, dict) or not isinstance(data.get("classes"), list):
            raise ValueError("classifier must be an object with a 'classes' list")
        mixtures, priors, names = [], [], []
        for i, entry in enumerate(data["classes"]):
            if not isinstance(entry, dict):
                raise ValueError(f"class {i} must be an object with 'name', 'prior' and 'mixture'; "
                                 f"got {type(entry).__name__}")
            missing = [key for key in ("name", "prior", "mixture") if key not in entry]
            if missing:
                label = f"class {i} ({entry['name']!r})" if isinstance(entry.get("name"), str) else f"class {i}"
                raise ValueError(f"{label} is missing {_quoted_list(missing)} "
                                 "(every class needs 'name', 'prior' and 'mixture')")
            try:
                mixtures.append(GaussianMixture.from_dict(entry["mixture"]))
            except ValueError as exc:
                raise ValueError(f"class {i} ({entry['name']!r}): {exc}") from None
            prior = entry["prior"]
            if not isinstance(prior, (int, float)) or isinstance(prior, bool):
                raise ValueError(f"class {i} prior must be a number")
            priors.append(float(prior))
            names.append(str(entry["name"]))
        if len(priors) >= 2 and abs(sum(priors) - 1.0) > 1e-6:
            raise ValueError(f"class priors must sum to 1; they sum to {sum(priors):.6g}")
        features = None
        if data.get("features") is not None:
            try:
                features = FeatureSpace.from_dict(data["features"])
            except (TypeError, ValueError) as exc:
                raise ValueError(f"features: {exc}") from None
        return cls(mixtures, priors, names, features=features)


#: How far outside [0, 1] a class mixture's colour mean may lie before it is taken for a
#: mixture fitted on other units than the feature space's (fitted means lie within the data).
_COLOUR_MARGIN = 0.5


def colour_means_out_of_range(mixtures) -> tuple[float, float] | None:
    """The span (lowest, highest) of the mixtures' colour means (their first three features)
    when it reaches :data:`_COLOUR_MARGIN` outside [0, 1], the range of every colour space's
    features (:mod:`segmix.features`): mixtures of other units (fitted on 0-255 values, or a
    model file edited into them); None when it lies within."""
    colour = np.concatenate([np.asarray(m.means_, dtype=np.float64)[:, :3] for m in mixtures])
    low, high = float(colour.min()), float(colour.max())
    return (low, high) if low < -_COLOUR_MARGIN or high > 1.0 + _COLOUR_MARGIN else None


def _quoted_list(keys: list[str]) -> str:
    """'a', 'a' and 'b', 'a', 'b' and 'c'."""
    quoted = [repr(k) for k in keys]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def posterior_from_log_likelihoods(log_likelihoods: np.ndarray, priors, positive: int = 0) -> np.ndarray:
    """p(positive | x) from per-class log-likelihood maps.

    Parameters
    ----------
    log_likelihoods : (C, H, W) float array, log p(x | c)
    priors : (C,) array
    positive : int

    Returns
    -------
    (H, W) float32
    """
    log_joint = log_likelihoods.astype(np.float64) + np.log(np.asarray(priors, dtype=np.float64))[:, None, None]
    top = log_joint.max(axis=0)
    top = np.where(np.isfinite(top), top, 0.0)
    norm = top + np.log(np.exp(log_joint - top).sum(axis=0))
    return np.exp(log_joint[positive] - norm).astype(np.float32)


def _check_threshold(threshold: float) -> None:
    if not 0.0 <= float(threshold) <= 1.0:
        raise ValueError(f"threshold must lie in [0, 1]; got {threshold!r}")


def threshold_map(posterior: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Bayes decision with an adjustable threshold: (H, W) float -> (H, W) bool.

    Raises
    ------
    ValueError
        ``threshold`` outside [0, 1], or ``posterior`` not floating-point probabilities in
        [0, 1] (NaN included): a 16-bit probability PNG (0..65535) or an 8-bit map was
        decided True nearly everywhere, without a word (a library trial).
    """
    _check_threshold(threshold)
    posterior = np.asarray(posterior)
    if not np.issubdtype(posterior.dtype, np.floating):
        raise ValueError(f"posterior must be floating-point probabilities in [0, 1]; got {posterior.dtype} "
                         "(a 16-bit probability PNG: divide it by 65535; an 8-bit one: by 255)")
    if posterior.size:
        low, high = float(posterior.min()), float(posterior.max())
        if not (0.0 <= low and high <= 1.0):  # NaN fails both
            raise ValueError(f"posterior must be probabilities in [0, 1]; got values from {low:g} to {high:g}")
    return posterior > threshold


def _space_words(features: FeatureSpace) -> str:
    """"FeatureSpace('lab')", with the weights that differ from the defaults."""
    extra = "".join(f", {name}={getattr(features, name):g}" for name in ("position_weight", "texture_weight")
                    if getattr(features, name))
    return f"FeatureSpace({features.color_space!r}{extra})"
