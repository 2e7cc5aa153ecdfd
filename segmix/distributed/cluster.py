"""Dask plumbing shared by the distributed jobs: connect, run tasks, cache per worker, rerun.

A job is a list of tasks, each a module-level function of this package called with a small
job description (paths and settings, never arrays or models) and a batch of inputs (paths).
Workers read inputs and model files from storage that every host sees under the same path.

Idempotence: every task first removes what an earlier attempt of itself may have left (the
temporary files of :func:`segmix.io.atomic_write`, a partial folder), skips outputs that are
complete, and writes the rest atomically; so a task may run twice (a worker died, the run was
interrupted) without harm. A run record (JSON next to the outputs) names the model and
settings that made them, so that a rerun with other settings does not keep them.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import contextvars
import hashlib
import json
import logging
import os
import re
import socket
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["AnotherSegmix", "FolderUnseen", "InputsUnseen", "NotShared", "TaskError", "check_address", "check_scheme", "check_same_segmix", "check_scheduler_loads",
           "check_tls_settings", "check_workers_share", "checked_task", "connect", "dashboard_link", "describe_exception", "file_digest",
           "file_state", "fit_workers", "input_sample", "Placed", "WorkersGone", "leave_out", "left_out_notes", "new_run", "output_as_given", "probe_scheduler", "read_record",
           "record_run", "reduce_tasks", "remove_leftovers", "run_tasks", "runs_match", "said_once",
           "seen_here", "segmix_identity", "shared_file_digest", "unfit_worker", "version_mismatch_words", "warnings_said", "worker_cached"]

INSTALL_HINT = 'pip install ".[distributed]" in the segmix folder'
# Seconds to wait for a remote scheduler and for its first worker (a scheduler without
# workers would otherwise keep the run waiting for ever).
CONNECT_TIMEOUT = 30
WORKER_TIMEOUT = 120
#: Seconds between the checks, while tasks run, that the scheduler still has a worker.
WORKER_CHECK_INTERVAL = 10

#: The clock of the stranded tasks' timer (:func:`said_when_no_worker_is_left`); the tests' own.
_clock = time.monotonic
#: Seconds that tasks sent to named workers only (those that passed the run's checks, when a
#: worker was left out) are waited for once those workers are all gone: Dask would keep them
#: for ever, whoever joins (a trial's run said so once and then hung). Long enough for a worker
#: that lost its connection for a moment to come back under its address.
STRANDED_TIMEOUT = 60
#: Seconds a first plain TCP connection to a scheduler may take: Dask retries a refused
#: connection until CONNECT_TIMEOUT, so `--distributed tcp://127.0.0.1:1` (nothing there)
#: waited 30 s for "Timed out trying to connect" (a new-user trial). A scheduler that
#: listens accepts at once; a host that does not answer at all is given this long.
PROBE_TIMEOUT = 5
PRE_SPAWN_ENVIRON = "distributed.nanny.pre-spawn-environ"
#: Set in the environment of a local cluster's workers: what the client has said already
#: about the environment (segmix.kernels: a NUMBA_ variable numba cannot read) is not said again.
LOCAL_WORKER = "SEGMIX_LOCAL_DASK_WORKER"
#: Dask settings of the local cluster: its processes' housekeeping (a stack-sampling profiler
#: every 10 ms, event-loop ticks every 20 ms, memory checks every 100 ms) took 10 % of a core
#: with one idle worker and 17 % with two; 2 % and 4 % with these. The dashboard's
#: profile page stays empty.
QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing-interval": "1s",
}
#: How an interrupted run's line ends (after how far it got): the tasks a worker had started
#: when it came may still write their outputs; the command line puts what a scheduler's own
#: workers do in its place.
UNDER_WAY = "tasks under way then may still finish; a rerun does only what is missing"
_HOST_PORT = re.compile(r"[\w.\-]+:\d+|\[[0-9A-Fa-f:.]+\]:\d+")


#: The schemes segmix reaches a scheduler by: Dask's others are inproc:// (a scheduler inside
#: this very process) and ucx:// (its UCX backend, an abstract class in this Dask: "Can't
#: instantiate abstract class UCXConnector").
SCHEMES = ("tcp", "tls", "ws", "wss")
GIVE = ("give tcp://HOST:PORT, the address `dask scheduler` prints (port 8786 by default), or tls://, ws:// or "
        "wss:// for a scheduler started with that protocol")


def check_scheme(address: str) -> None:
    """Refuse an address with a scheme segmix cannot reach a scheduler by, or without a host.

    Raises
    ------
    ValueError
        One line naming ``--distributed``, the address, what is wrong and what to give (was
        Dask's words, naming neither: "not enough values to unpack (expected 3, got 1)" for
        ``inproc://x``, "(unknown host )" for ``tcp://:8786``).
    """
    scheme, _, location = address.partition("://")
    start = f"--distributed {address}: "
    if scheme.lower() in ("http", "https"):
        # A dashboard's link (http://HOST:8787/status) given for the scheduler's address
        # came back as Dask's "unknown address scheme 'http' (known schemes: [...])".
        raise ValueError(f"{start}{scheme}:// is not an address of a Dask scheduler (the dashboard's http:// link "
                         "is not it); give the scheduler's, tcp://HOST:PORT (the port it prints, 8786 by default)")
    if scheme == "inproc" and _in_this_process(location):
        return  # a scheduler of this very process (a program's, or a test's, own cluster)
    if scheme not in SCHEMES:
        why = {"inproc": "inproc:// reaches only a scheduler inside the same process, and none is there",
               "ucx": "ucx:// (UCX) is not supported", "ucxx": "ucxx:// (UCX) is not supported"}.get(
            scheme, f"{scheme}:// is not a scheme segmix reaches a scheduler by"
            + (" (schemes are written in lower case)" if scheme.lower() in SCHEMES else ""))
        raise ValueError(f"{start}{why}; {GIVE}")
    if location.startswith(":") or not location:
        raise ValueError(f"{start}not a scheduler address (no host); {GIVE}")


def _in_this_process(location: str) -> bool:
    """Whether an ``inproc://`` scheduler listens at ``location`` in this process."""
    try:
        from distributed.comm.inproc import global_manager

        return global_manager.listeners.get(location) is not None
    except ImportError:
        return False


def check_address(text: str) -> str:
    """``text`` if it looks like a scheduler address (``tcp://host:8786``, ``host:8786``).

    Raises
    ------
    ValueError
        Otherwise (:func:`check_scheme`'s words for an address with a scheme); says so when
        ``text`` is an existing path (``--distributed`` placed before the inputs takes the
        first input as its address).
    """
    if "://" in text:
        check_scheme(text)
        return text
    if _HOST_PORT.fullmatch(text):
        return text
    hint = ""
    if Path(text).exists():
        hint = "; it is a file or folder: write --distributed after the inputs, or --distributed=ADDRESS"
    raise ValueError(f"--distributed {text}: not a scheduler address such as tcp://host:8786{hint}")


def _dask():
    try:
        import distributed
    except ImportError:
        raise ValueError(f"--distributed needs Dask, an optional dependency: {INSTALL_HINT}") from None
    return distributed


@contextlib.contextmanager
def connect(address: str | None = None, n_workers: int | None = None, threads_per_worker: int | None = None,
            quiet: bool = False, stream=None, command: str = "segmix") -> Iterator[Any]:
    """A Dask client: on the scheduler at ``address``, or on a local cluster started here.
    Its lines begin with ``command`` ("segmix skin apply": they read "segmix: Dask on a local
    cluster", where the run's other lines name the command), kept on the client for the
    run's later lines (``client.segmix_command``).

    Parameters
    ----------
    address : str, optional
        Scheduler address; None starts a ``LocalCluster`` of worker processes that is shut
        down when the block ends.
    n_workers : int, optional
        Local worker processes (default: one per core). Not with ``address``.
    threads_per_worker : int, optional
        Threads of each local worker process (default 1). Not with ``address``.
    quiet : bool
        No line about the cluster and its dashboard on ``stream`` (stderr).

    Yields
    ------
    distributed.Client

    Raises
    ------
    ValueError
        Dask is not installed, or worker options are given with an address.
    OSError
        The scheduler cannot be reached, or no worker joined it in time.
    """
    distributed = _dask()
    import dask

    stream = stream or sys.stderr
    with contextlib.ExitStack() as stack:
        stack.enter_context(_filtered(logging.getLogger("tornado.application"), _InterruptedSyncFilter()))
        stack.enter_context(_filtered(logging.getLogger("distributed.client"), _LostConnectionFilter()))
        if address:
            if n_workers is not None or threads_per_worker is not None:
                # Only the options given: "--n-workers and --workers" named --workers to
                # background and skin train, which have no such option.
                given = " and ".join(o for o, v in (("--n-workers", n_workers), ("--workers", threads_per_worker))
                                     if v is not None)
                raise ValueError(f"{given} size{'s' if ' and ' not in given else ''} a local cluster; with a "
                                 "scheduler address, start the workers with `dask worker ADDRESS --nworkers N "
                                 "--nthreads T`")
            check_tls_settings(address)  # Dask's "TLS expects a `ssl_context` argument", after connecting
            probe_scheduler(address)  # nothing listening there: one line now, not after 30 s
            if not quiet:
                # Dask retries a refused connection until the timeout: say what the wait is.
                print(f"{command}: connecting to the Dask scheduler at {address} (up to {CONNECT_TIMEOUT} s)",
                      file=stream, flush=True)
            client = stack.enter_context(distributed.Client(address, timeout=f"{CONNECT_TIMEOUT}s"))
            if not client.nthreads() and not quiet:
                # A scheduler without workers: the wait is said, with its cause and remedy (a
                # trial saw "connecting ... (up to 30 s)" and then 120 s of silence).
                print(f"{command}: the Dask scheduler at {address} has no worker yet: waiting up to {WORKER_TIMEOUT} s "
                      f"for one (start one with `dask worker {address}`)", file=stream, flush=True)
            try:
                client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
            except TimeoutError:
                raise TimeoutError(f"no Dask worker joined the scheduler at {address} within {WORKER_TIMEOUT} s") from None
            # A worker of another segmix writes other masks, which a rerun then keeps as complete
            # (a session-38 trial's worker of an older copy: "60 written", every mask different).
            check_same_segmix(client, address)
        else:
            try:
                os.getcwd()
            except FileNotFoundError:
                # The worker processes start in the current folder: a shell left in a deleted
                # folder got some 60 lines of Dask's tracebacks ("Nanny failed to start
                # process"), where the same run without --distributed works on absolute paths.
                raise OSError("the current folder no longer exists (deleted or moved while the shell was in it), "
                              "and a local Dask cluster starts its workers there: cd to a folder that exists") from None
            n = n_workers or os.cpu_count() or 1
            threads = threads_per_worker or 1
            # Numba's parallel kernels in each worker share the cores with the other workers.
            numba_threads = max(1, (os.cpu_count() or 1) // n)
            # Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also fixes
            # glibc's mmap threshold: every large array is then mapped and faulted in afresh,
            # and the detector spent 6x the system time (+50 % wall time per photo).
            stack.enter_context(dask.config.set({f"{PRE_SPAWN_ENVIRON}.MALLOC_TRIM_THRESHOLD_": None,
                                                 **QUIET_CLUSTER}))
            # Ctrl+C reaches every process of the terminal's group: this one closes the
            # cluster, the workers must not die on it with a traceback each. They start with
            # SIGINT blocked (:func:`_children_start_uninterruptible`: the mask of the thread
            # that spawns them, Dask's process-watch thread, not the main thread's: likely why
            # blocking it in the main thread was not inherited), and a plugin ignores it
            # once they run. This process holds Ctrl+C, as it holds SIGTERM, until the
            # cluster and its client are up, and then stops: it used to ignore it while the
            # workers started, so that they inherited "ignored", and a Ctrl+C in those
            # seconds was lost (a trial's, pressed 2.5 s in, ran to the end, exit 0).
            # SIGTERM (a command line's, turned into an exception) and Ctrl+C are held because,
            # raised inside LocalCluster's start, they left a half-started cluster that Dask's
            # exit hook then failed to close, with a screen of tracebacks ("AssertionError:
            # Status.init", "Nanny failed to start") after "segmix: terminated".
            stack.enter_context(_children_start_uninterruptible())
            with _terminations_held(), _terminations_held("SIGINT"):
                cluster = stack.enter_context(distributed.LocalCluster(
                    n_workers=n, threads_per_worker=threads, processes=True, dashboard_address=":0",
                    silence_logs=logging.ERROR, env={"NUMBA_NUM_THREADS": str(numba_threads), LOCAL_WORKER: "1"}))
                client = stack.enter_context(distributed.Client(cluster))
                client.register_plugin(_ignore_interrupts(), name="segmix-ignore-sigint")
        with contextlib.suppress(AttributeError):
            client.segmix_command = command
        if not quiet:
            workers = client.nthreads()
            threads = sum(workers.values())
            where = address or "a local cluster"
            left = [w for w in _left_out(client) if w in workers]
            print(f"{command}: Dask on {where}: {len(workers)} worker{'' if len(workers) == 1 else 's'}, {threads} "
                  f"thread{'' if threads == 1 else 's'}"
                  + (f" ({len(left)} of them left out: another segmix, named at the end)" if left else ""), file=stream)
            link = dashboard_link(client)
            if link:
                print(f"{command}: Dask dashboard: {link}", file=stream)
        try:
            yield client
        except KeyboardInterrupt:
            # Closing a cluster mid-run makes Dask log errors of its own (an interrupted
            # sync call, lost heartbeats): the user only asked to stop.
            for name in ("distributed", "tornado"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
            raise


def probe_scheduler(address: str, timeout: float = PROBE_TIMEOUT) -> None:
    """Open (and close) a TCP connection to the scheduler at ``address`` (a ``tcp://`` or
    ``tls://`` one; others are left to Dask), so that a wrong or dead address fails at once.

    Raises
    ------
    ValueError
        An address :func:`check_scheme` refuses, or a malformed one (no port, ...).
    ConnectionError
        One line naming the address and why: connection refused (nothing listens there), an
        unknown host, no answer within ``timeout`` seconds, a server there that is not a Dask
        scheduler (silent, or answering in another protocol: ``tcp://`` only), another
        system error.
    """
    from distributed.comm import registry
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        if "://" in address:
            check_scheme(address)
        scheme, location = parse_address(address)
        if scheme not in registry.backends:
            raise ValueError(f"--distributed {address}: Dask here has no {scheme}:// backend; {GIVE}")
        if scheme not in SCHEMES:
            return  # inproc:// of this process's own scheduler (check_scheme)
        host, port = parse_host_port(location)
        if not 0 < port < 65536:
            raise ValueError(f"port {port} is out of range, 1 to 65535")
    except TypeError:
        return  # Dask names a malformed address its own way
    except ValueError as exc:
        if str(exc).startswith("--distributed "):
            raise
        # Dask's own words named neither the option nor the form: "missing port number in
        # address '127.0.0.1'", "invalid literal for int() with base 10: '8786/'" (a trial's
        # address copied with a slash), and port 99999 was "connection refused".
        why = "no port" if "missing port" in str(exc) else (
            "its port is no number" if "invalid literal" in str(exc) else str(exc))
        raise ValueError(f"--distributed {address}: not a scheduler address ({why}); give {scheme}://HOST:PORT, "
                         "the address `dask scheduler` prints (port 8786 by default)") from None
    start = "--distributed " + address + ": cannot reach a Dask scheduler there"
    advice = ("; start one there (dask scheduler), check the address, or leave it out for a local cluster "
              "(--distributed alone)")
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            if scheme == "tcp":
                _check_handshake(connection, address, timeout)
            elif scheme == "ws":
                _refuse_a_tcp_scheduler(connection, address, location)
    except NotAScheduler:
        raise
    except socket.gaierror:
        raise ConnectionError(f"{start} (unknown host {host}){advice}") from None
    except TimeoutError:
        raise ConnectionError(f"{start} (no answer within {timeout:g} s){advice}") from None
    except OSError as exc:
        words = (exc.strerror or str(exc)).lower()
        raise ConnectionError(f"{start} ({words}){advice}") from None


#: Where Dask reads a client's TLS settings: its configuration (~/.config/dask/distributed.yaml)
#: or the environment variables that set the same keys.
TLS_SETTINGS = ("distributed.comm.tls.ca-file, distributed.comm.tls.client.cert and distributed.comm.tls.client.key "
                "in Dask's configuration (~/.config/dask/distributed.yaml), or DASK_DISTRIBUTED__COMM__TLS__CA_FILE, "
                "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT and DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY in the "
                "environment")


def check_tls_settings(address: str) -> None:
    """Refuse a ``tls://`` address when Dask's TLS settings for a client are not there (or do
    not load): Dask then said "TypeError: TLS expects a `ssl_context` argument of type
    ssl.SSLContext (perhaps check your TLS configuration?) Instead got None", which names
    neither the settings nor where they go.

    Raises
    ------
    ValueError
        One line naming the address, what is missing and where Dask reads it.
    """
    if not address.lower().startswith("tls://"):
        return
    from distributed.security import Security

    try:
        security = Security()
        for name, value in (("ca-file", security.tls_ca_file), ("client.cert", security.tls_client_cert),
                            ("client.key", security.tls_client_key)):
            if value and "\n" not in value and not os.path.isfile(value):  # a PEM in the setting has lines
                # ssl's own words name no file: "[Errno 2] No such file or directory"
                raise ValueError(f"--distributed {address}: Dask's TLS setting distributed.comm.tls.{name} names "
                                 f"{value}, which is no file here; check {TLS_SETTINGS}")
        context = security.get_connection_args("client")["ssl_context"]
    except ValueError as exc:
        if str(exc).startswith("--distributed "):
            raise
        raise ValueError(f"--distributed {address}: Dask's TLS settings do not load ({str(exc).lower()}); check "
                         f"{TLS_SETTINGS}") from None
    except OSError as exc:  # ssl.SSLError is an OSError: a certificate file missing or bad
        words = (getattr(exc, "strerror", None) or str(exc)).strip().splitlines()[0].lower()
        named = getattr(exc, "filename", None)
        raise ValueError(f"--distributed {address}: Dask's TLS settings do not load ({f'{named}: ' if named else ''}"
                         f"{words}); check {TLS_SETTINGS}") from None
    if context is None:
        missing = [name for name, value in (("ca-file", security.tls_ca_file), ("client.cert", security.tls_client_cert))
                   if not value]
        raise ValueError(f"--distributed {address}: a tls:// scheduler needs Dask's TLS settings, and "
                         f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set: set {TLS_SETTINGS} "
                         "(the CA's certificate and this client's certificate and key), or give the scheduler's "
                         "tcp:// address if it has one")


class NotAScheduler(ConnectionError):
    """A server answers at a --distributed address, but it is not a Dask scheduler."""


def _refuse_a_tcp_scheduler(connection: socket.socket, address: str, location: str, wait: float = 1.0) -> None:
    """Refuse a ``ws://`` address where a ``tcp://`` scheduler listens: it speaks first (its
    handshake), where a websocket server waits for the client's request. A trial's
    `--distributed ws://HOST:8786` waited 30 s for Dask's "Timed out trying to connect"."""
    connection.settimeout(wait)
    try:
        first = connection.recv(16)
    except OSError:  # silent, as a websocket server is, or gone: left to Dask
        return
    if len(first) >= 8 and 0 < int.from_bytes(first[:8], "little") < 2 ** 31:
        raise NotAScheduler(f"--distributed {address}: the Dask scheduler there speaks tcp://, not ws://; give "
                            f"tcp://{location}")


def _check_handshake(connection: socket.socket, address: str, timeout: float) -> None:
    """Refuse a server at ``address`` that is not a Dask scheduler: one speaks first, with its
    handshake (distributed's comm frames: an 8-byte little-endian length, then msgpack).

    Past the TCP probe, distributed.Client waited without end on a server that accepted the
    connection and kept silent (a web server, the dashboard's port 8787 for the scheduler's
    8786), and one that answered in HTTP was read as a frame of 3.07 EiB ("MemoryError:
    Unable to allocate 3.07 EiB", a trial)."""
    start = "--distributed " + address + ": this is not a Dask scheduler"
    advice = "; a scheduler listens on port 8786 unless told otherwise (8787 is its dashboard)"
    connection.settimeout(timeout)
    try:
        first = connection.recv(16)
    except TimeoutError:
        raise NotAScheduler(f"{start} (it accepted the connection but sent nothing within {timeout:g} s){advice}") from None
    except OSError as exc:
        words = (exc.strerror or str(exc)).lower()
        raise NotAScheduler(f"{start} ({words}){advice}") from None
    if first.startswith(b"HTTP/") or first[:1] == b"<":
        raise NotAScheduler(f"{start} (it answered in HTTP){advice}")
    if len(first) < 8 or not 0 < int.from_bytes(first[:8], "little") < 2 ** 31:
        raise NotAScheduler(f"{start} (it answered in another protocol){advice}")


@contextlib.contextmanager
def _children_start_uninterruptible():
    """Processes spawned inside the block (by any thread) start with SIGINT blocked.

    multiprocessing's "spawn" (Dask's nanny starts its worker processes so, from a thread of
    its own) forks and execs in ``multiprocessing.util.spawnv_passfds``; a signal mask is
    per thread, kept by fork and by exec. Blocking SIGINT in the spawning thread for the
    call alone gives the child a blocked SIGINT, which a terminal's Ctrl+C then cannot kill
    before the worker plugin ignores it (:func:`_ignore_interrupts`), while this process
    still receives it (another of its threads takes it).
    """
    import multiprocessing.util as mp_util
    import signal

    original = mp_util.spawnv_passfds
    if not hasattr(signal, "pthread_sigmask") or getattr(original, "segmix_wrapped", False):
        yield
        return

    def spawnv_passfds(*args, **kwargs):
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            return original(*args, **kwargs)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    spawnv_passfds.segmix_wrapped = True
    mp_util.spawnv_passfds = spawnv_passfds
    try:
        yield
    finally:
        mp_util.spawnv_passfds = original


@contextlib.contextmanager
def _terminations_held(name: str = "SIGTERM"):
    """The signal ``name`` (SIGTERM, or SIGINT: Ctrl+C) held inside the block (from the main
    thread, when a Python handler of it is installed, as the command line's are): a signal
    that arrives is delivered to that handler when the block ends, with Dask's shutdown
    messages silenced, instead of inside it."""
    import signal

    number = getattr(signal, name)
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(number)
    if not callable(previous):
        yield
        return
    arrived = []

    def deliver():
        # Closing a cluster that has just started makes Dask log errors of its own.
        for logger in ("distributed", "tornado"):
            logging.getLogger(logger).setLevel(logging.CRITICAL)
        previous(number, None)

    signal.signal(number, lambda signum, frame: arrived.append(signum))
    try:
        yield
    except BaseException:
        signal.signal(number, previous)
        if arrived:
            # The signal that reached this process reached the workers too (a terminal's or
            # timeout's signal goes to the whole process group): the cluster's start then
            # failed on it ("Nanny failed to start", "Stream is closed"), which is no fault
            # of Dask's to report but the termination asked for.
            deliver()
        raise
    signal.signal(number, previous)
    if arrived:
        deliver()


class _InterruptedSyncFilter(logging.Filter):
    """Drops the event loop's "Exception in callback ... sync.<locals>.cancel" record.

    Ctrl+C or SIGTERM that reaches a Dask call before the call's coroutine has started makes
    Dask's clean-up callback fail on a name not yet bound (``distributed.utils.sync``, Dask
    2024-2026), and the loop logged its NameError traceback under "segmix: terminated".
    Nothing was left undone: the call was being abandoned anyway.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "sync.<locals>.cancel" not in record.getMessage()


@contextlib.contextmanager
def _filtered(logger: logging.Logger, log_filter: logging.Filter):
    """``log_filter`` on ``logger`` inside the block."""
    logger.addFilter(log_filter)
    try:
        yield
    finally:
        logger.removeFilter(log_filter)


class _LostConnectionFilter(logging.Filter):
    """Drops the client's records of a lost connection to the scheduler (Dask's reconnect
    logs the refused connections' traceback at ERROR): the run's one line says it
    (:func:`describe_exception`); a trial's scheduler stopped mid-run printed a screen of it."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        seen = 0
        while exc is not None and seen < 10:
            if isinstance(exc, (OSError, asyncio.CancelledError)) or type(exc).__name__ == "CommClosedError":
                return False
            exc, seen = exc.__cause__ or exc.__context__, seen + 1
        return True


class _LostSchedulerFilter(logging.Filter):
    """Drops a local worker's "Failed to communicate with scheduler during heartbeat" record.

    The local cluster's scheduler lives in the client's process, so a worker loses it only
    when the client stops the cluster, as after Ctrl+C: a heartbeat in flight then logged
    its traceback on the terminal (seen once in 11 runs of test_ctrl_c_stops_cleanly_and_the_rerun_finishes).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to communicate with scheduler during heartbeat")


def _ignore_interrupts():
    """A worker plugin that ignores SIGINT in the worker process (see :func:`connect`), and the
    lost-scheduler heartbeat errors the cluster's shutdown causes (:class:`_LostSchedulerFilter`)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class IgnoreInterrupts(WorkerPlugin):
        def setup(self, worker) -> None:
            import signal

            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, signal.SIG_IGN)
            worker_log = logging.getLogger("distributed.worker")
            if not any(isinstance(f, _LostSchedulerFilter) for f in worker_log.filters):
                worker_log.addFilter(_LostSchedulerFilter())

    return IgnoreInterrupts()


def _scheduler_has_dashboard() -> bool:
    """On the scheduler: whether its dashboard can run (bokeh importable), not only the page
    that asks to install it."""
    try:
        import distributed.dashboard.scheduler  # noqa: F401
    except ImportError:
        return False
    return True


def dashboard_link(client) -> str | None:
    """The address of the scheduler's dashboard, or None when it has none (no bokeh)."""
    try:
        running = client.run_on_scheduler(_scheduler_has_dashboard)
    except Exception:  # noqa: BLE001  a scheduler that refuses to run functions: just no link
        return None
    return client.dashboard_link if running else None


def run_tasks(client, function: Callable, job, batches: Sequence[Sequence], *, description: str, unit: str,
              quiet: bool = False, stream=None, shared: SharedFolder | None = None, inputs=None) -> list:
    """Run ``function(job, batch)`` for every batch on the cluster, with a progress bar.

    Parameters
    ----------
    function : module-level callable (shipped by reference; every worker imports segmix)
    job : small picklable description shared by every task
    batches : sequences of inputs; the bar advances by ``len(batch)`` as each task completes
    shared : the output folder's check (:func:`check_workers_share`), made again by each worker
        before its first task of the run; its marker is removed when the run ends
    inputs : :func:`input_sample` of the inputs, which each worker must see before its first task

    A task that fails a check of its worker (:data:`UNFIT`: another segmix, the output folder,
    the inputs or the model file unseen) is run again by the other workers, and that worker is
    left out of the run (:func:`left_out_notes`); tasks go only to the workers not left out.

    Returns
    -------
    list
        Per batch, in order: the task's return value, or the exception that ended it (a
        bug, or ``KilledWorker`` when it killed its worker repeatedly); the other tasks
        still run to the end.
    """
    from segmix.skin import progress_bar

    # one map (one message) rather than a submit per task; results gathered as they come
    # Each task checks its worker's segmix first (:func:`checked_task`): one that joins after
    # the start's check (check_same_segmix) must not write other outputs either.
    n = len(batches)
    run = _run_of(client)  # the checks' answers the workers keep (check_workers_share) are under it
    expected = dict(segmix_identity(), inputs=inputs, run=run) if inputs else dict(segmix_identity(), run=run)
    with _watching(client, run) as watching:  # a worker that joins and cannot load the tasks is said
        placement = _placement(client)
        submitted = client.map(checked_task, [expected] * n, [function] * n, [job] * n,
                               [list(b) for b in batches], [shared] * n, pure=False, key=function.__name__,
                               **placement)
        client.segmix_tasks_submitted = True  # an interruption from now on may leave tasks running (cli)
        placed = Placed()
        placed.started_with = set(client.nthreads())
        for future in submitted:
            placed.add(future, placement)
        futures = {future: i for i, future in enumerate(submitted)}
        total = sum(len(b) for b in batches)
        results: list = [None] * len(batches)
        bar = progress_bar(description, total, quiet=quiet, stream=stream or sys.stderr, unit=unit)
        done = 0
        ended: set = set()  # the keys of the tasks that ran to their end (not given up)
        placed.run = run  # its stranded tasks go to a worker that joins (Placed.move)
        with said_when_no_worker_is_left(client, stream or sys.stderr, quiet, placed=placed):
            try:
                pending = _completed(client, submitted)
                for future in pending:
                    i = futures[future]

                    def again_on(placement):
                        return placed.add(client.submit(
                            checked_task, expected, function, job, list(batches[i]), shared, pure=False,
                            key=f"{function.__name__}-{uuid.uuid4().hex}", **placement), placement)

                    if future in placed.moved and future.status != "finished":
                        # stranded, and a worker joined since: sent again, to the workers there now
                        again = again_on(placed.moved_placement(client, future))
                        futures[again] = i
                        submitted.append(again)
                        pending.add(again)
                        continue
                    if future.status == "error":
                        again = _run_elsewhere(client, future, future.exception(), again_on, placed)
                        if again is not None:
                            futures[again] = i
                            submitted.append(again)
                            pending.add(again)
                            continue
                    if future in placed.given_up:
                        # its workers are gone for good: its inputs are not done, the others' are kept
                        results[i] = placed.gone_error(client)
                    # a task's exception is its result, reported with its inputs
                    elif future.status == "error":
                        results[i] = future.exception()
                    else:
                        try:
                            results[i] = future.result()
                        except (Exception, asyncio.CancelledError):
                            if future in placed.moved:  # moved as it finished: its result went with it
                                again = again_on(placed.moved_placement(client, future))
                                futures[again] = i
                                submitted.append(again)
                                pending.add(again)
                                continue
                            if future not in placed.given_up:
                                raise
                            # its worker left as it finished, the result with it, and no other may
                            # compute it again: given up as its workers are gone
                            results[i] = placed.gone_error(client)
                    if future not in placed.given_up:
                        ended.add(str(future.key))
                    placed.taken(future)
                    done += len(batches[i])
                    bar(done, total)
            finally:
                bar.close()
                client.cancel(submitted)  # interrupted: stop what is still queued
                if shared is not None:
                    Path(shared[0]).unlink(missing_ok=True)
        if watching:  # not after an interruption or a lost scheduler: no more round trips then
            _joined_unfit(client, run)
            # the tasks done in the end (a task given up, its workers gone, is said as such)
            lost = lost_workers_words(client, ended, set(_left_out(client)))
            if lost and not quiet:
                (stream or sys.stderr).write(f"{getattr(client, 'segmix_command', 'segmix')}: note: {lost}\n")
        return results


def lost_workers_words(client, keys: set, said: set = frozenset()) -> str | None:
    """Words for the workers that left the scheduler while running (or holding the results of)
    the run's tasks ``keys`` (those done in the end), from the scheduler's "remove-worker"
    events; None when none did (or the events cannot be had). Dask runs such tasks again on
    the other workers in silence: a trial's worker killed mid-run ended in every photo written,
    exit 0, nothing said. Workers in ``said`` (left out, with a note of their own) are not
    named again."""
    try:
        events = client.get_events("all")
    except Exception:  # noqa: BLE001 - an older scheduler, a lost connection: nothing to say
        return None
    gone, redone = set(), set()
    for _, event in events or ():
        if not isinstance(event, dict) or event.get("action") != "remove-worker":
            continue
        # the tasks it was running (its results already gathered are no loss: "lost-computed-tasks"
        # named a task whose result the run had, and said it run again)
        theirs = {str(key) for key in event.get("processing-tasks") or ()} & keys
        if theirs and str(event.get("worker")) not in said:
            gone.add(str(event.get("worker")))
            redone |= theirs
    if not gone:
        return None
    return (f"{len(gone)} Dask worker{'' if len(gone) == 1 else 's'} left the run ({', '.join(sorted(gone))}: "
            f"stopped, or killed, perhaps out of memory); {len(redone)} task{' was' if len(redone) == 1 else 's were'} "
            "run again by the other workers (each output whole)")


class WorkersGone(RuntimeError):
    """A task sent to named workers only (those that passed the run's checks) whose workers
    all left the scheduler, and none came back within :data:`STRANDED_TIMEOUT`: its inputs are
    not done (Dask would have kept it waiting for ever)."""


class Placed:
    """The futures of a run that only named workers may run (:func:`_restricted`), for the
    watch of :func:`said_when_no_worker_is_left`: those whose workers are all gone are
    *stranded*: moved (cancelled, for the run to send them again, :meth:`move`) when a worker not
    left out is on the scheduler (one that joined, or came back under another address), and
    given up (cancelled) after :data:`STRANDED_TIMEOUT` without one.

    ``run``: the run's id (:func:`_run_of`), set by a run that sends its moved tasks again
    (:func:`run_tasks`; :func:`reduce_tasks` starts its round again); without it stranded tasks
    are never moved, only given up."""

    def __init__(self):
        self.workers: dict = {}  # future -> frozenset of the workers it may run on
        self.free: set = set()  # the futures any worker may run (none left out when sent)
        self.given_up: set = set()
        self.moved: dict = {}  # future moved -> the workers it was sent to
        self.run: str | None = None
        self.waited = STRANDED_TIMEOUT
        self.started_with: set = set()  # the scheduler's workers when the run sent its tasks
        self._lock = threading.Lock()

    def fit_gone(self, client) -> bool:
        """Whether a worker the run started with, never left out, has left the scheduler: a
        fit worker may then join again (:func:`_run_elsewhere` waits for one)."""
        try:
            alive = set(client.nthreads())
        except Exception:  # noqa: BLE001  the client closing: nothing to wait for
            return False
        return bool(self.started_with - alive - set(_left_out(client)))

    def takers(self, client, alive: set) -> list:
        """The workers of ``alive`` that stranded tasks may be moved to: those not left out, after
        the workers that joined with another segmix (or none: :func:`_identity_watch`) are left
        out. None (an empty list) when the run does not move its tasks."""
        if self.run is None:
            return []
        _joined_unfit(client, self.run)
        left = _left_out(client)
        return sorted(w for w in alive if w not in left)

    def move(self, client, futures: list) -> None:
        """Cancel the stranded ``futures`` for their run to send them again
        (:meth:`moved_placement`): a worker that joined, or came back under a new address (a
        restarted ``dask worker``), took no task sent to the workers gone (Dask's restriction), and
        the run ended after :data:`STRANDED_TIMEOUT` with their inputs not done."""
        with self._lock:
            for future in futures:
                self.moved[future] = self.workers.pop(future, frozenset())
        client.cancel(futures)

    def any_moved(self, *groups) -> bool:
        """Whether a future of ``groups`` (iterables of futures) was moved."""
        with self._lock:
            return bool(self.moved) and any(f in self.moved for group in groups for f in group)

    def forget(self, futures) -> None:
        """``futures`` are cancelled by their run, which sends their work again: no longer watched."""
        with self._lock:
            for future in futures:
                self.workers.pop(future, None)
                self.free.discard(future)
                self.moved.pop(future, None)

    def moved_placement(self, client, future) -> dict:
        """Where the moved ``future`` goes again: the workers not left out now, or, with none
        (gone again), those it was sent to, so that it is stranded again and waits its time."""
        fit = fit_workers(client)
        with self._lock:
            before = self.moved.pop(future, frozenset())
        return _restricted(client, fit or sorted(before))

    def add(self, future, placement: dict):
        """Keep ``future``'s restriction (``placement``: :func:`_placement`'s); returns ``future``."""
        with self._lock:
            if placement.get("workers"):
                self.workers[future] = frozenset(placement["workers"])
            else:
                self.free.add(future)
        return future

    def taken(self, future) -> None:
        """``future``'s result is taken: a worker that leaves later loses nothing of it (Dask
        would compute it again, stranded, and it would be counted as not done)."""
        with self._lock:
            self.workers.pop(future, None)
            self.free.discard(future)
            self.moved.pop(future, None)

    def waiting(self) -> bool:
        """Whether a future not given up that any worker may run is not done: with no worker
        left, the run waits for one."""
        with self._lock:
            return any(not f.done() for f in self.free)

    def stranded(self, alive: set) -> list:
        """The futures not done whose workers are none of ``alive``."""
        with self._lock:
            return [f for f, workers in self.workers.items()
                    if f not in self.given_up and not f.done() and not workers & alive]

    def give_up(self, client, futures: list) -> None:
        """Cancel ``futures``: their loop (:func:`run_tasks`, :func:`reduce_tasks`) sees them
        come back cancelled and takes their inputs as not done."""
        with self._lock:
            self.given_up.update(futures)
        with contextlib.suppress(AttributeError):
            client.segmix_workers_gone = True  # left_out_notes names the workers left out all the same
        client.cancel(futures)

    def gone_error(self, client, whose: str = "its task was",
                   rerun: str = "a rerun does only what is missing") -> WorkersGone:
        address = getattr(getattr(client, "scheduler", None), "address", "the scheduler")
        return WorkersGone(f"not done: the Dask workers {whose} sent to (those that passed the run's checks) left "
                           f"the scheduler at {address}, and none came back within {self.waited:g} s; {rerun}")


def _on_terminal(stream) -> bool:
    """Whether ``stream`` is a terminal (where a progress bar may be drawn mid-line)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


@contextlib.contextmanager
def said_when_no_worker_is_left(client, stream, quiet: bool = False, every: float | None = None,
                                placed: Placed | None = None):
    """While the block runs, check every ``every`` seconds (:data:`WORKER_CHECK_INTERVAL`)
    that the scheduler still has a worker, and say once, on ``stream``, when none is left:
    Dask then waits for one, for ever, and a trial whose workers were all stopped mid-run saw
    the run hang without a word. Nothing said with ``quiet``.

    ``placed``: the run's futures that only named workers may run (:class:`Placed`). When those
    workers are all gone, no worker that joins takes them (Dask's restriction): said once, and
    after :data:`STRANDED_TIMEOUT` s without one of them back, they are given up
    (:meth:`Placed.give_up`), with ``quiet`` too: the run ends, its other outputs kept, rather
    than hang (a trial's said so once and then waited for ever). Each future's time counts from
    when it was stranded: one timer for all gave up a task stranded a second before with one
    stranded for a minute (the session-41 review). After a give-up, that the run waits for a
    worker is said only when a task any worker may run is still to do."""
    stop = threading.Event()
    address = getattr(getattr(client, "scheduler", None), "address", "the scheduler")

    def say(words: str) -> None:
        if not quiet:
            # A line of its own on a terminal, where the progress bar may be drawn mid-line; in a
            # log (no bar) the "\n" was a blank line before the words (a trial's).
            command = getattr(client, "segmix_command", "segmix")
            stream.write(("\n" if _on_terminal(stream) else "") + f"{command}: {words}\n")
            stream.flush()

    def watch():
        said = False
        since: dict = {}  # stranded future -> when it was first seen stranded (since it last was not)
        told = set(_left_out(client))  # left out before the watch: the run's start named them
        while not stop.wait(WORKER_CHECK_INTERVAL if every is None else every):
            try:
                alive = set(client.nthreads())
            except Exception:  # the client closing: nothing more to watch
                return
            stranded = placed.stranded(alive) if placed is not None else []
            now = _clock()
            new = [f for f in stranded if f not in since]
            since = {f: since.get(f, now) for f in stranded}  # one back on its workers (or done) starts again
            if stranded:
                takers = placed.takers(client, alive)
                if takers:  # a worker joined (or came back under another address): they go to it
                    placed.move(client, stranded)
                    for f in stranded:
                        since.pop(f, None)
                    n = len(stranded)
                    say(f"{n} of this run's tasks, whose workers are gone, go to the Dask worker"
                        f"{'' if len(takers) == 1 else 's'} there now ({', '.join(takers)})")
                    continue
                # A worker that joined while the tasks waited and was left out (another segmix:
                # the identity watch, or its first task's check) is named now, with the time
                # left: the line below said "unless ... another joins" while one just had, and
                # the worker was named only in its own log (a trial).
                left = dict(_left_out(client))
                for worker in [w for w in left if w not in told]:
                    told.add(worker)
                    waited = max((now - since[f] for f in stranded), default=0.0)
                    say(f"the Dask worker {worker} is left out of this run: {left[worker][0]}; the tasks still wait "
                        f"for a worker that passes its checks (the run ends in {max(0.0, STRANDED_TIMEOUT - waited):.0f}"
                        " s without their inputs unless one comes back or joins)")
                    mark_said(client, worker)
                if new:
                    n = len(new)
                    say(f"no Dask worker that {n} of this run's tasks can go to is left on the scheduler at {address} "
                        "(they were sent to the workers that passed its checks, now gone, and no other takes them): "
                        f"the run ends in {STRANDED_TIMEOUT:g} s without their inputs unless one of those workers "
                        f"comes back{'' if placed.run is None else ' or another joins'}")
                due = [f for f in stranded if now - since[f] >= STRANDED_TIMEOUT]
                if due:
                    placed.waited = STRANDED_TIMEOUT
                    placed.give_up(client, due)
                    for f in due:
                        del since[f]
                continue
            if not alive and not said and placed is not None and placed.given_up and not placed.waiting():
                continue  # tasks given up and none left to wait for: the run ends, it waits for nothing
            if not alive and not said:
                say(f"no Dask worker is left on the scheduler at {address}: the run waits for one (start one with "
                    f"`dask worker {address}`, or press Ctrl+C; a rerun redoes only what is missing)")
            elif alive and said:
                # The wait above ended: said, or a user who started a worker saw the run finish
                # without a word that it had gone on (a trial). A worker left out (another
                # segmix) is named by the run's notes, not as the one the run goes on with.
                joined = sorted(alive - set(_left_out(client)))
                if joined:
                    say(f"the Dask worker{'' if len(joined) == 1 else 's'} {', '.join(joined)} joined the scheduler "
                        f"at {address}: the run goes on")
            said = not alive

    watcher = threading.Thread(target=watch, name="segmix-worker-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join(timeout=5)


def _names(batch) -> list[str]:
    return [str(item) for item in batch]


def reduce_tasks(client, function: Callable, job, batches: Sequence[Sequence], merge: Callable, *,
                 sizes: Sequence[int], description: str, unit: str, quiet: bool = False, stream=None, inputs=None,
                 names: Callable[[Sequence], list[str]] | None = None):
    """Map ``function(job, batch)`` over the batches and combine the results pairwise with
    ``merge(a, b)`` on the workers, as they complete (a tree: the client receives one result).

    ``merge`` must be associative and commutative (results arrive in any order). The bar
    advances by ``sizes[i]`` when batch i is done. ``inputs``: :func:`input_sample` of the
    inputs; workers that do not see them are left out, as are those that fail a task's checks
    (whose task the others run), as in :func:`run_tasks`. ``names(batch)``: a batch's inputs as
    the user gave them, for a line that names them (default: ``str`` of each).

    Raises
    ------
    TaskError
        A task ended with an exception (a bug, or its worker died repeatedly); the inputs
        of its batch are named, in one line. Or tasks were given up, their workers gone
        (:class:`Placed`): their inputs are named.
    """
    from segmix.skin import progress_bar

    identity = segmix_identity()
    new_run(client)
    check_scheduler_loads(client, function, job)
    if inputs and hasattr(client, "run"):
        unseen = _unseeing(client, inputs, fit_workers(client))
        if unseen and len(unseen) == len(fit_workers(client)):
            first, words = next(iter(unseen.items()))
            raise OSError(f"{len(unseen)} of {len(unseen)} Dask worker{'' if len(unseen) == 1 else 's'} cannot use "
                          f"the inputs ({first}: {words}{'' if len(unseen) == 1 else f'; and {len(unseen) - 1} more'}); "
                          f"{INPUTS_ADVICE}")
        for worker, words in unseen.items():
            leave_out(client, worker, f"it {words}; {INPUTS_ADVICE}")
        identity = dict(identity, inputs=inputs, run=_run_of(client))

    placed = Placed()
    placed.started_with = set(client.nthreads())
    run = _run_of(client)
    with _watching(client, run) as watching:  # a worker that joins and cannot load the tasks is said

        def gone() -> TaskError:
            """The tasks given up (their workers gone), with their inputs named."""
            from segmix.io import listed_names

            not_done = [name for f in placed.given_up if f in maps for name in (names or _names)(batches[maps[f]])]
            n = len(not_done)
            whose = "its task was" if n == 1 else "their tasks were" if n else "the run's merge task was"
            words = str(placed.gone_error(client, whose, "run the command again"))
            return TaskError(f"{n} input{'' if n == 1 else 's'} {words.replace('not done: ', f'not done ({listed_names(not_done)}): ')}"
                             if n else words)

        def submit(i, placement):
            return placed.add(client.submit(checked_task, identity, function, job, list(batches[i]), pure=False,
                                            key=f"{function.__name__}-{uuid.uuid4().hex}", **placement), placement)

        # Asked of the scheduler once per run (fit_workers), and again only when a worker is left
        # out: it was asked per merge task, a round trip each.
        placement = _placement(client)
        maps = {submit(i, placement): i for i in range(len(batches))}
        client.segmix_tasks_submitted = True  # an interruption from now on may leave tasks running (cli)
        pending = _completed(client, list(maps))
        merges = []
        total, done = sum(sizes), 0
        counted: set = set()  # the batches the bar has counted (a round started again counts none twice)
        bar = progress_bar(description, total, quiet=quiet, stream=stream or sys.stderr, unit=unit)
        waiting = None
        placed.run = run  # stranded tasks are moved to a worker that joins (Placed.move): the round starts again
        with said_when_no_worker_is_left(client, stream or sys.stderr, quiet, placed=placed):
            try:
                while True:
                    for future in pending:
                        if future not in maps and future not in merges:
                            continue  # of a round started again: cancelled
                        if placed.any_moved(maps, merges):
                            # Tasks stranded by their gone workers were moved, a worker having joined:
                            # the partial sums those workers held went with them, so every shard is
                            # counted again, on the workers there now (the sums are the same).
                            old = list(maps) + merges
                            placed.forget(old)
                            client.cancel(old)
                            fit = fit_workers(client)
                            placement = _restricted(client, fit) if fit else placement
                            maps = {submit(i, placement): i for i in range(len(batches))}
                            merges, waiting = [], None
                            for again in maps:
                                pending.add(again)
                            continue
                        if placed.given_up and (future in placed.given_up or future.status != "finished"):
                            # Tasks given up, their workers gone (a merge fails with its shards' data
                            # lost with them): the inputs of every shard given up are named.
                            raise gone()
                        if future.status == "error" and future in maps:
                            # a worker's check failed: the other workers count its shard
                            i = maps[future]
                            again = _run_elsewhere(client, future, future.exception(), lambda where: submit(i, where),
                                                   placed)
                            if again is not None:
                                maps[again] = i
                                pending.add(again)
                                placement = _placement(client)  # a worker was left out
                                continue
                        if future.status != "finished":
                            where = f"the task of {batches[maps[future]][0]}" if future in maps else "a merge task"
                            raise TaskError(f"{where} failed: {describe_exception(future.exception())}")
                        if future in maps and maps[future] not in counted:
                            counted.add(maps[future])
                            done += sizes[maps[future]]
                            bar(done, total)
                        if waiting is None:
                            waiting = future
                        else:
                            merged = placed.add(client.submit(merge, waiting, future, pure=False, **placement),
                                                placement)
                            merges.append(merged)
                            pending.add(merged)
                            waiting = None
                    try:
                        result = waiting.result() if waiting is not None else None
                    except (Exception, asyncio.CancelledError):
                        if waiting in placed.moved:  # lost with its worker, moved: the round starts again
                            pending.add(waiting)
                            continue
                        if placed.given_up:  # the result was lost with its worker, and cannot be made again
                            raise gone() from None
                        raise
                    break
                if watching:  # not after an interruption or a lost scheduler: no more round trips then
                    _joined_unfit(client, run)
                return result
            finally:
                bar.close()
                client.cancel(list(maps) + merges)


class TaskError(RuntimeError):
    """A task of a job ended with an exception on its worker; the message is one line naming
    its inputs (:func:`describe_exception`)."""


def _completed(client, futures):
    """``as_completed`` on ``client``'s own event loop. Without ``loop`` it takes the loop of
    the process's default client, the last one made: with two clients in a process (two
    local clusters, in bench_distributed.py) it then tracked one client's futures from the
    other's thread, which once tripped an assertion inside Tornado's stream writer and left
    the job waiting for ever."""
    return _dask().as_completed(futures, loop=client.loop)


def describe_exception(exc: BaseException) -> str:
    """One line for a task that ended with an exception (its message's first line, after
    the exception's name)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    if name in ("FolderUnseen", "InputsUnseen", "NotShared", "WorkersGone"):
        return text
    if name == "KilledWorker":
        return "its worker died every time it ran it (out of memory, or a crash)"
    if text.startswith("Error during deserialization of the task graph"):
        # The scheduler unpickles tasks: one without segmix, or with another, cannot.
        return ("the Dask scheduler could not load the task (Dask: \"Error during deserialization of the task "
                "graph\"): it runs another segmix, or none; install the same segmix where it runs and restart it")
    if "scheduler-connection-lost" in str(exc):
        # Was "FutureCancelledError: run_sequences-7d90...-0 cancelled for reason:
        # scheduler-connection-lost.", after a screen of Dask's reconnect traceback.
        return ("the connection to the Dask scheduler was lost (it stopped, or the network to it failed); what the "
                "workers finished is written, and a rerun does only what is missing")
    return f"{name}: {text}" if text else name


def output_as_given(resolved: Path, given) -> Callable[[str], str]:
    """A function that names, in a line, the output folder ``resolved`` (and files in it) as
    the user gave it (``given``), as the one-machine command names them.

    Tasks carry resolved paths, so a worker's line about an output named it absolutely: a
    trial's `background camA camB --output-dir masks --distributed` said
    "/tmp/t37d/bgd/masks/camA: holds b00016.png, not written by segmix background", the
    one-machine command "masks/camA: ...". The folder is replaced only where a whole name of
    a path ends with it (followed by a separator, ":", a space, "," or ")", or the line's end).
    """
    shown = str(Path(given))
    inside = re.compile(re.escape(str(resolved)) + r"[/\\]")
    alone = re.compile(re.escape(str(resolved)) + r"(?=[:\s,)]|$)", re.MULTILINE)
    # The current folder's files by their names: "./camA" is a path nobody typed.
    prefix = "" if shown == "." else shown + os.sep

    def rename(line: str) -> str:
        return alone.sub(lambda _: shown, inside.sub(lambda _: prefix, line))

    return rename


# -------------------------------------------------------------------- the same segmix
#: What must be the same on every worker as on the client for the outputs to be the same
#: bytes: segmix's code and bundled files, and the numeric libraries its kernels run on.
IDENTITY_FIELDS = ("segmix", "numpy", "numba")
_IDENTITY: list[dict] = []


def segmix_identity() -> dict:
    """This process's segmix: {"segmix": version, "code": SHA-256 of its modules' source and
    bundled resources, "numpy": version, "numba": version, "where": its folder}; computed once,
    when this module is imported (some 15 ms): a worker that imported segmix before an upgrade
    runs the old code, whatever the files say now."""
    if not _IDENTITY:
        from importlib.metadata import PackageNotFoundError, version

        import segmix

        def installed(name: str) -> str | None:
            try:
                return version(name)
            except PackageNotFoundError:
                return None
        from segmix import resources

        package = Path(segmix.__file__).resolve().parent
        digest = hashlib.sha256()
        files = sorted(package.rglob("*.py"))
        try:
            folder = resources.data_dir("resources")
            files += sorted(p for p in folder.rglob("*") if p.is_file())
        except FileNotFoundError:  # an installation without it: its digest differs
            folder = None
        for path in files:
            base = package if folder is None or not path.is_relative_to(folder) else folder
            digest.update(path.relative_to(base).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        _IDENTITY.append({"segmix": segmix.__version__, "code": digest.hexdigest(), "numpy": installed("numpy"),
                          "numba": installed("numba"), "where": str(package)})
    return _IDENTITY[0]


def _identity_probe():
    """A function that returns the segmix identity of the process it runs in, pickled by value
    (a local function): a worker of an earlier segmix, which has no :func:`segmix_identity`,
    or none at all, answers too."""
    def probe() -> dict:
        try:
            import segmix
            from segmix.distributed import cluster
        except Exception as exc:  # noqa: BLE001  no segmix there, or a broken one
            return {"error": f"cannot import segmix ({type(exc).__name__}: {exc})"}
        identity = getattr(cluster, "_worker_identity", None)
        if identity is None:  # an earlier segmix
            return {"segmix": getattr(segmix, "__version__", None), "code": None,
                    "where": str(Path(segmix.__file__).resolve().parent)}
        return identity()

    return probe


class AnotherSegmix(ValueError):
    """A worker runs another segmix (or numpy, numba) than the client: its outputs would differ."""


def _identity_words(identity: dict) -> str:
    return (", ".join(f"{name} {identity[name]}" for name in IDENTITY_FIELDS if identity.get(name) is not None)
            + f" from {identity.get('where')}")


def _differs(theirs: dict, ours: dict) -> bool:
    return any(theirs.get(name) != ours.get(name) for name in (*IDENTITY_FIELDS, "code"))


def _another_segmix_words(theirs: dict, ours: dict) -> str:
    same_versions = theirs.get("code") is None or all(theirs.get(name) == ours.get(name) for name in IDENTITY_FIELDS)
    # Same versions, other code: another checkout, or a worker that imported segmix before
    # its files were changed (it runs what it loaded).
    return (f"{_identity_words(theirs)}{' (other code, or loaded before its files changed)' if same_versions else ''}"
            f"; this command: {_identity_words(ours)}")


def check_same_segmix(client, address: str, ours: dict | None = None) -> None:
    """Refuse a run on workers that run another segmix than this process (other code or
    bundled files, or other numpy or numba versions): their outputs would differ from the
    one-machine command's, and a rerun would keep them as complete.

    Raises
    ------
    AnotherSegmix
        One line naming the workers and what they run against what this command runs.
    """
    ours = segmix_identity() if ours is None else ours
    # The scheduler unpickles the tasks (Dask 2024-): without segmix, or with one from before
    # checked_task, every task failed with "RuntimeError: Error during deserialization of the
    # task graph", one line per photo. Its code need not be the same: it runs none of it.
    try:
        scheduler = client.run_on_scheduler(_identity_probe())
    except Exception as exc:  # noqa: BLE001  a scheduler that refuses to run functions: left to the tasks
        scheduler = {"unknown": describe_exception(exc)}
    if "error" in scheduler or "code" in scheduler and scheduler["code"] is None:
        words = scheduler.get("error") or (f"it runs {_identity_words(scheduler)}, an earlier one, or loaded before "
                                           "its files changed")
        raise AnotherSegmix(f"--distributed {address}: the Dask scheduler cannot load this command's tasks ({words}; "
                            f"this command: {_identity_words(ours)}); install the same segmix where the scheduler "
                            "runs and restart it")
    answers = client.run(_identity_probe(), on_error="return")
    odd = {}
    for worker, theirs in sorted(answers.items()):
        if isinstance(theirs, BaseException):
            odd[worker] = f"cannot run segmix ({describe_exception(theirs)})"
        elif isinstance(theirs, dict) and "error" in theirs:
            odd[worker] = str(theirs["error"])
        elif _differs(theirs, ours):
            odd[worker] = _another_segmix_words(theirs, ours)
    if odd and len(odd) == len(answers):
        first, words = next(iter(odd.items()))
        raise AnotherSegmix(f"--distributed {address}: {len(odd)} of {len(answers)} Dask worker"
                            f"{'' if len(answers) == 1 else 's'} run{'s' if len(odd) == 1 else ''} another segmix "
                            f"than this command, whose outputs would differ ({first}: {words}"
                            f"{'' if len(odd) == 1 else f'; and {len(odd) - 1} more'}); install the same segmix "
                            f"where the workers run and restart them")
    # Some workers are fine: the run goes on without the others, named in a note after it (one
    # odd worker among good ones refused the whole run; failing its tasks instead, it took many,
    # since they fail at once).
    for worker, words in odd.items():
        leave_out(client, worker, f"it runs another segmix than this command, whose outputs would differ ({words}); "
                                  "install the same segmix where it runs and restart it", lasting=True)


def _worker_identity() -> dict:
    return segmix_identity()


#: The topic of the scheduler's event log under which :func:`_identity_watch` says a worker of
#: another segmix (or none), and the start of that worker plugin's name (one per run: a plugin
#: of a fixed name was replaced by another run's on the same scheduler, and unregistered by it).
UNFIT_TOPIC = "segmix-unfit-worker"
WATCH_PLUGIN = "segmix-identity-watch"

#: Seconds given to the scheduler to unregister a run's plugin (:func:`_watching`): after an
#: interruption or with the scheduler lost, the command must still end.
UNWATCH_TIMEOUT = 10


def _identity_watch(expected: dict, run: str):
    """A worker plugin, pickled by value (it loads on a worker without segmix), that probes the
    segmix of each worker as it joins (and of those there when it is registered) and logs, on
    the scheduler, one that differs from ``expected`` (:data:`UNFIT_TOPIC`, with ``run``).

    A worker that joins during a run and cannot unpickle its task (no segmix, or one without a
    task's class) is shut down by Dask on its first task, before :func:`checked_task` can say
    anything: the run went on without it, without a word (the session-40 review). A plugin's
    setup runs when the worker registers, before it reads a task."""
    from distributed.diagnostics.plugin import WorkerPlugin

    probe = _identity_probe()
    fields = (*IDENTITY_FIELDS, "code")
    topic = UNFIT_TOPIC

    class IdentityWatch(WorkerPlugin):
        def setup(self, worker) -> None:
            try:
                theirs = probe()
            except Exception as exc:  # noqa: BLE001  said in words
                theirs = {"error": f"its segmix cannot say what it is ({type(exc).__name__}: {exc})"}
            if "error" in theirs or any(theirs.get(name) != expected.get(name) for name in fields):
                worker.log_event(topic, {"run": run, "worker": worker.address,
                                         "theirs": {k: None if v is None else str(v) for k, v in theirs.items()}})

    return IdentityWatch()


def _watch_joining(client, run: str) -> str | None:
    """Register :func:`_identity_watch` for the run ``run`` under a name of its own (another
    run on the same scheduler has its own); the name, or None when the scheduler refuses."""
    if not hasattr(client, "register_plugin"):
        return None
    name = f"{WATCH_PLUGIN}-{run}-{uuid.uuid4().hex[:8]}"
    try:
        client.register_plugin(_identity_watch(segmix_identity(), run), name=name)
    except Exception:  # noqa: BLE001  a scheduler that takes no plugin: the tasks' own checks remain
        return None
    return name


def _unwatch(client, name: str) -> None:
    """Unregister the plugin ``name`` (:func:`_watch_joining`), within :data:`UNWATCH_TIMEOUT`
    s; nothing said when it cannot be (the scheduler lost)."""
    with contextlib.suppress(Exception):
        if hasattr(client, "sync") and hasattr(client, "_unregister_worker_plugin"):
            client.sync(client._unregister_worker_plugin, name=name, callback_timeout=UNWATCH_TIMEOUT)
        else:
            client.unregister_worker_plugin(name)


@contextlib.contextmanager
def _watching(client, run: str):
    """:func:`_watch_joining` for the block (its plugin's name, or None), unregistered
    (:func:`_unwatch`) however the block ends: it was unregistered only after a run that ended
    well, and stayed on the scheduler, probing every worker that joined, after an interrupted
    or failed one (the session-41 review)."""
    name = _watch_joining(client, run)
    try:
        yield name
    finally:
        if name is not None:
            _unwatch(client, name)


def _joined_unfit(client, run: str) -> None:
    """Leave out (for the notes, :func:`left_out_notes`) the workers that :func:`_identity_watch`
    logged in the run ``run`` and that no check left out already."""
    ours = segmix_identity()
    try:
        events = client.get_events(UNFIT_TOPIC)
    except Exception:  # noqa: BLE001  the client closing: nothing more to say
        events = ()
    left = _left_out(client)
    for _, event in events:
        if not isinstance(event, dict) or event.get("run") != run or event.get("worker") in left:
            continue
        theirs = event.get("theirs") or {}
        if "error" in theirs:
            why = (f"it joined during the run and {theirs['error']}, so it cannot load this command's tasks (Dask "
                   "shuts such a worker down on its first task); install segmix where it runs and restart it")
        else:
            why = (f"it joined during the run and runs another segmix than this command "
                   f"({_another_segmix_words(theirs, ours)}): it cannot load this command's tasks or would write "
                   "other outputs (Dask shuts down a worker that cannot load its task); install the same segmix "
                   "where it runs and restart it")
        leave_out(client, str(event.get("worker")), why, lasting=True)


def checked_task(expected: dict, function: Callable, job, batch, shared: SharedFolder | None = None):
    """Task: ``function(job, batch)`` on a worker whose segmix is the client's (``expected``,
    :func:`segmix_identity`); raises :class:`AnotherSegmix` on another one (a worker that
    joined after the run's start was checked). With ``shared``, the worker must also see the
    output folder as the client does (:func:`check_workers_share`, once per worker and run), or
    the task raises :class:`FolderUnseen`: a worker that joined after the start's check wrote
    its outputs where the client never looks."""
    worker = _worker_address()
    run = expected.get("run")
    if shared is not None:
        marker, token, shown = shared
        # once per worker and run: the start's check (_check_kept) keeps its answer here too
        words = worker_cached(("shared folder", token, worker), lambda: _sees_folder(marker, token), run or token)
        if words:
            raise FolderUnseen(f"the Dask worker {worker}, which joined after the run's check, cannot use the output "
                               f"folder {shown} ({words}); {SHARED_ADVICE}")
    # A few inputs as the client sees them (check_workers_share): a worker that does not see
    # them failed every photo at once, "no such file", and so took task after task. In
    # ``expected``, a dict, since a worker of an earlier segmix must still unpack its arguments
    # (and then refuse on its identity, as it knows how to).
    inputs = expected.get("inputs")
    if inputs:
        words = worker_cached(("inputs", tuple(map(tuple, inputs)), worker), lambda: _sees_inputs(inputs), run)
        if words:
            raise InputsUnseen(f"the Dask worker {worker}, which joined after the run's check, {words}; "
                               f"{INPUTS_ADVICE}")
    own = _worker_identity()
    if _differs(own, expected):
        raise AnotherSegmix(f"the Dask worker {worker} runs another segmix than this command, whose outputs would "
                            f"differ ({_another_segmix_words(own, expected)}); install the same segmix where the "
                            "workers run and restart them")
    return function(job, batch)


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return "this worker"


class NotShared(OSError):
    """A worker does not find (or cannot read) a file the client read: not on shared storage."""


class InputsUnseen(OSError):
    """A worker that joined after the start's check does not see the inputs as the client does."""


INPUTS_ADVICE = "on a cluster the inputs must be on storage every host sees under the same path"


#: Bytes read at each end of a sampled input (:func:`input_sample`): a file of the same size but
#: other contents (another copy of a data set under the same path on a worker) differs there,
#: at the cost of two small reads per file.
SAMPLE_BYTES = 4096


def _ends_digest(path) -> str:
    """SHA-256 (hex, 16 digits) of the first and last :data:`SAMPLE_BYTES` bytes of a file."""
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
        size = os.fstat(handle.fileno()).st_size
        if size > 2 * SAMPLE_BYTES:
            handle.seek(size - SAMPLE_BYTES)
        tail = handle.read(SAMPLE_BYTES)
    return hashlib.sha256(head + b"\0" + tail).hexdigest()[:16]


def input_sample(paths, most: int = 8) -> list:
    """What a worker must see of the inputs ``paths``: the first of each folder (in the order
    given), then, while fewer than ``most``, the last of each folder; at most ``most`` in all,
    each as ``[path, size, digest]`` (resolved; :func:`_ends_digest`; a folder's size and digest
    None). Sizes and contents, not times: a shared file system may keep times at another
    precision. Only the paths kept are resolved (or read).

    Firsts before lasts: taking each folder's first and last together filled the sample from the
    first ``most / 2`` folders, and a worker that did not see the later folders passed (the
    session-41 review).

    It was the first file of each folder, by size alone: a worker that saw another copy of the
    photos under the same path, of the same sizes, passed (a session-40 review)."""
    ends: dict = {}  # folder -> [first, last] of its inputs, in the order given
    for path in map(Path, paths):
        kept = ends.get(path.parent)
        if kept is None:
            if len(ends) >= most:
                continue  # a folder past the first ``most``: none of its files is kept
            ends[path.parent] = [path, path]
        else:
            kept[1] = path
    chosen = [first for first, _ in ends.values()] + [last for first, last in ends.values() if last != first]
    sample = []
    for path in chosen:
        if len(sample) >= most:
            break
        try:
            from segmix.io import resolved_path

            resolved = resolved_path(path)
            if resolved.is_dir():
                sample.append([str(resolved), None, None])
                continue
            size = resolved.stat().st_size
            sample.append([str(resolved), size, _ends_digest(resolved)])
        except OSError:
            continue  # missing or unreadable here too: its own line says it
    return sample


def _sees_inputs(sample) -> str | None:
    """On a worker: None when it sees every ``[path, size, digest]`` of ``sample``
    (:func:`input_sample`) as the client does; else why not, in words starting with a verb
    ("does not see ...")."""
    for path, size, *digest in sample:
        try:
            stat = os.stat(path)
            theirs = _ends_digest(path) if digest and digest[0] is not None else None
        except FileNotFoundError:
            return f"does not see the inputs as this command does ({path}: no such file or folder there)"
        except OSError as exc:
            return f"cannot read the inputs ({path}: {(exc.strerror or str(exc)).lower()})"
        if size is not None and stat.st_size != size or theirs is not None and theirs != digest[0]:
            return f"does not see the inputs as this command does ({path} is another file there)"
    return None


# -------------------------------------------------------------------- workers left out of a run
#: The exceptions of a task's checks on its worker (:func:`checked_task`, the model file's):
#: the worker is at fault, not the inputs, so its tasks are run by the other workers.
UNFIT = ("AnotherSegmix", "FolderUnseen", "InputsUnseen", "NotShared")
_UNFIT_WORDS = re.compile(r"the Dask worker (\S+?)(?:, which joined after the run's check,)? (.*)", re.DOTALL)


def unfit_worker(exc: BaseException) -> tuple[str, str] | None:
    """``(worker, why)`` when the task ended with ``exc`` because of its worker (:data:`UNFIT`):
    ``why`` says it of the worker ("it runs another segmix ..."); else None."""
    if type(exc).__name__ not in UNFIT:
        return None
    found = _UNFIT_WORDS.search(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
    if not found or found.group(1) == "this":  # "this worker": not in a worker
        return None
    return found.group(1), "it " + found.group(2)


def _left_out(client) -> dict[str, tuple[str, bool]]:
    """The workers left out, kept on the client: ``{worker: (why, lasting)}``."""
    left = getattr(client, "segmix_left_out", None)
    if left is None:
        left = {}
        with contextlib.suppress(AttributeError):
            client.segmix_left_out = left
    return left


def leave_out(client, worker: str, why: str, lasting: bool = False) -> None:
    """No task of this run goes to ``worker`` any more (``why``: said in :func:`left_out_notes`);
    ``lasting``: of the client's later runs either (another segmix: the worker's code, where an
    output folder or inputs it does not see are the run's)."""
    _left_out(client).setdefault(worker, (why, lasting))


def new_run(client) -> None:
    """A run starts on ``client``: the workers left out by a run before for its own folders and
    inputs are tried again."""
    left = _left_out(client)
    for worker in [w for w, (_, lasting) in left.items() if not lasting]:
        del left[worker]
    with contextlib.suppress(AttributeError):
        # the run's id: the workers keep its checks' answers under it (_check_kept, checked_task)
        client.segmix_run = uuid.uuid4().hex
        client.segmix_workers_gone = False
        client.segmix_left_out_said = set()


def fit_workers(client) -> list[str]:
    """The scheduler's workers not left out of the run."""
    left = _left_out(client)
    return sorted(w for w in client.nthreads() if w not in left)


def mark_said(client, worker: str) -> None:
    """``worker``'s leaving out was said during the run (:func:`said_when_no_worker_is_left`):
    :func:`left_out_notes` does not say it again."""
    said = getattr(client, "segmix_left_out_said", None)
    if said is None:
        said = set()
        with contextlib.suppress(AttributeError):
            client.segmix_left_out_said = said
    said.add(worker)


def left_out_notes(client) -> list[str]:
    """One note per worker left out of the run, while others did its work: "the run went on
    without the Dask worker ...: why". None when no worker was left to go on with (the tasks'
    own lines say why they failed). A worker named while the run waited (:func:`mark_said`)
    is not named again."""
    # A copy: the run's watch thread may leave out a worker that joins meanwhile (its
    # dict would change size under this loop).
    said = getattr(client, "segmix_left_out_said", None) or set()
    left = {w: v for w, v in dict(_left_out(client)).items() if w not in said}
    if not left:
        return []
    if not fit_workers(client):
        if not getattr(client, "segmix_workers_gone", False):
            return []
        # The workers the run went on with are gone (tasks given up): the ones left out at its
        # start, which its first line counted ("named at the end"), are named all the same.
        return [f"the Dask worker {worker} was left out of the run: {why}" for worker, (why, _) in left.items()]
    return [f"the run went on without the Dask worker {worker}: {why}" for worker, (why, _) in left.items()]


def _placement(client) -> dict:
    """``client.submit`` arguments that keep tasks off the workers left out, if any: a strict
    restriction (a loose one lets an idle worker, as a failing worker always is, steal them)."""
    if not _left_out(client):
        return {}
    return _restricted(client, fit_workers(client))


def _restricted(client, workers: list[str]) -> dict:
    """``client.submit`` arguments for tasks that only ``workers`` may run (the run keeps them
    per future, :class:`Placed`, for the watch of :func:`said_when_no_worker_is_left`)."""
    return {"workers": workers, "allow_other_workers": False}


#: The worker a task waits for when no worker fit to run it is on the scheduler
#: (:func:`_run_elsewhere`): an address no Dask worker has (port 1 is no worker's), so that
#: the task is stranded (:class:`Placed`) until a fit worker joins and takes it, or is given
#: up after :data:`STRANDED_TIMEOUT`. Numeric: the scheduler resolves no name for it.
AWAITING_A_FIT_WORKER = "tcp://127.0.0.1:1"


def _run_elsewhere(client, future, exc, submit: Callable, placed: Placed | None = None):
    """A task ``future`` that ended with ``exc``: when its worker was at fault (:func:`unfit_worker`),
    that worker is left out and the task submitted again (``submit(placement)``) to the others;
    the new future, or None (the task's own fault, or no other worker).

    With ``placed`` of a run that moves its stranded tasks (``placed.run``) and no other
    worker, the task waits for one (:data:`AWAITING_A_FIT_WORKER`), as a task whose workers
    left does: a worker that joined with another segmix while the good one was gone took the
    tasks Dask moved to it and failed them at once, and with them their inputs, though a fit
    worker could still join (the identity watch's word can come after its first task)."""
    found = unfit_worker(exc)
    if found is None:
        return None
    leave_out(client, *found)
    fit = fit_workers(client)
    if not fit:
        if placed is None or placed.run is None or not placed.fit_gone(client):
            return None  # every worker unfit, none gone: the tasks fail now, named, as they did
        return submit(_restricted(client, [AWAITING_A_FIT_WORKER]))
    return submit(_restricted(client, fit))


def shared_file_digest(path, expected: str | None = None) -> str:
    """On a worker: :func:`file_digest` of the model file ``path``, which the client read (its
    SHA-256 ``expected``). One the worker does not find, cannot read, or reads as another file
    raises :class:`NotShared` in words: it was Python's "FileNotFoundError: [Errno 2] No such
    file or directory: '/tmp/m.json'", on every photo's line (a session-39 trial's worker with a
    folder of its own under that path); another file was a ValueError, which kept the worker in
    the run."""
    try:
        digest = file_digest(path)
    except OSError as exc:
        why = "does not find" if isinstance(exc, FileNotFoundError) else (
            f"cannot read ({(exc.strerror or str(exc)).lower()})")
        raise NotShared(f"the Dask worker {_worker_address()} {why} the model file {path}, which this command read: "
                        "on a cluster it must be on storage every host sees under the same path, readable by the "
                        "user the workers run as") from None
    if expected is not None and digest != expected:
        raise NotShared(f"the Dask worker {_worker_address()} reads another file as the model file {path} than this "
                        "command read (its SHA-256 differs): on a cluster it must be on storage every host sees under "
                        "the same path (and a built-in model comes with the same segmix)")
    return digest


# -------------------------------------------------------------------- the shared output folder
SHARED_ADVICE = ("on a cluster it must be on storage every host sees under the same path, writable by the user the "
                 "workers run as")


#: The output folder's check, kept for the run: ``(marker, token, shown)``, ``marker`` a file in
#: the folder holding ``token``, which stays until the run ends so that a worker joining later
#: checks it too. A plain tuple, not a class: the scheduler unpickles the tasks, and one started
#: before segmix changed has no new class (every task failed "Error during deserialization").
SharedFolder = tuple


class FolderUnseen(OSError):
    """A worker that joined after the start's check does not see (or cannot write) the output folder."""


MARKER_PREFIX = ".segmix-shared-check-"


def _remove_dead_markers(folder: Path) -> None:
    """Remove the check files (:func:`check_workers_share`) of runs of this host whose process
    is gone: a killed client (kill -9, a lost terminal) left its file in the output folder for
    good. Another host's, or a live process's (a run under way), are left alone."""
    host = socket.gethostname()
    for marker in folder.glob(glob_escape(MARKER_PREFIX) + "*"):
        named_host, _, rest = marker.name[len(MARKER_PREFIX):].rpartition("-")[0].rpartition("-")
        pid = rest
        if named_host != host or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                marker.unlink()
        except (PermissionError, OverflowError, OSError):
            pass  # alive under another user, or no such number: left alone


def check_workers_share(client, folder: Path, shown, created: bool = False, inputs=None,
                        task: tuple | None = None) -> SharedFolder | None:
    """Refuse a run whose workers do not see the output ``folder`` as this process does (it is
    not on storage they share, or is another folder under that path there) or cannot write in it
    (they run as another user): a worker in a mount namespace of its own wrote every mask into
    its own /tmp, and the command said "60 written", exit 0, into an empty folder (a rerun:
    "60 already complete"). ``shown``: the folder as the user gave it; ``created``: this run
    made the folder, removed (when empty) on a refusal. ``inputs``: :func:`input_sample` of the
    inputs, which the workers must see as this process does. ``task``: ``(function, job)``,
    which the scheduler must be able to load (:func:`check_scheduler_loads`).

    Workers that fail a check while others pass are left out of the run (:func:`leave_out`,
    said after it by :func:`left_out_notes`): the run is refused only when none passes.

    Returns
    -------
    SharedFolder or None
        For :func:`run_tasks`: the marker file stays in the folder until the run ends, and every
        worker checks it before its first task (one that joins later too). The process removes
        it at exit if no run does.

    Raises
    ------
    OSError
        One line naming the folder, the workers and why.
    """
    if not hasattr(client, "run"):
        return None  # a stand-in without workers, whose tasks run in this process (tests)
    if task is not None:
        try:
            check_scheduler_loads(client, *task)
        except AnotherSegmix:
            if created:
                with contextlib.suppress(OSError):
                    Path(folder).rmdir()
            raise
    new_run(client)
    token = uuid.uuid4().hex
    _remove_dead_markers(Path(folder))
    marker = Path(folder) / f"{MARKER_PREFIX}{socket.gethostname()}-{os.getpid()}-{token}"
    from segmix.io import atomic_write

    with atomic_write(marker) as handle:  # whole when a worker reads it
        handle.write(token.encode())
    try:
        answers = client.run(_check_kept, ("shared folder", token), _run_of(client), _sees_folder, str(marker), token,
                             on_error="return")
    except BaseException:
        marker.unlink(missing_ok=True)
        raise
    left = _left_out(client)
    if answers and all(worker in left for worker in answers):
        marker.unlink(missing_ok=True)
        if created:
            with contextlib.suppress(OSError):
                Path(folder).rmdir()
        first, (why, _) = next(iter(left.items()))
        raise AnotherSegmix(f"every Dask worker of the scheduler was left out of this client's runs ({first}: {why}"
                            f"{'' if len(left) == 1 else f'; and {len(left) - 1} more'})")
    answers = {worker: answer for worker, answer in answers.items() if worker not in left}
    odd = {worker: (describe_exception(answer) if isinstance(answer, BaseException) else answer)
           for worker, answer in sorted(answers.items()) if answer}
    unseen = {}
    if inputs and len(odd) < len(answers):
        unseen = _unseeing(client, inputs, [w for w in answers if w not in odd])
    if len(odd) + len(unseen) < len(answers) or not answers:  # none: Dask waits for one, as it says
        # Some workers pass: the run goes on without the others (one bad worker among good
        # ones refused the whole run; one that failed its tasks instead took many, at once).
        for worker, words in odd.items():
            leave_out(client, worker, f"it cannot use the output folder {shown} ({words}); {SHARED_ADVICE}")
        for worker, words in unseen.items():
            leave_out(client, worker, f"it {words}; {INPUTS_ADVICE}")
        atexit.register(marker.unlink, missing_ok=True)  # a run that stops before its tasks
        return str(marker), token, str(shown)
    marker.unlink(missing_ok=True)
    if created:
        with contextlib.suppress(OSError):
            Path(folder).rmdir()
    if not odd:
        first, words = next(iter(unseen.items()))
        raise OSError(f"{len(unseen)} of {len(answers)} Dask worker{'' if len(answers) == 1 else 's'} cannot use "
                      f"the inputs ({first}: {words}{'' if len(unseen) == 1 else f'; and {len(unseen) - 1} more'}); "
                      f"{INPUTS_ADVICE}")
    first, words = next(iter(odd.items()))
    raise OSError(f"{shown}: {len(odd)} of {len(answers)} Dask worker{'' if len(answers) == 1 else 's'} cannot use "
                  f"this output folder ({first}: {words}{'' if len(odd) == 1 else f'; and {len(odd) - 1} more'}); "
                  f"{SHARED_ADVICE}")


def _run_of(client) -> str:
    """The id of the client's run (:func:`new_run`)."""
    run = getattr(client, "segmix_run", None)
    if run is None:
        new_run(client)
        run = getattr(client, "segmix_run", None) or "run"
    return run


def _check_kept(key: tuple, run: str, check: Callable, *args, dask_worker=None):
    """On a worker (``client.run``): ``check(*args)``, kept in the worker's cache for the run
    ``run`` under ``key`` and the worker's address, where :func:`checked_task` finds it: a worker
    checked at the start checked the output folder and the inputs again on its first task (a
    session-40 review). ``check`` gets ``dask_worker`` when it takes it (the tests' stand-ins)."""
    import inspect

    address = dask_worker.address if dask_worker is not None else _worker_address()
    extra = {"dask_worker": dask_worker} if "dask_worker" in inspect.signature(check).parameters else {}
    return worker_cached((*key, address), lambda: check(*args, **extra), run)


def _unseeing(client, inputs, workers) -> dict[str, str]:
    """The ``workers`` that do not see the ``inputs`` (:func:`input_sample`) as this process
    does, and why (:func:`_sees_inputs`)."""
    if not workers:
        return {}
    seen = client.run(_check_kept, ("inputs", tuple(map(tuple, inputs))), _run_of(client), _sees_inputs, inputs, workers=list(workers),
                      on_error="return")
    return {worker: (describe_exception(answer) if isinstance(answer, BaseException) else answer)
            for worker, answer in sorted(seen.items()) if answer}


def _loads_probe():
    """A function that unpickles bytes in the process it runs in and says why it cannot, or
    None; pickled by value (a local function), so that a scheduler of an earlier segmix runs it."""
    def probe(data: bytes) -> str | None:
        import pickle

        try:
            pickle.loads(data)
        except Exception as exc:  # noqa: BLE001  whatever stops it: said in words
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        return None

    return probe


def check_scheduler_loads(client, function: Callable, job) -> None:
    """Refuse a run whose tasks (``checked_task`` of ``function`` and ``job``) the scheduler
    cannot load: it unpickles every task, and one of a segmix older than a change to a task's
    classes failed every task with Dask's "Error during deserialization of the task graph", a
    line per photo. The scheduler is given the pickled task to load, whatever changed.

    Raises
    ------
    AnotherSegmix
        One line: the scheduler's segmix against this command's, and what to do.
    """
    try:
        import cloudpickle

        data = cloudpickle.dumps((checked_task, segmix_identity(), function, job))
    except Exception:  # noqa: BLE001  not picklable here: Dask's own words, on submission
        return
    try:
        why = client.run_on_scheduler(_loads_probe(), data)
    except Exception:  # noqa: BLE001  a scheduler that refuses to run functions: left to the tasks
        return
    if not why:
        return
    try:
        theirs = client.run_on_scheduler(_identity_probe())
        runs = f"it runs {_identity_words(theirs)}" if "segmix" in theirs else str(theirs.get("error"))
    except Exception:  # noqa: BLE001
        runs = "its segmix is unknown"
    address = getattr(getattr(client, "scheduler", None), "address", "the scheduler")
    raise AnotherSegmix(f"--distributed {address}: the Dask scheduler cannot load this command's tasks ({why}; {runs}; "
                        f"this command: {_identity_words(segmix_identity())}): its segmix is not this command's, whose "
                        "tasks changed since; install the same segmix where the scheduler runs and restart it")


def version_mismatch_words(text: str) -> str:
    """Dask's "Mismatched versions found" warning (an ASCII table of the packages whose versions
    differ between the client, the scheduler and the workers) in one line; it reached the
    terminal as one line of literal "\\n" and table rules (a session-38 trial's worker of
    another dask). Text that is no such table is returned as it is."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("|")]
    if len(rows) < 2 or len(rows[0]) != 4:
        return text

    def versions(cell: str) -> str:
        found = re.findall(r"'([^']*)'", cell)
        return " and ".join(sorted(found)) if cell.startswith("{") and found else cell

    parts = [f"{package}: here {here}, scheduler {versions(scheduler)}, workers {versions(workers)}"
             for package, here, scheduler, workers in rows[1:] if package]
    return (f"Dask's packages differ between this command, its scheduler and its workers ({'; '.join(parts)}): Dask "
            "may fail in ways of its own; install the same versions everywhere")


NOT_FOUND = ": no such file"


def said_once(failures: Sequence[tuple[str, str]], unit: str) -> list[str]:
    """Lines for ``failures`` (``(name, line)``, ``line`` starting with ``name``) in which the
    inputs that failed for the same reason share one line, ``"3 photos (a.jpg, b.jpg, c.jpg):
    reason"``, in the order of their first; a reason of one input keeps its own line. Reasons
    that differ only in the Dask worker they name are the same reason, said of the first worker
    and counting the others (``"...; the same on 2 other workers: tcp://..., tcp://..."``). A
    worker's long reason (a model file it does not find, another segmix) was said once per
    photo: 80 lines of it for one unshared model."""
    from segmix.io import listed_names

    groups: dict[str, tuple[str, list[str], list[str]]] = {}  # key -> (first reason, names, workers)
    order: list[str] = []  # keys, and lines of their own (prefixed "\0")
    seen: set[tuple[str, str]] = set()  # (key, name) already in a group
    for name, line in failures:
        prefix = f"{name}: "
        if not line.startswith(prefix):
            order.append("\0" + line)
            continue
        reason = line[len(prefix):]
        worker = _WORKER_NAMED.search(reason)
        key = _WORKER_NAMED.sub("the Dask worker *", reason)
        if (key, name) in seen:  # another line of the same input: its own
            order.append("\0" + line)
            continue
        seen.add((key, name))  # a set: a list's look-ups made 8,000 failed photos take 0.26 s
        if key not in groups:
            groups[key] = (reason, [], [])
            order.append(key)
        _, names, workers = groups[key]
        names.append(name)
        if worker and worker.group(1) not in workers:
            workers.append(worker.group(1))
    said = []
    for key in order:
        if key.startswith("\0"):
            said.append(key[1:])
            continue
        reason, names, workers = groups[key]
        others = workers[1:]
        if others:
            reason += (f"; the same on {len(others)} other worker{'' if len(others) == 1 else 's'}: "
                       f"{listed_names(others)}")
        said.append(f"{names[0]}: {reason}" if len(names) == 1 else
                    f"{len(names)} {unit}s ({listed_names(names)}): {reason}")
    return said


_WORKER_NAMED = re.compile(r"the Dask worker (\S+?)(?=[,\s])")


def seen_here(paths: Sequence[str], shown: Sequence[str]) -> str | None:
    """Words for the inputs ``paths`` (shown as ``shown``) that a worker found no such file
    (a line with :data:`NOT_FOUND`) and that this process sees: not on storage the workers
    share. Each was said as "PHOTO: no such file" alone, of a file the user could see there
    (a session-38 trial's worker with a /tmp of its own: 60 such lines). None when none is."""
    from segmix.io import listed_names

    here = [name for path, name in zip(paths, shown) if os.path.exists(path)]
    if not here:
        return None
    n = len(here)
    return (f"{n} input{'' if n == 1 else 's'} the Dask workers did not find {'is' if n == 1 else 'are'} here, where "
            f"this command runs ({listed_names(here)}): on a cluster the inputs must be on storage every host sees "
            "under the same path")


def _sees_folder(marker: str, token: str) -> str | None:
    """On a worker: None when it reads ``marker`` (written by the client) as ``token`` and can
    write next to it; else why not, in words."""
    path = Path(marker)
    try:
        seen = path.read_bytes()
    except FileNotFoundError:
        return (f"it does not see the folder's files as this command does ({path.parent} is another folder there, "
                "or none)")
    except OSError as exc:
        return f"cannot read in it ({(exc.strerror or str(exc)).lower()})"
    if seen != token.encode():
        return f"it sees another {path.parent} there"
    probe = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return f"cannot write in it ({(exc.strerror or str(exc)).lower()})"
    return None


# -------------------------------------------------------------------- on the workers
#: Entries a worker's cache keeps (models, the last used first): a long-lived worker serving
#: run after run kept every model and every run's checks for ever (a session-40 review).
CACHE_MOST = 4
_CACHE: collections.OrderedDict = collections.OrderedDict()
#: The entries of one run (its checks), dropped when another run's come: ``[run, {key: value}]``.
_RUN_CACHE: list = [None, {}]
_CACHE_LOCK = threading.Lock()


def worker_cached(key, load: Callable[[], Any], run: str | None = None):
    """``load()`` once per worker process and ``key`` (models: read once, not per task).

    ``run``: the value belongs to that run alone (a check of its output folder or inputs), and
    goes when another run's first entry comes; others are kept, the :data:`CACHE_MOST` last used."""
    with _CACHE_LOCK:
        if run is not None:
            if _RUN_CACHE[0] != run:
                _RUN_CACHE[:] = [run, {}]
            entries = _RUN_CACHE[1]
            if key not in entries:
                entries[key] = load()
            return entries[key]
        if key in _CACHE:
            _CACHE.move_to_end(key)
        else:
            _CACHE[key] = load()
            while len(_CACHE) > CACHE_MOST:
                _CACHE.popitem(last=False)
        return _CACHE[key]


# The lines of warnings_said() in this context, or None. A context variable, not a thread's
# own: a helper thread started in a copy of the task's context (segmix.frames.prefetch, which
# decodes a sequence's frames ahead) collects into the task's lines too; its warnings (16-bit
# frames of 12-bit data) reached the terminal as Python prints them, path and source line.
_SAID: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("segmix_warnings_said", default=None)
_SAID_LOCK = threading.Lock()


_shown_before = [warnings.showwarning]  # what showed warnings before warnings_said() took over


def _show_or_collect(message, category, filename, lineno, file=None, line=None):
    lines = _SAID.get()
    if lines is None:
        _shown_before[0](message, category, filename, lineno, file, line)
    else:
        lines.append(str(message))


@contextlib.contextmanager
def warnings_said() -> Iterator[list[str]]:
    """The messages of the warnings raised in this thread within the block (a task's), for the
    client to print as the single-process command prints them.

    A worker's own warning reached the user's terminal as Python prints one (the worker's
    resolved path, ``skin.py:1647: DamagedJpegWarning:`` and the source line under it), or not
    at all on a remote worker. Per thread, since a worker runs tasks in threads (the global
    state of ``warnings.catch_warnings`` is not thread-safe); segmix's warnings are always
    said here, where a long-lived worker's registry would say each only once per process.
    """
    with _SAID_LOCK:
        if warnings.showwarning is not _show_or_collect:
            _shown_before[0] = warnings.showwarning
            warnings.showwarning = _show_or_collect
            warnings.filterwarnings("always", module=r"segmix(\.|$)")
    lines: list[str] = []
    token = _SAID.set(lines)
    try:
        yield lines
    finally:
        _SAID.reset(token)


def file_digest(path) -> str:
    """SHA-256 of a file (hex): the client names a model by it, workers check theirs."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def remove_leftovers(output: Path) -> None:
    """Delete the temporary files that an interrupted :func:`segmix.io.atomic_write` of
    ``output`` left (``.<name>.<random>.tmp`` next to it)."""
    from segmix.io import temporary_prefix

    for stale in output.parent.glob(f"{glob_escape(temporary_prefix(output.name))}*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


# -------------------------------------------------------------------- the run record
def runs_match(folder: Path, record_name: str, key: dict) -> bool:
    """Whether the run record ``folder/record_name`` holds ``key`` (JSON-able settings)."""
    try:
        return json.loads((Path(folder) / record_name).read_text(encoding="utf-8-sig")) == json.loads(json.dumps(key))
    except (OSError, ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return False


def file_state(path, mode: bool = False) -> list | None:
    """What a run record keeps of an input file: ``[size, mtime_ns]`` (with ``mode``, its
    permissions too), or None when it is gone. Sizes and times, not contents: a file rewritten
    (even with the same bytes) counts as changed; one changed by a tool that restores its
    time does not."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_mode] if mode else [stat.st_size, stat.st_mtime_ns]


def read_record(path) -> dict | None:
    """A run record (a JSON object), or None when it is missing or cannot be read."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return None
    return record if isinstance(record, dict) else None


def record_run(folder: Path, record_name: str, key: dict) -> None:
    """Write ``key`` as the run record ``folder/record_name`` (atomically)."""
    from segmix.io import write_json_atomic

    write_json_atomic(Path(folder) / record_name, key)


segmix_identity()  # now, as the code in memory is (see segmix_identity)
