"""The images writers upload, served from local disk, and the one check that keeps every file route in its folder.

Uploads (editorial.images.store_image) live under MEDIA_ROOT/newsroom/ with random names; rendition files (PDF,
WeChat HTML) live beside them under MEDIA_ROOT/renditions/ and must never be reachable here: an approved issue's
PDF is embargoed until publication, a withdrawn one for good. They go out only through views that look the
rendition up in the database and check who asks (publishing.views.issue_download for published issues,
publishing.newsroom.rendition_file for the newsroom).

Django's `django.views.static.serve` is not used: it normalises the path against MEDIA_ROOT as a whole, so
`newsroom/%2e%2e/renditions/…` is "inside" and served, and it follows symbolic links. `upload_path` instead
resolves the real path (percent-decoding is done once by Django; `..`, absolute paths and symbolic links are
resolved by Path.resolve) and accepts it only inside the resolved MEDIA_ROOT/newsroom. The PDF renderer's URL
fetcher (publishing.render.fetcher) reads media through the same function.

With object storage (S3_BUCKET set) the storage serves uploads itself and this view is not routed.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

UPLOADS_DIR = "newsroom"
# Extensions editorial.images writes (it re-encodes every upload), with the only type each is served as: a file
# of any other kind that ends up in the folder is not served at all, so it can never be a page on this origin.
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
}
# Upload names are random and never reused (editorial.images.store_image): a file never changes.
CACHE_CONTROL = "public, max-age=31536000, immutable"


def uploads_root() -> Path:
    """The real (resolved) path of MEDIA_ROOT/newsroom."""
    return (Path(settings.MEDIA_ROOT) / UPLOADS_DIR).resolve()


def upload_path(name: str) -> Path | None:
    """The real path of the uploaded file `name` (relative to MEDIA_ROOT/newsroom, already percent-decoded), or
    None when it is not a regular file inside that folder once `..`, absolute parts and symbolic links are
    resolved; also None for names the file system cannot hold (NUL bytes, too long)."""
    root = uploads_root()
    try:
        real = (root / name).resolve(strict=True)
    except (OSError, ValueError, RuntimeError):  # missing, NUL byte, name too long, symlink loop
        return None
    if real == root or not real.is_relative_to(root) or not real.is_file():
        return None
    return real


@require_safe
def upload(request: HttpRequest, name: str) -> FileResponse:
    """GET /media/newsroom/<name>: the uploaded image, or 404 for anything that is not one."""
    real = upload_path(name)
    content_type = CONTENT_TYPES.get(real.suffix.lstrip(".").lower()) if real is not None else None
    if content_type is None:
        raise Http404
    try:
        stream = real.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(stream, content_type=content_type)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
