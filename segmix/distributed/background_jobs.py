"""``segmix background`` over several sequences on a Dask cluster: one sequence per task.

A sequence is inherently sequential (each frame updates the model the next one is judged
by), so the unit of work is a whole video or frame folder. Its masks are written to
``OUT/.<name>.partial/`` with a record of the settings (``RECORD``), and the folder is renamed
to ``OUT/<name>/`` when the sequence is done: ``OUT/<name>/`` exists only complete. A rerun
skips it when its record holds the same settings, replaces it when they differ, and refuses
to touch an ``OUT/<name>/`` without a record (not made here). The record also lists the input
the masks were made from (a folder's frames with their sizes and modification times, a
video's size and modification time, :func:`input_fingerprint`) and the masks the run wrote:
a rerun redoes a sequence whose input changed since (frames added, removed, renamed or
rewritten: the model is sequential, one changed frame changes every mask after it; a trial's
rerun said "already complete" after frames were added and wrote no mask for them), says why
on a line of its own, and removes the masks of its earlier run that no frame has any more
(only files that run recorded as its own: anything else in the folder is kept). A sequence
of which frames were skipped (unreadable, or of another size) has no mask for them: its
record says so, with the skipped files' sizes, modification times and permissions. A rerun
on the same input does not run it again (the same frames would be skipped: a trial's every
rerun said "2 of its frames had no mask after the last run: redone"), but reports the frames
that still have no mask and exits 1, as the one-machine command does on every run (an
earlier trial's rerun said "already complete", exit 0); a skipped frame rewritten or given
other permissions since makes it run again.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from segmix.distributed.cluster import (NOT_FOUND, UNDER_WAY, NotShared, WorkersGone, check_workers_share, describe_exception, file_digest, file_state, input_sample,
                                        left_out_notes, output_as_given, read_record, record_run, run_tasks, said_once, seen_here,
                                        shared_file_digest, warnings_said,
                                        worker_cached)
from segmix.io import listed_names, resolved_path

__all__ = ["BackgroundJob", "input_change", "input_fingerprint", "plan_sequences", "remove_partials", "run_background", "run_sequences"]

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
            shared_file_digest(job.model_path, job.model_digest)  # NotShared: the worker is left out
            return load_background_model(job.model_path)

        model = copy.deepcopy(worker_cached(("background model", job.model_path, job.model_digest), load))
    for name, value in job.overrides.items():
        setattr(model, name, value)
    model._params()
    return model


#: Prefix of a message of run_sequences that warns and does not make the exit status 1.
WARNING = "warning: "
#: Prefix of a message of run_sequences that says why a sequence was redone (printed with
#: the summary, on standard output; not a failure).
NOTE = "note: "
#: Record entry of a sequence some frames of which have no mask (their skip messages).
INCOMPLETE = "frames_without_mask"
#: Record entries: the input the masks were made from (:func:`input_fingerprint`) and the
#: names of the masks the run wrote (the files a rerun may remove).
INPUT, MASKS = "input", "masks"
#: Record entry: {name: [size, mtime_ns, mode]} of the frame files skipped (:data:`INCOMPLETE`
#: says why): a rerun runs the sequence again when one of them changed, permissions included
#: (a frame made readable by chmod keeps its modification time).
SKIPPED_FILES = "skipped_files"


def _file_state(path) -> list | None:
    """[size, mtime_ns, mode] of a file, or None when it is gone."""
    return file_state(path, mode=True)


def _record_lines(lines: list[str]) -> list:
    """The skipped frames' lines as a record keeps them: text, a SequenceEnd's fields, and a
    RepeatedSkip's text under "repeated" (a frame said with the line before it)."""
    from segmix.frames import RepeatedSkip, SequenceEnd

    return [line.to_dict() if isinstance(line, SequenceEnd) else {"repeated": str(line)}
            if isinstance(line, RepeatedSkip) else str(line) for line in lines]


def _recorded_lines(entries, name: str) -> list[str]:
    """The lines of a record's :data:`INCOMPLETE` entry, said again for a rerun that found the
    sequence complete (its frames still have no mask): ``NAME: made by an earlier run: LINE``;
    where a video ended stays a :class:`segmix.frames.SequenceEnd` (counted apart)."""
    from segmix.frames import RepeatedSkip, SequenceEnd

    lines = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("repeated"), str):
            lines.append(RepeatedSkip(f"{name}: as made by an earlier run: {entry['repeated']}"))
        elif isinstance(entry, dict):
            try:
                end = SequenceEnd.from_dict(entry)
            except (KeyError, TypeError, ValueError):
                continue
            lines.append(SequenceEnd(f"{name}: as made by an earlier run: {end}", end.frames, end.announced,
                                     end.truncated, end.estimated))
        else:
            lines.append(f"{name}: as made by an earlier run: {entry}")
    return lines


def skipped_frames(messages: list[str]) -> list[str]:
    """The messages of frames skipped without a mask, among a sequence's messages (warnings
    and notes left out): one per frame."""
    return [m for m in messages if not m.startswith((WARNING, NOTE))]


def input_fingerprint(source) -> dict:
    """What a sequence's masks were made from, as its record keeps it: a folder's frames as
    :class:`segmix.frames.FrameSequence` lists them, each ``[name, size, mtime_ns]``; a
    video's (or an animation's) name, size and modification time. Any change of a frame
    (added, removed, renamed, rewritten) changes it.

    Raises
    ------
    OSError
        The input cannot be listed.
    """
    from segmix.frames import frame_files

    path = Path(source)
    if path.is_dir():
        frames = []
        for frame in frame_files(path):
            frames.append([frame.name, *_stat_state(frame)])
        return {"kind": "folder", "frames": frames}
    size, mtime_ns = _stat_state(path)
    return {"kind": "file", "name": path.name, "size": size, "mtime_ns": mtime_ns}


def _stat_state(path: Path) -> list:
    """:func:`segmix.distributed.cluster.file_state`, raising OSError for a file that is gone."""
    state = file_state(path)
    if state is None:
        path.stat()  # the OSError that says why
    return state


def input_change(old, new: dict) -> str | None:
    """Why the input ``new`` (:func:`input_fingerprint`) is not the one a record holds
    (``old``), in words ("its frames changed since the last run (2 added: b00040.bmp,
    b00041.bmp)"); None when it is the same."""
    if old == new:
        return None
    if not isinstance(old, dict) or old.get("kind") != new["kind"]:
        return "its input changed since the last run (a " + ("folder" if new["kind"] == "folder" else "video") + \
            " now)"
    if new["kind"] == "file":
        if old.get("name") != new["name"]:
            return f"its video changed since the last run (now {new['name']}, was {old.get('name')})"
        return "its video changed since the last run (another size or modification time)"
    try:
        before = {name: (size, mtime) for name, size, mtime in old.get("frames", [])}
    except (TypeError, ValueError):
        return "its frames changed since the last run"
    after = {name: (size, mtime) for name, size, mtime in new["frames"]}
    parts = []
    for what, names in (("added", [n for n in after if n not in before]),
                        ("removed", [n for n in before if n not in after]),
                        ("rewritten", [n for n in after if n in before and after[n] != before[n]])):
        if names:
            parts.append(f"{len(names)} {what}: {listed_names(names)}")
    return "its frames changed since the last run" + (f" ({'; '.join(parts)})" if parts else "")


def _record_stamp(folder: Path) -> int | None:
    """When a sequence's record was last written (ns), None without one: a record written
    during a run marks a sequence that run finished (renamed into place whole)."""
    try:
        return (folder / RECORD).stat().st_mtime_ns
    except OSError:
        return None


def _read_record(folder: Path):
    """A sequence's run record (a dict), or None when it cannot be read."""
    return read_record(folder / RECORD)


def redo_reasons(record, key: dict, fingerprint: dict, source=None) -> list[str]:
    """Why the sequence of which ``OUT/<name>/`` holds ``record`` is run again (empty: it is
    complete): other settings, another input, frames that had no mask and have changed since
    (their files in the folder ``source``), or a record that cannot say."""
    if record is None:
        return ["its run record cannot be read"]
    reasons = []
    if {k: record.get(k) for k in key} != json.loads(json.dumps(key)):
        reasons.append("it was made with other settings")
    if INPUT not in record:
        reasons.append("its run record does not list the frames it was made from (an earlier segmix wrote it)")
    else:
        change = input_change(record[INPUT], fingerprint)
        if change:
            reasons.append(change)
    if record.get(INCOMPLETE):
        # Frames skipped on an unchanged input would be skipped again: no reason, unless one of
        # the skipped files changed since (a frame mended by chmod keeps its mtime) or the
        # record does not list them (an earlier segmix's).
        files = record.get(SKIPPED_FILES)
        n = len(record[INCOMPLETE]) if isinstance(record[INCOMPLETE], list) else 0
        if not isinstance(files, dict):
            reasons.append(f"{n or 'some'} of its frames had no mask after the last run")
        else:
            changed = [name for name, state in files.items()
                       if source is not None and _file_state(Path(source) / name) != state]
            if changed:
                reasons.append(f"{len(changed)} of its frames that had no mask changed since the last run "
                               f"({listed_names(changed)})")
    return reasons


def _replace(final: Path, partial: Path, record) -> list[str]:
    """Rename the finished ``partial`` to ``final``, replacing an earlier run's folder: the
    files that run recorded as its own (its masks, its record) go; anything else in it (put
    there since) is moved to the new folder. Returns the names of the earlier run's masks
    the new run did not write again (stale: their frames are gone), which are removed.

    Raises
    ------
    ValueError
        A file not written by the earlier run has the name of a new mask (nothing moved).
    """
    if not final.exists():
        os.rename(partial, final)
        return []
    masks = record.get(MASKS) if isinstance(record, dict) else None
    if isinstance(masks, list):
        own = {str(m) for m in masks}
    else:  # a record of an earlier segmix, which kept no list: its masks are the .png files
        own = {p.name for p in final.iterdir() if p.is_file() and p.suffix.lower() == ".png"}
    foreign = [p for p in final.iterdir() if p.name != RECORD and p.name not in own]
    clash = sorted(p.name for p in foreign if os.path.lexists(partial / p.name))
    if clash:
        raise ValueError(f"{final}: holds {listed_names(clash)}, not written by segmix background, where new masks go; "
                         "move them away")
    for path in foreign:
        os.rename(path, partial / path.name)
    from segmix.frames import natural_key

    stale = sorted((n for n in own if (final / n).is_file() and not os.path.lexists(partial / n)), key=natural_key)
    shutil.rmtree(final)
    os.rename(partial, final)
    return stale


def _judged(job: BackgroundJob, source: str, name: str, fingerprint: dict) -> tuple[dict | None, list[str]]:
    """``(record, reasons)``: the run record of the sequence ``source``'s output folder
    ``OUT/name`` (None without one) and why it is run again (:func:`redo_reasons`; empty, with
    the folder there, when it is complete): as a task and the client judge it alike."""
    final = Path(job.output_dir) / name
    if not final.is_dir():
        return None, []
    record = _read_record(final)
    return record, redo_reasons(record, job.key(), fingerprint, source)


def _complete_here(job: BackgroundJob, source: str, name: str):
    """On the client, for a sequence whose task was given up (its workers gone): the result
    :func:`run_sequences` gives a complete one (``(source, "complete", 0, lines)``) when its
    output folder is complete (:func:`_judged`), else None (not done)."""
    final = Path(job.output_dir) / name
    try:
        if not (final / RECORD).is_file():
            return None
        record, reasons = _judged(job, source, name, input_fingerprint(source))
    except OSError:  # not to be read here: not done
        return None
    if reasons or record is None:
        return None
    return source, "complete", 0, _recorded_lines(record.get(INCOMPLETE), name)


#: The options a task's lines name (segmix.arguments.option_names): it runs on a worker, outside
#: the command's own context, and said "a model" and "offset=N", a Python caller's words.
_OPTIONS = {"model": "--model", "groundtruth_offset": "--groundtruth-offset", "output_dir": "--output-dir",
            "median_size": "--median-size"}


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
    from segmix.arguments import option_names
    from segmix.background_run import (filter_wiped_warning, frame_timing_warning, mostly_moving_warning,
                                       run_sequence, shake_warning, short_sequence_warning,
                                       undecodable_start_warning)
    from segmix.frames import FrameSequence
    from segmix.io import failure_line

    out = Path(job.output_dir)
    results = []
    for source, name in sources:
        final, partial = out / name, out / f".{name}.partial"
        if final.exists() and not (final / RECORD).is_file():
            results.append((source, "failed", 0, [f"{final}: exists and was not written by segmix background "
                                                  "--distributed; move it away or choose another --output-dir"]))
            continue
        try:
            fingerprint = input_fingerprint(source)  # before the run: a frame changed during it shows next time
        except OSError as exc:
            results.append((source, "failed", 0, [failure_line(exc, source, partial, final)]))
            continue
        record, reasons = _judged(job, source, name, fingerprint)
        if final.is_dir() and not reasons:
            # Its frames without a mask (unreadable, unchanged) still have none: said again.
            results.append((source, "complete", 0, _recorded_lines(record.get(INCOMPLETE), name)))
            continue
        shutil.rmtree(partial, ignore_errors=True)  # an earlier attempt's, cut short
        skipped: list[str] = []
        try:
            # The warnings of the frames' reading (16-bit frames of 12-bit data, an AVI's dropped
            # frames), raised on this task's threads: said by the client as without Dask, with
            # the path as given (they reached the terminal as Python prints them, a re-check).
            with _SEQUENCE_LOCK, warnings_said() as said, option_names(**_OPTIONS):
                sequence = FrameSequence(source, on_skip=skipped.append)
                model = _fresh_model(job)
                frames_before = model.frame_count_  # a saved --model has learnt already
                result = run_sequence(sequence, model, partial)
            skipped.extend(f"{WARNING}{line}" for line in dict.fromkeys(said))
            with option_names(**_OPTIONS):  # the command's words, as without Dask
                short = short_sequence_warning(source, result.frames, frames_before, model)
                start = (undecodable_start_warning(source, sequence.undecodable_start)
                         if sequence.undecodable_start else None)
            if short:  # as the one-machine command says it; a warning, not a failure
                skipped.append(f"{WARNING}{short}")
            crowded = mostly_moving_warning(result)
            if crowded:  # as the one-machine command says it (segmix.background_run)
                skipped.append(f"{WARNING}{source}: {crowded}")
            shaking = shake_warning(result, "segmix background --stabilise on this sequence alone (not with "
                                            "--distributed)")
            if shaking:  # a camera that shakes: as the one-machine command says it
                skipped.append(f"{WARNING}{source}: {shaking}")
            with option_names(**_OPTIONS):
                wiped = filter_wiped_warning(result, model, model.shape_)
            if wiped:  # as the one-machine command says it: 3 x 3 frames' masks all 0
                skipped.append(f"{WARNING}{source}: {wiped}")
            timing = frame_timing_warning(sequence)
            if timing:  # dropped frames or a variable rate: as the one-machine command says it
                skipped.append(f"{WARNING}{timing}")
            if sequence.undecodable_start:
                # Its masks are numbered from the first frame that decodes: said as without
                # Dask (was not a word, exit status 0: ground truth of the file's frames was
                # scored 4 frames off for a clip cut between key frames).
                skipped.append(f"{WARNING}{start}")
            partial.mkdir(parents=True, exist_ok=True)  # run_sequence makes it with its first mask only
            # The record holds the settings, the input the masks were made from and the masks
            # written. Frames without a mask are recorded too: a rerun runs the sequence again
            # (a mended frame changes every mask after it: the model is sequential) and
            # reports the frames still unreadable.
            entry = {**job.key(), INPUT: fingerprint,
                     MASKS: sorted(p.name for p in partial.iterdir() if p.name != RECORD)}
            if result.skipped:
                from segmix.frames import FrameSkip

                lost = skipped_frames(result.skipped)
                entry[INCOMPLETE] = _record_lines(lost)
                entry[SKIPPED_FILES] = {str(m.path.relative_to(source)) if m.path.is_relative_to(source)
                                        else str(m.path): _file_state(m.path)
                                        for m in lost if isinstance(m, FrameSkip)}
            record_run(partial, RECORD, entry)
            stale = _replace(final, partial, record)  # an earlier run's folder, if any
            if reasons:
                note = f"{name}: {'; '.join(reasons)}: redone"
                if stale:
                    note += (f"; removed the mask of 1 frame no longer there: {listed_names(stale)}" if len(stale) == 1
                             else f"; removed the masks of {len(stale)} frames no longer there: {listed_names(stale)}")
                skipped.append(f"{NOTE}{note}")
            results.append((source, "written", result.frames, skipped))
        except NotShared:
            # the worker's fault, not the sequence's: the task fails, and the other workers run it
            shutil.rmtree(partial, ignore_errors=True)
            raise
        except (ValueError, OSError, MemoryError) as exc:  # FrameError is a ValueError and names the file
            # MemoryError: a sequence of frames too large fails alone (FEWER_COMPONENTS: the
            # model's own words name -k, as the one-machine command's line does)
            from segmix.background import FEWER_COMPONENTS

            shutil.rmtree(partial, ignore_errors=True)
            failure = [failure_line(exc, source, partial, final, remedy="scale the frames down").replace(
                FEWER_COMPONENTS, "or give fewer Gaussians per pixel (-k)")]
            if reasons and final.is_dir():
                failure.append(f"{final}: still holds the masks of its last run ({'; '.join(reasons)})")
            results.append((source, "failed", 0, failure))
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

    out = resolved_path(output_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out}: exists and is not a folder")
    sources, names = [], {}
    shared: dict[str, list[Path]] = {}  # output name -> the inputs that would all write it
    given: dict[Path, Path] = {}  # resolved input -> the input as first given
    for item in inputs:
        path = Path(item)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or folder")
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES and not _is_animation(path):
            # An animated GIF / APNG / WebP is a sequence, as the one-machine command reads it
            # (a trial's 61-frame GIF was refused here as "a single frame").
            raise ValueError(f"{path}: with --distributed every input is a sequence (a frame folder, a video or "
                             "an animation), not a single frame")
        name = sequence_name(path)
        first = given.setdefault(resolved_path(path), path)
        if first is not path:
            # One input named twice (partA ./partA/, or a link to it): "would both write
            # .../partA; rename one" told the user to rename a folder that is one, and under
            # two names its frames were run twice.
            kind = "folder" if path.is_dir() else "file"
            shown = f" (as {first} and {path})" if str(path) != str(first) else ""
            raise ValueError(f"{path}: the same {kind} given twice{shown}; give each input once")
        if name in names:
            # Every input of the name, said once after the loop: three folders named "a" were
            # said as two, the third left to the next run.
            shared.setdefault(name, [names[name]]).append(path)
            continue
        names[name] = path
        resolved = resolved_path(path)
        for target in (out / name, out / f".{name}.partial"):
            if target == resolved or target in resolved.parents:
                raise ValueError(f"{target}: the output of {path} would replace an input; choose another --output-dir")
        _refuse_other_input(out / name, Path(output_dir) / name, path, resolved)
        sources.append((str(resolved), name))
    if shared:
        name, paths = next(iter(shared.items()))
        # "rename one" only when every shared name has two inputs (a later name of three was
        # said with it, where renaming one of those three is not enough).
        fix = "rename one" if all(len(group) == 2 for group in shared.values()) else "rename all but one"
        who = (f"{paths[1]} and {paths[0]} would both write {out / name}; {fix}" if len(paths) == 2 else
               f"{', '.join(map(str, paths[:-1]))} and {paths[-1]} would all write {out / name}; {fix}")
        more = list(shared)[1:]
        if more:
            who += (f" (and {len(more)} more output folder{'s' if len(more) > 1 else ''} that more than one input "
                    f"would write: {', '.join(more[:3])}{', ...' if len(more) > 3 else ''})")
        raise ValueError(who)
    if model_path is not None:
        # A sequence's output folder is replaced by a rerun with other settings: a --model
        # kept in it would go with it.
        for name in names:
            for target in (out / name, out / f".{name}.partial"):
                if target in resolved_path(model_path).parents:
                    raise ValueError(f"{target}: the output of {names[name]} would replace the input "
                                     f"{model_path}; choose another --output-dir")
    return sources


def _refuse_other_input(folder: Path, folder_given: Path, given: Path, source: Path) -> None:
    """Refuse a sequence whose output folder holds the masks an earlier run made of another
    input (their :mod:`segmix.source_record`), as the one-machine command refuses them: two
    cameras' ``day1/frames`` both write ``OUT/day1``, and the second replaced the first's masks
    in silence ("its frames changed since the last run: redone"). A sample of the masks is
    looked at, as the one-machine command looks (:func:`segmix.source_record.first_other_source`)."""
    from segmix.source_record import first_other_source

    try:
        entries = sorted(folder.iterdir()) if folder.is_dir() else []
    except OSError:  # an unreadable folder: the run names it where it writes
        return
    masks = [mask for mask in entries if mask.suffix.lower() == ".png" and not mask.name.startswith(".")]
    found = first_other_source(masks, source)
    if found is not None:
        other = found[1]
        raise ValueError(f"{folder_given}: holds the masks an earlier run made of {other}, another input ({given} "
                         "would replace them); move those masks away or choose another --output-dir")


def _is_animation(path: Path) -> bool:
    """Whether the image file ``path`` holds more than one frame (an animation, read as a
    sequence by :class:`segmix.frames.FrameSequence`); False when it cannot be read."""
    from segmix.io import count_frames

    try:
        return count_frames(path) > 1
    except (OSError, ValueError):
        return False


def remove_partials(output_dir, sources: list[tuple[str, str]]) -> None:
    """Remove the ``OUT/.<name>.partial/`` folders of ``sources`` (:func:`plan_sequences`):
    what the workers of an interrupted run, stopped with the local cluster, were writing.
    Only once no worker writes there any more; a rerun removes them too (:func:`run_sequences`)."""
    out = resolved_path(output_dir)
    for _, name in sources:
        shutil.rmtree(out / f".{name}.partial", ignore_errors=True)


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
    out = resolved_path(output_dir)
    sources = plan_sequences(inputs, output_dir, model_path)
    if not quiet:
        from segmix.background_run import ignored_words

        for item in inputs:  # as the one-machine command notes them: a video beside frames
            ignored = ignored_words(item, output_dir) if Path(item).is_dir() else None
            if ignored:
                stream.write(f"segmix background: note: {ignored}\n")
    digest = None
    if model_path is not None:
        from segmix.background import load_background_model

        load_background_model(model_path)  # a bad file stops the run here, not in every task
        model_path = str(resolved_path(model_path))
        digest = file_digest(model_path)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)  # after every refusal: the workers write in it
    job = BackgroundJob(str(out), dict(overrides), model_path, digest)
    # The masks must be where this command looks, the sequences where the workers look, and the
    # scheduler able to load the tasks: workers that fail are left out of the run.
    sample = input_sample((path for path, _ in sources), most=len(sources))
    shared = check_workers_share(client, out, output_dir, created, inputs=sample, task=(run_sequences, job))
    batches = [[s] for s in sources]  # (path, name) pairs
    # Tasks carry resolved paths; a sequence and its frames are named as the user gave them,
    # as without Dask (a trial's run said "skipped /tmp/trialP/seqs/camX/in000005.jpg", the
    # one-machine command "skipped seqs/camX/in000005.jpg").
    # A video's frame is "VIDEO frame N: ..." (its damaged or odd-sized frames were said with
    # the resolved path: a session-35 trial).
    # "VIDEO frames 10-20 (11 frames): ..." too (frames a demuxer passed over, session 40: said
    # with the resolved path on Dask alone).
    given = [(re.compile(re.escape(source) + r"(?=[/\\:]| frames? \d|$)", re.MULTILINE), str(Path(item)))
             for (source, _), item in zip(sources, inputs)]

    output_named = output_as_given(out, output_dir)  # OUT/<name> as given, as without Dask

    def as_given(line: str) -> str:
        # A plain str (a FrameSkip's type is not kept): the lines are only printed.
        for pattern, item in given:
            line = pattern.sub(lambda _: item, line)
        return output_named(line)

    stamps = {name: _record_stamp(out / name) for _, name in sources}
    try:
        results = run_tasks(client, run_sequences, job, batches, description="background", unit="sequence",
                            quiet=quiet, stream=stream, shared=shared, inputs=sample)
    except KeyboardInterrupt as exc:
        if exc.args:
            raise
        # How far the run got, as the one-machine command says it: "segmix: interrupted"
        # alone left a user to look in OUT for which sequences were whole.
        done = [name for _, name in sources if _record_stamp(out / name) not in (None, stamps[name])]
        shown = ", ".join(str(Path(output_dir) / name) for name in done[:3]) + (", ..." if len(done) > 3 else "")
        words = (f"{len(done)} of {len(sources)} sequence{' was' if len(sources) == 1 else 's were'} written whole "
                 "when it came"
                 + (f" ({shown})" if done else "") + f"; {UNDER_WAY}")
        raise type(exc)(words) from None
    except (ValueError, OSError):  # the command's own refusals, before any task
        raise
    except Exception as exc:  # noqa: BLE001 - the whole run failed (the scheduler lost)
        # Exit 2 says "nothing is written": with sequences written whole it is a partial run, 1
        # (as skin_jobs.run_apply); with none, the error propagates (one line, exit 2).
        done = [name for _, name in sources if _record_stamp(out / name) not in (None, stamps[name])]
        if not done:
            raise
        if len(done) >= len(sources):
            # Every sequence was written whole before the loss: not "some inputs failed" (1).
            stream.write(f"segmix background: note: {describe_exception(exc).split('; ')[0]}, after every task "
                         f"had finished (all {len(sources)} sequence{' was' if len(sources) == 1 else 's were'} "
                         "written whole)\n")
            return 0
        stream.write(f"segmix background: error: the Dask run failed: {describe_exception(exc)} ({len(done)} of "
                     f"{len(sources)} sequence{' was' if len(sources) == 1 else 's were'} written whole)\n")
        return 1
    import collections

    from segmix.frames import RepeatedSkip, SequenceEnd, skip_cause
    from segmix.repeated_lines import RepeatHolder

    written = complete = frames = skipped = ended = kept = kept_ended = 0
    causes = collections.Counter()  # what skipped the frames of the sequences written (skip_cause)
    failed, lines, notes = 0, [], []
    not_found = []  # sequences a worker found no such file or folder
    for batch, result in zip(batches, results):
        if isinstance(result, WorkersGone):
            # A task given up, its workers gone: a sequence it had finished (its record written
            # during the run, renamed into place whole) is written, not "not done".
            finished = [(s, name) for s, name in batch if _record_stamp(out / name) not in (None, stamps[name])]
            for _, name in finished:
                written += 1
                frames += len((_read_record(out / name) or {}).get(MASKS) or [])
            # Those complete from an earlier run, as a task judges them (:func:`_judged`), are
            # complete: judged by the record's time alone, they were "not done" and failed.
            gone, result = result, [found for item in batch if item not in finished
                                    and (found := _complete_here(job, *item)) is not None]
            whole = {found[0] for found in result}
            batch = [item for item in batch if item not in finished and item[0] not in whole]
            failed += len(batch)
            lines.extend((as_given(s), as_given(f"{s}: {describe_exception(gone)}")) for s, _ in batch)
        elif isinstance(result, BaseException):
            failed += len(batch)
            lines.extend((as_given(s), as_given(f"{s}: {describe_exception(result)}")) for s, _ in batch)
            continue
        for source, outcome, n_frames, messages in result:
            if outcome == "failed" and any(m.startswith(source + NOT_FOUND) for m in messages):
                not_found.append(source)
            notes.extend(as_given(m[len(NOTE):]) for m in messages if m.startswith(NOTE))
            # A frame said with the line before it (frames a demuxer passed over: "frames 10-20
            # (11 frames)") is counted, not printed: 11 lines said what one said. Lines alike
            # are folded as the one-machine command folds them (RepeatHolder: the first of each
            # kind, then the others with their count): 4 truncated frames gave 4 lines here.
            repeats = RepeatHolder(in_order=True)  # in frame order, as the one-machine command
            for m in messages:
                if m.startswith(NOTE):
                    continue
                if isinstance(m, RepeatedSkip):
                    repeats.repeat(m)
                elif (outcome == "complete" or m.startswith(WARNING) or isinstance(m, SequenceEnd)):
                    lines.append((as_given(source), as_given(m)))  # a record's lines (complete) carry no file: as they were
                else:
                    lines.extend((as_given(source), as_given(said)) for said in repeats.take(m))
            lines.extend((as_given(source), as_given(m)) for m in repeats.held())
            failed += outcome == "failed"
            written += outcome == "written"
            complete += outcome == "complete"
            frames += n_frames
            if outcome in ("written", "complete"):
                # Frames, not lines: where a video ends early is no skipped frame (skip_words).
                lost = skipped_frames(messages)
                ends = sum(isinstance(m, SequenceEnd) for m in lost)
                if outcome == "written":
                    ended += ends
                    skipped += len(lost) - ends
                    causes.update(skip_cause(m) for m in lost if not isinstance(m, SequenceEnd))
                else:  # complete: what the run that made it skipped, on the same input since
                    kept_ended += ends
                    kept += len(lost) - ends
    # Sequences that failed for the same reason share a line (a worker's long reason, once each).
    for line in said_once(lines, "sequence"):
        stream.write(f"segmix background: {line}\n")
    # Workers whose checks failed, while the others did their work: a note, so not with --quiet
    # (errors are said all the same; the notes were printed with it until session 41).
    for note in [] if quiet else left_out_notes(client):
        stream.write(f"segmix background: note: {as_given(note)}\n")
    # A note too (the sequences' own lines are said all the same): it was printed with --quiet.
    unseen = None if quiet else seen_here(not_found, [as_given(source) for source in not_found])
    if unseen:  # here, but not where the workers run
        stream.write(f"segmix background: note: {unseen}\n")
    # Skipped frames counted as the one-machine command counts them ("4 frames ..., 3
    # skipped"): "0 failed" alone, which counts sequences, read as if every frame had a mask.
    # By cause, as the one-machine summary (skip_words): "3 skipped" did not say which.
    why = (next(iter(causes)) if len(causes) == 1 else ", ".join(f"{count} {cause}" for cause, count in causes.most_common()))
    without = f", {skipped} skipped ({why})" if skipped and sum(causes.values()) == skipped else (
        f", {skipped} skipped" if skipped else "")
    if ended:
        without += f", {ended} sequence{' ended' if ended == 1 else 's ended'} early (truncated or undecodable)"
    for note in notes:  # why a sequence with a record was redone: its input changed, ...
        print(note, file=out_stream)
    kept_words = [f"{kept} frame{'' if kept == 1 else 's'} without a mask"] if kept else []
    if kept_ended:
        kept_words.append(f"{kept_ended} ended early")
    kept_words = f" ({', '.join(kept_words)}: skipped when made, input unchanged since)" if kept_words else ""
    print(f"background on Dask: {len(sources)} sequence{'' if len(sources) == 1 else 's'} to {output_dir}, {written} written ({frames} frames{without}), "
          f"{complete} already complete{kept_words}, {failed} failed", file=out_stream)
    # A folder of a generic name is written under its parent's (frames/ in /tmp/trial went to
    # OUT/trial/): a trial's summary named no folder, and the one it looked for was not there.
    renamed = [(item, name) for item, (_, name) in zip(inputs, sources) if name != Path(item).name
               and not (Path(item).is_file() and name == Path(item).stem)]
    if renamed and not quiet:
        listed = ", ".join(f"{Path(item)}/ -> {Path(output_dir) / name}/" for item, name in renamed)
        generic = sorted(GENERIC_FOLDER_NAMES)
        print(f"segmix background: note: {listed} (a folder named {', '.join(generic[:-1])} or {generic[-1]} "
              "takes the name of the folder holding it)", file=stream)
    if sources and failed == len(sources):
        # "all 1 sequences failed" (a session-39 trial's one sequence) read as a slip
        which = f"all {len(sources)} sequences" if len(sources) > 1 else "the sequence"
        stream.write(f"segmix background: error: {which} failed; nothing written\n")
        if created:
            try:  # nothing was written: leave no empty folder behind either
                out.rmdir()
            except OSError:
                pass
        return 2
    from segmix.background_run import UNDECODABLE_START

    # Frames without a mask make the status 1, as without Dask: a video's first frames that
    # cannot be decoded too (said as a warning).
    return 1 if any(not line.startswith(WARNING) or f" {UNDECODABLE_START} (" in line for _, line in lines) else 0
