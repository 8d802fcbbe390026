"""The PDF needs HarfBuzz subsetting (fast, small font subsets) and the Noto CJK fonts (every glyph)."""

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
