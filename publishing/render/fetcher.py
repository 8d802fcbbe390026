"""The only way a PDF render reaches a resource: `data:` URLs and the project's own static and media files.

WeasyPrint resolves every `url()`, `<img src>`, `<link href>`, `@import` and attachment through its URL
fetcher. The default one opens anything urllib can open (file:///etc/passwd, http://169.254.169.254/, redirects
to either). This one opens no socket at all: URLs naming the site itself under STATIC_URL or MEDIA_URL are mapped
to files (static files on disk; media: the writers' uploads under MEDIA_ROOT/newsroom only, through
xinzhi.media.upload_path, the check the upload route itself uses), `file://` URLs are accepted only inside
STATIC_ROOT, the static directories of the apps and the uploads folder, and everything else is refused and
recorded. Every path is compared after symbolic links are resolved: a link inside an allowed folder that points
elsewhere is refused.

Every resource read is also held to the system's pixel budget (editorial.images.MAX_PIXELS) from its header before
WeasyPrint sees it: WeasyPrint decodes a raster image whole, and a 420 KB PNG of 12 000 × 12 000 pixels would take
a worker past a gigabyte. A refused image is left out of the PDF and logged; the render goes on.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import posixpath
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage, default_storage
from weasyprint.urls import URLFetcher, URLFetcherResponse

from editorial.images import MAX_PIXELS, ImageRefused, check_pixel_budget
from publishing.render.fonts import SCHEME, prepared_fonts
from xinzhi.media import UPLOADS_DIR, upload_path, uploads_root

logger = logging.getLogger(__name__)

MAX_RESOURCE_BYTES = 5 * 1024 * 1024


class FetchRefused(ValueError):
    """A URL the renderer must not fetch. WeasyPrint logs it and renders without the resource."""


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)]
    roots.extend(Path(p if isinstance(p, str | os.PathLike) else p[1]) for p in settings.STATICFILES_DIRS)
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location))
    return roots


def _inside(path: Path, roots: list[Path]) -> bool:
    for root in roots:
        try:
            path.relative_to(root.resolve())
        except (ValueError, OSError):
            continue
        return True
    return False


def _clean_relative(path: str) -> str | None:
    """A storage-relative name with no way up: `a/b.png`, never `../x` or an absolute path."""
    name = posixpath.normpath(unquote(path)).lstrip("/")
    if not name or name == "." or name.startswith("../") or name == ".." or "\x00" in name:
        return None
    return name


class SafeURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that never opens a network connection.

    `refused` lists every URL turned down (tests assert on it; renders log it); `fetched` lists what was read.
    `deadline` (a time.monotonic() value) makes a slow render stop at its next fetch.
    """

    def __init__(self, *, max_bytes: int = MAX_RESOURCE_BYTES, deadline: float | None = None):
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=False)
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.refused: list[str] = []
        self.fetched: list[str] = []
        site = urlsplit(settings.SITE_URL)
        self._site = (site.scheme, site.netloc.lower())
        self._static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        self._media_prefix = "/" + settings.MEDIA_URL.strip("/") + "/" if settings.MEDIA_URL else None

    def fetch(self, url, headers=None):
        if self.deadline is not None and time.monotonic() > self.deadline:
            return self._refuse(url, "render deadline passed")
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == SCHEME:
            return self._fetch_prepared_font(url)
        if scheme == "data":
            return self._limited(url, super().fetch(url, headers))
        if scheme == "file":
            return self._fetch_file(url)
        if scheme in ("http", "https"):
            parts = urlsplit(url)
            if (parts.scheme.lower(), parts.netloc.lower()) == self._site and not parts.query:
                return self._fetch_site_path(url, parts.path)
            return self._refuse(url, "network access is not allowed")
        return self._refuse(url, "scheme not allowed")

    def _fetch_prepared_font(self, url: str):
        data = prepared_fonts().get(url.split(":", 1)[1])
        if data is None:
            return self._refuse(url, "no such prepared font")
        self.fetched.append(url)
        return URLFetcherResponse(url, data, {"Content-Type": "font/otf"})

    def _refuse(self, url: str, reason: str):
        self.refused.append(url)
        logger.warning("PDF render refused to fetch %s: %s", url[:200], reason)
        raise FetchRefused(f"refused {url[:200]}: {reason}")

    def _fetch_site_path(self, url: str, path: str):
        if path.startswith(self._static_prefix):
            name = _clean_relative(path[len(self._static_prefix) :])
            if name:
                candidate = Path(settings.STATIC_ROOT) / name
                if not candidate.is_file():
                    found = finders.find(name)
                    candidate = Path(found) if isinstance(found, str) else None
                if candidate is not None:
                    return self._read_path(url, candidate.resolve(), _static_roots())
        elif self._media_prefix and path.startswith(self._media_prefix):
            name = _clean_relative(path[len(self._media_prefix) :])
            if name and name.startswith(UPLOADS_DIR + "/"):
                return self._read_upload(url, name)
        return self._refuse(url, "not a static file or an upload of this site")

    def _fetch_file(self, url: str):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return self._refuse(url, "remote file URL")
        try:
            path = Path(url2pathname(unquote(parts.path))).resolve()
        except (OSError, ValueError, RuntimeError):  # a NUL byte, a symlink loop
            return self._refuse(url, "not a file name")
        roots = [*_static_roots(), uploads_root()]
        if not _inside(path, roots):
            return self._refuse(url, "file outside the static directories and the uploads")
        return self._read_path(url, path, roots)

    def _read_path(self, url: str, path: Path, roots: list[Path]):
        # Resolved paths only: a symlink inside STATIC_ROOT pointing at /etc is refused here.
        if not _inside(path, roots) or not path.is_file():
            return self._refuse(url, "no such static or media file")
        with path.open("rb") as handle:
            body = handle.read(self.max_bytes + 1)
        return self._response(url, body)

    def _read_upload(self, url: str, name: str):
        """`name` is storage-relative and starts with the uploads folder."""
        if isinstance(default_storage, FileSystemStorage):
            path = upload_path(name[len(UPLOADS_DIR) + 1 :])
            if path is None:
                return self._refuse(url, "no such upload")
            return self._read_path(url, path, [uploads_root()])
        # Object storage has no links and no `..` (the name is clean): the name is the object's key.
        return self._read_storage(url, name)

    def _read_storage(self, url: str, name: str):
        try:
            with default_storage.open(name, "rb") as handle:
                body = handle.read(self.max_bytes + 1)
        except Exception:  # any storage failure is just a missing image
            return self._refuse(url, "media file not found")
        return self._response(url, body)

    def _check_pixels(self, url: str, body: bytes) -> None:
        try:
            check_pixel_budget(body)
        except ImageRefused:
            self._refuse(url, f"an image of more than {MAX_PIXELS} pixels")

    def _response(self, url: str, body: bytes):
        if len(body) > self.max_bytes:
            return self._refuse(url, f"larger than {self.max_bytes} bytes")
        self._check_pixels(url, body)
        self.fetched.append(url)
        content_type = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def _limited(self, url: str, response):
        body = response.read(self.max_bytes + 1)
        response.close()
        if len(body) > self.max_bytes:
            return self._refuse(url[:60], f"larger than {self.max_bytes} bytes")
        self._check_pixels(url[:60], body)
        self.fetched.append(url[:60])
        return URLFetcherResponse(response.url, body, response.headers, response.status)
