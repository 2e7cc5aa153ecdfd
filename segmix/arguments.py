"""A public function's arguments checked as its user wrote them: numbers given as strings or
bools, and keywords under another library's name (``quantize_image(image, k=4)``); and the
names refusals give the parameters: their own, or the command line's options in a command.

Python's own words for both ("got an unexpected keyword argument 'k'", or none at all:
``float("0.5")`` took a string threshold) name neither the parameter nor what to give.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np


def as_number(value) -> float:
    """``value`` as a float when it is a real number (a Python or NumPy int or float, or a 0-d
    array of one), else NaN, which every range check refuses.

    A string is no number here: ``float("0.5")`` took ``threshold="0.5"`` (a value read from a
    text field or a config file) without a word, where a sibling parameter refused it; a bool
    is none either (``True`` is 1 to ``float``).

    Parameters
    ----------
    value : object

    Returns
    -------
    float
        NaN for anything but a real number (and for NaN itself).
    """
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return math.nan
    if isinstance(value, np.ndarray):
        return float(value) if value.ndim == 0 and value.dtype.kind in "iuf" else math.nan
    if not isinstance(value, (int, float, np.integer, np.floating)):
        return math.nan
    return float(value)


def string_hint(value) -> str:
    """The tail of a refusal of ``value`` given as a string ("": anything else)."""
    return ": a string; give the number itself, e.g. float(value)" if isinstance(value, str) else ""


def other_names(names: Mapping[str, str]) -> Callable:
    """A decorator: keywords given under another library's name (``names``: that name -> the
    parameter that stands for it) are refused saying the parameter's name, where Python said
    only "got an unexpected keyword argument". Keywords neither the function's nor in
    ``names`` (a typo) keep Python's words. The signature, docstring and name stay the
    function's.

    Parameters
    ----------
    names : mapping of str to str
        e.g. ``{"k": "n_colors"}``.
    """
    def decorate(func):
        own = inspect.signature(func).parameters
        assert all(name in own for name in names.values()), "other_names must map to the function's parameters"

        @functools.wraps(func)
        def checked(*args, **kwargs):
            given = [name for name in kwargs if name not in own and name in names]
            if given:
                shown = ", ".join(f"{names[name]}={kwargs[name]!r}" for name in given)
                raise TypeError(f"{func.__name__}() has no parameter {', '.join(given)}: "
                                f"{'; '.join(f'{name} is {names[name]} here' for name in given)}; give {shown}")
            return func(*args, **kwargs)

        return checked

    return decorate


#: What refusals call a parameter: the command line's option while a command runs
#: (:func:`option_names`), else the library's own words. A Python caller of
#: ``evaluate_folder(model, images_dir, masks_dir)`` was told of "--images" and "--masks",
#: options it never gave.
_OPTION_NAMES: ContextVar[dict[str, str]] = ContextVar("segmix_option_names", default={})


def option_name(parameter: str) -> str | None:
    """The command line's option for ``parameter`` while a command runs, else None."""
    return _OPTION_NAMES.get().get(parameter)


def named(parameter: str, library: str | None = None) -> str:
    """``parameter`` as a refusal names it: the command's option (:func:`option_names`),
    else ``library`` (words for a Python caller), else the parameter's own name."""
    return _OPTION_NAMES.get().get(parameter, library or parameter)


@contextmanager
def option_names(**names: str):
    """Within the block, refusals name the parameters given as keywords by the words given
    (the command line's options: ``option_names(images_dir="--images")``) instead of the
    library's. For the calling thread (a context; threads started inside do not see it).

    Parameters
    ----------
    **names : str
        parameter name -> the option that gives it.
    """
    token = _OPTION_NAMES.set({**_OPTION_NAMES.get(), **names})
    try:
        yield
    finally:
        _OPTION_NAMES.reset(token)


def settings_as_keywords(setting_names: Callable[[], "set[str] | Mapping[str, object]"],
                         advice: Callable[[str], str]):
    """Decorator: a call giving a setting as the function's own keyword (``segment(image,
    marks, n_components=3)``) is refused saying where it goes (``advice(shown)``, e.g.
    ``settings=SegmentationSettings(n_components=3)``), where Python said only "got an
    unexpected keyword argument" (a library trial). ``setting_names()`` gives the settings'
    field names (called only on such a call, so a settings class may be imported late). The
    signature, docstring and name stay the function's.

    Raises
    ------
    TypeError
        From the decorated function, naming the settings given and the call that takes them.
    """
    def decorate(func):
        own = inspect.signature(func).parameters

        @functools.wraps(func)
        def checked(*args, **kwargs):
            unknown = [name for name in kwargs if name not in own]
            if unknown:
                names = setting_names()
                given = [name for name in unknown if name in names]
                if given:
                    shown = ", ".join(f"{name}={kwargs[name]!r}" for name in given)
                    raise TypeError(f"{func.__name__}() takes the setting{'s' if len(given) > 1 else ''} "
                                    f"{', '.join(given)} in settings: give {advice(shown)}")
            return func(*args, **kwargs)

        return checked

    return decorate


class InitSignature:
    """A class's ``__signature__``: its ``__init__``'s parameters (without ``self``), for a class
    whose ``__new__(cls, *args, **kwargs)`` refuses other libraries' names before ``__init__``
    runs. :func:`inspect.signature` reads a class's ``__new__`` before its ``__init__``, so
    ``help()`` headers and notebook tooltips showed ``BackgroundMixture(*args, **kwargs)`` (a
    library trial). Read from the class it is looked up on, so a subclass shows its own
    ``__init__``; on an instance it is None (inspect then reads the instance as usual).

    Usage: ``__signature__ = InitSignature()`` in the class body.
    """

    def __get__(self, instance, owner) -> inspect.Signature | None:
        if instance is not None:
            return None
        parameters = list(inspect.signature(owner.__init__).parameters.values())[1:]
        return inspect.signature(owner.__init__).replace(parameters=parameters)
