"""Image bombs for the hostile tests: files whose headers promise far more pixels than their bytes, built with
zlib and struct so that no test ever holds the pixels in memory."""

from __future__ import annotations

import functools
import io
import struct
import zlib

from PIL import Image


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@functools.cache  # 12 000 × 12 000 takes zlib two seconds
def zero_png(width: int, height: int) -> bytes:
    """A complete, valid RGB PNG of width × height black pixels: every row compressed by zlib, one at a time.

    12 000 × 12 000 is about 420 KB on disk and 432 MB once decoded.
    """
    compressor = zlib.compressobj(9)
    row = b"\0" * (width * 3 + 1)  # filter byte 0, then the pixels
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def _gif(screen: tuple[int, int], frames: list[tuple[int, int]]) -> bytes:
    """A GIF89a with a logical screen of `screen` and one frame of each size in `frames`, each frame holding a few
    bytes of LZW data: the header describes the image, nothing in it needs the pixels."""
    head = b"GIF89a" + struct.pack("<HHBBB", *screen, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00" if len(frames) > 1 else b""
    control = b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # graphic control extension: 100 ms per frame
    body = b"".join(
        control + b"\x2c" + struct.pack("<HHHHB", 0, 0, *size, 0) + b"\x02\x02\x44\x01\x00" for size in frames
    )
    return head + loop + body + b"\x3b"


def gif_header(width: int, height: int) -> bytes:
    """A still GIF whose screen and only frame are width × height."""
    return _gif((width, height), [(width, height)])


def animated_gif(width: int, height: int, frames: int) -> bytes:
    """An animation of `frames` frames of width × height: about 25 bytes a frame."""
    return _gif((width, height), [(width, height)] * frames)


def growing_gif(screen: tuple[int, int], frame: tuple[int, int]) -> bytes:
    """An animation whose screen is `screen` and whose second frame is `frame`: Pillow enlarges the canvas to the
    second frame's size only when it seeks to that frame, after the header of the first was checked."""
    return _gif(screen, [(1, 1), frame])


def jpeg_header(width: int, height: int) -> bytes:
    """A small baseline JPEG with its frame header (SOF0) rewritten to claim width × height."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (30, 90, 150)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_header(width: int, height: int) -> bytes:
    """A lossless WebP (VP8L) whose header claims width × height (at most 16 384 each, the format's limit)."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (30, 90, 150)).save(buffer, "WEBP", lossless=True)
    data = bytearray(buffer.getvalue())
    start = data.index(b"VP8L") + 8
    assert data[start] == 0x2F
    bits = int.from_bytes(data[start + 1 : start + 5], "little")
    bits = (bits & ~((1 << 28) - 1)) | (width - 1) | ((height - 1) << 14)
    data[start + 1 : start + 5] = bits.to_bytes(4, "little")
    return bytes(data)


def many_scan_jpeg(width: int, scans: int) -> bytes:
    """A progressive grey JPEG of width × width whose second scan (a few bytes of AC refinement) is repeated until
    it holds `scans` scans: small in bytes and pixels, but every scan is a pass over all coefficients when
    decoded. Built by walking the segments Pillow wrote (ITU-T T.81, annex B)."""
    buffer = io.BytesIO()
    Image.new("L", (width, width), 128).save(buffer, "JPEG", progressive=True, quality=50)
    data = buffer.getvalue()
    segments, index = [], 2
    while data[index + 1] != 0xD9:
        length = struct.unpack(">H", data[index + 2 : index + 4])[0]
        end = index + 2 + length
        if data[index + 1] == 0xDA:  # a scan: its entropy-coded data runs to the next marker
            while not (data[end] == 0xFF and data[end + 1] != 0 and not 0xD0 <= data[end + 1] <= 0xD7):
                end += 1
        segments.append(data[index:end])
        index = end
    first_scans = [i for i, segment in enumerate(segments) if segment[1] == 0xDA][:2]
    head = b"".join(segments[: first_scans[1]])
    extra = segments[first_scans[1]]
    return b"\xff\xd8" + head + extra * (scans - 1) + b"\xff\xd9"
