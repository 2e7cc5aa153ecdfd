"""Scribbles -> class mixtures -> posterior map -> (smoothed) foreground mask.

The one pipeline behind the GUI, the command line and the Python API:

1. :func:`iter_train_model` fits one Gaussian mixture per class (foreground = label 1,
   background = label 2) on the scribbled pixels. Without position features the scribbled
   pixels are compressed to their distinct colours with pixel counts as sample weights,
   which is the same EM objective on far fewer rows.
2. :func:`apply_model` scores every pixel (``bayes.image_log_likelihoods``), gives the
   per-pixel Bayes posterior of foreground, and decides:

   * ``smoothing="none"``: the lecture's rule, p(fg | x) > threshold;
   * ``smoothing="graphcut"``: the same unary costs plus GrabCut's contrast-sensitive
     Potts term, minimised by min cuts (:mod:`segmix.graphcut`: exactly for small images,
     coarse-to-fine above ``max_exact_pixels``), with the
     scribbles as hard constraints and a soft spatial prior (nearer a foreground than a
     background scribble leans foreground); optionally GrabCut-style rounds that refit the
     mixtures on the current segmentation.

   Then cheap clean-ups: keep only foreground connected to a foreground scribble, fill
   holes that contain no background scribble.
3. :func:`segment` does both. Given the previous result (a click tool), the cut is checked
   by the click steps' guards (:mod:`segmix.click_guards`: what a click's refit may change
   far from it).

Priors are uniform (0.5 / 0.5) by default: how much a user scribbles says nothing about how
much of the photo is foreground (``priors="scribbles"`` uses the scribbled proportions; not
yet measured on the DAVIS benchmark).
"""

from __future__ import annotations

import math
import threading
import warnings
import weakref
import zlib
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
from scipy import ndimage
from skimage import color as skcolor

from segmix import adaptive_smoothness, graphcut
from segmix.adaptive_smoothness import check_mode as check_adaptive
from segmix.local_colour import (
    LOCAL_MARKS, LOCAL_MIXING, add_local_colour, adds_stroke, has_stroke, local_colour_log_odds_delta,
)
from segmix.marked_pixels import marked_flat
from segmix.held_warnings import caller_level, held_catch
from segmix.bayes import BayesClassifier, check_image
from segmix.clicks import click_radius, disc_offsets, photo_scale, small_photo_scale, tiny_scale  # the cut's gamma and the refinement's lengths grow with it
from segmix.click_guards import (
    far_change, flooded_background, local_corrections, monotone_step, previous_mask_log_odds, removed_near_foreground,
    removed_without_foreground,
    stripped_objects,
)
from segmix.features import (  # is_monochrome: this module's since session 37, kept importable here
    MAX_WEIGHT, FeatureSpace, grey_within, is_monochrome, pair_keys, rgb_codes, unique_colors,
)
from segmix import box_edges
from segmix import contrast_floor
from segmix.contrast_floor import covariance_floor
from segmix.io import BACKGROUND, FOREGROUND  # the label files' values, defined once
from segmix.mixture import COVARIANCE_TYPES, GaussianMixture, TooFewDistinctPointsError, fit_quietly
from segmix.occluded_parts import keep_near_parts
from segmix.small_objects import FLOOD_RATIO, closed_object, first_click, later_core
from segmix.transparency import check_transparent, outline_free_colours
from segmix import photo_bars
from segmix.bool_maps import check_bool_map
from segmix.cancel_points import checkpoint
from segmix.canonical_turn import canonical_photo
from segmix.arguments import InitSignature, settings_as_keywords
from segmix.mark_order import check_mark_labels, float_marks_words
from segmix.kernels import pixels as pixel_kernels
from segmix.kernels.threads import for_pixels
from segmix.unexplained import explained_threshold, mix as mix_mixtures, unexplained

CLASS_LABELS = (FOREGROUND, BACKGROUND)
CLASS_NAMES = ("foreground", "background")
SMOOTHING_METHODS = ("none", "graphcut")
# GrabCut rounds (refit both mixtures on the current cut, cut again) when no foreground is
# marked, e.g. after a rectangle alone.
BOX_REFINE_ROUNDS = 3
# In a box (is_framed) the outside is marked background and may hold nearly every colour of
# the photo: leaving the inside's colours that also occur outside out of the object's
# evidence left a trial's box with 56 of its colours and an empty mask (DAVIS 064). They are
# left out only while that keeps at least this share of the inside's sample; below it, the
# colours the outside holds least often are put back up to this share (the whole inside
# counted until session 32: a cliff). One box 10 px round the object of each of the 100
# DAVIS frames, alone and with one positive click at the object's innermost point, mean IoU
# even / odd: with the top-up 0.646 / 0.659 alone and 0.670 / 0.675 with the click, the
# whole inside 0.617 / 0.629 and 0.671 / 0.670; a top-up to 0.15 / 0.4 on the even half:
# 0.637 / 0.650 alone, 0.670 / 0.663 with the click. (Session 29, the whole inside below
# 0.25, against keeping the colours always (0) and 0.5: 0.614 / 0.617 and 0.680 / 0.657;
# 0: 0.578 / 0.586, 0.655 / 0.644; 0.5: 0.575 / 0.585, 0.652 / 0.642.)
BOX_MIN_KEPT = 0.25
#: unlabelled_evidence: a colour marked foreground stays in the background's borrowed sample
#: when its share of the sample is over this many times its share of the foreground marks.
MARKED_COLOUR_RARITY = 10.0
# GrabCut rounds while fewer pixels are marked than the zero-marks prior's weight
# (SegmentationSettings.unlabelled_weight of the photo: six clicks on an 854 x 480 frame).
FEW_MARKS_REFINE_ROUNDS = 1


@dataclass
class SegmentationSettings:
    """Everything that decides a segmentation (shared by GUI, CLI and library).

    Attributes
    ----------
    n_components : int, default 5
        Gaussian components per class mixture (lowered, with a warning, for a class with
        fewer distinct colours).
    covariance_type : {"full", "diag", "spherical"}, default "full"
        Covariance form of the class mixtures (:class:`segmix.mixture.GaussianMixture`).
    color_space : {"rgb", "lab", "hsv", "ycbcr"}, default "lab"
        Colour features the mixtures are fitted on (:class:`segmix.features.FeatureSpace`;
        README, "Scribble and click segmentation").
    position_weight : float, default 0
        0 = colour only; > 0 appends the weighted pixel position to the features.
    smoothing : {"none", "graphcut"}, default "graphcut"
        "graphcut": the contrast-sensitive cut (GrabCut's energy); "none": the per-pixel
        Bayes decision alone.
    threshold : float in [0, 1], default 0.5
        Foreground where p(fg | x) > threshold (the graph cut shifts its unary terms by
        logit(threshold) so that it agrees with the per-pixel rule when smoothness is 0).
        With the graph cut, a result is worked out at 0.5 and the threshold then shrinks
        (over 0.5) or grows (under) its mask by one more cut (``apply_model``), so that a
        higher threshold never gives a larger mask, also for marks fitted step by step.
    random_state : int >= 0 or None, default 0
        The seed of every k-means start and subsample (None: a fresh one each call).
    smoothness : float, default 25
        GrabCut's gamma: weight of the contrast-sensitive pairwise term, in nats. 25 measured
        slightly better than GrabCut's 50 on both halves of the DAVIS benchmark. On photos
        larger than a DAVIS frame the cut uses it times :func:`photo_scale` (the
        diagonal / 979.7 px), so a larger copy of a photo is cut alike; under a 200-px diagonal
        times :func:`segmix.clicks.small_photo_scale` (the diagonal / 200 px).
    connectivity : {4, 8, 16}, default 16
        Neighbourhood of the graph cut (16: the 8 neighbours plus the knight moves, with
        Cauchy-Crofton weights, see :func:`segmix.kernels.graphs.direction_scales`) and of
        the connected-component clean-up (16 counts as 8 there).
    refine_rounds : int, default 0
        GrabCut-style rounds: refit both mixtures on the current segmentation, cut again.
    keep_connected : bool, default True
        Keep only foreground regions that touch a foreground scribble (graph cut only), and
        those that keep_connected_gap allows.
    keep_connected_gap : float in [0, 1], default 0
        Keep-connected's exception (:func:`segmix.occluded_parts.keep_near_parts`): a region
        within this share of the image diagonal (4-connected steps around background marks)
        of the kept foreground is kept when its colours average at least
        ``keep_connected_log_odds`` nats of foreground: a part beyond a thin occluder (a strap,
        a pole). 0 = off (the default).
    keep_connected_log_odds : float, default 6
        Nats; see ``keep_connected_gap``.
    fill_holes : bool, default True
        Background regions enclosed by foreground and holding no background scribble
        become foreground (graph cut only); scribble inside a real hole to keep it.
    reg_covar : float, default 0.0001
        Added to covariance diagonals (features span about [0, 1]) on a photo of ordinary
        contrast; less on a hazy or dim one, in proportion to its colours' spread
        (:func:`segmix.contrast_floor.covariance_floor`), so that it segments as its clear copy.
    n_init : int, default 3
        k-means restarts for the EM initialisation.
    max_iter : int, default 100
        EM iterations per class at most.
    priors : {"uniform", "scribbles"}, default "uniform"
        Class priors: uniform 0.5 / 0.5, or the scribbled pixel proportions.
    max_exact_pixels : int, default 40000
        Larger images are cut coarse-to-fine (:func:`segmix.graphcut.cut_multiscale`), which
        measured both faster and more accurate than the exact cut on DAVIS frames.
    distance_prior : float, default 1
        Weight (nats) of a soft spatial prior added to the graph cut's unary terms: a pixel
        nearer a foreground scribble than a background one leans foreground, see
        :func:`scribble_distance_log_odds`. 0 turns it off; ignored by ``smoothing="none"``.
        With ``unlabelled_weight`` > 0 the image border counts as weak background marks
        here, whether or not background is marked, until a foreground mark touches the
        border (an object reaching the border stays selectable).
    unlabelled_weight : float, default 0.00125
        The zero-marks prior, as a share of the photo's pixel count (0.00125: 500 pixels
        of an 854 x 480 frame): the unlabelled pixels are weak background colour evidence
        (:func:`unlabelled_evidence`), fading as background marks accumulate, so one
        positive click gives a mask; a class with no marks at all (a rectangle alone: the
        outside marked background) is modelled on them, followed by
        :data:`BOX_REFINE_ROUNDS` GrabCut rounds. 0 = off: both classes must be marked.
        Under 40 px across divided by ``tiny_scale ** TINY_PRIOR_EXPONENT``, at most
        :data:`TINY_PRIOR_DISCS` click discs (:func:`_borrowing`).
    unlabelled_border_exponent : float >= 0, default 4
        While no background is marked and no foreground mark touches the border, each
        borrowed pixel is weighted by ``(d_fg / (d_fg + d_border)) ** p`` (distances in
        pixels to the nearest foreground mark and to the image border,
        :func:`relative_background_distance`), so a framed object's own colours, near the
        clicks, are hardly borrowed as background. 0 = every borrowed pixel alike.
    unlabelled_foreground_weight : float >= 0, default 1
        The foreground's own borrowed evidence (not in a box, which has its inside): the
        unmarked pixels weighted by ``(d_bg / (d_fg + d_bg)) ** q`` (q =
        ``unlabelled_foreground_exponent``; d_fg the distance in pixels to the nearest
        foreground mark, d_bg to the nearest background mark or, while no foreground mark
        touches it, the image border; :func:`foreground_closeness`), in total this share of
        the background's borrowed weight, times ``(W / (W + n_bg)) ** 2`` for n_bg pixels
        marked background (W: see ``unlabelled_weight``), so the colours next to a click
        count as the object's. 0 = off: the foreground knows only its marks.
    unlabelled_foreground_exponent : float > 0, default 12
        q above: 12 keeps the borrowing within about a tenth of the way from a click to the
        nearest background mark or border.
    previous_weight : float >= 0, default 0 (off)
        Nats of lean towards the previous mask where no corrective mark is near
        (:func:`previous_mask_log_odds`); only with a previous mask (docs/clicks_development.md,
        "Stability and drop-backs").
    distance_colour_weight : float in [0, 1e6], default 0
        Colour weight of the distance prior's geodesic distances; 0 = Euclidean distances
        (docs/clicks_development.md, "Beyond colour, measured step by step").
    local_corrections : bool, default False
        Keep only the regions of change that touch a corrective mark; only with a previous mask
        (docs/clicks_development.md, "Beyond colour").
    few_marks_refine : bool, default False
        One GrabCut round (:data:`FEW_MARKS_REFINE_ROUNDS`) while fewer pixels are marked than
        the zero-marks prior's weight: a handful of clicks (docs/clicks_development.md).
    far_change_share : float >= 0, default 0
        With ``local_corrections``: far regions of change up to this share of the previous
        mask's area are kept (0 = none).
    monotone_clicks : bool, default True
        Each step one-signed (:func:`segmix.click_guards.monotone_step`): marks that only add
        foreground keep the previous foreground, marks that only remove it keep the previous
        background; only with a previous mask (docs/clicks_development.md, "One-signed steps").
    box_guards : bool, default True
        The click guards (``strip_guard``, ``removal_guard``) in a box's refit rounds too
        (docs/clicks_development.md, "Clicks after a box").
    strip_guard : float in [0, 1e6], default 3
        Nats of lean towards the previous mask inside previous objects that a background-only
        step left as islands; 0 = off (docs/clicks_development.md, "One-signed steps").
    flood_guard : float in [0, 1e6], default 2
        Nats of the same lean where a foreground-only step grew the mask by more than
        ``FLOOD_SHARE`` of its area; 0 = off (docs/clicks_development.md, "Floods after a positive click").
    small_object_check : bool, default True
        A first foreground click alone, nothing marked background: when two crops round the
        click (6 and 12 click radii) find one closed, edge-bounded object and the photo's mask
        is over 100 times larger, the object is the mask (:mod:`segmix.small_objects`).
    fill_holes_colour : float >= 0, default 0
        Experimental: > 0 leaves open the holes ``fill_holes`` would fill whose mean colour log
        odds lie below minus this many nats (background the colour models are sure of).
    small_object_later : float in [0, 1e6], default 20
        The same at a later step whose mask is at least this many times the previous mask
        (the crops round the previous mask and the foreground marks); 0 = the first click only.
    removal_guard : float in [0, 1e6], default 2
        Nats of the same lean on pixels a background-only step removed nearer a foreground mark
        than its own marks; 0 = off (docs/clicks_development.md, "Removals next to foreground clicks").
    removal_guard_colour : float >= 0, default 3
        How ``removal_guard`` measures "nearer": 0 = Euclidean, > 0 geodesic with this colour
        weight (docs/clicks_development.md, "Straight-edged artefacts").
    warm_refit : bool, default False
        Refit each class mixture by EM from the previous model's parameters (no k-means) when a
        previous model is passed (docs/clicks_development.md, "Beyond colour").
    warm_refit_iter : int >= 1, default 100
        EM iterations of a warm refit at most.
    max_far_change : float >= 0, default 0 (off)
        Trust region: share of the previous mask's area the new models may change farther than
        ``FAR_REACH`` x diagonal from every corrective mark before the cut is redone with
        log-likelihoods moved part of the way (``TRUST_STEPS``) (docs/clicks_development.md).
    trust_after_marks : float >= 0, default 0.00125
        ``max_far_change`` applies only once this share of the photo's pixels is marked.
    star_convexity : bool, default False
        Geodesic star convexity around the foreground marks (:func:`segmix.graphcut.star_parents`)
        (docs/clicks_development.md, "Beyond colour").
    star_colour_weight : float in [0, 1e6], default 1
        Colour weight of the star's geodesic paths: 0 = straight lines (Veksler's Euclidean
        star), larger values bend the paths round colour edges; used only with ``star_convexity``.
    local_colour_weight : float in [0, 1], default 0.5
        Largest mixing weight of a click-sized mark group's own Gaussian with the global class
        model near it (:mod:`segmix.local_colour`); 0 = off (docs/clicks_development.md).
    local_colour_reach : float > 0, default 0.06
        Spatial scale of the local models, as a share of the image diagonal (59 px on a DAVIS frame).
    local_colour_marks : {"clicks", "all"}, default "clicks"
        Which mark groups get a local model: click-sized groups only, or strokes too.
    local_colour_boundary_reach : float >= 0, default 0 (off)
        Each click's reach limited to this factor times its distance to the previous mask's
        boundary (docs/clicks_development.md, "Stability and drop-backs").
    local_colour_geodesic : float >= 0, default 0
        Colour weight of geodesic distances for the local models; 0 = Euclidean.
    local_colour_cutoff : float > 0, default 3
        A local model ends at this many reaches from its click (its weight there:
        weight x exp(-cutoff^2 / 2)).
    local_colour_mixing : {"distance", "nearest"}, default "distance"
        How a class's local models mix at a pixel: every group within its cutoff weighted by
        distance, or the nearest group's only (docs/clicks_development.md, "Straight-edged artefacts").
    adaptive_smoothness : {"off", "image", "pixel"}, default "off"
        Per-photo or per-pixel smoothness (:mod:`segmix.adaptive_smoothness`; README, "Beyond colour").
    adaptive_strength : float, default 0.5
        Exponent / rate of ``adaptive_smoothness``.
    unexplained_weight : float in [0, 1e6], default 0 (off)
        Weight of the background's rest-of-the-photo component (:mod:`segmix.unexplained`):
        unmarked pixels the background mixture does not explain, modelled apart once both
        classes are marked (docs/segmentation.md, "Once background is marked").
    unexplained_marks : {"strokes", "all"}, default "strokes"
        Which background marks bring the component: only a mark group that is not click-sized,
        or any.
    unexplained_share : float in [0, 1), default 0.2
        Below this share of unexplained unmarked pixels the marks are taken to cover the
        photo and no component is added.
    unexplained_quantile : float in (0, 1), default 0.01
        What "unexplained" means: a pixel whose log-density under the background mixture lies
        below this quantile of that mixture's log-densities on its own marked pixels (0.01: less
        likely than 99 % of the marked background).
    unexplained_components : int >= 1, default 5
        Gaussian components of the rest-of-the-photo mixture fitted to the unexplained pixels
        (fewer when they hold fewer distinct colours).
    snapcut_weight : float in [0, 1e6], default 2
        The boundary refinement (:mod:`segmix.snapcut`, Video SnapCut's local classifiers):
        weight a of the local log-likelihood ratios added to the cut's unary near the mask's
        boundary; 0 = off (docs/clicks_development.md, "Local classifiers along the boundary").
    snapcut_window : int >= 5, default 41
        Side in px (of a DAVIS-sized photo, times :func:`photo_scale` on larger ones) of each
        square window along the mask's boundary that fits its own foreground / background Gaussians.
    snapcut_margin : float > 0, default 3
        Distance in px from the boundary beyond which the mask's inside / outside count as
        confident and train a window's two Gaussians (nearer pixels are left out).
    snapcut_band : float > 0, default 10
        Width in px of the band round the boundary where the local ratios change the unary.
    snapcut_recut : {"band", "full"}, default "band"
        After the local evidence is added: cut again inside the band with the rest of the mask
        fixed ("band"), or a whole second cut with that unary ("full").
    snapcut_combine : {"add", "mix"}, default "add"
        How the local ratio joins the cut's unary: "add" adds a x ratio; "mix" takes
        (1 - a) x unary + a x ratio with a at most 1.
    snapcut_rounds : int >= 1, default 1
        Times the refinement is repeated, each round from the previous round's mask.
    snapcut_mark_weight : float in [0, 1e6], default 1
        Weight of each marked pixel inside a window in its local Gaussians, beside the mask's
        confident pixels (weight 1 each); 0 = the marks teach the windows nothing.
    snapcut_agree : bool, default True
        Train the windows only where the cut's unary agrees with the mask.
    texture_weight : float >= 0, default 0 (off, experimental)
        Weight of a texture level (the luma's local gradient, quantised) beside the colour
        features (docs/clicks_development.md, "Texture levels beside the colour").
    texture_levels : int, default 8
        Number of texture levels of the photo.
    box_correction_tolerance : float >= 0, default 0 (off, experimental)
        Colour distance (features) within which a box's inside pixels leave the object's
        evidence when that colour is marked background inside the box
        (docs/clicks_development.md, "Background clicks inside a box").
    box_correction_max_share : float in [0, 1], default 0.2
        At most this share of the box's inside sample leaves the object's evidence that way.
    """

    def __new__(cls, *args, **kwargs):
        # Before the dataclass's __init__, whose "got an unexpected keyword argument 'n_component'"
        # offered no name, where skin_detect.with_options says "did you mean" (a library trial).
        unknown = [name for name in kwargs if name not in cls.__dataclass_fields__]
        if unknown:
            import difflib

            close = difflib.get_close_matches(unknown[0], sorted(cls.__dataclass_fields__), n=3, cutoff=0.6)
            raise TypeError(f"SegmentationSettings: {unknown[0]!r} is no segmentation setting; "
                            + (f"did you mean {' or '.join(close)}?" if close else
                               "the settings are the fields listed in help(segmix.segment.SegmentationSettings)"))
        return super().__new__(cls)

    # help() and tooltips read __new__'s (*args, **kwargs) without it (no annotation: no field).
    __signature__ = InitSignature()

    n_components: int = 5
    covariance_type: str = "full"
    color_space: str = "lab"
    position_weight: float = 0.0
    smoothing: str = "graphcut"  # "none" | "graphcut"
    threshold: float = 0.5
    random_state: int = 0
    smoothness: float = 25.0
    # 16: boundary length nearly isotropic (within 3 % against 8 %), so a boundary through
    # an even area is no longer drawn in 0 / 45 / 90 degree segments (the astronaut's wall
    # and helmet); DAVIS scribbles, all 100 frames: sparse 1.78 % / IoU 0.753 -> 1.75 /
    # 0.757, dense 1.12 / 0.838 -> 1.11 / 0.840; the cut costs about 1.3-1.4x the 8-neighbour one.
    connectivity: int = 16
    refine_rounds: int = 0
    keep_connected: bool = True
    # keep_connected's exception (segmix.occluded_parts), an option: a foreground part away
    # from every foreground mark is kept when it lies within keep_connected_gap (a share of
    # the image diagonal) of the kept foreground and its colours average at least
    # keep_connected_log_odds nats of foreground: the astronaut's suit beyond the white strap
    # across it. Off (0) by default: 0.016 gained a little on DAVIS's 3-px scribbles (sparse
    # 1.75 -> 1.73 %) but with a 20-px brush, the window's, it added look-alike clutter
    # beside the object (a show jump beside a horse: IoU 0.501 -> 0.298) more often than it
    # kept an occluded part (docs/segmentation.md, "A part beyond a thin occluder").
    keep_connected_gap: float = 0.0
    keep_connected_log_odds: float = 6.0
    # On by default: on DAVIS it filled more true holes-in-the-mask than it wrongly closed
    # (graph cut, error % 0 -> on: sparse even 1.88 -> 1.83, odd 1.91 -> 1.87; dense even
    # 1.12 -> 1.09, odd 1.16 -> 1.15; better on 123 frame-runs, worse on 22 of 200).
    fill_holes: bool = True
    reg_covar: float = 1e-4
    n_init: int = 3
    max_iter: int = 100
    priors: str = "uniform"
    max_exact_pixels: int = 40_000
    # Where a pixel lies relative to the scribbles is evidence the colour models ignore. On
    # DAVIS (graph cut, fill_holes off, exact distances; error % / IoU, 0 -> 1): sparse even
    # 1.88 / 0.748 -> 1.73 / 0.762, odd 1.91 / 0.733 -> 1.81 / 0.741; dense even 1.12 / 0.842 ->
    # 1.11 / 0.843, odd 1.16 / 0.828 -> 1.16 / 0.829; better on 152, worse on 45 of 200
    # frame-runs. Weights 0.5 and 2 measured about the same; a linear (d_bg - d_fg) / (0.1 *
    # diagonal) clipped to +-3 helped less.
    distance_prior: float = 1.0
    # The zero-marks prior (see unlabelled_evidence): total weight of the unlabelled pixels
    # as background colour evidence (and foreground evidence for a class with no marks, e.g.
    # a rectangle alone), as a share of the photo's pixel count: 0.00125 is 500 pixels of a
    # DAVIS frame, six clicks' worth. 0 = off: both classes must be marked.
    unlabelled_weight: float = 0.00125
    # How the background's borrowed pixels are weighted (unlabelled_evidence's
    # border_exponent): 0 = all alike; p > 0 = by (d_fg / (d_fg + d_border))^p while no
    # background is marked, so pixels near the border count most and those near the positive
    # clicks least. 4 (chosen on the even GrabCut-like crops of bench_clicks.py --crop, NoC@90
    # 14.40 -> 13.86; odd crops 15.31 -> 14.41) because held-out click sets frame their
    # objects as the crops do; on DAVIS's full frames, where the object is 7.6 % of the photo,
    # it costs 12.80 -> 13.00 (even) and 14.10 -> 14.12 (odd).
    unlabelled_border_exponent: float = 4.0
    # The foreground's borrowed evidence (unlabelled_evidence's toward_foreground): one click
    # teaches the foreground mixture the 81 pixels of its disc, while the object's other
    # colours around it went to the borrowed background. Chosen on the even halves of
    # bench_clicks.py (crops and full frames; weight 0.25 / 1 / 2 / 4, exponent 4 / 12,
    # with and without it after background marks), checked on the odd halves:
    # docs/clicks_development.md, "The foreground's borrowed evidence".
    unlabelled_foreground_weight: float = 1.0
    unlabelled_foreground_exponent: float = 12.0
    # Weight (nats) of the previous mask where no corrective mark is near (see
    # previous_mask_log_odds); used only when a previous mask is passed. 0 = off.
    previous_weight: float = 0.0
    # Colour weight of the distance prior's geodesic distances (0 = Euclidean distances).
    distance_colour_weight: float = 0.0
    # Keep only the regions of change that touch a corrective mark (see local_corrections);
    # used only when a previous mask is passed. Off: on 20 + 20 DAVIS frames drop-backs fell
    # from 11 / 10 to 3 / 5 but NoC@90 rose from 12.25 / 12.70 to 13.35 / 13.40.
    local_corrections: bool = False
    # One GrabCut round while fewer pixels are marked than the zero-marks prior's weight
    # (FEW_MARKS_REFINE_ROUNDS): a handful of clicks.
    few_marks_refine: bool = False
    # With local_corrections: far regions of change up to this share of the previous mask's
    # area are kept (0 = none).
    far_change_share: float = 0.0
    # Keep each step one-signed (see monotone_step): after marks that only add foreground the
    # previous foreground stays, after marks that only remove it the previous background stays.
    # Used only when a previous mask is passed (the window and the click benchmark pass the
    # last result while marks are only added). NoC@90 on the click protocol 12.40 -> 12.12 /
    # 13.44 -> 13.26 (full frames, even / odd), 12.86 -> 12.42 / 14.25 -> 14.14 (crops);
    # docs/clicks_development.md, "One-signed steps".
    monotone_clicks: bool = True
    # The click guards (strip_guard, removal_guard) also in a box, whose steps all run GrabCut's
    # refit rounds (BOX_REFINE_ROUNDS): they ran only without rounds, and a background click in a
    # box whose refit swung the object away went unguarded (DAVIS 006, click 8: IoU 0.96 ->
    # 0.21). The re-cut uses the last round's models. The flood guard stays out of a box: it
    # held back the positive click that restores a collapse the others missed (DAVIS 050: 0.08
    # after three more clicks). bench_clicks.py --box-first 10, 10 steps, even / odd: NoC@85
    # 5.92 -> 5.88 / 6.34 -> 6.30, NoC@90 7.50 -> 7.44 / 7.64 -> 7.64, mIoU after 10 steps 0.863
    # -> 0.868 / 0.849 -> 0.853, drop-backs 11 -> 9 / 9 -> 9 (docs/clicks_development.md,
    # "Clicks after a box"). Clicks alone and strokes never run rounds with a foreground mark.
    box_guards: bool = True
    # Nats of the lean towards the previous mask (previous_mask_log_odds) inside the previous
    # objects whose positive marks a background-only step left as islands (stripped_objects);
    # the cut is redone with it. 0 = off. At 3 (chosen on the even halves against 10, and
    # against a looser test of stripping): drop-backs 27 -> 24 / 26 -> 23 (full frames, even /
    # odd) and 33 -> 29 / 24 -> 22 (crops); NoC@90 12.12 -> 12.00, 13.26 -> 13.38, 12.42 ->
    # 12.42, 14.14 -> 14.08 (docs/clicks_development.md, "One-signed steps").
    strip_guard: float = 3.0
    # Nats of the same lean, where a foreground-only step grew the mask by more than
    # FLOOD_SHARE of its area (flooded_background); the cut is redone there with it. 0 = off.
    # A click's colours also cover a large background region and the refit floods it (DAVIS
    # 008, click 5: IoU 0.955 -> 0.291). At 2 (chosen on the even halves against 3, a growth
    # share of 1 and a reach scaled by the object): clicks lowering IoU by more than 0.2 41 ->
    # 24 / 36 -> 14 (full frames, even / odd) and 41 -> 19 / 36 -> 17 (crops), IoU lost to
    # single clicks summed over 50 samples 24.1 -> 15.6 / 23.8 -> 13.8, 24.1 -> 14.4 / 22.5
    # -> 14.9; NoC@90 12.00 -> 12.04 / 13.38 -> 13.28, 12.42 -> 12.64 / 14.08 -> 14.06
    # (docs/clicks_development.md, "Floods after a positive click").
    flood_guard: float = 2.0
    # A first click alone whose mask is a flood round a small object: the object two crops round
    # the click agree on instead (segmix.small_objects; docs/clicks_development.md, "A first
    # click on a small object", session 53).
    small_object_check: bool = True
    # The same at a later step whose mask is at least this many times the previous mask (the
    # crops round the previous mask and the foreground marks; their object must be this many
    # times smaller than the photo's mask); 0 = the first click only. At 20 the DAVIS protocol
    # is the same in every figure on both halves, and a second click on a shrunk DAVIS object no
    # longer floods (mean IoU after 2 / 5 clicks 0.451 / 0.629 -> 0.631 / 0.720 on 9 of them).
    small_object_later: float = 20.0
    # Experimental, off (session 53, measured, not kept): > 0 leaves open the holes fill_holes
    # would fill whose mean colour log odds lie below -this (nats). At 2: syn/thin.png's box IoU
    # 0.931 -> 1.000, but NoC@90 10.66 -> 11.06 (even) / 12.52 -> 12.46 (odd) and sparse
    # scribbles (even) 1.68 -> 1.74 % (docs/clicks_development.md, "Holes the colour models
    # call background").
    fill_holes_colour: float = 0.0
    # Nats of the same lean, where a background-only step removed more than REMOVAL_SHARE of
    # the mask and at most REMOVAL_MAX_SHARE: on the removed pixels nearer to a foreground mark than to the step's background
    # marks (removed_near_foreground); the cut is redone with it. 0 = off. A background click
    # whose colours the object shares removed its far parts, next to the user's own foreground
    # clicks (DAVIS 038, click 2: the bus's white roof, IoU 0.881 -> 0.536). At 2 (the flood
    # guard's lean, not tuned further; the shares from the even half's negative steps, all of
    # whose 36 harmful ones removed more than a tenth, and a trial's spill):
    # NoC@90 12.04 -> 11.86 / 13.28 -> 13.20 (full frames, even / odd), 12.64 -> 12.44 / 14.06
    # -> 13.65 (crops); clicks lowering IoU by more than 0.2 24 -> 18 / 14 -> 11, 19 -> 15 / 17
    # -> 14 (docs/clicks_development.md, "Removals next to foreground clicks").
    removal_guard: float = 2.0
    # How removed_near_foreground measures "nearer": 0 = Euclidean (until session 25: the
    # leaned-on region then ended at the straight bisector between the marks, and in an area
    # of even colour the redone cut drew it, a trial's car shadow cut by a vertical line);
    # > 0 = geodesic with this colour weight, a colour edge on the way counting as distance.
    # 3: even / odd NoC@90 10.70 -> 10.74 / 12.14 -> 12.26, never 0.90 26 -> 24 % / 34 %
    # (docs/clicks_development.md, "Straight-edged artefacts").
    removal_guard_colour: float = 3.0
    # Refit each class mixture from the previous result's mixture (EM warm-started from its
    # parameters, no k-means) instead of from scratch, when a previous model is passed
    # (segment(..., previous_model=...), as the window and the click benchmark do). A fresh
    # k-means + EM per click can land in another local optimum: one added click then
    # reshuffles a class's components and the mask collapses far from the click.
    warm_refit: bool = False
    # EM iterations of a warm-started refit at most (a damped update: the mixture moves
    # towards the new marks without leaving the previous optimum's basin).
    warm_refit_iter: int = 100
    # Trust region of the colour models (apply_model with a previous mask and model): when the
    # new models change more pixels farther than FAR_REACH x diagonal from every corrective
    # mark than this share of the previous mask's area, the cut is redone with the
    # log-likelihoods moved only part of the way from the previous models (TRUST_STEPS).
    # 0 = off.
    max_far_change: float = 0.0
    # ... only once this share of the photo's pixels is marked (0.00125: six clicks on an
    # 854 x 480 frame): the first clicks grow the mask far from where they are made, as
    # they should (with the trust region from the first click, mean IoU after 3 clicks fell
    # from 0.60 to 0.46 on 20 even DAVIS frames).
    trust_after_marks: float = 0.00125
    # Geodesic star convexity around the foreground marks (graphcut.star_parents): a pixel
    # is foreground only if the next pixel on its shortest path to a foreground mark is.
    star_convexity: bool = False
    # Colour weight of the star's paths (0 = straight lines, Veksler's Euclidean star).
    star_colour_weight: float = 1.0
    # Per-click local colour models (segmix.local_colour): largest mixing weight of a
    # click-sized mark group's own Gaussian with the global class model near it; 0 = off.
    # 0.5 against 0: click NoC@90 on the full DAVIS halves 13.62 -> 12.80 even, 14.52 -> 14.10
    # odd; strokes get no local model, so the scribble masks are unchanged (all 100 frames,
    # sparse and dense). On since the window's click path was made cheaper (README, "The
    # window"): its 1080p click -> graph-cut overlay is no slower than before with them.
    local_colour_weight: float = 0.5
    # Their spatial scale, as a share of the image diagonal (0.06: 59 px on a DAVIS frame,
    # chosen over 0.03 on the even subset).
    local_colour_reach: float = 0.06
    # Which mark groups get a local model: "clicks" (click-sized groups only, see
    # segmix.local_colour.click_sized_groups; strokes stay with the global models) or "all".
    local_colour_marks: str = "clicks"
    # Drop-back remedies of the local models (README, "Beyond colour" (c)): each click's reach
    # limited to this factor times its distance to the previous mask's boundary (0 = off),
    # and geodesic instead of Euclidean distances with this colour weight (0 = Euclidean).
    local_colour_boundary_reach: float = 0.0
    local_colour_geodesic: float = 0.0
    # A local model's influence ends at this many reaches from its click (its weight there:
    # weight * exp(-cutoff^2 / 2)).
    local_colour_cutoff: float = 3.0
    # How the local models of a class's click groups are mixed at a pixel: "distance", every
    # group within its cutoff weighted by its distance (continuous: issue 11, docs/
    # clicks_development.md "Straight-edged artefacts"), or "nearest", the nearest group's
    # only (before: a seam at the bisector of two clicks of a class).
    local_colour_mixing: str = "distance"
    # Adaptive smoothness (segmix.adaptive_smoothness): "off", "image" (one gamma per photo
    # from its median |colour unary|) or "pixel" (unaries of colours neither model explains
    # scaled down); adaptive_strength is the exponent / rate of either. Neither improved click
    # NoC@90 on both halves (README, "Beyond colour" (d)), so "off".
    adaptive_smoothness: str = "off"
    adaptive_strength: float = 0.5
    # The background's rest-of-the-photo component (segmix.unexplained, _with_unexplained_rest):
    # once both classes are marked, the unmarked pixels the background mixture does not
    # explain get a mixture of their own in the background model when they are more than
    # unexplained_share of the unmarked photo, weighted unexplained_weight x (their share -
    # unexplained_share), at most UNEXPLAINED_MAX_EPS; 0 = off. A correct background mark on
    # one colour then no longer lets the photo's other colours flip to foreground. Uses the
    # zero-marks prior's sample of unmarked pixels (needs unlabelled_weight > 0). Off (0): a
    # window user's few 20-px strokes gain (bench_segment.py --scribbles quick, even frames,
    # weight 3: 6.53 -> 3.37 % / IoU 0.639 -> 0.706), but when the object is a large share of
    # the photo and mostly unmarked the component mirrors it (a two-colour photo, one stroke
    # per half: p(fg) 1.00 -> 0.67 on the object; GrabCut-like crops IoU 0.703 -> 0.697), and
    # the variants that protect the object lost most of the gain (docs/segmentation.md, "Once
    # background is marked").
    unexplained_weight: float = 0.0
    # Which background marks bring the component: "strokes" (only when a background mark group
    # is not click-sized, segmix.local_colour.click_sized_groups: a click corrects one place,
    # and at weight 3 the click protocol lost with it, NoC@90 11.86 -> 12.04) or "all".
    unexplained_marks: str = "strokes"
    # Below this share of unexplained unmarked pixels the marks are taken to cover the photo
    # (DAVIS scribbles: median 0.07 sparse, 0.05 dense; a single road stroke on the bus: 0.40).
    unexplained_share: float = 0.2
    # "Unexplained by a class mixture": a log-density below this quantile of the mixture's
    # log-densities on its own marked pixels.
    unexplained_quantile: float = 0.01
    # Components of the rest mixture.
    unexplained_components: int = 5
    # Local colour classifiers along the mask's boundary (segmix.snapcut, Video SnapCut's
    # localized classifiers; lengths in px of a DAVIS frame, times photo_scale on a larger
    # photo): after the cut, windows of snapcut_window px along the mask's
    # boundary each fit one Gaussian per class on the mask's confident inside / outside
    # (snapcut_margin px from the boundary; with snapcut_agree only where the cut's unary
    # agrees with the mask) and the marks in it (each marked pixel weighing
    # snapcut_mark_weight); within snapcut_band px of the boundary the local log-likelihood
    # ratio times a = snapcut_weight x the windows' colour confidence is added to the cut's
    # unary (snapcut_combine "add"; "mix": (1 - a) unary + a ratio, a at most 1) and the band
    # is cut again with the rest of the mask fixed (snapcut_recut "band"; "full": a whole
    # second cut with that unary), snapcut_rounds times. 0 = off. Measured
    # (docs/clicks_development.md, "Local classifiers along the boundary"): weight 2 with the
    # other defaults here, NoC@90 on the full halves 11.86 -> 10.70 even, 13.20 -> 12.14 odd,
    # drop-backs 22 -> 28 and 15 -> 22, about 80-90 ms more per click on a DAVIS frame. On
    # by default since session 23: the window shows the cut first and refines it after
    # (apply_model's on_cut), so the cut's overlay keeps its time.
    snapcut_weight: float = 2.0
    snapcut_window: int = 41
    snapcut_margin: float = 3.0
    snapcut_band: float = 10.0
    snapcut_recut: str = "band"
    snapcut_combine: str = "add"
    snapcut_rounds: int = 1
    snapcut_mark_weight: float = 1.0
    snapcut_agree: bool = True
    # Experimental, off (0): a texture feature beside the colour (segmix.features, "Texture"):
    # the luma's local gradient magnitude quantised into texture_levels levels of the photo,
    # times texture_weight, so that (colour, level) pairs are trained and scored once each as
    # colours are. The local colour models and the boundary refinement stay colour-only.
    # Full even half of bench_clicks.py, weight 0.5 / 1 with 8 levels: NoC@90 10.70 -> 10.14 /
    # 10.36, mIoU@10 0.857 -> 0.860 / 0.864, at 1.5 / 1.9 x the seconds per click (1.3-1.7 x
    # at 1080p); odd half, weight 0.5: 12.14 -> 11.98, mIoU@1 0.475 -> 0.446
    # (docs/clicks_development.md, "Texture levels").
    texture_weight: float = 0.0
    texture_levels: int = 8
    # Experimental, off (0): background marks inside a box (GrabCut's user edits, T_B) say
    # "this colour is not the object", but the box's inside stays the object's borrowed
    # evidence (unlabelled_evidence's inside_only) and only the marks' exact colours leave it,
    # so a background click on the sand in DAVIS 064's box took 1.7 % of the photo where the
    # sand around it is a fifth. With a tolerance d > 0 the inside's sampled pixels within d in
    # the colour features (about [0, 1] per channel; in CIELAB 0.02 is 2 units of L* or 5 of
    # a* / b*) of a colour marked background inside the box leave the object's evidence too,
    # at most box_correction_max_share of the sample (the nearest first; a colour near a
    # larger share of the inside is the object's too). Measured with bench_clicks.py
    # --box-first 10 (a box, then the protocol's clicks; even half, 10 clicks): NoC@90 7.50
    # off, 7.52 at 0.02 without a cap (seven collapses below 0.4 where the clicked colour was
    # the object's too: mIoU after 3 steps 0.758 -> 0.698), 7.38 / 7.42 capped at 0.2 / 0.3
    # (mIoU after 3 steps 0.750 / 0.741): within a seed's spread, so not on
    # (docs/clicks_development.md, "Background clicks inside a box").
    box_correction_tolerance: float = 0.0
    box_correction_max_share: float = 0.2

    def feature_space(self) -> FeatureSpace:
        """The features these settings train and score on."""
        if self.texture_weight > 0:
            return FeatureSpace(self.color_space, self.position_weight, self.texture_weight, self.texture_levels)
        return FeatureSpace(self.color_space, self.position_weight)

    def validate(self) -> None:
        """Raise ValueError naming the first invalid field."""
        # Each field of the kind of its default, as stored_settings asks of a file: the string
        # keep_connected="no" was true (kept on), fill_holes=None false, refine_rounds=1.5 one
        # round, all without a word.
        defaults = _DEFAULT_SETTINGS
        for f in fields(self):
            value, default = getattr(self, f.name), getattr(defaults, f.name)
            if f.name == "random_state":
                continue  # None too; its own check below
            if isinstance(default, bool):
                ok, kind = isinstance(value, (bool, np.bool_)), "True or False"
            elif isinstance(default, int):
                ok, kind = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)), "an integer"
            elif isinstance(default, float):
                ok, kind = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
                    value, (bool, np.bool_)), "a number"
            else:
                continue  # text: each one's own check below names its choices
            if not ok:
                raise ValueError(f"{f.name} must be {kind}; got {value!r}")
        # The bounds stored_settings asks of a file (n_init=0 failed later in the mixture's
        # words, max_iter=0 fitted nothing without a word, reg_covar < 0 or NaN was taken).
        for name in ("max_exact_pixels", "n_init", "max_iter"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1; got {getattr(self, name)!r}")
        if not (math.isfinite(self.reg_covar) and self.reg_covar >= 0):
            raise ValueError(f"reg_covar must be a finite number >= 0; got {self.reg_covar!r}")
        if isinstance(self.n_components, bool) or not isinstance(self.n_components, (int, np.integer)) or self.n_components < 1:
            raise ValueError(f"n_components must be a positive integer; got {self.n_components!r}")
        if self.covariance_type not in COVARIANCE_TYPES:
            raise ValueError(f"covariance_type must be one of {', '.join(COVARIANCE_TYPES)}; got {self.covariance_type!r}")
        if self.smoothing not in SMOOTHING_METHODS:
            raise ValueError(f"smoothing must be one of {', '.join(SMOOTHING_METHODS)}; got {self.smoothing!r}")
        if not 0.0 <= float(self.threshold) <= 1.0:
            raise ValueError(f"threshold must lie in [0, 1]; got {self.threshold!r}")
        # Weights: finite is not enough; 1e300 overflowed the float32 terms into NaN decisions.
        for name in ("smoothness", "distance_prior", "unlabelled_weight", "distance_colour_weight",
                     "star_colour_weight", "unexplained_weight", "strip_guard", "flood_guard", "removal_guard",
                     "small_object_later", "fill_holes_colour"):
            value = getattr(self, name)
            if not (math.isfinite(float(value)) and 0 <= value <= MAX_WEIGHT):
                raise ValueError(f"{name} must lie in [0, {MAX_WEIGHT:g}]; got {value!r}")
        if not (math.isfinite(float(self.keep_connected_gap)) and 0 <= self.keep_connected_gap <= 1):
            raise ValueError(f"keep_connected_gap must lie in [0, 1]; got {self.keep_connected_gap!r}")
        if not math.isfinite(float(self.keep_connected_log_odds)):
            raise ValueError(f"keep_connected_log_odds must be finite; got {self.keep_connected_log_odds!r}")
        if self.connectivity not in (4, 8, 16):
            raise ValueError(f"connectivity must be 4, 8 or 16; got {self.connectivity!r}")
        if int(self.refine_rounds) < 0:
            raise ValueError(f"refine_rounds must be >= 0; got {self.refine_rounds!r}")
        if int(self.warm_refit_iter) < 1:
            raise ValueError(f"warm_refit_iter must be >= 1; got {self.warm_refit_iter!r}")
        if not (math.isfinite(float(self.local_colour_weight)) and 0 <= self.local_colour_weight <= 1):
            raise ValueError(f"local_colour_weight must lie in [0, 1]; got {self.local_colour_weight!r}")
        if not (math.isfinite(float(self.local_colour_cutoff)) and self.local_colour_cutoff > 0):
            raise ValueError(f"local_colour_cutoff must be positive; got {self.local_colour_cutoff!r}")
        if not (math.isfinite(float(self.unlabelled_foreground_exponent)) and self.unlabelled_foreground_exponent > 0):
            raise ValueError("unlabelled_foreground_exponent must be finite and positive; "
                             f"got {self.unlabelled_foreground_exponent!r}")
        for name in ("local_colour_boundary_reach", "local_colour_geodesic", "unlabelled_border_exponent",
                     "unlabelled_foreground_weight", "box_correction_tolerance"):
            if not (math.isfinite(float(getattr(self, name))) and getattr(self, name) >= 0):
                raise ValueError(f"{name} must be finite and >= 0; got {getattr(self, name)!r}")
        if not (math.isfinite(float(self.box_correction_max_share)) and 0 <= self.box_correction_max_share <= 1):
            raise ValueError(f"box_correction_max_share must lie in [0, 1]; got {self.box_correction_max_share!r}")
        if not (math.isfinite(float(self.local_colour_reach)) and self.local_colour_reach > 0):
            raise ValueError(f"local_colour_reach must be positive; got {self.local_colour_reach!r}")
        if self.unexplained_marks not in UNEXPLAINED_MARKS:
            raise ValueError(f"unexplained_marks must be one of {', '.join(UNEXPLAINED_MARKS)}; "
                             f"got {self.unexplained_marks!r}")
        if self.local_colour_mixing not in LOCAL_MIXING:
            raise ValueError(f"local_colour_mixing must be one of {', '.join(LOCAL_MIXING)}; got {self.local_colour_mixing!r}")
        if self.local_colour_marks not in LOCAL_MARKS:
            raise ValueError(f"local_colour_marks must be one of {', '.join(LOCAL_MARKS)}; got {self.local_colour_marks!r}")
        check_adaptive(self.adaptive_smoothness, self.adaptive_strength)
        if not (math.isfinite(float(self.unexplained_share)) and 0 <= self.unexplained_share < 1):
            raise ValueError(f"unexplained_share must lie in [0, 1); got {self.unexplained_share!r}")
        if not (math.isfinite(float(self.unexplained_quantile)) and 0 < self.unexplained_quantile < 1):
            raise ValueError(f"unexplained_quantile must lie in (0, 1); got {self.unexplained_quantile!r}")
        if (isinstance(self.unexplained_components, bool) or not isinstance(self.unexplained_components, (int, np.integer))
                or self.unexplained_components < 1):
            raise ValueError(f"unexplained_components must be a positive integer; got {self.unexplained_components!r}")
        if not (math.isfinite(float(self.snapcut_weight)) and 0 <= self.snapcut_weight <= MAX_WEIGHT):
            raise ValueError(f"snapcut_weight must lie in [0, {MAX_WEIGHT:g}]; got {self.snapcut_weight!r}")
        if int(self.snapcut_window) < 5:
            raise ValueError(f"snapcut_window must be at least 5 px; got {self.snapcut_window!r}")
        for name in ("snapcut_margin", "snapcut_band"):
            if not (math.isfinite(float(getattr(self, name))) and getattr(self, name) > 0):
                raise ValueError(f"{name} must be positive; got {getattr(self, name)!r}")
        if int(self.snapcut_rounds) < 1:
            raise ValueError(f"snapcut_rounds must be >= 1; got {self.snapcut_rounds!r}")
        if not (math.isfinite(float(self.snapcut_mark_weight)) and 0 <= self.snapcut_mark_weight <= MAX_WEIGHT):
            raise ValueError(f"snapcut_mark_weight must lie in [0, {MAX_WEIGHT:g}]; got {self.snapcut_mark_weight!r}")
        if self.snapcut_recut not in ("band", "full"):
            raise ValueError(f"snapcut_recut must be 'band' or 'full'; got {self.snapcut_recut!r}")
        if self.snapcut_combine not in ("mix", "add"):
            raise ValueError(f"snapcut_combine must be 'mix' or 'add'; got {self.snapcut_combine!r}")
        if self.random_state is not None and (isinstance(self.random_state, bool)
                                              or not isinstance(self.random_state, (int, np.integer))
                                              or self.random_state < 0):
            # NumPy's "expected non-negative integer" named no setting
            raise ValueError(f"random_state must be None or an integer >= 0; got {self.random_state!r}")
        if self.priors not in ("uniform", "scribbles"):
            raise ValueError(f"priors must be 'uniform' or 'scribbles'; got {self.priors!r}")
        FeatureSpace(self.color_space, self.position_weight, self.texture_weight,
                     self.texture_levels)  # validates all four

    def to_dict(self) -> dict:
        """The fields as JSON-able Python values (NumPy scalars, which validate takes, as their
        Python numbers: an np.int64 n_components made write_model fail with "Object of type
        int64 is not JSON serializable")."""
        return {name: value.item() if isinstance(value, np.generic) else value for name, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> "SegmentationSettings":
        """Settings from a dict (:meth:`to_dict`'s), ignoring keys that are no field.

        For a dict of your own, ``SegmentationSettings(**d)`` refuses a misspelt key with a
        "did you mean"; this ignores unknown keys, and warns of those close to a field's name.

        Warns
        -----
        UserWarning
            Naming each ignored key close to a field's name (``"smoothnes"``: did you mean
            ``smoothness``?), which would otherwise leave that field at its default in silence.
        """
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known and isinstance(key, str):
                import difflib

                close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.8)
                if close:
                    warnings.warn(f"SegmentationSettings.from_dict: {key!r} is no segmentation setting and is "
                                  f"ignored; did you mean {close[0]!r}?", UserWarning, stacklevel=2)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class TrainingProgress:
    """One EM iteration of one class, reported while training."""

    class_index: int  # 0 = foreground, 1 = background
    iteration: int
    mean_log_likelihood: float


@dataclass
class SegmentationModel:
    """Trained per-class colour mixtures plus how features are made.

    Attributes
    ----------
    settings : SegmentationSettings
    classifier : BayesClassifier
        Class 0 = foreground, class 1 = background.
    features : FeatureSpace
    training : dict
        Scribbled pixel and distinct-colour counts per class, components used, seed.
    """

    settings: SegmentationSettings
    classifier: BayesClassifier
    features: FeatureSpace
    training: dict = field(default_factory=dict)
    #: (H, W) bool: the mask of the step this model was fitted in, at the threshold 0.5
    #: (:func:`apply_model`), which the next step refines whatever the threshold; None when
    #: that step's mask is its result's. Not saved in model files.
    step_mask: np.ndarray | None = field(default=None, repr=False, compare=False)

    def class_swatches(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per class (foreground, background): ``(weights (K,), mean colours (K, 3) uint8 RGB)``.

        The colour part of each component mean is mapped back from the feature space to
        sRGB (the inverse of the feature scaling, then scikit-image's colour conversion).
        """
        out = []
        for mixture in self.classifier.mixtures:
            rgb = features_to_rgb(mixture.means_[:, :3], self.features.color_space)
            out.append((np.asarray(mixture.weights_, dtype=np.float64).copy(), rgb))
        return out

    # The GUI's model summary looks for this name.
    class_components_rgb = class_swatches

    def to_segmix_model(self):
        """This model as a :class:`segmix.modelfile.SegmixModel` (kind "segmentation") for saving."""
        from segmix.modelfile import SegmixModel

        training = dict(self.training)
        training["settings"] = self.settings.to_dict()
        training["seed"] = self.settings.random_state
        return SegmixModel(
            kind="segmentation",
            classifier=self.classifier,
            features=self.features,
            positive_class=0,
            threshold=float(self.settings.threshold),
            training=training,
        )

    @classmethod
    def from_segmix_model(cls, model, settings: SegmentationSettings | None = None) -> "SegmentationModel":
        """Rebuild from a model file's :class:`SegmixModel` (as written by :meth:`to_segmix_model`)."""
        if model.kind != "segmentation" or model.classifier.n_classes != 2 or model.positive_class != 0:
            raise ValueError("not a two-class segmentation model with foreground as class 0")
        names = [name.strip().lower() for name in model.classifier.class_names]
        if names == list(CLASS_NAMES)[::-1]:
            # A file edited by hand (or by another program) with the classes' names swapped was
            # applied by position: what it calls background came out as the mask, in silence.
            raise ValueError("its class 0 is named 'background' and class 1 'foreground', but a segmentation "
                             "model's class 0 is the foreground (its mixture and prior are used as the object's): "
                             "swap the two classes' entries, not their names, or train the model again")
        if settings is None:
            settings = stored_settings(model.training.get("settings", {}))
            settings.threshold = model.threshold
        settings.color_space = model.features.color_space
        settings.position_weight = model.features.position_weight
        settings.texture_weight = model.features.texture_weight
        settings.texture_levels = model.features.texture_levels
        return cls(settings, model.classifier, model.features, dict(model.training))


_DEFAULT_SETTINGS = SegmentationSettings()  # the kinds of the fields (validate)


def stored_settings(stored: Any) -> SegmentationSettings:
    """The settings a segmentation model file keeps (``training.settings``), checked field by field.

    Optional as a whole and per field: a missing field takes :class:`SegmentationSettings`'
    default, and unknown keys are ignored (settings added by a newer segmix). A present field
    must have its field's JSON type (true/false, an integer, a finite number, text) and a
    valid value (:meth:`SegmentationSettings.validate`, plus ``n_init``, ``max_iter``,
    ``max_exact_pixels`` >= 1 and ``random_state``, ``reg_covar`` >= 0): a file edited by hand
    or by another program was accepted with ``"smoothing": 5`` and failed at the first stroke.

    Raises
    ------
    ValueError
        Naming ``training.settings.FIELD`` and the value found.
    """
    if not isinstance(stored, dict):
        raise ValueError(f"'training.settings' must be a JSON object; got {type(stored).__name__}")
    defaults = SegmentationSettings()
    for f in fields(SegmentationSettings):
        if f.name not in stored:
            continue
        value, default = stored[f.name], getattr(defaults, f.name)
        if isinstance(default, bool):
            ok, kind = isinstance(value, bool), "true or false"
        elif isinstance(default, int):
            ok, kind = isinstance(value, int) and not isinstance(value, bool), "an integer"
        elif isinstance(default, float):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            kind = "a finite number"
        else:
            ok, kind = isinstance(value, str), "text"
        if not ok:
            raise ValueError(f"'training.settings.{f.name}' must be {kind}; got {value!r}")
    # Only the fields this version knows, and no warning: a model file written by a newer
    # segmix holds settings this one lacks (and an older one's may hold retired ones), which
    # are the file's business, not a typo of the user's (from_dict warns of keys close to a field).
    known = {f.name for f in fields(SegmentationSettings)}
    settings = SegmentationSettings.from_dict({key: value for key, value in stored.items() if key in known})
    for name, low in (("n_init", 1), ("max_iter", 1), ("max_exact_pixels", 1), ("random_state", 0), ("reg_covar", 0)):
        if getattr(settings, name) < low:
            raise ValueError(f"'training.settings.{name}' must be >= {low}; got {getattr(settings, name)!r}")
    try:
        settings.validate()
    except ValueError as exc:
        raise ValueError(f"'training.settings': {exc}") from None
    return settings


@dataclass
class SegmentationResult:
    """probability: (H, W) float32 foreground posterior; mask: (H, W) bool final decision.

    ``model`` is the model of the result (after GrabCut's rounds, the mixtures they refitted);
    ``trained_model`` the one fitted to the marks and applied (set by :func:`segment`, None
    from :func:`apply_model` alone): a re-cut of this step at another threshold applies it
    again, as ``segment --threshold`` fits and applies it.
    """

    probability: np.ndarray
    mask: np.ndarray
    model: SegmentationModel
    trained_model: SegmentationModel | None = None


# ------------------------------------------------------------------------ helpers
def features_to_rgb(color_features: np.ndarray, color_space: str) -> np.ndarray:
    """Invert :func:`segmix.features.colors_to_features`: (K, 3) features -> (K, 3) uint8 RGB."""
    f = np.atleast_2d(np.asarray(color_features, dtype=np.float64))[:, :3]
    if color_space == "rgb":
        rgb = f
    elif color_space == "lab":
        lab = np.column_stack([f[:, 0] * 100.0, f[:, 1] * 255.0 - 128.0, f[:, 2] * 255.0 - 128.0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # out-of-gamut means are clipped, that is fine here
            rgb = skcolor.lab2rgb(lab)
    elif color_space == "ycbcr":
        ycc = np.column_stack([f[:, 0] * 219.0 + 16.0, f[:, 1] * 224.0 + 16.0, f[:, 2] * 224.0 + 16.0])
        rgb = skcolor.ycbcr2rgb(ycc)
    elif color_space == "hsv":
        x, y = 2.0 * f[:, 0] - 1.0, 2.0 * f[:, 1] - 1.0
        hue = (np.arctan2(y, x) / (2.0 * np.pi)) % 1.0
        hsv = np.column_stack([hue, np.clip(np.hypot(x, y), 0, 1), np.clip(f[:, 2], 0, 1)])
        rgb = skcolor.hsv2rgb(hsv)
    else:
        raise ValueError(f"unknown color_space {color_space!r}")
    return np.clip(np.rint(np.asarray(rgb) * 255.0), 0, 255).astype(np.uint8)


def _unmarked_colours_all_marked(image: np.ndarray, scribbles: np.ndarray, label: int) -> bool:
    """True when the photo has unmarked pixels and each has a colour marked ``label``."""
    codes = rgb_codes(image)
    unmarked = codes[scribbles == 0]
    return bool(unmarked.size) and bool(np.isin(unmarked, codes[scribbles == label]).all())


def channels_words(name: str, labels: np.ndarray, shape) -> str:
    """": a label image read as 3 channels ..." for (H, W, C) labels of an (H, W) ``shape``,
    else "". OpenCV's ``cv2.imread(p)`` reads a grey label PNG as (H, W, 3): "scribbles shape
    (480, 854, 3) does not match the image shape (480, 854)" told a new user nothing (the two
    look alike), so the words say what it is and how to read it; (H, W, 1) marks are told to
    take their channel, and a red / blue stroke image how to make marks of it
    (:func:`segmix.mark_order.channels_words`)."""
    from segmix.mark_order import channels_words as words

    return words(name, labels, shape)


def check_scribbles(image: np.ndarray, scribbles: np.ndarray, require_both: bool = True) -> np.ndarray:
    """Validate (H, W) scribble labels against an (H, W, 3) image; returns uint8 labels.

    Raises ValueError naming both shapes on a mismatch, the bad label values, or the class
    that has no scribbles.
    """
    if isinstance(scribbles, np.ma.MaskedArray) and np.ma.is_masked(scribbles):
        # np.asarray drops the mask: the masked pixels' values were taken as marks, without a word
        raise ValueError("scribbles is a masked array with masked pixels, whose values would be taken as marks: "
                         "give scribbles.filled(0) (masked = unmarked)")
    listed = not isinstance(scribbles, np.ndarray)  # a nested list has no astype
    scribbles = np.asarray(scribbles)
    if scribbles.shape != image.shape[:2]:
        raise ValueError(
            f"scribbles shape {scribbles.shape} does not match the image shape {image.shape[:2]}"
            + channels_words("scribbles", scribbles, image.shape[:2])
        )
    if scribbles.dtype == bool:
        # As add_point_marks and the order map say it: a mask of the object given as marks.
        raise ValueError("scribbles must be integer labels 0/1/2; got dtype bool: a bool mask of the object as "
                         "foreground marks is mask.astype(np.uint8) (1 = foreground, 0 unmarked)")
    if not np.issubdtype(scribbles.dtype, np.integer):
        raise ValueError(f"scribbles must be integer labels 0/1/2; got dtype {scribbles.dtype}"
                         + float_marks_words(scribbles, "scribbles", listed))
    if scribbles.dtype == np.uint8 and scribbles.size and scribbles.max() <= BACKGROUND:
        # The usual case, checked without np.unique's sort (16 ms on a 1080p label map).
        present = np.array([label for label in (0, FOREGROUND, BACKGROUND) if (scribbles == label).any()])
    else:
        present = np.unique(scribbles)
    bad = present[~np.isin(present, (0, FOREGROUND, BACKGROUND))]
    if bad.size:
        # As a scribble file's refusal says it (labelmaps): an array read from a mask or a
        # trimap was told only its values.
        values = set(present.tolist())
        hint = ""
        if 128 in values and values <= {0, 128, 255}:
            hint = (" (a trimap of 0 / 128 / 255? Its 0 is background and 128 unknown: "
                    "np.select([trimap == 255, trimap == 0], [1, 2], 0).astype(np.uint8) makes it marks)")
        elif values <= {0, 255}:
            hint = (" (a 0 / 255 mask? Marks are 1 on the object, 2 on what is not it and 0 where segmix "
                    "decides: to refine a mask, mark its eroded inside 1 and what lies beyond its dilation 2)")
        raise ValueError(f"scribble labels must be 0, 1 (foreground) or 2 (background); found {bad[:10].tolist()}"
                         + hint)
    if require_both:
        for label, name in zip(CLASS_LABELS, CLASS_NAMES):
            if label not in present:
                raise ValueError(f"no {name} scribbles: paint some {name} pixels first")
    return scribbles.astype(np.uint8, copy=False)


def _class_training_data(image, scribbles, label, features: FeatureSpace):
    """Feature rows, sample weights and distinct-row count of one class's scribbled pixels.

    Returns
    -------
    X : (M, D) float64, weights : (M,) float64, n_distinct : int, n_pixels : int
    """
    h, w = scribbles.shape
    # Flat indices, then fancy indexing: a boolean mask over the (H, W, 3) image costs
    # several times more on a large photo with a few thousand scribbled pixels.
    marked = marked_flat(scribbles)
    selected = marked[scribbles.reshape(-1)[marked] == label]
    n_pixels = int(selected.size)
    if features.uses_texture:
        # The photo's distinct (colour, texture level) pairs: each marked pair once, with counts.
        inverse, feats = _photo_rows(image, features)
        keys, counts = np.unique(inverse[selected], return_counts=True)
        return feats[keys], counts.astype(np.float64), int(keys.size), n_pixels
    pixels = image.reshape(-1, 3)[selected]  # (n_pixels, 3) uint8
    colors, inverse, counts = unique_colors(pixels[None], return_counts=True)
    if not features.uses_position:
        return features.colors_to_features(colors), counts.astype(np.float64), colors.shape[0], n_pixels
    rows, cols = np.divmod(selected, w)
    scale = features.position_weight / max(h, w, 1)
    X = np.empty((n_pixels, 5))
    X[:, :3] = features.colors_to_features(colors)[inverse]
    X[:, 3] = (cols + 0.5) * scale
    X[:, 4] = (rows + 0.5) * scale
    # Each scribbled pixel is a distinct (colour, position) row.
    return X, np.ones(n_pixels), n_pixels, n_pixels


def _distinct_rows(X: np.ndarray) -> int:
    """``np.unique(X, axis=0).shape[0]`` of a (M, D) float array (rows compared by value),
    by one lexicographic sort: 5-6 times faster on the 20,000 rows of a click's training."""
    if X.shape[0] == 0:
        return 0
    rows = X[np.lexsort(X.T[::-1])]
    return 1 + int(np.count_nonzero((rows[1:] != rows[:-1]).any(axis=1)))


# The share of a box's outside that foreground marks after the box may cover while the marks
# still read as a box: a few clicks or strokes (a 5-px click is 81 pixels), never the half of
# the outside that two strokes from edge to edge mark foreground.
FRAME_FOREGROUND_SHARE = 0.1


class NoObjectMarkedWarning(UserWarning):
    """:func:`segment` given marks of the background alone (no foreground, 1, and no box):
    :func:`no_object_words`."""


class MaskLikeMarksWarning(UserWarning):
    """:func:`segment` given marks that look like a filled 0 / 1 object mask, or that mark every
    pixel (:func:`segmix.labelmaps.mask_like_marks`, the words ``segmix segment`` warns)."""


class GrabCutMarksWarning(UserWarning):
    """:func:`segment` given marks that look like an OpenCV grabCut mask of 0 / 1 / 2
    (:func:`segmix.labelmaps.grabcut_start_words`, the words ``segmix segment`` warns)."""


class EmptyMaskWarning(UserWarning):
    """:func:`segment` made a mask without a foreground pixel (:func:`no_foreground_words`; a
    COCO box x, y, width, height read as corners gave a thin strip, and an empty mask)."""


class BoxKeptLittleWarning(UserWarning):
    """:func:`segment` given a box (marks that frame the photo's middle) kept almost none of
    its inside (:func:`box_kept_little_words`)."""


#: A box whose mask keeps under this share of the box's unmarked inside is warned of: a new
#: user's 150-px thumbnail of DAVIS 020's boat kept 2 pixels of its box in silence (empty masks
#: were warned of, nearly empty ones not).
BOX_KEPT_LITTLE = 0.01


def box_kept_little_words(mask, scribbles, advice: str = "click the object (add_point_marks(clicks=[(1, x, y)])), "
                                                         "or draw the box closer round it") -> str | None:
    """"the box kept N of its M unmarked pixels ..." when marks that frame a box
    (:func:`frame_of`) gave a mask of under :data:`BOX_KEPT_LITTLE` of the box's unmarked
    inside, else None: ``segmix segment --box`` warns it with its options in ``advice``,
    :func:`segment` warns it (BoxKeptLittleWarning)."""
    frame = frame_of(scribbles)
    if frame is None:
        return None
    top, bottom, left, right = frame
    inside = np.asarray(scribbles)[top:bottom, left:right] == 0
    n_inside = int(np.count_nonzero(inside))
    kept = int(np.count_nonzero(np.asarray(mask)[top:bottom, left:right] & inside))
    if n_inside == 0 or kept >= BOX_KEPT_LITTLE * n_inside:
        return None
    return (f"the box kept {kept:,} of its {n_inside:,} unmarked pixels ({100 * kept / n_inside:.1f} %): the colours "
            f"in it were hardly told apart from those outside it; {advice}")


class FewColoursWarning(UserWarning):
    """:func:`segment` fitted a class's mixture with fewer components than ``n_components``, as
    its marks (and any colours it borrowed) hold fewer distinct colours
    (:func:`_few_colours_words`; a plain UserWarning until session 52)."""


class SameColoursWarning(UserWarning):
    """:func:`segment` given foreground and background marks on the same colours: the colour
    models cannot tell the classes apart (:func:`same_colours_words`)."""


def same_colours_words(image: np.ndarray, scribbles: np.ndarray) -> str | None:
    """"the foreground and background marks hold the same N colours ..." when the colours under
    the foreground marks (1) and those under the background marks (2) are one and the same set,
    else None. Two marks on a photo of one colour returned the marks alone (p = 0.5 on every
    other pixel) without a word (a new user).

    Parameters
    ----------
    image : (H, W, 3) uint8
    scribbles : (H, W) uint8 marks, checked
    """
    labels = np.asarray(scribbles).reshape(-1)
    flat = np.asarray(image).reshape(-1, 3)

    def codes(where):
        pixels = flat[where].astype(np.int32)
        return (pixels[:, 0] << 16) | (pixels[:, 1] << 8) | pixels[:, 2]

    (_, smaller), (larger_label, _) = sorted(((label, np.count_nonzero(labels == label))
                                              for label in (FOREGROUND, BACKGROUND)), key=lambda pair: pair[1])
    if not smaller:
        return None
    smaller_label = FOREGROUND if larger_label == BACKGROUND else BACKGROUND
    shared = np.unique(codes(np.flatnonzero(labels == smaller_label)))
    # A probe of the larger class on a sparse grid of pixels first: marks of different colours
    # (nearly always) are told apart without reading all of a box's outside (62 ms on a 1080p
    # box read whole, 2 ms probed).
    grid = np.arange(0, labels.size, max(1, labels.size // 4096))
    probe = grid[labels[grid] == larger_label]
    if not np.isin(codes(probe), shared).all():
        return None
    if not np.array_equal(shared, np.unique(codes(np.flatnonzero(labels == larger_label)))):
        return None
    n = shared.size
    return (f"the foreground and background marks hold the same {'colour' if n == 1 else f'{n} colours'}, so the "
            "colour models cannot tell the classes apart (p(foreground) is near 0.5 on every unmarked pixel "
            "of those colours): mark the object and what is not it on colours that differ")


class MarksOnlyWarning(UserWarning):
    """:func:`segment` made a mask of little more than the foreground marks while the per-pixel
    decision calls much more foreground (:func:`segmix.result_notes.marks_only_words`)."""


#: How :func:`no_foreground_words` names what to change: the library's names (the command
#: line passes its options).
LIBRARY_NAMES = {"why": "nothing unmarked was told apart from the background; mark part of the object (1), or "
                        "fewer pixels background (2)",
                 "mark": "mark part of the object (1)", "probability": "result.probability",
                 "smoothness": "settings.smoothness", "lower": "a lower smoothness, or smoothing='none'"}


def no_foreground_words(result, settings, names: dict | None = None, scribbles=None) -> str | None:
    """Why a result has no foreground pixel, in words starting "no pixel came out
    foreground", or None when it has one. ``segmix segment`` says them naming its options
    (``names``), :func:`segment` warns them (EmptyMaskWarning) naming the library's
    (:data:`LIBRARY_NAMES`).

    Parameters
    ----------
    result : SegmentationResult
    settings : SegmentationSettings
        Those the result was made with (its threshold, smoothing and smoothness).
    names : dict, optional
        "why" (what happened and what to mark), and for a cut that kept none of a per-pixel
        foreground: "mark", "probability", "smoothness" and "lower" (what to try).
    scribbles : (H, W) integer array, optional
        The marks: the per-pixel share is then of the unmarked pixels ("inside the box" for a
        box), whose decision the cut made; else of the whole photo.
    """
    if np.asarray(result.mask).any():
        return None
    names = LIBRARY_NAMES if names is None else names
    why = names["why"]
    over = np.asarray(result.probability) > settings.threshold
    where = "of the photo"
    if scribbles is not None and np.shape(scribbles) == over.shape:
        # A box's outside is marked background, and its posterior there is no decision anyone
        # asked for: "over the threshold on 46.6 % of the photo" after a box of 21.5 % (a trial).
        unmarked = np.asarray(scribbles) == 0
        if unmarked.any() and not unmarked.all():  # nothing marked (a saved model applied): the photo
            over = over[unmarked]
            where = "inside the box" if is_framed(np.asarray(scribbles)) else "of the unmarked photo"
    per_pixel = float(np.mean(over))
    if per_pixel > 0 and settings.smoothing != "none":
        # A trial's saved model on a 96 x 64 photo: 37.7 % foreground per pixel, none after
        # the cut, and "the model calls no unmarked colour foreground" was not so.
        why = (f"the foreground posterior ({names['probability']}) is over the threshold on {100 * per_pixel:.1f} % "
               f"{where}, but the graph cut and its clean-ups kept none of it (the colour models are unsure "
               "there, and a region must outweigh the cut's boundary cost, "
               f"{names['smoothness']} {settings.smoothness:g}); {names['mark']}, or try {names['lower']}")
    return f"no pixel came out foreground: {why}"


def _marks_or_none(scribbles, shape):
    """The marks as an (H, W) array of ``shape``, or None when they cannot be read so (the
    empty-mask words then count the whole photo)."""
    try:
        marks = np.asarray(scribbles)
    except (TypeError, ValueError):
        return None
    return marks if marks.shape == tuple(shape) else None


def no_object_words(scribbles) -> str | None:
    """Why marks of the background alone (no foreground, 1, and not a box: :func:`is_framed`)
    make no object, in the window's words (its hint "No object marked yet"), or None.

    The mask is then the foreground the model borrowed: every colour unlike the background
    marks (about half of a DAVIS photo under one background stroke, a new user's trial).
    ``segmix segment`` says it naming the marks file first, :func:`segment` warns it
    (NoObjectMarkedWarning).

    Parameters
    ----------
    scribbles : (H, W) uint8 array of 0 (unmarked), 1 (foreground), 2 (background)

    Returns
    -------
    str or None
    """
    scribbles = np.asarray(scribbles)
    if (scribbles == FOREGROUND).any() or not (scribbles == BACKGROUND).any() or is_framed(scribbles):
        return None
    return ("no object marked (no foreground, 1): the mask is every colour unlike the background marks (2); mark "
            "part of the object foreground (1) to say what to keep")


def is_framed(scribbles: np.ndarray) -> bool:
    """True when the marks frame the unmarked pixels, as a rectangle does: outside the
    bounding box of the unmarked pixels every pixel is marked, nearly all background
    (``FRAME_FOREGROUND_SHARE``), and that outside is not empty.

    The window's rectangle tool marks the outside of the box background (GrabCut's T_B; a
    box may touch the photo's edges); the unmarked inside is then "probably the object"
    (GrabCut's T_U, initially foreground) also after marks are added inside or outside it,
    which GrabCut treats as edits, not as a new start. Clicks and strokes leave unmarked pixels
    near every edge, so their bounding box is the whole photo.

    A frame must also close the unmarked pixels in from two sides at least: a background
    stroke along one edge of the photo marks whole rows (or columns) from edge to edge and
    leaves a "box" of the rest, which a trial's stroke along the sky of the astronaut photo
    was read as (no box round any of the 100 DAVIS objects, with a margin up to 20 px, touches
    three edges; a box as wide as the photo but lower, framed above and below, stays a box).
    """
    return frame_of(scribbles) is not None


#: Weight of the texture feature (:class:`segmix.features.FeatureSpace`: the luma's local
#: gradient magnitude in ``texture_levels`` levels) beside the grey level for a box on a
#: greyscale photo (GrabCut's rectangle), when the settings ask for neither position nor
#: texture. Grey levels alone tell the box's object from what surrounds it inside the box
#: badly: on the DAVIS frames made grey, a box alone gave mean IoU 0.36 (even frames).
#: Measured on the even frames (docs/segmentation.md, "Greyscale photos"), checked on the odd.
#: The pixel position did better on the even frames (0.61) but, with no colour cache for its
#: rows, took 4-8 s a box there against 0.3-0.7 s. Colour photos keep colour alone (position
#: lowered their box's mean IoU, 0.658 -> 0.562), and clicks are not a box.
GREY_BOX_TEXTURE_WEIGHT = 2.0


def bars_box(image: np.ndarray, scribbles) -> tuple[int, int, int, int] | None:
    """The box ``(y0, y1, x0, x1)`` of the photo inside bars of one colour that
    :func:`iter_train_model` and :func:`apply_model` segment alone (the bars background), or
    None (:func:`segmix.photo_bars.segmentation_box`). A box's marks are left as they are: their
    outside, bars and all, is background already (a box was not hurt by bars)."""
    box = photo_bars.segmentation_box(image, scribbles)
    return None if box is None or (scribbles is not None and is_framed(np.asarray(scribbles))) else box


def is_greyscale(image: np.ndarray, tolerance: int = 2) -> bool:
    """Whether an (H, W, 3) uint8 photo holds grey levels only: its three channels within
    ``tolerance`` levels of each other at every pixel (a grey JPEG decoded to RGB may differ by
    one or two where its chroma was rounded); :func:`segmix.features.grey_within`."""
    image = np.asarray(image)
    return image.ndim == 3 and grey_within(image, tolerance)


def box_feature_space(settings: "SegmentationSettings", image: np.ndarray) -> FeatureSpace:
    """The features a box's marks are trained on: ``settings.feature_space()``, with the
    texture feature at :data:`GREY_BOX_TEXTURE_WEIGHT` on a photo without colour, greyscale or
    toned (:func:`is_monochrome`), when the settings use neither position nor texture."""
    if (settings.position_weight == 0 and settings.texture_weight == 0 and GREY_BOX_TEXTURE_WEIGHT > 0
            and is_monochrome(image)):
        return FeatureSpace(settings.color_space, 0.0, GREY_BOX_TEXTURE_WEIGHT, settings.texture_levels)
    return settings.feature_space()


def grey_box_texture_used(model, settings: "SegmentationSettings") -> bool:
    """Whether ``model`` (a :class:`SegmentationModel`) learnt the texture because its marks
    were a box on a greyscale photo (:func:`box_feature_space`), not because ``settings``
    asked for it: the command line and the window say so, as the settings do not show it."""
    features = getattr(model, "features", None)
    return bool(features is not None and features.texture_weight > 0 and settings.texture_weight == 0
                and settings.position_weight == 0)


#: A box's background evidence: the outside within :data:`BOX_RING_MARGIN` of the box's
#: longer side round it is added to the background's sample (the whole outside, as GrabCut's
#: T_B) with this many times the box's unmarked pixel count in weight. Why: a box tight round a
#: small object (a 20 x 35 px hiker pasted on DAVIS 047's tutu, 303 px of a 70 x 85 box) is
#: mostly the background next to the object; the background mixture of the whole photo's
#: outside (5 components over 400,000 px of street, grass and people) left the tutu's pink
#: unexplained, the foreground mixture took it, and the box was flooded (2,943 px, IoU 0.099;
#: grabCut 0.884). docs/clicks_development.md, "A box round a small object" (session 57).
BOX_RING_WEIGHT = 20.0
BOX_RING_MARGIN = 0.5


def _box_ring_rows(image, scribbles, features: FeatureSpace):
    """The background's rows of the outside next to a box (:data:`BOX_RING_WEIGHT`): (M, D)
    feature rows of the distinct colours within ``BOX_RING_MARGIN`` x the box's longer side
    round the box, marked background, and their (M,) weights (in all BOX_RING_WEIGHT x the
    box's unmarked pixels); None for marks that frame no box or a box with no outside near."""
    frame = frame_of(scribbles)
    if frame is None or features.uses_texture or features.uses_position:
        return None  # rows of colours alone (a grey photo's box has texture levels: left as it was)
    r0, r1, c0, c1 = frame
    if (scribbles[r0:r1, c0:c1] != 0).any():
        # Marks in the box: the user's own evidence from there on. With the ring, a box and two
        # background clicks on ccp_0511's hair lost a third of the face (test_edge_clicks54:
        # 0.669 of it kept, 0.95 before); the ring is the box alone's prior, as GrabCut's first round.
        return None
    h, w = scribbles.shape
    margin = int(round(BOX_RING_MARGIN * max(r1 - r0, c1 - c0)))
    top, bottom, left, right = max(0, r0 - margin), min(h, r1 + margin), max(0, c0 - margin), min(w, c1 + margin)
    ring = scribbles[top:bottom, left:right] == BACKGROUND
    ring[r0 - top:r1 - top, c0 - left:c1 - left] = False
    if not ring.any():
        return None
    pixels = image[top:bottom, left:right][ring]
    colors, _, counts = unique_colors(pixels[None], return_counts=True)
    n_inside = np.count_nonzero(scribbles[r0:r1, c0:c1] == 0)
    weights = counts.astype(np.float64) * (BOX_RING_WEIGHT * n_inside / pixels.shape[0])
    return features.colors_to_features(colors), weights


#: A box alone under this diagonal (px) has the cut's gamma scaled by its diagonal over it.
SMALL_BOX_DIAGONAL = 100.0


def box_gamma_scale(fixed: np.ndarray) -> float:
    """The cut's gamma factor for a box alone (:func:`frame_of`, nothing marked inside):
    ``min(1, hypot(box height, width) / SMALL_BOX_DIAGONAL)``; 1 for other marks.

    The box says how large the object is, as a photo's size does for :func:`small_photo_scale`:
    the object's colour evidence grows with its area, its boundary's cost with its side, so at
    the gamma tuned on DAVIS objects (7.6 % of the frame) a box round an object of 20 x 35 px
    came back empty or nearly so with the colour models finding the object (the per-pixel
    decision IoU 0.82 on DAVIS 077's hiker pasted on frame 030). Chosen on seven such pastes
    and 12 of even DAVIS sources on even frames (diagonals 100, 150, 200 and the power 0.5
    tried), checked on 12 odd ones (docs/clicks_development.md, session 58). Clicks in the
    box keep the photo's gamma, as the box's ring (:func:`_box_ring_rows`): the user's own
    evidence from there on. The cut takes the smaller of this and :func:`small_photo_scale`, so a
    small photo's box is not shrunk twice.

    Parameters
    ----------
    fixed : (H, W) uint8, the marks (0 unmarked, 1 foreground, 2 background)

    Returns
    -------
    float in (0, 1]
    """
    if fixed.size == 0 or not (fixed[0, 0] and fixed[0, -1] and fixed[-1, 0] and fixed[-1, -1]):
        return 1.0  # a photo corner unmarked: no box's outside (the usual click or stroke; no full-photo pass)
    frame = frame_of(fixed)
    if frame is None:
        return 1.0
    r0, r1, c0, c1 = frame
    diagonal = math.hypot(r1 - r0, c1 - c0)
    if diagonal >= SMALL_BOX_DIAGONAL or (fixed[r0:r1, c0:c1] != 0).any():
        return 1.0
    return diagonal / SMALL_BOX_DIAGONAL


def frame_of(scribbles: np.ndarray) -> tuple[int, int, int, int] | None:
    """The box (top, bottom, left, right; bottom and right exclusive) that the marks frame
    (:func:`is_framed`), or None when they frame nothing."""
    scribbles = np.asarray(scribbles)
    unmarked = scribbles == 0
    rows, cols = np.flatnonzero(unmarked.any(axis=1)), np.flatnonzero(unmarked.any(axis=0))
    if rows.size == 0:
        return None
    r0, r1, c0, c1 = int(rows[0]), int(rows[-1] + 1), int(cols[0]), int(cols[-1] + 1)
    h, w = scribbles.shape
    if int(r0 > 0) + int(r1 < h) + int(c0 > 0) + int(c1 < w) < 2:  # int(): numpy bools add up as "or"
        return None  # a band along one edge, or nothing framed: no box (above)
    outside = np.ones((h, w), bool)
    outside[r0:r1, c0:c1] = False
    # Every unmarked pixel lies in the box by construction; outside it, all is marked and
    # nearly all background (foreground on one side and background on the other, with an
    # unmarked strip between them from edge to edge, is two strokes, not a box). Foreground
    # marks outside are corrections after the box, as GrabCut's user edits: a foreground click
    # beside a box made the marks "no box", and the box's inside, no longer the object's
    # evidence, went from the mask (DAVIS 000, IoU 0.87 -> 0.00: the click's disc alone).
    values = scribbles[outside]
    if not (values != 0).all():
        return None
    if np.count_nonzero(values == FOREGROUND) > FRAME_FOREGROUND_SHARE * values.size:
        return None
    return r0, r1, c0, c1


def foreground_seeds(scribbles: np.ndarray) -> np.ndarray:
    """The pixels the mask's foreground must be joined to (``keep_connected``), (H, W) bool.

    The foreground marks; in a box (:func:`frame_of`) whose inside holds no foreground mark,
    also the inside's unmarked pixels: the inside is the object's evidence as for a box alone,
    so a foreground click outside the box (a part beyond it) must not drop the object inside,
    which joins no foreground mark (DAVIS 000's box and a click beside it: IoU 0.87 -> 0.00).
    """
    scribbles = np.asarray(scribbles)
    seeds = scribbles == FOREGROUND
    frame = frame_of(scribbles) if seeds.any() else None
    if frame is not None:
        r0, r1, c0, c1 = frame
        if not seeds[r0:r1, c0:c1].any():
            seeds[r0:r1, c0:c1] |= scribbles[r0:r1, c0:c1] == 0
    return seeds


def one_pixel_clicks(shape) -> bool:
    """True on a photo whose click disc is one pixel (:func:`segmix.clicks.click_radius` under
    1: under 8 px on its shorter side), where each step of marks is fitted afresh, as the
    same marks at once.

    The chain of steps (the one-signed step, ``monotone_clicks``, and the guards' leans
    towards the previous mask) holds each result to the one before; with one-pixel marks
    the first click's foreground model is that one pixel's colour, its mask often the pixel
    alone, and a background click that agrees with that mask left it so: ``--click 2,2
    --background-click 0,0`` on a noisy 5 x 5 photo of a plus kept 1 pixel of the plus's 5,
    the same marks at once (``--scribbles``) the plus. On such a photo one pixel is a large
    share of a class's sample, so a refit is the step's change, not a correction to hold.
    Photos of 8 px and more are not affected."""
    return len(shape) >= 2 and min(shape[:2]) >= 1 and click_radius(shape) < 1


def first_object_marks(scribbles: np.ndarray, previous_scribbles: np.ndarray | None) -> bool:
    """True when ``scribbles`` bring the first evidence of the object to previous marks that
    framed nothing (:func:`is_framed`): the first foreground marks after background strokes or
    clicks alone, or a box (the marks now frame the unmarked pixels) after any marks.

    Until then the foreground model borrowed every unmarked colour unlike the background
    marks (:func:`_borrowing`), so the previous mask was not an object of the user's, and
    the one-signed step (``monotone_clicks``), which keeps a foreground-only step from
    removing foreground, would hold the new result to it. A box is GrabCut's start (its inside
    T_U, "probably the object"), not a correction of the mask before it: as a step that adds
    only background it could only remove foreground from that mask, so a box after a
    background click kept the click's borrowed mask cut to the box (coffee.png: 15 % of the
    photo where the box alone, and the same marks at once, give 34 %), and a box after a
    foreground click only shrank the click's mask. Marks after a box keep the rule: a click on
    the suit after a box must not remove the astronaut's face.

    Parameters
    ----------
    scribbles : (H, W) uint8 labels; previous_scribbles : (H, W) uint8 labels or None (unknown:
        False).
    """
    if previous_scribbles is None:
        return False
    previous_scribbles = np.asarray(previous_scribbles)
    scribbles = np.asarray(scribbles)
    if previous_scribbles.shape != scribbles.shape or is_framed(previous_scribbles):
        return False
    if is_framed(scribbles):
        return True  # a new box
    if (previous_scribbles == FOREGROUND).any():
        return False
    return bool((scribbles == FOREGROUND).any())


def marked_classes(scribbles: np.ndarray) -> tuple[bool, bool]:
    """(any foreground mark, any background mark) of a label image."""
    values = scribbles.reshape(-1)[marked_flat(scribbles)]
    return bool((values == FOREGROUND).any()), bool((values == BACKGROUND).any())


# The training's label for pixels that are evidence for neither class (iter_train_model's
# ``transparent``); never a mark of the user's (check_scribbles refuses it).
_NO_EVIDENCE = 3

# Unlabelled pixels sampled for the zero-marks prior: enough for a 5-component colour
# mixture, few enough that its fit costs a few milliseconds.
UNLABELLED_SAMPLE = 20_000


class _LastKeys:
    """The last photo's sample keys for one seed: each click asks twice (foreground and
    background evidence), and every click of a photo asks again (137 ms and 96 MB a call
    at 12 MP). Keyed by the array's identity (a weak reference; the photo is not held),
    shape, a CRC-32 of its bytes and the seed."""

    def __init__(self):
        self._lock = threading.RLock()
        self._entry = None  # (weakref to the photo, key, keys)

    def get(self, image: np.ndarray, seed: int, compute) -> np.ndarray:
        key = (image.shape, zlib.crc32(memoryview(image).cast("B")), seed)
        entry = self._entry
        if entry is not None and entry[0]() is image and entry[1] == key:
            return entry[2]
        keys = compute()
        keys.setflags(write=False)
        try:
            ref = weakref.ref(image, self._forget)
        except TypeError:
            return keys
        with self._lock:
            old, self._entry = self._entry, (ref, key, keys)
        del old
        return keys

    def _forget(self, ref) -> None:
        with self._lock:
            if self._entry is not None and self._entry[0] is ref:
                self._entry = None


_LAST_KEYS = _LastKeys()


def sample_keys(image: np.ndarray, seed: int | None) -> np.ndarray:
    """Per-pixel sample keys of an (H, W, 3) uint8 photo: (H*W,) uint64 (read-only), the same
    for a pixel of the same colour at the same distance from the centre whichever way the photo
    is turned or mirrored (:func:`segmix.kernels.pixels.turn_invariant_keys`). ``seed`` (int >=
    0, or None for fresh entropy) salts them: pixels with ``keys < _key_threshold(p)`` are a
    sample of share p. The last photo's keys are kept for its next call with the same seed."""
    fresh = seed is None
    if fresh:
        seed = int(np.random.default_rng().integers(0, 2**63))
    salt = np.uint64((int(seed) * 0x9E3779B97F4A7C15) & (2**64 - 1))
    image = np.ascontiguousarray(image)
    h, w = image.shape[:2]

    def compute():
        return pixel_kernels.turn_invariant_keys(image.reshape(-1, 3), h, w, salt)

    return compute() if fresh else _LAST_KEYS.get(image, int(seed), compute)


def _key_threshold(share: float) -> np.uint64:
    """The key below which a share ``share`` of uniformly spread uint64 keys falls."""
    return np.uint64(min(2**64 - 1, int(max(0.0, float(share)) * 2.0**64)))


def unlabelled_evidence(
    image, scribbles, features: FeatureSpace, weight: float, seed: int = 0,
    other_label: int | None = None, border_exponent: float = 0.0, inside_only: bool = False,
    min_kept: float = 0.0, toward_foreground: float = 0.0, near_inside: float = 0.0,
    near_inside_share: float = 1.0,
):
    """The unlabelled pixels as weak colour evidence for a class: rows and sample weights.

    A user who clicks once on an object has said nothing about the background, but the photo
    has: most of what is not marked is not the object (the object is usually a minority of
    the photo), so the colour distribution of the unmarked pixels is a prior estimate of the
    background's (GrabCut's "unknown is probably background" without a box). It is given
    the total weight of ``weight`` pixels, so marks outweigh it as the user adds them, and it
    is dropped where it conflicts with the marks: it never contains a marked pixel, nor an
    unmarked pixel whose exact colour the user marked as the other class. For a rectangle alone (background marked outside, no
    foreground mark) the same evidence, taken inside, is the initial foreground model, as in
    GrabCut.

    Parameters
    ----------
    image : (H, W, 3) uint8; scribbles : (H, W) uint8 labels
    features : FeatureSpace
    weight : float
        Total sample weight, in pixels (only its ratio to the class's marked pixels matters).
    seed : int
        Seed of the pixel sample (:data:`UNLABELLED_SAMPLE` pixels at most).
    other_label : int, optional
        The other class's label: unmarked pixels of a colour marked with it are left out.
    inside_only : bool
        Sample the unmarked pixels only (the inside of a box, :func:`is_framed`), not the
        whole photo.
    min_kept : float in [0, 1]
        The colours marked as ``other_label`` are left out while that keeps at least this
        share of the sample; below it, the left-out pixels whose colour the other class's
        marks hold least often are put back up to the share (ties in sample order).
    near_inside : float
        0: off. d > 0 (with ``inside_only``): sampled pixels whose colour features lie within
        d (Euclidean) of a colour marked ``other_label`` inside the box are left out as well,
        leaving out at most ``near_inside_share`` of the sample, the nearest, and keeping at
        least ``min_kept`` of it (``SegmentationSettings.box_correction_tolerance`` and
        ``box_correction_max_share``).
    toward_foreground : float
        0: off. q > 0 (for the foreground's evidence): a pixel counts ``(1 - c)^q``, c =
        :func:`foreground_closeness` (0 on a foreground mark, 1 on a background mark or the
        border); nothing is borrowed when c is undefined (no foreground mark, or one on the
        border with no background marked).
    border_exponent : float
        0: every sampled pixel counts the same. p > 0 (for the background's evidence): a
        pixel counts ``(d_fg / (d_fg + d_bg))^p``, d_fg its distance to the nearest
        foreground mark and d_bg to the image border, while the distance prior takes the
        border as background (no background marked; see :func:`relative_background_distance`).

    Returns
    -------
    X : (M, D) float64 features, weights : (M,) float64 summing to ``weight``
    """
    h, w = scribbles.shape
    n = h * w
    flat_labels = scribbles.reshape(-1)
    # Drawn by keys of colour and distance to the centre, and kept in key order: the same
    # pixels in the same order when the photo and its marks are turned or mirrored together
    # (a sample by position gave DAVIS 024's click a mask of 11.7 % of the photo, 19.9 %
    # turned by 90 degrees).
    keys = sample_keys(image, seed)
    if inside_only:
        # A box: the sample is drawn from the unmarked inside (a sample of the whole photo
        # would keep only the inside's share of it, a few hundred pixels for a small box).
        index = np.flatnonzero(flat_labels == 0)
        index = index[keys[index] < _key_threshold(UNLABELLED_SAMPLE / max(index.size, 1))]
    else:
        index = np.flatnonzero(keys < _key_threshold(UNLABELLED_SAMPLE / n))
        index = index[flat_labels[index] == 0]
    index = index[np.argsort(keys[index], kind="stable")]
    if other_label is not None and index.size:
        # A colour the user marked as the other class is not borrowed for this one.
        def codes(rgb):
            rgb = rgb.astype(np.int32)
            return (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]

        marked = marked_flat(scribbles)
        marked = marked[flat_labels[marked] == other_label]
        share = 1.0 / photo_scale((h, w)) ** 2
        if share < 1.0:
            # Colours are matched exactly, and the same scene on a larger photo has more
            # pixels of each region, so its marks hold more of its distinct colours: a box's
            # outside on a 2x copy of DAVIS 070 left out 85 % of the inside's sample (74 % on
            # the frame), under BOX_MIN_KEPT, and the whole inside became the object's
            # evidence (IoU 0.53 -> 0.31). A random share of the marks, as many pixels as the
            # marks of a DAVIS-sized copy, holds as many colours as there (kept 25.7 % at 1x,
            # 25.4 / 24.8 / 24.8 % at 2x / 4x / 12 MP).
            marked = marked[keys[marked] < _key_threshold(share)]
        other = codes(image.reshape(-1, 3)[marked])
        sample_codes = codes(image.reshape(-1, 3)[index])
        excluded = np.isin(sample_codes, other)
        if excluded.any() and other.size and other_label == FOREGROUND:
            # A colour the object's marks hold far more rarely than the photo does is the
            # photo's, not the object's: a click on a car pasted on pure white held one white
            # highlight pixel of its 81, the white backdrop (96 % of the photo) left the
            # background's evidence, and the whole photo became the object (IoU 0.04). Left out
            # are the colours whose share of the marks is at least 1 / MARKED_COLOUR_RARITY of
            # their share of the sample. Not for the object's own borrowing: a box's outside
            # holds each colour rarely (it is most of the photo), and its colours must leave the
            # inside's evidence (GrabCut's T_U) however rarely it holds them.
            other_codes, other_counts = np.unique(other, return_counts=True)
            found, found_counts = np.unique(sample_codes[excluded], return_counts=True)
            marked_share = other_counts[np.searchsorted(other_codes, found)] / other.size
            photo_colour = found[found_counts / sample_codes.size > MARKED_COLOUR_RARITY * marked_share]
            if photo_colour.size:
                excluded &= ~np.isin(sample_codes, photo_colour)
        kept = index[~excluded]
        if kept.size >= min_kept * index.size:
            index = kept
        else:
            # Topped up to the share with the colours the other class holds least often:
            # all or nothing made a cliff (a box 8 px round DAVIS 070's object fell just
            # under the share, and the whole inside counted: IoU 0.29; topped up, 0.53).
            missing = int(np.ceil(min_kept * index.size)) - kept.size
            other_codes, other_counts = np.unique(other, return_counts=True)
            counts = other_counts[np.searchsorted(other_codes, sample_codes[excluded])]
            back = index[excluded][np.argsort(counts, kind="stable")[:missing]]
            index = np.concatenate([kept, back])
            index = index[np.argsort(keys[index], kind="stable")]
    if index.size and inside_only and near_inside > 0 and other_label is not None:
        index = _away_from_inside_marks(image, scribbles, features, index, other_label, float(near_inside),
                                        max(min_kept, 1.0 - float(near_inside_share)), keys)
    if index.size and toward_foreground > 0:
        closeness = foreground_closeness(scribbles, index)
        if closeness is None:
            return np.empty((0, features.n_features)), np.empty(0)
        pixel_weight = (1.0 - closeness) ** float(toward_foreground)
        # Pixels far from the marks weigh almost nothing (0.001 at c = 0.44 with q = 12) but
        # would cost the EM fit their rows: five of six of a 1080p click's sample.
        keep = pixel_weight > FOREGROUND_EVIDENCE_FLOOR
        index, pixel_weight = index[keep], pixel_weight[keep]
    elif index.size and border_exponent > 0:
        closeness = relative_background_distance(scribbles, index)
        if closeness is not None:
            pixel_weight = closeness ** float(border_exponent)
            keep = pixel_weight > 0
            index, pixel_weight = index[keep], pixel_weight[keep]
    else:
        closeness = None
    if index.size == 0:
        return np.empty((0, features.n_features)), np.empty(0)
    if features.uses_texture:
        photo_inverse, feats = _photo_rows(image, features)
        keys, inverse = np.unique(photo_inverse[index], return_inverse=True)
        X = feats[keys]
        counts = np.bincount(inverse.reshape(-1), weights=None if closeness is None else pixel_weight,
                             minlength=keys.size).astype(np.float64)
        return X, counts * (float(weight) / counts.sum())
    pixels = image.reshape(-1, 3)[index]
    if features.uses_position:
        rows, cols = np.divmod(index, w)
        scale = features.position_weight / max(h, w, 1)
        X = np.empty((index.size, 5))
        X[:, :3] = features.colors_to_features(pixels)
        X[:, 3] = (cols + 0.5) * scale
        X[:, 4] = (rows + 0.5) * scale
        counts = np.ones(index.size) if closeness is None else pixel_weight
    else:
        colors, inverse, counts = unique_colors(pixels[None], return_counts=True)
        X = features.colors_to_features(colors)
        counts = (counts.astype(np.float64) if closeness is None
                  else np.bincount(inverse, weights=pixel_weight, minlength=colors.shape[0]))
    return X, counts * (float(weight) / counts.sum())


def _away_from_inside_marks(image, scribbles, features: FeatureSpace, index: np.ndarray, other_label: int,
                            tolerance: float, min_kept: float, keys: np.ndarray) -> np.ndarray:
    """``index`` (flat pixel indices of a box's sample, in key order) without the pixels whose
    colour features lie within ``tolerance`` of a colour marked ``other_label`` inside the box
    (:func:`frame_of`), keeping at least ``min_kept`` of them: the farthest, then in key
    order. Unchanged without such marks or with texture or position features (the marks'
    colours alone do not place those rows)."""
    from scipy.spatial import cKDTree

    frame = frame_of(scribbles)
    if frame is None or features.uses_texture or features.uses_position:
        return index
    top, bottom, left, right = frame
    inside = image[top:bottom, left:right][scribbles[top:bottom, left:right] == other_label]
    if inside.size == 0:
        return index
    marked = features.colors_to_features(unique_colors(inside[None])[0])
    colours, inverse = unique_colors(image.reshape(-1, 3)[index][None])[:2]
    distance = cKDTree(marked).query(features.colors_to_features(colours))[0][inverse.reshape(-1)]
    far = distance > tolerance
    wanted = int(np.ceil(min_kept * index.size))
    if np.count_nonzero(far) < wanted:
        # Topped up with the farthest, as the exact colours are (no cliff at the share).
        far = np.zeros(index.size, np.bool_)
        far[np.argsort(-distance, kind="stable")[:wanted]] = True
    kept = index[far]
    return kept[np.argsort(keys[kept], kind="stable")]


#: Pixels whose foreground-evidence weight (1 - c)^q is below this are not borrowed.
FOREGROUND_EVIDENCE_FLOOR = 1e-3


def _outline(flat: np.ndarray, pixels: np.ndarray, h: int, w: int) -> np.ndarray:
    """The pixels of ``pixels`` (flat indices into the (H, W) labels ``flat``, one label) with
    a 4-neighbour in the image that holds another label.

    For a point outside a set of pixels the nearest member is always one of these: from an
    inner pixel, the step towards the point along its larger offset lands on another member
    and is nearer. So nearest-mark distances need only the outline, a tenth of a click
    disc's pixels, and :func:`foreground_closeness` takes half the time (42 -> 20 ms on a
    1080p click's sample).
    """
    label = flat[pixels]
    rows, cols = np.divmod(pixels, w)
    edge = np.zeros(pixels.size, np.bool_)
    for inside, step in ((rows > 0, -w), (rows < h - 1, w), (cols > 0, -1), (cols < w - 1, 1)):
        neighbour = np.where(inside, pixels + step, pixels)
        edge |= flat[neighbour] != label
    return pixels[edge]


def foreground_closeness(scribbles: np.ndarray, index: np.ndarray) -> np.ndarray | None:
    """d_fg / (d_fg + d_bg) at the flat pixel indices ``index``: 0 on a foreground mark, 1 on
    a background mark or the image border.

    d_fg: the Euclidean distance in pixels to the nearest foreground mark; d_bg: to the
    nearest background mark, or to the image border if that is nearer and no foreground
    mark touches the border (an object reaching the border says nothing about it). With no
    background mark, the border's sides that no foreground mark touches count (a click on an
    object's part at the photo's edge: with the whole border left out the foreground
    borrowed nothing and the mask was the click's disc). None without a foreground mark, or
    with foreground marks on all four sides and no background mark (nothing to measure
    against). KD-trees of the marks' outlines (:func:`_outline`; ``index`` must
    be unmarked pixels); the border's distance is exact.
    """
    from scipy.spatial import cKDTree

    h, w = scribbles.shape
    flat = scribbles.reshape(-1)
    marked = marked_flat(scribbles)
    fg = marked[flat[marked] == FOREGROUND]
    bg = marked[flat[marked] == BACKGROUND]
    if fg.size == 0:
        return None
    fr, fc = np.divmod(fg, w)
    touched = ((fr == 0).any(), (fr == h - 1).any(), (fc == 0).any(), (fc == w - 1).any())
    on_border = any(touched)
    if on_border and bg.size == 0:
        if all(touched):
            return None
        # The sides the marks touch say nothing (the object reaches them), the others still
        # frame it: with none of the border counted, a click on an object at the photo's
        # bottom edge borrowed 4 colours and selected its disc (IoU 0.01; 6 px up, 1.00).
        on_border = False
    else:
        touched = (False, False, False, False)
    rows, cols = np.divmod(index, w)
    points = np.column_stack([rows, cols]).astype(np.float64)

    def distance(marks):
        return cKDTree(np.column_stack(np.divmod(_outline(flat, marks, h, w), w)).astype(np.float64)).query(points)[0]

    d_fg = distance(fg)
    d_bg = distance(bg) if bg.size else np.full(index.size, np.inf)
    if not on_border:
        sides = [np.where(side_touched, np.inf, side).astype(np.float64) for side_touched, side
                 in zip(touched, (rows, h - 1 - rows, cols, w - 1 - cols))]
        d_bg = np.minimum(d_bg, np.minimum(np.minimum(sides[0], sides[1]), np.minimum(sides[2], sides[3])))
    return d_fg / np.maximum(d_fg + d_bg, 1e-9)


def relative_background_distance(scribbles: np.ndarray, index: np.ndarray) -> np.ndarray | None:
    """d_fg / (d_fg + d_bg) at the flat pixel indices ``index``: 0 on a foreground mark, 1 on
    the image border (d_bg: the distance to the border).

    Only while the border is the distance prior's zero-background seed (see
    :func:`_scribble_distance_grid`): foreground marked, no background marked (the sides a
    foreground mark touches left out). Otherwise None (the borrowed evidence stays unweighted; weighting it
    by the distance to the background marks instead concentrated it next to those marks and
    made full-frame click NoC@90 worse). Euclidean distances in pixels (the foreground
    marks' KD-tree; the border's distance is exact).
    """
    if (scribbles == BACKGROUND).any():
        return None  # the user's background marks take over from the border
    # With no background mark this is foreground_closeness's d_bg: the border's distance.
    return foreground_closeness(scribbles, index)


def _make_mixture(settings: SegmentationSettings, n_components: int, reg_covar: float | None = None,
                  **init) -> GaussianMixture:
    """A class mixture of the settings; ``reg_covar`` the photo's floor
    (:func:`segmix.contrast_floor.covariance_floor`), ``settings.reg_covar`` when None."""
    return GaussianMixture(
        n_components,
        covariance_type=settings.covariance_type,
        reg_covar=settings.reg_covar if reg_covar is None else reg_covar,
        max_iter=settings.max_iter,
        n_init=settings.n_init,
        random_state=settings.random_state,
        **init,
    )


def _borrowing(scribbles, label: int, n_pixels: int, is_marked: bool, framed: bool,
               settings: SegmentationSettings) -> dict | None:
    """What a class borrows of the unmarked pixels (the zero-marks prior, see
    :func:`unlabelled_evidence`): its keyword arguments besides the image, the seed and the
    other class's label, or None for nothing.

    With W = ``unlabelled_weight`` x pixels and n of the class's pixels marked:

    - the background always borrows, in total W^2 / (W + n): its borrowed share of its
      training weight, W^2 / (W^2 + n (W + n)), is about W / (W + n) for a few clicks and
      negligible for generous scribbles (which measured better on their own), weighted
      towards the border (``unlabelled_border_exponent``);
    - in a box (:func:`is_framed`) the foreground borrows the inside, as much as its pixel
      count, with or without marks (GrabCut: the inside is the object until the rounds sort
      it out; a trial's stroke along an elephant's back in its box took IoU 0.583 -> 0.291
      when the marks replaced the inside);
    - unmarked and not in a box, the foreground borrows like the background, unweighted;
    - marked, it borrows the unmarked colours next to its marks
      (``unlabelled_foreground_weight``), W^2 / (W + n) x (W / (W + n_bg))^2 for n_bg pixels
      marked background: it fades as its marks accumulate and faster as background is
      marked, a negative click saying the object ends nearer than the borrowing assumed
      (without that second factor the later clicks lost: mean IoU after 10 clicks 0.820 ->
      0.778 on the odd frames).
    """
    if settings.unlabelled_weight <= 0:
        return None
    prior = float(settings.unlabelled_weight) * scribbles.size
    tiny = tiny_scale(scribbles.shape)
    if tiny < 1.0:
        # A photo under 40 px across (TINY_PRIOR_EXPONENT), at most TINY_PRIOR_DISCS click discs.
        prior = min(prior / tiny ** TINY_PRIOR_EXPONENT,
                    max(prior, TINY_PRIOR_DISCS * disc_offsets(click_radius(scribbles.shape))[0].size))
    fading = prior * prior / (prior + n_pixels)
    if label == BACKGROUND:
        return {"weight": fading, "border_exponent": settings.unlabelled_border_exponent}
    if framed:
        return {"weight": float(np.count_nonzero(scribbles == 0)), "inside_only": True, "min_kept": BOX_MIN_KEPT,
                "near_inside": float(settings.box_correction_tolerance),
                "near_inside_share": float(settings.box_correction_max_share)}
    if not is_marked:
        return {"weight": fading}
    if settings.unlabelled_foreground_weight <= 0:
        return None
    n_background = int(np.count_nonzero(scribbles == BACKGROUND))
    return {"weight": settings.unlabelled_foreground_weight * fading * (prior / (prior + n_background)) ** 2,
            "toward_foreground": settings.unlabelled_foreground_exponent}


#: On a photo under 40 px across its shorter side the zero-marks prior's weight W
#: (``unlabelled_weight`` x pixels) is divided by :func:`segmix.clicks.tiny_scale` to this
#: power. W is a share of the pixel count: on a 24 x 14 photo 0.42 pixels, so the foreground
#: borrowed W^2 / (W + 9) = 0.02 pixels' worth of the colours next to a click's 9-px disc
#: (443 next to the 81-px disc of a DAVIS frame), its colour model stayed the disc's, and the
#: mask was often the disc alone. Set with the cut's gamma times tiny_scale (_adapted_gamma),
#: chosen on the even half (powers 2 / 4 / 6; see docs/segmentation.md, "Tiny photos").
TINY_PRIOR_EXPONENT = 4
#: ... and at most this many of its click discs' pixels: the prior is about six clicks' worth on
#: a DAVIS frame (500 pixels, 81 a disc). Without the cap a 5 x 5 photo's prior was 128 pixels
#: against a one-pixel background click, and the click's noisy plus came out 3 of its 5 pixels.
TINY_PRIOR_DISCS = 6


def _few_colours_words(name: str, n_marked: int, n_distinct: int) -> str:
    """Who holds the ``n_distinct`` colours a class's mixture is fitted on: its marks, or its
    marks and the unmarked colours it borrowed (:func:`_borrowing`), or, with no marks of the
    class, the borrowed colours alone. A click on a flat red square read "the foreground marks
    hold only 2 distinct colours", and one foreground click "the background marks hold only 1",
    where nothing was marked background: the count was of the borrowed colours too."""
    plural = "s" if n_distinct > 1 else ""
    if n_marked == 0:
        return (f"nothing is marked {name}, and the unmarked colours taken as {name} evidence hold only "
                f"{n_distinct} distinct colour{plural}")
    if n_distinct > n_marked:
        return (f"the {name} marks and the unmarked colours taken as {name} evidence hold only "
                f"{n_distinct} distinct colour{plural}")
    # "marks", not "scribbles": a box or clicks (segment --box / --click) warn too.
    return f"the {name} marks hold only {n_distinct} distinct colour{plural}"


# ----------------------------------------------------------------------- training
def _fit_key(image, scribbles, settings, previous, transparent) -> tuple:
    """Everything a fit depends on, by value (the arrays by CRC-32, the previous model by its
    parameters; :func:`_step_key`'s parts)."""
    return (_crc(np.asarray(image)), _crc(np.asarray(scribbles)), settings, _model_key(previous), _crc(transparent))


class keeping_fits:  # noqa: N801 (a context manager, used as a function is)
    """Within it (in this thread), :func:`iter_train_model` keeps the model it finishes as the
    window's last fit (:data:`_FIT_STAGE`), for the same step worked out again after a cancel.

    For the window's fits only: a script's fits keep nothing (and pay no key)."""

    def __init__(self):
        self._before = False

    def __enter__(self):
        self._before = getattr(_KEEPING_FITS, "on", False)
        _KEEPING_FITS.on = True
        return self

    def __exit__(self, *exc) -> None:
        _KEEPING_FITS.on = self._before


def iter_train_model(
    image: np.ndarray, scribbles: np.ndarray, settings: SegmentationSettings | None = None,
    previous: SegmentationModel | None = None, transparent: np.ndarray | None = None,
) -> Generator[TrainingProgress, None, SegmentationModel]:
    """Train both class models, yielding progress after every EM iteration.

    The model the window's last fit finished (:class:`keeping_fits`) is returned again, without
    a fit, for the same inputs by value: Esc during a step's graph cut cancelled the step after
    its fit, and the next mark, which replays the cancelled step first (the marks are fitted one
    step each), fitted it again in full (:data:`_FIT_STAGE`). The same model, so the same mask.

    Parameters
    ----------
    image : (H, W, 3) uint8 array, RGB order (an OpenCV BGR array: cv2.cvtColor(a, cv2.COLOR_BGR2RGB))
    scribbles : (H, W) integer array, 0 unlabelled, 1 foreground, 2 background
    settings : SegmentationSettings, optional
    previous : SegmentationModel, optional
        The model of the previous result on the same photo. With ``settings.warm_refit``
        each class mixture with the same number of components and features is refitted by
        EM started from its parameters (at most ``settings.warm_refit_iter`` iterations)
        instead of k-means + EM from scratch; ignored otherwise.
    transparent : (H, W) bool, optional
        The photo's fully transparent pixels (segmix.transparency): their stored colours are
        no evidence for either class, marked or not (a cut-out's hidden pixels may hold
        anything, the object's colours included).

    Yields
    ------
    TrainingProgress
        After every EM iteration of the foreground mixture, then of the background one.

    Returns
    -------
    SegmentationModel
        As ``StopIteration.value``. Callers may stop iterating at any yield to cancel.

    Warns
    -----
    UserWarning
        When a class has fewer distinct colours than ``n_components`` (K is lowered).
    """
    key = None
    if _FIT_STAGE.get_any() is not None or getattr(_KEEPING_FITS, "on", False):
        try:
            key = _fit_key(image, scribbles, _checked_settings(settings), previous, transparent)
        except (AttributeError, TypeError, ValueError):
            # Inputs the fit refuses (a previous model that is a file name, a result): it says
            # so itself; the key read their attributes first and raised in its own words.
            key = None
        kept = None if key is None else _FIT_STAGE.get(key)
        if kept is not None:
            return kept
    model = yield from _iter_train_model_fresh(image, scribbles, settings, previous, transparent)
    if key is not None and getattr(_KEEPING_FITS, "on", False):
        _FIT_STAGE.keep(key, model)
    return model


def _iter_train_model_fresh(
    image: np.ndarray, scribbles: np.ndarray, settings: SegmentationSettings | None = None,
    previous: SegmentationModel | None = None, transparent: np.ndarray | None = None,
) -> Generator[TrainingProgress, None, SegmentationModel]:
    """:func:`iter_train_model`'s fit itself (no kept fit looked up or kept): parameters, yields,
    return value and warnings as there."""
    settings = _checked_settings(settings)
    settings.validate()
    _check_previous_model(previous, "previous")
    image = check_image(image)
    scribbles = check_scribbles(image, scribbles, require_both=settings.unlabelled_weight <= 0)
    transparent = check_transparent(transparent, scribbles.shape)
    if transparent is not None:
        # The colours apply_model cuts on, before the bars are looked for: no photo-wide use (the
        # bars, a box's feature space) sees a colour nobody sees; one array for the fit and the
        # cut, so the colour cache serves both.
        image = outline_free_colours(image, transparent)
    lines = box_edges.edge_lines(scribbles, frame_of(scribbles))
    if lines is not None:  # a box's sides on the photo's edge, cut as one pixel short (segmix.box_edges)
        scribbles = box_edges.marked(scribbles, lines)
    bars = bars_box(image, scribbles)
    if bars is not None:  # the photo inside its bars alone (segmix.photo_bars)
        return (yield from _iter_train_model_fresh(photo_bars.inside_photo(image, bars), photo_bars.inside(scribbles, bars),
                                            settings, previous, photo_bars.inside(transparent, bars)))
    boxed = transparent is not None and is_framed(scribbles)  # a box, before its hidden marks go
    if transparent is not None:
        # A label of neither class and not unmarked: the class samples (label 1 / 2) and the
        # zero-marks prior's unmarked sample (label 0) all leave these pixels out.
        scribbles = np.where(np.asarray(transparent, bool), np.uint8(_NO_EVIDENCE), scribbles).astype(np.uint8)
    marked = marked_classes(scribbles)
    if not any(marked):
        if transparent is not None and np.any(transparent):
            if boxed:
                # A box round a cut-out's object was told to "mark what the photo shows" (the
                # window's Rectangle tool, segment --box): it did; what it marks is hidden.
                raise ValueError("everything outside the box is transparent, which is background already, so the "
                                 "box marks nothing the photo shows: click the object, or draw the box across "
                                 "what is not the object")
            raise ValueError("every mark lies on transparent pixels of the photo, which count as background: "
                             "mark what the photo shows")
        raise ValueError("no scribbles: paint some foreground or background pixels first")
    framed = settings.unlabelled_weight > 0 and is_framed(scribbles)
    features = box_feature_space(settings, image) if framed else settings.feature_space()
    # The floor relative to the photo's contrast: on a hazy or dim photo an absolute one drowned
    # the colours' spread (segmix.contrast_floor).
    floor = covariance_floor(settings.reg_covar, image, small_photo_scale(image.shape))
    mixtures, summary, training_rows = [], {"classes": []}, []
    unmarked_rows = None  # the unmarked pixels' sample the background borrowed
    for index, (label, name) in enumerate(zip(CLASS_LABELS, CLASS_NAMES)):
        X, weights, n_distinct, n_pixels = _class_training_data(image, scribbles, label, features)
        training_rows.append((X, weights))  # the marked rows only
        if framed and label == BACKGROUND and BOX_RING_WEIGHT > 0:
            # The box's surroundings count more (_box_ring_rows): a box round a small object
            # is mostly the background next to it, which the photo-wide model left out.
            ring = _box_ring_rows(image, scribbles, features)
            if ring is not None:
                X, weights = np.concatenate([X, ring[0]]), np.concatenate([weights, ring[1]])
                n_distinct = _distinct_rows(X)
        n_marked_distinct = n_distinct  # the marks' own colours, before any borrowed ones
        borrowed = 0
        borrow = _borrowing(scribbles, label, n_pixels, marked[index], framed, settings)
        if borrow is not None:
            Xu, wu = unlabelled_evidence(image, scribbles, features, seed=settings.random_state,
                                         other_label=CLASS_LABELS[1 - index], **borrow)
            borrowed = int(Xu.shape[0])
            if label == BACKGROUND:
                unmarked_rows = Xu, wu
            if borrowed:
                X, weights = np.concatenate([X, Xu]), np.concatenate([weights, wu])
                n_distinct = _distinct_rows(X)
        n_components = int(settings.n_components)
        if n_distinct < n_components:
            # Said only of the user's own marks: colours borrowed from the photo (a box's
            # inside, the unmarked rest) are few on a plain object or backdrop, and nothing is
            # wrong then (a box round a plain object, IoU 1.0, warned "nothing is marked
            # foreground, and the unmarked colours taken as foreground evidence hold only 1
            # distinct colour: the foreground mixture has 1 component, not 5").
            if n_distinct and n_distinct <= n_marked_distinct:  # none: refused below, in one line
                warnings.warn(
                    f"{_few_colours_words(name, n_marked_distinct, n_distinct)}: "
                    f"the {name} mixture has {n_distinct} component{'s' if n_distinct > 1 else ''}, "
                    f"not {n_components}",
                    FewColoursWarning,
                    stacklevel=_caller_level(),
                )
            n_components = n_distinct
        if n_components < 1:
            if borrow is not None and _unmarked_colours_all_marked(image, scribbles, CLASS_LABELS[1 - index]):
                # One class marked is enough, unless the unmarked pixels hold only colours of
                # its marks (a drawing of few flat colours, all touched by the object's
                # strokes): "no background scribbles" alone read as if one class never were.
                other = CLASS_NAMES[1 - index]
                hidden = np.count_nonzero(scribbles == _NO_EVIDENCE)
                # A cut-out clicked on each of its shapes: its transparent pixels, background in
                # the cut, hold no colour to learn the background from, which the words said not.
                visible = (f"visible unmarked pixels (the {100 * hidden / scribbles.size:.0f} % that are transparent are "
                           f"{'background' if label == BACKGROUND else 'no object'} already, but hold no colour "
                           "to learn from)" if hidden else "unmarked pixels")
                raise ValueError(f"no {name} scribbles, and every colour of the {visible} is among "
                                 f"the {other} marks' colours, so none is taken for {name}: paint some "
                                 f"{name} pixels")
            raise ValueError(f"no {name} scribbles: paint some {name} pixels first")
        old = _warm_start_mixture(previous, index, n_components, features, settings)
        if old is None:
            mixture = _make_mixture(settings, n_components, floor)
        else:
            mixture = _make_mixture(settings, n_components, floor, **old)
            mixture.max_iter = max(1, int(settings.warm_refit_iter))
        try:
            for iteration, mean_ll in mixture.iter_fit(X, sample_weight=weights):
                yield TrainingProgress(index, iteration, float(mean_ll))
        except TooFewDistinctPointsError as exc:  # distinct colours whose features coincide
            raise ValueError(f"{name} scribbles: {exc}") from None
        mixtures.append(mixture)
        summary["classes"].append(
            {"name": name, "scribbled_pixels": n_pixels, "distinct_rows": int(n_distinct),
             "unlabelled_rows": borrowed, "n_components": n_components,
             "converged": bool(mixture.converged_)}
        )
    def applies() -> bool:
        """Whether the component acts on these marks: a background stroke, and not a box (its
        unmarked inside is the object's evidence, GrabCut's T_U, and the component would be
        fitted on it). Labelling the marks is left to when the answer is needed."""
        return not framed and (settings.unexplained_marks == "all" or has_background_stroke(scribbles))

    if settings.unexplained_weight > 0 and all(marked) and unmarked_rows is not None and applies():
        # Both classes marked: the photo's colours the background marks leave unexplained.
        mixtures[1], rest = _with_unexplained_rest(*unmarked_rows, mixtures[1], training_rows[1], settings)
        summary["classes"][1].update(rest)
    elif all(marked) and unmarked_rows is not None and unmarked_rows[0].shape[0]:
        # Off, the share alone (a few ms): the window suggests the option when it is large.
        share = _unexplained_rows(*unmarked_rows, mixtures[1], training_rows[1], settings)[1]
        summary["classes"][1]["unexplained_share"] = share
        if framed and (transparent is None or not np.any(transparent) or boxed):
            # The background marks are a box's outside (not a cut-out's transparent surround):
            # the share's words name it (a new user, who drew a box and clicked, read "unlike
            # your background marks" and had marked none). A box drawn on a cut-out (``boxed``:
            # the marks as given frame the photo) was told the same.
            summary["classes"][1]["background_marks"] = "box"
        if settings.unexplained_weight > 0:  # on, but a box or no background stroke
            summary["classes"][1]["rest_skipped"] = "box" if framed else "clicks"
        elif share > settings.unexplained_share and not applies():
            summary["classes"][1]["rest_applies"] = False  # no pointer to an option that would not act
    elif settings.unexplained_weight > 0 and framed:
        # A box with background strokes and no foreground mark: the share is not measured, but
        # the reason the option did nothing is the box (a trial was told to mark background).
        summary["classes"][1]["rest_skipped"] = "box"
    if settings.priors == "scribbles":
        counts = np.array([c["scribbled_pixels"] for c in summary["classes"]], dtype=np.float64)
        priors = counts / counts.sum()
    else:
        priors = np.array([0.5, 0.5])
    classifier = BayesClassifier(mixtures, priors, CLASS_NAMES)
    return SegmentationModel(settings=settings, classifier=classifier, features=features, training=summary)


#: SegmentationSettings.unexplained_marks: which background marks bring the rest component.
UNEXPLAINED_MARKS = ("strokes", "all")


def has_background_stroke(scribbles: np.ndarray) -> bool:
    """True when a connected group of background marks (8-connected) is not click-sized
    (:func:`segmix.local_colour.click_sized_groups`: a click, a few touching clicks or a dab
    of the window's brush): a stroke or a box's outside.

    Parameters
    ----------
    scribbles : (H, W) uint8 labels
    """
    return has_stroke(scribbles, BACKGROUND)


# The rest-of-the-photo component (see _with_unexplained_rest) is fitted on at most this many
# distinct unexplained colours, which bounds its fit (k-means + EM: 160-360 ms on a DAVIS frame
# on a loaded machine, hence an option).
UNEXPLAINED_MAX_ROWS = 4000
# Its weight at most: the marked background keeps at least half.
UNEXPLAINED_MAX_EPS = 0.5


def _with_unexplained_rest(Xu, wu, background, marked_rows, settings):
    """The background mixture with the photo's unexplained rest as an extra component.

    See :mod:`segmix.unexplained`. ``Xu``, ``wu``: the sample of unmarked pixels the
    background borrowed (:func:`unlabelled_evidence`: colours marked foreground left out),
    rows (M, D) and weights (M,). The rows whose log-density under ``background`` is below
    the ``unexplained_quantile`` of its log-densities on its own marked rows ``marked_rows``
    (X, weights) are the unexplained rest; when their share of the sample exceeds
    ``settings.unexplained_share`` they are fitted by a mixture p_rest and the background
    becomes ``(1 - eps) p_bg + eps p_rest``, ``eps = min(UNEXPLAINED_MAX_EPS,
    unexplained_weight * (share - unexplained_share))``: the weight fades as the marks come to
    explain the photo's colours, not with how many pixels are marked.

    Returns
    -------
    (GaussianMixture, dict)
        The background mixture (``background`` itself when nothing is added; else its
        components first, then p_rest's) and facts for the training summary:
        ``unexplained_share``, ``rest_components``, ``rest_weight``.
    """
    facts = {"unexplained_share": 0.0, "rest_components": 0, "rest_weight": 0.0}
    if Xu.shape[0] == 0:
        return background, facts
    rest, share = _unexplained_rows(Xu, wu, background, marked_rows, settings)
    facts["unexplained_share"] = share
    if share <= settings.unexplained_share:
        return background, facts
    X, w = Xu[rest], wu[rest]
    if X.shape[0] > UNEXPLAINED_MAX_ROWS:
        keep = np.random.default_rng(settings.random_state).choice(X.shape[0], UNEXPLAINED_MAX_ROWS, replace=False)
        X, w = X[keep], w[keep]
    n_components = min(int(settings.unexplained_components), _distinct_rows(X))
    if n_components < 1:
        return background, facts
    p_rest = _make_mixture(settings, n_components, background.reg_covar)
    try:
        fit_quietly(p_rest, X, sample_weight=w)
    except (TooFewDistinctPointsError, ValueError):
        return background, facts
    eps = min(UNEXPLAINED_MAX_EPS, float(settings.unexplained_weight) * (share - float(settings.unexplained_share)))
    facts.update(rest_components=n_components, rest_weight=eps)
    return mix_mixtures(background, p_rest, eps), facts


def _unexplained_rows(Xu, wu, background, marked_rows, settings):
    """(M,) bool: the rows of ``Xu`` that ``background`` does not explain (below the
    ``unexplained_quantile`` of its log-densities on ``marked_rows``), and their weighted share."""
    threshold = explained_threshold(background, *marked_rows, float(settings.unexplained_quantile))
    rest = unexplained(Xu, [background], [threshold])
    return rest, float(wu[rest].sum() / wu.sum())


def _check_previous_model(previous, name: str = "previous_model") -> None:
    """TypeError naming ``name`` unless ``previous`` is None or a SegmentationModel: the previous
    result itself (``previous_model=result``, not ``result.model``) or a model file read back was
    ignored without a word, and the refit started afresh, unlike the window's (a library trial)."""
    if previous is None or isinstance(previous, SegmentationModel):
        return
    kind = type(previous).__name__
    how = {"SegmentationResult": "the previous result's model is result.model",
           "SegmixModel": "SegmentationModel.from_segmix_model(model) makes one of a file's model"}.get(
        kind, "the previous result's model (result.model), or None")
    raise TypeError(f"{name} must be a SegmentationModel, not {kind}: {how}")


def _warm_start_mixture(previous, index, n_components, features, settings) -> dict | None:
    """Initial parameters (weights_init, means_init, precisions_init) from ``previous``'s mixture
    of class ``index``, or None when there is nothing compatible to start from."""
    if previous is None or not settings.warm_refit:
        return None
    try:
        old = previous.classifier.mixtures[index]
    except (AttributeError, IndexError):
        return None
    if getattr(old, "means_", None) is None:
        return None
    # A background with the rest-of-the-photo component (_with_unexplained_rest) starts from
    # its marked part: the first components.
    try:
        rest = int(previous.training["classes"][index].get("rest_components", 0))
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        rest = 0
    k = old.means_.shape[0] - rest
    if (previous.features != features or (k, old.means_.shape[1]) != (n_components, features.n_features)
            or old.covariance_type != settings.covariance_type):
        return None
    if settings.covariance_type == "full":
        precisions = np.linalg.inv(old._full_covariances[:k])
    else:
        precisions = 1.0 / np.asarray(old.covariances_)[:k]
    weights = np.asarray(old.weights_[:k], dtype=np.float64)
    return {"weights_init": weights / weights.sum(), "means_init": np.asarray(old.means_[:k], dtype=np.float64),
            "precisions_init": precisions}


def _caller_level() -> int:
    """warnings.warn's stacklevel of the first caller outside segmix: the warning is said
    at the user's ``segment(...)`` line. A fixed stacklevel=2 from this generator named
    segmix's own ``next(gen)`` in train_model, a line the user never wrote."""
    return caller_level() - 1  # caller_level counts this function as level 1


def _checked_settings(settings) -> "SegmentationSettings":
    """``settings``, or the defaults for None; a dict (or anything else) is refused by name,
    where it failed as "'dict' object has no attribute 'validate'"."""
    if settings is None:
        return SegmentationSettings()
    if not isinstance(settings, SegmentationSettings):
        raise TypeError(f"settings must be a SegmentationSettings, not {type(settings).__name__}: "
                        "SegmentationSettings(n_components=3, ...) makes one, or SegmentationSettings(**d) from a dict "
                        "(it refuses a misspelt key, naming the setting meant)")
    return settings


def train_model(image, scribbles, settings=None, previous=None, transparent=None) -> SegmentationModel:
    """Train without progress reports (see :func:`iter_train_model`)."""
    gen = iter_train_model(image, scribbles, settings, previous, transparent)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


# ---------------------------------------------------------------------- applying
def _logit(threshold: float) -> float:
    t = min(max(float(threshold), 1e-12), 1.0 - 1e-12)
    return math.log(t / (1.0 - t))


def foreground_log_odds(log_likelihoods: np.ndarray, priors, threshold: float) -> np.ndarray:
    """Per-pixel unary term of the cut: log p(fg|x)/p(bg|x) - logit(threshold).

    Parameters
    ----------
    log_likelihoods : (2, H, W) float array, log p(x | fg) and log p(x | bg)
    priors : (2,) array
    threshold : float

    Returns
    -------
    (H, W) float32
        Positive where the per-pixel Bayes rule says foreground. This is the cost of
        labelling the pixel background minus the cost of labelling it foreground.
    """
    priors = np.asarray(priors, dtype=np.float64)
    shift = math.log(priors[0]) - math.log(priors[1]) - _logit(threshold)
    diff = log_likelihoods[0] - log_likelihoods[1]
    diff += np.float32(shift)
    # -inf/inf (a colour one mixture cannot explain at all) would poison the flow.
    np.nan_to_num(diff, copy=False, nan=0.0, posinf=1e4, neginf=-1e4)
    np.clip(diff, -1e4, 1e4, out=diff)
    return diff.astype(np.float32, copy=False)


def foreground_posterior(log_likelihoods: np.ndarray, priors) -> np.ndarray:
    """p(fg | x) = sigmoid(log-likelihood ratio + log prior ratio): (2, H, W) -> (H, W) float32.

    For two classes this equals :func:`segmix.bayes.posterior_from_log_likelihoods` but
    stays in float32 and needs one exp per pixel (a 12-megapixel map in a fraction of the time).
    """
    log_odds = foreground_log_odds(log_likelihoods, priors, 0.5)
    # exp(88) is near the float32 limit; beyond +-80 the posterior is 0 or 1 to float32 anyway.
    np.clip(log_odds, -80.0, 80.0, out=log_odds)
    np.negative(log_odds, out=log_odds)
    np.exp(log_odds, out=log_odds)
    log_odds += np.float32(1.0)
    return np.reciprocal(log_odds, out=log_odds)


def _refit(model: SegmentationModel, image: np.ndarray, mask: np.ndarray) -> SegmentationModel:
    """One GrabCut round: refit each class mixture on the pixels currently given that class.

    Warm-started from the current parameters; colour-only models use the distinct colours of
    each side with counts, so a round costs about two EM fits on a few 10^4 rows.
    """
    settings, features = model.settings, model.features
    labels = np.where(mask, FOREGROUND, BACKGROUND).astype(np.uint8)
    cached = None
    if not features.uses_position:
        # The photo's distinct colours and their features are cached by the scoring: each
        # side's colours and counts are one bincount away (the same rows, in the same order,
        # as finding the distinct colours of each side again).
        try:
            _, inverse, feats = _COLOUR_CACHE.get(image, features)
            cached = inverse, feats
        except (TypeError, ValueError):
            cached = None
    mixtures = []
    flat_mask = np.asarray(mask, bool).reshape(-1)
    for label, old in zip(CLASS_LABELS, model.classifier.mixtures):
        if cached is not None:
            inverse, feats = cached
            side = flat_mask if label == FOREGROUND else ~flat_mask
            counts = np.bincount(inverse[side], minlength=feats.shape[0])
            rows = np.flatnonzero(counts)
            X, weights, n_distinct = feats[rows], counts[rows].astype(np.float64), int(rows.size)
        else:
            X, weights, n_distinct, _ = _class_training_data(image, labels, label, features)
        if n_distinct < old.n_components or X.shape[0] == 0:
            mixtures.append(old)
            continue
        new = _make_mixture(
            settings, old.means_.shape[0], old.reg_covar, weights_init=old.weights_, means_init=old.means_,
            precisions_init=np.linalg.inv(old._full_covariances) if settings.covariance_type == "full"
            else 1.0 / np.asarray(old.covariances_),
        )
        new.max_iter = 10
        try:
            fit_quietly(new, X, sample_weight=weights)  # a round of max_iter 10: a budget
        except ValueError:
            new = old
        mixtures.append(new)
    classifier = BayesClassifier(mixtures, model.classifier.priors, CLASS_NAMES)
    return SegmentationModel(settings, classifier, features, dict(model.training, refit=True))


def scribble_distance_log_odds(
    scribbles: np.ndarray, weight: float = 1.0, max_pixels: int = 100_000
) -> np.ndarray | None:
    """Soft spatial prior from where the user scribbled, as foreground log-odds.

    ``weight * (d_bg - d_fg) / (d_bg + d_fg)`` where ``d_fg`` and ``d_bg`` are the Euclidean
    distances to the nearest foreground and background scribble: ``+weight`` on a foreground
    scribble, ``-weight`` on a background one, 0 half-way between. The ratio does not depend
    on the image's resolution and is smooth away from the scribbles, so the distances are
    taken on a grid of at most about ``max_pixels`` cells (each the "any" of a square block
    of pixels) and spread back to full resolution.

    Parameters
    ----------
    scribbles : (H, W) integer array, 0 unlabelled, 1 foreground, 2 background
    weight : float
        Largest magnitude of the prior, in nats.
    max_pixels : int
        Size bound of the grid the distances are computed on.

    Returns
    -------
    (H, W) float32 array, or None
        None when either class has no scribble (there is nothing to compare).
    """
    grid = _scribble_distance_grid(scribbles, weight, max_pixels)
    if grid is None:
        return None
    out = np.zeros(scribbles.shape, np.float32)
    for_pixels(pixel_kernels.add_upsampled, out.size)(out, *grid)
    return out


def _scribble_distance_grid(scribbles: np.ndarray, weight: float, max_pixels: int = 100_000, border_prior: bool = False,
                            image: np.ndarray | None = None, colour_weight: float = 0.0):
    """The prior of :func:`scribble_distance_log_odds` on its coarse grid.

    With an ``image`` and ``colour_weight`` > 0 the distances are geodesic on the grid of
    block-mean colours (Bai & Sapiro, "A geodesic framework for fast interactive image and
    video segmentation and matting", ICCV 2007; Criminisi et al., GeoS, ECCV 2008): a step
    costs ``sqrt(1 + colour_weight^2 * 2 beta ||dz||^2)`` cells, beta GrabCut's contrast
    constant of the grid, so a pixel behind an edge is far from a mark beyond it.

    Returns
    -------
    (small (Hs, Ws) float32, factor int), or None
        Pixel (y, x) takes ``small[y // factor, x // factor]``.
    """
    h, w = scribbles.shape
    factor = max(1, math.ceil(math.sqrt(h * w / max(1, int(max_pixels)))))
    hs, ws = -(-h // factor), -(-w // factor)
    # The scribbled pixels are few: mark their cells from flat indices (a block reduction
    # of the whole (H, W) map costs several times more at 1080p).
    flat = scribbles.reshape(-1)
    index = marked_flat(scribbles)
    rows, cols = np.divmod(index, w)
    seeds = np.zeros((3, hs, ws), bool)
    seeds[flat[index], rows // factor, cols // factor] = True
    if not seeds[FOREGROUND].any():
        return None
    if border_prior:
        # The zero-background prior: the image border is weak background evidence (a photo
        # frames its subject) -- unless a foreground mark touches it (the object reaches the
        # border, so the border says nothing). Background marked elsewhere does not
        # contradict it, so it stays: dropping it then let unmarked border regions that the
        # background marks do not explain swing to the foreground (DAVIS 000, a foreground
        # stroke on the bear: IoU 0.751; plus one background stroke in the top-right
        # corner, 0.366 with the border dropped, 0.491 with it kept).
        border = np.ones((hs, ws), bool)
        border[1:-1, 1:-1] = False
        if not (seeds[FOREGROUND] & border).any():
            seeds[BACKGROUND] |= border
        elif not seeds[BACKGROUND].any():
            # Nothing marked background: the sides the foreground touches say nothing, the
            # others still frame the object (foreground_closeness; a click on an object at
            # the bottom edge had no spatial prior at all and selected its disc).
            fg = seeds[FOREGROUND]
            for side, touched in (((0, slice(None)), fg[0].any()), ((-1, slice(None)), fg[-1].any()),
                                  ((slice(None), 0), fg[:, 0].any()), ((slice(None), -1), fg[:, -1].any())):
                if not touched:
                    seeds[BACKGROUND][side] = True
    if not seeds[BACKGROUND].any():
        return None
    if image is not None and colour_weight > 0:
        d_fg, d_bg = graphcut.geodesic_grid_distances(image, seeds[[FOREGROUND, BACKGROUND]], factor, colour_weight)
    else:
        d_fg = ndimage.distance_transform_edt(~seeds[FOREGROUND]).astype(np.float32)
        d_bg = ndimage.distance_transform_edt(~seeds[BACKGROUND]).astype(np.float32)
    # The sum is 0 only in a cell holding scribbles of both classes: the prior is 0 there.
    total = np.maximum(d_fg + d_bg, np.float32(1e-6))
    return (np.float32(weight) * (d_bg - d_fg) / total).astype(np.float32), factor


def _flood_fill_ready() -> bool:
    """Whether the flood-fill kernel runs without compiling (compiled in this process or in
    the on-disk cache). Until then the clean-ups label components with SciPy, which gives the
    same pixels: a first run on a fresh install does not pay its compilation (3 s); the
    window's warm-up and the graph cut's second process (``segmix.precompile``) compile it."""
    from segmix.kernels import cache, graphs

    if not hasattr(graphs.reachable, "signatures"):  # NUMBA_DISABLE_JIT=1: a plain Python function, slower
        return False
    return bool(graphs.reachable.signatures) or cache.is_cached(graphs.reachable)


def connection_reach(shape) -> int:
    """How far apart (in px, the larger of the row and column offsets) two foreground pixels
    may lie and still count as joined for keep-connected on a photo of ``shape``: 1 (plain
    8-connectivity) up to a DAVIS frame, ``round(photo_scale)`` above it.

    What the cut leaves between two parts of an object grows with the photo: a roof edge
    one pixel wide on a DAVIS frame, which the cut crosses here and there, is four pixels
    wide on its 4x copy and the cut draws it closed. One click on DAVIS 035's bus kept the
    white roof on the frame (IoU 0.886) and dropped it on the 4x copy (0.600); with the reach
    scaled the copy keeps it. Photos up to a DAVIS frame keep 8-connectivity exactly.
    """
    return max(1, int(round(photo_scale(shape))))


def reach_joined(mask: np.ndarray, reach: int) -> np.ndarray:
    """``mask`` grown so that its 8-connected components are the groups of ``mask``'s pixels
    joined by steps of at most ``reach`` px (the larger of the row and column offsets):
    (H, W) bool, ``mask`` itself for ``reach`` 1.

    Each pixel is widened to a ``reach`` x ``reach`` square (towards higher rows and
    columns); two squares overlap or touch 8-adjacently exactly when their pixels lie at most
    ``reach`` apart. The square is made per axis by ORs of shifted copies whose widths double
    (a handful of passes instead of SciPy's maximum filter: 0.70 -> about 0.1 s on a 20 MP mask).
    """
    mask = np.ascontiguousarray(mask, dtype=bool)
    reach = int(reach)
    if reach <= 1:
        return mask
    grown = mask
    for axis in (0, 1):
        width = 1
        while width < reach:
            step = min(width, reach - width)
            wider = grown.copy()
            if axis == 0:
                wider[step:] |= grown[:-step]
            else:
                wider[:, step:] |= grown[:, :-step]
            grown, width = wider, width + step
    return grown


def keep_connected_to(mask: np.ndarray, seeds: np.ndarray, connectivity: int = 8, reach: int = 1) -> np.ndarray:
    """Foreground components of ``mask`` that contain a seed pixel: (H, W) bool.

    Components are 4-connected for ``connectivity`` 4, else 8-connected. A flood fill from
    the seeds (:func:`segmix.kernels.graphs.reachable`; the same pixels as labelling every
    component and keeping the seeded ones, which costs 3-5 times more at 1080p and is used
    until the kernel is compiled, see :func:`_flood_fill_ready`). ``reach`` > 1 (a photo
    larger than a DAVIS frame, :func:`connection_reach`): pixels at most ``reach`` px apart
    are joined (:func:`reach_joined`; ``connectivity`` is then 8), so a gap that scales with
    the photo parts the mask as it does on the smaller copy.
    """
    mask = np.ascontiguousarray(mask, dtype=bool)
    seeds = np.ascontiguousarray(seeds, dtype=bool)
    if reach > 1:
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        if rows.size == 0:
            return mask.copy()
        # Only the mask's bounding box can be joined (the squares grow down and right by
        # reach - 1 px, clipped to the photo): a small object on a 20 MP photo is not
        # widened across the whole photo.
        box = (slice(rows[0], min(mask.shape[0], rows[-1] + reach)), slice(cols[0], min(mask.shape[1], cols[-1] + reach)))
        out = np.zeros_like(mask)
        part = mask[box]
        out[box] = keep_connected_to(reach_joined(part, reach), seeds[box] & part, 8) & part
        return out
    if _flood_fill_ready():
        from segmix.kernels import graphs

        return graphs.reachable(mask, seeds, connectivity != 4, False)
    structure = ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2)
    labels, count = ndimage.label(mask, structure=structure)
    if count == 0:
        return mask.copy()
    keep = np.zeros(count + 1, dtype=bool)
    keep[np.unique(labels[seeds & mask])] = True
    keep[0] = False
    return keep[labels]


def _with_box_findings(mask: np.ndarray, kept: np.ndarray, scribbles: np.ndarray, connectivity: int = 8) -> np.ndarray:
    """``kept`` (H, W) bool, plus the foreground components of ``mask`` in a box
    (:func:`frame_of`) with foreground marks inside that are at least as large as all of
    ``kept``: the box's findings, not islands.

    In such a box the foreground marks alone seed ``keep_connected`` (:func:`foreground_seeds`),
    which removes the small false positives a click leaves in the box. But the inside is the
    object's evidence (GrabCut's T_U), and where the cut parted the clicked part from the rest
    of the object, the rest went: DAVIS 020's boat with a click on the stern and a background
    click on the scrub in the box kept the stern alone (IoU 0.46 -> 0.06, 0.5 % of the photo).
    A component larger than everything joined to the clicks is what the box found; a positive
    click must not take it away.
    """
    if not (scribbles == FOREGROUND).any() or frame_of(scribbles) is None:
        return kept
    r0, r1, c0, c1 = frame_of(scribbles)
    if not (scribbles[r0:r1, c0:c1] == FOREGROUND).any():
        return kept  # the inside seeds keep_connected already (foreground_seeds)
    rest = mask & ~kept
    if not rest.any():
        return kept
    structure = ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2)
    labels, count = ndimage.label(rest, structure=structure)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    sizes[0] = 0
    large = sizes >= max(1, int(np.count_nonzero(kept)))
    if not large.any():
        return kept
    return kept | large[labels]


def fill_holes_without(mask: np.ndarray, background_seeds: np.ndarray, connectivity: int = 8) -> np.ndarray:
    """Fill background regions enclosed by foreground unless they hold a background seed.

    Background components are taken with the connectivity complementary to the
    foreground's (4 for 8 and vice versa), so a hole is exactly what the foreground
    encloses. The background connected to the image border or to a background seed is
    found by a flood fill (:func:`segmix.kernels.graphs.reachable`; by labelling the
    background's components until the kernel is compiled, the same pixels); everything else
    is foreground.
    """
    mask = np.ascontiguousarray(mask, dtype=bool)
    background_seeds = np.ascontiguousarray(background_seeds, dtype=bool)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return mask.copy()
    # Holes lie inside the foreground's bounding box; around it everything is background and
    # joined to the photo's border, so the box grown by one pixel (clipped to the photo) is
    # filled alone, its own border as the border: the same pixels, without flooding a 1080p
    # photo's whole background for a small object (10 -> 1-2 ms a call).
    r0, r1 = max(0, rows[0] - 1), min(mask.shape[0], rows[-1] + 2)
    c0, c1 = max(0, cols[0] - 1), min(mask.shape[1], cols[-1] + 2)
    if (r1 - r0) * (c1 - c0) < mask.size:
        out = mask.copy()
        out[r0:r1, c0:c1] = fill_holes_without(mask[r0:r1, c0:c1], background_seeds[r0:r1, c0:c1], connectivity)
        return out
    if _flood_fill_ready():
        from segmix.kernels import graphs

        filled = ~graphs.reachable(~mask, background_seeds, connectivity == 4, True)
    else:
        structure = ndimage.generate_binary_structure(2, 2 if connectivity == 4 else 1)
        labels, count = ndimage.label(~mask, structure=structure)
        if count == 0:
            return mask.copy()
        keep_bg = np.zeros(count + 1, dtype=bool)
        border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
        keep_bg[np.unique(border)] = True
        keep_bg[np.unique(labels[background_seeds & ~mask])] = True
        keep_bg[0] = False
        filled = mask | ((labels > 0) & ~keep_bg[labels])
    if connectivity != 4:
        filled = _thin_gaps_opened(filled, mask)
    return filled


#: A run of 4-connected holes is a slanted gap, not holes, from this many pixels (see
#: _thin_gaps_opened). On DAVIS's 100 frames, graph cut, error % even / odd with sparse
#: scribbles: 1.667 / 1.746 -> 1.669 / 1.749 with 10 and with 20 (20: 11 frames worse by
#: 0.01-0.07 points, 1 better); 10 keeps the 19-px piece of a 1-px gap beyond where it
#: crosses another open.
THIN_GAP_PIXELS = 10


def _background_holes_opened(filled, mask, log_odds, nats, fixed) -> np.ndarray:
    """``filled`` with the holes (4-connected, unmarked) whose mean colour log odds lie below
    ``-nats`` open again: background the colour models are sure of (a ball of sky closed round
    by branches), not a gap the cut left in the object. Experimental (fill_holes_colour)."""
    holes = filled & ~mask
    labels, count = ndimage.label(holes)
    if count == 0:
        return filled
    index = np.arange(1, count + 1)
    mean = ndimage.mean(np.asarray(log_odds, np.float64), labels, index)
    marked = ndimage.maximum(fixed == FOREGROUND, labels, index)
    open_ = np.zeros(count + 1, bool)
    open_[1:] = (np.asarray(mean) < -float(nats)) & ~np.asarray(marked, bool)
    out = filled.copy()
    out[open_[labels]] = False
    return out


def _thin_gaps_opened(filled: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``filled`` (the mask with its holes filled) with thin slanted gaps open again.

    With 8-connected foreground the holes are the background's 4-connected components
    that reach neither border nor seed, and a 1-px background gap that runs at a slant
    (8-connected, open at one end) falls apart into short 4-connected runs, each a "hole":
    a slanted gap between two parts the cut kept apart was filled (a 1-px gap at 17 or 45
    degrees into a block: 4 % of it left out, 100 % by the cut before the fill), while an
    upright one stayed open. An 8-connected group of such holes of at least
    :data:`THIN_GAP_PIXELS` pixels that touches the kept background (8-neighbours) is a gap
    and stays background; a few pixels there are a ragged edge and are filled as before.
    """
    holes = filled & ~mask
    rows, cols = np.flatnonzero(holes.any(axis=1)), np.flatnonzero(holes.any(axis=0))
    if rows.size == 0:
        return filled
    # Only the holes' bounding box grown by a pixel matters (a hole's 8-neighbours): on every
    # clean-up of a 1080p cut the whole photo's labelling and dilation cost some 40 ms.
    box = (slice(max(rows[0] - 1, 0), rows[-1] + 2), slice(max(cols[0] - 1, 0), cols[-1] + 2))
    holes = holes[box]
    eight = np.ones((3, 3), bool)
    labels, count = ndimage.label(holes, structure=eight)
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    if sizes[1:].max() < THIN_GAP_PIXELS:
        return filled
    gap = np.zeros(count + 1, bool)
    gap[labels[ndimage.binary_dilation(~filled[box], structure=eight) & holes]] = True
    gap &= sizes >= THIN_GAP_PIXELS
    gap[0] = False
    out = filled.copy()
    out[box] &= ~gap[labels]
    return out


class _ColourSlot:
    """One photo's entry of :class:`_DistinctColourCache`."""

    def __init__(self, ref, key, colors, inverse):
        self.ref, self.key, self.colors, self.inverse = ref, key, colors, inverse
        self.features = {}
        self.pairs = {}  # texture levels -> (colors (K, 3), key levels (K,), inverse (H*W,))


class _DistinctColourCache:
    """The distinct colours of the last photos scored, their pixel index and features.

    The GUI applies models to the same photo again and again (every scribble, every setting
    change); finding its distinct colours (~80 ms at 2 MP) and converting them to the feature
    space (~100 ms for Lab) is then done once. Two entries, since the cut works on the photo
    turned to its canonical orientation (:mod:`segmix.canonical_turn`) while the window's
    per-pixel preview scores the photo as it is; each keyed by the array's identity (a weak
    reference, so the cache never keeps a photo alive), shape and a CRC-32 of its bytes (~3 ms
    at 2 MP), so an array changed in place is recomputed.
    """

    SLOTS = 2

    def __init__(self):
        self._lock = threading.RLock()  # a weakref callback may run inside get()
        self._slots: list[_ColourSlot] = []  # the most recently used first

    def clear(self) -> None:
        with self._lock:
            self._slots = []

    def _forget(self, ref) -> None:
        with self._lock:
            self._slots = [slot for slot in self._slots if slot.ref is not ref]

    def share_turned(self, image: np.ndarray, turn, turned: np.ndarray) -> None:
        """Give ``turned`` (``turn.apply(image)``) an entry made from ``image``'s, if that has
        one and ``turned`` has none: the same colours and features, the pixel index turned
        (a few ms at 2 MP instead of finding the colours again and converting them)."""
        with self._lock:
            source = next((s for s in self._slots if s.ref() is image), None)
            if source is None or any(s.ref() is turned for s in self._slots):
                return
            key = (image.shape, zlib.crc32(memoryview(image).cast("B")))
            if source.key != key:
                return  # changed in place since: found afresh when asked
            h, w = image.shape[:2]
            inverse = turn.apply(source.inverse.reshape(h, w)).reshape(-1)
            slot = _ColourSlot(None, (turned.shape, zlib.crc32(memoryview(turned).cast("B"))), source.colors, inverse)
            slot.features = dict(source.features)
            slot.ref = weakref.ref(turned, self._forget)
            self._slots = [slot] + self._slots[: self.SLOTS - 1]

    def get(self, image: np.ndarray, features: FeatureSpace):
        """(colors (U, 3) uint8, inverse (H*W,) int32, features (U, D) float64) of ``image``.

        With a texture feature the rows are the photo's distinct (colour, texture level)
        pairs (:func:`segmix.features.pair_keys`): ``colors`` is each pair's colour."""
        key = (image.shape, zlib.crc32(memoryview(image).cast("B")))
        with self._lock:
            slot = next((s for s in self._slots if s.ref() is image and s.key == key), None)
            if slot is None:
                colors, inverse = unique_colors(image)
                slot = _ColourSlot(None, key, colors, inverse)
                slot.ref = weakref.ref(image, self._forget)
                # The same array changed in place: its old entry goes.
                self._slots = [s for s in self._slots if s.ref() is not image][: self.SLOTS - 1]
            else:
                self._slots.remove(slot)
            self._slots.insert(0, slot)
            if features.uses_texture:
                pairs = slot.pairs.get(features.texture_levels)
                if pairs is None:
                    pairs = slot.pairs[features.texture_levels] = pair_keys(
                        slot.colors, slot.inverse, features.pixel_levels(image), features.texture_levels)
                colors, key_levels, inverse = pairs
                cached = slot.features.get(features)
                if cached is None:
                    cached = slot.features[features] = features.key_features(colors, key_levels)
                return colors, inverse, cached
            cached = slot.features.get(features)
            if cached is None:
                cached = slot.features[features] = features.colors_to_features(slot.colors)
            return slot.colors, slot.inverse, cached


_COLOUR_CACHE = _DistinctColourCache()


def _photo_rows(image: np.ndarray, features: FeatureSpace):
    """(inverse (H*W,) int32, features (K, D)) of the photo's distinct rows, cached when it
    can be (colour-only and texture spaces)."""
    try:
        _, inverse, feats = _COLOUR_CACHE.get(image, features)
    except (TypeError, ValueError):  # not a plain buffer: no cache
        inverse, feats = features.distinct_rows(image)
    return inverse, feats


def _class_log_likelihoods(image: np.ndarray, model: SegmentationModel, with_features: bool = False):
    """Log-likelihoods (2, U) float32 per distinct colour and each pixel's colour index.

    With position features there is nothing to share between pixels of one colour: the
    (2, H, W) map of :meth:`BayesClassifier.image_log_likelihoods` and ``None``. Values are
    identical to that method's (same features, same float32 rounding). ``with_features``:
    also return the colour features (U, D) scored (None with position features or without
    the cache).

    The last result is kept (``_LAST_SCORES``), keyed by the cached features and the
    mixtures' parameters: the window scores each new model twice, for the per-pixel
    preview and for the cut. Callers must not change the returned array in place.
    """
    global _LAST_SCORES
    if model.features.uses_position:
        ll = model.classifier.image_log_likelihoods(image, model.features)
        return (ll, None, None) if with_features else (ll, None)
    try:
        _, inverse, feats = _COLOUR_CACHE.get(image, model.features)
    except (TypeError, ValueError):  # not a plain buffer: no cache
        inverse, feats = model.features.distinct_rows(image)
        ll = np.ascontiguousarray(model.classifier.class_log_likelihood(feats).T.astype(np.float32))
        return (ll, inverse, None) if with_features else (ll, inverse)
    key = _mixtures_key(model)
    last = _LAST_SCORES
    if last is not None and last[0] is feats and last[1] == key:
        ll = last[2]
    else:
        ll = np.ascontiguousarray(model.classifier.class_log_likelihood(feats).T.astype(np.float32))
        _LAST_SCORES = (feats, key, ll)  # holds feats: its id cannot be reused meanwhile
    return (ll, inverse, feats) if with_features else (ll, inverse)


_LAST_SCORES = None  # (features scored, _mixtures_key, log-likelihoods (2, U) float32)


def _mixtures_key(model: SegmentationModel) -> tuple:
    """Everything the class log-likelihoods depend on besides the colours: the mixtures'
    fitted parameters, compared by value (a few hundred bytes)."""
    parts: list = [model.features]
    for mixture in model.classifier.mixtures:
        parts.append(mixture.covariance_type)
        for values in (mixture.weights_, mixture.means_, mixture.precisions_cholesky_):
            values = np.asarray(values)
            parts.append((values.dtype.str, values.shape, values.tobytes()))
    return tuple(parts)


def colour_log_likelihoods(image: np.ndarray, model: SegmentationModel):
    """Both classes' log-likelihoods per distinct colour of ``image``, as :func:`apply_model` scores them.

    The photo's distinct colours and their features are cached between calls (one photo,
    see ``_DistinctColourCache``): the window scores the same photo after every click, and
    converting its 10^5 distinct colours to Lab costs 50-100 ms at 1080p.

    Returns
    -------
    log_likelihoods : (2, U) float32, log p(x | fg) and log p(x | bg) of each distinct colour
    inverse : (H*W,) int32, each pixel's distinct colour
        With position features there are no shared colours: the (2, H, W) map and None.
    """
    return _class_log_likelihoods(check_image(image), model)


def prepare_colours(image: np.ndarray, features: FeatureSpace | None = None) -> None:
    """Find and cache the distinct colours of ``image`` (and their ``features``, default Lab)
    before the first job needs them, e.g. when a photo is opened in the window."""
    features = FeatureSpace() if features is None else features
    if not features.uses_position:
        image = check_image(image)
        _COLOUR_CACHE.get(image, features)
        # The cut works on the photo in its canonical orientation (apply_model).
        turn, canonical = canonical_photo(image)
        if not turn.identity:
            _COLOUR_CACHE.share_turned(image, turn, canonical)


def _spread(values: np.ndarray, inverse: np.ndarray | None, shape) -> np.ndarray:
    """Per-colour values (U,) -> (H, W) float32 map (maps pass through)."""
    if inverse is None:
        return values
    out = np.empty(shape[0] * shape[1], np.float32)
    for_pixels(pixel_kernels.gather_rows, inverse.shape[0])(np.ascontiguousarray(values, dtype=np.float32), inverse, out)
    return out.reshape(shape)


def apply_model(
    image: np.ndarray,
    model: SegmentationModel,
    scribbles: np.ndarray | None = None,
    settings: SegmentationSettings | None = None,
    previous_mask: np.ndarray | None = None,
    previous_model: SegmentationModel | None = None,
    previous_scribbles: np.ndarray | None = None,
    on_cut: Callable[[np.ndarray, np.ndarray], None] | None = None,
    transparent: np.ndarray | None = None,
) -> SegmentationResult:
    """Posterior map and final mask for ``image`` (scribbles, if given, are hard constraints).

    Parameters
    ----------
    image : (H, W, 3) uint8 array, RGB order (an OpenCV BGR array: cv2.cvtColor(a, cv2.COLOR_BGR2RGB))
    model : SegmentationModel
    scribbles : (H, W) integer array, optional
        0 unlabelled, 1 foreground, 2 background. Scribbled pixels keep their label; the
        connected-component clean-up needs foreground scribbles.
    settings : SegmentationSettings, optional; defaults to ``model.settings``.
        Threshold, smoothing and clean-ups may differ from training without retraining.
    previous_mask, previous_model : optional
        The previous result on the same photo (used by ``previous_weight``,
        ``local_corrections``, ``max_far_change`` and ``monotone_clicks``, on by default).
    previous_scribbles : (H, W) uint8, optional
        The marks the previous result was computed from: the marks added since then give the
        step's sign for ``monotone_clicks`` (without them, the marks that contradict the
        previous mask do).
    on_cut : callable, optional
        Called as ``on_cut(mask, probability)`` ((H, W) bool, (H, W) float32) with the graph
        cut's mask (and the guards' re-cut) before the boundary refinement
        (``snapcut_weight``) runs, so that a window can show the cut while the refinement
        works; not called when no refinement follows. An exception it raises (a cancelled
        job) ends the call.
    transparent : (H, W) bool, optional
        The photo's fully transparent pixels (:mod:`segmix.transparency`): background in the
        cut, marked or not, and background in every result (mask False, probability 0), so
        that nothing the photo does not show is ever foreground.

    Returns
    -------
    SegmentationResult
        ``probability`` (H, W) float32 is the per-pixel Bayes posterior of foreground under
        the returned model; ``mask`` (H, W) bool the final decision; ``model`` is the input
        model, or the refitted one after GrabCut rounds.
    """
    if not isinstance(model, SegmentationModel):
        # None, a path or a model file read back failed as "... has no attribute 'settings'"
        how = ("SegmentationModel.from_segmix_model(model) makes one of a file's model"
               if type(model).__name__ == "SegmixModel" else
               "train_model(image, scribbles) makes one; SegmentationModel.from_segmix_model("
               "segmix.modelfile.read_model(path)) reads a saved one")
        raise TypeError(f"model must be a SegmentationModel, not {type(model).__name__}: {how}")
    _check_previous_model(previous_model)
    # A PIL image, a memmap or a list of marks is the array the rest sees, turned alike (left
    # as given, they skipped the turn: the same photo as a PIL image gave another mask).
    image = check_image(image)
    scribbles, previous_mask, previous_scribbles, transparent = (
        m if m is None or isinstance(m, np.ma.MaskedArray) else np.asarray(m)
        for m in (scribbles, previous_mask, previous_scribbles, transparent))
    if previous_model is not None and previous_model.step_mask is not None and previous_mask is not None \
            and np.shape(previous_model.step_mask) == np.shape(previous_mask):
        # The chain of steps goes on from the previous step's mask at 0.5, not from the mask
        # its threshold showed (see below); taken off the model, as the calls below turn or
        # crop the previous mask and would find the untouched one on the model.
        previous_mask = previous_model.step_mask
        previous_model = _without_step_mask(previous_model)
    given = model.settings if settings is None else _checked_settings(settings)
    if given.smoothing != "none" and abs(float(given.threshold) - 0.5) > 1e-9:
        return _at_threshold(image, model, scribbles, given, previous_mask, previous_model, previous_scribbles,
                             on_cut, transparent)
    if given.smoothing != "none" and getattr(_KEEPING, "on", False):
        # The step at 0.5 that a threshold moved next re-cuts (_at_threshold) is this one:
        # kept, so the slider's first move does not work it out again (a 20 MP click took
        # 30 s, and the first move after it 39 s; a new user's window).
        from dataclasses import replace as replaced

        key = _step_key(image, model, scribbles, replaced(given, threshold=0.5), previous_mask, previous_model,
                        previous_scribbles, transparent)
        kept = _LAST_STEP.get(key)
        if kept is not None:
            # The slider back at 0.5 after a move away: the step that move re-cut is this one,
            # the same inputs by value (a 20 MP photo worked it out again: 54 s, session 56).
            return SegmentationResult(probability=kept.probability.copy(), mask=kept.mask.copy(), model=kept.model)
        with keeping_last_step(False):
            # The function itself, not the module's name for it: a wrapper put there (a test's
            # slowed cut) ran twice, its on_cut wrapped twice.
            result = _apply_model_itself(image, model, scribbles, settings, previous_mask, previous_model,
                                         previous_scribbles, on_cut, transparent)
        _LAST_STEP.keep(key, SegmentationResult(probability=np.array(result.probability), mask=np.array(result.mask),
                                                model=result.model))
        return result
    if transparent is not None:
        # Before any photo-wide decision (the bars, the canonical turn): the turn was chosen on
        # the colours under a transparent strip, so the same cut-out with other hidden colours
        # gave another mask (13,186 pixels of DAVIS 090; the window's job was already free).
        image = outline_free_colours(image, check_transparent(transparent, image.shape[:2]))
    lines = None if getattr(_EDGE_LINES, "done", False) else _box_edge_lines(scribbles, image.shape[:2])
    if lines is not None:
        # A box's sides on the photo's edge are cut as one pixel short, and the mask's edge line
        # takes the label next to it (segmix.box_edges); the previous marks alike, so that the
        # line is no mark added since.
        previous_lines = _box_edge_lines(previous_scribbles, image.shape[:2])
        previous = (previous_scribbles if previous_lines is None
                    else box_edges.marked(previous_scribbles, previous_lines))
        hidden = (np.asarray(transparent, bool) if transparent is not None
                  and np.shape(transparent) == lines.shape else np.zeros(lines.shape, bool))

        def reaching(mask):
            return box_edges.filled(mask, lines) & ~hidden

        shown = None if on_cut is None else (lambda mask, probability: on_cut(reaching(mask), probability))
        # The lines are marked now: not looked for again within (a side a pixel short of the
        # edge, its line background already, would be found again and again).
        _EDGE_LINES.done = True
        try:
            result = apply_model(image, model, box_edges.marked(scribbles, lines), settings, previous_mask,
                                 previous_model, previous, shown, transparent)
        finally:
            _EDGE_LINES.done = False
        return SegmentationResult(probability=result.probability, mask=reaching(result.mask), model=result.model)
    bars = bars_box(image, scribbles)
    if bars is not None:  # the photo inside its bars alone (segmix.photo_bars), the bars background
        shape = image.shape[:2]
        shown = None if on_cut is None else (lambda mask, probability: on_cut(
            photo_bars.pasted(mask, bars, shape), photo_bars.pasted(probability, bars, shape)))
        result = apply_model(photo_bars.inside_photo(image, bars), model, photo_bars.inside(scribbles, bars), settings,
                             photo_bars.inside(previous_mask, bars), previous_model,
                             photo_bars.inside(previous_scribbles, bars), shown, photo_bars.inside(transparent, bars))
        return SegmentationResult(probability=photo_bars.pasted(result.probability, bars, shape),
                                  mask=photo_bars.pasted(result.mask, bars, shape), model=result.model)
    turned = _in_canonical_turn(image, model, scribbles, previous_mask, previous_scribbles, transparent)
    if turned is not None:
        # Every grid of the cut (the coarse blocks, the distance prior's cells, the local
        # colour models' cells) is aligned to the photo's top-left corner, so the same photo
        # turned or mirrored gave another mask (one click on DAVIS 010: IoU 0.74 with the
        # mirrored photo's). Worked out on the photo in its canonical orientation, the mask
        # is the same whichever way the photo came.
        turn, canonical = turned
        _COLOUR_CACHE.share_turned(image, turn, canonical)
        shown = None if on_cut is None else (lambda mask, probability: on_cut(turn.undo(mask), turn.undo(probability)))
        result = _apply_model(canonical, model, turn.apply(scribbles), settings, turn.apply(previous_mask),
                              previous_model, turn.apply(previous_scribbles), shown, turn.apply(transparent))
        return SegmentationResult(probability=turn.undo(result.probability), mask=turn.undo(result.mask),
                                  model=result.model)
    return _apply_model(image, model, scribbles, settings, previous_mask, previous_model, previous_scribbles, on_cut,
                        transparent)


_apply_model_itself = apply_model


def _box_edge_lines(scribbles, shape) -> np.ndarray | None:
    """:func:`segmix.box_edges.edge_lines` of marks that are an (H, W) array of 0 / 1 / 2 of the
    photo's ``shape``; None for anything else (the checks after say what is wrong with it)."""
    if (type(scribbles) is not np.ndarray or scribbles.shape != tuple(shape)
            or scribbles.dtype.kind not in "ui" or (scribbles.size and int(scribbles.max()) > BACKGROUND)):
        return None
    return box_edges.edge_lines(scribbles, frame_of(scribbles))


def _in_canonical_turn(image, model, *maps):
    """(turn, turned photo) when ``apply_model`` should work on the photo turned to its
    canonical orientation (:mod:`segmix.canonical_turn`); None when it is there already, or
    when the model has position features (learnt in the photo's own orientation), or when an
    argument is not what ``apply_model`` takes (its own checks then say what is wrong, in the
    photo's orientation)."""
    if model.features.uses_position:
        return None
    if type(image) is not np.ndarray or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        return None
    if any(m is not None and (type(m) is not np.ndarray or m.shape[:2] != image.shape[:2]) for m in maps):
        return None  # lists, masked arrays (whose mask a copy would drop), other sizes: refused as they are
    turn, canonical = canonical_photo(image)
    return None if turn.identity else (turn, canonical)




#: The largest photo whose threshold cut (:func:`_at_threshold`) is exact (on the box of its
#: free pixels); a larger one takes the banded cut. Why half a megapixel: on 6 DAVIS frames
#: (854 x 480) after 5 clicks the exact re-cut took 2.9 s a threshold at load 7 (up to 50 s:
#: weak log odds against a strong smoothness make long augmenting paths), the banded 0.42 s,
#: but its mean IoU was 0.05-0.08 lower at 0.6 and 0.7 (0.726 / 0.426 against 0.779 / 0.510)
#: and 1 pixel in 30 pairs of thresholds out of order; at 1080p the exact re-cut took 20-26 s
#: a move, on boxes of under half a megapixel too (the limit was 2 MP of box until then).
THRESHOLD_EXACT_PIXELS = 500_000


def _without_step_mask(model: SegmentationModel) -> SegmentationModel:
    from dataclasses import replace as replaced

    return replaced(model, step_mask=None)


def _at_threshold(image, model, scribbles, settings, previous_mask, previous_model, previous_scribbles, on_cut,
                  transparent) -> SegmentationResult:
    """:func:`apply_model` at a threshold other than 0.5, with the graph cut: the step worked
    out at 0.5, then its mask shrunk (threshold over 0.5) or grown (under) by a cut of its
    final colour models' log odds at the threshold.

    Why: a step's fit starts from the mask of the step before (the guards, ``monotone_clicks``,
    ``local_corrections``), so a chain of steps fitted at 0.84 was another chain, not a smaller
    mask: on the astronaut with five marks, 6,588 pixels of wall and strap joined the mask when
    the threshold went from 0.50 to 0.84. Here the chain is the same at every threshold (each
    step refines the one before at 0.5: the returned model's ``step_mask``), and the threshold
    moves one cut within the 0.5 mask (over 0.5) or outside it (under): a higher threshold
    never adds a pixel to the 0.5 mask, a lower one never takes one away, and between two
    thresholds on one side the cuts of a unary shifted by a constant are nested (the
    parametric min cut, Gallo, Grigoriadis & Tarjan 1989), exactly on a photo up to
    :data:`THRESHOLD_EXACT_PIXELS`, nearly with the banded cut of a larger one (1 pixel out of
    order in 30 pairs of thresholds on 6 DAVIS frames).
    """
    from dataclasses import replace as replaced

    threshold = float(settings.threshold)
    image = check_image(image)
    at_half = replaced(settings, threshold=0.5)
    key = _step_key(image, model, scribbles, at_half, previous_mask, previous_model, previous_scribbles, transparent)
    base = _LAST_STEP.get(key)
    if base is None:
        with keeping_last_step(False):  # kept below, as worked out (no copy)
            base = apply_model(image, model, scribbles, at_half, previous_mask, previous_model, previous_scribbles,
                               on_cut, transparent)
        _LAST_STEP.keep(key, base)
    shape = image.shape[:2]
    marks = np.zeros(shape, np.uint8) if scribbles is None else np.asarray(scribbles, np.uint8)
    hidden = (np.zeros(shape, bool) if transparent is None
              else np.asarray(check_transparent(transparent, shape), bool))
    # A box's sides on the photo's edge: their edge lines are background in the re-cut, as in
    # the step's, and take the label next to them after it (segmix.box_edges); decided by
    # colour, the line of a box to the bottom edge differed from the row above it at 0.4.
    lines = None if getattr(_EDGE_LINES, "done", False) else _box_edge_lines(scribbles, shape)
    if lines is not None:
        marks = box_edges.marked(marks, lines)
    grow = threshold < 0.5
    fixed = marks.copy()
    free = fixed == 0
    if grow:
        fixed[free & base.mask] = FOREGROUND
        fixed[free & hidden] = BACKGROUND
    else:
        fixed[free & ~base.mask] = BACKGROUND
    if not (fixed == 0).any():
        mask = base.mask.copy()
    else:
        # The step's own unary less its lean towards the previous mask (that is the chain's):
        # the colour models' log odds at the threshold, the local colour models near the marks
        # and the distance prior, as apply_model's cut adds them.
        model = base.model
        log_likelihoods, inverse, colour_features = _class_log_likelihoods(image, model, with_features=True)
        unary = _spread(foreground_log_odds(log_likelihoods, model.classifier.priors, threshold), inverse, shape)
        if scribbles is not None and settings.local_colour_weight > 0:
            _add_local_colour(unary, image, marks, log_likelihoods, inverse, model, settings, previous_mask,
                              colour_features)
        gamma = _adapted_gamma(unary, fixed, log_likelihoods, inverse, settings)
        if scribbles is not None and settings.distance_prior > 0:
            spatial = _scribble_distance_grid(marks, settings.distance_prior,
                                              border_prior=settings.unlabelled_weight > 0,
                                              image=image, colour_weight=settings.distance_colour_weight)
            if spatial is not None:  # none for a box's marks
                for_pixels(pixel_kernels.add_upsampled, unary.size)(unary, *spatial)
        free_rows, free_cols = np.nonzero(fixed == 0)
        box = (slice(max(free_rows.min() - 1, 0), free_rows.max() + 2),
               slice(max(free_cols.min() - 1, 0), free_cols.max() + 2))
        if unary.size <= THRESHOLD_EXACT_PIXELS:
            # The exact cut on the free pixels' box: the minimum cuts of one unary shifted by a
            # constant are nested, so two thresholds' masks are too. A larger photo takes the
            # banded cut, as every step's cut does (docs/clicks_development.md, session 52).
            # The box's graph is the same at every threshold on one side of 0.5 (only the log
            # odds shift), so its max-flow is kept and the next threshold's starts from it.
            cut = np.zeros(shape, bool) if not grow else fixed == FOREGROUND
            beta = graphcut.estimate_beta(image, settings.connectivity)
            cut[box] = graphcut.cut_free_kept(np.ascontiguousarray(unary[box]), np.ascontiguousarray(image[box]),
                                              np.ascontiguousarray(fixed[box]), gamma, settings.connectivity, beta)
        else:
            cut = graphcut.cut_multiscale(unary, image, fixed, gamma, settings.connectivity, settings.max_exact_pixels)
        del unary
        # keep_connected and fill_holes only: both keep a subset a subset, so the order of
        # masks across thresholds survives them.
        cut = _clean_up(cut, None if scribbles is None else marks, marks, settings, None)
        mask = (cut | base.mask) if grow else (cut & base.mask)
        mask[marks == FOREGROUND] = True
        mask[(marks == BACKGROUND) | hidden] = False
        if lines is not None:
            mask = box_edges.filled(mask, lines) & ~hidden
    return SegmentationResult(probability=base.probability.copy(), mask=mask,
                              model=replaced(base.model, step_mask=base.mask.copy()))


def _crc(values) -> tuple | None:
    """(shape, dtype, CRC-32 of the bytes) of an array, None for None: a key that sees a change
    made in place (~3 ms at 2 MP)."""
    if values is None:
        return None
    if isinstance(values, np.ma.MaskedArray):  # its mask is part of what it says
        return _crc(np.ma.getdata(values)), _crc(np.ma.getmaskarray(values))
    values = np.ascontiguousarray(values)
    return values.shape, values.dtype.str, zlib.crc32(memoryview(values).cast("B"))


def _model_key(model) -> tuple | None:
    """What applying a fitted model depends on, by value: its mixtures' parameters and features,
    priors and settings (a model changed in place, or another one, is another key). Not its
    ``step_mask``: a re-cut's result carries one, which the next re-cut of the step ignores
    (:func:`apply_model` reads it off the previous model only)."""
    if model is None:
        return None
    return (_mixtures_key(model), tuple(np.asarray(model.classifier.priors, float).tolist()), model.settings)


def _step_key(image, model, scribbles, settings, previous_mask, previous_model, previous_scribbles, transparent):
    """Everything a step's result at 0.5 depends on, compared by value (the arrays by CRC)."""
    return (_crc(image), _model_key(model), _crc(scribbles), settings, _crc(previous_mask), _model_key(previous_model),
            _crc(previous_scribbles), _crc(transparent))


class _LastStep:
    """The last step worked out at 0.5 by :func:`_at_threshold`, and its key.

    Why: a threshold slider moved step by step re-cuts one step at each threshold; the step at
    0.5 that every re-cut starts from (the graph cut and its boundary refinement) is the same
    each time. One entry, the window's step; its inputs compared by value (:func:`_step_key`).
    Its result's model is shared (a fitted model is not changed in place by segmix), its arrays
    copied out."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entry = None  # (key, result)

    def get(self, key):
        with self._lock:
            entry = self._entry
        if entry is None or entry[0] != key:
            return None
        return entry[1]

    def get_any(self):
        """The entry kept, whatever its key (None when empty): a cheap test before a key is made."""
        with self._lock:
            entry = self._entry
        return None if entry is None else entry[1]

    def keep(self, key, result) -> None:
        """Keep ``result``, a step :func:`_at_threshold` worked out and hands out only as copies
        (so its arrays are the cache's own, not copied again here)."""
        with self._lock:
            self._entry = (key, result)

    def clear(self) -> None:
        with self._lock:
            self._entry = None

    def forget_photo(self) -> bool:
        """:meth:`clear` (segmix.photo_caches; its lock is held for an assignment only): True."""
        self.clear()
        return True


_LAST_STEP = _LastStep()
#: The graph cut's stage of the last step the window showed it for (apply_model's ``on_cut``),
#: before its boundary refinement: the step's inputs (:func:`_step_key`) and what the
#: refinement and the rest of the step start from. Why: Esc during the refinement of a 16 MP
#: photo's click cancelled the step after its 25 s cut, and the next click fitted the cancelled
#: step again in full (the marks are fitted step by step, as the command line replays them)
#: before its own; now that step's cut is taken from here and only its refinement runs again,
#: the same result by value. Held only from the cut to the step's end (or its cancel, until the
#: step is worked out again or the photo is forgotten).
_CUT_STAGE = _LastStep()
#: The model the window's last fit finished (:class:`keeping_fits`), keyed by its inputs by
#: value (:func:`_fit_key`). Why: Esc during a step's graph cut cancelled it after its fit, and
#: the next mark replayed the step with a new fit of the same marks (EM, ~0.5 s at 1080p, more
#: with a box's rounds); now the fit is taken from here. One small entry (the mixtures).
_FIT_STAGE = _LastStep()
_KEEPING = threading.local()
_KEEPING_FITS = threading.local()
_EDGE_LINES = threading.local()  # done: the box's edge lines are marked (apply_model)


class keeping_last_step:  # noqa: N801 (a context manager, used as a function is)
    """Within it (in this thread), :func:`apply_model` at the threshold 0.5 with a graph cut keeps
    its result as the step a threshold moved next re-cuts (:class:`_LastStep`), so that the first
    move after a click does not work the step out again.

    For the window's jobs: a copy of the mask and the probability map is kept (100 MB at 20 MP),
    which a script's calls need not pay. ``keeping_last_step(False)`` turns it off within.
    """

    def __init__(self, on: bool = True):
        self._on = bool(on)
        self._before = False

    def __enter__(self):
        self._before = getattr(_KEEPING, "on", False)
        _KEEPING.on = self._on
        return self

    def __exit__(self, *exc) -> None:
        _KEEPING.on = self._before


def _apply_model(image, model, scribbles, settings, previous_mask, previous_model, previous_scribbles, on_cut,
                 transparent) -> SegmentationResult:
    """:func:`apply_model` on a photo in the orientation it is to be worked out in."""
    transparent = check_transparent(transparent, np.shape(image)[:2])
    if transparent is not None:
        from segmix.transparency import hide, mark_background

        hidden = transparent
        # Colours nobody sees must not decide the cut: the outline costs nothing (the
        # function's docstring: a cut-out's click gave its disc alone).
        image = outline_free_colours(check_image(image), hidden)
        shown = None if on_cut is None else (lambda mask, probability: on_cut(*hide(mask, probability, hidden)))
        result = _apply_model(image, model, mark_background(scribbles, hidden, hidden.shape), settings,
                              previous_mask, previous_model,
                              None if previous_scribbles is None else mark_background(previous_scribbles, hidden),
                              shown, None)
        mask, probability = hide(result.mask, result.probability, hidden)
        return SegmentationResult(probability=probability, mask=mask, model=result.model)
    # a dict failed as "'dict' object has no attribute 'validate'" (segment / train_model name it)
    settings = model.settings if settings is None else _checked_settings(settings)
    settings.validate()
    image = check_image(image)
    if previous_mask is not None:
        # a probability map given as the mask was read as foreground wherever p > 0
        previous_mask = check_bool_map(previous_mask, image.shape[:2], "previous_mask", allow_255=True,
                                       hint="the previous result's mask (result.mask), not its probability")
    if previous_scribbles is not None:
        previous_scribbles = check_mark_labels(previous_scribbles, "previous_scribbles")
        if previous_scribbles.shape != image.shape[:2]:
            raise ValueError(f"previous_scribbles must be {image.shape[0]} x {image.shape[1]} (H x W) like the photo; "
                             f"got shape {previous_scribbles.shape}")
    if scribbles is not None:
        scribbles = check_scribbles(image, scribbles, require_both=False)
        if previous_mask is not None and (first_object_marks(scribbles, previous_scribbles)
                                          or one_pixel_clicks(image.shape)):
            # The previous mask was the borrowed foreground's (every colour unlike the
            # background marks), not an object the user marked: this step starts afresh, as
            # the same marks do at once (the command line, Retrain), instead of being held to
            # a mask a foreground mark could then only grow (a trial's hiker: three background
            # strokes first gave 60 % foreground, and the stroke on him changed nothing). A new
            # box is such a start too: GrabCut's, not a correction held to the mask before it.
            # On a photo whose click is one pixel, every step starts afresh (one_pixel_clicks).
            previous_mask = previous_scribbles = None
    shape = image.shape[:2]
    probability = None  # the posterior map, made once (for on_cut, or at the end)
    # Scored per distinct colour: the (H, W) maps are made only for the unary and posterior.
    log_likelihoods, inverse, colour_features = _class_log_likelihoods(image, model, with_features=True)
    fixed = scribbles if scribbles is not None else np.zeros(shape, np.uint8)
    if settings.smoothing == "none":
        mask = _spread(foreground_log_odds(log_likelihoods, model.classifier.priors, settings.threshold), inverse, shape) > 0
        mask[fixed == FOREGROUND] = True
        mask[fixed == BACKGROUND] = False
    else:
        # A step whose cut was worked out before a cancel (_CUT_STAGE): its stage, not the cut again.
        stage_key = resumed = None
        if _CUT_STAGE.get_any() is not None or on_cut is not None:
            stage_key = _step_key(image, model, scribbles, settings, previous_mask, previous_model,
                                  previous_scribbles, None)
            resumed = _CUT_STAGE.get(stage_key)
        spatial = None
        if scribbles is not None and settings.distance_prior > 0:
            spatial = _scribble_distance_grid(scribbles, settings.distance_prior,
                                              border_prior=settings.unlabelled_weight > 0,
                                              image=image, colour_weight=settings.distance_colour_weight)
        inertia = None
        if previous_mask is not None and settings.previous_weight > 0:
            inertia = previous_mask_log_odds(previous_mask, fixed, settings.previous_weight)
        star = float(settings.star_colour_weight) if settings.star_convexity else None
        box_scale = box_gamma_scale(fixed)  # once: a box's outside is a pass over the photo (0.3 s at 20 MP)

        def unary_and_gamma(class_log_likelihoods):
            """The cut's unary (H, W) float32 and gamma for these per-colour log-likelihoods."""
            unary = _spread(foreground_log_odds(class_log_likelihoods, model.classifier.priors, settings.threshold),
                            inverse, shape)
            if scribbles is not None and settings.local_colour_weight > 0:
                _add_local_colour(unary, image, scribbles, class_log_likelihoods, inverse, model, settings, previous_mask,
                                  colour_features)
            gamma = _adapted_gamma(unary, fixed, class_log_likelihoods, inverse, settings, box_scale)
            if spatial is not None:
                for_pixels(pixel_kernels.add_upsampled, unary.size)(unary, *spatial)
            if inertia is not None:
                unary += inertia
            return unary, gamma

        rounds = int(settings.refine_rounds)
        rough_rounds = 0  # the first rough_rounds cuts may stop at the coarse level
        if settings.unlabelled_weight > 0 and (not (fixed == FOREGROUND).any() or is_framed(fixed)):
            # A rectangle, alone or with foreground marks: the foreground model was fitted on
            # everything inside it, background included; GrabCut's iterations sort that out.
            rounds = max(rounds, BOX_REFINE_ROUNDS)
        elif (settings.few_marks_refine and settings.unlabelled_weight > 0
              and np.count_nonzero(fixed) < settings.unlabelled_weight * fixed.size):
            # Few marks (a handful of clicks): the foreground model knows only the colours
            # under the clicks and the background one borrows the whole photo's, object
            # included, so the cut keeps little more than the clicked discs. One GrabCut
            # round refits both on the cut and cuts again: mean IoU after the first click
            # 0.18 -> 0.34 on DAVIS, but NoC@90 on the full halves (with local_corrections
            # and 16 neighbours) 13.72 -> 13.70 even, 14.60 -> 14.82 odd, so off by default.
            # Generous scribbles never get here.
            rounds = max(rounds, FEW_MARKS_REFINE_ROUNDS)
            # The round only needs a rough mask to refit the colours on: the coarse level
            # of the banded cut (a sixteenth of the pixels at 1080p) instead of a full cut.
            rough_rounds = rounds
        free = fixed == 0
        seeds = _keep_connected_seeds(scribbles, settings)
        if resumed is not None:
            model, mask, log_likelihoods, inverse, colour_features, first, rounds = (
                resumed["model"], resumed["mask"].copy(), resumed["log_likelihoods"], resumed["inverse"],
                resumed["colour_features"], resumed["last_cut"], resumed["rounds"])
        for round_index in range(0 if resumed is not None else rounds + 1):
            if round_index:
                kept = (model, mask, log_likelihoods, inverse, colour_features)
                model = _refit(model, image, mask)
                log_likelihoods, inverse, colour_features = _class_log_likelihoods(image, model, with_features=True)
            unary, gamma = unary_and_gamma(log_likelihoods)
            mask = graphcut.cut_multiscale(
                unary, image, fixed, gamma, settings.connectivity, settings.max_exact_pixels,
                star=star, coarse_only=round_index < rough_rounds,
                # Rounds refit on the cut and test it for a collapse before any clean-up.
                seeds=seeds if rounds == 0 else None, seed_reach=connection_reach(shape),
            )
            # One cut only: its unary is what a guard's re-cut adds its lean to.
            first = (unary, gamma) if rounds == 0 else None
            del unary
            if round_index and (kept[1] & free).any() and not (mask & free).any():
                # A round that refits the object away altogether (the foreground mixture
                # drifted onto the background's colours) is a collapse, not a refinement:
                # the previous round's result stands.
                model, mask, log_likelihoods, inverse, colour_features = kept
                break
    # The clean-ups belong to the regularised decision: smoothing="none" stays the lecture's
    # plain per-pixel rule.
    if settings.smoothing != "none":
        def colour_log_odds(class_log_likelihoods):
            """The colour models' (H, W) log odds, made only when a clean-up asks."""
            return lambda: _spread(foreground_log_odds(class_log_likelihoods, model.classifier.priors,
                                                       settings.threshold), inverse, shape)

        if resumed is not None:
            last_cut = first  # the kept stage's mask is after its clean-up and guards
        else:
            mask = _clean_up(mask, scribbles, fixed, settings, previous_mask, previous_scribbles,
                             colour_log_odds(log_likelihoods))
            protect = flood = None
            emptied = False
            # The cut's unary and gamma for the boundary refinement (a guard's lean, added in
            # place below, stays in it).
            last_cut = first
            if previous_mask is not None and (rounds == 0 or settings.box_guards):
                # A one-signed step that went far beyond its marks: redo the cut leaning towards
                # the previous mask where it went wrong, more the farther from the new marks.
                if settings.strip_guard > 0:
                    stroke = lambda: previous_scribbles is not None and adds_stroke(fixed, previous_scribbles)  # noqa: E731
                    protect, weight = stripped_objects(mask, previous_mask, fixed, stroke), settings.strip_guard
                if protect is None and settings.removal_guard > 0:
                    protect = removed_near_foreground(mask, previous_mask, fixed, image, settings.removal_guard_colour)
                    weight = settings.removal_guard
                if protect is None and settings.removal_guard > 0:
                    # No foreground mark to measure "nearer" from (a box, then background clicks):
                    # the box's finding holds away from the click (a face emptied by clicks on
                    # the hair beside it).
                    protect = removed_without_foreground(mask, previous_mask, fixed, previous_scribbles)
                    weight = settings.removal_guard
                    emptied = protect is not None
                if protect is None and settings.flood_guard > 0 and rounds == 0:
                    protect = flood = flooded_background(mask, previous_mask, fixed, previous_scribbles)
                    weight = settings.flood_guard
                if protect is not None:
                    lean = previous_mask_log_odds(previous_mask, fixed, weight)
                    lean[~protect] = 0.0
                    # After a box's rounds there was no single cut: the last round's models make it.
                    unary, gamma = first if first is not None else unary_and_gamma(log_likelihoods)
                    first = None
                    unary += lean
                    if flood is not None:
                        cut = _cut_within(flood, mask, unary, image, fixed, gamma, settings, star)
                    else:
                        cut = graphcut.cut_multiscale(unary, image, fixed, gamma, settings.connectivity,
                                                      settings.max_exact_pixels, star=star, seeds=seeds if rounds == 0 else None,
                                                      seed_reach=connection_reach(shape))
                    mask = _clean_up(cut, scribbles, fixed, settings, previous_mask, previous_scribbles,
                                     colour_log_odds(log_likelihoods))
                    del unary
                    if emptied and not (mask & free).any():
                        # Still nothing left: the step's own marks are what the user took away,
                        # not the object the box found (a background click that empties a box
                        # leaves the user nothing to correct).
                        mask = previous_mask & (fixed != BACKGROUND)
        if (settings.snapcut_weight > 0 and last_cut is not None and scribbles is not None
                and (fixed == FOREGROUND).any() and mask.any()):
            if on_cut is not None:
                probability = (resumed["probability"] if resumed is not None else
                               _spread(foreground_posterior(log_likelihoods, model.classifier.priors), inverse, shape))
                if stage_key is not None:
                    # Kept before the window hears of it: Esc there cancels the step (on_cut raises).
                    _CUT_STAGE.keep(stage_key, {"model": model, "mask": mask.copy(), "log_likelihoods": log_likelihoods,
                                                "inverse": inverse, "colour_features": colour_features,
                                                "last_cut": last_cut, "rounds": rounds, "probability": probability})
                on_cut(mask, probability)
            for _ in range(max(1, int(settings.snapcut_rounds))):
                refined = _snapcut_refine(mask, last_cut[0], image, fixed, last_cut[1], settings,
                                          model.features.color_space, star, colour_features, inverse)
                if refined is None:
                    break
                refined = _clean_up(refined, scribbles, fixed, settings, previous_mask, previous_scribbles,
                                    colour_log_odds(log_likelihoods))
                if not refined.any():
                    break
                mask = refined
            if stage_key is not None:
                _CUT_STAGE.clear()  # the step's refinement finished: its stage is no longer wanted
        del last_cut
        if (settings.max_far_change > 0 and previous_mask is not None and previous_model is not None
                and np.count_nonzero(fixed) >= settings.trust_after_marks * fixed.size and rounds == 0 and inverse is not None and previous_model.features == model.features
                and far_change(mask, previous_mask, fixed) > settings.max_far_change * max(1, int(np.count_nonzero(previous_mask)))):
            # A trust region on the colour models: the new models moved the decision far from
            # every correction (a click fixes one place and breaks another). Step back towards
            # the previous models' log-likelihoods until the far change is within the bound.
            previous_ll, _ = _class_log_likelihoods(image, previous_model)
            for step in TRUST_STEPS:
                blended = previous_ll + np.float32(step) * (log_likelihoods - previous_ll)
                unary, gamma = unary_and_gamma(blended)
                candidate = _clean_up(
                    graphcut.cut_multiscale(unary, image, fixed, gamma, settings.connectivity,
                                            settings.max_exact_pixels, star=star, seeds=seeds,
                                            seed_reach=connection_reach(shape)),
                    scribbles, fixed, settings, previous_mask, previous_scribbles, colour_log_odds(blended))
                del unary
                mask, log_likelihoods = candidate, blended
                probability = None  # of the models before the blend
                if far_change(mask, previous_mask, fixed) <= settings.max_far_change * max(1, int(np.count_nonzero(previous_mask))):
                    break
    small = None
    if (settings.small_object_check and settings.smoothing != "none" and settings.unlabelled_weight > 0
            and scribbles is not None):
        if first_click(scribbles, previous_mask):
            small = _small_object(image, scribbles, mask, settings)
        elif (settings.small_object_later > 0 and previous_mask is not None and not is_framed(scribbles)
              and np.count_nonzero(mask) >= settings.small_object_later * max(1, np.count_nonzero(previous_mask))):
            # A step that took the mask to many times the previous one: a flood round a small
            # object, unless the crops round it say the object is larger.
            core = later_core(scribbles, previous_mask)
            if core is not None:
                small = _small_object(image, scribbles, mask, settings, previous_mask, previous_scribbles, core,
                                      settings.small_object_later)
    if probability is None or small is not None:
        probability = _spread(foreground_posterior(log_likelihoods, model.classifier.priors), inverse, shape)
    del log_likelihoods
    if small is not None:
        # The photo's priors flooded round a small object (segmix.small_objects): its mask is the
        # object the crops round the click found, their posterior inside the larger crop.
        (top, bottom, left, right), found = small
        mask = np.zeros(shape, bool)
        mask[top:bottom, left:right] = found.mask
        probability[top:bottom, left:right] = found.probability
    return SegmentationResult(probability=probability, mask=mask, model=model)


def _small_object(image, scribbles, mask, settings, previous_mask=None, previous_scribbles=None, core=None,
                  ratio=None):
    """:func:`segmix.small_objects.closed_object` with crops segmented by this module (the same
    settings, the check off; the previous mask and marks cropped alike; their warnings are of
    the crops, not of the photo)."""
    from dataclasses import replace as replaced

    crop_settings = replaced(settings, small_object_check=False)

    def segment_crop(window):
        top, bottom, left, right = window

        def cropped(a):
            return None if a is None else np.ascontiguousarray(np.asarray(a)[top:bottom, left:right])

        crop_image, crop_scribbles = cropped(image), cropped(scribbles)
        # Held: catch_warnings changes the process's filters, and this runs on the window's worker
        # thread, whose GUI thread's warnings it silenced meanwhile (segmix.held_warnings).
        with held_catch():
            warnings.simplefilter("ignore")
            try:
                with contrast_floor.photo_of(image, small_photo_scale(image.shape)):  # the photo's floor, not the crop's
                    crop_model = train_model(crop_image, crop_scribbles, crop_settings)
            except ValueError:
                # A crop that cannot be fitted (its unmarked colours all among the marks', on a
                # plain backdrop) tells nothing of the object's size: the photo's mask stands.
                return None
            return apply_model(crop_image, crop_model, crop_scribbles, crop_settings, cropped(previous_mask), None,
                               cropped(previous_scribbles))

    return closed_object(image, scribbles, mask, lambda: graphcut.contrast_beta(image), segment_crop, core,
                         FLOOD_RATIO if ratio is None else float(ratio))


# Steps of the colour models' trust region (apply_model, max_far_change): the share of the
# way from the previous models' log-likelihoods to the new ones; 0 = the previous models.
TRUST_STEPS = (0.5, 0.0)
def _keep_connected_seeds(scribbles, settings):
    """The foreground marks (H, W) bool when :func:`_clean_up` keeps only the foreground
    connected to them (so the banded cut may skip the rest, graphcut.seeded_part), else None."""
    if (scribbles is None or settings.smoothing == "none" or not settings.keep_connected
            or settings.keep_connected_gap > 0):
        return None
    seeds = foreground_seeds(scribbles)
    return seeds if seeds.any() else None


def _clean_up(mask, scribbles, fixed, settings, previous_mask, previous_scribbles=None, log_odds=None):
    """keep_connected, fill_holes and local_corrections as the settings ask.

    ``log_odds``: a callable giving the colour models' (H, W) log odds, for keep_connected's
    exception (:func:`segmix.occluded_parts.keep_near_parts`); None = no exception."""
    if scribbles is not None and settings.keep_connected and (scribbles == FOREGROUND).any():
        kept = keep_connected_to(mask, foreground_seeds(scribbles), settings.connectivity, connection_reach(mask.shape))
        kept = _with_box_findings(mask, kept, scribbles, settings.connectivity)
        if log_odds is not None and settings.keep_connected_gap > 0:
            kept = keep_near_parts(mask, kept, log_odds, settings.keep_connected_gap,
                                   settings.keep_connected_log_odds, settings.connectivity,
                                   background=fixed == BACKGROUND)
        mask = kept
    if settings.fill_holes:
        filled = fill_holes_without(mask, fixed == BACKGROUND, settings.connectivity)
        if settings.fill_holes_colour > 0 and log_odds is not None and (filled != mask).any():
            filled = _background_holes_opened(filled, mask, log_odds(), settings.fill_holes_colour, fixed)
        mask = filled
    if previous_mask is not None and settings.local_corrections:
        mask = local_corrections(mask, previous_mask, fixed, settings.connectivity, settings.far_change_share)
    if previous_mask is not None and settings.monotone_clicks:
        mask = monotone_step(mask, previous_mask, fixed, previous_scribbles)
    return mask


#: The first stage's opening of a step's change, as a share of the photo's diagonal (4 px on
#: a 854 x 480 DAVIS frame, 9 px at 1080p). Chosen on 10 even-numbered DAVIS frames x 10
#: clicks (radius 2, 3, 4, 6, 8 px tried; 4 was nearest the cut's final mask) and checked on 10
#: odd ones; docs/clicks_development.md, "The first stage opens the step's change".
STEP_PREVIEW_OPENING = 0.004


def step_preview_side(shape) -> int:
    """The side in pixels of the square :func:`step_preview` opens a step's change by on a
    photo of ``shape`` ((H, W, ...)): parts of the change narrower than it wait for the cut, and
    the rest shows square-edged (41 px on a 4000 x 3000 photo, 9 px on a DAVIS frame)."""
    return 2 * max(int(round(STEP_PREVIEW_OPENING * math.hypot(*shape[:2]))), 1) + 1


def opened_change(mask: np.ndarray, previous: np.ndarray, radius: int) -> np.ndarray:
    """``previous`` changed only where ``mask`` differs from it in parts at least a square of
    side ``2 radius + 1`` wide: (H, W) bool.

    The binary opening (erosion then dilation by that square) of ``mask ^ previous``, applied
    to ``previous``; computed on the change's bounding box only, in run lengths
    (:func:`segmix.kernels.morphology.open_square`), so a click's change costs 0.4 ms at
    1080p and one spanning the photo 14-15 ms (37-42 ms with scipy.ndimage's box or min/max
    filters; a loaded 2-core machine).
    """
    from segmix.kernels import morphology
    from segmix.kernels.threads import for_pixels_exact

    change = mask ^ previous
    rows, cols = np.flatnonzero(change.any(axis=1)), np.flatnonzero(change.any(axis=0))
    if rows.size == 0 or radius < 1:
        return mask.copy()
    h, w = mask.shape
    box = (slice(max(rows[0] - radius, 0), min(rows[-1] + radius + 1, h)),
           slice(max(cols[0] - radius, 0), min(cols[-1] + radius + 1, w)))
    part = np.ascontiguousarray(change[box]).view(np.uint8)
    opened = np.empty_like(part)
    for_pixels_exact(morphology.open_square, part.size)(part, int(radius), opened)
    out = previous.copy()
    out[box] ^= opened.view(bool)
    return out


def step_preview(mask, scribbles, settings, previous_mask=None, previous_scribbles=None):
    """The per-pixel decision of a step, cleaned up as its graph cut's mask will be: (H, W) bool.

    The window shows the per-pixel Bayes decision within a blink of a mark, and the graph
    cut's mask a few hundred milliseconds later. Shown raw, the decision lit up every
    look-alike colour of the photo for that moment at each click (a trial: the crowd behind
    a dancer flashed green and went). The cut's own clean-up rules
    (:func:`_clean_up`: only the foreground connected to a foreground mark, holes filled,
    and with the previous result the step's one sign, ``monotone_clicks``) applied to the
    decision remove that flash and keep what the cut would keep; a step the flood guard will
    hold back (:func:`segmix.click_guards.flooded_background`) shows the previous mask and its
    marks until the cut arrives. The step's change from the previous result (from an empty
    mask at the first step) is first opened
    (:func:`opened_change`, a square of :data:`STEP_PREVIEW_OPENING` of the diagonal): the
    decision's speckle and the thin chains of look-alike pixels it grows along (the mulch
    round DAVIS 000's bear at its seventh click: 16,427 pixels shown and taken back) are left
    to the cut, and a change the cut will make in a body of pixels shows at once. Not a cut:
    the boundary stays the per-pixel one until the cut's mask replaces it.

    Parameters
    ----------
    mask : (H, W) bool
        The per-pixel decision (marks already applied).
    scribbles : (H, W) uint8 labels, 0 unmarked, 1 foreground, 2 background (transparent
        pixels as background, as the cut sees them)
    settings : SegmentationSettings
        ``keep_connected``, ``fill_holes``, ``local_corrections``, ``monotone_clicks`` and
        ``connectivity`` as for the cut (``keep_connected_gap``'s exception is left out: it
        needs the cut's log odds).
    previous_mask : (H, W) bool, optional
        The previous step's final mask (the chain the cut refines).
    previous_scribbles : (H, W) uint8, optional
        The marks of that result.

    Returns
    -------
    (H, W) bool
    """
    if previous_mask is not None and (first_object_marks(scribbles, previous_scribbles)
                                      or one_pixel_clicks(np.shape(mask))):
        # The cut starts afresh (apply_model): so does its preview, or a box after a background
        # click showed the click's mask cut to the box until the cut's mask replaced it.
        previous_mask = previous_scribbles = None
    previous = None if previous_mask is None else np.asarray(previous_mask, bool)
    mask = np.asarray(mask, bool)
    # The first step's change is the whole decision (from an empty mask): on the first click
    # of 50 even DAVIS frames it showed a mean 19,034 pixels the cut's mask has not, 1,348
    # opened (odd: 19,878 -> 1,909), while differing from the cut's mask on 5.99 % of the
    # pixels instead of 5.33 % (6.58 / 5.93 %): parts thinner than the square wait for the cut.
    start = previous if previous is not None and previous.shape == mask.shape else np.zeros_like(mask)
    mask = opened_change(mask, start, step_preview_side(mask.shape) // 2)
    mask |= scribbles == FOREGROUND  # the marks as the decision had them
    mask &= scribbles != BACKGROUND
    shown = _clean_up(mask, scribbles, scribbles, settings, previous, previous_scribbles)
    if (previous is not None and settings.flood_guard > 0
            and flooded_background(shown, previous, scribbles, previous_scribbles) is not None):
        # A flood the cut's flood guard will hold back: the previous mask and the new marks
        # until the cut says how far the step grows (its growth near the marks only was a
        # disc around the click, a shape of no edge in the photo: a second trial).
        shown = (previous | (scribbles == FOREGROUND)) & (scribbles != BACKGROUND)
    return shown


def _add_local_colour(unary, image, scribbles, log_likelihoods, inverse, model, settings, previous_mask=None,
                      colour_features=None) -> None:
    """Mix the per-click local colour models into ``unary`` in place (segmix.local_colour).

    ``colour_features``: the features (U, D) of the distinct colours ``inverse`` indexes, as
    :func:`_class_log_likelihoods` scored them (looked up in the cache if not given)."""
    options = (settings.local_colour_marks, previous_mask, settings.local_colour_boundary_reach,
               settings.local_colour_geodesic, settings.local_colour_cutoff, settings.local_colour_mixing)
    if inverse is not None:
        feats = colour_features
        if feats is None:
            try:  # the photo's distinct colours were just scored: their features are cached
                _, cached_inverse, feats = _COLOUR_CACHE.get(image, model.features)
            except (TypeError, ValueError):
                cached_inverse = None
            if cached_inverse is None or cached_inverse is not inverse:
                feats = None
        if feats is not None:
            add_local_colour(unary, image, scribbles, log_likelihoods, inverse, feats,
                             settings.local_colour_weight, settings.local_colour_reach, *options)
            return
    colour = None
    if inverse is None:
        flat = log_likelihoods.reshape(2, -1)

        def at(index):
            return flat[:, index]
    else:
        def at(index):
            return log_likelihoods[:, inverse[index]]
    index, delta = local_colour_log_odds_delta(image, scribbles, at, model.features,
                                               settings.local_colour_weight, settings.local_colour_reach, colour,
                                               *options)
    if index.size:
        unary.reshape(-1)[index] += delta


def _adapted_gamma(unary, fixed, log_likelihoods, inverse, settings, box_scale=None) -> float:
    """The cut's gamma; with ``adaptive_smoothness`` also scales ``unary`` in place ("pixel").
    ``box_scale``: :func:`box_gamma_scale` of ``fixed`` if known (worked out here otherwise)."""
    mode = settings.adaptive_smoothness
    # A small photo's regions hold few pixels of colour evidence (their area) against their
    # boundary (their side), so gamma shrinks with the photo below a 200-px diagonal, as it
    # grows above a DAVIS frame's (clicks.small_photo_scale: a box alone on 60-px crops of
    # DAVIS frames kept 0.33 mean IoU, half the masks nearly empty, 0.62 now). Under 40 px
    # this was tiny_scale, the shorter side over 40 (session 45's helper), smaller there now.
    # A small box alone is judged as a small photo is (box_gamma_scale): the smaller factor.
    gamma = (float(settings.smoothness) * photo_scale(fixed.shape)
             * min(small_photo_scale(fixed.shape), box_gamma_scale(fixed) if box_scale is None else box_scale))
    if mode == "image":
        return adaptive_smoothness.image_gamma(gamma, unary, fixed, settings.adaptive_strength)
    if mode == "pixel":
        best = _spread(np.max(log_likelihoods, axis=0), inverse, fixed.shape)
        scale = adaptive_smoothness.unexplained_colour_scale(best, fixed, settings.adaptive_strength)
        if scale is not None:
            unary *= scale
    return gamma


# From this many pixels the boundary refinement's band cut starts its max-flow from a coarse
# one and runs it in two halves first (graphcut.cut_free's ``large``: the same minimum cut,
# up to the flows' float32 rounding, the halves on two threads when set). Smaller photos
# keep the one max-flow from scratch, bit for bit.
LARGE_BAND_MIN_PIXELS = 6_000_000


def _snapcut_refine(mask, unary, image, fixed, gamma, settings, color_space, star, colour_features=None,
                    inverse=None):
    """The cut again with SnapCut's local boundary classifiers mixed into ``unary``: (H, W) bool or None.

    See ``SegmentationSettings.snapcut_weight`` and :mod:`segmix.snapcut`. ``unary`` is not
    changed."""
    from segmix.snapcut import boundary_refinement

    checkpoint()  # a cancelled job stops before each round of the refinement (a large photo's seconds)
    # The windows, margin and band are lengths on a DAVIS frame: on a larger copy they cover
    # the same share of the object (2x copies of 16 even / 16 odd DAVIS frames, mean IoU
    # after 10 clicks 0.829 / 0.811 with fixed lengths, 0.838 / 0.823 scaled; 0.847 / 0.826 at 1x).
    scale = photo_scale(mask.shape)
    window = 2 * int(round(int(settings.snapcut_window) // 2 * scale)) + 1
    found = boundary_refinement(image, mask, fixed, window, float(settings.snapcut_margin) * scale,
                                color_space, colour_features=colour_features, inverse=inverse,
                                mark_weight=float(settings.snapcut_mark_weight),
                                agree=unary if settings.snapcut_agree else None)
    if found is None:
        return None
    checkpoint()  # between the local classifiers and the band's cut
    (top, bottom, left, right), llr, confidence, signed = found
    box = (slice(top, bottom), slice(left, right))
    band = (np.abs(signed) <= settings.snapcut_band * scale) & (confidence > 0)
    if not band.any():
        return None
    a = np.float32(min(1.0, settings.snapcut_weight) if settings.snapcut_combine == "mix" else settings.snapcut_weight)
    a = np.where(band, a * confidence, np.float32(0.0)).astype(np.float32)
    local = unary[box]
    if settings.snapcut_combine == "mix":
        modified = (1.0 - a) * local + a * llr
    else:
        modified = local + a * llr
    if settings.snapcut_recut == "full":
        full = unary.copy()
        full[box] = modified
        return graphcut.cut_multiscale(full, image, fixed, gamma, settings.connectivity, settings.max_exact_pixels,
                                       star=star)
    # The band only: every other pixel keeps the mask's label; the cut's graph holds the free
    # pixels only (graphcut.cut_free), with the photo's contrast beta.
    sub_fixed = fixed[box].copy()
    outside = ~band & (sub_fixed == 0)
    sub_mask = mask[box]
    sub_fixed[outside & sub_mask] = FOREGROUND
    sub_fixed[outside & ~sub_mask] = BACKGROUND
    beta = graphcut.photo_beta(image, settings.connectivity, settings.max_exact_pixels)
    sub_image = np.ascontiguousarray(image[box])
    sub_image.setflags(write=image.flags.writeable and sub_image.flags.writeable)
    cut = graphcut.cut_free(np.ascontiguousarray(modified, dtype=np.float32), sub_image, sub_fixed, gamma,
                            settings.connectivity, beta=beta, star=star, large=mask.size >= LARGE_BAND_MIN_PIXELS)
    out = mask.copy()
    out[box] = cut
    return out


def _cut_within(region, mask, unary, image, fixed, gamma, settings, star) -> np.ndarray:
    """The cut again inside ``region`` only, every other pixel keeping ``mask``'s label: (H, W) bool.

    For the flood guard's re-cut, whose lean only lowers foreground unaries inside
    ``region`` (the step's growth): by the nesting of minimum cuts the pixels outside it
    keep their labels, so the cut runs on the region's bounding box (with the 16-
    neighbourhood's 2-px reach around it, fixed to ``mask``) and the photo's contrast beta:
    a 1080p re-cut costs about as much as the first cut otherwise.
    """
    rows, cols = np.flatnonzero(region.any(axis=1)), np.flatnonzero(region.any(axis=0))
    if rows.size == 0:
        return mask
    h, w = mask.shape
    reach = 2
    top, bottom = max(0, rows[0] - reach), min(h, rows[-1] + 1 + reach)
    left, right = max(0, cols[0] - reach), min(w, cols[-1] + 1 + reach)
    max_exact, factor = settings.max_exact_pixels, None
    if h * w > max_exact:
        # The photo's banded cut on its own block grid: the crop starts on a block corner
        # and is cut at the photo's coarse factor even when small enough to be cut exactly.
        factor = graphcut.coarse_factor(h * w)
        top, left = top - top % factor, left - left % factor
        max_exact = 0
    box = (slice(top, bottom), slice(left, right))
    sub_fixed = fixed[box].copy()
    outside = ~region[box] & (sub_fixed == 0)
    sub_fixed[outside & mask[box]] = FOREGROUND
    sub_fixed[outside & ~mask[box]] = BACKGROUND
    beta = graphcut.photo_beta(image, settings.connectivity, settings.max_exact_pixels)
    sub_image = np.ascontiguousarray(image[box])
    # A read-only array is another Numba type: the window's photos are read-only and its
    # warm-up compiles those variants, so a writable crop would compile the cut's kernels
    # again (seconds) on the first guarded click.
    sub_image.setflags(write=image.flags.writeable and sub_image.flags.writeable)
    cut = graphcut.cut_multiscale(np.ascontiguousarray(unary[box]), sub_image, sub_fixed,
                                  gamma, settings.connectivity, max_exact, factor=factor, star=star, beta=beta)
    out = mask.copy()
    out[box] = cut
    return out


_settings_as_keywords = settings_as_keywords(
    lambda: SegmentationSettings.__dataclass_fields__,
    lambda shown: f"settings=SegmentationSettings({shown}) (segmix.segment.SegmentationSettings)")


@_settings_as_keywords
def segment(image, scribbles, settings=None, previous_mask=None, previous_model=None,
            previous_scribbles=None, transparent=None) -> SegmentationResult:
    """Train and apply in one call: the function GUI, CLI and library all use.

    Parameters
    ----------
    image : (H, W, 3) uint8 array, RGB order (an OpenCV BGR array: cv2.cvtColor(a, cv2.COLOR_BGR2RGB)):
        the colour models read the channels as R, G, B
    scribbles : (H, W) integer array, 0 unlabelled, 1 foreground, 2 background
    settings : SegmentationSettings, optional
    previous_mask : (H, W) bool, optional
        The previous result's mask (0 / 1 or 0 / 255 integers are taken too; a probability
        map is refused), when the marks were only added since (used by
        ``monotone_clicks``, on by default, ``previous_weight`` and ``local_corrections``).
    previous_model : SegmentationModel, optional
        The previous result's model (used by ``warm_refit``, see :func:`iter_train_model`).
    previous_scribbles : (H, W) uint8, optional
        The marks of the previous result (see :func:`apply_model`).
    transparent : (H, W) bool, optional
        The photo's fully transparent pixels (``LoadedImage.alpha == 0``): no colour
        evidence in the training, and background in the cut wherever unmarked
        (:mod:`segmix.transparency`).

    Returns
    -------
    SegmentationResult
        ``mask`` (H, W) bool, ``probability`` (H, W) float32 p(foreground), ``model``.

    Raises
    ------
    TypeError
        ``settings`` that are not a :class:`SegmentationSettings` (a dict: ``from_dict``), a
        ``previous_model`` that is not a :class:`SegmentationModel` (the result: ``result.model``).
    ValueError
        An image that is not (H, W, 3) uint8 (the message says how to convert it), scribbles
        of another size, dtype (floats, bool) or values than 0 / 1 / 2, no marks, an invalid
        setting (named), a ``transparent`` of another size or not 0 / 1 (an alpha channel).

    Warns
    -----
    NoObjectMarkedWarning
        Background marks alone, no foreground and no box (:func:`no_object_words`): the mask
        is every colour unlike them, as ``segmix segment`` warns.
    MaskLikeMarksWarning, GrabCutMarksWarning
        Marks that look like a filled 0 / 1 object mask (or mark every pixel), or like an
        OpenCV grabCut mask, as ``segmix segment`` warns.
    EmptyMaskWarning
        No pixel came out foreground (:func:`no_foreground_words`).
    BoxKeptLittleWarning
        A box kept under 1 % of its unmarked inside (:func:`box_kept_little_words`).
    MarksOnlyWarning
        Little more than the foreground marks came out foreground, where the per-pixel
        decision calls much more (:func:`segmix.result_notes.marks_only_words`).
    FewColoursWarning
        A class's marks hold fewer distinct colours than ``n_components``: its mixture has fewer.
    SameColoursWarning
        The foreground and background marks lie on one and the same set of colours
        (:func:`same_colours_words`).
    """
    return _segment(image, scribbles, settings, previous_mask, previous_model, previous_scribbles, transparent)


def _segment(image, scribbles, settings=None, previous_mask=None, previous_model=None, previous_scribbles=None,
             transparent=None, say_no_object: bool = True, say_result: bool = True) -> SegmentationResult:
    """:func:`segment`; ``say_no_object`` False for a step of a chain whose later marks may mark
    the object (:func:`segmix.mark_steps.replay_steps` says it of the last step only), and
    ``say_result`` False (or ``say_no_object``) for one whose result a later step replaces: no
    warning of the marks' kind (mask-like, grabCut) or of the result (empty, box kept little,
    marks only)."""
    say_result = say_result and say_no_object
    settings = _checked_settings(settings)
    _check_previous_model(previous_model)
    transparent = check_transparent(transparent, np.shape(image)[:2]) if transparent is not None else None
    if transparent is None:
        model = train_model(image, scribbles, settings, previous_model)
        if say_no_object:
            _say_no_object(scribbles, say_result)
        result = apply_model(image, model, scribbles, settings, previous_mask, previous_model, previous_scribbles)
    else:
        model = train_model(image, scribbles, settings, previous_model, transparent)
        if say_no_object:
            _say_no_object(scribbles, say_result)
        result = apply_model(image, model, scribbles, settings, previous_mask, previous_model, previous_scribbles,
                             transparent=transparent)
    result.trained_model = model
    if say_result:
        # As the training read them (a PIL image, a memmap, nested lists), checked there already.
        pixels = check_image(image)
        same = same_colours_words(pixels, check_scribbles(pixels, scribbles, require_both=False))
        if same is not None:
            warnings.warn(same, SameColoursWarning, stacklevel=_caller_level())
        empty = no_foreground_words(result, settings, scribbles=_marks_or_none(scribbles, result.mask.shape))
        little_of_box = None if empty is not None else box_kept_little_words(result.mask, scribbles)
        if empty is not None:
            warnings.warn(empty, EmptyMaskWarning, stacklevel=_caller_level())
        elif little_of_box is not None:
            warnings.warn(little_of_box, BoxKeptLittleWarning, stacklevel=_caller_level())
        elif settings.smoothing != "none":
            from segmix.result_notes import marks_only_words

            little = marks_only_words(result.mask, scribbles, result.probability, settings.threshold, transparent)
            if little is not None:
                warnings.warn(little, MarksOnlyWarning, stacklevel=_caller_level())
    return result


def _say_no_object(scribbles, say_marks: bool = True) -> None:
    """Warn (NoObjectMarkedWarning) of marks that the training took (checked) but that mark no
    object: the command line said it, the library returned half the photo in silence; with
    ``say_marks``, of marks like a 0 / 1 mask or a grabCut mask too."""
    words = no_object_words(scribbles)
    if words is not None:
        warnings.warn(words, NoObjectMarkedWarning, stacklevel=_caller_level())
    if not say_marks:
        return
    from segmix.labelmaps import grabcut_start_words, mask_like_marks

    # The command line's warnings of the marks (no second copy of their rules: its functions).
    for words, category in ((mask_like_marks(scribbles), MaskLikeMarksWarning),
                            (grabcut_start_words(scribbles), GrabCutMarksWarning)):
        if words is not None:
            warnings.warn(f"the scribbles: {words}", category, stacklevel=_caller_level())
