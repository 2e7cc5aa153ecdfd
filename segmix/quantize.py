"""Colour quantisation by k-means (the lecture's image-compression application).

Every pixel is replaced by the nearest of the k-means centres, rounded to 8 bits (the mean of
its colour cluster, unless rounding put another centre nearer). k-means runs on the distinct
colours weighted by their pixel counts, which is the same objective as on all pixels but
touches each colour once.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from segmix.arguments import other_names
from segmix.bayes import check_image
from segmix.cancel_points import stoppable
from segmix.features import given_as_array, unique_colors
from segmix.io import (DEFAULT_MAX_PIXELS, GIF_ALPHA_CUT, MAX_PALETTE_COLORS, check_image_suffix, check_output_path,
                       fitting_icc_profile, icc_profile_name, is_grey_photo, is_srgb_profile, load_image_info,
                       save_image)
from segmix.mixture import KMeans
from segmix.mixture._validation import check_random_state

#: ``segmix quantize``'s JPEG quality without --quality (and the window's Export Quantised
#: Photo's): Pillow's default. It used to be 95, which wrote a quantised photo larger than its
#: JPEG input (a new-user trial).
JPEG_QUALITY = 75


@dataclass
class QuantizeResult:
    """What :func:`quantize_image` produced.

    Attributes
    ----------
    image : (H, W, 3) uint8 ndarray
        The quantised photo.
    palette : (M, 3) uint8 ndarray
        The distinct colours of ``image``, sorted; ``M <= n_colors_requested``.
    mse : float
        Mean squared error per channel against the input (0..255 scale).
    n_colors_requested : int
        The ``n_colors`` asked for.
    n_colors_in_image : int
        Distinct colours of the input photo (of its visible pixels when ``alpha`` was given).
    alpha_dropped : bool
        :func:`quantize_file` only: the photo had transparency that the output format
        (JPEG, BMP) cannot hold.
    alpha_on_off : bool
        :func:`quantize_file` only: the photo had partial transparency (alpha other than 0
        and 255) and the output is a GIF, whose pixels are transparent or opaque: alpha of
        :data:`segmix.io.GIF_ALPHA_CUT` (128) or more was written opaque, the rest transparent.
    saved_mse : float or None
        :func:`quantize_file` with a lossy output (JPEG, WebP with a quality) only: the mean
        squared error per channel of the file as written, decoded again, against the input
        (over the same pixels as ``mse``); None when the file holds ``image`` exactly.
    saved_colors : int or None
        With ``saved_mse``: the distinct colours of the file as written (compression adds
        colours to the palette's).
    indexed : bool
        :func:`quantize_file` only: the file was written as a palette ("P") image whose
        entries are the palette's colours (PNG, BMP, GIF with at most 256 colours; a TIFF is
        RGB(A), since tifffile reads a palette TIFF as its indices).
    input_mode, mode : str
        :func:`quantize_file` only: the Pillow mode of the photo as stored, and the one
        written (a greyscale photo is written greyscale, ``"L"``, where the format holds it).
    input_bits : int
        :func:`quantize_file` only: bits per sample of the photo as stored (16 for a 16-bit
        PNG or TIFF, which is read, quantised and written at 8 bits).
    profile_dropped : str or None
        :func:`quantize_file` only: the name of the photo's embedded colour profile when the
        output format cannot hold one (GIF and BMP, as Pillow writes them) and it is not sRGB,
        as which a viewer then shows the colours; None otherwise.
    input_frames : int
        :func:`quantize_file` only: how many frames (pages) the photo's file holds; the first
        alone is quantised and written, so the file is never the photo "unchanged" when > 1.
    """

    image: np.ndarray
    palette: np.ndarray
    mse: float
    n_colors_requested: int = 0
    n_colors_in_image: int = 0
    alpha_dropped: bool = False
    alpha_on_off: bool = False
    saved_mse: float | None = None
    saved_colors: int | None = None
    indexed: bool = False
    input_mode: str = ""
    mode: str = ""
    input_bits: int = 8
    profile_dropped: str | None = None
    input_frames: int = 1

    @property
    def unchanged(self) -> bool:
        """:func:`quantize_file`: the file holds the photo's own pixels in the photo's own mode
        (it had no more colours than asked for, and 8-bit samples), and a lossy output's
        compression changed none of them (a JPEG of 3 colours was "written unchanged" beside
        the warning that it held 549), and the photo was one frame (an animated GIF of one
        colour was "written unchanged" though its first frame alone was written)."""
        return (self.n_colors_in_image <= self.n_colors_requested and self.mode == self.input_mode
                and not self.saved_mse and self.input_frames == 1)

    @property
    def n_colors(self) -> int:
        """Colours actually used: the palette's real size."""
        return int(self.palette.shape[0])


#: Names other libraries and the command line give quantize_image's parameters: ``k`` (segmix
#: quantize -k, the lecture's k-means), ``n_clusters`` (scikit-learn's KMeans), ``colors``
#: (Pillow's Image.quantize), ``seed``.
OTHER_NAMES = {"k": "n_colors", "n_clusters": "n_colors", "colors": "n_colors", "colours": "n_colors",
               "n_colours": "n_colors", "num_colors": "n_colors", "seed": "random_state"}


@other_names(OTHER_NAMES)
def quantize_image(image: np.ndarray, n_colors: int = 8, random_state=0, n_init: int = 4,
                   alpha: np.ndarray | None = None, on_kmeans=None, check=None) -> QuantizeResult:
    """Quantise an (H, W, 3) uint8 image to at most ``n_colors`` colours.

    If the image has no more distinct colours than ``n_colors`` it is returned unchanged
    and the palette holds its own colours (``result.n_colors`` tells how many). Two k-means
    centres that round to the same 8-bit colour count once.

    Parameters
    ----------
    image : (H, W, 3) uint8 ndarray
        RGB pixels (``segmix.io.load_image(path)``; floats, 16-bit, greyscale or RGBA arrays
        are refused saying how to convert them).
    n_colors : int from 1 to 65536, default 8
    random_state : None, int >= 0 or numpy.random.Generator / RandomState, default 0
        The k-means seeding's: equal seeds give equal results.
    n_init : int >= 1 or "auto", default 4
        k-means runs (:class:`segmix.mixture.KMeans`' ``n_init``); the lowest error is kept.
    alpha : (H, W) uint8 ndarray (or bool), optional
        The image's transparency (``LoadedImage.alpha``). Fully transparent pixels (0) are
        invisible: their stored colours do not take part in k-means, the error or the colour
        counts (a logo on transparent black spent a palette entry on the black, and the
        red of the logo came out near black); they are mapped to the nearest palette colour
        (with no more visible colours than ``n_colors``, the nearest visible one), so that
        ``image`` holds only the palette's colours, also where a format drops the alpha.
    on_kmeans : callable(n_distinct), optional
        Called with the number of distinct (visible) colours just before k-means starts (not
        when they are ``n_colors`` or fewer): the command line says there that a large run
        takes a while. When it returns a callable, that is called (without arguments) as soon
        as k-means is done, before the pixels are mapped and written: the command line's
        "still at work" timer stops there, not after a long write.
    check : callable(), optional
        Called between k-means' steps (:func:`segmix.cancel_points.checkpoint`); an
        exception it raises stops the work and is passed on. The window's Quantise mode stops a
        k-means a newer request has made stale so. The result is the same with or without it.

    Returns
    -------
    QuantizeResult
        ``image`` (H, W, 3) uint8 of the palette's colours, ``palette`` (M, 3) uint8, ``mse``.

    Raises
    ------
    ValueError
        ``n_colors`` not an integer from 1 to 65536 (named), a bad ``random_state`` or
        ``n_init``, or a bad image or alpha array.
    """
    image = check_image(image)
    if isinstance(n_colors, bool) or not isinstance(n_colors, (int, np.integer)) or not 1 <= n_colors <= 65536:
        raise ValueError(f"n_colors (the number of colours) must be an integer from 1 to 65536; got {n_colors!r}")
    # Checked here, not by k-means alone: a photo of few colours, returned before k-means,
    # took random_state="a" and n_init=0 without a word, and the script failed on the next photo.
    KMeans(int(n_colors), n_init=n_init)._checked_n_init()
    check_random_state(random_state)
    colors, inverse, counts = unique_colors(image, return_counts=True)
    visible = None
    if alpha is not None:
        alpha = _checked_alpha(alpha, image.shape[:2])
        shown = alpha.reshape(-1) > 0
        if shown.any() and not shown.all():
            visible = shown
            counts = np.bincount(np.asarray(inverse).reshape(-1)[shown], minlength=colors.shape[0])
    used = counts > 0
    n_distinct = int(used.sum())
    if n_distinct <= n_colors:
        out = image.copy()
        if not used.all():
            # Fully transparent pixels take the nearest visible colour, as they take the nearest
            # centre below: they kept every stored colour, so a BMP or JPEG (no alpha) of a
            # logo of 4 colours showed 2,400 under "wrote q.bmp (4 colours, ...)".
            mapped = colors.copy()
            mapped[~used] = colors[used][_nearest_of(colors[~used], colors[used])]
            out = mapped[np.asarray(inverse).reshape(-1)].reshape(image.shape)
        return QuantizeResult(out, _sorted_rows(colors[used]), 0.0, int(n_colors), n_distinct)
    done = on_kmeans(n_distinct) if on_kmeans is not None else None
    try:
        with contextlib.nullcontext() if check is None else stoppable(check):
            km = _fit_kmeans(colors[used].astype(np.float64), counts[used].astype(np.float64), int(n_colors), n_init,
                             random_state)
    finally:
        if callable(done):
            done()
    centres = np.clip(np.rint(km.cluster_centers_), 0, 255).astype(np.uint8)
    # Every colour takes the nearest of the colours written, the rounded centres: its
    # k-means label names the nearest unrounded centre, and rounding reorders the distances
    # of colours far from both (a trial: DAVIS frame 000 at k = 8, 0.25 % of its pixels
    # written up to 140 squared levels farther than the nearest palette colour; 2.4 % at 256).
    km.cluster_centers_ = centres.astype(np.float64)
    labels = km.predict(colors.astype(np.float64))
    shown_labels = np.unique(labels[used])
    if not used.all() and shown_labels.size < centres.shape[0]:
        # A transparent colour nearest a centre no visible colour took (two centres rounded
        # apart, one left with none) takes the nearest used one: the palette counts only those.
        labels[~used] = shown_labels[_nearest_of(colors[~used], centres[shown_labels])]
    out = centres[labels][inverse].reshape(image.shape)
    palette = _sorted_rows(centres[shown_labels])
    mse = _mse(out, image, visible)
    return QuantizeResult(out, palette, mse, int(n_colors), n_distinct)


#: Pixels drawn for k-means when a photo has more distinct colours than this (and than
#: :data:`SAMPLE_PER_COLOUR` times k): k-means' restarts run on the sample, a few Lloyd steps
#: on every colour then (:func:`_fit_kmeans`). A 1000 x 1000 noise photo (970,693 colours)
#: took 69 CPU-s at k = 64, astronaut.png (113,382) 3.3 s; sampled, 7.2 s and 1.3 s, their
#: errors 339.96 and 27.98 against the full k-means' 338.59 and 28.07 (+0.4 %, -0.3 %;
#: astronaut at k = 256 14.1 s against 5.3 s, +0.3 %): benchmarks/bench_quantize_sample.py.
KMEANS_SAMPLE = 100_000
#: The sample holds at least this many pixels per colour asked for.
SAMPLE_PER_COLOUR = 16
#: Lloyd steps on every colour after the sample's k-means.
FULL_STEPS = 10


def kmeans_colours(n_distinct: int, n_colors: int) -> int:
    """How many colours k-means' restarts run on for a photo of ``n_distinct`` distinct colours
    into ``n_colors`` (:func:`_fit_kmeans`): ``n_distinct`` itself, or the pixels drawn."""
    draws = max(KMEANS_SAMPLE, SAMPLE_PER_COLOUR * n_colors)
    return n_distinct if n_distinct <= draws else draws


#: CPU seconds per colour and centre of k-means' restarts, and per colour and centre of the
#: Lloyd steps on every colour (:func:`_fit_kmeans`), measured on noise, which converges
#: slowest (1000 x 1000 noise: its 94,849 colours drawn took 5.8 s at k = 64, 26.3 s at 256;
#: the 10 steps on its 970,693 colours 1.4 s and 5.7 s): photos take less (astronaut.png at
#: k = 64 1.6 s, estimated 7 s), so :func:`kmeans_seconds` is an upper estimate.
SECONDS_PER_RESTART_WORK = 1.1e-6
SECONDS_PER_STEP_WORK = 2.4e-8 / 10


def kmeans_time_words(seconds: float) -> str:
    """:func:`kmeans_seconds` in the words of the notes ("2 minutes", "40 s"; never "0 s", which a
    small photo under a lowered threshold was told)."""
    return f"{seconds / 60:.0f} minutes" if seconds >= 90 else f"{max(1, round(seconds))} s"


def kmeans_seconds(n_distinct: int, n_colors: int) -> float:
    """An upper estimate of the CPU seconds of :func:`_fit_kmeans` for a photo of
    ``n_distinct`` colours into ``n_colors`` on a 2-core machine (see the constants above)."""
    restarts = kmeans_colours(n_distinct, n_colors)
    steps = FULL_STEPS * n_distinct if restarts < n_distinct else 0
    return n_colors * (SECONDS_PER_RESTART_WORK * restarts + SECONDS_PER_STEP_WORK * steps)


def _fit_kmeans(colors: np.ndarray, counts: np.ndarray, n_colors: int, n_init, random_state) -> KMeans:
    """k-means of the (N, 3) ``colors`` weighted by their pixel ``counts``.

    With more colours than :func:`kmeans_colours` gives, the restarts run on pixels drawn at
    random (a multinomial sample of the counts: each colour weighted by the times it was
    drawn, an unbiased picture of the photo's pixels), and :data:`FULL_STEPS` Lloyd steps
    on every colour follow from their best centres: a noise photo's million colours took a
    minute and more (20 minutes at 2000 x 2000), at an error 0.4 % lower. The pixels are then
    mapped to the nearest centre exactly, as without the sample.
    """
    if kmeans_colours(colors.shape[0], n_colors) < colors.shape[0]:
        rng = check_random_state(random_state)
        drawn = rng.multinomial(kmeans_colours(colors.shape[0], n_colors), counts / counts.sum())
        kept = drawn > 0
        if int(kept.sum()) > n_colors:
            sample = KMeans(n_colors, n_init=n_init, random_state=rng).fit(colors[kept],
                                                                            sample_weight=drawn[kept].astype(np.float64))
            return KMeans(n_colors, init=sample.cluster_centers_, n_init=1, max_iter=FULL_STEPS,
                          random_state=rng).fit(colors, sample_weight=counts)
    return KMeans(n_colors, n_init=n_init, random_state=random_state).fit(colors, sample_weight=counts)


def _nearest_of(colors: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """For each of the (N, 3) ``colors``, the index of the nearest (Euclidean RGB) of the
    (M, 3) ``candidates``: KMeans' nearest-centre kernel, a block of rows at a time."""
    finder = KMeans(int(candidates.shape[0]))
    finder.cluster_centers_ = np.ascontiguousarray(candidates, dtype=np.float64)
    return finder.predict(np.asarray(colors, dtype=np.float64))


def _checked_alpha(alpha, shape: tuple[int, int]) -> np.ndarray:
    """``alpha`` as :func:`quantize_image` takes it: (H, W) bool or integers 0..255. A float
    or 16-bit alpha, NaN or negative values were taken as they came, each pixel visible when
    above 0 (NaN and -1 hidden), without a word."""
    given, alpha = alpha, np.asarray(alpha)
    if alpha.shape != shape:
        raise ValueError(f"alpha must have the image's shape {shape}, got {alpha.shape}")
    if alpha.dtype == bool:
        return alpha.astype(np.uint8) * 255
    if not np.issubdtype(alpha.dtype, np.integer):
        how = (": (alpha * 255).round().astype(np.uint8) for values in [0, 1]"
               if np.issubdtype(alpha.dtype, np.floating) else "")
        raise ValueError(f"alpha must be (H, W) uint8 0..255 (LoadedImage.alpha) or bool; got {alpha.dtype}"
                         f"{given_as_array(how, 'alpha', given)}")
    if alpha.size and (int(alpha.min()) < 0 or int(alpha.max()) > 255):
        how = ": 16-bit? (alpha >> 8).astype(np.uint8)" if int(alpha.max()) <= 65535 and int(alpha.min()) >= 0 else ""
        raise ValueError(f"alpha must hold 0..255; got values from {int(alpha.min())} to {int(alpha.max())}"
                         f"{given_as_array(how, 'alpha', given)}")
    return alpha


def _mse(a: np.ndarray, b: np.ndarray, visible: np.ndarray | None = None) -> float:
    """Mean squared error per channel of two (H, W, 3) images, over the (H*W,) bool
    ``visible`` pixels when given (0..255 scale)."""
    # Integer sums, a block of rows at a time: the float64 copies of the whole photo took 5 GB
    # beside a 100-megapixel photo's 300 MB (a trial's `quantize` peaked at 4.3 GB, and ran
    # out of memory on a 196-megapixel one); the sums are exact, so no precision is lost.
    a = np.asarray(a).reshape(-1, 3)
    b = np.asarray(b).reshape(-1, 3)
    total = count = 0
    for start in range(0, a.shape[0], _MSE_BLOCK):
        stop = start + _MSE_BLOCK
        diff = a[start:stop].astype(np.int32) - b[start:stop]
        squared = np.einsum("ij,ij->i", diff, diff)
        if visible is not None:
            squared = squared[np.asarray(visible).reshape(-1)[start:stop]]
        total += int(squared.sum(dtype=np.int64))
        count += squared.shape[0]
    return total / (3 * count) if count else float("nan")


#: Pixels per block of :func:`_mse` (a few tens of MB of temporaries).
_MSE_BLOCK = 1 << 21


def _sorted_rows(colors: np.ndarray) -> np.ndarray:
    """Distinct (M, 3) uint8 rows in lexicographic order."""
    return np.unique(np.asarray(colors, dtype=np.uint8).reshape(-1, 3), axis=0)


def quantize_file(input_path, output_path, n_colors: int = 8, random_state=0,
                  quality: int | None = None, max_pixels: int = DEFAULT_MAX_PIXELS,
                  mark: str | None = None, on_kmeans=None, on_written=None) -> QuantizeResult:
    """Load, quantise and write atomically (never over the input file).

    ``quality``: the JPEG or WebP compression quality (1-95) of the output, as in
    :func:`segmix.io.save_image` (default: its JPEG 95, lossless WebP); a lower one gives a
    smaller file whose compression adds more colours to the k. ValueError naming it for
    another format. ``on_written()`` is called once the output is written. A lossy output is
    read back once written: ``result.saved_mse`` and
    ``result.saved_colors`` describe the file as written. ``max_pixels``: the largest photo
    read (:func:`segmix.io.load_image_info`). ``mark``: the command whose mark the file
    carries (:func:`segmix.io.mark_params`; ``segmix quantize`` gives "quantize"), None for none.
    ``on_kmeans``: as in :func:`quantize_image`.

    The photo's transparency (when some pixel is not opaque), embedded ICC profile and
    resolution are written with the result where the output format holds them (PNG, WebP
    and TIFF keep transparency; GIF keeps it on or off, one palette entry, so ``n_colors``
    plus that entry must fit its 256: partial alpha is written opaque from 128 up and
    transparent below, ``result.alpha_on_off``; JPEG and BMP cannot: ``result.alpha_dropped``
    is then True); they used to be dropped, so a logo on a transparent background came back
    on black, and a GIF's transparent pixels opaque.

    With at most 256 colours, a PNG or BMP output is a palette ("P") image of exactly the
    palette's colours, decoding to ``result.image`` (``result.indexed``; a PNG with
    transparency is RGBA: imageio and skimage drop a palette PNG's). A TIFF stays RGB(A): ``skimage.io.imread`` and ``imageio.v3.imread``
    (tifffile) read a palette TIFF as its (H, W) indices, not its colours (a new-user
    trial). It used to be RGB: 183.1 kB for
    a DAVIS frame at k = 8, more than its 170.6 kB JPEG; the palette PNG is 92.1 kB. A GIF
    output is that palette image too (at most 256 colours: ``n_colors`` over 256 is refused
    before the work). A greyscale photo (:func:`segmix.io.is_grey_photo`: every single-channel mode, and a palette of greys) is written greyscale, mode
    ``"L"``, where the format holds it (PNG, TIFF, BMP, JPEG), not as a palette image: with no
    more grey levels than ``n_colors`` the file then holds the photo unchanged
    (``result.unchanged``).
    """
    # Every refusal about the output (an input, a folder, a missing or read-only folder, a
    # read-only file) before the work, whose first run compiles kernels for seconds.
    check_output_path(output_path, input_path)
    check_image_suffix(output_path, palette=True)
    check_quantized_output(output_path, n_colors)
    info = load_image_info(input_path, max_pixels)
    alpha = info.alpha if info.alpha is not None and (info.alpha < 255).any() else None
    check_quantized_output(output_path, n_colors, info.pixels, alpha, input_path)
    result = quantize_image(info.pixels, n_colors, random_state, alpha=alpha, on_kmeans=on_kmeans)
    return save_quantized(output_path, result, info.pixels, alpha=alpha, icc_profile=info.icc_profile, dpi=info.dpi,
                          input_mode=info.mode, input_bits=info.bits_per_sample, input_frames=info.n_frames,
                          quality=quality,
                          protect=(input_path,), mark=mark, max_pixels=max_pixels, on_written=on_written)


def check_quantized_output(output_path, n_colors: int, pixels: np.ndarray | None = None,
                           alpha: np.ndarray | None = None, input_name=None) -> None:
    """Refuse, before any work, an output that cannot hold ``n_colors`` colours: a GIF and more
    than 256, or a GIF of 256 whose photo's transparent pixels need an entry of their own
    (unless its visible pixels have fewer colours). ``pixels`` (H, W, 3) uint8 and ``alpha``
    (H, W) uint8 (None when every pixel is opaque) are the photo's; ``input_name`` names it.

    Raises
    ------
    ValueError
        Naming ``output_path`` and what to give instead.
    """
    if Path(output_path).suffix.lower() != ".gif":
        return
    if n_colors > MAX_PALETTE_COLORS:
        raise ValueError(f"{output_path}: GIF holds at most {MAX_PALETTE_COLORS} colours, and {n_colors} were asked "
                         f"for; give at most {MAX_PALETTE_COLORS} (-k), or use .png")
    if pixels is not None and alpha is not None and n_colors >= MAX_PALETTE_COLORS and (alpha < GIF_ALPHA_CUT).any():
        # The transparent pixels take one of GIF's 256 entries: refused before the work,
        # unless the visible pixels have few colours anyway (then no k-means merges them).
        _, inverse = unique_colors(pixels)
        if np.unique(np.asarray(inverse).reshape(-1)[alpha.reshape(-1) > 0]).size >= MAX_PALETTE_COLORS:
            raise ValueError(f"{output_path}: GIF holds at most {MAX_PALETTE_COLORS} palette entries, and the "
                             f"transparent pixels of {input_name} take one: give at most {MAX_PALETTE_COLORS - 1} "
                             "colours (-k), or use .png")


def save_quantized(output_path, result: QuantizeResult, pixels: np.ndarray, *, alpha: np.ndarray | None = None,
                   icc_profile: bytes | None = None, dpi=None, input_mode: str = "RGB", input_bits: int = 8,
                   input_frames: int = 1,
                   quality: int | None = None, protect=(), mark: str | None = None,
                   max_pixels: int = DEFAULT_MAX_PIXELS, on_written=None) -> QuantizeResult:
    """Write :func:`quantize_image`'s ``result`` of the photo ``pixels`` as :func:`quantize_file`
    writes it (atomic, never over a file of ``protect``), and fill in what the file holds
    (``indexed``, ``mode``, ``alpha_dropped``, ``saved_mse`` ...). The window's Export Quantised
    Photo writes through here, so that its file is ``segmix quantize``'s.

    Parameters
    ----------
    output_path : str or Path
        Its extension chooses the format (as ``segmix quantize -o``).
    result : QuantizeResult
        Of ``pixels`` (with ``alpha`` as given here).
    pixels : (H, W, 3) uint8 ndarray
        The photo as read (``LoadedImage.pixels``): a lossy output is measured against it.
    alpha : (H, W) uint8 ndarray or None
        The photo's transparency when some pixel is not opaque, else None.
    icc_profile, dpi, input_mode, input_bits, input_frames
        The photo file's profile, resolution, Pillow mode, bits per sample and frames
        (``LoadedImage``): a greyscale photo (:func:`segmix.io.is_grey_photo`) is written greyscale
        (8-bit "L"; with transparency RGBA of grey colours).
    quality, protect, mark, max_pixels, on_written
        As :func:`quantize_file`'s (``protect``: the inputs never written over).

    Raises
    ------
    ValueError, OSError
        A refused output (an input, an unsupported extension, a GIF that cannot hold the
        colours) or a failed write, naming the file.
    """
    result = replace(result)  # the caller's result is not changed (the window keeps its own)
    suffix = Path(output_path).suffix.lower()
    keeps_alpha = suffix in (".png", ".webp", ".tif", ".tiff", ".gif")
    # A greyscale photo stays greyscale (mode L): "written unchanged" wrote a palette PNG of it,
    # and a list of grey modes that left out "F" wrote a float TIFF's greys as a palette PNG.
    written = save_image(output_path, result.image, alpha=alpha if keeps_alpha else None,
                         icc_profile=icc_profile, dpi=dpi, quality=quality, palette=True,
                         grey=is_grey_photo(input_mode, pixels), protect=tuple(protect), mark=mark)
    if on_written is not None:
        on_written()  # the command line: a signal during the read-back no longer cuts the run short
    result.indexed = written == "P"
    result.input_mode, result.mode = input_mode, written
    result.input_bits = input_bits
    result.input_frames = input_frames
    result.alpha_dropped = alpha is not None and not keeps_alpha
    if suffix in (".gif", ".bmp") and fitting_icc_profile(icc_profile, written):
        # Pillow writes no profile into a GIF or BMP: an Adobe RGB photo's colours came back
        # as sRGB, duller, without a word (a trial). An sRGB profile's loss changes nothing.
        if not is_srgb_profile(icc_profile):
            result.profile_dropped = icc_profile_name(icc_profile) or "unnamed"
    result.alpha_on_off = suffix == ".gif" and alpha is not None and bool(((alpha > 0) & (alpha < 255)).any())
    if suffix in (".jpg", ".jpeg") or (suffix == ".webp" and quality is not None):
        # The error of the palette is not the file's: JPEG's compression changes it (93.4
        # became 115.8 on a DAVIS frame at quality 75, 177.7 at 20). A new-user trial read the
        # palette's figure as the file's, so the file is decoded again and measured.
        saved = load_image_info(output_path, max_pixels).pixels
        # Over the pixels quantize_image measured: the visible ones, or all when none is (a
        # photo wholly transparent measured none: "mean squared error nan", numpy's warnings).
        shown = None if alpha is None else alpha.reshape(-1) > 0
        visible = shown if shown is not None and shown.any() else None
        result.saved_mse = _mse(saved, pixels, visible)
        result.saved_colors = int(unique_colors(saved)[0].shape[0])
    return result
