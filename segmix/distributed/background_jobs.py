"""``segmix background`` over several sequences on a Dask cluster: one sequence per task.

A sequence is inherently sequential (each frame updates the model the next one is judged
by), so the unit of work is a whole video or frame folder. Its masks are written to
``OUT/.<name>.partial/`` with a record of the settings (``RECORD``), and the folder is renamed
to ``OUT/<name>/`` when the sequence is done: ``OUT/<name>/`` exists only complete. A rerun
skips it when its record holds the same settings, replaces it when they differ, and refuses
to touch an ``OUT/<name>/`` without a record (not made here). A sequence of which frames were
skipped (unreadable, or of another size) has no mask for them: its record says so, and a
rerun runs it again, reporting the frames that still have no mask and exiting 1, as the
one-machine command does on every run (a trial's rerun said "already complete", exit 0).
"""

from __future__ import annotations

import copy
import os
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from segmix.distributed.cluster import describe_exception, file_digest, record_run, run_tasks, runs_match, worker_cached

__all__ = ["BackgroundJob", "plan_sequences", "run_background", "run_sequences"]

RECORD = ".segmix-background.json"
# Numba's default threading layer aborts when two threads of a process launch parallel
# kernels at once: a worker with several threads runs one sequence at a time (the kernels
# themselves use the worker's cores).
_SEQUENCE_LOCK = threading.Lock()


@dataclass(frozen=True)
class BackgroundJob:
    """What every sequence task needs: the output folder, parameter overrides, the starting
    model file (None: an empty model) with its SHA-256."""

    output_dir: str
    overrides: dict
    model_path: str | None
    model_digest: str | None

    def key(self) -> dict:
        """The settings recorded with each sequence's masks."""
        return {"model_sha256": self.model_digest, "overrides": self.overrides}


#: Frame folders the change-detection benchmark (CDnet) names the same in every sequence
#: (``highway/input``, ``pedestrians/input``): their sequence is the folder above.
GENERIC_FOLDER_NAMES = {"input", "inputs", "frames", "images", "img", "imgs"}


def sequence_name(source) -> str:
    """The output subfolder of a sequence, from the path as the user gave it (a symbolic link's
    name, not its target's): a folder's name, a video's stem; a folder named as every CDnet
    sequence's frames are (``highway/input``, see :data:`GENERIC_FOLDER_NAMES`) by its parent,
    so that two sequences do not both write ``input``."""
    path = Path(source)
    if not path.is_dir():
        return path.stem
    if path.name.lower() in GENERIC_FOLDER_NAMES:
        parent = Path(os.path.abspath(path)).parent.name  # not resolve(): a link's own name counts
        if parent:
            return parent
    return path.name


def _fresh_model(job: BackgroundJob):
    from segmix.background import BackgroundMixture, load_background_model

    if job.model_path is None:
        model = BackgroundMixture()
    else:
        def load():
            if file_digest(job.model_path) != job.model_digest:
                raise ValueError(f"{job.model_path}: this worker's model file differs from the client's "
                                 "(inputs must be on storage every host shares)")
            return load_background_model(job.model_path)

        model = copy.deepcopy(worker_cached(("background model", job.model_path, job.model_digest), load))
    for name, value in job.overrides.items():
        setattr(model, name, value)
    model._params()
    return model


#: Prefix of a message of run_sequences that warns and does not make the exit status 1.
WARNING = "warning: "
#: Record entry of a sequence some frames of which have no mask (their skip messages).
INCOMPLETE = "frames_without_mask"


def skipped_frames(messages: list[str]) -> list[str]:
    """The messages of frames skipped without a mask, among a sequence's messages (warnings
    left out): one per frame."""
    return [m for m in messages if not m.startswith(WARNING)]


def run_sequences(job: BackgroundJob, sources: list[tuple[str, str]]) -> list[tuple[str, str, int, list[str]]]:
    """Task: run a background model over each sequence (video or frame folder) in turn.

    Parameters
    ----------
    job : BackgroundJob
    sources : list of (path, name)
        Each sequence's resolved path and its output subfolder's name (:func:`plan_sequences`:
        named on the client from the path the user gave, so a link's name counts).

    Returns
    -------
    list of (source, outcome, frames, messages): outcome "written", "complete" or "failed";
    messages are the skipped frames' lines (one per frame without a mask, see
    :func:`skipped_frames`), or the failure's, and a warning (starting with :data:`WARNING`)
    when the sequence was too short for the model to learn its background
    (:func:`segmix.background_run.short_sequence_warning`).
    """
    from segmix.background_run import run_sequence, short_sequence_warning
    from segmix.frames import FrameSequence
    from segmix.io import failure_line

    out = Path(job.output_dir)
    results = []
    for source, name in sources:
        final, partial = out / name, out / f".{name}.partial"
        if final.is_dir() and runs_match(final, RECORD, job.key()):
            results.append((source, "complete", 0, []))
            continue
        if final.exists() and not (final / RECORD).is_file():
            results.append((source, "failed", 0, [f"{final}: exists and was not written by segmix background "
                                                  "--distributed; move it away or choose another --output-dir"]))
            continue
        shutil.rmtree(partial, ignore_errors=True)  # an earlier attempt's, cut short
        skipped: list[str] = []
        try:
            with _SEQUENCE_LOCK:
                sequence = FrameSequence(source, on_skip=skipped.append)
                model = _fresh_model(job)
                frames_before = model.frame_count_  # a saved --model has learnt already
                result = run_sequence(sequence, model, partial)
            short = short_sequence_warning(source, result.frames, frames_before, model)
            if short:  # as the one-machine command says it; a warning, not a failure
                skipped.append(f"{WARNING}{short}")
            partial.mkdir(parents=True, exist_ok=True)  # run_sequence makes it with its first mask only
            # Frames without a mask are recorded with the settings: such a record never equals
            # job.key(), so a rerun runs the sequence again (a mended frame changes every mask
            # after it: the model is sequential) and reports the frames still unreadable.
            record_run(partial, RECORD, {**job.key(), INCOMPLETE: skipped_frames(result.skipped)}
                       if result.skipped else job.key())
            if final.exists():
                shutil.rmtree(final)  # an earlier run's, made with other settings
            os.rename(partial, final)
            results.append((source, "written", result.frames, skipped))
        except (ValueError, OSError) as exc:  # FrameError is a ValueError and names the file
            shutil.rmtree(partial, ignore_errors=True)
            results.append((source, "failed", 0, [failure_line(exc, source, partial, final)]))
    return results


def plan_sequences(inputs, output_dir, model_path=None) -> list[tuple[str, str]]:
    """The sequences of a ``background --distributed`` run (resolved paths), checked before a
    cluster starts and before any task: every input is a frame folder or a video, no two
    write one output folder (``OUT/<name>``), and no output folder is or holds an input (a
    sequence, or ``model_path``: a rerun with other settings replaces the folder).

    Raises
    ------
    ValueError, FileNotFoundError
        One line naming the files.
    """
    from segmix.frames import IMAGE_SUFFIXES

    out = Path(output_dir).resolve()
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: exists and is not a folder")
    sources, names = [], {}
    for item in inputs:
        path = Path(item)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
            raise ValueError(f"{path}: with --distributed every input is a sequence (a frame folder or a video), "
                             "not a single frame")
        name = sequence_name(path)
        if name in names:
            raise ValueError(f"{path} and {names[name]} would both write {out / name}; rename one")
        names[name] = path
        resolved = path.resolve()
        for target in (out / name, out / f".{name}.partial"):
            if target == resolved or target in resolved.parents:
                raise ValueError(f"{target}: the output of {path} would replace an input; choose another --output-dir")
        sources.append((str(resolved), name))
    if model_path is not None:
        # A sequence's output folder is replaced by a rerun with other settings: a --model
        # kept in it would go with it.
        for name in names:
            for target in (out / name, out / f".{name}.partial"):
                if target in Path(model_path).resolve().parents:
                    raise ValueError(f"{target}: the output of {names[name]} would replace the input "
                                     f"{model_path}; choose another --output-dir")
    return sources


def run_background(client, inputs, output_dir, *, overrides: dict, model_path=None, quiet=False, stream=None,
                   out_stream=None) -> int:
    """``segmix background`` over several sequences on the cluster; returns the exit status.

    Parameters
    ----------
    inputs : paths of frame folders or videos, one sequence each
    output_dir : folder receiving ``<name>/<frame stem>.png`` per sequence
    overrides : {BackgroundMixture parameter: value}
    model_path : starting model (JSON) for every sequence, optional

    Returns
    -------
    int
        0; 1 when a sequence failed or frames were skipped (rerun or not: a sequence with
        frames skipped is run again by a rerun, see the module docstring); 2 when every
        sequence failed.

    Raises
    ------
    ValueError
        Before any task: inputs that are not folders or videos, two with the same name, an
        output folder that is or holds an input.
    """
    stream = stream or sys.stderr
    out_stream = out_stream or sys.stdout
    out = Path(output_dir).resolve()
    sources = plan_sequences(inputs, output_dir, model_path)
    digest = None
    if model_path is not None:
        from segmix.background import load_background_model

        load_background_model(model_path)  # a bad file stops the run here, not in every task
        model_path = str(Path(model_path).resolve())
        digest = file_digest(model_path)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)  # after every refusal: the workers write in it
    job = BackgroundJob(str(out), dict(overrides), model_path, digest)
    batches = [[s] for s in sources]  # (path, name) pairs
    results = run_tasks(client, run_sequences, job, batches, description="background", unit="sequence",
                        quiet=quiet, stream=stream)
    written = complete = frames = skipped = 0
    failed, lines = 0, []
    for batch, result in zip(batches, results):
        if isinstance(result, BaseException):
            failed += len(batch)
            lines.extend(f"{s}: {describe_exception(result)}" for s, _ in batch)
            continue
        for source, outcome, n_frames, messages in result:
            lines.extend(messages)
            failed += outcome == "failed"
            written += outcome == "written"
            complete += outcome == "complete"
            frames += n_frames
            skipped += len(skipped_frames(messages)) if outcome == "written" else 0
    for line in lines:
        stream.write(f"segmix background: {line}\n")
    # Skipped frames counted as the one-machine command counts them ("4 frames ..., 3
    # skipped"): "0 failed" alone, which counts sequences, read as if every frame had a mask.
    without = f", {skipped} skipped" if skipped else ""
    print(f"background on Dask: {len(sources)} sequence{'' if len(sources) == 1 else 's'} to {out}, {written} written ({frames} frames{without}), "
          f"{complete} already complete, {failed} failed", file=out_stream)
    if sources and failed == len(sources):
        stream.write(f"segmix background: error: all {len(sources)} sequences failed; nothing written\n")
        if created:
            try:  # nothing was written: leave no empty folder behind either
                out.rmdir()
            except OSError:
                pass
        return 2
    return 1 if any(not line.startswith(WARNING) for line in lines) else 0
