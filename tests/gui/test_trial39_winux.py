"""Session 39 trial of the window's usability (helper winux): error dialogs, keyboard use."""

import pytest

from segmix.modelfile import ModelFileError, read_model


@pytest.mark.parametrize("text", ["not an image", "name,value\n1,2\n", "format: segmix\n", "Images folder\n",
                                  "true colour photo"])
def test_model_file_of_words_says_what_it_starts_with(tmp_path, text):
    """File > Load Model (and Skin's Load...) given a text file whose first word merely begins
    with a letter a JSON word begins with (n of null, f of false, t of true, N / I) said
    "not valid JSON (Expecting value: line 1 column 1 (char 0))", where other text files
    got "not a segmix model: its text starts with '...'"."""
    path = tmp_path / "notes.json"
    path.write_text(text)
    with pytest.raises(ModelFileError) as caught:
        read_model(path)
    said = str(caught.value)
    assert str(path) in said
    assert "not a segmix model" in said and "its text starts with" in said
    assert "char 0" not in said and "Expecting value" not in said
