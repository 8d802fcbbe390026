"""The page cache of the public archive, and its invalidation.

Every public page depends on which issues are published and what they say, and on nothing else (no user, no
session). So one number, the *publication version*, stands for all of it: it changes whenever an issue is
published, corrected, withdrawn or imported (`issue_transitioned`), or a published issue is saved or deleted
outside the workflow. A cached page remembers the version it was made under and is used only while that is
still the version. One version for everything is blunt (publishing one issue also expires the topic pages of
another) but it cannot be wrong, and publication changes happen a few times a day.

One cache round trip per request: the version and the page are read together (`get_many`). Pages are stored
with their ETag and Last-Modified, so a conditional request is answered 304 without building anything.
The cache is Django's default cache: Redis when REDIS_URL is set (shared by all processes), local memory
otherwise.
"""

from __future__ import annotations

import hashlib
import logging
import time
from functools import wraps
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from editorial.models import IssueState

logger = logging.getLogger(__name__)

VERSION_KEY = "publishing:archive:version"
PAGE_PREFIX = "publishing:archive:page:"
# A page is rebuilt at least this often, even without a publication change (a deployment changing templates).
PAGE_TIMEOUT = 60 * 60 * 6
# Browsers and proxies may reuse a page this long without asking; after that they revalidate (304).
BROWSER_MAX_AGE = 60

PUBLIC_STATES = frozenset({IssueState.PUBLISHED})


def publication_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = bump_publication_version()
    return version


def bump_publication_version() -> int:
    """Expire every cached page. The version is the time of the change in nanoseconds: unique and increasing,
    and a cache that lost the key starts again from a new value instead of reusing an old one."""
    version = time.time_ns()
    cache.set(VERSION_KEY, version, timeout=None)
    return version


def _page_key(request: HttpRequest) -> str:
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    raw = f"{get_language()}|{request.path}|{query}"
    return PAGE_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _respond(request: HttpRequest, entry: dict) -> HttpResponse:
    response = HttpResponse(entry["body"], content_type=entry["content_type"], status=200)
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["last_modified"])
    response["Content-Language"] = entry["language"]
    patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
    conditional = get_conditional_response(
        request, etag=entry["etag"], last_modified=entry["last_modified"], response=response
    )
    return conditional


def cached_page(view):
    """Cache a public view's successful GET responses under the publication version.

    Only 200 responses with a body are stored (not 404s: an unbounded number of bad URLs must not fill the
    cache). The view must depend on the URL and the language only.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        entry = found.get(key)
        if version is not None and entry is not None and entry["version"] == version:
            return _respond(request, entry)
        if version is None:
            version = bump_publication_version()
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming:
            return response
        if getattr(response, "is_rendered", True) is False:
            response.render()  # a TemplateResponse (the sitemap view)
        body = response.content
        entry = {
            "version": version,
            "body": body,
            "content_type": response["Content-Type"],
            "etag": quote_etag(hashlib.blake2b(body, digest_size=16).hexdigest()),
            # The page cannot have changed after the last publication change.
            "last_modified": version // 1_000_000_000,
            "language": get_language(),
        }
        cache.set(key, entry, timeout=PAGE_TIMEOUT)
        return _respond(request, entry)

    return wrapper


# --- Invalidation -------------------------------------------------------------------------------------------


def on_issue_transitioned(sender, *, issue_id: int, transition: str, from_state="", to_state="", **kwargs):
    """A transition into, out of or within `published` (publish, correct, withdraw, a published import) changes
    what readers see: refresh the search entries of that issue and expire the pages."""
    if from_state not in PUBLIC_STATES and to_state not in PUBLIC_STATES:
        return
    try:
        from publishing.search import index_issue

        index_issue(issue_id=issue_id)
    except Exception:
        # The transition has committed; the search index is repaired by `generate_archive --reindex` or the next
        # change of this issue. Search never shows an unpublished issue whatever the index holds.
        logger.exception("Could not update the search entries of issue %s after %s.", issue_id, transition)
    bump_publication_version()


def on_issue_saved(sender, *, instance, **kwargs) -> None:
    """A published issue changed outside the workflow (the admin site): expire the pages."""
    if instance.state in PUBLIC_STATES:
        bump_publication_version()


def on_issue_deleted(sender, *, instance, **kwargs) -> None:
    bump_publication_version()
