"""Pixel sizes of PNG and JPEG files read from their first bytes.

Pillow's `Image.open` reads the same headers but costs a tenth of a millisecond per file in
Python (plugin lookup, chunk and marker handlers), which a first build of ten thousand
articles pays for every image. These readers accept only the well-formed common case and
answer None for anything else, so the caller asks Pillow: on every file they answer, the
answer is Pillow's (tests/test_image_header.py compares the two).
"""

from __future__ import annotations

import zlib

# Bytes read for a header: a JPEG's size comes after its EXIF and colour profile segments,
# usually within the first few kilobytes; one that is not found here goes to Pillow.
HEAD_BYTES = 64 * 1024
# More pixels than this is a "decompression bomb" no reader's browser should be asked to
# decode: Pillow's own limit (its MAX_IMAGE_PIXELS), kept here so no build imports Pillow
# to learn it.
PIXEL_LIMIT = 89_478_485

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# (bit depth, colour type) pairs the PNG specification allows (Pillow's table of modes).
_PNG_MODES = {(1, 0), (2, 0), (4, 0), (8, 0), (16, 0), (8, 2), (16, 2), (1, 3), (2, 3), (4, 3), (8, 3),
              (8, 4), (16, 4), (8, 6), (16, 6)}
# Start-of-frame markers: every JPEG coding process (not DHT C4, JPG C8 or DAC CC).
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def header_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) from the start of an image file, or None: not one read here."""
    if head.startswith(_PNG_SIGNATURE):
        return _png(head)
    if head.startswith(b"\xff\xd8\xff"):
        return _jpeg(head)
    return None


def _png(head: bytes) -> tuple[int, int] | None:
    # The first chunk must be a 13-byte IHDR whose checksum holds.
    if len(head) < 33 or head[8:16] != b"\x00\x00\x00\rIHDR":
        return None
    data = head[16:29]
    if zlib.crc32(head[12:29]) != int.from_bytes(head[29:33], "big"):
        return None
    if (data[8], data[9]) not in _PNG_MODES or data[10] != 0 or data[11] != 0 or data[12] > 1:
        return None  # compression, filter and interlace methods: 0, 0 and 0 or 1
    return _positive(int.from_bytes(data[0:4], "big"), int.from_bytes(data[4:8], "big"))


def _jpeg(head: bytes) -> tuple[int, int] | None:
    """The size in the last start-of-frame segment before the scan starts, as Pillow takes it."""
    size = None
    pos, end = 2, len(head)
    while pos + 4 <= end:
        if head[pos] != 0xFF:
            return None  # junk between segments: Pillow's business
        marker = head[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:  # start of scan: the headers are over
            return size
        if marker < 0xC0 or 0xD0 <= marker <= 0xD9:
            return None  # no length follows (restart, start or end of image) or not a marker
        length = int.from_bytes(head[pos + 2:pos + 4], "big")
        if length < 2:
            return None
        if marker in _JPEG_SOF:
            segment = head[pos + 4:pos + 2 + length]
            # 8-bit samples and 1, 3 or 4 components: what Pillow opens.
            if len(segment) < 6 or segment[0] != 8 or segment[5] not in (1, 3, 4):
                return None
            size = _positive(int.from_bytes(segment[3:5], "big"), int.from_bytes(segment[1:3], "big"))
            if size is None:
                return None
        pos += 2 + length
    return None


def _positive(width: int, height: int) -> tuple[int, int] | None:
    return (width, height) if width > 0 and height > 0 else None
