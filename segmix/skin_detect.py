"""The refined skin detector: per-photo MAP adaptation of the colour mixtures, the photo's own
colour density as non-skin evidence, a stated prior, and hysteresis with small-region removal.

Used by ``segmix skin apply``, ``segmix skin eval`` and the window's skin mode, so all three
give the same masks. Two steps, so that a threshold slider re-runs only the cheap one:

1. :func:`skin_log_odds` (the costly step): an underexposed photo is first lifted by one gain
   for R, G and B that takes its 99th-percentile luma up to ``exposure_target``
   (:mod:`segmix.exposure`; at most ``exposure_max_gain``; a brighter photo is untouched). Then colours are binned (``BITS`` bits per channel,
   each bin represented by its centre colour), the stored model's scores of every bin centre
   are looked up in a table computed once per model, then both mixtures are adapted to the
   photo by one MAP-EM step (Reynolds, Quatieri & Dunn, "Speaker verification using adapted
   Gaussian mixture models", DSP 2000) with the built-in parameters as the prior, each
   component moving by ``n_k / (n_k + relevance)`` towards the photo's weighted statistics
   (n_k = pixels it is responsible for). Which pixels train which class:

   - skin: pixels whose log-likelihood ratio under the model's *core* skin Gaussians
     (``training["core_skin_components"]``; the built-in model's UCI Gaussians) exceeds
     ``confident_skin``; only the core moves, the tone-ladder Gaussians stay fixed. When the
     confident pixels are of two kinds (a skin-coloured wall around a face), weighting them by
     their likelihood ratio moves the core elsewhere than counting them does; then the
     weighted sample is the one learnt (``sharpen``, ``sharpen_shift``);
   - non-skin: pixels whose ratio under the *whole* model is below ``confident_non_skin``. A
     colour the model calls skin in any tone never trains the photo's non-skin mixture, so a
     photo cannot unlearn pale or dark skin. (Letting dark colours train it gains about 0.08
     pooled F1 on the development photos but loses a lone MST-9 face: tests.)

   Three guards (``skin_luma_floor``, ``non_skin_guard``, ``non_skin_floor``): the adapted
   skin core keeps at least the prior's luma variance (its confident pixels are the best-lit
   skin; the photo's skin also lies in shade), a non-skin Gaussian that, adapted, explains the
   photo's confident skin about as well as the skin side does keeps its prior parameters (in a
   close-up of pale skin the non-skin side's training pixels are mostly that skin), and the
   other adapted non-skin Gaussians keep half the prior's variance in chroma (narrowed onto a
   smooth wall, one outweighs the skin of nearly its chroma).

   A photo with fewer than ``min_adapt_pixels`` confident pixels of a class keeps that
   mixture, so a photo without skin does not grow some. In a photo with a JPEG block grid
   (heavy compression; :mod:`segmix.jpeg_chroma`) the colours are binned with their chroma
   low-passed (``jpeg_deblock``) and the adapted Gaussians get the variance of the chroma's
   measured quantisation lattice (``jpeg_chroma_noise``); other photos are not touched. Then the photo's own colour density
   joins its non-skin likelihood: ``(1 - b) p(x | non-skin) + b h(x)``, h the photo's colour
   histogram smoothed over neighbouring bins, per unit of feature volume (``photo_density``
   = b). Skin is expected to be a small share of a photo, so a colour that covers much of it
   (a wall, sand, a table) is evidence of non-skin in proportion to its share. The result is
   the log-likelihood ratio plus ``logit(skin_share)``: the log posterior odds with the prior
   stated as the expected share of skin in a photo. Last, a non-colour cue
   (:mod:`segmix.skin_texture`, ``texture``): the fine-scale grain of the photo's luma
   around each candidate pixel, as evidence against skin above a level (wood, sand, hair).
   Then (``second_pass``, on by default) a self-training pass on the result of the first pass's regions:
   the colours of the skin-coloured pixels they rejected, and of the regions the boundary
   prior would drop (``second_pass_boundary``), become extra non-skin density and the log
   odds are recomputed; so the slider's step below stays the only one to re-run.
2. :func:`skin_mask` (cheap): the regions, by default the foreground of a contrast-sensitive
   graph cut on the log odds, exact on blocks of the photo (``regions="graphcut"``,
   ``cut_diagonal``), or hysteresis (Canny's rule on the log odds: connected pixels above the
   decision level, ``regions="hysteresis"``); (8-connected) regions are kept when they contain
   a seed at least ``hysteresis`` nats above the level and cover at least ``min_area`` of the
   photo.

The per-bin work (at most 2**(3 * BITS) bins) is NumPy; the passes over the photo's pixels
(binning, the photo density's smoothing, the regions, the second pass's dilation, counts and
maps) are fused kernels of :mod:`segmix.kernels.skin` that give the NumPy / SciPy forms'
results bit for bit.
"""

from __future__ import annotations

import math
import threading
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace

import numpy as np

from segmix.arguments import as_number, string_hint
from segmix.bayes import check_image
from segmix.exposure import bright_end, expose, exposure_gain
from segmix.features import MAX_WEIGHT

__all__ = ["SkinSettings", "SkinResult", "DEFAULT_SETTINGS", "PLAIN_SETTINGS", "for_photo_size", "detect",
           "skin_log_odds", "lift_exposure", "balance_for_skin", "cast_decision", "visible_count", "HIDDEN_LOG_ODDS", "hide_log_odds",
           "skin_mask", "posterior_from_log_odds", "unkept_words", "unkept_reason",
           "region_floor"]

#: Bits per channel of the colour bins (4 grey levels per bin; the skin Gaussian's narrowest
#: spread is about 6 levels of Cr).
BITS = 6
#: Largest ``jpeg_deblock`` (pixels): a Gaussian of 16 px already spans a 4:2:0 photo's two
#: chroma blocks either side.
MAX_DEBLOCK = 16.0
#: Levels: a blocky photo's chroma lattice (:func:`segmix.jpeg_chroma.chroma_lattice`) finer
#: than two colour bins (``2 * 2**(8 - BITS)``) moves a colour by less than a bin, which the
#: binning already blurs; its noise is not added (``SkinSettings.jpeg_chroma_noise``).
MIN_LATTICE = 2.0 * (1 << (8 - BITS))


#: The smallest ``cut_diagonal`` but 0: a grid of about 16 x 12 blocks on a 4:3 photo; below
#: it the cut has a handful of blocks (the whole photo one block at 1).
MIN_CUT_DIAGONAL = 20.0


@dataclass(frozen=True)
class SkinSettings:
    """How the detector turns a skin model into a mask.

    Attributes
    ----------
    skin_share : float in (0, 1) or None
        The prior p(skin): the expected share of skin pixels in a photo. None = the prior stored
        in the model.
    adapt : bool
        Per-photo MAP adaptation of both mixtures.
    relevance : float
        MAP relevance factor tau in pixels: a component with n_k responsible pixels moves
        n_k / (n_k + tau) of the way to the photo's statistics.
    confident_skin, confident_non_skin : float
        Log-likelihood ratios (nats, built-in model) above / below which a pixel trains the
        photo's skin / non-skin mixture.
    min_adapt_pixels : int
        Fewer confident pixels than this: that class is not adapted (and the second pass does
        not run on fewer rejected pixels). Default 100 (200 before session 14): a pale
        close-up that the model finds only through the adaptation has few confident skin
        pixels (its redder patches), and at some exposures fewer than 200 (synthetic pale
        close-ups at exposures 0.6-1.2 kept: 73 -> 88 of 112); even half: abdomen 0.917 ->
        0.924 (abdomen val 613: 0.42 -> 0.81), the other sets unchanged; odd half unchanged to
        3 decimals (17 photos move by -0.001 .. +0.013); 50 gave the same figures
        (docs/skin_development.md, "Lifting underexposed photos").
    sharpen : float >= 0
        Exponent a of the skin side's alternative sample weights, ``n(x) * (LR(x) / LR_max) ** a``
        (n(x) the confident pixels of colour bin x, LR the core's likelihood ratio, LR_max its
        largest over the confident bins; rescaled to the same total): the most skin-like of the
        confident colours count more (0 = off). In a street photo the confident skin is often
        mostly a brick wall or a facade (1-2 % of the photo is the face, 20-30 % the wall), and
        counted by pixels the adapted skin core moves onto the wall; the face's colours, though
        fewer, lie higher in the ratio (docs/skin_development.md, "Weighting the confident skin").
    sharpen_shift : float >= 0
        The weighted sample replaces the counted one only when it moves the adapted core's
        means by at least this much (Mahalanobis distance under the prior core's covariances,
        averaged with the prior core's weights). Where the confident skin is of one kind (a
        face filling a crop, a hand) the weighting only narrows the core onto the best-lit
        skin and loses the rest (SFA -0.015 F1 without the test); where it is of two kinds the
        weighted core lands elsewhere. Default 1 and 0.5, chosen on the even half among
        a = 0.5-2 and shifts 0-1: street photos 0.454 -> 0.466, hands 0.905 -> 0.909, SFA and
        abdomen within 0.002; odd half: street 0.393 -> 0.410, hands 0.897 -> 0.900, SFA 0.895
        -> 0.898, abdomen 0.891 both.
    spatial : bool
        Hysteresis and small-region removal; False = the per-pixel decision.
    hysteresis : float
        A region needs a seed this many nats of log odds above the decision level, or above
        ``seed_cap`` nats if that is lower (but never below the level).
    seed_cap : float
        Log odds (nats) that always make a seed once the decision level is within
        ``hysteresis`` of them: without it, at thresholds above about 0.4 no pixel was 5 nats
        above the level and the mask was empty on clear skin (a final trial: ccp_0533 at 0.43,
        while 39 % of its pixels had p(skin) > 0.43). 2 nats (p = 0.88) leaves the built-in
        model's operating point (0.04: seeds at 1.82 nats) as it was, and keeps the mask
        monotone in the threshold.
    seed_smooth : int >= 0
        Side (pixels, odd) of a box mean taken over the seed log odds before a region's seed is
        looked for, and the clear-skin cluster of the size floor (0 or 1 = the pixels' own, the
        default). 5 steadies a JPEG re-save but loses a pale face whose seeds pass the level only
        at its noisiest pixels (``tests/test_skin_detect.py``'s MST-2 portrait on grey: 0 %):
        an option. A region's seed is the *largest* value in it, and
        the largest of many noisy values moves with the noise: on ccp_0250 a 1,604-pixel hand
        whose best seed lay 0.01 nats from the seed level went with a JPEG re-save
        (docs/skin_development.md, "Stability under invisible changes").
    min_area : float
        Regions smaller than this fraction of the photo (of a cut-out's visible pixels) are
        dropped, or than ``min_area_of_clear`` of its largest cluster of clear skin if that is
        fewer pixels (:func:`region_floor`).
    min_area_of_clear : float >= 0
        The size floor's share of the largest 8-connected cluster of clear skin (seed log odds
        above ``seed_cap``); 0 = the share of the photo alone. A floor of the photo alone
        scaled with what is around the person: a street photo centred on a plain canvas three
        times its size, or tiled 3 x 3, lost all its skin (F1 0.81 -> 0).
    min_area_pixels : int >= 0
        The floor by the clear skin is never under this many pixels (the share of the photo
        may be): a lone speck of clear skin (4 pixels on a green wall) set its own floor and
        stayed.
    cut_level_cap : float
        Log odds (nats): above it the graph-cut regions are cut at this level and keep the
        pixels above the decision level inside them, so the mask shrinks with the threshold as
        its pixels do (math.inf = the cut at every level). At its own level above about p 0.85
        the cut dropped whole regions at once (a hand photo 5.6 % skin at 0.88, 0.02 % at 0.89).
    photo_density : float in [0, 1)
        Weight of the photo's own colour density in its non-skin likelihood (0 = off): the
        non-skin density of a photo is ``(1 - photo_density) * p(x | non-skin model) +
        photo_density * h(x)``, with h the photo's colour histogram smoothed by a Gaussian of
        ``density_sigma`` bins, in the same units (per unit of feature volume). A colour that
        covers much of the photo (a wall, sand, a wooden table) becomes likelier as non-skin.
    density_sigma : float
        Spread of that smoothing, in colour bins (``2**(8 - BITS)`` grey levels each).
    regions : {"hysteresis", "graphcut"}
        How the regions are found: connected pixels above the level ("hysteresis"), or the
        minimum of a contrast-sensitive MRF on the log odds ("graphcut": unary the log odds
        minus the level, Potts weight ``smoothness * exp(-beta |I_p - I_q|^2)`` per pixel
        pair, ``cut_connectivity`` neighbours), exact on blocks of the photo
        (``cut_diagonal``) or at full resolution; the seed and minimum-area rules apply to
        both (README, detector step 7). The graph cut on blocks is the default: above
        hysteresis on every development set of both halves at about 1.2-1.5x the detector's
        CPU time (README).
    smoothness : float
        The graph cut's Potts weight gamma (nats per pixel pair), chosen on the development photos.
    cut_diagonal : float >= 0
        Pixels: with ``regions="graphcut"``, the diagonal of the grid the cut runs on. A
        photo of diagonal D is cut on blocks of side ``round(D / cut_diagonal)`` pixels
        (:func:`cut_block_side`; at least 1, which is the exact cut at full resolution,
        :func:`segmix.graphcut.cut_image`; 0 = full resolution at every size): the MRF is
        minimised exactly on the blocks (:func:`segmix.graphcut.cut_blocks`: unaries summed
        per block, Potts weight ``smoothness`` times the block side) and the pixels of the
        blocks on either side of the block boundary take the per-pixel decision (log odds
        above the level): the blocks decide which regions exist, the pixels where their
        edges run. The cut's cost no longer grows with the photo's size.
    cut_connectivity : {4, 8, 16}
        The graph cut's neighbourhood (on the blocks, or on the pixels when the block side is 1).
    faces : bool
        Face-calibrated skin colour (Hsu, Abdel-Mottaleb & Jain 2002; Kawulok 2013), an option
        (needs OpenCV 4.x: ``pip install ".[faces]"``): frontal faces are looked for
        (:func:`segmix.faces.detect_faces`); each face that passes the check (half of its
        central ellipse is skin under the model above) gives one Gaussian fitted on that skin;
        the photo's skin density becomes ``face_weight`` times their mixture plus the rest
        times the (adapted) core, without the tone ladder, and the photo's colour density
        weighs ``face_density``. A photo without a usable face keeps the detector above. Not
        the default: skin of another tone than the faces found (a second person whose face is
        turned away) is lost (README).
    face_weight : float in (0, 1]
        The face Gaussian's share of the calibrated skin density.
    face_density : float in [0, 1)
        ``photo_density`` of a face-calibrated photo: its skin colour is known, so the
        photo's own colours may weigh more as non-skin evidence.
    face_texture_quantile : float in [0, 1)
        With faces, the texture cue's level is at least this quantile of the fine texture
        over the usable faces' skin pixels (0 = the level alone): a face shows this person's
        skin grain under this photo's noise and compression, as it shows its colour. Without
        it the cue took a found face's own skin away (ccp_0003: the face used, an empty mask).
    texture : float >= 0
        Weight (nats) of the fine-texture cue (:mod:`segmix.skin_texture`; 0 = off): the log
        odds and the seeds get ``-texture * max(0, t / texture_level - 1)``, t the mean
        relative luma residual, in excess of the photo's noise, over the skin candidates
        near the pixel. Wood, sand, hair and fabric are grainier than skin.
    texture_level : float > 0
        The texture (a share of the local brightness) up to which the cue says nothing.
    texture_window : int, odd
        Side of the averaging window in 2 x 2 blocks of pixels (7 = 14 pixels).
    texture_full_diagonal : float >= 0
        Pixels: the diagonal, at the cue's working scale
        (:func:`segmix.skin_texture.measuring_diagonal`), from which the cue has its full
        weight; below it the weight is ``texture * diagonal / texture_full_diagonal`` (0 = the
        full weight at every size). In a small photo a finger, an eyelid or a nostril is a
        few pixels wide and the cue's 1-px residual takes it for grain
        (docs/skin_development.md, "Photo sizes").
    second_pass : float >= 0
        Weight w of the second pass (:func:`_second_pass`; 1, the default, as measured; 0 =
        off; needs ``spatial``): the colours of the skin-coloured pixels that the first
        pass's texture cue and regions rejected, away from the skin it kept, join the photo's
        non-skin density with weight w, and the final step re-runs on the new log odds. On
        the held-out (odd) photos it gains street photos (F1 0.356 to 0.390) and pooled F1
        (0.713 to 0.736) and costs SFA 0.006 (README).
    second_pass_margin : int >= 0
        Pixels: rejected pixels within this distance (a square) of the first pass's accepted
        skin do not train the second pass (edges of kept skin, fingers the texture cue
        rejected beside the palm).
    second_pass_boundary : bool
        The boundary prior's regions train the second pass (on by default; needs
        ``second_pass``): a region of the first pass that the boundary prior
        (``boundary_prior``, with ``boundary_top_contact``, ``boundary_max_share`` and
        ``boundary_ratio``) would drop — a skin-coloured wall, door or facade hanging from the
        top edge, or ground spanning the photo, beside smaller skin inside it — is not
        dropped but counts as rejected, so its colours join this photo's non-skin density;
        the regions touching no edge (the skin inside) keep the log odds the second pass
        gives without it, as do colours whose seed log odds exceed ``second_pass_sure``.
        Odd half of the development street photos: F1 0.409 -> 0.425, the other sets
        unchanged (docs/skin_development.md, "The boundary prior trains the second pass").
    second_pass_sure : float
        Nats of seed log odds (the first pass's, before the photo-density term): a colour
        above it is not relearnt as non-skin from the boundary prior's regions (1: a pale tone
        of a chart row touching the top edge, a head cut by the top edge beside smaller skin;
        the model's decision level is about -3.2 nats; inf keeps none).
    second_pass_keeps_some : bool
        The second pass is undone (the first pass's log odds kept) when its regions keep none
        of the pixels the first pass accepted: its premise is that the first pass's regions
        are skin, so a relearning that takes them all has learnt the skin itself (a dark-toned
        man alone before grey stone in a dark suit of his skin's colours, ccp_0617: the first
        pass kept part of his face and hand, the second pass nothing; F1 0.000 -> 0.179).
        Off by default: on photos without skin it keeps what the second pass rightly removed
        whole (a dim greyish-beige surface 27.6 % skin, under 2 % without; terracotta blotches on grey
        cloth 2.3 %), while the development sets' masks are unchanged either way
        (docs/skin_development.md, "The second pass takes all the first pass kept", session 57).
    jpeg_deblock : float >= 0
        Pixels (0 = off): in a photo whose luma shows a JPEG block grid
        (:func:`segmix.skin_texture.jpeg_block_grid`), the colours the mixtures score (and
        adapt to) have their Cb and Cr low-passed by a Gaussian of this standard deviation
        (:func:`segmix.jpeg_chroma.chroma_lowpass`): heavy compression snaps a block's chroma
        to a coarse lattice that a skin and a wall share. The texture cue still measures the
        decoded luma. A photo without a grid is scored as before, bit for bit. Default 2,
        with ``jpeg_chroma_noise`` 1: on every 4th development photo re-encoded at Pillow
        quality 10, pooled F1 0.688 -> 0.729 (even half, where both were chosen) and 0.664 ->
        0.702 (odd half); at quality 25 +0.0002 / +0.0013 (docs/skin_development.md,
        "Blocky JPEG photos").
    skin_luma_floor : float >= 0
        Share of the prior's luma variance that each adapted core skin Gaussian keeps at least
        (0 = off; the model's colour space must have a luma axis, ``ycbcr`` or ``lab``, else
        nothing changes). The skin side adapts on the photo's *confident* skin, its best-lit
        part (a palm facing the light); fitted on it alone the core's luma spread shrinks
        (16 -> 8 levels of Y') and the same skin in shadow (a forearm, the far side of a hand)
        falls out of it. Where the adapted luma variance is below ``skin_luma_floor`` times
        the prior's, the Gaussian's luma row and column are scaled up to it (correlations
        kept): the photo sets the skin's chroma, the prior the range of shading it may take.
        Default 1 (docs/skin_development.md, "Two guards on the per-photo
        adaptation").
    skin_trust : float >= 0
        How far (in prior standard deviations, Mahalanobis under the prior covariance) the
        adaptation may move each core skin Gaussian's mean (0 = no limit;
        :func:`trust_means`). The photo's confident skin is what the model calls skin by
        over ``confident_skin`` nats against its non-skin side; a trained model's non-skin side
        knows only its training photos' backgrounds, so on other photos their walls are
        "confident skin", and its narrow skin Gaussians moved onto them (a model of 30 hand
        photos lost 10 of 44 street photos' people, F1 0; the whole of an orange wall became
        skin). Default 3 (session 55): the built-in model's figures unchanged to 3 decimals
        (even half, every 4th photo; 2 cost 0.001), that model's street photos 0.453 -> 0.490
        (every 8th even photo; people lost in 3 photos, not 10) (docs/skin_development.md,
        "A trained model's adaptation: a trust region on the skin means").
    non_skin_guard : float >= 0
        Nats (0 = off). After the MAP step, a non-skin Gaussian whose adapted (weighted)
        density on the photo's confident skin pixels is, on their count-weighted mean, less
        than ``non_skin_guard`` nats below the adapted skin density there has learned the
        photo's skin, not its background: it keeps its prior weight, mean and covariance. In
        a photo filled by pale, low-saturation skin (a pale face, an abdomen close-up) that
        the prior model places just below the decision level, most of the non-skin side's
        training pixels are that skin, and the non-skin Gaussians moved onto it removed the
        whole photo's skin. Needs the skin side adapted (``min_adapt_pixels`` confident skin
        pixels). Default 5 (4 before session 15; docs/skin_development.md, "Two guards on the
        per-photo adaptation" and "The non-skin guard at 5 nats").
    guard_unadapted : bool
        The non-skin guard also where the skin side did not adapt (fewer than
        ``min_adapt_pixels`` pixels of confident skin by the core, the tone ladder's dark and pale
        steps never train it): judged on the photo's clear skin under the whole model (log
        likelihood ratio above ``confident_skin``) against the stored skin density, and a
        Gaussian is reset only when adaptation raised its density there. A photo whose only
        person is of a dark tone (Monk MST-9, MST-10) has no confident core skin, so the guard
        never ran, and the broad near-grey non-skin Gaussian, adapted to the photo's grey stone
        and black clothes, took the person's nearly neutral skin (a street photo recoloured to
        MST-9: "no skin found", F1 0 -> 0.83). Needs ``non_skin_guard`` > 0
        (docs/skin_development.md, "A person of a dark tone in an ordinary photo").
    non_skin_floor : float >= 0
        Share of the prior's variance in chroma (features 1 and 2 of ``ycbcr`` and ``lab``; other
        colour spaces: nothing changes) that each adapted non-skin Gaussian keeps at least (0 =
        off; :func:`floor_variances`). Fitted on a photo's confident non-skin, a
        Gaussian shrinks onto the few chroma values of a smooth wall or shirt, and its narrow
        peak then outweighs the skin model on skin of nearly that chroma (a pale face against a
        pale background). The skin side has a floor of its own in luma (``skin_luma_floor``).
        Applied after ``non_skin_guard`` has judged the Gaussians as the photo moved them.
        Default 0.5, on chroma only, chosen on the even half among 0.1-1 on every axis, luma
        only and chroma only (the floor on every axis left 3.3 % of a photo without skin
        detected; the test's bound is 2 %). Odd half: SFA 0.874 -> 0.895, abdomen 0.887 ->
        0.891, hands 0.898 -> 0.897, street 0.402 -> 0.393 (docs/skin_development.md, "A chroma
        floor for the non-skin side").
    exposure_target : float in [0, 255]
        Luma level (0-255) an underexposed photo is lifted to before its colours are scored
        (:mod:`segmix.exposure`; 0 = off): one gain for R, G and B takes the photo's
        ``exposure_percentile`` luma to this level, at most ``exposure_max_gain``; a photo
        whose highlights reach it is scored as before, bit for bit. The dim indoor hand photos
        (99th-percentile luma 117-250, median 146) lost a dark-skinned forearm whole at RGB
        (48, 23, 15). Default 150, chosen on the even half among 140-220 (above 160 the beige
        walls of the hand photos turn skin): hands 0.909 -> 0.914; odd half 0.900 -> 0.917;
        the street, SFA and abdomen photos are brighter and unchanged
        (docs/skin_development.md, "Lifting underexposed photos").
    exposure_percentile : float in (0, 100]
        Which luma stands for the photo's bright end (99: a lamp or a highlight of up to 1 %
        of the photo does not count).
    exposure_max_gain : float >= 1
        The largest gain: 3 since session 55 (2 before; a night photo is not made day). On
        dimmed copies of the development photos (x 0.35 and x 0.25; every 16th of each half)
        it lost nothing and found the hands of the darkest (pooled F1 at x 0.25, odd half,
        0.691 -> 0.768; docs/skin_development.md, "Dim photos: the lift's cap at 3").
    white_balance : bool
        Take a colour cast out of the photo before its colours are scored (:mod:`segmix.white_balance`,
        :func:`balance_for_skin`; before the exposure lift): gains per channel proposed by
        three classic estimators, kept only when they make the photo's colours more likely
        under the model's mixture by over ``white_balance_margin`` nats per pixel, keep
        ``white_balance_keep`` of its skin, lie within ``white_balance_tint`` of the
        Planckian locus and not take most of its near-neutral colours out of neutral
        (``white_balance_neutral_loss``). An option, off by default: at least the default's F1
        on every set of both halves of the natural development photos and on every simulated
        cast (a bluish cast's street photos from 0.01 to 0.31 F1), but on by default (session
        54, undone the same session) it lost a dark-toned person in front of a stone wall it
        took for a warm cast, and made a photo of sky, grass and a grey wall 17 % skin (the
        grey warmed by a "cool cast"): tests/test_white_balance54.py; docs/skin_development.md,
        "Colour casts".
    white_balance_margin : float >= 0
        Nats per pixel (with the gains' Jacobian) by which the corrected colours must be more
        likely than the photo's own. Default 0.25, chosen on the even half among 0-0.5.
    white_balance_keep : float in [0, 1]
        The share of the photo's confident skin pixels (``confident_skin`` by the core skin
        Gaussians), and of its skin pixels by the whole model (p(skin) over 0.5 at the
        detector's prior), that must stay so once corrected, or the correction is not applied:
        the estimators take a hand against a beige wall for a cast, and the mixture, whose
        non-skin side likes the wall turned grey, agreed, with the hand lost whole; a pale face
        on a dark wall, the photo's white patch, was made grey.
    white_balance_tint : float >= 0
        The largest magenta-red tint a correction may undo (:func:`segmix.white_balance.green_tint`
        below ``-white_balance_tint``: not applied): lamps' casts lie on or above the
        Planckian locus, and hand photos in a warm room, taken for a red cast, lost whole.
    white_balance_neutral_loss : float in [0, 1]
        A correction that takes over half of the photo's near-neutral colours out of neutral
        (:func:`segmix.white_balance.neutral_share`, on the colours the likelihood test reads),
        when they are more than this share of those colours (before minus after), is not
        applied; 1 = off. A lamp's cast tints the grey and white surfaces, which its correction
        makes grey again; a warm-painted room taken for a cast has its grey shirt turned blue
        and nothing made grey (development hand photos of one subject: F1 0.933 -> 0.850,
        0.957 -> 0.787 so). Session 46, chosen on the even half among 0-0.05 and a fraction of
        1, 1/2 or 1/4 (docs/skin_development.md, "Colour casts").
    boundary_prior : bool
        The boundary prior of the final step (:mod:`segmix.skin_boundary`; needs
        ``spatial``; an option, off by default): a region that hangs from the photo's top edge
        (touches it over ``boundary_top_contact`` of its width) or spans it from the left edge
        to the right, without touching the bottom edge, covers at most ``boundary_max_share``
        of the photo and has more than ``boundary_ratio`` times the pixels of every region that
        touches no edge (there must be one) is background — a wall, a door or the ground
        behind a person. Development street photos: pooled F1 0.393 -> 0.437 (odd half), but
        it also drops people joined to the wall or reaching the top edge (13 of 349 street
        photos lose over 30 % of their skin, 6 all of it), makes the mask not monotone in the
        threshold, and drops skin-tone swatches touching a chart's top edge when one swatch
        lies inside: so not the default (docs/skin_development.md, "A boundary prior").
    boundary_top_contact : float in (0, 1]
        Share of the top row a region must cover to hang from the top.
    boundary_max_share : float in (0, 1]
        Regions covering more of the photo than this are kept (a close-up of skin).
    boundary_ratio : float >= 1
        How many times the largest inside region a region must exceed to be dropped.
    boundary_uniform : float >= 0
        (experimental, issue 9; 0 = off) With ``boundary_prior``: a region is dropped only
        when it is also uniform at a coarse scale, the standard deviation of its mean luma over
        blocks of ``diagonal / boundary_uniform_diagonal`` pixels (8 px on a 1000-px photo) below
        this many levels (:func:`segmix.skin_boundary.coarse_luma_spread`). Walls, sand, coats
        are; a person joined to the wall through the hair, or a chart row of several skin
        tones, mostly is not. Even half, street photos: 0.553 with the prior, 0.523 at 25
        levels, the default 0.489; photos whose person loses over 30 % of its skin 10 / 3 / 0
        (the other sets unchanged; measured on the even half only).
    boundary_uniform_diagonal : float > 0
        The photo's diagonal over the block side of ``boundary_uniform``.
    boundary_split : float >= 0
        (issue 9; 0 = off, 0.01 by default, so ``--boundary-prior`` splits) With
        ``boundary_prior``: each region the prior drops is
        first cut at its narrow necks, by a marker watershed on its distance transform from the
        cores left by eroding it by ``boundary_split``, 1.5 and 2 times that fraction of the
        photo's diagonal (:func:`segmix.skin_boundary.split_kept`); the pieces touching none of
        the photo's edges (a face joined to the wall through the hair) are kept. Every other
        pixel of the mask stays as it is. Street photos, F1 and photos whose person loses over
        30 % of the skin the default keeps: the prior alone 0.5533 / 10 (even half, where 0.01
        was chosen) and 0.4540 / 7 (odd half), with the split at 0.01 0.5528 / 1 and 0.4505 /
        1; the other sets as with the prior alone (docs/skin_development.md, "Cutting the face
        from the wall").
    boundary_split_diagonal : float > 0
        The split works on blocks of ``round(diagonal / boundary_split_diagonal)`` pixels (1 on
        photos up to a diagonal of 1500 px).
    jpeg_chroma_noise : float >= 0
        In a photo with a JPEG block grid, the weight of the chroma quantisation noise (0 =
        off, 1 = as measured): the spacing d of the lattice its chroma block means lie on is
        measured (:func:`segmix.jpeg_chroma.chroma_lattice`; about 10.6 levels at Pillow's
        quality 10, 4.3 at 25) and the Gaussians the adaptation moves (step 2) get
        ``jpeg_chroma_noise * d^2 / 12`` levels^2 more variance in Cb and Cr
        (:func:`_chroma_noise_cov`), the rounding's: the adaptation fits the photo's decoded
        colours, and at heavy compression a hand and a wall share one lattice point, so
        without it a narrow non-skin Gaussian learns the hand. Not added when d is under
        :data:`MIN_LATTICE` (8 levels, two colour bins). Needs ``adapt``; a photo without a
        grid is scored as before, bit for bit.
    dark_chroma_floor : float >= 0
        The dark neutral rule (0 = off): a colour darker than :data:`DARK_CHROMA_TOP` (Y')
        whose chroma along the skin direction, ``((Cr - 128) - (Cb - 128)) / sqrt(2)``, is
        below ``dark_chroma_floor`` times its Y' loses up to ``dark_chroma_weight`` nats of
        log odds (:func:`dark_neutral_penalty`; all of it at neutral grey, none at the floor,
        linear between). Dark skin keeps its hue (MST-8 / 9 / 10: 0.27 / 0.14 / 0.11 of Y'),
        a dark grey, a shadow or black cloth has none, and the built-in model's dark tone
        curve is wide enough in chroma to hold (60, 60, 60) (98 % of the surface chart's
        patch was skin; 0 % with the rule, the Monk chart still 100 %). Applied to the
        colours' log odds after the adaptation, before the texture cue and the regions. The
        exact per-pixel path of :func:`segmix.skin.detect` (adaptation, photo density,
        texture and faces all off, as ``--plain --no-adapt``) scores the model as stored and
        does not apply it. Default 0.05, chosen on the even half (0.08 and 0.13 took part
        of a shaded dark face, ccp_0048); odd half, pooled F1 0.781 both, every set equal or
        up to +0.001; the per-pixel rule with it 0.389 -> 0.415 (docs/skin_development.md,
        "Dark skin against dark greys").
    dark_chroma_weight : float >= 0
        The nats a neutral dark colour loses with ``dark_chroma_floor``.
    """

    skin_share: float | None = None
    adapt: bool = True
    relevance: float = 300.0
    confident_skin: float = 3.5
    confident_non_skin: float = 0.0
    min_adapt_pixels: int = 100
    sharpen: float = 1.0
    sharpen_shift: float = 0.5
    spatial: bool = True
    hysteresis: float = 5.0
    seed_cap: float = 2.0
    seed_smooth: int = 0
    min_area: float = 3e-3
    min_area_of_clear: float = 0.25
    min_area_pixels: int = 64
    cut_level_cap: float = 0.0
    photo_density: float = 0.01
    density_sigma: float = 1.0
    regions: str = "graphcut"
    smoothness: float = 10.0
    cut_diagonal: float = 200.0
    cut_connectivity: int = 8
    faces: bool = False
    face_weight: float = 0.7
    face_density: float = 0.5
    face_texture_quantile: float = 0.25
    texture: float = 2.0
    texture_level: float = 0.0075
    texture_window: int = 7
    texture_full_diagonal: float = 500.0
    second_pass: float = 1.0
    second_pass_margin: int = 16
    second_pass_boundary: bool = True
    second_pass_sure: float = 1.0
    second_pass_keeps_some: bool = False
    jpeg_deblock: float = 2.0
    jpeg_chroma_noise: float = 1.0
    skin_luma_floor: float = 1.0
    skin_trust: float = 3.0
    non_skin_guard: float = 5.0
    guard_unadapted: bool = True
    boundary_prior: bool = False
    boundary_top_contact: float = 0.02
    boundary_max_share: float = 0.5
    boundary_ratio: float = 2.0
    boundary_uniform: float = 0.0
    boundary_uniform_diagonal: float = 125.0
    boundary_split: float = 0.01
    boundary_split_diagonal: float = 1000.0
    non_skin_floor: float = 0.5
    exposure_target: float = 150.0
    exposure_percentile: float = 99.0
    exposure_max_gain: float = 3.0
    white_balance: bool = False
    white_balance_margin: float = 0.25
    white_balance_keep: float = 0.1
    white_balance_tint: float = 0.2
    white_balance_neutral_loss: float = 0.025
    dark_chroma_floor: float = 0.05
    dark_chroma_weight: float = 4.0

    def __post_init__(self):
        # Each field of the kind of its default: faces="no" was true (faces looked for),
        # texture_window=1.5 a window, without a word.
        for f in fields(self):
            value, default = getattr(self, f.name), f.default
            if isinstance(default, bool):
                ok, kind = isinstance(value, (bool, np.bool_)), "True or False"
            elif isinstance(default, int):
                ok, kind = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)), "an integer"
            elif isinstance(default, float) or (default is None and value is not None and f.name == "skin_share"):
                ok, kind = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
                    value, (bool, np.bool_)), "a number"
            else:
                continue  # text: its own check below names the choices
            if not ok:
                raise ValueError(f"{f.name} must be {kind}; got {value!r}")
            if kind == "a number" and math.isnan(float(value)):
                # NaN fails no comparison: hysteresis, seed_cap, confident_skin and
                # confident_non_skin took it without a word (a library trial).
                raise ValueError(f"{f.name} must be a number, not NaN")
        if self.skin_share is not None and not 0.0 < float(self.skin_share) < 1.0:
            raise ValueError(f"skin_share (the expected share of skin) must be in (0, 1); got {self.skin_share!r}")
        if not self.relevance > 0:
            raise ValueError(f"relevance must be positive; got {self.relevance!r}")
        if self.min_area_pixels < 0:
            raise ValueError(f"min_area_pixels must be >= 0; got {self.min_area_pixels!r}")
        if not (math.isfinite(self.min_area_of_clear) and self.min_area_of_clear >= 0):
            raise ValueError(f"min_area_of_clear must be a share >= 0 (0 = off); got {self.min_area_of_clear!r}")
        if int(self.seed_smooth) != self.seed_smooth or self.seed_smooth < 0 or \
                (self.seed_smooth > 1 and self.seed_smooth % 2 == 0):
            raise ValueError(f"seed_smooth must be 0 or a positive odd number of pixels; got {self.seed_smooth!r}")
        if self.hysteresis < 0 or not 0.0 <= self.min_area < 1.0:
            raise ValueError(f"hysteresis must be >= 0 and min_area in [0, 1); got {self.hysteresis!r}, {self.min_area!r}")
        if self.regions not in ("hysteresis", "graphcut") or not self.smoothness > 0:
            raise ValueError(f"regions must be 'hysteresis' or 'graphcut' and smoothness > 0; got {self.regions!r}, "
                             f"{self.smoothness!r}")
        if not (self.cut_diagonal == 0 or MIN_CUT_DIAGONAL <= self.cut_diagonal):
            # 1 cut the whole photo as one block (a trial's --cut-diagonal 1, taken in silence).
            raise ValueError(f"cut_diagonal must be 0 (the exact cut) or at least {MIN_CUT_DIAGONAL:g} pixels; "
                             f"got {self.cut_diagonal!r}")
        if self.cut_connectivity not in (4, 8, 16):
            raise ValueError(f"cut_connectivity must be 4, 8 or 16; got {self.cut_connectivity!r}")
        if not 0.0 <= self.photo_density < 1.0 or not self.density_sigma >= 0:
            raise ValueError(f"photo_density must be in [0, 1) and density_sigma >= 0; got {self.photo_density!r}, "
                             f"{self.density_sigma!r}")
        if not 0.0 <= self.face_texture_quantile < 1.0:
            raise ValueError(f"face_texture_quantile must be in [0, 1); got {self.face_texture_quantile!r}")
        if not 0.0 < self.face_weight <= 1.0 or not 0.0 <= self.face_density < 1.0:
            raise ValueError(f"face_weight must be in (0, 1] and face_density in [0, 1); got {self.face_weight!r}, "
                             f"{self.face_density!r}")
        window = self.texture_window
        if not 0 <= self.texture <= MAX_WEIGHT or not self.texture_level > 0 or window < 1 or window % 2 == 0:
            raise ValueError(f"texture must lie in [0, {MAX_WEIGHT:g}], texture_level > 0 and texture_window a positive odd number; got "
                             f"{self.texture!r}, {self.texture_level!r}, {self.texture_window!r}")
        if not self.texture_full_diagonal >= 0:
            raise ValueError(f"texture_full_diagonal must be >= 0 pixels; got {self.texture_full_diagonal!r}")
        if math.isnan(self.second_pass_sure):
            raise ValueError(f"second_pass_sure must be a number of nats (inf: no colour is kept); got "
                             f"{self.second_pass_sure!r}")
        if not 0 <= self.second_pass <= MAX_WEIGHT or not self.second_pass_margin >= 0:
            raise ValueError(f"second_pass must lie in [0, {MAX_WEIGHT:g}] and second_pass_margin be >= 0 pixels; got "
                             f"{self.second_pass!r}, {self.second_pass_margin!r}")
        if not 0 <= self.jpeg_deblock <= MAX_DEBLOCK:
            raise ValueError(f"jpeg_deblock must lie in [0, {MAX_DEBLOCK:g}] pixels; got {self.jpeg_deblock!r}")
        if not 0 <= self.jpeg_chroma_noise <= MAX_WEIGHT:
            raise ValueError(f"jpeg_chroma_noise must lie in [0, {MAX_WEIGHT:g}]; got {self.jpeg_chroma_noise!r}")
        if (not 0.0 < self.boundary_top_contact <= 1.0 or not 0.0 < self.boundary_max_share <= 1.0
                or not self.boundary_ratio >= 1.0):
            raise ValueError(f"boundary_top_contact and boundary_max_share must lie in (0, 1] and boundary_ratio be "
                             f">= 1; got {self.boundary_top_contact!r}, {self.boundary_max_share!r}, "
                             f"{self.boundary_ratio!r}")
        if not (math.isfinite(self.boundary_uniform) and self.boundary_uniform >= 0) or not self.boundary_uniform_diagonal > 0:
            raise ValueError(f"boundary_uniform must be a level >= 0 (0 = off) and boundary_uniform_diagonal positive; got "
                             f"{self.boundary_uniform!r}, {self.boundary_uniform_diagonal!r}")
        if not (math.isfinite(self.boundary_split) and 0 <= self.boundary_split < 0.5) or not self.boundary_split_diagonal > 0:
            raise ValueError(f"boundary_split must be a fraction of the diagonal in [0, 0.5) (0 = off) and "
                             f"boundary_split_diagonal positive; got {self.boundary_split!r}, "
                             f"{self.boundary_split_diagonal!r}")
        if not 0 <= self.sharpen <= MAX_WEIGHT or not self.sharpen_shift >= 0:
            raise ValueError(f"sharpen must lie in [0, {MAX_WEIGHT:g}] and sharpen_shift be >= 0; got "
                             f"{self.sharpen!r}, {self.sharpen_shift!r}")
        if not 0 <= self.non_skin_floor <= MAX_WEIGHT:
            raise ValueError(f"non_skin_floor must lie in [0, {MAX_WEIGHT:g}]; got {self.non_skin_floor!r}")
        if (not 0.0 <= self.exposure_target <= 255.0 or not 0.0 < self.exposure_percentile <= 100.0
                or not self.exposure_max_gain >= 1.0):
            raise ValueError(f"exposure_target must lie in [0, 255], exposure_percentile in (0, 100] and "
                             f"exposure_max_gain be >= 1; got {self.exposure_target!r}, "
                             f"{self.exposure_percentile!r}, {self.exposure_max_gain!r}")
        if not (math.isfinite(self.white_balance_tint) and self.white_balance_tint >= 0):
            raise ValueError(f"white_balance_tint must be a log gain >= 0; got {self.white_balance_tint!r}")
        if not 0.0 <= self.white_balance_neutral_loss <= 1.0:
            raise ValueError(f"white_balance_neutral_loss must be a share in [0, 1] (1 = off); got "
                             f"{self.white_balance_neutral_loss!r}")
        if not 0.0 <= self.white_balance_keep <= 1.0:
            raise ValueError(f"white_balance_keep must be a share in [0, 1]; got {self.white_balance_keep!r}")
        if not (math.isfinite(self.white_balance_margin) and self.white_balance_margin >= 0):
            raise ValueError(f"white_balance_margin must be a number of nats per pixel >= 0; got "
                             f"{self.white_balance_margin!r}")
        if not (math.isfinite(self.skin_trust) and self.skin_trust >= 0):
            raise ValueError(f"skin_trust must be a number of prior standard deviations >= 0 (0 = off); got "
                             f"{self.skin_trust!r}")
        if not 0 <= self.dark_chroma_floor <= 1 or not 0 <= self.dark_chroma_weight <= MAX_WEIGHT:
            raise ValueError(f"dark_chroma_floor must be a share of luma in [0, 1] (0 = off) and dark_chroma_weight lie "
                             f"in [0, {MAX_WEIGHT:g}] nats; got {self.dark_chroma_floor!r}, {self.dark_chroma_weight!r}")
        if not 0 <= self.skin_luma_floor <= MAX_WEIGHT or not 0 <= self.non_skin_guard <= MAX_WEIGHT:
            raise ValueError(f"skin_luma_floor and non_skin_guard must lie in [0, {MAX_WEIGHT:g}]; got "
                             f"{self.skin_luma_floor!r}, {self.non_skin_guard!r}")


DEFAULT_SETTINGS = SkinSettings()
#: The lecture's per-pixel Bayes rule with the model as stored (no adaptation, no photo
#: density, no texture cue, no regions, no exposure lift).
PLAIN_SETTINGS = SkinSettings(adapt=False, spatial=False, photo_density=0.0, faces=False, texture=0.0,
                              exposure_target=0.0, white_balance=False, dark_chroma_floor=0.0)


def for_photo_size(settings: SkinSettings, n_pixels: int) -> SkinSettings:
    """``settings`` for a photo of ``n_pixels`` pixels: a photo of fewer than
    ``settings.min_adapt_pixels`` is scored by the per-pixel rule (:data:`PLAIN_SETTINGS`'
    steps off; the prior ``skin_share``, the model and the threshold kept).

    The steps that read the photo as a whole need pixels: neither class adapts under
    ``min_adapt_pixels`` confident pixels, and each pixel of such a photo is over 1 % of it, so
    the colour-density cue (``photo_density``: a colour covering much of the photo is
    non-skin) took every colour of a tiny photo for a wall: a 1 x 1, 2 x 2 or 1 x 7 photo of a
    skin colour the model scores p(skin) 0.95 got an empty mask (175 of 290 such colours
    sampled from hgr1, skin and non-skin labelled, that the per-pixel rule calls skin). The
    texture window, the exposure lift's percentile and the regions' seeds say as little there.
    """
    if n_pixels >= settings.min_adapt_pixels:
        return settings
    return replace(settings, adapt=False, spatial=False, photo_density=0.0, faces=False, texture=0.0,
                   exposure_target=0.0, second_pass=0.0, boundary_prior=False, white_balance=False)


@dataclass
class SkinResult:
    """posterior (H, W) float32 p(skin | pixel) after adaptation; log_odds (H, W) float32;
    mask (H, W) bool, the refined decision; seed_log_odds (H, W) float32, the log odds without
    the photo-density term, which pick the regions' seeds (None: ``log_odds``)."""

    posterior: np.ndarray
    log_odds: np.ndarray
    mask: np.ndarray
    seed_log_odds: np.ndarray | None = None


# ------------------------------------------------------------------ mixtures in NumPy
def _full_params(gmm):
    from segmix.mixture.gmm import covariances_to_full

    d = gmm.means_.shape[1]
    return (np.asarray(gmm.weights_, float).copy(), np.asarray(gmm.means_, float).copy(),
            covariances_to_full(gmm.covariances_, gmm.covariance_type, d).astype(float))


def _component_log_pdf(X: np.ndarray, means: np.ndarray, covs: np.ndarray) -> np.ndarray:
    """log N(x | mu_k, Sigma_k): (N, D) -> (N, K).

    The D x D whitening is written out column by column: no BLAS call, whose thread pool costs
    far more than this arithmetic on a busy machine (measured: 15 s instead of 3 CPU-s for all
    2**18 bin centres at load 9 on 2 cores).
    """
    n, d = X.shape
    out = np.empty((n, means.shape[0]))
    for k in range(means.shape[0]):
        chol = np.linalg.cholesky(covs[k])
        white = np.linalg.inv(chol)  # z = white @ (x - mu); |z|^2 is the Mahalanobis distance
        # A hand-edited model's mean of 1e308 overflowed here with NumPy's bare "overflow
        # encountered in multiply": a component that far away has density 0 (|z|^2 = inf).
        with np.errstate(over="ignore", invalid="ignore"):
            diff = X - means[k]
            sq = np.zeros(n)
            for i in range(d):
                zi = diff[:, 0] * white[i, 0]
                for j in range(1, i + 1):  # white is lower triangular
                    zi += diff[:, j] * white[i, j]
                sq += zi * zi
        sq[np.isnan(sq)] = np.inf  # inf - inf in a sum: as far away
        out[:, k] = -0.5 * sq - np.log(np.diag(chol)).sum() - 0.5 * d * math.log(2 * math.pi)
    return out


def _logsumexp(a: np.ndarray) -> np.ndarray:
    top = a.max(axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return top[:, 0] + np.log(np.exp(a - top).sum(axis=1))


def _mixture_log_pdf(X, params) -> np.ndarray:
    weights, means, covs = params
    with np.errstate(divide="ignore"):
        return _logsumexp(_component_log_pdf(X, means, covs) + np.log(weights))


def map_adapt(X: np.ndarray, sample_weight: np.ndarray, params, relevance: float, reg_covar: float = 1e-4,
              noise_cov: np.ndarray | None = None, luma_floor: float = 0.0, reg_by_share: bool = False):
    """One MAP-EM step of a Gaussian mixture towards weighted data (Reynolds et al. 2000).

    Parameters
    ----------
    X : (N, D) float64 features; sample_weight : (N,) pixel counts
    params : (weights (K,), means (K, D), covariances (K, D, D)) of the prior mixture
    relevance : float, tau in the units of sample_weight
    noise_cov : (D, D) float64, optional
        The covariance of the photo's observation noise (features), added to every adapted
        covariance: the adapted mixture scores the photo's observed colours (the quantisation
        of a blocky JPEG's chroma, :func:`_chroma_noise_cov`).
    luma_floor : float >= 0
        Feature 0 being luma (``ycbcr``, ``lab``): each adapted covariance's variance there is
        raised to at least ``luma_floor`` times the prior's, by scaling its row and column 0
        (correlations kept), before ``noise_cov`` is added (:func:`_floor_axis`; 0 = off).
    reg_by_share : bool
        Add ``reg_covar`` times each Gaussian's share of the data, alpha = n_k / (n_k + r),
        instead of ``reg_covar`` itself: the prior's covariances already hold their fit's
        regularisation, and a Gaussian the data does not move keeps its covariance exactly.
        For a model adapted once and kept (:func:`segmix.skin_init.adapt_skin_model`): with the
        whole ``reg_covar`` a skin train ``--init`` model at r = 1e12 was the initial one with
        every covariance 1e-4 wider, and detected differently (a photo's false positives 7,920
        -> 12,043). The per-photo adaptation keeps the whole (its measured default).

    Returns
    -------
    (weights, means, covariances) of the adapted mixture.
    """
    w0, m0, c0 = params
    with np.errstate(divide="ignore"):
        log_resp = _component_log_pdf(X, m0, c0) + np.log(w0)
    resp = np.exp(log_resp - _logsumexp(log_resp)[:, None]) * sample_weight[:, None]
    nk = resp.sum(axis=0)
    safe = np.maximum(nk, 1e-12)
    xbar = resp.T @ X / safe[:, None]
    sxx = np.stack([(X * resp[:, k:k + 1]).T @ X for k in range(resp.shape[1])]) / safe[:, None, None]
    alpha = nk / (nk + relevance)
    means = alpha[:, None] * xbar + (1 - alpha[:, None]) * m0
    second = alpha[:, None, None] * sxx + (1 - alpha[:, None, None]) * (c0 + np.einsum("ki,kj->kij", m0, m0))
    reg = (alpha if reg_by_share else np.ones_like(alpha))[:, None, None] * reg_covar
    covs = second - np.einsum("ki,kj->kij", means, means) + reg * np.eye(X.shape[1])
    if luma_floor > 0:
        covs = _floor_axis(covs, c0, luma_floor)
    if noise_cov is not None:
        covs = covs + noise_cov
    weights = alpha * nk / max(nk.sum(), 1e-12) + (1 - alpha) * w0
    return weights / weights.sum(), means, covs


def _floor_axis(covs: np.ndarray, prior_covs: np.ndarray, share: float, axis: int = 0) -> np.ndarray:
    """(K, D, D) covariances whose variance along feature ``axis`` (0: luma) is at least
    ``share`` times the prior's: where it is below, that row and column are scaled by the
    square root of the ratio (the variance by the ratio; every correlation coefficient kept).
    A copy."""
    floor = share * prior_covs[:, axis, axis]
    scale = np.sqrt(np.maximum(floor / covs[:, axis, axis], 1.0))
    out = covs.copy()
    out[:, axis, :] *= scale[:, None]
    out[:, :, axis] *= scale[:, None]
    return out


def floor_variances(covs: np.ndarray, prior_covs: np.ndarray, share: float, axes) -> np.ndarray:
    """Covariances whose variance along each feature in ``axes`` is at least ``share`` times
    the prior's (:func:`_floor_axis` axis by axis: that row and column scaled, every correlation
    coefficient kept). The non-skin side's chroma floor (``SkinSettings.non_skin_floor``).

    Parameters
    ----------
    covs, prior_covs : (K, D, D) float64, the adapted and the prior covariances
    share : float >= 0
    axes : iterable of int in [0, D)

    Returns
    -------
    (K, D, D) float64, a copy (``covs`` itself when ``axes`` is empty).
    """
    out = covs
    for axis in axes:  # each step copies
        out = _floor_axis(out, prior_covs, share, axis)
    return out


def _guard_non_skin(X_skin: np.ndarray, counts_skin: np.ndarray, log_skin: np.ndarray, non_p, prior_non_p,
                    nats: float, rose: bool = False):
    """The adapted non-skin mixture ``non_p`` with every Gaussian that has learned the photo's
    skin reset to its prior (``prior_non_p``) parameters, weights renormalised.

    A Gaussian has learned the photo's skin when its weighted log density on the photo's
    confident skin colours ``X_skin`` (bin features, (S, D), with pixel counts ``counts_skin``)
    is, on their count-weighted mean, less than ``nats`` below the adapted skin mixture's log
    density there (``log_skin``, (S,)). With ``rose``, only when its adapted weighted log density
    there is also above its prior one on that mean (the photo moved it onto those colours).
    """
    weights, means, covs = non_p
    with np.errstate(divide="ignore"):
        comp = _component_log_pdf(X_skin, means, covs) + np.log(weights)
    share = counts_skin / counts_skin.sum()
    learned = share @ (comp - log_skin[:, None]) > -nats
    if rose:
        with np.errstate(divide="ignore"):
            before = _component_log_pdf(X_skin, prior_non_p[1], prior_non_p[2]) + np.log(prior_non_p[0])
        learned &= share @ (comp - before) > 0
    if not learned.any():
        return non_p
    w0, m0, c0 = prior_non_p
    weights = np.where(learned, w0, weights)
    return (weights / weights.sum(), np.where(learned[:, None], m0, means),
            np.where(learned[:, None, None], c0, covs))


# ------------------------------------------------------------------------ the steps
def _color_bins(image: np.ndarray, hidden: np.ndarray | None = None, bits: int = BITS):
    """Per-pixel bin code (H*W,) int32, the used bins (B,) and their pixel counts (B,) float64.
    ``hidden``: a cut-out's transparent pixels, whose bins are used (their code must map)
    but not counted (their counts are those of the visible pixels, 0 for some).

    Bins are represented by their centres (:func:`_bin_centres`) rather than the mean colour of
    their pixels: three weighted bincounts over the photo cost more than the rest of the
    detector, and a centre is at most 1.5 grey levels from any of its colours.
    """
    from segmix.kernels import skin as kernels

    code, counts = kernels.color_bins(np.ascontiguousarray(image, np.uint8).reshape(-1, 3), bits)
    used = np.flatnonzero(counts)
    if hidden is not None:
        counts = np.bincount(code[~hidden.ravel()], minlength=counts.size)
    return code, used, counts[used].astype(np.float64)


def _bin_centres(used: np.ndarray, bits: int = BITS) -> np.ndarray:
    """(B,) bin indices -> (B, 3) float64 centre colours (0..255)."""
    shift = 8 - bits
    mask = (1 << bits) - 1
    centre = np.stack([(used >> (2 * bits)) & mask, (used >> bits) & mask, used & mask], axis=1)
    return (centre << shift) + ((1 << shift) - 1) / 2.0


#: The key of a skin model's ``training`` that holds the threshold on p(skin) at which the
#: detector's inner steps decide (the texture cue's candidates, the face calibration's skin, the
#: second pass's first decision) when the model's ``threshold``, its final decision, was moved
#: away from it: the window saves the slider's threshold with the model's own kept here, so the
#: file gives the mask the window showed (a trial's save and load changed 0.2 % of a photo).
DETECTOR_THRESHOLD_KEY = "detector_threshold"


#: Y' (0..255) below which :func:`dark_neutral_penalty` judges a colour: the built-in
#: model's dark tone curve ends at Y 0.3; above it the model's own skin is chromatic enough
#: (MST-1, the palest tone, has 0.026 of its Y' as skin chroma, so a luma-relative floor
#: must not reach the pale end).
DARK_CHROMA_TOP = 0.3 * 255.0


def dark_neutral_penalty(rgb: np.ndarray, floor: float, weight: float) -> np.ndarray:
    """The log odds (nats >= 0) the dark neutral rule takes from each colour.

    Parameters
    ----------
    rgb : (N, 3) float or uint8, sRGB colours 0..255 (a colour bin's centre)
    floor : float >= 0, the skin chroma below which a dark colour loses nats, as a share of its Y'
    weight : float >= 0, the nats a neutral (zero chroma) dark colour loses

    Returns
    -------
    (N,) float32: ``weight * clip(1 - c / (floor * Y'), 0, 1)`` for colours with Y' below
    :data:`DARK_CHROMA_TOP`, 0 elsewhere, where c is the chroma along the skin direction
    (BT.601 Cr - Cb over sqrt 2; negative for bluish colours, which lose all ``weight``).
    """
    rgb = np.asarray(rgb, np.float64).reshape(-1, 3)
    if floor <= 0 or weight <= 0:
        return np.zeros(len(rgb), np.float32)
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    luma = 0.299 * r + 0.587 * g + 0.114 * b
    # Cr - Cb of BT.601 (full range): 0.5 R - 0.4187 G - 0.0813 B - (-0.1687 R - 0.3313 G + 0.5 B)
    chroma = (0.668736 * r - 0.087424 * g - 0.581312 * b) / math.sqrt(2.0)
    wanted = floor * np.maximum(luma, 1.0)
    share = np.clip(1.0 - chroma / wanted, 0.0, 1.0)
    return np.where(luma < DARK_CHROMA_TOP, weight * share, 0.0).astype(np.float32)


def detector_threshold(model) -> float:
    """The threshold on p(skin) at which the detector's inner steps decide.

    Parameters
    ----------
    model : segmix.modelfile.SegmixModel (skin)

    Returns
    -------
    float
        ``model.training["detector_threshold"]`` when the model has it (a model saved with
        another final threshold than its own, :data:`DETECTOR_THRESHOLD_KEY`), else
        ``model.threshold``.
    """
    training = model.training if isinstance(model.training, dict) else {}
    t = training.get(DETECTOR_THRESHOLD_KEY)
    if isinstance(t, (int, float)) and not isinstance(t, bool) and 0.0 <= t <= 1.0:
        return float(t)
    return float(model.threshold)


def check_skin_model(model, name: str = "model"):
    """Refuse anything but a skin model, naming what was given.

    The library's entry points (:func:`detect`, :func:`segmix.skin.detect`,
    :func:`segmix.skin.detect_skin`, :func:`segmix.skin_eval.evaluate_folder`) take a loaded
    model; a trial's ``detect("own.json", image)`` and ``detect(None, image)`` ended in
    "AttributeError: 'str' object has no attribute 'threshold'", deep inside.

    Parameters
    ----------
    model : object
        What the caller passed.
    name : str
        The argument's name, for the message.

    Returns
    -------
    segmix.modelfile.SegmixModel
        ``model`` itself.

    Raises
    ------
    TypeError
        If ``model`` is not a :class:`segmix.modelfile.SegmixModel` (a path, None, ...).
    ValueError
        If it is a segmentation model.
    """
    from segmix.modelfile import SegmixModel

    if not isinstance(model, SegmixModel):
        shown = f" {str(model)!r}" if isinstance(model, (str, bytes)) or hasattr(model, "__fspath__") else ""
        raise TypeError(f"{name} must be a loaded skin model, not {type(model).__name__}{shown}: "
                        f"segmix.skin.load_skin_model(path) reads a model file, load_skin_model() the built-in model")
    if model.kind != "skin":
        raise ValueError(f"{name} is a {model.kind!r} model, not a skin model")
    return model


def check_settings(settings) -> SkinSettings:
    """``settings`` when it is a :class:`SkinSettings`, else a TypeError saying how to make one
    (a trial's ``detect(model, image, {"faces": True})`` ended in "AttributeError: 'dict'
    object has no attribute 'adapt'")."""
    if not isinstance(settings, SkinSettings):
        raise TypeError(f"settings must be a SkinSettings, not {type(settings).__name__}: "
                        f"segmix.skin_detect.with_options(DEFAULT_SETTINGS, faces=True, ...) makes one")
    return settings


def check_threshold(threshold, name: str = "threshold") -> float | None:
    """``threshold`` as a float in [0, 1] (a probability of skin), or None when None.

    The command line refuses ``--threshold 1.5`` or ``nan``; the library took them without a
    word (a trial's ``detect(model, image, threshold=-1)`` marked the whole photo as skin, 2
    and nan none of it).

    Raises
    ------
    ValueError
        If ``threshold`` is not a number in [0, 1] (NaN included).
    """
    if threshold is None:
        return None
    value = as_number(threshold)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1] (a probability of skin); got {threshold!r}"
                         f"{string_hint(threshold)}")
    return value


def _prior(model, settings: SkinSettings) -> float:
    if settings.skin_share is not None:
        return float(settings.skin_share)
    return float(model.classifier.priors[model.positive_class])


def _core_count(model, n_skin: int) -> int:
    """Skin components the adaptation may move: the model's ``core_skin_components`` (the
    built-in model's UCI Gaussians; its tone-ladder Gaussians stay fixed), else all."""
    k = model.training.get("core_skin_components") if isinstance(model.training, dict) else None
    return int(k) if isinstance(k, int) and 0 < k <= n_skin else n_skin


def trust_means(means: np.ndarray, prior_means: np.ndarray, prior_covs: np.ndarray, trust: float) -> np.ndarray:
    """``means`` moved back towards ``prior_means`` so that none lies more than ``trust`` prior
    standard deviations (Mahalanobis, under ``prior_covs``) from its prior mean.

    Parameters
    ----------
    means, prior_means : (K, D) float
    prior_covs : (K, D, D) float
    trust : float >= 0; 0 = no limit

    Returns
    -------
    (K, D) float64, a new array (``means`` itself when ``trust`` is 0 or nothing moved so far).
    """
    if not trust > 0:
        return means
    dm = means - prior_means
    d = np.sqrt(np.maximum(np.einsum("ki,kij,kj->k", dm, np.linalg.inv(prior_covs), dm), 0.0))
    far = d > trust
    if not far.any():
        return means
    out = np.array(means, np.float64)
    out[far] = prior_means[far] + dm[far] * (trust / d[far])[:, None]
    return out


def _adapt_core(X, counts, params, n_core: int, relevance: float, noise_cov=None, luma_floor: float = 0.0,
                trust: float = 0.0, reg_by_share: bool = False):
    """MAP step of the first ``n_core`` components only; the others keep mean, covariance and
    weight (the core's weights are rescaled to keep their total). ``luma_floor``,
    ``reg_by_share``: as in :func:`map_adapt`; ``trust``: no core mean moves further than this
    many of its prior standard deviations (:func:`trust_means`)."""
    w0, m0, c0 = params
    total = w0[:n_core].sum()
    w, m, c = map_adapt(X, counts, (w0[:n_core] / total, m0[:n_core], c0[:n_core]), relevance,
                        noise_cov=noise_cov, luma_floor=luma_floor, reg_by_share=reg_by_share)
    m = trust_means(m, m0[:n_core], c0[:n_core], trust)
    return (np.concatenate([w * total, w0[n_core:]]), np.concatenate([m, m0[n_core:]]),
            np.concatenate([c, c0[n_core:]]))


def _sharpened_counts(counts: np.ndarray, confident: np.ndarray, core_llr: np.ndarray, sharpen: float) -> np.ndarray:
    """The skin side's weighted sample (``SkinSettings.sharpen``): (B,) float64 weights
    ``counts * exp(sharpen * (core_llr - max))`` on the ``confident`` bins, 0 elsewhere,
    rescaled to the confident bins' pixel count (the MAP step's balance against the relevance
    factor stays that of the counted sample)."""
    out = np.zeros_like(counts)
    llr = core_llr[confident]
    out[confident] = counts[confident] * np.exp(sharpen * (llr - llr.max()))
    return out * (counts[confident].sum() / out.sum())


def core_shift(a, b, prior, n_core: int) -> float:
    """How far two adaptations of the skin core lie apart: the Mahalanobis distance between
    their means under the prior core's covariances, per core Gaussian, averaged with the prior
    core's weights.

    Parameters
    ----------
    a, b, prior : (weights (K,), means (K, D), covariances (K, D, D)) of the skin mixture
    n_core : int, the first ``n_core`` components are the core

    Returns
    -------
    float >= 0, in prior standard deviations.
    """
    w = prior[0][:n_core]
    dm = b[1][:n_core] - a[1][:n_core]
    d2 = np.einsum("ki,kij,kj->k", dm, np.linalg.inv(prior[2][:n_core]), dm)
    return float(w @ np.sqrt(np.maximum(d2, 0.0)) / w.sum())


class _BinTable:
    """log p(x | skin), log p(x | non-skin), the core's log p(x | skin) and the fixed components'
    share of it for the stored model at the bin centres (2**(3 * BITS) bins), filled lazily
    (NaN = not computed yet) and kept per model object: after a few photos, scoring a photo's
    bins is a lookup. Exact for the bin centres the detector uses. Threads may share a table
    (two threads that both miss a bin compute and store the same values)."""

    _cache: dict[int, tuple[object, "_BinTable"]] = {}
    _lock = threading.Lock()

    def __init__(self, model):
        self.model = model
        pos = model.positive_class
        params = [_full_params(m) for m in model.classifier.mixtures]
        self.skin_p, self.non_p = params[pos], params[1 - pos]
        self.n_core = _core_count(model, self.skin_p[0].size)
        size = 1 << (3 * BITS)
        self.log_skin, self.log_non, self.log_core = (np.full(size, np.nan) for _ in range(3))
        self.log_fixed = None if self.n_core == self.skin_p[0].size else np.full(size, np.nan)

    def lookup(self, used: np.ndarray, X_used: np.ndarray | None = None) -> None:
        """Make sure the bins ``used`` (and their features ``X_used``, if known) are filled."""
        missing = np.isnan(self.log_skin[used])
        if not missing.any():
            return
        bins = used[missing]
        X = _features_of_mean_colors(self.model, _bin_centres(bins)) if X_used is None else X_used[missing]
        w, m, c = self.skin_p
        k = self.n_core
        self.log_non[bins] = _mixture_log_pdf(X, self.non_p)
        if self.log_fixed is None:
            log_skin = _mixture_log_pdf(X, self.skin_p)
            self.log_core[bins] = log_skin
        else:
            core = _mixture_log_pdf(X, (w[:k], m[:k], c[:k]))  # weights as in the whole mixture
            fixed = _mixture_log_pdf(X, (w[k:], m[k:], c[k:]))
            self.log_fixed[bins] = fixed
            self.log_core[bins] = core - math.log(w[:k].sum())  # the core as a mixture of its own
            log_skin = np.logaddexp(core, fixed)
        self.log_skin[bins] = log_skin  # last: a filled log_skin marks the bin as complete

    @classmethod
    def of(cls, model) -> "_BinTable":
        with cls._lock:
            hit = cls._cache.get(id(model))
            if hit is not None and hit[0] is model:
                return hit[1]
            table = cls(model)
            if len(cls._cache) > 4:
                cls._cache.clear()
            cls._cache[id(model)] = (model, table)
            return table


def lift_exposure(image: np.ndarray, settings: SkinSettings, info: dict | None = None,
                  transparent: np.ndarray | None = None) -> np.ndarray:
    """``image`` lifted as ``settings.exposure_target`` asks (:mod:`segmix.exposure`), the
    photo itself when that is 0 or its highlights already reach the target.

    Parameters
    ----------
    image : (H, W, 3) uint8 RGB
    settings : SkinSettings
    info : dict, optional
        Receives ``exposure_gain`` (1.0: not lifted) when the lift is on.
    transparent : (H, W) bool, optional
        A cut-out's fully transparent pixels: the percentile is taken over the others.

    Returns
    -------
    (H, W, 3) uint8
    """
    if not settings.exposure_target > 0:
        return image
    shown = image if transparent is None or not transparent.any() else image[~transparent][None]
    gain = exposure_gain(shown, settings.exposure_target, settings.exposure_percentile, settings.exposure_max_gain)
    if info is not None:
        info["exposure_gain"] = gain
        if gain >= settings.exposure_max_gain:  # for the words of a capped lift (skin.capped_lift_words)
            info["exposure_level"] = bright_end(shown, settings.exposure_percentile)
    return expose(image, gain)


#: The judge of a proposed white balance reads a grid of at most about this many pixels squared,
#: those whose brightest channel lies in [_JUDGE_DARK, _JUDGE_BRIGHT]: quantisation makes a dark
#: pixel's chromaticity noise, and a clipped one's is not the scene's.
_JUDGE_SIDE = 96
_JUDGE_DARK, _JUDGE_BRIGHT = 24, 245


def cast_log_likelihood(model, rgb: np.ndarray, gains, prior: float, confident_skin: float = math.inf):
    """Mean log-likelihood (nats per pixel) of colours under ``model``'s mixture after ``gains``,
    and how many of them are then confident skin.

    ``pi p(x | skin) + (1 - pi) p(x | non-skin)`` at the corrected colours' bin centres, plus
    the log of the gains' Jacobian (the density of the photo as taken, given the correction).

    Parameters
    ----------
    model : SegmixModel of kind "skin"
    rgb : (N, 3) integer colours 0-255 (stored, sRGB-coded)
    gains : (3,) float, positive: per-channel gains in linear light (:func:`segmix.white_balance.gain_tables`)
    prior : float in (0, 1), pi
    confident_skin : float
        Log-likelihood ratio (nats) of the core skin Gaussians against non-skin above which a
        corrected colour counts as confident skin (as the adaptation's, ``SkinSettings``).

    Returns
    -------
    (float, int, int)
        The mean log-likelihood, the count of confident skin colours (by the core), and the
        count of colours whose posterior p(skin) under the whole model and ``prior`` is over 0.5.
    """
    from segmix.white_balance import gain_tables

    gains = np.asarray(gains, float)
    tables = gain_tables(gains).astype(np.int64) >> (8 - BITS)
    c = rgb.astype(np.int64)
    code = (tables[0][c[:, 0]] << (2 * BITS)) | (tables[1][c[:, 1]] << BITS) | tables[2][c[:, 2]]
    table = _BinTable.of(model)
    used, inverse = np.unique(code, return_inverse=True)
    table.lookup(used)
    mix = np.logaddexp(math.log(prior) + table.log_skin[used], math.log1p(-prior) + table.log_non[used])
    confident = (table.log_core[used] - table.log_non[used] > confident_skin)[inverse]
    skin = (table.log_skin[used] - table.log_non[used] > math.log((1.0 - prior) / prior))[inverse]
    # the Jacobian of the stored values' map, as if the sRGB curve were a power of 2.2
    return float(mix[inverse].mean() + np.log(gains).sum() / 2.2), int(confident.sum()), int(skin.sum())


def balance_for_skin(model, image: np.ndarray, settings: SkinSettings, info: dict | None = None,
                     hidden: np.ndarray | None = None) -> np.ndarray:
    """``image`` with its colour cast taken out when ``settings.white_balance`` asks and the
    model agrees; the photo itself otherwise.

    The gains of :func:`segmix.white_balance.cast_gains` are kept when the corrected colours
    are more likely under the model's mixture (:func:`cast_log_likelihood`, prior as the
    detector's) than the photo's own by more than ``settings.white_balance_margin`` nats per
    pixel, and keep at least ``settings.white_balance_keep`` of its confident skin: a close-up
    of skin, which the estimators take for a cast, becomes less likely when made grey, and a
    hand against a beige wall, which becomes more likely (the wall), loses its skin; both are
    left as they are. The correction must also lie near the Planckian locus and leave most of
    the photo's near-neutral colours neutral (:func:`cast_decision` holds every test).

    Parameters
    ----------
    model : SegmixModel of kind "skin"
    image : (H, W, 3) uint8 RGB
    settings : SkinSettings
    info : dict, optional
        Receives ``white_balance_gains`` ((3,) float, the gains applied; all 1: none) and
        ``white_balance`` (:class:`segmix.white_balance.CastDecision`: what was done and why)
        when the balance is on.
    hidden : (H, W) bool, optional
        Transparent pixels: read by no estimate.

    Returns
    -------
    (H, W, 3) uint8
    """
    if not settings.white_balance:
        return image
    from segmix.white_balance import balance

    decision = cast_decision(model, image, settings, hidden)
    if info is not None:
        info["white_balance_gains"] = decision.gains
        info["white_balance"] = decision
    return balance(image, decision.gains)


#: :func:`cast_decision`'s reasons for leaving a photo as it was, in a user's words.
NO_ESTIMATE_WORDS = "nothing to estimate a cast from (every pixel clipped, hidden, too dark or too bright)"
LESS_LIKELY_WORDS = "the skin model finds its colours no more likely balanced"
SKIN_LOST_WORDS = "balancing would turn its skin colours into non-skin"
OFF_LOCUS_WORDS = "no lamp gives such a cast (it would cut red far more than raise blue: a warm room, not a cast)"
NOT_NEUTRAL_WORDS = "its grey and white surfaces say there is no cast (balancing would tint them)"


def cast_decision(model, image: np.ndarray, settings: SkinSettings, hidden: np.ndarray | None = None):
    """Whether the skin detector's white balance corrects ``image``, by which gains, or why not.

    Parameters
    ----------
    model : SegmixModel of kind "skin"
    image : (H, W, 3) uint8 RGB
    settings : SkinSettings (its ``white_balance_*`` fields; ``white_balance`` itself is not read)
    hidden : (H, W) bool, optional
        Transparent pixels: read by no estimate.

    Returns
    -------
    segmix.white_balance.CastDecision
        ``proposed``: :func:`segmix.white_balance.cast_gains`; ``applied`` when every test of
        :func:`balance_for_skin` passes; ``reason``: the first that failed.
    """
    from segmix.white_balance import CastDecision, cast_gains, green_tint, neutral_share

    step = max(1, int(np.ceil(np.sqrt(image.shape[0] * image.shape[1] / _JUDGE_SIDE ** 2))))
    rgb = image[::step, ::step]
    if hidden is not None:
        rgb = rgb[~hidden[::step, ::step]]
    rgb = rgb.reshape(-1, 3)
    brightest = rgb.max(axis=1)
    rgb = rgb[(brightest >= _JUDGE_DARK) & (brightest <= _JUDGE_BRIGHT)]
    if not len(rgb):
        return CastDecision(np.ones(3), False, NO_ESTIMATE_WORDS)
    proposed = cast_gains(image, hidden)
    if np.all(proposed == 1.0):
        return CastDecision(proposed, False, NO_ESTIMATE_WORDS)
    prior = _prior(model, settings)
    after, core_after, skin_after = cast_log_likelihood(model, rgb, proposed, prior, settings.confident_skin)
    before, core_before, skin_before = cast_log_likelihood(model, rgb, np.ones(3), prior, settings.confident_skin)
    if after - before <= settings.white_balance_margin:
        return CastDecision(proposed, False, LESS_LIKELY_WORDS)
    keep = settings.white_balance_keep
    # the skin is kept by the core (the UCI tones) and by the whole model (pale and dark
    # tones: a pale face on a dark wall is the photo's white patch, turned grey)
    if core_after < keep * core_before or skin_after < keep * skin_before:
        return CastDecision(proposed, False, SKIN_LOST_WORDS)
    if green_tint(proposed) < -settings.white_balance_tint:
        return CastDecision(proposed, False, OFF_LOCUS_WORDS)
    # a lamp's cast tints the grey and white surfaces, which its correction makes grey again;
    # a correction that takes most of them out of neutral (a warm room's grey shirt turned
    # blue), when they are a real part of the photo, is contradicted by them
    neutral_before, neutral_after = neutral_share(rgb), neutral_share(rgb, proposed)
    if neutral_after < 0.5 * neutral_before and neutral_before - neutral_after > settings.white_balance_neutral_loss:
        return CastDecision(proposed, False, NOT_NEUTRAL_WORDS)
    return CastDecision(proposed, True)


def skin_log_odds(model, image: np.ndarray, settings: SkinSettings = DEFAULT_SETTINGS, with_seeds: bool = False,
                  face_boxes: np.ndarray | None = None, info: dict | None = None,
                  transparent: np.ndarray | None = None):
    """log p(skin | pixel) - log p(non-skin | pixel) after per-photo adaptation.

    Parameters
    ----------
    model : SegmixModel of kind "skin" (colour features only)
    image : (H, W, 3) uint8, RGB order (an OpenCV BGR array: cv2.cvtColor(a, cv2.COLOR_BGR2RGB))
    settings : SkinSettings
    with_seeds : bool
        Also return the log odds without the photo-density term (the seeds of
        :func:`skin_mask`; the same array when ``settings.photo_density`` is 0).
    face_boxes : (N, 4) int array of (x, y, width, height), optional
        With ``settings.faces``: the photo's faces, instead of :func:`segmix.faces.detect_faces`
        (tests, or a caller with its own face detector); an empty array = no face.
    info : dict, optional
        With ``settings.faces``: ``info["faces_used"]`` is set to the number of usable faces
        (0 when none passed the skin check or none was found). With ``settings.exposure_target``:
        ``info["exposure_gain"]`` is the gain the photo was lifted by (1.0: not lifted).
    transparent : (H, W) bool, optional
        A cut-out's fully transparent pixels (:func:`segmix.transparency.transparent_pixels`).
        The colours stored under them are nobody's (the photo's own in a segmix cut-out,
        black or white from other tools), so no step reads them: every photo-wide statistic
        (the exposure lift's percentile, the adaptation's samples, the colour density, the
        texture cue's noise, the second pass's rejected pixels) is over the visible pixels
        alone, the colour filters and the texture see each transparent pixel as its nearest
        visible one (:func:`segmix.palette.nearest_visible_colours`), and the regions' cut sees the outline as free
        (:func:`segmix.transparency.outline_free_colours`). The transparent pixels get
        :data:`HIDDEN_LOG_ODDS`. The result does not depend on the hidden colours.

    Returns
    -------
    (H, W) float32 log odds (nats), or the pair (log odds, seed log odds) with ``with_seeds``.

    Raises
    ------
    ValueError
        If the model uses position features, or ``face_boxes`` is not (N, 4).
    segmix.faces.FaceDetectorUnavailable
        If ``settings.faces`` needs the face detector and OpenCV 4.x is missing.
    """
    check_skin_model(model), check_settings(settings)
    image = check_image(image)
    if model.features.uses_position:
        raise ValueError("the skin detector needs a colour-only model (this one uses position features)")
    hidden, photo = _hidden_pixels(transparent, image), image
    if hidden is not None:
        # The colours a cut-out stores under its transparent pixels are nobody's: the filters
        # (the JPEG chroma low-pass, the texture cue's blur and residual) and the per-pixel
        # maps see the visible colours continued across the outline, whatever was stored.
        from segmix.palette import nearest_visible_colours

        image = nearest_visible_colours(image, hidden)  # every step below: no hidden colour
    settings = for_photo_size(settings, visible_count(image.shape[:2], hidden))  # a tiny photo: per pixel
    image = balance_for_skin(model, image, settings, info, hidden)  # a colour cast out first
    image = lift_exposure(image, settings, info, hidden)  # every step below sees the lifted photo
    # the second pass's regions: a cut-out's on the photo given (skin_mask frees its outline,
    # as segmix.skin.detect's final cut does, on the same cached array)
    cut_image = image if hidden is None else photo
    table = _BinTable.of(model)
    colours, lattice = image, 0.0
    profiles = None  # the photo's luma-step profiles: the JPEG rules' and the texture cue's
    if settings.jpeg_deblock > 0 or (settings.jpeg_chroma_noise > 0 and settings.adapt):
        from segmix import jpeg_chroma

        profiles = jpeg_chroma.luma_profiles(image)
        # the lattice is measured on the decoded chroma, not the low-passed
        colours, lattice = jpeg_chroma.blocky_colours(image, settings.jpeg_deblock,
                                                      settings.jpeg_chroma_noise > 0 and settings.adapt, profiles)
    code, used, counts = _color_bins(colours, hidden)
    X = _features_of_mean_colors(model, _bin_centres(used)) if settings.adapt or settings.faces else None
    table.lookup(used, X)
    log_skin, log_non = table.log_skin[used], table.log_non[used]
    log_core = table.log_core[used]  # the core skin Gaussians as a mixture of their own
    llr = log_skin - log_non
    if settings.adapt:
        skin_p, non_p = table.skin_p, table.non_p
        # Confident skin by the core (UCI) Gaussians: the tone ladder's pale and dark colours are
        # also walls and hair, so they never train the photo's skin model.
        sk = log_core - table.log_non[used] > settings.confident_skin
        # Confident non-skin by the whole model: a colour the model calls skin (any tone) never
        # trains the photo's non-skin model, so a photo cannot unlearn a skin tone.
        ns = llr < settings.confident_non_skin
        if hidden is not None:  # bins of transparent pixels only (count 0) train nothing
            sk, ns = sk & (counts > 0), ns & (counts > 0)
        changed = False
        noise = (settings.jpeg_chroma_noise * _chroma_noise_cov(model, used, counts, lattice)
                 if lattice >= MIN_LATTICE else None)
        # the luma floor needs a luma axis (feature 0 of ycbcr and lab)
        luma_floor = settings.skin_luma_floor if model.features.color_space in ("ycbcr", "lab") else 0.0
        # and the non-skin side's chroma floor its chroma axes (features 1 and 2)
        chroma_floor = settings.non_skin_floor if model.features.color_space in ("ycbcr", "lab") else 0.0
        skin_counts = counts
        skin_adapted = counts[sk].sum() >= settings.min_adapt_pixels
        if skin_adapted:
            adapted = _adapt_core(X[sk], counts[sk], skin_p, table.n_core, settings.relevance, noise, luma_floor,
                                  settings.skin_trust)
            if settings.sharpen > 0:
                weighted = _sharpened_counts(counts, sk, log_core - log_non, settings.sharpen)
                sharp = _adapt_core(X[sk], weighted[sk], skin_p, table.n_core, settings.relevance, noise, luma_floor,
                                    settings.skin_trust)
                if core_shift(adapted, sharp, table.skin_p, table.n_core) >= settings.sharpen_shift:
                    adapted, skin_counts = sharp, weighted
            skin_p = adapted
            changed = True
        if counts[ns].sum() >= settings.min_adapt_pixels:
            non_p = map_adapt(X[ns], counts[ns], non_p, settings.relevance, noise_cov=noise)
            changed = True
        if changed:
            k = table.n_core
            if table.log_fixed is None:
                log_skin = log_core = _mixture_log_pdf(X, skin_p)
            else:  # only the core moved: score it, look the fixed components up
                core = (skin_p[0][:k], skin_p[1][:k], skin_p[2][:k])  # weights as in the whole mixture
                log_core = _mixture_log_pdf(X, core)
                log_skin = np.logaddexp(log_core, table.log_fixed[used])
                log_core = log_core - math.log(core[0].sum())
            if settings.non_skin_guard > 0 and skin_adapted and non_p is not table.non_p:
                # a non-skin Gaussian that explains the photo's confident skin about as well as
                # the adapted skin side has learned that skin (a pale close-up): it keeps its prior
                non_p = _guard_non_skin(X[sk], skin_counts[sk], log_skin[sk], non_p, table.non_p, settings.non_skin_guard)
            elif settings.non_skin_guard > 0 and settings.guard_unadapted and not skin_adapted and non_p is not table.non_p:
                # no confident skin by the core (a person of a dark or pale tone, which the core
                # does not hold): the guard judges on the photo's clear skin by the whole model
                clear = (llr > settings.confident_skin) & (counts > 0)
                if counts[clear].sum() >= settings.min_adapt_pixels:
                    non_p = _guard_non_skin(X[clear], counts[clear], log_skin[clear], non_p, table.non_p,
                                            settings.non_skin_guard, rose=True)
            if chroma_floor > 0 and non_p is not table.non_p:
                # after the guard, which judges the Gaussians as the photo moved them: floored
                # first, one that had learned a pale close-up's skin no longer looked like it
                # and, wider, still took that skin
                non_p = (non_p[0], non_p[1], floor_variances(non_p[2], table.non_p[2], chroma_floor, (1, 2)))
            log_non = _mixture_log_pdf(X, non_p)
            llr = log_skin - log_non
    prior = _prior(model, settings)
    log_prior = math.log(prior / (1.0 - prior))
    density = _photo_density(model, used, counts, settings.density_sigma) if (
        settings.photo_density > 0 or settings.faces) else None
    dark_neutral = (dark_neutral_penalty(_bin_centres(used), settings.dark_chroma_floor, settings.dark_chroma_weight)
                    if settings.dark_chroma_floor > 0 else 0.0)  # grey, shadow and black cloth are not dark skin
    seeds_bin = llr + log_prior - dark_neutral
    final_bin = seeds_bin - _density_term(log_non, density, settings.photo_density)
    colour_bin = final_bin  # steps 1-3: the texture cue's candidates, with or without faces
    face_skin = None
    if settings.faces:
        boxes = _faces_of(image, face_boxes)
        if info is not None:
            info["faces_used"] = 0
        if len(boxes):
            t = detector_threshold(model)
            level = math.log(t / (1.0 - t)) if 0 < t < 1 else 0.0
            found = _face_mixture(model, image, code, used, X, final_bin > level, boxes, hidden)
            face, face_skin = found if found is not None else (None, None)
            if face is not None:
                if info is not None:
                    info["faces_used"] = len(face[0])
                w = settings.face_weight
                log_face = _mixture_log_pdf(X, face)
                log_skin = np.logaddexp(math.log(w) + log_face, math.log1p(-w) + log_core) if w < 1 else log_face
                seeds_bin = log_skin - log_non + log_prior - dark_neutral
                final_bin = seeds_bin - _density_term(log_non, density, settings.face_density)
    lut = np.zeros(1 << (3 * BITS), np.float32)
    lut[used] = final_bin
    log_odds = lut[code].reshape(image.shape[:2])
    if hidden is not None:
        log_odds[hidden] = HIDDEN_LOG_ODDS  # no texture candidate, no region
    texture = None
    if settings.texture > 0:
        if colour_bin is final_bin:
            candidates_from = log_odds
        else:  # faces changed the log odds; the cue keeps the candidates of the colour steps
            lut[used] = colour_bin
            candidates_from = lut[code].reshape(image.shape[:2])
            if hidden is not None:
                candidates_from[hidden] = HIDDEN_LOG_ODDS
        texture = _texture_term(model, image, candidates_from, settings, profiles, face_skin, hidden)
        log_odds += texture
    if settings.second_pass > 0 and settings.spatial:
        seeds = _seed_map(lut, used, code, image.shape[:2], seeds_bin, final_bin, texture, log_odds)
        log_odds, seeds = hide_log_odds(log_odds, seeds, hidden)
        log_odds, seeds = _second_pass(model, cut_image, settings, code, used, colour_bin, final_bin, seeds_bin,
                                       log_non, texture, log_odds, seeds, hidden)
        log_odds, seeds = hide_log_odds(log_odds, seeds, hidden)
        return (log_odds, seeds) if with_seeds else log_odds
    if not with_seeds:
        return hide_log_odds(log_odds, log_odds, hidden)[0]
    return hide_log_odds(log_odds, _seed_map(lut, used, code, image.shape[:2], seeds_bin, final_bin, texture, log_odds),
                 hidden)


#: The log odds of a transparent pixel (:func:`skin_log_odds`, :func:`segmix.skin.detect`):
#: finite, as every later step expects, and far below any threshold (p(skin) about 2e-22).
HIDDEN_LOG_ODDS = np.float32(-50.0)


def hide_log_odds(log_odds, seeds, hidden):
    """``log_odds`` and ``seeds`` (H, W) float32 with the ``hidden`` (H, W) bool pixels at
    :data:`HIDDEN_LOG_ODDS` (themselves when ``hidden`` is None; new arrays otherwise,
    ``seeds`` may be ``log_odds``; hiding twice changes nothing)."""
    if hidden is None:
        return log_odds, seeds
    same = seeds is log_odds
    log_odds = np.where(hidden, HIDDEN_LOG_ODDS, log_odds).astype(np.float32, copy=False)
    return log_odds, (log_odds if same else np.where(hidden, HIDDEN_LOG_ODDS, seeds).astype(np.float32, copy=False))


def _hidden_pixels(transparent, image):
    """The transparent pixels as (H, W) bool, or None when none is transparent."""
    if transparent is None:
        return None
    from segmix.transparency import check_transparent

    return check_transparent(transparent, image.shape[:2])


def visible_count(shape, hidden) -> int:
    """The visible pixels of a photo of ``shape`` (H, W) with ``hidden`` (or None) transparent."""
    n = int(shape[0]) * int(shape[1])
    return n if hidden is None else n - int(np.count_nonzero(hidden))


def _seed_map(lut, used, code, shape, seeds_bin, final_bin, texture, log_odds):
    """The seed log odds per pixel (the log odds without the photo-density term), or
    ``log_odds`` itself when they are the same."""
    if np.array_equal(seeds_bin, final_bin):
        return log_odds
    lut[used] = seeds_bin
    seeds = lut[code].reshape(shape)
    if texture is not None:
        seeds += texture
    return seeds


def _second_pass(model, image, settings, code, used, colour_bin, final_bin, seeds_bin, log_non, texture,
                 log_odds, seeds, hidden=None):
    """:func:`_relearn_second_pass`, undone (the first pass's ``(log_odds, seeds)`` returned) with
    ``settings.second_pass_keeps_some`` when its regions (:func:`skin_mask` at the model's
    threshold) keep none of the pixels the first pass accepted."""
    if not settings.second_pass_keeps_some:
        return _relearn_second_pass(model, image, settings, code, used, colour_bin, final_bin, seeds_bin, log_non,
                                    texture, log_odds, seeds, hidden)
    t = detector_threshold(model)
    first = replace(settings, boundary_prior=False) if settings.boundary_prior else settings
    accepted = skin_mask(log_odds, t, first, seeds, image, hidden)
    out = _relearn_second_pass(model, image, settings, code, used, colour_bin, final_bin, seeds_bin, log_non,
                               texture, log_odds, seeds, hidden, accepted)
    if out[0] is log_odds or not accepted.any():
        return out
    # judged on the regions the relearnt log odds give (their seeds too: the second pass lowers
    # both, and a region without a seed goes)
    if not (skin_mask(out[0], t, first, out[1], image, hidden) & accepted).any():
        return log_odds, seeds
    return out


def _relearn_second_pass(model, image, settings, code, used, colour_bin, final_bin, seeds_bin, log_non, texture,
                         log_odds, seeds, hidden=None, accepted=None):
    """Self-training on the first pass's spatial result (the second pass, ``settings.second_pass``).

    Self-adaptive skin detection (Kawulok, Kawulok, Nalepa & Smolka, "Self-adaptive algorithm
    for segmenting skin regions", EURASIP J. Adv. Signal Process. 2014) re-learns a photo's
    colour model from what a first detection concluded. Here, the pixels whose colour is
    skin-like (steps 1-3 above the model's decision level) but that the first pass rejected
    (the texture cue pushed them below the level, their region had no seed or was too small),
    and that lie more than ``second_pass_margin`` pixels from any accepted region, are taken as
    this photo's skin-coloured non-skin (brick, coats, hair, doors). Their colour histogram
    h_r (6-bit bins smoothed like the photo density, as a share of the whole photo per unit of
    feature volume) joins the non-skin density:

        p2(x | non-skin) = p(x | non-skin) + w h_r(x),   w = ``settings.second_pass``,

    with p(x | non-skin) the first pass's (adapted mixture and photo density). A new term
    rather than another MAP step: moving the existing non-skin Gaussians towards a photo's
    pixels pulls them to its dominant colours (docs/skin_development.md). The log odds and the
    seeds lose ``log(p2 / p)`` (never gain), the texture term is kept, and the cheap final step
    (:func:`skin_mask`) then runs on them as on the first pass's. Fewer than
    ``settings.min_adapt_pixels`` such pixels: the first pass's log odds are returned.
    The first pass is decided at the model's threshold, not the caller's, so that a threshold
    change stays a labelling pass (the window's slider).

    With ``settings.second_pass_boundary`` (the default), the regions of the first pass that
    the boundary prior would drop (:func:`segmix.skin_boundary.background_and_inside`: a
    skin-coloured wall hanging from the top edge or ground spanning the photo, much larger
    than the skin inside it) count as rejected too, instead of being dropped: a wall that
    swallowed most of the confident skin teaches the second pass its colours. Two guards keep
    what the rule's own premise says is skin: the inside regions (dilated by
    ``second_pass_margin``) keep the log odds of the second pass without those regions, and so
    does every colour whose seed log odds exceed ``settings.second_pass_sure`` (the palest
    Monk tones of a chart row touching the top edge, a face cut by the top edge). Nothing is
    dropped by this step; the slider's step stays monotone in the threshold.

    Returns
    -------
    (log_odds, seed_log_odds), both (H, W) float32.
    """
    t = detector_threshold(model)
    level = np.float32(math.log(t / (1.0 - t))) if 0 < t < 1 else np.float32(0.0)
    shape = image.shape[:2]
    # the first pass's regions before the boundary prior: a region the prior drops often shares
    # its colours with kept skin (a face joined to the wall), and learnt as non-skin it takes
    # that skin too (docs/skin_development.md, "A boundary prior")
    if accepted is None:
        accepted = skin_mask(log_odds, t, replace(settings, boundary_prior=False) if settings.boundary_prior
                             else settings, seeds, image, hidden)
    counts = _rejected_counts(settings, code, used, colour_bin, accepted, level, hidden)
    n_pixels = visible_count(shape, hidden)  # the photo density's unit: shares of the visible photo
    found = None
    if settings.second_pass_boundary:
        from segmix import skin_boundary

        # a cut-out's edges are those of what it shows: its visible pixels' bounding box (a
        # wall hanging from the top of a photo cut out to its central part is still one)
        box = (slice(None), slice(None)) if hidden is None else _visible_box(hidden)
        found = skin_boundary.background_and_inside(accepted[box], settings.boundary_top_contact,
                                                    settings.boundary_max_share, settings.boundary_ratio)
        if found is not None and hidden is not None:
            found = tuple(_placed(part, box, shape) for part in found)
    plain = _relearnt_lut(model, settings, counts, n_pixels, used, final_bin, seeds_bin, log_non)
    if found is None:
        if plain is None:
            return log_odds, seeds
        return _gather(plain, code, shape, texture)
    dropped, inside = found
    fed = _relearnt_lut(model, settings, _rejected_counts(settings, code, used, colour_bin, accepted & ~dropped, level,
                                                          hidden),
                        n_pixels, used, final_bin, seeds_bin, log_non)
    if fed is None:  # too few pixels to relearn even with the regions (a tiny photo)
        return (log_odds, seeds) if plain is None else _gather(plain, code, shape, texture)
    if plain is None:
        plain = _bin_luts(used, final_bin, seeds_bin)
    # a colour the photo's own seeds call clearly skin is not relearnt from where it lies (a pale
    # tone or a face hanging from the top beside smaller skin inside)
    sure = np.zeros(fed[0].size, bool)
    sure[used] = seeds_bin > settings.second_pass_sure
    for f, p in zip(fed, plain):
        f[sure] = p[sure]
    from segmix.kernels import skin as kernels

    # the inside regions that made the rule fire keep the plain second pass's log odds
    guard = np.flatnonzero(kernels.square_dilate(inside, max(1, int(settings.second_pass_margin))))
    out = _gather(fed, code, shape, texture)
    at = code[guard]
    for map_, lut in zip(out, plain):
        values = lut[at]
        if texture is not None:
            values += texture.ravel()[guard]
        np.put(map_, guard, values)
    return out


def _visible_box(hidden: np.ndarray) -> tuple[slice, slice]:
    """The bounding box of the pixels not ``hidden`` (some are), as slices."""
    rows, cols = np.flatnonzero(~hidden.all(axis=1)), np.flatnonzero(~hidden.all(axis=0))
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


def _placed(part: np.ndarray, box: tuple[slice, slice], shape) -> np.ndarray:
    """``part``, a map of ``box``, placed in an all-False (H, W) map of ``shape``."""
    out = np.zeros(shape, bool)
    out[box] = part
    return out


def _rejected_counts(settings, code, used, colour_bin, accepted, level, hidden=None) -> np.ndarray:
    """Pixels per bin whose colour is skin-like (``colour_bin`` above ``level``) and that lie
    more than ``second_pass_margin`` pixels from ``accepted``: (bins,) int64. ``hidden``: a
    cut-out's transparent pixels, never counted."""
    from segmix.kernels import skin as kernels

    margin = int(settings.second_pass_margin)
    if margin > 0 and accepted.any():
        accepted = kernels.square_dilate(accepted, margin)
    if hidden is not None:
        accepted = accepted | hidden
    candidate = np.zeros(1 << (3 * BITS), bool)
    candidate[used] = colour_bin > level
    return kernels.rejected_counts(code, candidate, accepted.ravel(), candidate.size)


def _relearnt_lut(model, settings, counts, n_pixels, used, final_bin, seeds_bin, log_non):
    """The second pass's (log odds, seed log odds) per bin from the rejected pixels' counts;
    None when there are fewer than ``settings.min_adapt_pixels`` of them."""
    rejected_counts = counts[used].astype(np.float64)
    total = rejected_counts.sum()
    if total < settings.min_adapt_pixels:
        return None
    h = _photo_density(model, used, rejected_counts, settings.density_sigma) * (total / n_pixels)
    # the first pass's non-skin log density: the mixture's plus the photo-density term, which
    # is what separates the final log odds from the seeds' (with faces too)
    log_p = log_non + (seeds_bin - final_bin)
    with np.errstate(divide="ignore"):
        delta = np.logaddexp(log_p, math.log(settings.second_pass) + np.log(h)) - log_p
    return _bin_luts(used, final_bin - delta, seeds_bin - delta)


def _bin_luts(used, final_bin, seeds_bin):
    """Per-bin tables ((2**(3 BITS),) float32 each) of the log odds and the seed log odds of the
    used bins, 0 elsewhere."""
    lut = np.zeros(1 << (3 * BITS), np.float32)
    lut_seeds = np.zeros_like(lut)
    lut[used] = final_bin
    lut_seeds[used] = seeds_bin
    return lut, lut_seeds


def _gather(luts, code, shape, texture):
    from segmix.kernels import skin as kernels

    # both maps in one pass over the pixels: lut[code] + texture, as NumPy computes them
    return kernels.gather_pair(luts[0], luts[1], code.reshape(shape),
                               np.zeros((0, 0), np.float32) if texture is None else texture)


def _texture_term(model, image: np.ndarray, log_odds: np.ndarray, settings: SkinSettings,
                  profiles=None, face_skin: np.ndarray | None = None, hidden: np.ndarray | None = None) -> np.ndarray:
    """The fine-texture cue's log-odds term (:mod:`segmix.skin_texture`), its candidates the
    pixels whose colour log odds (steps 1-3, without face calibration, so that a face cannot
    change where texture is measured) are above the model's decision level (not the
    slider's: a threshold change stays a labelling pass). Its weight shrinks in proportion
    to the working diagonal below ``settings.texture_full_diagonal``. ``face_skin``: the
    usable faces' skin pixels, whose texture raises the level
    (``settings.face_texture_quantile``). ``hidden``: a cut-out's transparent pixels, left
    out of the photo's noise."""
    from segmix import skin_texture

    t = detector_threshold(model)
    level = np.float32(math.log(t / (1.0 - t))) if 0 < t < 1 else np.float32(0.0)
    tex = skin_texture.fine_texture(image, log_odds > level, settings.texture_window, profiles=profiles,
                                    visible=None if hidden is None else ~hidden)
    texture_level = settings.texture_level
    if face_skin is not None and settings.face_texture_quantile > 0 and face_skin.any():
        texture_level = max(texture_level, float(np.quantile(tex[face_skin], settings.face_texture_quantile)))
    weight = settings.texture
    full = settings.texture_full_diagonal
    diagonal = skin_texture.measuring_diagonal(image.shape[:2])
    if full > 0 and diagonal < full:
        weight = settings.texture * diagonal / full
    return skin_texture.texture_log_odds(tex, texture_level, weight)


def _density_term(log_non: np.ndarray, density: np.ndarray | None, beta: float):
    """log of (1 - b) p(x | non-skin) + b h(x) minus log p(x | non-skin), per bin (0 if b = 0)."""
    if beta <= 0 or density is None:
        return 0.0
    with np.errstate(divide="ignore"):
        return np.logaddexp(math.log1p(-beta) + log_non, math.log(beta) + np.log(density)) - log_non


def _faces_of(image: np.ndarray, face_boxes) -> np.ndarray:
    if face_boxes is None:
        from segmix import faces

        return faces.detect_faces(image)
    boxes = np.asarray(face_boxes, dtype=float)
    if boxes.size == 0:
        return np.zeros((0, 4))
    if boxes.ndim != 2 or boxes.shape[1] != 4 or not np.isfinite(boxes).all() or (boxes[:, 2:] <= 0).any():
        raise ValueError(f"face_boxes must be (N, 4) rows of x, y, width > 0, height > 0; got shape {boxes.shape}")
    return boxes


#: A face box's central ellipse (centre a little below the box's, as the cascade's boxes
#: include the forehead and hair): semi-axes as shares of the box's width and height.
FACE_ELLIPSE = (0.30, 0.38)
FACE_CENTRE_Y = 0.55
#: A face is used when at least this share of its ellipse, and at least FACE_MIN_PIXELS pixels,
#: are skin under the first-pass decision (a false face on a wall or a shirt is not skin there).
FACE_MIN_SKIN_SHARE = 0.5
FACE_MIN_PIXELS = 100
#: ... and when its eye band (rows 0.30-0.45 of the box, columns 0.2-0.8) is darker than its
#: cheek band (rows 0.50-0.65) by this factor in mean luma: the cascade's first feature, checked
#: again on the whole band. A false face on a palm or a fist is evenly lit skin (ratio 0.83-0.99
#: on the development hand photos, 24 of the even half's 299 hand photos had one), a face has
#: its eyes, brows and their shadows (median 0.66 on the street photos' faces, 0.72 on SFA's).
FACE_MAX_EYE_RATIO = 0.9
_EYE_ROWS, _CHEEK_ROWS, _BAND_COLUMNS = (0.30, 0.45), (0.50, 0.65), (0.2, 0.8)


def _eye_ratio(image: np.ndarray, box) -> float:
    """Mean Rec. 601 luma of a face box's eye band over its cheek band's (:data:`FACE_MAX_EYE_RATIO`);
    NaN when a band lies outside the photo."""
    from segmix.skin_texture import LUMA  # the texture cue's Rec. 601 weights

    x, y, bw, bh = (int(v) for v in box)
    h, w = image.shape[:2]

    def band(rows):
        r0, r1 = y + int(rows[0] * bh), y + max(int(rows[1] * bh), int(rows[0] * bh) + 1)
        c0 = x + int(_BAND_COLUMNS[0] * bw)
        c1 = x + max(int(_BAND_COLUMNS[1] * bw), int(_BAND_COLUMNS[0] * bw) + 1)
        part = image[max(r0, 0):min(r1, h), max(c0, 0):min(c1, w), :3].astype(np.float64)
        return float((part @ LUMA.astype(np.float64)).mean()) if part.size else float("nan")

    return band(_EYE_ROWS) / max(band(_CHEEK_ROWS), 1.0)


def _face_mixture(model, image, code, used, X, first_pass_bin, boxes, hidden=None):
    """One Gaussian per usable face, fitted on its skin pixels (the pixels of its central ellipse
    that the first pass calls skin), weighted by their counts: (weights (F,), means (F, D),
    covariances (F, D, D)) and the (H, W) bool map of those skin pixels, or None if no face is
    usable. A face per Gaussian, so that two
    people of different tones, both facing the camera, keep their own colours.

    Each covariance gets a floor of a quarter colour bin per feature, so a face of one flat
    colour still gives a proper Gaussian."""
    h, w = image.shape[:2]
    flat_code = code.reshape(h, w)
    ax, ay = FACE_ELLIPSE
    side = float(1 << (8 - BITS))
    centres = _bin_centres(used)
    weights, means, covs = [], [], []
    face_skin = np.zeros((h, w), bool)
    for x, y, bw, bh in boxes:
        cx, cy, rx, ry = x + bw / 2.0, y + FACE_CENTRE_Y * bh, ax * bw, ay * bh
        r0, r1 = max(int(cy - ry), 0), min(int(math.ceil(cy + ry)) + 1, h)
        c0, c1 = max(int(cx - rx), 0), min(int(math.ceil(cx + rx)) + 1, w)
        if r0 >= r1 or c0 >= c1:
            continue
        yy, xx = np.ogrid[r0:r1, c0:c1]
        inside = ((xx + 0.5 - cx) / rx) ** 2 + ((yy + 0.5 - cy) / ry) ** 2 <= 1.0
        if hidden is not None:  # a face's transparent pixels are no skin of it
            inside = inside & ~hidden[r0:r1, c0:c1]
        idx = np.searchsorted(used, flat_code[r0:r1, c0:c1][inside])
        skin = first_pass_bin[idx]
        if skin.sum() < FACE_MIN_PIXELS or skin.mean() < FACE_MIN_SKIN_SHARE:
            continue
        if not _eye_ratio(image, (x, y, bw, bh)) <= FACE_MAX_EYE_RATIO:  # NaN too
            continue
        face_skin[r0:r1, c0:c1][inside] |= skin
        count = np.bincount(idx[skin], minlength=used.size).astype(np.float64)
        total = count.sum()
        mean = count @ X / total
        diff = X - mean
        cov = (diff * count[:, None]).T @ diff / total
        mean_rgb = count @ centres / total
        jac = np.stack([_features_of_mean_colors(model, np.clip(mean_rgb + side / 2 * np.eye(3)[i], 0, 255)[None])[0]
                        - _features_of_mean_colors(model, np.clip(mean_rgb - side / 2 * np.eye(3)[i], 0, 255)[None])[0]
                        for i in range(3)], axis=1)
        spread = np.abs(jac).sum(axis=1)  # a bin's extent along each feature
        weights.append(total)
        means.append(mean)
        covs.append(cov + np.diag((spread / 4.0) ** 2))
    if not weights:
        return None
    weights = np.asarray(weights)
    return (weights / weights.sum(), np.stack(means), np.stack(covs)), face_skin


def _chroma_noise_cov(model, used: np.ndarray, counts: np.ndarray, lattice: float) -> np.ndarray:
    """(D, D) covariance, in the model's features, of a blocky JPEG's chroma quantisation.

    A JPEG divides each chroma block's DCT coefficients by a step and rounds them; when the
    step is coarse (heavy compression) nearly every AC coefficient is 0 and the block's mean
    Cb / Cr lands on a lattice ``lattice`` = step / 8 levels apart (the DC coefficient is 8 x
    the block mean; :func:`segmix.jpeg_chroma.chroma_lattice` measures it). The true chroma
    then lies anywhere within half a lattice spacing of the decoded one: uniform noise of
    variance lattice^2 / 12 in full-range Cb and in Cr (levels 0..255), and none in luma.
    Mapped to RGB by the inverse JFIF transform and to the features by their Jacobian at the
    photo's bin centres (count-weighted mean of J C J^T; constant for the affine colour spaces
    rgb and ycbcr, evaluated once).
    """
    from segmix.jpeg_chroma import _TO_RGB

    lattice = float(lattice)
    mix = _TO_RGB[:, 1:].astype(np.float64)  # RGB change per unit of Cb, Cr
    c_rgb = (lattice * lattice / 12.0) * (mix @ mix.T)
    h = 0.5 * float(1 << (8 - BITS))
    if model.features.color_space in ("rgb", "ycbcr"):
        centre = np.full((1, 3), 127.5)
        weights = np.ones(1)
    else:
        centre = _bin_centres(used)
        weights = counts / counts.sum()
    jac = np.stack([(_features_of_mean_colors(model, np.clip(centre + h * np.eye(3)[i], 0, 255))
                     - _features_of_mean_colors(model, np.clip(centre - h * np.eye(3)[i], 0, 255))) / (2 * h)
                    for i in range(3)], axis=2)  # (B, D, 3): features per grey level
    return np.einsum("b,bij,jk,blk->il", weights, jac, c_rgb, jac)


def _bin_volume(model, used: np.ndarray) -> np.ndarray | float:
    """Volume of each colour bin in the model's feature space (product of the feature units):
    |det d(features)/d(RGB)| times the bin's RGB volume. Constant for the affine spaces (rgb,
    ycbcr); central differences at the bin centres otherwise."""
    side = float(1 << (8 - BITS))
    centre = _bin_centres(used)
    if model.features.color_space in ("rgb", "ycbcr"):
        jac = np.stack([_features_of_mean_colors(model, np.eye(3)[i:i + 1] * side)[0]
                        - _features_of_mean_colors(model, np.zeros((1, 3)))[0] for i in range(3)], axis=1)
        return abs(float(np.linalg.det(jac)))
    cols = [(_features_of_mean_colors(model, np.clip(centre + side / 2 * np.eye(3)[i], 0, 255))
             - _features_of_mean_colors(model, np.clip(centre - side / 2 * np.eye(3)[i], 0, 255))) for i in range(3)]
    return np.maximum(np.abs(np.linalg.det(np.stack(cols, axis=2))), 1e-12)


def _photo_density(model, used: np.ndarray, counts: np.ndarray, sigma: float) -> np.ndarray:
    """The photo's colour density at its used bins, (B,) float64 per unit of feature volume:
    its bin histogram (pixel shares), smoothed by a Gaussian of ``sigma`` bins. ``counts`` may
    be zero on some bins (the second pass's histogram of a subset of the pixels)."""
    from segmix.kernels import skin as kernels

    side = 1 << BITS
    share = counts / counts.sum()
    if sigma <= 0:
        return share / _bin_volume(model, used)
    # Smooth only the box around the counted bins, padded by the kernel's radius: outside it
    # the smoothed histogram is zero, so the values are the same as over the whole cube.
    grid = np.stack([used >> (2 * BITS), (used >> BITS) & (side - 1), used & (side - 1)], axis=1)
    counted = counts > 0
    radius = int(3.0 * sigma + 0.5)
    lo = np.maximum(grid[counted].min(axis=0) - radius, 0)
    hi = np.minimum(grid[counted].max(axis=0) + radius + 1, side)
    # scipy.ndimage.gaussian_filter(box, sigma, mode="constant", truncate=3.0) of the box
    # holding the shares, read at the used bins: the fused kernel runs the same float64
    # operations in the same order, and the last axis only at those bins.
    local = np.ascontiguousarray(grid - lo, np.int64)
    out = np.empty(used.size)
    kernels.smooth_histogram(local, np.ascontiguousarray(share, np.float64), (hi - lo).astype(np.int64),
                             _gaussian_taps(float(sigma), radius), out)
    return out / _bin_volume(model, used)


_TAPS: dict = {}


def _gaussian_taps(sigma: float, radius: int) -> np.ndarray:
    """The 1-D kernel scipy.ndimage.gaussian_filter1d uses for ``sigma`` (truncated at
    ``radius``), read from its response to a unit impulse: exactly its weights."""
    key = (sigma, radius)
    taps = _TAPS.get(key)
    if taps is None:
        from scipy import ndimage

        impulse = np.zeros(2 * radius + 1)
        impulse[radius] = 1.0
        taps = ndimage.gaussian_filter1d(impulse, sigma, mode="constant", truncate=3.0)
        _TAPS[key] = taps
    return taps


def _features_of_mean_colors(model, mean_rgb: np.ndarray) -> np.ndarray:
    """Features of (B, 3) float mean colours (0..255): the feature transforms are affine in RGB
    for rgb/ycbcr, so the mean colour's feature is the mean feature; other spaces use the
    rounded mean colour."""
    space = model.features
    if space.color_space == "rgb":
        return mean_rgb / 255.0
    if space.color_space == "ycbcr":
        r, g, b = mean_rgb[:, 0], mean_rgb[:, 1], mean_rgb[:, 2]
        y = (65.481 * r + 128.553 * g + 24.966 * b) / 255.0
        cb = 112.0 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255.0
        cr = 112.0 + (112.0 * r - 93.786 * g - 18.214 * b) / 255.0
        return np.stack([y / 219.0, cb / 224.0, cr / 224.0], axis=1)
    return space.colors_to_features(np.clip(np.rint(mean_rgb), 0, 255).astype(np.uint8))


def posterior_from_log_odds(log_odds: np.ndarray) -> np.ndarray:
    """p = 1 / (1 + exp(-log_odds)), float32, without overflow warnings."""
    out = np.empty(log_odds.shape, np.float32)
    np.negative(log_odds, out=out)
    np.clip(out, -80, 80, out=out)
    np.exp(out, out=out)
    out += 1
    np.reciprocal(out, out=out)
    return out


#: A line (row or column) at a photo's edge is part of a uniform border when each channel spans
#: at most this many levels along it and stays this near the outermost line's middle colour.
BORDER_TOLERANCE = 6
#: A border is cropped only as bars on two opposite sides (a letterbox, a pillarbox, a scan's
#: margin all round), each at least this share of its axis (and 2 px): one uniform side is a
#: backdrop (147 of the 3,036 development photos have one, mostly SFA's studio wall above the
#: head; 17 abdomen crops of web pages have bars on two sides, and are cropped).
BORDER_MIN_BAR = 0.02
#: ... holding at least this share of the photo's pixels, and leaving at least BORDER_MIN_SIDE
#: pixels on each axis (a photo of one colour is not a border).
BORDER_MIN_SHARE = 0.05
BORDER_MIN_SIDE = 16
#: A border (or a collage's gutter) is of a colour no skin has: near-neutral (its channels
#: within this many levels of each other: black, grey or white bars and paper), or very dark
#: (every channel at most BORDER_DARK) or very bright (every channel at least BORDER_BRIGHT).
#: A close-up of smooth skin (RGB 215, 160, 130 +-2 around a small mole: channels 85 levels
#: apart) was taken for bars on every side and set non-skin (skin share 1.00 -> 0.007): the
#: colour of bars was never asked about. Bars of development photos' copies (black, video
#: black 16, white, paper 250) are all neutral; skin is not (its channels 30-100 apart).
BORDER_MAX_CHROMA = 24
BORDER_DARK = 40
BORDER_BRIGHT = 230
#: JPEG rings beside a bar's (or a gutter's) edge: the lines there span up to this many levels
#: (6-18 measured at quality 95-75), so a border or gutter runs on through such lines near its
#: colour, up to BORDER_RING lines past its last uniform one (one 8-px JPEG block).
BORDER_RING_TOLERANCE = 3 * BORDER_TOLERANCE
BORDER_RING = 8


def bar_colour(colour) -> bool:
    """Whether ``colour`` (3 levels) may be a border's or a gutter's: not skin-like
    (:data:`BORDER_MAX_CHROMA`)."""
    c = np.asarray(colour, np.int16)
    return bool(int(c.max()) - int(c.min()) <= BORDER_MAX_CHROMA or c.max() <= BORDER_DARK
                or c.min() >= BORDER_BRIGHT)


def _near(lines: np.ndarray, ref: np.ndarray, tolerance: int) -> np.ndarray:
    """(k,) bool: which of the lines (k, 3, L) span at most ``tolerance`` levels in each
    channel and stay that near ``ref``."""
    low, high = lines.min(axis=2).astype(np.int16), lines.max(axis=2).astype(np.int16)
    return np.all((high - low <= tolerance) & (np.abs(high - ref) <= tolerance) & (np.abs(low - ref) <= tolerance),
                  axis=1)


def uniform_border(image: np.ndarray) -> tuple[int, int, int, int] | None:
    """The box ``(y0, y1, x0, x1)`` of a photo inside a uniform border (letterbox or pillarbox
    bars, a scanned print's paper margin, a web page's white around a picture), or None.

    Why: every photo-wide measure of the detector (the texture cue's noise and working scale,
    the photo's colour density, the regions' minimum area and block size, the second pass)
    read the bars as photo: 20 development photos framed in black bars (the photo 45 % of the
    frame) scored pooled F1 0.808 for 0.860, on a white scan margin 0.818; three street photos
    lost all their skin. :func:`segmix.skin.detect` and :func:`skin_mask` score the photo inside
    the box, and the border is non-skin. A line belongs to the border when it is uniform
    (:data:`BORDER_TOLERANCE`) in the colour of the outermost line; see :data:`BORDER_MIN_BAR`
    and :data:`BORDER_MIN_SHARE` for when the box is taken. A photo without such bars costs
    four line checks.
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[0] < 2 * BORDER_MIN_SIDE or image.shape[1] < 2 * BORDER_MIN_SIDE:
        return None
    h, w = image.shape[:2]

    def run(lines, n: int) -> tuple[int, np.ndarray]:
        """How many of the n lines (lines(i, j): lines i..j-1 from the edge, (k, L, 3)) are border,
        and the border's colour (the outermost line's middle pixel)."""
        first = lines(0, 1).astype(np.int16)
        ref = first[0, first.shape[1] // 2]
        return _run(lines, n, ref), ref

    def _run(lines, n: int, ref: np.ndarray) -> int:
        if not bar_colour(ref):  # a skin-like colour is no bar's (BORDER_MAX_CHROMA)
            return 0
        done, step = 0, 1
        while done < n:
            # (k, 3, L) in C order: the reductions along each line run over contiguous memory
            # (over (k, L, 3) they took 4 ms for 300 lines of 550 px)
            chunk = np.ascontiguousarray(lines(done, min(n, done + step)).transpose(0, 2, 1))
            ok = _near(chunk, ref, BORDER_TOLERANCE)
            if not ok.all():
                return done + int(np.argmin(ok))
            done, step = done + chunk.shape[0], step * 2
        return n

    (top, c_top) = run(lambda i, j: image[i:j], h)
    if top == h:  # a photo of one colour: no border (and no need to read it three times more)
        return None
    (bottom, c_bottom) = run(lambda i, j: image[h - j:h - i][::-1], h)
    (left, c_left), (right, c_right) = (run(lambda i, j: image[:, i:j].transpose(1, 0, 2), w),
                                        run(lambda i, j: image[:, w - j:w - i][:, ::-1].transpose(1, 0, 2), w))

    def alike(a, b) -> bool:
        return bool(np.all(np.abs(a - b) <= BORDER_TOLERANCE))

    # bars of one colour on two opposite sides (white sky above and a black floor below are no
    # letterbox); a side of another colour is no part of the border
    bar_y, bar_x = max(2.0, BORDER_MIN_BAR * h), max(2.0, BORDER_MIN_BAR * w)
    if top >= bar_y and bottom >= bar_y and alike(c_top, c_bottom):
        colour = c_top
    elif left >= bar_x and right >= bar_x and alike(c_left, c_right):
        colour = c_left
    else:
        return None
    top, bottom, left, right = (count if alike(ref, colour) else 0 for count, ref in
                                ((top, c_top), (bottom, c_bottom), (left, c_left), (right, c_right)))
    y0, y1, x0, x1 = top, h - bottom, left, w - right
    if y1 - y0 < BORDER_MIN_SIDE or x1 - x0 < BORDER_MIN_SIDE or (y1 - y0) * (x1 - x0) > (1 - BORDER_MIN_SHARE) * h * w:
        return None
    return y0, y1, x0, x1


#: A gutter between the photos of a collage (:func:`collage_tiles`): a run of at least this many
#: uniform lines (:data:`BORDER_TOLERANCE`) across the whole photo, ...
GUTTER_MIN_LINES = 2
#: ... (each of those lines spanning at most this many levels, and as near the gutter's colour: a
#: JPEG's gutter beside noisy photos spans 7-12 levels at quality 75-90) ...
GUTTER_CORE_TOLERANCE = 2 * BORDER_TOLERANCE
#: ... with a photo's edge on each side: the line beside it spans more than this many levels in
#: a channel (a studio wall's uniform band above a head has more wall beside it, not a photo's
#: edge: 7 SFA photos had such bands, none counts), ...
GUTTER_EDGE_SPREAD = 40
#: ... and more than this share of its pixels off the gutter's colour (BORDER_RING_TOLERANCE).
GUTTER_EDGE_SHARE = 0.25
#: ... and every tile at least this share of the photo's width (or height) and BORDER_MIN_SIDE px.
GUTTER_MIN_TILE = 0.1


def _column_gutters(image: np.ndarray) -> list[tuple[int, int]] | None:
    """The (x0, x1) column spans of a photo's tiles between gutters (:data:`GUTTER_MIN_LINES`),
    or None. A look at 8 rows spread over the photo finds the candidate columns, then each is
    checked whole (about 0.1 ms for a photo without a gutter, most of it the border's checks).

    A JPEG rings beside and inside the gutter (columns spanning 6-18 levels): the gutter runs on
    through such columns (:data:`BORDER_RING_TOLERANCE`, at most :data:`BORDER_RING` of them
    on each side), and a photo's edge is looked for up to BORDER_RING columns outward (no JPEG
    collage of 20 at quality 95, 90 or 75 was found when the next column had to be the edge)."""
    h, w = image.shape[:2]
    look = image[np.linspace(0, h - 1, 8).astype(np.intp)]
    look = np.ascontiguousarray(look.transpose(1, 2, 0))  # (w, 3, 8): 10x faster on a transposed photo
    candidates = np.flatnonzero(np.all(look.max(axis=2).astype(np.int16) - look.min(axis=2) <= BORDER_RING_TOLERANCE,
                                       axis=1))
    # a gutter has a tile on each side: runs of candidates reaching the photo's edge are none
    # (a photo of one colour, a plain sky band at the side, read whole for nothing)
    runs = np.split(candidates, np.flatnonzero(np.diff(candidates) != 1) + 1)
    candidates = np.concatenate([r for r in runs if r.size and r[0] > 0 and r[-1] < w - 1] or [candidates[:0]])
    if candidates.size < GUTTER_MIN_LINES:
        return None
    whole = np.ascontiguousarray(image[:, candidates].transpose(1, 2, 0))  # (k, 3, h)
    spread = (whole.max(axis=2).astype(np.int16) - whole.min(axis=2)).max(axis=1)
    soft = candidates[spread <= BORDER_RING_TOLERANCE]
    strict = set(candidates[spread <= GUTTER_CORE_TOLERANCE].tolist())

    def edge(x0: int, x1: int, ref: np.ndarray) -> bool:
        """A photo's edge among columns x0..x1-1: one varies as content does, and most of it
        is off the gutter's colour (a caption's letters on a black band vary, but little of
        the band is off black: a web page's crop split at its caption)."""
        x0, x1 = max(x0, 0), min(x1, w)
        if x1 <= x0:
            return False
        block = np.ascontiguousarray(image[:, x0:x1].transpose(1, 2, 0))  # (k, 3, h)
        varied = (block.max(axis=2).astype(np.int16) - block.min(axis=2)).max(axis=1) > GUTTER_EDGE_SPREAD
        off = np.any(np.abs(block.astype(np.int16) - ref[None, :, None]) > BORDER_RING_TOLERANCE, axis=1)
        return bool(np.any(varied & (off.mean(axis=1) > GUTTER_EDGE_SHARE)))

    cuts: list[int] = [0]
    runs = np.split(soft, np.flatnonzero(np.diff(soft) != 1) + 1) if soft.size else []
    for run in runs:
        core = [int(x) for x in run if int(x) in strict]
        if len(core) < GUTTER_MIN_LINES:
            continue
        first, last = core[0], core[-1]
        # the ringing columns at most BORDER_RING each side of the uniform core
        first, last = max(int(run[0]), first - BORDER_RING), min(int(run[-1]), last + BORDER_RING)
        ref = np.median(image[:, core[len(core) // 2]], axis=0).astype(np.int16)
        if (first > 0 and last < w - 1 and bar_colour(ref) and edge(first - BORDER_RING, first, ref)
                and edge(last + 1, last + 1 + BORDER_RING, ref)
                and np.all(np.abs(image[:, core].astype(np.int16) - ref) <= GUTTER_CORE_TOLERANCE)
                and np.all(np.abs(image[:, first:last + 1].astype(np.int16) - ref) <= BORDER_RING_TOLERANCE)):
            cuts += [first, last + 1]
    if len(cuts) == 1:
        return None
    cuts.append(w)
    tiles = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]
    if any(x1 - x0 < max(BORDER_MIN_SIDE, GUTTER_MIN_TILE * w) for x0, x1 in tiles):
        return None
    return tiles


def collage_tiles(image: np.ndarray) -> list[tuple[int, int, int, int]] | None:
    """The boxes ``(y0, y1, x0, x1)`` of the photos of a collage, side by side between gutters
    (a uniform band across the whole photo with a photo's edge on each side: see
    :data:`GUTTER_MIN_LINES`), or None. Columns first, else rows; a tile split the other way
    is found when the detector scores the tile (:func:`segmix.skin.detect` calls itself on each).

    Why: the detector's photo-wide steps mixed the two photos: of 10 collages of two development
    photos (10-px white gutter) a street photo beside a hand photo or another street photo lost
    all its skin (ccp_0106 F1 0.38 -> 0), an SFA face beside another 0.78 -> 0. One of the 3,036
    development photos has such a gutter (abdomen val 586, a 2 x 2 collage in JPEG).
    """
    image = np.asarray(image)
    if image.ndim != 3 or min(image.shape[:2]) < 2 * BORDER_MIN_SIDE:
        return None
    h, w = image.shape[:2]
    if columns := _column_gutters(image):
        return [(0, h, x0, x1) for x0, x1 in columns]
    if rows := _column_gutters(image.transpose(1, 0, 2)):
        return [(y0, y1, 0, w) for y0, y1 in rows]
    return None


def framed(image: np.ndarray | None, transparent: np.ndarray | None) -> list[tuple[int, int, int, int]] | None:
    """The boxes the detector scores apart, or None (the photo as a whole): the photo inside
    :func:`uniform_border`'s border, or the tiles of a collage (:func:`collage_tiles`) inside it.
    None for a photo with transparent pixels (a cut-out's hidden surround is handled as
    transparent, not as bars)."""
    if image is None or (transparent is not None and np.any(transparent)):
        return None
    box = uniform_border(image)
    y0, y1, x0, x1 = box if box is not None else (0, image.shape[0], 0, image.shape[1])
    tiles = collage_tiles(image[y0:y1, x0:x1])
    if tiles is not None:
        return [(y0 + a, y0 + b, x0 + c, x0 + d) for a, b, c, d in tiles]
    return None if box is None else [box]


def _in_frame(box, array: np.ndarray | None) -> np.ndarray | None:
    return None if array is None else np.ascontiguousarray(array[box[0]:box[1], box[2]:box[3]])


def _framed_back(boxes, insides, shape, fill) -> np.ndarray:
    out = np.full(tuple(shape[:2]) + insides[0].shape[2:], fill, insides[0].dtype)
    for box, inside in zip(boxes, insides):
        out[box[0]:box[1], box[2]:box[3]] = inside
    return out


def unkept_words(likely: np.ndarray, settings: SkinSettings = DEFAULT_SETTINGS, hidden=None,
                 seed_log_odds: np.ndarray | None = None, **decision) -> str:
    """Why no region of the pixels above the threshold was kept, in words (the first of
    :func:`unkept_reason`, which takes ``decision``'s keywords)."""
    return unkept_reason(likely, settings, hidden, seed_log_odds, **decision)[0]


def unkept_reason(likely: np.ndarray, settings: SkinSettings = DEFAULT_SETTINGS, hidden=None,
                  seed_log_odds: np.ndarray | None = None, *, log_odds: np.ndarray | None = None,
                  threshold: float | None = None, image: np.ndarray | None = None) -> tuple[str, bool]:
    """Why no region of the pixels above the threshold was kept: (words, whether the size floor
    did it). The words are "its largest region (1,153 pixels) is smaller than the smallest
    region kept (0.3 % of the photo: 1,356 pixels)" when every 8-connected region is under the
    floor (:func:`region_floor`), else "its regions hold no seed of clear skin or lie along the
    photo's edge as a wall does (the regions' rules)". Skin mode said "no region was kept:
    lower the threshold" alone, and a new user's face of 1,153 pixels was lost at
    P(skin) > 0.48 to the area rule; ``skin apply`` said "no skin found in it" alone (session
    53), and both advised a lower threshold where the floor, not the threshold, dropped the
    skin.

    Parameters
    ----------
    likely : (H, W) bool array
        The pixels with P(skin) above the threshold.
    settings : SkinSettings
        The detector's (``min_area``, ``min_area_of_clear``).
    hidden : (H, W) bool array or None
        The photo's fully transparent pixels.
    seed_log_odds : (H, W) float32 or None
        The detection's seed log odds (:class:`SkinResult`), for the floor's share of the
        largest cluster of clear skin; None: the share of the photo alone.
    log_odds : (H, W) float32 or None
        The detection's log odds, and ``threshold`` the decision's: with both, the rule that
        dropped the pixels is found and said with its figure: no seed (the seed's P(skin) and the
        highest there is), or the graph cut's regions (with ``image``, the photo the detection cut
        on: the cut run again without the size floor). Without them the words name the rules
        together ("its regions hold no seed of clear skin, or ..."): session 56's "P(skin) above
        it (up to 1.00), but ... no seed of clear skin" read as a contradiction, where on
        ccp_0002 the pixels had seeds and the graph cut had left only specks of them.
    """
    from segmix.kernels import skin as kernels

    likely = np.ascontiguousarray(likely, bool)
    largest = int(kernels.largest_region(likely))
    share = float(settings.min_area * visible_count(likely.shape, hidden))
    min_pixels = share if seed_log_odds is None else region_floor(seed_log_odds, settings, hidden)
    if largest and largest < min_pixels:
        of = (f"{100 * settings.min_area:.2g} % of the photo" if min_pixels >= share else
              f"{100 * settings.min_area_of_clear:.2g} % of its largest cluster of clear skin")
        return (f"its largest region ({largest:,} pixels) is smaller than the smallest region kept "
                f"({of}: {int(np.ceil(min_pixels)):,} pixels)", True)
    if log_odds is not None and threshold is not None and 0.0 < float(threshold) < 1.0 and likely.any():
        found = _unkept_rule(likely, settings, hidden, seed_log_odds, log_odds, float(threshold), image, min_pixels)
        if found is not None:
            return found
    return ("its regions hold no seed of clear skin, or lie along the photo's edge as a wall does (the regions' rules)",
            False)


def _unkept_rule(likely, settings, hidden, seed_log_odds, log_odds, threshold, image, min_pixels):
    """:func:`unkept_reason`'s words for the rule that dropped the pixels above ``threshold``, or
    None when it cannot tell (the regions' edge rules)."""
    from dataclasses import replace as replaced

    from segmix.kernels import skin as kernels

    settings = for_photo_size(settings, visible_count(likely.shape, hidden))
    seeds = smoothed_seeds(log_odds if seed_log_odds is None else seed_log_odds, settings)
    level = math.log(threshold / (1.0 - threshold))
    # skin_mask's seed: hysteresis nats above the level, or seed_cap if lower, never below the level
    seed_level = min(level + settings.hysteresis, max(level, settings.seed_cap))
    best = float(seeds[likely].max())
    if not best > np.float32(seed_level):
        def p(value):
            return 1.0 / (1.0 + math.exp(-max(min(value, 50.0), -50.0)))

        return (f"a region is kept only around a seed, a pixel whose P(skin) by the skin colours alone (before this "
                f"photo's own colour shares are weighed in) is above {p(seed_level):.2f}, and no pixel above the "
                f"threshold is one (the highest: {p(best):.2f})", False)
    if settings.regions != "graphcut" or image is None or np.shape(image)[:2] != likely.shape:
        return None
    # The pixels hold seeds: the graph cut that draws the regions (the skin evidence against the
    # cost of their outline) left specks of them, or nothing; run again without the size floor.
    loose = skin_mask(log_odds, threshold, replaced(settings, min_area=0.0, min_area_of_clear=0.0, min_area_pixels=0),
                      seed_log_odds, image, hidden)
    cut = "the graph cut that draws the regions (the skin evidence against the cost of an outline)"
    if loose.any():
        largest = int(kernels.largest_region(np.ascontiguousarray(loose)))
        if largest < min_pixels:
            return (f"{cut} leaves only specks: its largest region ({largest:,} pixels) is smaller than the smallest "
                    f"region kept ({int(np.ceil(min_pixels)):,} pixels)", True)
        return None
    return (f"{cut} leaves no region: the pixels above the threshold lie scattered", False)


def region_floor(seed_log_odds: np.ndarray, settings: SkinSettings = DEFAULT_SETTINGS, hidden=None) -> float:
    """The fewest pixels a kept region holds: ``settings.min_area`` of the visible pixels, or
    ``settings.min_area_of_clear`` times the largest 8-connected cluster of clear skin (seed log
    odds above ``settings.seed_cap``, p 0.88), but at least ``settings.min_area_pixels``, if
    that is fewer and there is clear skin.

    Why: a share of the photo alone grows with what is around the person. Street photos put
    unchanged on a plain grey canvas three times their size, or tiled 3 x 3 or 4 x 4 (a crowd),
    lost all their skin (per-photo F1 0.81 -> 0; with no floor 0.78), and a face in a group
    photo is a small share of it. The largest cluster of clear skin is the scale of the person
    in the photo, whatever surrounds it. It does not depend on the threshold, so the mask stays
    nested as the threshold rises. Chosen on the even development photos (every 6th): street
    photos pooled P / R / F1 0.382 / 0.719 / 0.499 with the photo's share alone, 0.387 / 0.775 /
    0.517 at a quarter, 0.387 / 0.758 / 0.513 at half; hands unchanged (0.890)
    (docs/skin_development.md, session 53).

    Parameters
    ----------
    seed_log_odds : (H, W) float32, the detection's seed log odds
    settings : SkinSettings (``min_area``, ``min_area_of_clear``, ``seed_cap``)
    hidden : (H, W) bool or None, a cut-out's fully transparent pixels

    Returns
    -------
    float, pixels
    """
    floor = float(settings.min_area * visible_count(seed_log_odds.shape, hidden))
    if settings.min_area_of_clear > 0 and floor > 0:
        from segmix.kernels import skin as kernels

        clear = np.ascontiguousarray(seed_log_odds > np.float32(settings.seed_cap))
        if hidden is not None:
            clear &= ~hidden
        largest = int(kernels.largest_region(clear))
        if largest:  # without clear skin there is no person's scale to go by: the photo's share
            # never under min_area_pixels: a speck of clear skin alone would set its own floor
            floor = min(floor, max(float(settings.min_area_pixels), settings.min_area_of_clear * largest))
    return floor


def smoothed_seeds(seed_log_odds: np.ndarray, settings: SkinSettings) -> np.ndarray:
    """The seed log odds a region's seed is looked for in: (H, W) float32, their box mean over
    ``settings.seed_smooth`` pixels (edges repeated) when that exceeds 1, else as given. The
    mean of k x k pixels moves with 1 / k of the pixels' noise; their maximum moves up with it."""
    seeds = np.ascontiguousarray(seed_log_odds, np.float32)
    side = int(settings.seed_smooth)
    if side <= 1:
        return seeds
    from scipy import ndimage

    # floor the very low values (hidden pixels, HIDDEN_LOG_ODDS) so that they do not drag their
    # neighbours' mean down by orders of magnitude
    return np.ascontiguousarray(ndimage.uniform_filter(np.maximum(seeds, np.float32(-50.0)), side, mode="nearest"),
                                np.float32)


def skin_mask(log_odds: np.ndarray, threshold: float = 0.5, settings: SkinSettings = DEFAULT_SETTINGS,
              seed_log_odds: np.ndarray | None = None, image: np.ndarray | None = None,
              transparent: np.ndarray | None = None) -> np.ndarray:
    """The decision from the log odds: p(skin) > threshold, refined by hysteresis (cheap step).

    Regions are the connected pixels whose ``log_odds`` are above the decision level (with
    ``settings.regions == "graphcut"``: the foreground of the graph cut, :func:`_cut_regions`,
    instead of the pixels above the level); a region is kept when one of its pixels has ``seed_log_odds`` (the colour evidence without the
    photo-density term) ``hysteresis`` nats above the level: the photo's colour shares limit
    how far skin extends, not whether a strongly skin-coloured region exists (a face filling
    a third of a portrait keeps its seeds).

    Parameters
    ----------
    log_odds : (H, W) float32 from :func:`skin_log_odds`
    threshold : float in (0, 1), on p(skin | pixel)
    settings : SkinSettings (``spatial``, ``regions``, ``smoothness``, ``hysteresis``, ``min_area``)
    seed_log_odds : (H, W) float32, optional; default ``log_odds``
    image : (H, W, 3) uint8, the photo; needed by ``regions="graphcut"`` (its colour contrasts)
    transparent : (H, W) bool, optional
        A cut-out's fully transparent pixels, as given to :func:`skin_log_odds` (the window's
        threshold moves and ``skin eval``'s sweep give them too, so they decide as
        :func:`segmix.skin.detect` did): never skin, and the cut's outline with them costs
        nothing (:func:`segmix.transparency.outline_free_colours`), whatever colours they hold;
        ``min_area`` is a share of the visible pixels.

    Returns
    -------
    (H, W) bool

    Raises
    ------
    ValueError
        If ``settings.regions`` is "graphcut" and ``image`` is missing or of another size.
    """
    if image is not None and image.shape[:2] == log_odds.shape and (boxes := framed(image, transparent)) is not None:
        # a photo in bars or a margin, or a collage's photos: decided inside them, as
        # segmix.skin.detect decided (the window's threshold moves and skin eval's sweep give
        # the whole photo)
        insides = [skin_mask(_in_frame(box, log_odds), threshold, settings, _in_frame(box, seed_log_odds),
                             _in_frame(box, image), None) for box in boxes]
        return _framed_back(boxes, insides, log_odds.shape, False)
    hidden = None
    if transparent is not None:
        from segmix.transparency import check_transparent, outline_free_colours

        hidden = check_transparent(transparent, log_odds.shape)
        if hidden is not None:
            log_odds, seed_log_odds = hide_log_odds(log_odds, log_odds if seed_log_odds is None else seed_log_odds, hidden)
            if image is not None and image.shape[:2] == log_odds.shape:
                image = outline_free_colours(image, hidden)  # cached: the detection's own array
    if not 0.0 < threshold < 1.0:
        # The ends after the bars and the transparent pixels: threshold 0 is every pixel the
        # detector scores, as the thresholds just above it give (np.ones before them marked a
        # cut-out's transparent strip skin, 100 % of alpha.png for its visible 88 %, and a
        # photo's bars where the window's slider and skin eval's sweep decide).
        if threshold >= 1.0:
            return np.zeros(log_odds.shape, bool)
        return np.ones(log_odds.shape, bool) if hidden is None else ~hidden
    # a tiny photo (or cut-out): the pixels above the level
    settings = for_photo_size(settings, visible_count(log_odds.shape, hidden))
    level = np.float32(math.log(threshold / (1.0 - threshold)))
    above = log_odds > level
    if not settings.spatial or not above.any():
        return above
    from segmix.kernels import skin as kernels

    seeds = smoothed_seeds(log_odds if seed_log_odds is None else seed_log_odds, settings)
    above = np.ascontiguousarray(above)
    # a seed: hysteresis nats above the level, or seed_cap if lower, never below the level (so a
    # high threshold still keeps its clear skin, and a higher threshold never adds skin)
    seed_level = np.float32(min(level + settings.hysteresis, max(level, settings.seed_cap)))
    # a share of the pixels shown: of a cut-out's visible ones (a hand of a person cut out on a
    # wide canvas is as large a share of what is shown as in the photo it was cut from)
    min_pixels = region_floor(seeds, settings, hidden)
    # 8-connected regions of ``above`` (or of the cut's foreground) with a seed and at least
    # min_area of the photo (what scipy.ndimage.label and a bincount of its labels give), in
    # one fused kernel
    if settings.regions == "graphcut":
        if image is None or image.shape[:2] != log_odds.shape:
            raise ValueError("the graph-cut skin regions need the photo (same size as the log odds)")
        cut_level = np.float32(min(level, settings.cut_level_cap))
        if cut_level < level:
            # Above the cap the cut runs at the cap and the pixels above the level are kept
            # inside its regions: at its own level the cut dropped a whole region at once once
            # the region's margin over the level no longer paid for its outline (a hand photo
            # 5.6 % skin at 0.88, 0.02 % at 0.89, while 8.6 % of its pixels had p > 0.89)
            at_cap = log_odds > cut_level
            code, side = _cut_regions(log_odds, cut_level, at_cap, image, settings)
            # Inside the cut's regions, the pixels above the level, or whose neighbourhood's mean
            # log odds is: the cut at the cap fills a noisy face's pixels below its level, and with
            # the pixels alone a portrait's face fell from 100 % at the cap to 67 % just above it.
            # On blocks the neighbourhood is the block (a foreground block stays whole while its
            # mean is above the level, else its pixels decide; a per-pixel block's pixels above the
            # level are above the cap too); at full resolution a square of 5 pixels.
            if side > 1:
                sums, _ = kernels.block_unary(np.ascontiguousarray(log_odds, np.float32), level, side)
                code = np.where((code == 1) & (sums <= 0), np.uint8(2), code)
            else:
                from scipy import ndimage

                local = ndimage.uniform_filter(log_odds, 5, mode="nearest")
                above = np.ascontiguousarray(code.view(bool) & (above | (local > level)))
                code = np.full((1, 1), 2, np.uint8)
                side = max(log_odds.shape)
        else:
            code, side = _cut_regions(log_odds, level, above, image, settings)
        regions = kernels.seeded_block_regions(code, side, above, seeds, seed_level, min_pixels)
    else:
        regions = kernels.seeded_regions(above, seeds, seed_level, min_pixels)
    if settings.boundary_prior:
        from segmix import skin_boundary

        if settings.boundary_uniform > 0 and (image is None or image.shape[:2] != log_odds.shape):
            raise ValueError("boundary_uniform needs the photo (same size as the log odds)")

        # a cut-out's edges are its visible pixels' bounding box's (as in the second pass)
        box = (slice(None), slice(None)) if hidden is None else _visible_box(hidden)
        kept = skin_boundary.background_regions_removed(regions[box], settings.boundary_top_contact,
                                                        settings.boundary_max_share, settings.boundary_ratio,
                                                        None if image is None else image[box],
                                                        settings.boundary_uniform,
                                                        settings.boundary_uniform_diagonal,
                                                        settings.boundary_split,
                                                        settings.boundary_split_diagonal)
        regions = kept if hidden is None else _placed(kept, box, regions.shape)
    return regions


def cut_block_side(shape, cut_diagonal: float) -> int:
    """Block side (pixels) of the graph-cut regions for a photo of ``shape`` (H, W, ...):
    ``round(diagonal / cut_diagonal)``, at least 1 (1 also for ``cut_diagonal`` 0). At the
    default 200 px: 1 up to a diagonal of 299 px, 5 for a 1000-px photo, 11 at 1080p, 25 at
    12 MP (4000 x 3000), so the cut has about 20 thousand blocks (4:3 photos) at any size over
    300 px."""
    if cut_diagonal <= 0:
        return 1
    return max(1, int(round(math.hypot(shape[0], shape[1]) / cut_diagonal)))


def cut_smoothness(shape, smoothness: float) -> float:
    """The graph-cut regions' Potts weight for a photo of ``shape`` (H, W, ...): ``smoothness``
    on a photo of :data:`SMALL_PHOTO_DIAGONAL` px diagonal or more, and in proportion to the
    diagonal below it.

    A region's unary grows with its area and its boundary cost with its outline, so the same
    hand drawn smaller pays more boundary for its evidence: ``smoothness`` was chosen on photos
    of 321-1030 px diagonal, and on thumbnails the cut removed the skin whole (hgr1 hands
    downscaled to 16 x 12: 24 of 30 masks empty, pooled F1 0.340; with hysteresis regions
    0.814). Scaled by the diagonal, the cut keeps the balance it was tuned at, as
    :func:`segmix.clicks.photo_scale` keeps the segmentation's above a DAVIS frame. Of the
    3,036 photos of the development sets one is smaller (hgr1's 174 x 131): its mask gains one
    pixel (F1 0.9277 -> 0.9276); the rest are 320 px across or more, and unchanged.

    Measured on photos downscaled to a longest side of 16, 32, 64 and 128 px, pooled F1 before
    -> after: 30 hgr1 hands (even positions, where the rule was chosen) 0.340 -> 0.820, 0.777
    -> 0.843, 0.860 -> 0.877, and 0.912 at 128 px; checked on 30 SFA faces and 30 ccp street
    photos (odd positions): SFA 0.365 -> 0.637, 0.555 -> 0.672, 0.657 -> 0.678, 0.791 -> 0.819;
    ccp 0.000 -> 0.121, 0.045 -> 0.166, 0.125 -> 0.252, 0.282 -> 0.297. A diagonal of 300 px
    gave the same on hgr1 and 0.005-0.035 more on the check sets, but kept 3.3 % of a synthetic
    photo without skin (orange blotches on blue-grey, 200 x 160: under 2 % before and at 250).
    """
    diagonal = math.hypot(int(shape[0]), int(shape[1]))
    return float(smoothness) * min(1.0, diagonal / SMALL_PHOTO_DIAGONAL)


#: :func:`cut_smoothness`'s diagonal (px): the graph cut's weight is scaled down below it.
SMALL_PHOTO_DIAGONAL = 250.0


#: Each thread's last block graph (graphcut.BlockGraph) with its key: the two cuts of a photo
#: (the second pass's first decision, then the final one) and a window's threshold moves
#: share one graph. A cut gives the same mask with a kept graph or a new one.
_BLOCK_GRAPHS = threading.local()


@contextmanager
def _same_photo(image: np.ndarray):
    """Inside, the cuts of this very array (``is``) reuse the block graph built inside the same
    context without checking the photo's bytes: :func:`detect` (and :func:`segmix.skin.detect`,
    ``skin eval``'s threshold sweep) run no other code on the photo between their cuts, so it
    cannot change in between. A graph built elsewhere, or in an earlier context (the caller
    may have changed the array since), is reused only when the photo's CRC-32 matches (a
    window's threshold moves). The check cost about 1 ms per cut on a 0.4-megapixel photo, a
    twentieth of the graph-cut regions. A context inside one for the same array changes
    nothing."""
    before = getattr(_BLOCK_GRAPHS, "pinned", None)
    if before is not None and before[0] is image:
        yield
        return
    _BLOCK_GRAPHS.pinned = (image, object())
    try:
        yield
    finally:
        _BLOCK_GRAPHS.pinned = before


def _block_graph(image: np.ndarray, side: int, settings: SkinSettings):
    from segmix import graphcut

    image = np.ascontiguousarray(image)
    params = (image.shape, side, float(settings.smoothness), int(settings.cut_connectivity))
    kept = getattr(_BLOCK_GRAPHS, "entry", None)  # (params, crc32 or None, photo, graph, context)
    pinned = getattr(_BLOCK_GRAPHS, "pinned", None)
    if pinned is not None and pinned[0] is image:
        if kept is not None and kept[4] is pinned[1] and kept[2] is image and kept[0] == params:
            return kept[3]
        crc, context = None, pinned[1]  # reused outside this context only after a rebuild
    else:
        crc, context = zlib.crc32(memoryview(image).cast("B")), None
        if kept is not None and kept[1] == crc and kept[0] == params:
            return kept[3]
    graph = graphcut.BlockGraph(image, side, settings.smoothness, settings.cut_connectivity)
    _BLOCK_GRAPHS.entry = (params, crc, image, graph, context)
    return graph


def _cut_regions(log_odds: np.ndarray, level: np.float32, above: np.ndarray, image: np.ndarray,
                 settings: SkinSettings) -> tuple[np.ndarray, int]:
    """The graph cut of :func:`skin_mask` on the unary ``log_odds - level``, before the seed
    and area rules, as (code, side): (Hc, Wc) uint8 per block of ``side`` x ``side`` pixels, 0
    background, 1 foreground, 2 the pixel's own decision ``above`` (log_odds > level); at
    full resolution (side 1) the cut's foreground as 0 / 1 per pixel
    (:func:`segmix.kernels.skin.seeded_block_regions` reads either)."""
    from segmix import graphcut

    side = cut_block_side(log_odds.shape, settings.cut_diagonal)
    if side == 1:
        cut = graphcut.cut_image(log_odds - level, image, gamma=cut_smoothness(log_odds.shape, settings.smoothness),
                                 connectivity=settings.cut_connectivity)
        return np.ascontiguousarray(cut).view(np.uint8), 1
    from segmix.kernels import skin as kernels

    log_odds = np.ascontiguousarray(log_odds, np.float32)
    # the blocks' unaries (the sums of log_odds - level) and which blocks hold a pixel above
    # the level, in one pass
    sums, block_above = kernels.block_unary(log_odds, level, side)
    blocks = _block_graph(image, side, settings).cut_sums(sums)
    # The blocks on either side of the block boundary take the per-pixel decision: the
    # blocks say which regions exist, the pixels where their edges run. So do chains of
    # background blocks holding pixels above the level that run like a thin structure (a
    # finger narrower than a block, whose blocks' sums are negative): the test of the
    # banded cut (graphcut._thin_chains, issue 11), and such blocks next to the others (the
    # pieces of a thin structure between blocks the cut kept); compact patches and specks
    # away from the kept blocks stay removed. One code per block (kernels.block_codes): 0
    # background, 1 foreground, 2 decided per pixel.
    return kernels.block_codes(blocks, block_above, graphcut.THIN_MIN_BLOCKS, float(graphcut.THIN_MAX_THICKNESS)), side


def detect(model, image: np.ndarray, settings: SkinSettings = DEFAULT_SETTINGS, threshold: float | None = None,
           face_boxes: np.ndarray | None = None, transparent: np.ndarray | None = None) -> SkinResult:
    """Both steps: :func:`skin_log_odds` then :func:`skin_mask` at ``threshold`` (default: the
    model's). ``image``: (H, W, 3) uint8, RGB order (an OpenCV BGR array: cv2.cvtColor(a, cv2.COLOR_BGR2RGB)); a BGR array scores other
    colours (an empty skin mask, without a word). ``face_boxes`` and ``transparent``: as in
    :func:`skin_log_odds`."""
    model, threshold, settings = check_skin_model(model), check_threshold(threshold), check_settings(settings)
    image = check_image(image)
    from segmix.transparency import outline_free_colours

    hidden = _hidden_pixels(transparent, image)
    with _same_photo(outline_free_colours(image, hidden)):
        log_odds, seeds = skin_log_odds(model, image, settings, with_seeds=True, face_boxes=face_boxes,
                                        transparent=hidden)
        t = model.threshold if threshold is None else threshold
        mask = skin_mask(log_odds, t, settings, seeds, image, hidden)
    return SkinResult(posterior_from_log_odds(log_odds), log_odds, mask, seeds)


#: The command line's option names that are not fields of :class:`SkinSettings`, and what
#: gives the same in the library: ``with_options(DEFAULT_SETTINGS, exposure=100)`` failed as
#: "SkinSettings.__init__() got an unexpected keyword argument 'exposure'" (a trial).
_OPTION_FIELDS = {
    "exposure": "the command line's --exposure LEVEL is exposure_target=LEVEL here",
    "plain": "the command line's --plain is spatial=False here (with adapt=False, photo_density=0, texture=0 and "
             "exposure_target=0 it is the plain per-pixel rule of --plain --no-adapt)",
    "prior": "the prior is skin_share=P here (the command line's --skin-share P)",
    "threshold": "the threshold is not a setting: detect(model, image, settings, threshold=T)",
    "model": "the model is not a setting: detect(model, image, settings), model = segmix.skin.load_skin_model(path)",
}


def with_options(settings: SkinSettings, **changes) -> SkinSettings:
    """A copy of ``settings`` with the given fields replaced (None values ignored).

    Raises
    ------
    TypeError
        A name that is no field of :class:`SkinSettings`, with the field that gives the
        command-line option of that name (``exposure``: ``exposure_target``; ``plain``:
        ``spatial=False``) or the fields of a similar name.
    """
    known = {f.name for f in fields(SkinSettings)}
    for name in changes:
        if name not in known:
            import difflib

            hint = _OPTION_FIELDS.get(name.replace("-", "_").lstrip("_"))
            if hint is None:
                close = difflib.get_close_matches(name.replace("-", "_"), sorted(known), n=3, cutoff=0.6)
                hint = (f"did you mean {' or '.join(close)}?" if close else
                        "the fields are those of segmix.skin_detect.SkinSettings")
            raise TypeError(f"with_options: {name!r} is no skin detector setting; {hint}")
    return replace(settings, **{k: v for k, v in changes.items() if v is not None})
