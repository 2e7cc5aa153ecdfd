"""JPEG files cut short by a few bytes (session 46).

Cut by 1-40 bytes and nothing after, a JPEG is refused as truncated, or, cut of its end marker
alone (FF D9, or its D9), read with the end marker's warning, its pixels those of the whole file
(145 DAVIS, SFA, hgr1, highway, abdomen and ccp JPEGs: 5,800 cuts, none read in silence). Cut and
then followed by other bytes (a download that appended some), it was called whole at times ("its
picture data are whole"): the stray bytes read as its last codes, which happened to end with the
encoder's padding bits (14 of 950 DAVIS cuts of 3-40 bytes with 1-64 random bytes after). Such an
end cannot be told from an uploader's junk in the end marker's place, so both are now warned as
"may be whole or cut short", as a last code that ends on a byte's boundary was.
"""

import io
import warnings

import numpy as np
import pytest
from PIL import Image

from segmix.io import DamagedJpegWarning, ImageLoadError, MissingEndMarkerWarning, load_image
from segmix.jpeg_scan import UNDECIDED_END
from tests.synthetic_photos import textured_photo


def _jpeg(**options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(textured_photo()).save(buffer, "JPEG", **{"quality": 90, **options})
    return buffer.getvalue()


def _read(path):
    """(pixels or None, the warnings' categories and texts)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            pixels = load_image(path)
        except ImageLoadError as refused:
            return None, [("refused", str(refused))]
    return pixels, [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("options", [{}, {"optimize": True}, {"restart_marker_blocks": 4}, {"progressive": True}])
def test_cuts_of_1_to_40_bytes_are_never_read_in_silence(tmp_path, options):
    whole = _jpeg(**options)
    (tmp_path / "whole.jpg").write_bytes(whole)
    reference = load_image(tmp_path / "whole.jpg")
    path = tmp_path / "cut.jpg"
    for cut in range(1, 41):
        path.write_bytes(whole[:-cut])
        pixels, said = _read(path)
        assert said, cut
        if pixels is not None:  # only the marker lost: the whole picture, warned
            assert [c for c, _ in said] == [MissingEndMarkerWarning] and np.array_equal(pixels, reference), cut


def test_a_whole_jpeg_with_bytes_after_its_end_marker_is_not_warned(tmp_path):
    whole = _jpeg()
    for tail in (b"\x00" * 16, b"junk", bytes(range(256)), _jpeg(quality=50)):  # a phone's data, a preview
        (tmp_path / "p.jpg").write_bytes(whole + tail)
        assert _read(tmp_path / "p.jpg")[1] == []


def test_cut_files_with_stray_bytes_after_them_are_not_called_whole(tmp_path):
    rng = np.random.default_rng(46)
    path = tmp_path / "cut.jpg"
    called_whole = []
    for options in ({}, {"optimize": True}, {"restart_marker_blocks": 4}):
        whole = _jpeg(**options)
        for cut in range(3, 41):
            for size in (1, 4, 16, 64):
                data = whole[:-cut] + rng.integers(0, 256, size, dtype=np.uint8).tobytes()
                if data[-2:] == b"\xff\xd9":
                    continue
                path.write_bytes(data)
                pixels, said = _read(path)
                # (stray bytes read to the file's last byte as its last codes, padding and all, leave
                # nothing to tell from a file that lacks only its marker: 1 of these 456 cuts)
                if any(c is MissingEndMarkerWarning and "other byte" in text for c, text in said):
                    called_whole.append((options, cut, size))
                assert said, (options, cut, size)
    assert called_whole == []


def test_uploader_junk_in_the_end_marker_s_place_is_undecided(tmp_path):
    whole = _jpeg()
    path = tmp_path / "p.jpg"
    path.write_bytes(whole[:-2] + b"junk")
    (tmp_path / "whole.jpg").write_bytes(whole)
    pixels, said = _read(path)
    assert np.array_equal(pixels, load_image(tmp_path / "whole.jpg"))  # read, as viewers show it
    assert [c for c, _ in said] == [DamagedJpegWarning] and UNDECIDED_END in said[0][1], said
    assert "4 other bytes" in said[0][1]
