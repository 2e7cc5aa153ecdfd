"""Checks of the (H, W) yes / no maps a caller hands the library (previous masks, transparency).

``np.asarray(value, bool)`` reads every non-zero value as True, so a probability map given as
a mask (every p > 0 foreground) or an alpha channel given as the transparent pixels (every
opaque pixel hidden) became a wrong result without a word. NumPy only.
"""

from __future__ import annotations

import numpy as np


def check_bool_map(value, shape: tuple[int, int], name: str, allow_255: bool = False, hint: str = "") -> np.ndarray:
    """``value`` as an (H, W) bool array, refusing what a cast to bool would misread.

    Parameters
    ----------
    value : (H, W) array-like
        bool, or numbers holding only 0 and 1 (and 0 and 255 with ``allow_255``).
    shape : (int, int)
        The photo's (H, W).
    name : str
        The parameter's name in the messages.
    allow_255 : bool, default False
        Take a 0 / 255 integer map (a mask image) as False / True.
    hint : str, optional
        Said after the refusal of other values (what the caller may have meant).

    Returns
    -------
    (H, W) bool ndarray (``value`` itself when it is one)

    Raises
    ------
    ValueError
        Another height and width, a non-numeric array, or values other than those above.
    """
    if isinstance(value, np.ma.MaskedArray) and np.ma.is_masked(value):
        # np.asarray drops the mask: the masked pixels' values were read as they are, without a word
        raise ValueError(f"{name} is a masked array with masked pixels, whose values would be read as they are: "
                         f"give {name}.filled(False) or {name}.filled(True), as you mean it")
    array = np.asarray(value)
    if array.shape != tuple(shape):
        raise ValueError(f"{name} must be {shape[0]} x {shape[1]} (H x W) like the photo; got shape {array.shape}")
    if array.dtype == bool:
        return array
    allowed = ((0, 1), (0, 255)) if allow_255 and np.issubdtype(array.dtype, np.integer) else ((0, 1),)
    if np.issubdtype(array.dtype, np.number) and not np.iscomplexobj(array):
        if not array.size:
            return array.astype(bool)
        low, high = array.min(), array.max()  # no sort in the usual case
        for values in allowed:
            if low >= values[0] and high <= values[1] and np.isin(array, values).all():
                return array != 0
    words = " or ".join(f"{a} / {b}" for a, b in allowed)
    raise ValueError(f"{name} must be a bool map (or numbers {words}); got {array.dtype} values other than these"
                     + (f": {hint}" if hint else ""))
