"""A new-user trial of skin detection (trial c): Dask reruns, hand-edited models, palette photos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def _face(size=64):
    """A crop of the bundled astronaut photo around her face: skin the detector finds."""
    photo = Image.open(ROOT / "sample_images" / "astronaut.png").convert("RGB")
    return photo.crop((170, 70, 250, 150)).resize((size, size))


def test_a_photo_a_killed_attempt_of_the_same_run_wrote_counts_as_written(tmp_path):
    """Dask reruns a killed worker's task; the photos its first attempt finished were counted
    "already complete" on a first run into an empty folder ("276 written, 4 already complete")."""
    from dataclasses import replace

    from segmix import skin, skin_detect
    from segmix.distributed.cluster import file_digest
    from segmix.distributed.skin_jobs import ApplyJob, apply_photos

    _face().save(tmp_path / "face.png")
    job = ApplyJob(None, file_digest(skin.builtin_model_path()), str(tmp_path / "out"), None, False,
                   skin_detect.DEFAULT_SETTINGS, run_id="run-1")
    photo = str(tmp_path / "face.png")
    assert apply_photos(job, [photo]) == [(photo, "written", None, None)]
    assert apply_photos(job, [photo]) == [(photo, "written", None, None)]  # the task's second attempt
    assert apply_photos(replace(job, run_id="run-2"), [photo]) == [(photo, "complete", None, None)]  # a rerun
