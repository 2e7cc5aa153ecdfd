"""Whole-number floats in the integer fields of segmix's JSON files.

JSON has one number type; writers that keep every number a double (JavaScript's, a NumPy
array's ``tolist()`` of floats, R's jsonlite, a spreadsheet's export) write 5 as ``5.0``. A
model file so written was refused ("mixture 'n_components' is 5.0 but the arrays hold 5",
session 53). Its integer fields take 5.0 as 5; 5.5 is refused as no integer.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

__all__ = ["whole_integers"]


def whole_integers(data: Any, keys: Collection[str], where: str = "") -> Any:
    """``data`` with whole-number floats under ``keys`` made ints, anywhere in it.

    Parameters
    ----------
    data : JSON value (dict, list, ...)
        As ``json.loads`` gave it; not changed (a changed copy is returned).
    keys : collection of str
        Names of the integer fields (``"n_components"``); a list under such a key (a
        ``"shape"``) has each whole-number float element made an int.
    where : str
        The dotted path of ``data`` itself, for the words.

    Returns
    -------
    JSON value
        The same structure, new dicts and lists where something changed.

    Raises
    ------
    ValueError
        "'params.n_components' must be an integer; got 3.5" for a float that is not whole (or
        not finite) under one of ``keys``.
    """
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            inner = f"{where}.{key}" if where else str(key)
            if key in keys:
                if isinstance(value, list):
                    out[key] = [_whole(item, f"{inner}[{n}]") for n, item in enumerate(value)]
                else:
                    out[key] = _whole(value, inner)
            else:
                out[key] = whole_integers(value, keys, inner)
        return out
    if isinstance(data, list):
        return [whole_integers(item, keys, f"{where}[{n}]") for n, item in enumerate(data)]
    return data


def _whole(value: Any, where: str) -> Any:
    """An int for a whole-number float; other values as they are (their own checks follow)."""
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(f"{where!r} must be an integer; got {value!r}")
        return int(value)
    return value
