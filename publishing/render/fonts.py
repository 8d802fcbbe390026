"""Compact Simplified Chinese fonts for the PDF, cut once per process from the system's Noto CJK collections.

The Noto CJK .ttc files hold 65,000 glyphs for four regions. WeasyPrint subsets every font it embeds, keeping glyph
ids, so a document using a few hundred characters still pays for the whole collection: subsetting and compressing
it is a third of a render. Cutting the faces down once to what Simplified Chinese text uses (GB 2312, Latin,
punctuation: about 8,000 characters, with HarfBuzz, in a fraction of a second) halves that work and the PDF size.
A character outside the cut falls back, through the font-family list, to the full Noto font: nothing goes missing.

Emoji come from Noto Color Emoji (PNG bitmaps in CBDT tables, which WeasyPrint draws as images, in colour), cut
the same way to what is not ASCII or Latin-1: naming the full font in a font-family list makes Pango take digits,
spaces, "#" and "*" (keycap bases it also maps) from it, as wide bitmaps on a raised baseline, even when it comes
after the text faces; the cut has no such characters, so only emoji and symbols come from it.

The cut faces are kept on disk (VAR_DIR/cache/fonts), so that each new worker process reads them instead of
cutting them again. If HarfBuzz or the fonts are not there the PDF still renders from the system fonts, only slower.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

SCHEME = "xinzhi-font"
# (name, family in the PDF's CSS, weight, fontconfig pattern of the source face)
FACES = (
    ("serif-regular", "Xinzhi Serif SC", "normal", "Noto Serif CJK SC:style=Regular"),
    ("sans-bold", "Xinzhi Sans SC", "bold", "Noto Sans CJK SC:style=Bold"),
    ("emoji", "Xinzhi Emoji", "normal", "Noto Color Emoji"),
)
# Faces cut to their own characters rather than to the text charset (see _emoji_charset).
EMOJI_FACE = "emoji"


def _charset() -> list[int]:
    codes = set(range(0x20, 0x7F)) | set(range(0xA0, 0x250))
    codes |= set(range(0x2000, 0x2070)) | set(range(0x2100, 0x2200)) | set(range(0x2460, 0x24FF))
    codes |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                codes.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return sorted(codes)


def _emoji_charset(path: str, index: int) -> list[int]:
    """What the emoji face maps beyond Latin-1: emoji, their joiners, selectors, skin tones and flags' letters."""
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        return sorted(code for code in font.getBestCmap() if code > 0xFF)


def find_face(pattern: str) -> tuple[str, int] | None:
    """(file, index in a collection) of the system face fontconfig matches to `pattern` ("Noto Sans CJK
    SC:style=Bold"), or None when fc-match is missing or matched another family (its fallback)."""
    fc_match = shutil.which("fc-match")
    if not fc_match:
        return None
    found = subprocess.run(
        [fc_match, "--format=%{file}\n%{index}\n%{family}", pattern],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout.split("\n")
    family = pattern.split(":", 1)[0]
    if len(found) < 3 or family not in found[2]:
        return None
    return found[0], int(found[1] or 0)


def _harfbuzz():
    names = ctypes.util.find_library("harfbuzz"), ctypes.util.find_library("harfbuzz-subset")
    if not all(names):
        return None
    hb, subset = ctypes.CDLL(names[0]), ctypes.CDLL(names[1])
    pointer = ctypes.c_void_p
    for function, argtypes in (
        (hb.hb_blob_create_from_file_or_fail, [ctypes.c_char_p]),
        (hb.hb_face_create, [pointer, ctypes.c_uint]),
        (hb.hb_face_reference_blob, [pointer]),
        (hb.hb_blob_get_data, [pointer, ctypes.POINTER(ctypes.c_uint)]),
        (subset.hb_subset_input_create_or_fail, []),
        (subset.hb_subset_input_unicode_set, [pointer]),
        (subset.hb_subset_or_fail, [pointer, pointer]),
    ):
        function.restype, function.argtypes = pointer, argtypes
    hb.hb_set_add.argtypes = [pointer, ctypes.c_uint32]
    hb.hb_blob_destroy.argtypes = hb.hb_face_destroy.argtypes = [pointer]
    subset.hb_subset_input_destroy.argtypes = [pointer]
    return hb, subset


def _cut(hb, subset, path: str, index: int, codes: list[int]) -> bytes | None:
    blob = hb.hb_blob_create_from_file_or_fail(path.encode())
    if not blob:
        return None
    face = hb.hb_face_create(blob, index)
    request = subset.hb_subset_input_create_or_fail()
    result = result_blob = None
    try:
        unicodes = subset.hb_subset_input_unicode_set(request)
        for code in codes:
            hb.hb_set_add(unicodes, code)
        result = subset.hb_subset_or_fail(face, request)
        if not result:
            return None
        result_blob = hb.hb_face_reference_blob(result)
        length = ctypes.c_uint()
        data = hb.hb_blob_get_data(result_blob, ctypes.byref(length))
        return ctypes.string_at(data, length.value) if data and length.value else None
    finally:
        if result_blob:
            hb.hb_blob_destroy(result_blob)
        if result:
            hb.hb_face_destroy(result)
        subset.hb_subset_input_destroy(request)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


_lock = threading.Lock()
CHARSET_VERSION = "gb2312-latin-punct-1"


def _cache_dir() -> Path:
    return Path(getattr(settings, "VAR_DIR", tempfile.gettempdir())) / "cache" / "fonts"


def _cache_path(path: str, index: int) -> Path:
    source = Path(path).stat()
    key = f"{CHARSET_VERSION}|{path}|{index}|{source.st_size}|{source.st_mtime_ns}"
    return _cache_dir() / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.otf"


def _cached_cut(harfbuzz, path: str, index: int, charset: Callable[[], list[int]]) -> bytes | None:
    """The cut of face `index` of `path` to the code points `charset()` returns (called only on a cache miss)."""
    cached = _cache_path(path, index)
    try:
        return cached.read_bytes()
    except OSError:
        pass
    data = _cut(*harfbuzz, path, index, charset())
    if data:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            # Written under a temporary name and renamed: a process reading it never sees half a font.
            handle, temporary = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, cached)
        except OSError as error:
            logger.info("Could not keep the cut font in %s: %s", cached.parent, error)
    return data


@functools.cache
def prepared_fonts() -> dict[str, bytes]:
    """{name: OpenType bytes} of the faces that could be cut; empty if none could."""
    with _lock:
        harfbuzz = _harfbuzz()
        if harfbuzz is None:
            logger.warning("libharfbuzz-subset not found: the PDF uses the full system CJK fonts (slower).")
            return {}
        fonts = {}
        for name, _family, _weight, pattern in FACES:
            face = find_face(pattern)
            data = None
            if face:
                charset = functools.partial(_emoji_charset, *face) if name == EMOJI_FACE else _charset
                data = _cached_cut(harfbuzz, *face, charset)
            if data:
                fonts[name] = data
            else:
                logger.warning("Font %r not found: the PDF falls back to the system fonts.", pattern)
        return fonts


def font_face_css() -> str:
    """@font-face rules for the prepared faces, served by the PDF fetcher from memory."""
    fonts = prepared_fonts()
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{SCHEME}:{name}"); }}'
        for name, family, weight, _pattern in FACES
        if name in fonts
    )
