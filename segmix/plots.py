"""Figures users read, drawn with Matplotlib: ROC curves of skin evaluation and EM convergence.

Matplotlib is imported only when a figure is written (``segmix`` itself and every command
that writes no figure never pay its import), with the non-interactive Agg backend through
:class:`matplotlib.figure.Figure` (no pyplot, no global state, no display needed). Live plots
inside the window are painted by Qt, not here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from segmix.io import atomic_save, output_mark


def _config_folder() -> None:
    """Point Matplotlib at a private folder when its own are not writable, before it loads.

    With a read-only or missing home (a service account, a container) Matplotlib printed two
    lines of its own on every ``skin eval --roc`` ("mkdir -p failed for path
    /nonexistent/.config/matplotlib ...", "Matplotlib created a temporary cache directory
    ... it is highly recommended to set the MPLCONFIGDIR environment variable"), outside the
    one-line-per-message rule, and rebuilt its font cache each run in a new temporary folder.
    Then ``MPLCONFIGDIR`` is ``segmix-matplotlib-UID`` in the temporary folder: the user's
    own (0700), kept between runs. A user's MPLCONFIGDIR wins.
    """
    import os
    import stat
    import sys
    import tempfile

    if "matplotlib" in sys.modules or os.environ.get("MPLCONFIGDIR") or not hasattr(os, "getuid"):
        return
    home = os.path.expanduser("~")
    folders = [os.path.join(os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "matplotlib"),
               os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"), "matplotlib")]
    try:
        # No home to find ("~" stays "~": HOME unset, a user id without a passwd entry): the
        # folders would be made in the current folder, as "./~/.config".
        if all(os.path.isabs(folder) for folder in folders):
            for folder in folders:
                os.makedirs(folder, exist_ok=True)
            if all(os.access(folder, os.W_OK) for folder in folders):
                return
    except OSError:
        pass
    private = os.path.join(tempfile.gettempdir(), f"segmix-matplotlib-{os.getuid()}")
    try:
        os.makedirs(private, mode=0o700, exist_ok=True)
        st = os.lstat(private)
    except OSError:
        return  # Matplotlib's own fallback, with its lines
    if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022:
        os.environ["MPLCONFIGDIR"] = private


def _figure(size=(6.4, 5.6)):
    _config_folder()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


#: The formats the ROC plot is written in, by extension (Matplotlib's own writers; the vector
#: ones for papers: the ROC was PNG only). Other figures are PNG.
ROC_FORMATS = (".png", ".pdf", ".svg")


def check_png_name(path, formats: tuple[str, ...] = (".png",)) -> None:
    """ValueError unless ``path`` ends in one of ``formats`` (figures are written as PNG,
    the ROC also as PDF or SVG: :data:`ROC_FORMATS`)."""
    if Path(path).suffix.lower() not in formats:
        if formats == (".png",):
            raise ValueError(f"{path}: figures are written as PNG; use a .png file name")
        names = [f.lstrip(".") for f in formats]
        raise ValueError(f"{path}: this figure is written as {', '.join(n.upper() for n in names[:-1])} or "
                         f"{names[-1].upper()}; use a file name ending in {', '.join('.' + n for n in names[:-1])} or "
                         f".{names[-1]}")


def figure_mark_metadata(fmt: str, mark: str) -> dict[str, str]:
    """Matplotlib ``savefig`` metadata carrying ``segmix <mark>`` (:func:`segmix.io.output_mark`)
    in ``fmt`` ("png": the ``Software`` text chunk; "pdf" / "svg": the document's ``Creator``,
    which :func:`segmix.own_outputs.own_file` reads back)."""
    key, value = output_mark(mark)
    return {key: value} if fmt == "png" else {"Creator": value}


def _write(path, fig, protect, mark: str | None = None, formats: tuple[str, ...] = (".png",)) -> None:
    """Write ``fig`` to ``path`` atomically in the format of its extension (one of ``formats``);
    with ``mark``, carrying that command's mark (:func:`figure_mark_metadata`) in place of
    Matplotlib's, so that a later run of the command may replace the file (``segmix.own_outputs``)."""
    check_png_name(path, formats)
    fmt = Path(path).suffix.lower().lstrip(".")
    metadata = {} if mark is None else figure_mark_metadata(fmt, mark)
    atomic_save(path, lambda handle: fig.savefig(handle, format=fmt, metadata=metadata), protect=protect)


def draw_roc(curves: Sequence[dict], title: str = "ROC curve"):
    """ROC curves on one set of axes.

    Parameters
    ----------
    curves : sequence of dict with keys
        ``fpr``, ``tpr`` (arrays in [0, 1]), ``label`` (str, e.g. with the AUC) and optionally
        ``point`` = (fpr, tpr) of the operating point and ``point_label``.
    title : str

    Returns
    -------
    matplotlib.figure.Figure (Agg canvas attached)
    """
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--", label="chance")
    for curve in curves:
        fpr, tpr = np.asarray(curve["fpr"], float), np.asarray(curve["tpr"], float)
        order = np.lexsort((tpr, fpr))
        (line,) = ax.plot(fpr[order], tpr[order], lw=2, label=curve.get("label", ""))
        _operating_point(ax, curve, line)
    return _finished(fig, ax, title, "false positive rate (non-skin pixels called skin)",
                     "true positive rate (skin recall)", "lower right")


def _operating_point(ax, curve: dict, line) -> None:
    """The curve's operating point (its ``point``, if any), a dot in the line's colour."""
    if curve.get("point") is not None:
        ax.plot(*curve["point"], "o", ms=8, mec="black", color=line.get_color(),
                label=curve.get("point_label", "operating point"))


def _finished(fig, ax, title: str, xlabel: str, ylabel: str, legend: str):
    """``fig`` with the unit square's axes of a rate curve labelled, gridded and a legend."""
    ax.set(xlim=(0, 1), ylim=(0, 1.005), title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, alpha=0.4)
    ax.legend(loc=legend)
    return fig


def draw_pr(curves: Sequence[dict], title: str = "Precision-recall curve"):
    """Precision-recall curves on one set of axes.

    Parameters
    ----------
    curves : sequence of dict with keys
        ``recall``, ``precision`` (arrays in [0, 1], NaN where nothing is called skin),
        ``label`` (str), ``base`` (the share of positives: a detector that guesses has that
        precision) and optionally ``point`` = (recall, precision) and ``point_label``.
    title : str

    Returns
    -------
    matplotlib.figure.Figure (Agg canvas attached)
    """
    fig = _figure()
    ax = fig.add_subplot()
    for curve in curves:
        recall, precision = np.asarray(curve["recall"], float), np.asarray(curve["precision"], float)
        keep = np.isfinite(precision) & np.isfinite(recall)
        order = np.lexsort((-precision[keep], recall[keep]))
        (line,) = ax.plot(recall[keep][order], precision[keep][order], lw=2, label=curve.get("label", ""))
        if curve.get("base") is not None:
            ax.axhline(curve["base"], color="0.6", lw=1, ls="--", label=f"chance (skin share {curve['base']:.3f})")
        _operating_point(ax, curve, line)
    return _finished(fig, ax, title, "recall (skin pixels found)", "precision (pixels called skin that are skin)",
                     "lower left")


def save_pr_png(path, curves: Sequence[dict], title: str = "Precision-recall curve", protect=(),
                mark: str | None = None) -> None:
    """Draw :func:`draw_pr` and write it atomically as PNG, PDF or SVG, by ``path``'s
    extension (:data:`ROC_FORMATS`; ``mark``: see :func:`_write`)."""
    _write(path, draw_pr(curves, title), protect, mark, ROC_FORMATS)


def save_roc_png(path, curves: Sequence[dict], title: str = "ROC curve", protect=(),
                 mark: str | None = None) -> None:
    """Draw :func:`draw_roc` and write it atomically as PNG, PDF or SVG, by ``path``'s
    extension (:data:`ROC_FORMATS`; ``mark``: see :func:`_write`)."""
    _write(path, draw_roc(curves, title), protect, mark, ROC_FORMATS)


#: A fall after a curve's peak larger than this (nats per sample) is said under the figure.
FALL_TOLERANCE = 1e-6


def fallen_curves(histories: dict[str, Sequence[float]]) -> list[str]:
    """The names of the curves whose mean log-likelihood falls after its peak by more than
    :data:`FALL_TOLERANCE`: with ``reg_covar`` added to each covariance after the M-step, EM
    climbs a regularised objective, not the plain likelihood the curve shows, which may then
    fall a little (a trial's skin curve: 5.413 at iteration 10, 5.380 at its end)."""
    fallen = []
    for name, values in histories.items():
        values = np.asarray(values, float)
        if values.size > 1 and float(values.max() - values[-1]) > FALL_TOLERANCE:
            fallen.append(name)
    return fallen


def draw_convergence(histories: dict[str, Sequence[float]], title: str = "EM convergence",
                     reg_covar: float | None = None):
    """Mean log-likelihood per EM iteration, one line per fitted mixture.

    Parameters
    ----------
    histories : dict name -> sequence of float (``GaussianMixture.log_likelihood_history_``)
    title : str
    reg_covar : float, optional
        The covariance regularisation of the fits, named in the note under the figure when a
        curve falls after its peak (:func:`fallen_curves`); without it the note names none.
    """
    fallen = fallen_curves(histories)
    fig = _figure((6.4, 4.4) if not fallen else (6.4, 4.9))
    ax = fig.add_subplot()
    for name, values in histories.items():
        values = np.asarray(values, float)
        ax.plot(np.arange(1, values.size + 1), values, marker="o", ms=3, lw=1.5,
                label=f"{name} ({values.size} iterations)")
    ax.set(title=title, xlabel="EM iteration", ylabel="mean log-likelihood per sample")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # iterations are whole (a trial saw 2.5, 7.5)
    ax.grid(True, alpha=0.4)
    # "best": a fixed corner hid a flat curve's middle iterations (a trial's skin curve, 8-18).
    ax.legend(loc="best")
    if fallen:
        # Said, so that a reader does not take it for an EM fault (a trial did).
        amount = f" ({reg_covar:g})" if reg_covar is not None else ""
        curves = (f"The curve of the {fallen[0]} falls after its peak" if len(fallen) == 1
                  else f"The curves of the {' and of the '.join(fallen)} fall after their peaks")
        fig.text(0.02, 0.01, f"{curves}: reg_covar{amount}, added to each "
                 "covariance after the M-step so that no component collapses, makes EM climb a regularised "
                 "objective, not this plain likelihood.", fontsize=7.5, wrap=True, va="bottom")
        fig.get_layout_engine().set(rect=(0, 0.1, 1, 0.9))  # room under the axes for the note
    return fig


def save_convergence_png(path, histories: dict[str, Sequence[float]], title: str = "EM convergence",
                         protect=(), mark: str | None = None, reg_covar: float | None = None) -> None:
    """Draw :func:`draw_convergence` and write it atomically as PNG (``mark``: see
    :func:`_write`)."""
    _write(path, draw_convergence(histories, title, reg_covar), protect, mark)
