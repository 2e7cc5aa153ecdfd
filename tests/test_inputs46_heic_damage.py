"""HEICs damaged in their coded data that libde265 reports only as "coded parameter out of
range" (session 46).

libde265 queues that error (8, DE265_ERROR_CODED_PARAMETER_OUT_OF_RANGE) among its warnings; it
was not one of the codes taken as damage, so a HEIC with only that finding read as whole, in
silence (1 of 160 trials of 8 flipped bytes in DAVIS photos, 9 % of its pixels off by over 40
levels). Whole pictures never raise it (264 x265-encoded pictures of shared photos).
"""

import pytest
from PIL import Image

pillow_heif = pytest.importorskip("pillow_heif")

from segmix import heif_scan  # noqa: E402
from tests.synthetic_photos import textured_photo  # noqa: E402


def test_a_coded_value_out_of_range_is_damage(tmp_path, monkeypatch):
    path = tmp_path / "p.heic"
    pillow_heif.from_pillow(Image.fromarray(textured_photo())).save(path, quality=90)
    if heif_scan._libde265() is None:
        pytest.skip("no libde265 found beside pi-heif")
    monkeypatch.setattr(heif_scan, "_decode_warnings", lambda lib, units: [8])
    assert heif_scan.heif_damage(path) == ("its picture data are damaged: the HEVC decoder found that a coded value "
                                           "is out of its range")


def test_a_heic_whose_only_finding_is_a_value_out_of_range(tmp_path):
    path = tmp_path / "p.heic"
    pillow_heif.from_pillow(Image.fromarray(textured_photo())).save(path, quality=90)
    if heif_scan._libde265() is None:
        pytest.skip("no libde265 found beside pi-heif")
    assert heif_scan.heif_damage(path) is None
    data = bytearray(path.read_bytes())
    with open(path, "rb") as handle:
        (hvcc, extents), = heif_scan._pictures(heif_scan._meta(handle, len(data)))
    at = extents[0][0] + 1316  # found by a search: libde265's only finding there is error 8
    data[at:at + 8] = bytes(b ^ 0xFF for b in data[at:at + 8])
    (tmp_path / "d.heic").write_bytes(bytes(data))
    units = heif_scan._nal_units(hvcc)
    body, offset = bytes(data[extents[0][0]:extents[0][0] + extents[0][1]]), 0
    while offset + 4 <= len(body):
        length = int.from_bytes(body[offset:offset + 4], "big")
        units.append(body[offset + 4:offset + 4 + length])
        offset += 4 + length
    if set(heif_scan._decode_warnings(heif_scan._libde265(), units)) != {8}:
        pytest.skip("another x265 / libde265 than the one this file was searched with")
    from segmix.io import DamagedHeifWarning, load_image_info

    with pytest.warns(DamagedHeifWarning, match=r"d\.heic: its picture data are damaged: the HEVC decoder found that a "
                                                r"coded value is out of its range"):
        assert load_image_info(tmp_path / "d.heic").pixels.shape == (96, 128, 3)
