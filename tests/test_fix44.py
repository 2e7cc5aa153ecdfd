"""Command-line faults of session 44's new-user trial (fix44)."""

import numpy as np
import pytest
from PIL import Image

from segmix.cli import main
from tests.conftest import SKIN_RGB


def _error(capsys, command: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    prefix = f"segmix {command}: error: "
    assert err.startswith(prefix), err
    return err[len(prefix):].strip()


# ------------------------------------------------------------- 2. Dask's option by other tools' names
@pytest.mark.parametrize("argv, command", [
    (["skin", "apply", "batch/", "--dask", "local", "-o", "x/"], "skin apply"),
    (["skin", "train", "--images", "i", "--masks", "m", "-o", "m.json", "--cluster"], "skin train"),
    (["background", "frames", "--output-dir", "o", "--scheduler", "tcp://h:8786"], "background"),
    (["background", "frames", "--output-dir", "o", "--scheduler", "tcp://h:8786", "--workers", "3"], "background"),
])
def test_dask_option_by_another_name_is_given_its_real_name(argv, command, capsys):
    # `skin apply batch/ --dask local -o x/` was told of -o only; --dask went unexplained.
    assert main(argv) == 2
    line = _error(capsys, command)
    assert "Dask's option is '--distributed'" in line, line
    if "-o" in argv and command == "skin apply":
        assert "given with --output-dir DIR" in line, line  # both words explained
    if "--workers" in argv:
        assert "did you mean '--n-workers'?" in line, line


def test_dask_names_in_a_command_without_dask_say_which_have_it(capsys):
    assert main(["segment", "p.png", "--click", "1,1", "-o", "m.png", "--dask"]) == 2
    line = _error(capsys, "segment")
    assert "only skin apply, skin train and background run on Dask (--distributed)" in line, line


# ------------------------------------------------------------- 3. three inputs onto one output name
def test_three_inputs_of_one_output_name_are_said_once_all_three(tmp_path, capsys):
    # "both the mask of exif6.png and the mask of exif6.tif would write it (and 1 more output
    # that two inputs would write: exif6_skin.png)": the same name again.
    photo = np.full((12, 16, 3), SKIN_RGB, np.uint8)
    names = [tmp_path / f"exif6.{ext}" for ext in ("png", "tif", "webp")]
    for name in names:
        Image.fromarray(photo).save(name)
    out = tmp_path / "sk"
    assert main(["skin", "apply", *map(str, names), "--output-dir", str(out)]) == 2
    line = _error(capsys, "skin apply")
    assert line.startswith(f"{out / 'exif6_skin.png'}: the mask of {names[0]}, the mask of {names[1]} and the mask "
                           f"of {names[2]} would all write it; "), line
    assert "more output" not in line, line
    assert not out.exists()


def test_other_shared_names_are_counted_once_each(tmp_path):
    from segmix.io import OutputClash, check_batch_outputs

    planned = [(tmp_path / "a_skin.png", "the mask of a.png"), (tmp_path / "a_skin.png", "the mask of a.jpg"),
               (tmp_path / "b_skin.png", "the mask of b.png"), (tmp_path / "b_skin.png", "the mask of b.jpg"),
               (tmp_path / "b_skin.png", "the mask of b.tif"), (tmp_path / "c_skin.png", "the mask of c.png")]
    with pytest.raises(OutputClash) as caught:
        check_batch_outputs(planned, [])
    assert str(caught.value) == (f"{tmp_path / 'a_skin.png'}: both the mask of a.png and the mask of a.jpg would write "
                                 "it (and 1 more output that more than one input would write: b_skin.png); give each "
                                 "its own file")


# ------------------------------------------------------------- 4. the Dask summary says what the local one says
def _photos(folder):
    folder.mkdir()
    rng = np.random.default_rng(3)
    face = rng.integers(0, 256, (48, 64, 3)).astype(np.uint8)
    face[:, :32] = np.clip(rng.normal(SKIN_RGB, 6, (48, 32, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(face).save(folder / "face.png")
    Image.fromarray(face).convert("L").save(folder / "grey.png")
    return folder


GREY_NOTE = "; 1 of them is greyscale: skin detection needs colour (warned above)"


def test_local_summary_says_greyscale_in_plain_words(tmp_path, capsys):
    folder = _photos(tmp_path / "photos")
    assert main(["skin", "apply", str(folder), "--output-dir", str(tmp_path / "out"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert GREY_NOTE in out and "colour of its own" not in out, out


def test_dask_summary_says_the_greyscale_photos_as_the_local_one(tmp_path, capsys):
    pytest.importorskip("distributed")
    folder = _photos(tmp_path / "photos")
    for run in ("first", "rerun"):
        assert main(["skin", "apply", str(folder), "--output-dir", str(tmp_path / "out"), "--quiet",
                     "--distributed", "--n-workers", "1"]) == 0
        out = capsys.readouterr().out
        assert out.strip().startswith("skin apply on Dask: 2 photos") and GREY_NOTE in out, (run, out)


def test_colourless_note_words_each_kind():
    from segmix import skin

    assert skin.colourless_note([]) == ""
    assert skin.colourless_note([f"g.png: {skin.GREYSCALE_WORDS}: x"], alone=True) == \
        "; it is greyscale: skin detection needs colour (warned above)"
    assert skin.colourless_note([f"s.png: {skin.TONED_WORDS}: x", f"g.png: {skin.GREYSCALE_WORDS}: x",
                                 f"t.png: {skin.TONED_WORDS}: x"]) == \
        "; 3 of them are greyscale or toned (1 greyscale, 2 toned): skin detection needs colour (warned above)"


# ------------------------------------------------------------- 5. cut-outs: PNG or TIFF, of any photo
def test_a_webp_cutout_of_an_8_bit_photo_is_refused_with_why(tmp_path, capsys):
    Image.fromarray(np.full((20, 30, 3), 90, np.uint8)).save(tmp_path / "p.png")
    assert main(["segment", str(tmp_path / "p.png"), "--click", "5,5", "-o", str(tmp_path / "m.png"),
                 "--cutout", str(tmp_path / "cut.webp")]) == 2
    line = _error(capsys, "segment")
    assert line == (f"{tmp_path / 'cut.webp'}: unsupported extension for --cutout; use one of .png, .tif, .tiff "
                    "(cut-outs are RGBA PNG or TIFF, of 8-bit photos too)"), line


def test_readme_and_help_say_cutouts_are_never_jpeg_or_webp(capsys):
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert "JPEG and WebP hold no 16-bit alpha" not in readme
    assert "a cut-out is PNG or TIFF only, of an 8-bit photo too" in readme
    assert main(["segment", "--help"]) == 0
    assert "never JPEG or WebP" in " ".join(capsys.readouterr().out.split())


def test_background_distributed_names_every_input_of_one_output_folder(tmp_path):
    # Three frame folders named "a" (background --distributed): "v2/a and v1/a would both
    # write OUT/a; rename one", the third left for the next run to find.
    from segmix.distributed.background_jobs import plan_sequences

    for parent in ("v1", "v2", "v3"):
        for name in ("a", "b"):
            (tmp_path / parent / name).mkdir(parents=True)
            Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / parent / name / "f1.png")
    folders = [tmp_path / parent / "a" for parent in ("v1", "v2", "v3")]
    with pytest.raises(ValueError) as caught:
        plan_sequences(folders, tmp_path / "out")
    assert str(caught.value) == (f"{folders[0]}, {folders[1]} and {folders[2]} would all write "
                                 f"{(tmp_path / 'out').resolve() / 'a'}; rename all but one")
    with pytest.raises(ValueError) as caught:
        plan_sequences([*folders[:2], tmp_path / "v1" / "b", tmp_path / "v2" / "b"], tmp_path / "out")
    assert str(caught.value).endswith("; rename one (and 1 more output folder that more than one input would "
                                      "write: b)"), str(caught.value)


def test_dask_summary_says_where_faces_calibrated_as_the_local_one(tmp_path, capsys):
    # The local summary says "(skin colour calibrated on a face in 1 of them)" with --faces;
    # the Dask one said nothing of it.
    pytest.importorskip("distributed")
    from pathlib import Path

    from segmix import faces

    try:
        faces.check_available()
    except faces.FaceDetectorUnavailable as exc:
        pytest.skip(str(exc))
    samples = Path(__file__).resolve().parent.parent / "sample_images"
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("astronaut.png", "coffee.png"):
        Image.open(samples / name).convert("RGB").save(folder / name)
    assert main(["skin", "apply", str(folder), "--output-dir", str(tmp_path / "local"), "--faces", "--quiet"]) == 0
    said = ("(skin colour calibrated on a face in 1 of them: astronaut.png; no face found in coffee.png, scored as "
            "without --faces)")  # (session 57: the photo without a face named too)
    assert said in capsys.readouterr().out
    for run in ("first", "rerun"):
        assert main(["skin", "apply", str(folder), "--output-dir", str(tmp_path / "dask"), "--faces", "--quiet",
                     "--distributed", "--n-workers", "1"]) == 0
        out = capsys.readouterr().out
        assert said in out, (run, out)


@pytest.mark.parametrize("argv, command, hint", [
    (["skin", "apply", "p.png", "--output-dir", "o", "--processes", "2"], "skin apply",
     "did you mean '--n-workers' (the local Dask cluster's worker processes, with --distributed)?"),
    (["skin", "train", "--images", "i", "--masks", "m", "-o", "m.json", "--nprocs", "2"], "skin train",
     "did you mean '--n-workers'"),
    (["quantize", "p.png", "-o", "q.png", "--processes", "2"], "quantize", "segmix uses every core"),
])
def test_worker_process_counts_by_other_names(argv, command, hint, capsys):
    assert main(argv) == 2
    line = _error(capsys, command)
    assert hint in line, line
