"""``segmix skin apply`` and ``segmix skin train`` on a Dask cluster.

Apply: a task detects skin in a few photos, reading them by path on its worker, with the
model file read once per worker (checked against the client's copy by SHA-256) and written
by :func:`segmix.skin.apply_one`, so the files equal those of the single-process command
byte for byte. A photo whose outputs are complete is skipped: the folder's run record
names the model and settings that made them, and each photo's own record (written by its
task once its outputs are, as ``background`` records a sequence) the input they were made
from (size and modification time) and their SHA-256: a photo changed since, or outputs that
are not those the run wrote (another run's into the same folder, edited), are redone (a
new-user trial's rerun called a mirrored photo's stale mask "already complete"; see
:func:`run_apply`).

Train (map-reduce): a task turns a shard of labelled photos (or one UCI file) into colour
counts, the sufficient statistics of :func:`segmix.skin.train_skin_model`; the workers sum
them pairwise (a tree, so the client receives one table), and EM runs once, on the client,
on the same counts that the single-machine command builds: integer sums in any order give
the same table, so the trained model is the same bit for bit.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sys
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from segmix import skin
from segmix.io import DEFAULT_MAX_PIXELS, failure_line, listed_names, resolved_path
from segmix.mask_edges import misaligned_pairs_words, misaligned_words
from segmix.repeated_lines import fold_repeated
from segmix.white_balance import photo_decisions, photo_words
from segmix.distributed.cluster import (NOT_FOUND, UNDER_WAY, WorkersGone, check_workers_share, describe_exception, file_digest, file_state, input_sample,
                                        left_out_notes, output_as_given, read_record, record_run, reduce_tasks, remove_leftovers, run_tasks,
                                        runs_match, said_once, seen_here, shared_file_digest, warnings_said, worker_cached)

__all__ = ["ApplyJob", "apply_photos", "count_shard", "count_training_data", "run_apply"]

RECORD = ".segmix-skin-apply.json"
#: The folder (in the output folder) of each photo's record, ``<mask name>.json``: the photo,
#: its input state (:func:`segmix.distributed.cluster.file_state`) and its outputs' SHA-256.
PHOTO_RECORDS = ".segmix-skin-apply.photos"
#: Photos per apply task at most: a photo takes 20-70 ms on the development sets and a task
#: costs Dask 3-4 ms of CPU; with 8 per task one worker used 6 % more CPU than the single
#: process, with 16 none more (bench_distributed.py, quiet machine).
PHOTOS_PER_TASK = 16
#: Labelled photos per counting task at most.
PAIRS_PER_SHARD = 32
#: Above this many labelled pixels a shard is counted with one bincount over all 2**25
#: (code, class) cells (256 MB) rather than by sorting its codes.
DENSE_COUNT_PIXELS = 1 << 22
#: Tasks per worker thread aimed at, so that a slow task does not leave the others idle.
TASKS_PER_THREAD = 4


def _total_threads(client) -> int:
    return max(1, sum(client.nthreads().values()))


def _batches(items: list, client, most: int) -> list[list]:
    if not items:
        return []
    size = max(1, min(most, math.ceil(len(items) / (TASKS_PER_THREAD * _total_threads(client)))))
    return [items[i:i + size] for i in range(0, len(items), size)]


# ------------------------------------------------------------------------------ apply
@dataclass(frozen=True)
class ApplyJob:
    """What every apply task needs besides its photos (small: pickled into each task).

    model_path is None for the built-in model (each worker finds its own copy);
    model_digest is the SHA-256 of the client's model file.
    """

    model_path: str | None
    model_digest: str
    output_dir: str
    threshold: float | None
    probability: bool | str  # True (or "png"): the 16-bit PNG map; "tif": the float32 TIFF
    settings: Any
    max_pixels: int = DEFAULT_MAX_PIXELS
    key_digest: str = ""  # SHA-256 of the run record's key: each photo's record holds it
    #: This run's id, in each photo record it writes: a photo a killed attempt of the same
    #: task finished is this run's work, not "already complete" (a trial's first run into an
    #: empty folder said "276 written, 4 already complete" after a worker was killed).
    run_id: str = ""


def key_digest(key: dict) -> str:
    """SHA-256 of a run record's key (canonical JSON), kept in each photo's record."""
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


def photo_record_path(output_dir: Path, outputs) -> Path:
    """The record of the photo whose outputs are ``outputs`` (mask first): named after the
    mask, or after its name's SHA-256 when "MASK.json" is longer than a file name may be (a
    photo of a 246-byte name has a mask name that fits, 255 bytes, and a record name that
    does not: the whole --distributed run ended "file name too long", nothing written)."""
    name = f"{Path(outputs[0]).name}.json"
    if len(os.fsencode(name)) > NAME_MAX:
        name = f"{hashlib.sha256(os.fsencode(Path(outputs[0]).name)).hexdigest()}.json"
    return Path(output_dir) / PHOTO_RECORDS / name


#: The longest file name (bytes) of the usual file systems (ext4, XFS, Btrfs, APFS, NTFS's 255 units).
NAME_MAX = 255


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for a name too long to be a file (Python 3.11 raises
    ENAMETOOLONG where it answers False for a missing file)."""
    try:
        return path.is_file()
    except OSError:
        return False


#: Why a photo with outputs is redone (printed with the summary): its input changed, or its
#: outputs are not those its record names.
CHANGED = "changed since the last run"
NOT_OURS = "whose outputs are not those the last run wrote (another run's, or changed since)"
#: ... or its record is there but cannot be read (a damaged file): it was blamed on the outputs.
RECORD_DAMAGED = f"whose record in {PHOTO_RECORDS}/ cannot be read (damaged), so it was ignored"


def redo_reason(job: ApplyJob, photo: Path, outputs, record, record_path: Path | None = None) -> str | None:
    """Why ``photo`` is run again, or None when its outputs are complete: every one there,
    its record (``record``, a dict or None) of this run's settings, the photo's size and
    modification time as recorded, each output's SHA-256 as recorded. "" when outputs are
    merely missing (no note: a rerun after an interruption); :data:`RECORD_DAMAGED` when
    ``record`` is None though its file, ``record_path``, is there."""
    if not all(_is_file(o) for o in outputs):
        return ""
    if not isinstance(record, dict) and record_path is not None and _is_file(record_path):
        return RECORD_DAMAGED
    if not isinstance(record, dict) or record.get("key_sha256") != job.key_digest:
        return NOT_OURS
    if record.get("input") != file_state(photo):
        return CHANGED
    recorded = record.get("outputs")
    if not isinstance(recorded, dict) or set(recorded) != {o.name for o in outputs} \
            or any(recorded[o.name] != file_digest(o) for o in outputs):
        return NOT_OURS
    return None


def _worker_model(job: ApplyJob):
    def load():
        path = skin.builtin_model_path() if job.model_path is None else Path(job.model_path)
        shared_file_digest(path, job.model_digest)  # NotShared: the worker is left out, its tasks run elsewhere
        model = skin.load_skin_model(job.model_path)
        return model, (None if model.features.uses_position else skin.PosteriorCache(model))

    return worker_cached(("skin model", job.model_path, job.model_digest), load)


def _warning_lines(record: dict) -> str | None:
    """A photo's warnings (a damaged JPEG, extra frames, no colour...) kept in its record, one
    per line, or None; a record of an earlier segmix keeps only the greyscale warning."""
    lines = record.get("warnings")
    if not (isinstance(lines, list) and all(isinstance(line, str) for line in lines)):
        lines = [record["greyscale"]] if isinstance(record.get("greyscale"), str) else []
    return "\n".join(lines) or None


def apply_photos(job: ApplyJob, photos: list[str]) -> list[tuple[str, str, str | None, str | None]]:
    """Task: detect skin in ``photos`` (paths) and write their masks; a photo whose outputs
    are complete (:func:`redo_reason`) is skipped. Each photo written gets its record
    (:func:`photo_record_path`) once its outputs are written.

    Returns
    -------
    list of (photo, outcome, message, reason): outcome "written", "complete" (skipped) or
    "failed" with a one-line message naming the photo; a photo read or scored with warnings
    (a damaged JPEG, no colour: :func:`segmix.skin.greyscale_warning`) has them as its
    message, one per line (kept in its record, so a skipped photo is warned about as on the run that wrote it), else None; ``reason`` why a photo
    with outputs was redone (:data:`CHANGED`, :data:`NOT_OURS`), else None.
    """
    from segmix.io import write_json_atomic

    model, cache = _worker_model(job)
    out = Path(job.output_dir)
    results = []
    for photo in photos:
        path = Path(photo)
        outputs = skin.apply_outputs(path, out, job.probability or True)[: 2 if job.probability else 1]
        record_path = photo_record_path(out, outputs)
        try:  # a photo's own fault (an output name too long: OSError) fails the photo, not its task
            for output in (*outputs, record_path):
                remove_leftovers(output)  # an earlier attempt of this task died while writing
            record = read_record(record_path)
            reason = redo_reason(job, path, outputs, record, record_path)
        except OSError as exc:
            results.append((photo, "failed", failure_line(exc, photo, *outputs), None))
            continue
        if reason is None:
            ours = bool(job.run_id) and record.get("run_id") == job.run_id
            # A photo's warnings are said on every run, as the local command says them.
            warning = _warning_lines(record)
            results.append((photo, "written" if ours else "complete", warning, None))
            continue
        try:
            record_path.unlink(missing_ok=True)  # its outputs are about to change
            state = file_state(path)  # before reading: a change during the run shows next time
            info = {}
            with warnings_said() as said:
                skin.apply_one(model, path, out, job.threshold, job.probability, job.settings, cache, info,
                               job.max_pixels)
            said += [info[key] for key in ("greyscale", "label_map") if info.get(key)]
            decisions = photo_decisions(info)
            record_path.parent.mkdir(exist_ok=True)
            write_json_atomic(record_path, {"photo": photo, "key_sha256": job.key_digest, "input": state,
                                            "outputs": {o.name: file_digest(o) for o in outputs},
                                            "run_id": job.run_id, "greyscale": info.get("greyscale"),
                                            "no_skin": bool(info.get("no_skin")), "warnings": said,
                                            "faces_used": bool(info.get("faces_used")),
                                            # --white-balance: what it did, said as the one-machine run says it
                                            "white_balance": photo_words(decisions) if decisions else None,
                                            "white_balance_applied": any(d.applied for d in decisions)})
            # The photo's warnings travel with its outcome, printed by run_apply as the single
            # process prints them (cluster.warnings_said).
            results.append((photo, "written", "\n".join(said) or None, reason or None))
        except (ValueError, OSError, MemoryError) as exc:  # ImageLoadError is a ValueError and names the file
            # MemoryError: the photo fails alone, as on one machine (it failed the task, its
            # other photos with it)
            results.append((photo, "failed", failure_line(exc, photo, *outputs), None))
    return results


def _finished(job: ApplyJob, photo: str) -> tuple[str, str | None] | None:
    """On the client, for a photo whose task was given up (its workers gone): ``(outcome,
    warnings)`` as :func:`apply_photos` would give them when its outputs are complete (outcome
    "written" when this run wrote them, "complete" when an earlier one did), else None."""
    out = Path(job.output_dir)
    outputs = skin.apply_outputs(Path(photo), out, job.probability or True)[: 2 if job.probability else 1]
    try:
        record = read_record(photo_record_path(out, outputs))
        if redo_reason(job, Path(photo), outputs, record) is not None:
            return None
    except OSError:  # not to be read here: not done
        return None
    return ("written" if record.get("run_id") == job.run_id else "complete"), _warning_lines(record)


def run_apply(client, model_path, inputs, output_dir, *, threshold=None, probability=False, settings=None,
              quiet=False, stream=None, out_stream=None, max_pixels=DEFAULT_MAX_PIXELS,
              every_balance=False) -> int:
    """``segmix skin apply`` on the cluster behind ``client``; returns the exit status.

    Parameters as :func:`segmix.skin.apply_batch`; ``model_path`` None is the built-in model.
    Prints one line per failed photo and a summary.

    Reruns: the output folder's run record (``RECORD``) holds the model's SHA-256 and the
    settings. When it differs (or is missing), the outputs this run will write and the
    photos' records are deleted first and the record rewritten. Each photo's record
    (:data:`PHOTO_RECORDS`) holds the photo's size and modification time and its outputs'
    SHA-256: tasks skip a photo only when all three agree (:func:`redo_reason`), so a rerun
    after a killed worker or an interruption redoes only what is missing, and a photo
    changed since, or outputs another run wrote into the folder, are redone (said on one
    line each reason, before the summary).

    Returns
    -------
    int
        0; 1 when some photo failed, or when the run failed as a whole (the scheduler lost)
        after some masks were written; 2 when every photo failed.

    Raises
    ------
    ValueError, OSError
        Before any task: no photos, a bad output folder or model file.
    """
    from segmix import skin_detect

    stream = stream or sys.stderr
    out_stream = out_stream or sys.stdout
    settings = skin_detect.DEFAULT_SETTINGS if settings is None else settings
    files, clashes = skin.plan_batch(inputs, output_dir, probability)
    out = resolved_path(output_dir)
    skin.load_skin_model(model_path)  # a bad model file stops the run here, not in every task
    digest = file_digest(skin.builtin_model_path() if model_path is None else model_path)
    # True for the PNG (as runs before --probability-format recorded it), "tif" for the TIFF
    probability = "tif" if probability == "tif" else bool(probability)
    key = {"model_sha256": digest, "threshold": threshold, "probability": probability,
           "settings": asdict(settings)}
    failures, todo = [], []  # failures: (photo as given, its line)
    missing = skin.missing_inputs(inputs)  # named as typed, "no such file or folder"
    for f in files:
        if f in missing:
            failures.append((str(f), missing[f]))
            continue
        outputs = skin.apply_outputs(f, out, probability or True)[: 2 if probability else 1]
        clash = next((o for o in outputs if clashes(o)), None)
        if clash is not None:
            failures.append((str(f), f"{clash}: refusing to overwrite an input file"))
        else:
            todo.append((str(resolved_path(f)), skin.apply_outputs(f, out, probability or True)))
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)  # after every refusal: the record and the workers write in it
    job = ApplyJob(None if model_path is None else str(resolved_path(model_path)), digest, str(out),
                   threshold, probability, settings, int(max_pixels), key_digest(key), uuid.uuid4().hex)
    # The masks must be where this command looks, the photos where the workers look, and the
    # scheduler able to load the tasks: workers that fail are left out of the run.
    sample = input_sample(photo for photo, _ in todo)
    shared = check_workers_share(client, out, output_dir, created, inputs=sample, task=(apply_photos, job))
    # A run record there but not to be read (damaged: '[1,2') made the rerun redo every photo
    # without a word; said in one note, as a damaged photo's record is (RECORD_DAMAGED).
    damaged = _is_file(out / RECORD) and read_record(out / RECORD) is None
    if damaged and not quiet:
        stream.write(f"segmix skin apply: note: {Path(output_dir) / RECORD}: the run record cannot be read "
                     "(damaged), so it is ignored: every photo is done again\n")
    if not runs_match(out, RECORD, key):
        for _, made in todo:  # made with other settings (or unknown ones): not to be kept
            # A run without --probability keeps the probability maps an earlier run wrote (and
            # says so after the run, as the one-machine command does): it removed them without
            # a word (a trial's rerun without --probability lost 12).
            for output in made[: 2 if probability else 1]:
                try:
                    output.unlink(missing_ok=True)
                except OSError:  # a name too long to be a file (ENAMETOOLONG): none to remove
                    if _is_file(output):
                        raise
        shutil.rmtree(out / PHOTO_RECORDS, ignore_errors=True)
        record_run(out, RECORD, key)
    todo = [photo for photo, _ in todo]
    # Tasks carry resolved paths; a photo is named as the user gave it, as without Dask (a
    # trial's `skin apply ph2 --distributed` said "skipped /tmp/trialP/ph2/bad.jpg", the
    # one-machine command "skipped ph2/bad.jpg").
    given = {str(resolved_path(f)): str(f) for f in files if f not in missing}

    output_named = output_as_given(out, output_dir)  # a failing output too, as without Dask

    def as_given(photo: str, message: str) -> str:
        name = given.get(photo, photo)
        return output_named(name + message[len(photo):] if message.startswith(photo) else message)

    batches = _batches(todo, client, PHOTOS_PER_TASK)
    stamps = _photo_record_stamps(out)
    # What a photo's outputs are, as the one-machine command says it (a trial's --probability
    # run lost its scheduler and said only "the masks of 28 of 49 photos", its maps written too).
    written_words = "masks and probability maps" if probability else "masks"
    try:
        results = run_tasks(client, apply_photos, job, batches, description="skin", unit="photo", quiet=quiet,
                            stream=stream, shared=shared, inputs=sample)
    except KeyboardInterrupt as exc:
        if exc.args:
            raise
        # How far the run got, as the one-machine command says it ("segmix: interrupted" alone
        # left a user to count the masks): a photo's record is written after its outputs.
        done = sum(1 for name, stamp in _photo_record_stamps(out).items() if stamps.get(name) != stamp)
        raise type(exc)(f"the {written_words} of {done} of {len(todo)} photo{'' if len(todo) == 1 else 's'} to do were "
                        f"written when it came; {UNDER_WAY}") from None
    except (ValueError, OSError):  # the command's own refusals, before any task
        raise
    except Exception as exc:  # noqa: BLE001 - the whole run failed (the scheduler lost): said here
        # Exit 2 says "nothing is written": a trial's scheduler killed at 14 s left 82 of 150
        # masks, and the run ended 2. With masks written it is a partial run, 1, as a run
        # whose photos failed in part; with none, the error propagates (one line, exit 2).
        done = sum(1 for name, stamp in _photo_record_stamps(out).items() if stamps.get(name) != stamp)
        if not done:
            raise
        if done >= len(todo):
            # Every mask was written whole before the loss (a trial: "the masks of 40 of 40
            # photos to do were written", exit 1, which a script reads as "some photos failed").
            stream.write(f"segmix skin apply: note: {describe_exception(exc).split('; ')[0]}, after every task "
                         f"had finished (the {written_words} of all {len(todo)} photo{'' if len(todo) == 1 else 's'} to do "
                         "were written)\n")
            return 0
        stream.write(f"segmix skin apply: error: the Dask run failed: {describe_exception(exc)} (the {written_words} of "
                     f"{done} of {len(todo)} photo{'' if len(todo) == 1 else 's'} to do were written)\n")
        return 1
    counts = {"written": 0, "complete": 0}
    not_found = []  # photos a worker found no such file
    warned = []
    redone: dict[str, list[str]] = {}  # reason -> photos' names
    done = []  # the photos written or complete
    for batch, result in zip(batches, results):
        if isinstance(result, WorkersGone):
            # A task given up, its workers gone: the photos it had finished (their record, of
            # this run, is written after their outputs) are written, not "not done" (a trial's
            # worker stopped mid-task: "0 written ... nothing written" with 16 masks there, and
            # the run record removed, so the rerun redid everything).
            # Judged as the task judges a photo complete (:func:`redo_reason`): those complete
            # from an earlier run, which the task would have skipped, were "not done" and failed.
            finished = {photo: outcome for photo in batch if (outcome := _finished(job, photo)) is not None}
            for photo, (outcome, warning) in finished.items():
                counts[outcome] += 1
                done.append(photo)
                if warning:
                    warned.extend(as_given(photo, line) for line in warning.splitlines())
            batch = [photo for photo in batch if photo not in finished]
        if isinstance(result, BaseException):
            failures.extend((given.get(photo, photo), f"{given.get(photo, photo)}: {describe_exception(result)}")
                            for photo in batch)
            continue
        for photo, outcome, message, reason in result:
            if outcome == "failed":
                failures.append((given.get(photo, photo), as_given(photo, message)))
                if message.startswith(photo + NOT_FOUND):
                    not_found.append(photo)
            else:
                counts[outcome] += 1
                done.append(photo)
                if message:
                    warned.extend(as_given(photo, line) for line in message.splitlines())
                if reason:
                    redone.setdefault(reason, []).append(Path(photo).name)
    for message in warned:
        stream.write(f"segmix skin apply: warning: {message}\n")
    # Photos that failed for the same reason share a line (a worker's long reason was said once per photo),
    # and so do lines that name their outputs, not the photos, as the one-machine command folds them
    # (a full disk's "OUT/x_skin.png: cannot write (no space left on device)" was a line per photo).
    for message in fold_repeated(said_once(failures, "photo"), "files", least=2):
        stream.write(f"segmix skin apply: {'error:' if len(files) == 1 else 'skipped'} {message}\n")
    # Workers whose checks failed, while the others did their work: a note, so not with --quiet
    # (errors are said all the same; the notes were printed with it until session 41).
    for note in [] if quiet else left_out_notes(client):
        for photo, *_ in sample:  # a photo it did not see, as given
            note = note.replace(f"({photo}", f"({given.get(photo, photo)}")
        stream.write(f"segmix skin apply: note: {output_named(note)}\n")
    # A note too (the photos' own lines are said all the same): it was printed with --quiet.
    unseen = None if quiet else seen_here(not_found, [given.get(photo, photo) for photo in not_found])
    if unseen:
        stream.write(f"segmix skin apply: note: {unseen}\n")
    for reason, names in redone.items():  # as background says why it redid a sequence
        print(f"redone {len(names)} photo{'' if len(names) == 1 else 's'} {reason}: {listed_names(sorted(names))}",
              file=out_stream)
    # The colour photos whose mask is empty, named as the one-machine summary names them: the
    # Dask summary gave counts only, and a trial's two empty masks went without a word.
    records = [read_record(photo_record_path(out, skin.apply_outputs(Path(photo), out))) or {} for photo in done]
    no_skin = sorted(Path(photo).name for photo, record in zip(done, records) if record.get("no_skin"))
    # What the one-machine summary says of them too (skin.apply_batch): the faces that
    # calibrated, the photos without colour (a trial's Dask summary left them out).
    with_face = [Path(photo).name for photo, record in zip(done, records) if record.get("faces_used")]
    colourless = [record["greyscale"] for record in records if isinstance(record.get("greyscale"), str)
                  and skin.ONE_TONE_WORDS not in record["greyscale"]]
    done_count = counts["written"] + counts["complete"]
    balanced = [(photo, record) for photo, record in zip(done, records) if isinstance(record.get("white_balance"), str)]
    for photo, record in [] if quiet else balanced:  # one line per photo, as skin.apply_batch says them
        if not (every_balance or record.get("white_balance_applied")):  # skin.balance_said
            continue
        stream.write(skin.photo_note(given.get(photo, photo), f"white balance {record['white_balance']}") + "\n")
    print(f"skin apply on Dask: {len(files)} photo{'' if len(files) == 1 else 's'}, {counts['written']} written, {counts['complete']} already "
          f"complete, {len(failures)} failed"
          # where, as the one-machine summary says it ("wrote masks of 40 photos to x2")
          + (f"; {'masks and probability maps' if probability else 'masks'} in {output_dir}" if done_count else "")
          + (f" ({skin.faces_clause(with_face, [Path(photo).name for photo in done])})"
             if getattr(settings, "faces", False) and done_count else "")
          + (skin.balance_summary([bool(record.get("white_balance_applied")) for _, record in balanced], done_count,
                                  getattr(settings, "white_balance", False), every_balance) if done_count else "")
          + (f"; no skin found in {len(no_skin)} of the {done_count} mask{'' if done_count == 1 else 's'} "
             f"({listed_names(no_skin)})" if no_skin else "")
          + skin.colourless_note(colourless, alone=len(files) == 1), file=out_stream)
    if counts["written"] + counts["complete"]:
        warning = skin.stale_probability_warning(files, output_dir, probability)
        if warning:
            stream.write(f"segmix skin apply: warning: {warning}\n")
    status = skin.batch_status("segmix skin apply", len(failures), len(files), stream)
    if status == 2 and created:  # nothing was written: leave no folder behind either
        (out / RECORD).unlink(missing_ok=True)
        shutil.rmtree(out / PHOTO_RECORDS, ignore_errors=True)
        try:
            out.rmdir()
        except OSError:
            pass
    return status


def _photo_record_stamps(out: Path) -> dict[str, int]:
    """{photo record's name: when it was last written (ns)} in ``out``'s :data:`PHOTO_RECORDS`:
    a record new or rewritten during a run marks a photo that run finished."""
    stamps = {}
    try:
        entries = list((out / PHOTO_RECORDS).iterdir())
    except OSError:
        return stamps
    for entry in entries:
        try:
            stamps[entry.name] = entry.stat().st_mtime_ns
        except OSError:  # replaced under us by a worker: counted at the next look
            continue
    return stamps


# ------------------------------------------------------------------------------ train
@dataclass
class PartialCounts:
    """Colour counts of some shards: the counts, the labelled pixels per images folder
    ({folder index: [skin, non-skin]}), the UCI sources by index, and failed inputs as
    (place, message): the place in the command's order of its inputs, since the shards come
    back in whatever order the workers finish (the first failure named is the local one's)."""

    counts: skin.ColorCounts
    pixels: dict[int, list[int]] = field(default_factory=dict)
    uci_sources: dict[int, dict] = field(default_factory=dict)
    failures: list[tuple[tuple, str]] = field(default_factory=list)
    # (place, line) of the warnings of photos read (a damaged JPEG, extra frames), printed by
    # the client as the single process prints them (cluster.warnings_said).
    warnings: list[tuple[tuple, str]] = field(default_factory=list)
    # {(folder index, position): edge contrast or None} of the pairs read, whether each mask
    # follows its photo's edges (segmix.mask_edges): the local command's check of the folders.
    contrasts: dict[tuple[int, int], float | None] = field(default_factory=dict)


def _counts_of_codes(codes: np.ndarray) -> skin.ColorCounts:
    """Codes from :func:`segmix.skin.labelled_codes` (bit 24 = non-skin) -> ColorCounts."""
    if codes.size > DENSE_COUNT_PIXELS:
        dense = np.bincount(codes, minlength=2 * skin.N_CODES)
        return skin.ColorCounts.from_dense(dense[:skin.N_CODES], dense[skin.N_CODES:])
    values, n = np.unique(codes, return_counts=True)
    n = n.astype(np.int64)
    is_skin = values < skin.N_CODES
    zeros = np.zeros
    skin_part = skin.ColorCounts(values[is_skin], n[is_skin], zeros(int(is_skin.sum()), np.int64))
    non_part = skin.ColorCounts(values[~is_skin] - skin.N_CODES, zeros(int((~is_skin).sum()), np.int64), n[~is_skin])
    return skin_part + non_part


def count_shard(job, items: list[tuple]) -> PartialCounts:
    """Task: colour counts of a shard: ``("pairs", folder index, [(position, image, mask), ...])`` or
    ``("uci", index, path)`` items. A photo that cannot be read is listed, not counted."""
    part = PartialCounts(skin.ColorCounts.empty())
    for item in items:
        if item[0] == "uci":
            _, index, path = item
            try:
                counts = skin.load_uci(path)
            except (ValueError, OSError) as exc:
                part.failures.append(((0, index), str(exc)))
                continue
            part.uci_sources[index] = counts.sources[0]
            part.counts = part.counts + skin.ColorCounts(counts.codes, counts.skin, counts.non_skin)
            continue
        _, folder, pairs = item
        codes = []
        for position, image, mask in pairs:
            place = (1, folder, position)
            notes: list[str] = []  # a photo that may be toned, as the single process says it
            with warnings_said() as said:
                try:
                    contrast: list = []
                    codes.append(skin.labelled_codes(image, mask, notes, contrast))
                    part.contrasts[(folder, position)] = contrast[0] if contrast else None
                except skin.PAIR_ERRORS as exc:
                    part.failures.append((place, skin.pair_failure(exc, (image, mask))))
            part.warnings.extend((place, line) for line in [*said, *notes])
        counts = _counts_of_codes(np.concatenate(codes)) if codes else skin.ColorCounts.empty()
        totals = part.pixels.setdefault(folder, [0, 0])
        totals[0] += counts.n_skin
        totals[1] += counts.n_non_skin
        part.counts = part.counts + counts
    return part


def _place_files(place, uci_files, folder_pairs) -> list:
    """The resolved files of a training input's place (a UCI file, or a photo and its mask)."""
    files = [uci_files[place[1]]] if place[0] == 0 else folder_pairs[place[1]][place[2]]
    return [resolved_path(f) for f in files]


def merge_counts(a: PartialCounts, b: PartialCounts) -> PartialCounts:
    """Task: the sum of two partial counts."""
    pixels = {k: list(v) for k, v in a.pixels.items()}
    for k, (s, n) in b.pixels.items():
        totals = pixels.setdefault(k, [0, 0])
        totals[0] += s
        totals[1] += n
    return PartialCounts(a.counts + b.counts, pixels, {**a.uci_sources, **b.uci_sources}, a.failures + b.failures,
                         a.warnings + b.warnings, {**a.contrasts, **b.contrasts})


def count_training_data(client, uci_files, image_folders, mask_folders, *, quiet=False, stream=None,
                        skipped: list | None = None) -> skin.ColorCounts:
    """The colour counts of ``segmix skin train``'s sources, counted on the cluster.

    Equal to the single-process counts (UCI files, then images/masks folder pairs, with the
    same ``sources`` entries), so :func:`segmix.skin.train_skin_model` gives the same model.
    ``skipped``, a list, receives the lines of the pairs whose mask ignores every pixel, left
    out as :func:`segmix.skin.count_image_folder` leaves them out.

    Raises
    ------
    ValueError
        Missing folders or no pairs.
    segmix.skin.UnusablePairs
        Inputs that could not be used (a photo, a mask, a UCI file): every one, with its
        line, in the command's order of its inputs (the command prints one line each, as
        the single-machine command does); a model trained on less than was asked for is
        not written.
    """
    stream = stream or sys.stderr
    items, folders, folder_pairs = [], [], []
    for index, path in enumerate(uci_files):
        skin.check_uci_path(path)  # as the single-machine command says it (a pipe was "not found")
        items.append([("uci", index, str(resolved_path(path)))])
    for folder, (images, masks) in enumerate(zip(image_folders, mask_folders)):
        pairs, unmatched = skin.image_mask_pairs(images, masks, several_pairs=True)
        folders.append((images, masks, len(pairs), len(unmatched)))
        folder_pairs.append(pairs)
        resolved = [(position, str(resolved_path(i)), str(resolved_path(m))) for position, (i, m) in enumerate(pairs)]
        items.extend([("pairs", folder, shard)] for shard in _batches(resolved, client, PAIRS_PER_SHARD))
    if not items:
        raise ValueError("no training data: give --images DIR --masks DIR and/or --uci FILE")
    sizes = [len(item[0][2]) if item[0][0] == "pairs" else 1 for item in items]
    # the workers must see the labelled photos (a few, the first and last of each folder) as this
    # command does; input_sample resolves only those it keeps (every pair's were resolved twice)
    sample = input_sample([*(path for _, _, path in (item[0] for item in items if item[0][0] == "uci")),
                           *(p for pairs in folder_pairs for pair in pairs for p in pair)])

    def batch_names(batch) -> list[str]:  # a shard's inputs as given: its photos, or its UCI file
        return [str(folder_pairs[item[1]][position][0]) for item in batch if item[0] == "pairs"
                for position, _, _ in item[2]] + [str(uci_files[item[1]]) for item in batch if item[0] == "uci"]

    total = reduce_tasks(client, count_shard, None, items, merge_counts, sizes=sizes, description="counting",
                         unit="photo", quiet=quiet, stream=stream, inputs=sample, names=batch_names)

    def as_given(place, line: str) -> str:
        # Tasks carry resolved paths; each file is named as the user gave it, as without
        # Dask (a session-34 check saw "/tmp/.../tb/masks/p1.png" against "tb/masks/p1.png").
        if place[0] == 0:
            files = [Path(uci_files[place[1]])]
        elif place[2] < len(folder_pairs[place[1]]):
            files = list(folder_pairs[place[1]][place[2]])
        else:  # a line of the whole folder, after its photos' (named as given)
            files = []
        for given in files:
            line = line.replace(str(resolved_path(given)), str(given))
        return line

    if not uci_files and skin.inverted_mask_words(total.counts):
        # the command asks it of the folders' masks together (as the single process asks it of
        # each folder's): not of each photo too (each photo's line was printed besides it)
        total.warnings = [(place, line) for place, line in total.warnings if not isinstance(line, skin.InvertedMaskNote)]
    for index, (_, masks, n_pairs, _) in enumerate(folders):
        # Whether each folder's masks follow their photos' edges, as the single process asks it
        # (it was not asked: masks paired with the wrong photos were learnt in silence).
        contrasts = [total.contrasts.get((index, position)) for position in range(n_pairs)]
        misaligned = misaligned_words(contrasts)
        if misaligned is not None:
            total.warnings.append(((1, index, n_pairs), f"{masks}: {misaligned}"))
        odd = misaligned_pairs_words(contrasts, [str(mask) for _, mask in folder_pairs[index]])
        if odd is not None:  # a few wrong pairs among right ones, named as the single process names them
            total.warnings.append(((1, index, n_pairs + 1), f"{masks}: {odd}"))
    # In the command's order, as the failures; a folder's repeated lines (toned photos) folded
    # into one with the count, as the single process folds them.
    for folder_place in sorted({place[:2] for place, _ in total.warnings}):
        lines = [as_given(place, line) for place, line in sorted(total.warnings) if place[:2] == folder_place]
        for line in fold_repeated(lines):
            stream.write(f"segmix skin train: warning: {line}\n")
    # Workers whose checks failed, while the others counted their shards: skin apply and
    # background said so, skin train did not (the session's re-check).
    given_of = {str(resolved_path(p)): str(p) for p in [*uci_files, *(f for pairs in folder_pairs
                                                                          for pair in pairs[:1] + pairs[-1:] for f in pair)]}
    for note in [] if quiet else left_out_notes(client):  # a note: not with --quiet
        for resolved, shown in given_of.items():  # a photo it did not see, as given
            note = note.replace(f"({resolved}:", f"({shown}:").replace(f"({resolved} is", f"({shown} is")
        stream.write(f"segmix skin train: note: {note}\n")
    ignored = [(place, line) for place, line in sorted(total.failures) if isinstance(line, skin.IgnoredPair)]
    if skipped is not None and ignored:
        skipped.extend(as_given(place, line) for place, line in ignored)
        total.failures = [(place, line) for place, line in total.failures if not isinstance(line, skin.IgnoredPair)]
    else:
        ignored = []
    if total.failures:
        # Inputs a worker found no such file, which are here: not on storage it shares.
        missing = [(f, as_given(place, str(f))) for place, line in sorted(total.failures) if NOT_FOUND in line
                   for f in (_place_files(place, uci_files, folder_pairs)) if line.startswith(str(f) + NOT_FOUND)]
        unseen = seen_here([str(f) for f, _ in missing], [shown for _, shown in missing])
        if unseen and not quiet:
            # Why the files were not found, as skin apply and background say it: a note (not with
            # --quiet); it was an error line of its own, printed with --quiet too.
            stream.write(f"segmix skin train: note: {unseen}\n")
        # Every one, in the command's order of its inputs (skin.UnusablePairs: the command
        # prints one "segmix skin train: error: ..." line each, as the single process does).
        n_inputs = len(uci_files) + sum(f[2] for f in folders)
        # A folder pair none of whose pairs could be used, given the other way round, is one
        # line in its place, as the single-machine command says it (skin.swapped_folders).
        swapped = {}
        for index, (images, masks, n_pairs, _) in enumerate(folders):
            if sum(1 for place, _ in total.failures if place[:2] == (1, index)) == n_pairs:
                swapped[index] = skin.swapped_folders(folder_pairs[index], images, masks)
        lines = []
        for place, line in sorted(total.failures):
            words = swapped.get(place[1]) if place[0] == 1 else None
            if words is None:
                lines.append(as_given(place, line))
            elif words not in lines:
                lines.append(words)
        raise skin.UnusablePairs(lines, n_inputs)
    sources = [total.uci_sources[i] for i in range(len(uci_files))]
    for index, (images, masks, n_pairs, n_unmatched) in enumerate(folders):
        skin_pixels, non_skin_pixels = total.pixels.get(index, [0, 0])
        n_pairs -= sum(1 for place, _ in ignored if place[:2] == (1, index))
        left_out = {place[2] for place, _ in ignored if place[:2] == (1, index)}
        # the photos' contents, read here (where they were listed), as the single process records them
        digests = [skin.photo_digest(image) for j, (image, _) in enumerate(folder_pairs[index]) if j not in left_out]
        sources.append(skin.images_source(images, masks, n_pairs, n_unmatched, skin_pixels, non_skin_pixels, digests))
    counts = total.counts
    return skin.ColorCounts(counts.codes, counts.skin, counts.non_skin, sources)
