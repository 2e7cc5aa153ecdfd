"""A HEIC / HEIF photo's colour stated as CICP / nclx numbers (ITU-T H.273), as an ICC profile.

A HEIC says what its RGB numbers mean either with an ICC profile (iPhones) or with three
numbers, ``nclx``: colour primaries, transfer characteristics and matrix coefficients (some
Android phones and other encoders write only these; pi-heif gives them as
``im.info["nclx_profile"]``). libheif applies the matrix (YCbCr -> RGB) and leaves the RGB
numbers in the primaries and transfer stated. segmix keeps every photo's RGB numbers as stored
and converts them to sRGB through the photo's ICC profile where a fixed colour model needs it
(:func:`segmix.io.srgb_pixels`; exports embed the profile again). :func:`nclx_profile` makes
the ICC profile that says what the nclx numbers say, so that a HEIC stated only in nclx goes the
same way as a JPEG tagged with the same colour space: a Display P3 HEIC was read as sRGB, its
colours wrong in silence.

Made here: a matrix / TRC ICC v2 display profile (colorants adapted to D50 by Bradford, as
ICC profiles state them; littleCMS converts through it as through a vendor's profile of the
same space). The sRGB primaries with an SDR transfer (sRGB's, or BT.709's / BT.601's /
BT.2020's camera curve, which encoders write for sRGB pictures and viewers show as sRGB) need
no profile. HDR transfers (PQ, HLG) and the rest have no faithful conversion to an 8-bit sRGB
picture without tone mapping: :func:`nclx_profile` says so in words instead.
"""

from __future__ import annotations

import struct

import numpy as np

#: Transfer characteristics (H.273 table 3) read with sRGB's curve: sRGB (13), unspecified (2),
#: and the SDR camera curves of BT.709 (1), BT.601 (6) and BT.2020 (14, 15), which encoders
#: write for pictures that viewers show as sRGB.
SRGB_LIKE_TRANSFERS = frozenset({1, 2, 6, 13, 14, 15})
#: Transfers that are a pure power law: BT.470 M (gamma 2.2), BT.470 BG (2.8), linear (8).
GAMMA_TRANSFERS = {4: 2.2, 5: 2.8, 8: 1.0}
#: HDR transfers, in words.
HDR_TRANSFERS = {16: "PQ, SMPTE ST 2084", 18: "HLG, ARIB STD-B67"}
#: Colour primaries (H.273 table 2) whose chromaticities libheif states and a matrix profile
#: can hold; 1 (BT.709, sRGB's) and 2 (unspecified) are sRGB's.
MATRIX_PRIMARIES = {4: "BT.470 M", 5: "BT.601 625-line", 6: "BT.601 525-line", 7: "SMPTE 240M",
                    8: "generic film", 9: "BT.2020", 11: "DCI-P3", 12: "Display P3", 22: "EBU Tech 3213"}
SRGB_PRIMARIES = frozenset({1, 2})

_D50 = np.array([0.9642, 1.0, 0.8249])
_BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])


def nclx_profile(nclx: dict | None) -> tuple[bytes | None, str | None]:
    """The ICC profile that states what ``nclx`` (pi-heif's ``info["nclx_profile"]``) says.

    Returns
    -------
    profile : bytes or None
        An RGB ICC profile; None when the numbers are sRGB's (nothing to convert) or cannot be
        held by one (then ``problem`` says why).
    problem : str or None
        Words (no file name, no full stop) for numbers segmix cannot convert to sRGB: an HDR
        transfer (PQ, HLG), or primaries / a transfer it does not know.
    """
    if not nclx:
        return None, None
    primaries = int(nclx.get("color_primaries", 2))
    transfer = int(nclx.get("transfer_characteristics", 2))
    if transfer in HDR_TRANSFERS:
        space = MATRIX_PRIMARIES.get(primaries, "sRGB" if primaries in SRGB_PRIMARIES else f"code {primaries}")
        return None, (f"its colours are stated as HDR (transfer {HDR_TRANSFERS[transfer]}; {space} primaries), "
                      "which segmix cannot map to sRGB without tone mapping: its numbers are read as they are stored, "
                      "so colours look washed out and skin detection and palettes see other colours than an HDR "
                      "viewer shows; export it as an SDR JPEG or PNG to use it")
    if transfer not in SRGB_LIKE_TRANSFERS and transfer not in GAMMA_TRANSFERS:
        return None, (f"its colours are stated with transfer characteristics {transfer} (H.273), which segmix does not "
                      "convert: its numbers are read as sRGB, and colours may be off")
    if primaries not in SRGB_PRIMARIES and primaries not in MATRIX_PRIMARIES:
        return None, (f"its colours are stated with colour primaries {primaries} (H.273), which segmix does not "
                      "convert: its numbers are read as sRGB, and colours may be off")
    if primaries in SRGB_PRIMARIES and transfer in SRGB_LIKE_TRANSFERS:
        return None, None
    if primaries in SRGB_PRIMARIES:
        chromaticities = (0.64, 0.33, 0.30, 0.60, 0.15, 0.06, 0.3127, 0.3290)
        space = "BT.709"
    else:
        try:
            chromaticities = tuple(float(nclx[f"color_primary_{c}_{a}"])
                                   for c in ("red", "green", "blue", "white") for a in ("x", "y"))
        except (KeyError, TypeError, ValueError):
            return None, (f"its colours are stated as {MATRIX_PRIMARIES[primaries]} primaries without their "
                          "chromaticities: its numbers are read as sRGB, and colours may be off")
        space = MATRIX_PRIMARIES[primaries]
    curve = "sRGB curve" if transfer in SRGB_LIKE_TRANSFERS else f"gamma {GAMMA_TRANSFERS[transfer]:g}"
    if transfer == 8:
        curve = "linear"
    # No "sRGB" as a word in the name: segmix.io.is_srgb_profile tells sRGB profiles by it.
    curve_name = "s-curve" if curve == "sRGB curve" else curve
    description = f"{space} primaries, {curve_name} (from the HEIF nclx numbers {primaries}/{transfer})"
    try:
        colorants = _d50_colorants(chromaticities)
    except np.linalg.LinAlgError:
        return None, (f"its colours are stated as colour primaries {primaries} whose chromaticities do not make an "
                      "RGB space: its numbers are read as sRGB, and colours may be off")
    return _matrix_trc_profile(description, colorants, _curve_tag(transfer)), None


def _d50_colorants(chromaticities: tuple[float, ...]) -> np.ndarray:
    """(3, 3) XYZ of the red, green and blue primaries (columns) at full drive, white at Y = 1,
    adapted from the space's white to D50 with the Bradford transform (as ICC colorants are)."""
    xr, yr, xg, yg, xb, yb, xw, yw = chromaticities
    if min(yr, yg, yb, yw) <= 0:
        raise np.linalg.LinAlgError("a chromaticity with y <= 0")
    primaries = np.array([[x / y, 1.0, (1.0 - x - y) / y] for x, y in ((xr, yr), (xg, yg), (xb, yb))]).T
    white = np.array([xw / yw, 1.0, (1.0 - xw - yw) / yw])
    to_xyz = primaries * np.linalg.solve(primaries, white)
    cone_source, cone_d50 = _BRADFORD @ white, _BRADFORD @ _D50
    adapt = np.linalg.inv(_BRADFORD) @ np.diag(cone_d50 / cone_source) @ _BRADFORD
    return adapt @ to_xyz


def _srgb_to_linear(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def _curve_tag(transfer: int) -> bytes:
    """An ICC ``curv`` tag of the decoding (numbers -> linear light) of ``transfer``."""
    if transfer == 8:
        return b"curv" + b"\0" * 4 + struct.pack(">I", 0)  # no entries: identity
    if transfer in GAMMA_TRANSFERS:
        return b"curv" + b"\0" * 4 + struct.pack(">IH", 1, round(GAMMA_TRANSFERS[transfer] * 256)) + b"\0\0"
    table = np.round(_srgb_to_linear(np.linspace(0.0, 1.0, 1024)) * 65535).astype(">u2")
    return b"curv" + b"\0" * 4 + struct.pack(">I", table.size) + table.tobytes()


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz_tag(xyz) -> bytes:
    return b"XYZ " + b"\0" * 4 + b"".join(_s15(v) for v in xyz)


def _matrix_trc_profile(description: str, colorants: np.ndarray, curve: bytes) -> bytes:
    """An ICC v2.1 RGB display profile (matrix / TRC), its three channels sharing ``curve``."""
    text = description.encode("ascii", "replace") + b"\0"
    desc = (b"desc" + b"\0" * 4 + struct.pack(">I", len(text)) + text
            + b"\0" * 8  # no Unicode description (language code, count)
            + b"\0" * 3 + b"\0" * 67)  # no ScriptCode description (code, count, 67 bytes)
    tags = [(b"desc", desc), (b"cprt", b"text" + b"\0" * 4 + b"No copyright, use freely\0"),
            (b"wtpt", _xyz_tag(_D50)),
            (b"rXYZ", _xyz_tag(colorants[:, 0])), (b"gXYZ", _xyz_tag(colorants[:, 1])),
            (b"bXYZ", _xyz_tag(colorants[:, 2])), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table, data, placed = b"", b"", {}
    for signature, body in tags:
        if body not in placed:  # the three TRC tags share one curve
            data += b"\0" * (-(offset + len(data)) % 4)
            placed[body] = offset + len(data)
            data += body
        table += signature + struct.pack(">II", placed[body], len(body))
    data += b"\0" * (-(offset + len(data)) % 4)
    header = bytearray(128)
    header[0:4] = struct.pack(">I", offset + len(data))
    header[8:12] = bytes([2, 0x10, 0, 0])
    header[12:16], header[16:20], header[20:24], header[36:40] = b"mntr", b"RGB ", b"XYZ ", b"acsp"
    header[24:36] = struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
    header[68:80] = b"".join(_s15(v) for v in _D50)
    return bytes(header) + struct.pack(">I", len(tags)) + table + data
