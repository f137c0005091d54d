"""The header readers answer what Pillow answers, or leave the file to Pillow."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from newsarchive.content.article import ImageTooLarge, image_size
from newsarchive.content.image_header import HEAD_BYTES, PIXEL_LIMIT, header_size


def _encode(mode: str, size: tuple[int, int], fmt: str, **options: object) -> bytes:
    image = PILImage.new(mode, size)
    if mode in ("RGB", "RGBA", "L"):  # some content, so encoders do not take shortcuts
        image.putpixel((0, 0), (200,) * len(mode) if mode != "L" else 200)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _interlaced(png: bytes) -> bytes:
    """The PNG with Adam7 interlacing declared in its header (Pillow does not write it)."""
    import zlib

    ihdr = png[12:28] + b"\x01"
    return png[:12] + ihdr + zlib.crc32(ihdr).to_bytes(4, "big") + png[33:]


def _icc() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


# (name, bytes, whether the fast path must answer it)
SAMPLES = [
    ("png rgb", _encode("RGB", (64, 40), "PNG"), True),
    ("png rgba", _encode("RGBA", (3, 700), "PNG"), True),
    ("png 1-bit", _encode("1", (9, 9), "PNG"), True),
    ("png palette", _encode("P", (120, 1), "PNG"), True),
    ("png 16-bit grey", _encode("I;16", (33, 17), "PNG"), True),
    ("png grey alpha", _encode("LA", (5, 6), "PNG"), True),
    ("png interlaced", _interlaced(_encode("RGB", (31, 29), "PNG")), True),
    ("jpeg rgb", _encode("RGB", (640, 427), "JPEG", quality=80), True),
    ("jpeg grey", _encode("L", (17, 1000), "JPEG"), True),
    ("jpeg cmyk", _encode("CMYK", (50, 20), "JPEG"), True),
    ("jpeg progressive", _encode("RGB", (300, 200), "JPEG", progressive=True), True),
    ("jpeg optimised", _encode("RGB", (301, 199), "JPEG", optimize=True), True),
    ("jpeg exif", _encode("RGB", (80, 60), "JPEG", exif=PILImage.Exif().tobytes()), True),
    ("jpeg icc", _encode("RGB", (81, 61), "JPEG", icc_profile=_icc()), True),
    ("jpeg comment", _encode("RGB", (82, 62), "JPEG", comment=b"A caption"), True),
    ("gif", _encode("P", (250, 140), "GIF"), False),  # its first frame may widen it: Pillow
    ("webp", _encode("RGB", (90, 45), "WEBP"), False),
    ("bmp", _encode("RGB", (12, 13), "BMP"), False),
]


def _pillow(data: bytes) -> tuple[int, int] | None:
    try:
        with PILImage.open(io.BytesIO(data)) as image:
            return image.size  # type: ignore[no-any-return]
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None


@pytest.mark.parametrize("name,data,fast", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_the_header_size_is_pillows(name, data, fast):
    found = header_size(data[:HEAD_BYTES])
    if fast:
        assert found is not None, f"{name}: left to Pillow"
    if found is not None:
        assert found == _pillow(data)


def _read_places(data: bytes) -> list[int]:
    """The bytes the reader answers from: PNG's signature and IHDR, a JPEG's markers and segment lengths up to the scan, and its frame header.
    Damage elsewhere (a JPEG's quantisation tables, a PNG's later chunks) is Pillow's to
    refuse or not: the reader gives the size the header declares."""
    if data.startswith(b"\x89PNG"):
        return list(range(33))
    places, pos = [0, 1], 2
    while data[pos + 1] != 0xDA:
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        places += [pos, pos + 1, pos + 2, pos + 3]
        if 0xC0 <= data[pos + 1] <= 0xCF and data[pos + 1] not in (0xC4, 0xC8, 0xCC):
            places += range(pos + 4, pos + 2 + length)
        pos += 2 + length
    return places + [pos, pos + 1]


@pytest.mark.parametrize("name,data,fast", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_cut_and_damaged_headers_are_left_to_pillow_or_agree(name, data, fast):
    # Every cut of the header, and each byte it reads changed: the reader answers None or
    # Pillow's answer for the same bytes, never another size.
    if not fast:
        return
    places = _read_places(data)
    for cut in range(max(places) + 1):
        assert header_size(data[:cut]) is None, (name, cut)
    for at in places:
        for flip in (0x01, 0x5A, 0xFF):
            damaged = bytearray(data)
            damaged[at] ^= flip
            found = header_size(bytes(damaged))
            assert found is None or found == _pillow(bytes(damaged)), (name, at, flip)


def test_image_size_reads_every_format_pillow_does(tmp_path):
    for n, (_, data, _) in enumerate(SAMPLES):
        path = tmp_path / f"{n}.img"
        path.write_bytes(data)
        assert image_size(path) == (_pillow(data) or (0, 0))
    (tmp_path / "junk.png").write_bytes(b"not an image")
    assert image_size(tmp_path / "junk.png") == (0, 0)
    assert image_size(tmp_path / "missing.png") == (0, 0)


def test_the_pixel_limit_is_pillows(tmp_path):
    assert PIXEL_LIMIT == PILImage.MAX_IMAGE_PIXELS
    # A PNG header declaring 10,000 x 10,000 pixels: refused without decoding anything.
    ihdr = (10_000).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    import zlib

    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + ihdr
           + zlib.crc32(b"IHDR" + ihdr).to_bytes(4, "big"))
    assert header_size(png) == (10_000, 10_000)
    (tmp_path / "big.png").write_bytes(png)
    with pytest.raises(ImageTooLarge) as caught:
        image_size(tmp_path / "big.png")
    assert caught.value.pixels == 100_000_000 and caught.value.limit == PIXEL_LIMIT
