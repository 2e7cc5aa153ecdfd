"""The Huffman-coded data of a sequential JPEG scan, walked without decoding the picture.

A bit changed in the middle of a JPEG's entropy-coded data leaves a file whose every marker
is in place: Pillow decodes it without a word (its libjpeg error manager drops libjpeg's
warnings), and the rows from the damage on come out as garbage. libjpeg does notice most such
damage: the Huffman codes fall out of step with the blocks, so the scan's last block ends
before or after its data does ("Corrupt JPEG data: N extraneous bytes before marker",
"premature end of data segment"), a code matches no symbol ("bad Huffman code"), or a restart
marker is not where the block count puts it. :func:`scan_damage` applies the same tests to
the code stream alone: it reads each block's Huffman symbols and their values, but makes no
pixels (no inverse DCT: a fraction of a full decode), and adds two tests libjpeg leaves out,
both of values no encoder writes: a run of zeros that passes the block's 64th coefficient, and
a coefficient (a DC, as the differences add up) whose magnitude times its quantisation step
exceeds what a DCT of the samples can give (1024 for 8-bit samples). Codes that fell out of
step and then back in leave the DC predictions off, and garbage values of the wrong size.

On highway frames with one byte changed at a random place of the coded data (295 trials), the
libjpeg tests alone found 48 and found 44 of the 87 whose picture came out visibly wrong (over
1 % of the pixels off by more than 40 levels); with the value tests 104, and 78 of those 87.
Damage that changes one value within its range is not seen, by any decoder either: the file
is a valid JPEG of a slightly other picture.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from segmix.kernels._jit import JIT_OPTIONS

#: scan_damage's answers: the scan is whole, or how it is damaged (segmix.jpeg_scan words them).
SCAN_OK, BAD_CODE, PREMATURE_END, EXTRANEOUS_DATA, COEFFICIENT_OVERFLOW, RESTART_MISSING, OUT_OF_RANGE = range(7)
#: The scan's last block is whole and the file ends after it with nothing but zero bytes: no
#: end marker (a file without its last 2 bytes, or with zeros in their place). Its offset is the
#: first byte past the last code, which the caller compares with where the zeros start.
FILE_ENDS = 7
#: As FILE_ENDS, but the rest of the last code's byte is not the encoder's 1-bits (T.81
#: F.1.2.3): the last codes were read from bytes that are not the picture's (a file cut in its
#: last blocks, stray or zero bytes after it). Same offset as FILE_ENDS.
ENDS_UNPADDED = 9
#: The scan's last block is whole, the rest of its last code's byte is the encoder's 1-bits
#: (T.81 F.1.2.3; at least one: a code that ends on a byte's boundary leaves nothing to check),
#: and other bytes (not zeros, not a marker) follow: a picture whose end marker is missing and
#: stray bytes in its place (an uploader's junk), or codes fallen out of step. Its offset is
#: the first byte past the last code: the caller looks for a marker after it. A file cut in
#: its last blocks reads the stray bytes as its last codes, whose byte's rest is 1-bits with
#: a chance of 2 ** -bits only: with a code ending on a byte's boundary let through, that was
#: 91 of 1,344 files cut 1-21 bytes into their coded data with stray bytes after them, 28
#: without (tests/test_jpegtone43.py).
STRAY_END = 10
#: As STRAY_END, but the last code ends on a byte's boundary: no padding bits tell a whole
#: picture with stray bytes in its end marker's place (ImageMagick's and OpenCV's files end so
#: about one in eight) from a file cut short whose stray bytes were read as its last codes.
#: Same offset as STRAY_END.
STRAY_AT_BYTE_END = 11


@njit(**JIT_OPTIONS)
def scan_damage(data, start, mcus, restart_interval, block_dc, block_ac, maxcode, valptr, mincode, values, lookup,
                max_dc_bits, max_ac_bits, block_component, block_quant, limit):
    """Walk one scan's entropy-coded data; return (status, byte offset where it was found).

    Parameters
    ----------
    data : (N,) uint8
        The file's bytes.
    start : int
        Offset of the scan's first entropy-coded byte (just after its SOS header).
    mcus : int
        MCUs (minimum coded units) in the scan.
    restart_interval : int
        MCUs between restart markers (DRI), 0 for none.
    block_dc, block_ac : (B,) int64
        For each block of an MCU, in coding order, its DC and its AC Huffman table (rows of
        the table arrays).
    maxcode, valptr, mincode : (T, 17) int64
        The tables' decoding arrays of ITU-T T.81 Annex F.2.2.3 (``maxcode`` -1 where no
        code has that length).
    values : (T, 256) int64
        The tables' symbols (HUFFVAL).
    lookup : (T, 256) int64
        For the codes of at most 8 bits, by the next 8 bits: length * 256 + symbol; 0 for
        longer codes (decoded bit by bit from the 9th), as libjpeg's look-ahead table.
    max_dc_bits, max_ac_bits : int
        The largest magnitude category of a DC difference and of an AC coefficient (11 and
        10 for 8-bit samples).
    block_component : (B,) int64
        Each block's component (0..3), whose DC prediction it carries on.
    block_quant : (B, 64) int64
        Each block's quantisation table, in the zigzag order of the coded coefficients.
    limit : int
        The largest magnitude a DCT coefficient of the samples can have (1024 for 8-bit
        samples: the DC is 8 x (mean - 128), every AC coefficient is smaller): a coefficient
        times its quantisation step beyond ``limit`` plus the step (the encoder's rounding)
        is no picture's (``OUT_OF_RANGE``); codes that fell out of step make such values.

    Returns
    -------
    status : int
        ``SCAN_OK``, ``FILE_ENDS``, ``STRAY_END`` or the damage found (``BAD_CODE`` ...
        ``OUT_OF_RANGE``, ``ENDS_UNPADDED``).
    offset : int
        Byte offset of the data being read when it was found; for ``SCAN_OK``, the offset of
        the marker that ends the scan; for ``FILE_ENDS`` and ``STRAY_END``, of the first byte
        past the last code.
    """
    n = data.shape[0]
    pos = start
    buffer = np.uint64(0)  # the low ``held`` bits are those not yet read, the next one highest
    held = 0
    at_marker = False  # the bytes from ``pos`` on are a marker: no more data in this segment
    blocks = block_dc.shape[0]
    expected_restart = 0
    prediction = np.zeros(4, np.int64)  # each component's DC, as the decoder adds it up
    for mcu in range(mcus):
        if restart_interval > 0 and mcu > 0 and mcu % restart_interval == 0:
            # The encoder pads to a whole byte and writes RSTn: a whole byte left over, or
            # another marker, means the codes fell out of step with the blocks.
            after = _after_zero_padding(data, pos, buffer, held)
            if after < 0:
                return RESTART_MISSING, pos
            pos = after
            while pos + 2 < n and data[pos] == 0xFF and data[pos + 1] == 0xFF:
                pos += 1  # fill bytes 0xFF may come before any marker (T.81 B.1.1.2)
            if pos + 1 >= n or data[pos] != 0xFF or data[pos + 1] != 0xD0 + expected_restart:
                return RESTART_MISSING, pos
            pos += 2
            held = 0
            at_marker = False
            prediction[:] = 0
            expected_restart = (expected_restart + 1) % 8
        for b in range(blocks):
            for part in range(2):
                table = block_dc[b] if part == 0 else block_ac[b]
                k = 1
                while True:
                    # Bytes in, up to 56 bits held; fill stops at a marker (a stuffed 0xFF 0x00
                    # is a data byte 0xFF).
                    while held <= 48 and not at_marker:
                        if pos >= n:
                            at_marker = True
                            break
                        byte = data[pos]
                        if byte == 0xFF:
                            if pos + 1 < n and data[pos + 1] == 0x00:
                                pos += 2
                            else:
                                at_marker = True
                                break
                        else:
                            pos += 1
                        buffer = (buffer << np.uint64(8)) | np.uint64(byte)
                        held += 8
                    # One Huffman symbol: the next 8 bits through the look-ahead table, longer
                    # codes bit by bit (T.81 F.2.2.3, DECODE); bits past a marker read as 0,
                    # and a code that needs them is the data ending early.
                    if held >= 8:
                        peek = np.int64((buffer >> np.uint64(held - 8)) & np.uint64(0xFF))
                    else:
                        peek = np.int64((buffer << np.uint64(8 - held)) & np.uint64(0xFF))
                    entry = lookup[table, peek]
                    if entry > 0:
                        length = entry >> 8
                        if length > held:
                            return PREMATURE_END, pos
                        held -= length
                        symbol = entry & 0xFF
                    else:
                        if held < 9:
                            return PREMATURE_END, pos
                        code = peek
                        length = 8
                        held -= 8
                        symbol = -1
                        while length < 16:
                            if held == 0:
                                return PREMATURE_END, pos
                            held -= 1
                            code = (code << 1) | np.int64((buffer >> np.uint64(held)) & np.uint64(1))
                            length += 1
                            if maxcode[table, length] >= 0 and code <= maxcode[table, length]:
                                symbol = values[table, valptr[table, length] + code - mincode[table, length]]
                                break
                        if symbol < 0:
                            return BAD_CODE, pos
                    if part == 0:
                        extra = symbol
                        if extra > max_dc_bits:
                            return BAD_CODE, pos
                    else:
                        run = symbol >> 4
                        extra = symbol & 15
                        if extra == 0:
                            if run == 15:
                                k += 16  # sixteen zeros
                                if k > 64:
                                    return COEFFICIENT_OVERFLOW, pos
                                if k == 64:
                                    break
                                continue
                            break  # end of block
                        if extra > max_ac_bits:
                            return BAD_CODE, pos
                        k += run
                        if k > 63:
                            return COEFFICIENT_OVERFLOW, pos
                    # The value's extra bits (T.81 F.2.2.1, EXTEND).
                    if extra > held:
                        return PREMATURE_END, pos
                    value = np.int64(0)
                    if extra > 0:
                        held -= extra
                        value = np.int64((buffer >> np.uint64(held)) & np.uint64((1 << extra) - 1))
                        if value < (1 << (extra - 1)):
                            value -= (1 << extra) - 1
                    if part == 0:
                        c = block_component[b]
                        prediction[c] += value
                        step = block_quant[b, 0]
                        if abs(prediction[c] * step) > limit + step:
                            return OUT_OF_RANGE, pos
                        break  # one DC difference per block
                    step = block_quant[b, k]
                    if abs(value * step) > limit + step:
                        return OUT_OF_RANGE, pos
                    k += 1
                    if k >= 64:
                        break
    # After the last block only the padding of its byte may remain before the next marker
    # (0xFF fill bytes may come before a marker), and whole zero bytes (below).
    after = _after_zero_padding(data, pos, buffer, held)
    if after >= n:
        # Nothing but zero bytes (or nothing) to the end of the file: the whole bytes held are
        # zeros (no stuffed 0xFF among them), so the last code ends in byte pos - held // 8 - 1.
        # Its byte's rest must be the encoder's 1-bits (T.81 F.1.2.3): a file cut in its last
        # blocks and followed by stray bytes decodes them as its last codes, which end with
        # other bits there as often as not (only here, where a picture is called whole without
        # its end marker: an encoder that pads otherwise still reads in silence elsewhere).
        rest = held % 8
        if rest > 0:
            ones = (np.uint64(1) << np.uint64(rest)) - np.uint64(1)
            if (buffer >> np.uint64(held - rest)) & ones != ones:
                return ENDS_UNPADDED, pos - held // 8
        return FILE_ENDS, pos - held // 8
    if after < 0 or after + 1 >= n or data[after] != 0xFF or data[after + 1] == 0x00:
        # Other bytes after the last block. Where they start is the first byte past the last
        # code (the whole bytes held were read ahead from there; a stuffed FF 00 is 2 bytes).
        end = pos
        for _ in range(held // 8):
            end -= 2 if end >= 2 and data[end - 1] == 0x00 and data[end - 2] == 0xFF else 1
        rest = held % 8
        ones = (np.uint64(1) << np.uint64(rest)) - np.uint64(1)
        if rest > 0 and (buffer >> np.uint64(held - rest)) & ones == ones:
            return STRAY_END, end
        if rest == 0:
            return STRAY_AT_BYTE_END, end
        return EXTRANEOUS_DATA, pos
    return SCAN_OK, after


@njit(**JIT_OPTIONS)
def _after_zero_padding(data, pos, buffer, held):
    """Where the data after a scan's (or restart interval's) last block ends, or -1.

    The bits held past the last code are the rest of its byte (the encoder's 1-bits) and
    whole bytes read ahead; whole bytes of zeros, held or still to read, are padding that
    USB webcams' MJPEG frames carry (OpenCV's familiar "Corrupt JPEG data: 2 extraneous bytes
    before marker 0xd9" of frames that decode whole), not damage: codes fallen out of step
    leave coded data there, which is seldom all zero bytes. Returns the offset of the first
    byte past them (``pos`` when there are none), or -1 when a whole byte held is not zero.
    """
    whole = held - held % 8
    if whole > 0 and (buffer & ((np.uint64(1) << np.uint64(whole)) - np.uint64(1))) != np.uint64(0):
        return -1
    n = data.shape[0]
    while pos < n and data[pos] == 0x00:
        pos += 1
    return pos
