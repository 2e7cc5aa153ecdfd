"""Read a saved segmentation model and the settings it is applied with, as the window does.

``segmix segment --model M.json`` applies a model written by ``segment --save-model`` or the
window's File > Save Model, which only File > Load Model could use. Both read it here the
same way (the window's ``segmix.gui.files.read_segmentation_model``, whose words this keeps:
a malformed file gets :mod:`segmix.modelfile`'s one line), and :func:`apply_settings` is the
window's rule for a loaded model: the model's own settings (features, clean-ups), with the
graph cut on or off and the threshold as the user's display choices.
"""

from __future__ import annotations

import os

#: The settings a loaded model takes from the user rather than from the file (the window's
#: graph-cut tick box and threshold slider; the command line's --smoothing and --threshold).
DISPLAY_SETTINGS = ("smoothing", "threshold")


def read_segmentation_model(path: str | os.PathLike, skin_hint: str = "segmix skin apply --model applies skin models"):
    """Read a segmentation model file.

    Parameters
    ----------
    path : str or PathLike
    skin_hint : str
        What the refusal of a skin model adds in parentheses (the window says "use Skin mode
        to apply skin models").

    Returns
    -------
    segmix.segment.SegmentationModel

    Raises
    ------
    ValueError
        One line naming the file: :mod:`segmix.modelfile`'s refusal of a malformed file, a
        model of another kind, or one that is not a two-class model with foreground first.
    """
    from segmix import modelfile
    from segmix.segment import SegmentationModel

    model = modelfile.read_model(path)  # ModelFileError (a ValueError) names file and problem
    if model.kind != "segmentation":
        raise ValueError(f"{path}: is a {model.kind!r} model, not a segmentation model"
                         + (f" ({skin_hint})" if model.kind == "skin" and skin_hint else ""))
    try:
        return SegmentationModel.from_segmix_model(model)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def newer_model_note(path: str | os.PathLike, model) -> str | None:
    """The note on a segmentation model a newer segmix wrote or whose settings this one lacks
    (:func:`segmix.modelfile.newer_model_words`); None otherwise. The command line prints it
    (unless --quiet), the window's status bar shows it."""
    from dataclasses import fields

    from segmix.modelfile import newer_model_words
    from segmix.segment import SegmentationSettings

    return newer_model_words(path, model.training, {f.name for f in fields(SegmentationSettings)})


def apply_settings(model, display: dict | None = None, overrides: dict | None = None):
    """The settings a loaded ``model`` is applied with: the window's rule.

    Parameters
    ----------
    model : segmix.segment.SegmentationModel
    display : dict, optional
        Values of :data:`DISPLAY_SETTINGS` (None or missing: the defaults of
        :class:`segmix.segment.SegmentationSettings`, where the window's tick box and slider
        start: the graph cut on, threshold 0.5). The model's own threshold and smoothing are
        not used, as in the window.
    overrides : dict, optional
        Other settings to change (None values skipped): the command line's apply-time flags
        (``--smoothness``, ``--fill-holes``, ...).

    Returns
    -------
    segmix.segment.SegmentationSettings
        Validated.
    """
    from dataclasses import replace

    from segmix.segment import SegmentationSettings

    defaults = SegmentationSettings()
    chosen = {name: (display or {}).get(name) for name in DISPLAY_SETTINGS}
    chosen = {name: getattr(defaults, name) if value is None else value for name, value in chosen.items()}
    settings = SegmentationSettings.from_dict(dict(model.settings.to_dict(), **chosen))
    settings = replace(settings, **{k: v for k, v in (overrides or {}).items() if v is not None})
    settings.validate()
    return settings
