"""A loosely drawn mask still follows its photo (segmix.mask_edges, session 56).

`skin eval` named 12 of hgr1 subject id07's 86 masks as perhaps paired with the wrong photos: each
is drawn a few pixels outside a soft-edged hand (edge contrast 0.89-1.47 against the subject's
median 5.87), and each follows the hand's edge within 2 pixels (3.4-4.0).
"""

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from segmix.mask_edges import PAIR_BELOW, edge_contrast, misaligned_pairs_words

HGR1 = Path(__file__).resolve().parents[2] / "shared" / "data" / "skin" / "hgr1"


def _photo():
    """A soft-edged disc on a smooth wall with a few dark seams, and its mask (160 x 200)."""
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[:160, :200]
    disc = (yy - 80) ** 2 + (xx - 90) ** 2 <= 45 ** 2
    seams = ((yy % 53 == 0) | (xx % 67 == 0))[..., None]
    wall = np.array([120, 110, 100]) + rng.normal(0, 2, (160, 200, 3)) - 60 * seams
    soft = ndimage.gaussian_filter(disc.astype(float), 1.0)[..., None]
    photo = np.clip(soft * np.array([200, 150, 120]) + (1 - soft) * wall, 0, 255).astype(np.uint8)
    return photo, disc, yy, xx


def test_a_mask_drawn_4_pixels_loose_is_not_named_a_wrong_pair():
    photo, disc, yy, xx = _photo()
    loose = ndimage.binary_dilation(disc, iterations=4)
    # before: 1.06, under PAIR_BELOW and a third of a folder of masks drawn on their photos
    assert edge_contrast(photo, loose.astype(int)) >= PAIR_BELOW
    assert edge_contrast(photo, disc.astype(int)) > 4
    # another photo's mask does not follow this photo, loosely or not
    other = (yy - 60) ** 2 + (xx - 140) ** 2 <= 30 ** 2
    assert edge_contrast(photo, other.astype(int)) < 1.0
    names = [f"m{i:02d}.png" for i in range(8)]
    contrasts = [edge_contrast(photo, disc.astype(int))] * 6 + [edge_contrast(photo, loose.astype(int)),
                                                                 edge_contrast(photo, other.astype(int))]
    words = misaligned_pairs_words(contrasts, names)
    assert words is not None and words.startswith("1 of 8 masks does not follow") and "m07.png" in words, words
    assert "m06.png" not in words


@pytest.mark.skipif(not HGR1.is_dir(), reason="../shared/data is absent")
def test_hgr1_subject_id07_s_loose_masks_are_not_named():
    from segmix.skin import image_mask_pairs, read_pair_info

    pairs, _ = image_mask_pairs(HGR1 / "images", HGR1 / "masks")
    pairs = [p for p in pairs if "id07" in str(p[0])]
    assert len(pairs) >= 80
    contrasts = []
    for p in pairs:
        info, labels = read_pair_info(p)
        contrasts.append(edge_contrast(info.pixels, labels))
    # before: "12 of 86 masks do not follow their photos' edges as the folder's others do"
    assert misaligned_pairs_words(contrasts, [str(p[1]) for p in pairs]) is None
    # the same masks paired with their neighbours' photos of the same size are still named
    shifted = []
    for k, p in enumerate(pairs[:10]):
        info, labels = read_pair_info(p)
        for q in pairs[k + 1:] + pairs[:k]:
            other_info, other_labels = read_pair_info(q)
            if other_labels.shape == labels.shape:
                shifted.append(edge_contrast(info.pixels, other_labels))
                break
    names = [f"p{i}" for i in range(len(contrasts))]
    words = misaligned_pairs_words(contrasts[10:] + shifted, names)
    assert words is not None
    named = int(words.split(" of ")[0])
    print(words)
    assert named >= 3, words


def test_a_partner_whose_own_mask_follows_its_photo_is_not_named():
    """A re-check: a mask shifted 40 px followed a near-duplicate photo's edges (3.22), and that
    photo's own right mask (5.82, the folder's median 5.80) was named as swapped with it."""
    names = [f"m{i:02d}" for i in range(20)]
    contrasts = [5.8] * 18 + [1.38, 5.82]

    def partner(i, others):
        return [3.22 if (i, j) == (18, 19) else 1.1 for j in others]

    words = misaligned_pairs_words(contrasts, names, partner=partner)
    assert words.startswith("1 of 20 masks does not follow"), words
    assert "m19" not in words
    # a real swap (the partner low too, session 53's 1.2 / 1.9) still names both
    swapped = [6.0] * 18 + [1.2, 1.9]
    words = misaligned_pairs_words(swapped, names, partner=lambda i, others: [6.1 if (i, j) == (18, 19) else 1.1 for j in others])
    assert words.startswith("2 of 20 masks do not follow"), words
