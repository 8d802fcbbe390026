"""The PDF needs HarfBuzz subsetting (fast, small font subsets), the Noto CJK fonts (every common glyph), Noto
Color Emoji (emoji) and HanaMin (the ideographs of CJK extension B and later that Noto CJK lacks)."""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess

REQUIRED_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


def test_harfbuzz_subsetting_is_installed():
    assert ctypes.util.find_library("harfbuzz-subset"), (
        "libharfbuzz-subset is missing: install the libharfbuzz-subset0 package (apt-get install "
        "libharfbuzz-subset0). Without it WeasyPrint falls back to fontTools and a PDF takes seconds."
    )
    from weasyprint.text.ffi import harfbuzz_subset

    assert harfbuzz_subset is not None, "WeasyPrint could not load libharfbuzz-subset."


def test_the_noto_cjk_fonts_are_installed():
    fc_list = shutil.which("fc-list")
    assert fc_list, "fc-list is missing: install fontconfig."
    families = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    missing = [family for family in REQUIRED_FAMILIES if family not in families]
    assert not missing, (
        f"CJK fonts missing: {', '.join(missing)}. Install the fonts-noto-cjk package "
        "(apt-get install fonts-noto-cjk); without them the PDF has no Chinese glyphs."
    )


def test_the_emoji_and_rare_ideograph_fonts_are_installed():
    families = subprocess.run(
        [shutil.which("fc-list") or "fc-list", ":", "family"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    wanted = {
        "Noto Color Emoji": "fonts-noto-color-emoji",
        "HanaMinA": "fonts-hanazono",
        "HanaMinB": "fonts-hanazono",
    }
    missing = {family: package for family, package in wanted.items() if family not in families}
    assert not missing, (
        f"Fonts missing: {', '.join(missing)}. Install {' '.join(sorted(set(missing.values())))} (apt-get install); "
        "without them emoji and rare characters have no glyph and the PDF render is refused."
    )
