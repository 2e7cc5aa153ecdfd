"""Command-line fixes from new-user trials: bounded weights, -k everywhere.

Weights of the models' energies are bounded: a huge value is refused by name instead of
overflowing float32 arithmetic into NaN decisions (``--distance-prior 1e300`` printed NumPy's
overflow warnings and wrote a mask; ``--position-weight 1e300`` gave EM's reg_covar advice)."""

import numpy as np
import pytest
from PIL import Image

from segmix import cli
from segmix.features import MAX_WEIGHT, FeatureSpace
from segmix.segment import SegmentationSettings
from segmix.skin_detect import SkinSettings

SEGMENT_WEIGHTS = ("smoothness", "distance_prior", "unlabelled_weight", "distance_colour_weight",
                   "star_colour_weight")


def test_cli_and_library_share_the_bound():
    assert cli.MAX_WEIGHT == MAX_WEIGHT


@pytest.mark.parametrize("name", SEGMENT_WEIGHTS)
def test_segmentation_weights_bounded_by_name(name):
    SegmentationSettings(**{name: MAX_WEIGHT}).validate()
    for bad in (MAX_WEIGHT * 2, 1e300, -1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match=name):
            SegmentationSettings(**{name: bad}).validate()


def test_position_weight_and_texture_bounded():
    FeatureSpace("lab", MAX_WEIGHT)
    with pytest.raises(ValueError, match="position_weight"):
        FeatureSpace("lab", 1e300)
    SkinSettings(texture=MAX_WEIGHT)
    with pytest.raises(ValueError, match="texture"):
        SkinSettings(texture=1e300)


@pytest.fixture
def photo_and_scribbles(tmp_path):
    rng = np.random.default_rng(0)
    image = np.zeros((40, 60, 3), np.uint8)
    image[:] = (40, 70, 180)
    image[10:30, 15:40] = (230, 140, 30)
    image = np.clip(image + rng.integers(-8, 9, image.shape), 0, 255).astype(np.uint8)
    labels = np.zeros((40, 60), np.uint8)
    labels[18:22, 20:35] = 1
    labels[2, :] = 2
    Image.fromarray(image).save(tmp_path / "p.png")
    Image.fromarray(labels).save(tmp_path / "s.png")
    return tmp_path


@pytest.mark.parametrize("argv", [
    ["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--distance-prior", "1e300"],
    ["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--position-weight", "2e6"],
    ["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "--smoothness", "1e39"],
    ["skin", "apply", "p.png", "--output-dir", "out", "--texture", "1e300"],
])
def test_cli_refuses_huge_weights_in_one_line(photo_and_scribbles, monkeypatch, capsys, argv):
    monkeypatch.chdir(photo_and_scribbles)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    option = next(a for a in argv if a.startswith("--") and a not in ("--scribbles", "--output-dir"))
    assert len(err.splitlines()) == 1 and option in err and "1e+06" in err
    assert not (photo_and_scribbles / "m.png").exists() and not (photo_and_scribbles / "out").exists()


@pytest.mark.parametrize("argv", [["skin", "train", "--images", "i", "--masks", "m", "-o", "x.json"],
                                  ["background", "frames", "--output-dir", "out"]])
def test_components_take_the_short_k_like_segment(argv):
    """``-k`` is segment's short form of --components; skin train and background take it too
    (a new user's ``skin train -k 3`` was refused as an unknown option)."""
    args = cli.build_parser().parse_args(argv + ["-k", "3"])
    assert args.components == 3


@pytest.mark.parametrize("argv, option", [
    (["segment", "p.png", "--scribbles", "s.png", "-o", "m.png", "-k", "100000"], "-k/--components"),
    (["skin", "train", "--images", "i", "--masks", "m", "-o", "x.json", "-k", "99999999"], "-k/--components"),
    (["skin", "train", "--images", "i", "--masks", "m", "-o", "x.json", "--non-skin-components", "1000"],
     "--non-skin-components"),
    (["background", "frames", "--output-dir", "out", "-k", "100000"], "-k/--components"),
])
def test_component_counts_bounded_when_parsed(photo_and_scribbles, monkeypatch, capsys, argv, option):
    """A component count far beyond any data ran EM for minutes with no message (skin train
    -k 99999999); background named its internal n_components. Refused by the option's name."""
    monkeypatch.chdir(photo_and_scribbles)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and option in err
    largest = "16" if argv[0] == "background" else str(cli.MAX_COMPONENTS)
    args = cli.build_parser().parse_args(argv[:-1] + [largest])  # the bound itself is accepted
    assert int(largest) in (args.components, getattr(args, "non_skin_components", None))
