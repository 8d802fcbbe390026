"""Template context for the public archive."""

from __future__ import annotations

from functools import lru_cache

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

# The pages every archive page links to, in its bar, footer and head.
CHROME_PAGES = ("home", "index", "topics", "sources", "search", "feed", "feed_atom")


@lru_cache(maxsize=16)
def _chrome_links(script_prefix: str) -> dict[str, str]:
    return {name: reverse(f"archive:{name}") for name in CHROME_PAGES}


def archive_links(request: HttpRequest) -> dict:
    """`archive_links.<name>`: the URLs of CHROME_PAGES, reversed once per process (and script prefix) rather
    than by a dozen {% url %} tags on every page, which were a tenth of rendering an uncached page."""
    return {"archive_links": _chrome_links(get_script_prefix())}
