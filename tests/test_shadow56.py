"""--shadow-threshold with --no-shadows (session 56: the threshold was ignored in silence, exit 0,
where other contradictory options are refused)."""

from __future__ import annotations

import numpy as np
import pytest

from segmix.cli import main


@pytest.mark.parametrize("order", [("--shadow-threshold", "0.5", "--no-shadows"),
                                   ("--no-shadows", "--shadow-threshold", "0.5")])
def test_shadow_threshold_with_no_shadows_is_refused_in_one_line(tmp_path, capsys, order):
    from PIL import Image

    folder = tmp_path / "frames"
    folder.mkdir()
    for index in range(3):
        Image.fromarray(np.full((8, 8, 3), 40 * index, np.uint8)).save(folder / f"f{index}.png")
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "out"), *order]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--shadow-threshold 0.5" in err and "--no-shadows" in err
    assert not (tmp_path / "out").exists()
    # Either alone runs.
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "a"), "--no-shadows", "--quiet"]) == 0
    assert main(["background", str(folder), "--output-dir", str(tmp_path / "b"), "--shadow-threshold", "0.5",
                 "--quiet"]) == 0
