"""Defects a new-user trial (trial 23) found in the command line, one test or more each:
background's output folder, mask choice and skipped pairs in skin eval / train, the words of
a truncated video's summary, quantize's modes and GIF, and small messages."""

import pickle

import numpy as np
import pytest
from PIL import Image

from segmix import skin
from segmix.cli import build_parser, main
from segmix.io import output_mark, written_by

from tests.conftest import skin_photo  # the labelled photos of skin_dataset


def _err_lines(capsys):
    return capsys.readouterr().err.strip().splitlines()


def _frames(folder, n=12, shape=(30, 40), prefix="b"):
    folder.mkdir()
    for i in range(n):
        frame = np.full((*shape, 3), 100, np.uint8)
        frame[5:10, i:i + 5] = 250
        Image.fromarray(frame).save(folder / f"{prefix}{i:05d}.png")




# ----------------------------------------------------------------- 1. background's output folder
def test_background_masks_carry_the_mark_and_a_rerun_rewrites_them(tmp_path, capsys):
    _frames(tmp_path / "cam")
    out = tmp_path / "out"
    assert main(["background", str(tmp_path / "cam"), "--output-dir", str(out), "--quiet"]) == 0
    assert written_by(out / "b00005.png", "background") and not written_by(out / "b00005.png", "skin apply")
    with Image.open(out / "b00005.png") as im:
        assert im.info[output_mark("background")[0]] == "segmix background"
    # Re-running the command into its own folder must work.
    assert main(["background", str(tmp_path / "cam"), "--output-dir", str(out), "--quiet"]) == 0


def test_background_refuses_to_replace_a_file_it_did_not_write(tmp_path, capsys):
    _frames(tmp_path / "cam")
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "b00005.png"
    Image.new("RGB", (8, 8), (1, 2, 3)).save(mine)
    before = mine.read_bytes()
    assert main(["background", str(tmp_path / "cam"), "--output-dir", str(out), "--quiet"]) == 2
    err = _err_lines(capsys)
    assert err[-1] == (f"segmix background: error: {mine}: exists and was not written by segmix background (the "
                       f"mask of {tmp_path / 'cam' / 'b00005.png'} would replace it); move it away or choose another "
                       "--output-dir")
    assert mine.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["b00005.png"]  # refused before any mask


def test_background_warns_about_masks_of_an_earlier_run_left_beside_its_own(tmp_path, capsys):
    _frames(tmp_path / "cam1", n=12, shape=(30, 40), prefix="a")
    _frames(tmp_path / "cam2", n=10, shape=(20, 24), prefix="b")
    out = tmp_path / "out"
    assert main(["background", str(tmp_path / "cam1"), "--output-dir", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["background", str(tmp_path / "cam2"), "--output-dir", str(out), "--quiet"]) == 0
    warnings = [line for line in _err_lines(capsys) if "earlier run" in line]
    assert warnings == [f"segmix background: warning: {out}: also holds 12 masks of an earlier run that this run did "
                        "not replace (a00000.png .. a00011.png, 40 x 30, not this run's 24 x 20: another camera?); "
                        "move them away, or give another --output-dir, to keep one run's masks apart from another's"]
    # Its own masks of the same names: no warning.
    assert main(["background", str(tmp_path / "cam2"), "--output-dir", str(tmp_path / "o2"), "--quiet"]) == 0
    assert main(["background", str(tmp_path / "cam2"), "--output-dir", str(tmp_path / "o2"), "--quiet"]) == 0
    assert not any("earlier run" in line for line in _err_lines(capsys))


def test_skin_apply_keeps_its_own_refusal_through_the_shared_code(tmp_path, capsys):
    photo = tmp_path / "x.png"
    Image.fromarray(skin_photo(np.random.default_rng(1))[0]).save(photo)
    out = tmp_path / "out"
    out.mkdir()
    Image.new("L", (4, 4)).save(out / "x_skin.png")
    assert main(["skin", "apply", str(photo), "--output-dir", str(out), "--quiet"]) == 2
    assert "exists and was not written by segmix skin apply" in _err_lines(capsys)[-1]


# ----------------------------------------------------------------- 2. several masks of one name
def test_eval_prefers_the_lossless_mask_of_a_stem(skin_dataset, capsys):
    # A JPEG preview beside each mask: picked by name order, it aborted the run.
    for i in range(4):
        Image.open(skin_dataset / "masks" / f"p{i}.png").convert("RGB").save(skin_dataset / "masks" / f"p{i}.jpg")
    pairs, unmatched = skin.image_mask_pairs(skin_dataset / "images", skin_dataset / "masks")
    assert [m.name for _, m in pairs] == [f"p{i}.png" for i in range(4)] and not unmatched
    assert main(["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "--quiet"]) == 0


def test_photos_and_masks_in_one_folder_pair_up(tmp_path):
    rng = np.random.default_rng(2)
    for i in range(2):
        image, mask = skin_photo(rng)
        Image.fromarray(image).save(tmp_path / f"c{i}.jpg", quality=95)
        Image.fromarray(mask).save(tmp_path / f"c{i}.png")
    pairs, unmatched = skin.image_mask_pairs(tmp_path, tmp_path)
    assert [(a.name, b.name) for a, b in pairs] == [("c0.jpg", "c0.png"), ("c1.jpg", "c1.png")]
    assert unmatched == []


def test_two_lossless_masks_of_one_stem_are_refused_naming_both(skin_dataset, capsys):
    Image.open(skin_dataset / "masks" / "p1.png").save(skin_dataset / "masks" / "p1.bmp")
    assert main(["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "--quiet"]) == 2
    err = _err_lines(capsys)
    assert len(err) == 1 and str(skin_dataset / "masks" / "p1.bmp") in err[0] and str(skin_dataset / "masks" / "p1.png") in err[0]


def test_a_lone_jpeg_mask_is_still_refused(skin_dataset, capsys):
    (skin_dataset / "masks" / "p2.png").unlink()
    Image.new("L", (40, 30)).save(skin_dataset / "masks" / "p2.jpg")
    with pytest.raises(Exception, match="losslessly"):
        skin.load_mask(skin.image_mask_pairs(skin_dataset / "images", skin_dataset / "masks")[0][2][1])


# ----------------------------------------------------------------- 3. train says what it left out
def test_train_warns_about_photos_without_a_mask_and_counts_the_photos(skin_dataset, tmp_path, capsys):
    (skin_dataset / "masks" / "p3.png").unlink()
    # session 55: such photos stop the run unless --skip-unmatched leaves them out
    assert main(["skin", "train", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "-o", str(tmp_path / "m.json"), "--components", "1", "--non-skin-components", "2",
                 "--skip-unmatched"]) == 0
    err = _err_lines(capsys)
    assert (f"segmix skin train: warning: 1 image in {skin_dataset / 'images'} has no mask of the same name in "
            f"{skin_dataset / 'masks'} and is left out (p3.png)") in err
    assert any(line.startswith("training on ") and " non-skin pixels of 3 photos " in line for line in err)


# ----------------------------------------------------------------- 4. a truncated video's words
def test_skip_words_count_frames_and_say_where_a_video_ended():
    from segmix.background_run import skip_words
    from segmix.frames import SequenceEnd

    end = SequenceEnd("v.mp4: the video ends after frame 135 of the 300 its header announces (a truncated or damaged file?)",
                      135, 300, truncated=True)
    assert skip_words([end]) == "the video ends 165 frames early (truncated or damaged)"
    assert skip_words(["skipped a.png: x", "skipped b.png: y"]) == "2 frames skipped (unreadable)"
    broken = SequenceEnd("v.mp4: decoding stopped after frame 10 (bad)", 10, 30)
    assert skip_words(["skipped a.png: x", broken]) == ("1 frame skipped (unreadable); decoding "
                                                         "stopped after frame 10, 20 frames early")
    assert skip_words([]) == ""
    # Dask sends a worker's lines back pickled: the kind survives.
    again = pickle.loads(pickle.dumps(end))
    assert isinstance(again, SequenceEnd) and again == end and again.missing == 165 and again.truncated


def test_the_summary_of_a_truncated_video_is_no_skipped_frame(tmp_path, capsys, monkeypatch):
    """The CLI's summary through a sequence whose decoder reports a truncated end (the decoder
    itself is FFmpeg's: faked here, so the test needs no video file)."""
    from segmix import frames as frames_module

    _frames(tmp_path / "cam", n=4)
    real = frames_module.FrameSequence._iter_images

    def cut_short(self):
        yield from real(self)
        self.on_skip(frames_module.SequenceEnd("clip: the video ends after frame 4 of the 10 its header announces",
                                               4, 10, truncated=True))

    monkeypatch.setattr(frames_module.FrameSequence, "_iter_images", cut_short)
    out = tmp_path / "o"
    assert main(["background", str(tmp_path / "cam"), "--output-dir", str(out), "--quiet"]) == 1
    assert capsys.readouterr().out.strip() == f"wrote the masks of 4 frames (40 x 30) to {out}; the video ends 6 frames early (truncated or damaged)"


# ----------------------------------------------------------------- 5. eval skips a bad pair
def test_eval_skips_a_bad_ground_truth_mask_and_scores_the_rest(skin_dataset, capsys):
    Image.new("L", (20, 10)).save(skin_dataset / "masks" / "p1.png")  # another size
    Image.fromarray((np.arange(1200).reshape(30, 40) % 2).astype(np.uint8)).save(skin_dataset / "masks" / "p2.png")  # 0/1
    assert main(["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "--quiet"]) == 1
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    skipped = [line for line in err if line.startswith("segmix skin eval: skipped ")]
    assert len(skipped) == 2
    assert str(skin_dataset / "masks" / "p1.png") in skipped[0] and "20 x 10" in skipped[0]
    assert str(skin_dataset / "masks" / "p2.png") in skipped[1] and "0/1 mask" in skipped[1]
    assert err[-1] == "segmix skin eval: 2 of 4 photo / mask pairs skipped; the figures are of the other 2"
    assert captured.out.startswith("images 2, ")


def test_eval_with_every_mask_bad_exits_2_with_the_reason(skin_dataset, capsys):
    wrong = np.zeros((10, 20), np.uint8)
    wrong[:, :10] = 255  # both classes, at another size than the photos
    for i in range(4):
        Image.fromarray(wrong).save(skin_dataset / "masks" / f"p{i}.png")
    assert main(["skin", "eval", "--images", str(skin_dataset / "images"), "--masks", str(skin_dataset / "masks"),
                 "--quiet"]) == 2
    err = _err_lines(capsys)
    # Each pair's reason (session 34: only the first was named), then the refusal; the same
    # reason of 4 pairs once, with the count and the first and last (session 42: a folder of
    # 0/1 masks gave one identical line per file).
    assert len(err) == 2 and err[0].startswith("segmix skin eval: skipped ")
    assert "masks/p0.png .. p3.png (4 files alike)" in err[0]
    assert err[1] == "segmix skin eval: error: none of the 4 photo / mask pairs could be used; nothing scored"


def test_eval_help_says_a_bad_pair_is_skipped():
    help_text = " ".join(_sub_help(["skin", "eval"]).split())
    assert "its pair skipped" in help_text and "exit status is then 1, or 2 when no pair can be used" in help_text


# ----------------------------------------------------------------- 6. quantize keeps a grey photo grey
def test_quantize_writes_a_greyscale_photo_of_few_levels_unchanged(tmp_path, capsys):
    grey = np.zeros((20, 30), np.uint8)
    grey[:, 10:], grey[:, 20:] = 100, 200
    Image.fromarray(grey).save(tmp_path / "g.png")
    assert main(["quantize", str(tmp_path / "g.png"), "-k", "4", "-o", str(tmp_path / "q.png")]) == 0
    assert "; written unchanged" in capsys.readouterr().err
    with Image.open(tmp_path / "q.png") as im:
        assert im.mode == "L" and np.array_equal(np.asarray(im), grey)


def test_quantize_of_an_rgb_photo_of_few_colours_says_how_it_is_written(tmp_path, capsys):
    rgb = np.zeros((20, 30, 3), np.uint8)
    rgb[:, 10:] = (200, 10, 10)
    Image.fromarray(rgb).save(tmp_path / "c.png")
    assert main(["quantize", str(tmp_path / "c.png"), "-k", "4", "-o", str(tmp_path / "q.png")]) == 0
    err = capsys.readouterr().err
    assert "written unchanged" not in err and "its colours are kept as they are (written as a palette image" in err


def test_quantize_writes_gif_with_exactly_the_palette(tmp_path, capsys):
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 256, (30, 40, 3)).astype(np.uint8)).save(tmp_path / "n.png")
    assert main(["quantize", str(tmp_path / "n.png"), "-k", "16", "-o", str(tmp_path / "q.gif")]) == 0
    assert main(["quantize", str(tmp_path / "n.png"), "-k", "16", "-o", str(tmp_path / "q.png")]) == 0
    with Image.open(tmp_path / "q.gif") as gif, Image.open(tmp_path / "q.png") as png:
        assert np.array_equal(np.asarray(gif.convert("RGB")), np.asarray(png.convert("RGB")))
    capsys.readouterr()
    assert main(["quantize", str(tmp_path / "n.png"), "-k", "300", "-o", str(tmp_path / "big.gif")]) == 2
    assert "GIF holds at most 256 colours" in _err_lines(capsys)[0] and not (tmp_path / "big.gif").exists()
    assert main(["quantize", str(tmp_path / "n.png"), "-o", str(tmp_path / "q.xyz")]) == 2
    assert _err_lines(capsys)[0].endswith("use one of .png, .jpg, .jpeg, .tif, .tiff, .bmp, .webp, .gif")


# ----------------------------------------------------------------- 7. small messages
def test_a_missing_folder_is_named_as_typed(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["skin", "apply", "nonexistdir/", "--output-dir", "o", "--quiet"]) == 2
    assert _err_lines(capsys) == ["segmix skin apply: error: nonexistdir/: no such file or folder"]
    assert main(["background", "nonexistdir/", "--output-dir", "o", "--quiet"]) == 2
    assert _err_lines(capsys) == ["segmix background: error: nonexistdir/: no such file or folder"]


def test_the_best_threshold_in_use_is_not_advised_again():
    from segmix.skin_eval import EvalResult, format_eval

    def result(threshold, best):
        return EvalResult(threshold=threshold, precision=0.5, recall=0.5, f1=0.5, mean_precision=0.5,
                          mean_recall=0.5, mean_f1=0.5, auc=0.9, best_threshold=best, best_f1=0.6,
                          best_basis="detector", n_images=1, n_skin=1, n_non_skin=1, false_positive_rate=0.1,
                          fpr=np.zeros(2), tpr=np.zeros(2), threshold_is_models=False)

    text = format_eval(result(0.6225, 0.6225))
    assert "to use it" not in text and "  it is the threshold in use (given with --threshold)" in text
    assert "  to use it: --threshold 0.3" in format_eval(result(0.6225, 0.3))


# ----------------------------------------------------------------- 8. help texts and the ignored line
def _sub_help(words):
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    sub = action.choices[words[0]]
    for word in words[1:]:
        sub = next(a for a in sub._actions if getattr(a, "choices", None) and word in a.choices).choices[word]
    return sub.format_help()


def test_groundtruth_offset_help_mentions_a_negative_offset():
    text = " ".join(_sub_help(["background"]).split())
    assert "a negative N for a clip cut from a longer sequence" in text


def test_quantize_help_lists_the_formats():
    text = " ".join(_sub_help(["quantize"]).split())
    assert ".gif (k up to 256" in text and ".webp" in text and ".jpg" in text


def test_skin_apply_says_what_a_folder_run_ignored(tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(skin_photo(np.random.default_rng(4))[0]).save(photos / "a.png")
    (photos / "notes.txt").write_text("x")
    (photos / "sub").mkdir()
    (photos / ".DS_Store").write_bytes(b"")
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "o")]) == 0
    notes = [line for line in _err_lines(capsys) if "ignored" in line]
    # .DS_Store is named too (it was left out in silence until session 40).
    assert notes == [f"segmix skin apply: note: ignored in {photos}: 1 hidden or system file (.DS_Store), "
                     "1 non-image file (notes.txt), 1 subfolder (sub)"]
    # --quiet silences notes.
    assert main(["skin", "apply", str(photos), "--output-dir", str(tmp_path / "o"), "--quiet"]) == 0
    assert not any("ignored" in line for line in _err_lines(capsys))
    # Nothing ignored: no line.
    assert main(["skin", "apply", str(photos / "a.png"), "--output-dir", str(tmp_path / "o2")]) == 0
    assert not any("ignored" in line for line in _err_lines(capsys))
