"""Session 51's skin faults (a researcher's command-line trial):

1. skin apply's float TIFF probability maps (and segment's TIFF maps and cut-outs) are segmix's
   own outputs, by their mark, as the PNG ones are: not photos of a later run.
2. A rerun warns of an earlier run's maps of the other format that it leaves (PNG / TIFF).
3. The best threshold printed gives back the F1 printed.
4. skin eval on nested folders gives advice that works.
5. Masks without a photo: segmix's own outputs counted apart, once.
"""

import numpy as np
from PIL import Image

from tests.test_skin48 import folder, scene


# -- 1. TIFF outputs carry a mark every reader of marks knows ---------------------------------
def test_a_rerun_into_the_photos_folder_takes_its_tiff_maps_for_its_own(tmp_path, capsys):
    # the rerun exited 2: "a_skin_prob.tif: the probability map of a.png would replace an input
    # of this run", though the TIFF's Software tag reads "segmix skin apply"
    from segmix.cli import main

    images, _ = folder(tmp_path, {"a": scene(1), "b": scene(2)})
    run = ["skin", "apply", str(images), "--output-dir", str(images), "--probability-format", "tif"]
    assert main(run) == 0
    assert (images / "a_skin_prob.tif").is_file()
    capsys.readouterr()
    assert main(run) == 0
    err = capsys.readouterr().err
    assert "would replace an input" not in err
    # another output folder: the maps are no (greyscale) photos, and are said as left out
    out = tmp_path / "out"
    assert main(["skin", "apply", str(images), "--output-dir", str(out)]) == 0
    err = capsys.readouterr().err
    assert "greyscale" not in err and not list(out.glob("*_prob_skin.png"))
    assert sorted(p.name for p in out.iterdir()) == ["a_skin.png", "b_skin.png"]
    assert "outputs of an earlier skin apply" in err


def test_skin_eval_does_not_count_tiff_maps_as_photos_without_masks(tmp_path, capsys):
    from segmix.cli import main

    images, masks = folder(tmp_path, {"a": scene(1), "b": scene(2)})
    assert main(["skin", "apply", str(images), "--output-dir", str(images), "--probability-format", "tif",
                 "--quiet"]) == 0
    capsys.readouterr()
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 0
    captured = capsys.readouterr()
    assert "have no mask" not in captured.err and "has no mask" not in captured.err
    assert "images 2" in captured.out or "2 images" in captured.out or "2 photos" in captured.out


def test_every_reader_of_marks_knows_segmix_tiff_outputs(tmp_path):
    from segmix import skin
    from segmix.cli import main

    image, _ = scene(1)
    Image.fromarray(image).save(tmp_path / "p.png")
    assert main(["segment", str(tmp_path / "p.png"), "--click", "40,30", "-o", str(tmp_path / "m.png"),
                 "--probability", str(tmp_path / "p_prob.tif"), "--cutout", str(tmp_path / "p_cut.tif"),
                 "--quiet"]) in (0, 1)
    assert main(["skin", "apply", str(tmp_path / "p.png"), "--output-dir", str(tmp_path), "--probability-format",
                 "tif", "--quiet"]) == 0
    own = tmp_path / "p_skin_prob.tif"
    assert skin.written_by_apply(own) and skin._segmix_output(own)
    for other in ("p_prob.tif", "p_cut.tif"):
        assert skin.other_result(tmp_path / other) and skin._segmix_output(tmp_path / other)
        assert not skin.written_by_apply(tmp_path / other)
    files, _ = skin.plan_batch([tmp_path], tmp_path / "o")
    assert [f.name for f in files] == ["p.png"]
    note = skin.ignored_in_folders([tmp_path], tmp_path / "o")
    # m.png, p_prob.tif, p_cut.tif; p_skin.png, p_skin_prob.tif
    assert "3 masks, probability maps, cut-outs or marks files segmix wrote" in note
    assert "2 outputs of an earlier skin apply" in note


# -- 2. maps of the other format left by an earlier run are said ------------------------------
def test_a_rerun_writing_maps_in_one_format_says_the_earlier_maps_of_the_other_stay(tmp_path, capsys):
    # --probability-format tif, then --probability (PNG maps) of another model: exit 0 and no
    # word, the .tif maps of the first run beside the new masks (an AUC script read them)
    from segmix.cli import main

    images, _ = folder(tmp_path, {"a": scene(1), "b": scene(2)})
    out = tmp_path / "out"
    base = ["skin", "apply", str(images), "--output-dir", str(out)]
    assert main(base + ["--probability-format", "tif", "--quiet"]) == 0
    capsys.readouterr()
    assert main(base + ["--probability"]) == 0
    err = capsys.readouterr().err
    assert "2 probability maps of an earlier run stay" in err and "a_skin_prob.tif" in err
    assert "--probability-format tif rewrites them" in err, err
    # the other way round: the PNG maps stay beside new TIFF ones
    assert main(base + ["--probability-format", "tif"]) == 0
    err = capsys.readouterr().err
    assert "2 probability maps of an earlier run stay" in err and "a_skin_prob.png" in err
    assert "--probability-format png rewrites them" in err, err  # this run already implies --probability (session 53)
    # without maps at all: both formats stay, each named with the option that rewrites it
    assert main(base) == 0
    err = capsys.readouterr().err
    assert "4 probability maps of an earlier run stay" in err
    assert "--probability rewrites the PNG ones, --probability-format tif the TIFF ones" in err, err
    # only TIFF maps of an earlier run, a run without maps: --probability would not rewrite them
    (out / "a_skin_prob.png").unlink()
    (out / "b_skin_prob.png").unlink()
    assert main(base) == 0
    err = capsys.readouterr().err
    assert "add --probability-format tif to rewrite them" in err and "add --probability " not in err


def test_the_distributed_rerun_says_the_other_formats_maps_stay(tmp_path, capsys):
    import pytest

    pytest.importorskip("distributed")
    from segmix.cli import main

    images, _ = folder(tmp_path, {"a": scene(1)})
    out = tmp_path / "out"
    base = ["skin", "apply", str(images), "--output-dir", str(out), "--distributed", "--n-workers", "1"]
    assert main(base + ["--probability-format", "tif", "--quiet"]) == 0
    capsys.readouterr()
    assert main(base + ["--probability"]) == 0
    err = capsys.readouterr().err
    assert "1 probability map of an earlier run stays" in err and "a_skin_prob.tif" in err


# -- 3. the best threshold printed reproduces its F1 ------------------------------------------
def _cliff_photos():
    """Two photos' log odds (nats) and labels: the first's skin lies a hair above -4 nats (one of
    the sweep's levels), its non-skin at -4.3, so its skin is all found at the level and lost
    just above it; the second's skin at 0 and non-skin at -4.3."""
    photos = []
    for skin_level in (-4.0 + 1e-6, 0.0):
        log_odds = np.full((20, 20), -4.3)
        labels = np.zeros((20, 20), np.int8)
        log_odds[5:15, 5:15] = skin_level
        labels[5:15, 5:15] = 1
        photos.append((log_odds, labels))
    return photos


def test_the_best_threshold_as_printed_gives_back_the_best_f1():
    # pooled F1 0.2583 at the best threshold 0.01798620996, printed 0.01799, where one photo
    # loses all its skin: 0.2512 given back
    from segmix import skin_eval

    def run(threshold):
        ev = skin_eval.SkinEvaluator(threshold)
        for log_odds, labels in _cliff_photos():
            def decide(t, log_odds=log_odds):
                return log_odds > np.log(t) - np.log1p(-t)
            mask = decide(threshold)
            swept = ev.sweep_counts_of(decide, labels, mask)
            ev.add(1.0 / (1.0 + np.exp(-log_odds)), labels, mask=mask, swept=swept)
        return ev.result()

    best = run(0.5)
    printed = skin_eval.threshold_text(best.best_threshold)
    again = run(float(printed))
    assert again.f1 == best.best_f1, (printed, again.f1, best.best_f1)
    # and in the per-image table's form
    assert float(skin_eval.threshold_text(best.best_threshold, ".6f")) == best.best_threshold
    # every threshold the sweep tries prints short and reads back as itself
    ev = skin_eval.SkinEvaluator(0.04)
    for t in ev.sweep:
        text = skin_eval.threshold_text(t)
        assert float(text) == t and len(text.replace("e-", "")) <= 12, text


# -- 4. nested folders: advice that works ------------------------------------------------------
def _nested(tmp_path):
    for sub, seeds in (("a", (1, 2)), ("b", (3,))):
        (tmp_path / "images" / sub).mkdir(parents=True)
        (tmp_path / "masks" / sub).mkdir(parents=True)
        for seed in seeds:
            image, mask = scene(seed)
            Image.fromarray(image).save(tmp_path / "images" / sub / f"{seed}.png")
            Image.fromarray(mask).save(tmp_path / "masks" / sub / f"{seed}.png")
    return tmp_path / "images", tmp_path / "masks"


def test_skin_eval_on_nested_folders_gives_advice_that_works(tmp_path, capsys):
    # "give them by name", then --images a --images b: "given twice with different values"
    import re

    from segmix.cli import main

    images, masks = _nested(tmp_path)
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 2
    err = capsys.readouterr().err
    assert "give them by name" not in err, err
    assert f"one run each (--images {images}/a --masks {masks}/a)" in err, err
    assert "put their photos in one folder and their masks in another" in err
    advised = re.search(r"\(--images (\S+) --masks (\S+)\)", err)
    assert main(["skin", "eval", "--images", advised[1], "--masks", advised[2], "--quiet"]) == 0
    # skin train takes several pairs: told how to give them
    assert main(["skin", "train", "--images", str(images), "--masks", str(masks), "-o", str(tmp_path / "m.json")]) == 2
    err = capsys.readouterr().err
    assert (f"give each with its masks' folder (--images {images}/a --masks {masks}/a --images {images}/b "
            f"--masks {masks}/b)") in err, err


def test_skin_eval_given_two_folder_pairs_says_what_to_do(tmp_path, capsys):
    from segmix.cli import main

    images, masks = _nested(tmp_path)
    assert main(["skin", "eval", "--images", f"{images}/a", "--masks", f"{masks}/a", "--images", f"{images}/b",
                 "--masks", f"{masks}/b"]) == 2
    err = capsys.readouterr().err
    assert "given twice with different values" in err and "run it once per pair" in err and "give it once" not in err


# -- 5. masks without a photo: segmix's own outputs counted apart ------------------------------
def test_masks_without_a_photo_leave_out_segmix_outputs_and_name_them_once(tmp_path, capsys):
    # "15 masks ... have no photo" where 6 were skin apply's maps, 6 its masks, 3 real orphans
    from segmix.cli import main

    images, masks = folder(tmp_path, {"a": scene(1), "b": scene(2)})
    for name in ("x", "y"):  # masks of photos not in the images folder
        Image.fromarray(scene(3)[1]).save(masks / f"{name}.png")
    assert main(["skin", "apply", str(images), "--output-dir", str(masks), "--probability", "--quiet"]) == 0
    assert main(["skin", "apply", str(images), "--output-dir", str(masks), "--probability-format", "tif",
                 "--quiet"]) == 0
    capsys.readouterr()
    assert main(["skin", "eval", "--images", str(images), "--masks", str(masks)]) == 0
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if "have no photo" in line or "has no photo" in line]
    assert len(notes) == 1, err
    assert "2 masks in" in notes[0] and "(first: x.png)" in notes[0], notes[0]
    assert "6 files there are outputs segmix skin apply wrote" in notes[0], notes[0]
    assert err.count("a_skin_prob") <= 1 and err.count("a_skin.png") <= 1, err
