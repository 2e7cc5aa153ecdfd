"""Session 55's new-user trial of the command line's files, quantize, batch and Dask paths."""

import json

import numpy as np
import pytest
from PIL import Image


# --------------------------------------------------------------------------- 1
def _documents():
    """JSON documents as segmix writes them: a background model (mostly base64 strings), an
    indented model-like object, and one of every token kind (literals, escapes, numbers)."""
    from segmix.background import BackgroundMixture

    rng = np.random.default_rng(0)
    model = BackgroundMixture(n_components=2)
    for _ in range(3):
        model.apply(rng.integers(0, 256, (3, 4, 3), dtype=np.uint8))
    every = {"a": [1.5e-3, -2, True, False, None, 'x\\y\u00e9"z', {"b": {}}, float("nan"), float("-inf")],
             "c": "\u1234\U0001F600", "d": -0.25e10, "e": 1e5}
    return [json.dumps(model.to_dict(), indent=1), json.dumps(every), json.dumps(every, indent=2)]


def test_every_prefix_of_a_json_document_is_said_to_end_mid_document():
    """A cut inside a string (most of a background model: its arrays are base64) was "cannot
    read a background model (Unterminated string starting at: line 1 column 508)": one rule
    for every cut, wherever it falls (in a string, a literal, a number, an escape)."""
    from segmix.io import json_ends_mid_document

    missed = []
    for text in _documents():
        for end in range(1, len(text)):
            try:
                json.loads(text[:end])
            except json.JSONDecodeError as exc:
                if not json_ends_mid_document(text[:end], exc):
                    missed.append((text[max(0, end - 12):end], exc.msg))
    assert not missed, missed[:5]


@pytest.mark.parametrize("text", ['{"a": 1 2}', '{"a": tru e}', '{"a": x', "[1, .", "[1 .", '{"a": "\\x"}',
                                  '{"a" 1', "[tr]", "hello", "[1,]", '{"a": "b\n"}'])
def test_json_damaged_inside_is_not_called_cut_short(text):
    from segmix.io import json_ends_mid_document

    with pytest.raises(json.JSONDecodeError) as info:
        json.loads(text)
    assert not json_ends_mid_document(text, info.value)


def test_models_cut_inside_a_string_are_called_cut_short(tmp_path):
    """The background model of the trial, and a segmentation model cut inside "foreground"."""
    from segmix.background import BackgroundModelError, load_background_model
    from segmix.modelfile import ModelFileError, read_model

    background = _documents()[0]
    start = background.index('"data": "') + 9  # in the first base64 array's string
    (tmp_path / "bg.json").write_text(background[:start + 20])
    with pytest.raises(BackgroundModelError, match=r"bg.json: the file ends in the middle of its JSON after \d+ "
                                                    r"characters: it looks cut short \(an interrupted copy"):
        load_background_model(tmp_path / "bg.json")
    model = '{\n  "format": "segmix-model",\n  "version": 1,\n  "kind": "segmentation",\n  "classes": ["foregr'
    (tmp_path / "m.json").write_text(model)
    with pytest.raises(ModelFileError, match="ends in the middle of its JSON after .* it looks cut short"):
        read_model(tmp_path / "m.json")


def test_an_annotation_cut_short_given_as_scribbles_is_called_cut_short(tmp_path):
    """It was "a text file, not an image"; its kind is named from the keys of its first part."""
    from segmix.io import ImageLoadError, load_scribbles

    coco = json.dumps({"images": [{"id": 1, "file_name": "p.png", "width": 8, "height": 8}],
                       "categories": [{"id": 1, "name": "person"}],
                       "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4]}]}, indent=1)
    (tmp_path / "c.json").write_text(coco[:-30])
    with pytest.raises(ImageLoadError, match="is a COCO annotation, not an image, and it ends in the middle of its "
                                             "JSON after .* cut short"):
        load_scribbles(tmp_path / "c.json", (8, 8))


# --------------------------------------------------------------------------- 4
def test_quantize_of_an_animation_of_few_colours_says_its_first_frame_is_written(tmp_path, capsys):
    """An animated GIF of one colour was "written unchanged" beside "only the first is used"."""
    from segmix.cli import main

    frames = [Image.fromarray(np.full((12, 16, 3), value, np.uint8)).convert("P") for value in (40, 120, 200)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert main(["quantize", str(tmp_path / "anim.gif"), "-k", "8", "-o", str(tmp_path / "q.gif")]) == 0
    err = capsys.readouterr().err
    assert "only the first is used" in err and "written unchanged" not in err, err
    assert "fewer than the 8 asked for; written as its first frame" in err, err
    with Image.open(tmp_path / "q.gif") as im:
        assert getattr(im, "n_frames", 1) == 1
