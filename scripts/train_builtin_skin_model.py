"""Train the built-in skin model (resources/skin_model.json) from the UCI data only.

    python scripts/train_builtin_skin_model.py [--uci PATH] [-o resources/skin_model.json]
    python scripts/train_builtin_skin_model.py --dev-table   # re-run the development grid

Data: Bhatt & Dhall, "Skin Segmentation", UCI Machine Learning Repository (CC BY 4.0),
245,057 rows B G R label (50,859 skin). Only these data may train the shipped model. The
result is reproducible: fixed seed, deterministic k-means initialisation and EM.

How the settings were chosen (development evaluation, no training on these sets): every
candidate was trained on UCI and scored on skin/sfa/val (111 face photos) and
skin/abdomen/val (121 abdomen photos) by pooled pixel F1 (mask 128 ignored). Because the
best operating point of a UCI model is far from the Bayes rule with the data prior, the
table scores each model at the threshold on the log-likelihood ratio
r = log p(x|skin) - log p(x|non-skin) that maximises the *mean* of the two sets' F1 (one
threshold for both sets, so it is not tuned to either); "best" is each set's own optimum.
reg_covar 1e-4 and n_init 2 unless stated; K = skin / non-skin components.

    colour  cov   K      sfa best (r)     abd best (r)    common r  sfa F1  abd F1  mean   AUC sfa/abd
    ycbcr   full  1/1    0.885 (-6.5)     0.925 (-5.0)    -6.30     0.885   0.921   0.903  .972/.956
    ycbcr   full  2/2    0.870 (-2.9)     0.903 (-3.8)    -3.00     0.870   0.901   0.886  .948/.933
    ycbcr   full  4/4    0.885 (-4.5)     0.907 (-5.1)    -4.45     0.885   0.906   0.896  .963/.937
    ycbcr   full  8/8    0.869 (-9.0)     0.915 (-6.8)    -7.80     0.868   0.913   0.891  .965/.948
    ycbcr   full  1/4    0.887 (-3.8)     0.922 (-2.6)    -3.65     0.886   0.921   0.904  .975/.955  <- chosen
    ycbcr   full  1/8    0.879 (-3.8)     0.922 (-3.3)    -3.80     0.879   0.921   0.900  .977/.956
    ycbcr   full  2/8    0.869 (-3.8)     0.913 (-5.2)    -4.05     0.868   0.911   0.889  .968/.943
    ycbcr   full  1/16   0.887 (-4.5)     0.926 (-3.6)    -4.20     0.887   0.924   0.905  .976/.957
    ycbcr   full  1/8 reg 1e-3            0.856 / 0.916   -0.40     0.855   0.913   0.884  .957/.948
    ycbcr   full  4/8 reg 1e-3            0.868 / 0.915   +0.65     0.868   0.915   0.891  .958/.947
    ycbcr   full  4/4 + broad non-skin component (weight 0.01 / 0.1): identical to 4/4 (0.896 / 0.895)
    lab     full  1/1    0.847 (-5.7)     0.915 (-4.0)    -5.70     0.847   0.909   0.878  .904/.943
    lab     full  2/2    0.821 (-1.5)     0.875 (-1.2)    -1.30     0.820   0.874   0.847  .885/.914
    lab     full  4/4    0.883 (-5.6)     0.903 (-3.9)    -5.00     0.881   0.898   0.889  .958/.934
    lab     full  8/8    0.868 (-6.4)     0.913 (-4.8)    -6.20     0.868   0.910   0.889  .972/.947
    rgb     full  1/1    0.885 (-7.3)     0.924 (-5.8)    -7.00     0.884   0.922   0.903  .974/.955
    rgb     full  2/2    0.863 (-4.3)     0.898 (-4.9)    -4.45     0.863   0.898   0.881  .944/.929
    rgb     full  4/4    0.869 (-8.5)     0.906 (-7.2)    -7.95     0.868   0.905   0.886  .918/.930
    rgb     full  8/8    0.872 (-9.4)     0.920 (-9.4)    -9.40     0.872   0.920   0.896  .973/.953
    hsv     full  1/1    0.807 (-5.8)     0.911 (-6.0)    -5.75     0.807   0.911   0.859  .867/.931
    hsv     full  2/2    0.830 (-5.6)     0.911 (-6.4)    -5.60     0.830   0.910   0.870  .904/.940
    hsv     full  4/4    0.868 (-5.6)     0.918 (-4.8)    -5.50     0.867   0.918   0.892  .928/.946
    hsv     full  8/8    0.802 (-6.1)     0.908 (-6.0)    -6.10     0.802   0.908   0.855  .853/.931
    (diag covariances: lab 2/2 0.894 and 8/8 0.890 at p-threshold 0.01 in a first coarse run;
    rgb diag up to 0.851; not better than full.)

Update (issue 9, every skin tone): UCI's skin colours do not reach the ends of the Monk Skin
Tone scale (0 % of MST-9/10 and 4-28 % of MST-1..4 detected). A first fix (one EM fit of 3 skin
Gaussians on UCI plus exposure/chroma-scaled copies) widened the whole skin class and cost
precision everywhere. The shipped model (segmix.skin.train_builtin_model) keeps UCI's own skin
cluster sharp -- 2 skin Gaussians fitted on UCI alone, 8 non-skin Gaussians -- and adds paler
and darker tones built from UCI's skin colours re-exposed in linear light with their chroma
scaled towards grey: for paler skin one Gaussian per step of a *tone ladder*
(segmix.skin.TONE_LADDER, 4 brighter steps, 0.03 each); for darker skin a *dark tone curve*
(segmix.skin.tone_curve_components: the re-exposed colours cut into luma bands 0.05 wide below
Y 0.3, one Gaussian of their weighted moments per band, 0.05 in all), which replaced 4 dark
ladder steps (0.03 each) whose Gaussians had standard deviations of 12-23 levels of Y. Prior
0.10 (expected skin share), threshold 0.04 (log-likelihood ratio -1); see README for the
development measurements (even-indexed photos) and the held-out figures (odd-indexed photos).

Choice (before the tone augmentation): YCbCr (chroma separated from luma), full covariance, one skin Gaussian and four
non-skin Gaussians: the best mean F1 within noise of the 1/16 model at a quarter of the
cost, the highest or near-highest AUC on both sets, and -- the property that matters for
photos from other sources -- the two sets' own optimal thresholds are the closest of all
candidates (-3.8 and -2.6), so one threshold serves both. More skin components fit UCI's
narrow face colours more tightly and move the optimal thresholds apart. The operating
point is stored as a prior with threshold 0.5, so p(skin | x) = 0.5 is the decision
boundary and probability maps are readable. The sets' common optimum r = -3.65 is not what
ships: both sets are skin-heavy (28 % and 61 % of pixels) and the F1-optimal threshold rises
as skin gets rarer (re-weighted to 20 % / 15 % skin: -1.75 / -1.40), so the built-in model
uses r = -2.0, prior 0.8808 (see segmix.skin.BUILTIN_PRIOR for the figures).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from segmix import skin  # noqa: E402
from segmix.modelfile import write_model  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "skin"


def build(uci_path: Path, output: Path) -> None:
    t0 = time.perf_counter()
    model = skin.train_builtin_model(skin.load_uci(uci_path), seed=0)
    model.training["data"]["sources"][0]["citation"] = (
        'Bhatt & Dhall, "Skin Segmentation", UCI Machine Learning Repository, CC BY 4.0')
    model.training["operating_point"] = (
        "prior 0.10 = expected share of skin pixels in an everyday photo; threshold 0.04 on p(skin|x), i.e. "
        "log-likelihood ratio -1, grown from seeds 5 nats higher; see README")
    write_model(output, model)
    print(f"wrote {output} in {time.perf_counter() - t0:.1f} s")


def dev_table(uci_path: Path) -> None:
    """Re-run a small part of the development grid (needs ../shared/data)."""
    import numpy as np

    uci = skin.load_uci(uci_path)
    sets = {name: skin.count_image_folder(DATA / name / "val" / "images", DATA / name / "val" / "masks")
            for name in ("sfa", "abdomen")}
    grid = np.linspace(-10, 10, 401)
    for space in ("ycbcr", "lab", "rgb", "hsv"):
        for ks, kn in ((1, 1), (1, 4), (4, 4), (8, 8)):
            model = skin.train_skin_model(uci, n_components=ks, non_skin_components=kn, color_space=space, n_init=2)
            f1s = []
            for counts in sets.values():
                ll = model.classifier.class_log_likelihood(model.features.colors_to_features(counts.colors()))
                r = ll[:, 0] - ll[:, 1]
                tp = np.array([counts.skin[r > t].sum() for t in grid])
                fp = np.array([counts.non_skin[r > t].sum() for t in grid])
                f1s.append(2 * tp / (2 * tp + fp + counts.n_skin - tp))
            mean = (f1s[0] + f1s[1]) / 2
            j = int(mean.argmax())
            print(f"{space:6s} full {ks}/{kn}: common r {grid[j]:+.2f} sfa {f1s[0][j]:.3f} "
                  f"abdomen {f1s[1][j]:.3f} mean {mean[j]:.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uci", type=Path, default=DATA / "uci" / "Skin_NonSkin.txt")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "resources" / skin.BUILTIN_MODEL_NAME)
    parser.add_argument("--dev-table", action="store_true", help="re-run the development grid instead")
    args = parser.parse_args()
    if args.dev_table:
        dev_table(args.uci)
    else:
        build(args.uci, args.output)


if __name__ == "__main__":
    main()
