"""File > Export and Save Scribbles written off the GUI thread, one after another.

Why: a 40-megapixel photo's mask, cut-out and scribbles took 17-31 s to write (PNG
compression), and the window stood frozen meanwhile (session 37). The writes run here on one
thread of their own, not on the compute thread: a new fit cancels the compute thread's job
(TrainingController.request_call), which must not drop an export, and an export must not wait
behind a fit. The writes are Pillow / NumPy / file work only (no Numba kernel: two threads
running parallel kernels at once abort the process, segmix.gui.worker).

Each job is a callable that holds its own data (copies of the arrays shown when the export was
asked for); its ``finished(error)`` runs on the GUI thread, in the order the jobs were
submitted, with None or the exception the write raised.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, Signal

from segmix.gui.signals import emit


@dataclass
class _Job:
    name: str
    write: Callable[[], None]
    finished: Callable[[BaseException | None], None]
    error: BaseException | None = None
    path: str | None = None  # the file written (normalised), when given
    # Set by the writer thread before it signals: the signal may be handled before the
    # executor marks its future done (a job so ended was never reported, the window saying
    # "Saving NAME..." for good).
    ended: threading.Event = field(default_factory=threading.Event)


class ExportWriter(QObject):
    """A FIFO of writes run on one background thread (started at the first job)."""

    _written = Signal()  # from the writer thread: a job ended (delivered on the GUI thread)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor: ThreadPoolExecutor | None = None
        self._jobs: deque[_Job] = deque()
        self._written.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        """Whether a job was submitted whose ``finished`` has not run yet."""
        return bool(self._jobs)

    def pending_names(self) -> list[str]:
        """The names of the jobs not yet reported, oldest first."""
        return [job.name for job in self._jobs]

    def pending_paths(self) -> set[str]:
        """The files (as given to :meth:`submit`) of the jobs not yet reported."""
        return {job.path for job in self._jobs if job.path is not None}

    def submit(self, name: str, write: Callable[[], None], finished: Callable[[BaseException | None], None],
               path: str | None = None) -> None:
        """Run ``write()`` after the jobs before it; then ``finished(None or the exception)`` on
        the GUI thread. ``name``: what is written (a file name), for the status bar; ``path``:
        the file, normalised (:meth:`pending_paths`)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="segmix-export")
        job = _Job(name, write, finished, path=path)
        self._jobs.append(job)
        self._executor.submit(self._run, job)

    def _run(self, job: _Job) -> None:  # on the writer thread
        try:
            job.write()
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, which reports it
            job.error = exc
        finally:
            job.ended.set()
            emit(self._written)

    def _deliver(self) -> bool:
        """Report the jobs that have ended, oldest first, stopping at the first still running
        (so that reports keep the order of the exports). True if none of them failed."""
        ok, fault = True, None
        while self._jobs and self._jobs[0].ended.is_set():
            job = self._jobs.popleft()
            ok = ok and job.error is None
            try:
                job.finished(job.error)
            except Exception as exc:  # noqa: BLE001 - the next jobs are reported first
                fault = fault or exc
        if fault is not None:
            raise fault  # a fault of ours (finished re-raises what is no ValueError / OSError)
        return ok

    def wait(self) -> bool:
        """Block until every job submitted is written and reported (closing the window, opening
        another photo); True if none of them failed."""
        ok = True
        while self._jobs:
            self._jobs[0].ended.wait()
            ok = self._deliver() and ok
        return ok

    def shutdown(self) -> None:
        """Finish every job (:meth:`wait`) and end the thread."""
        self.wait()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
