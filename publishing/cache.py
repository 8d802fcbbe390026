"""The page cache of the public archive, and its invalidation.

Every public page depends on which issues are published and what they say, and on nothing else (no user, no
session). So one number, the *publication version*, stands for all of it: it changes whenever an issue is
published, corrected, withdrawn or imported (`issue_transitioned`), or a published issue is saved or deleted
outside the workflow. A cached page remembers the version it was made under and is used only while that is
still the version. One version for everything is blunt (publishing one issue also expires the topic pages of
another) but it cannot be wrong, and publication changes happen a few times a day.

Two levels. The shared cache (Django's default: Redis when REDIS_URL is set, local memory otherwise) holds the
version and every page, for all processes. Each process also keeps the pages it served last in its own memory
(bounded, least recently used first out) and re-reads the version from the shared cache at most every
VERSION_RECHECK seconds, so that a popular page costs no network round trip at all: that is what lets the issue
page approach the speed of a fixed page. The price is that another process may serve the previous version for
up to VERSION_RECHECK seconds after a change; the process that made the change sees it at once.

Pages are stored with their ETag and Last-Modified, so a conditional request is answered 304 without building
anything.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import TypeVar
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
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
# How stale another process's idea of the version may be, in seconds (see the module docstring).
VERSION_RECHECK = 1.0
# What one process keeps of the pages it served: the popular ones (latest issue, archive index, common searches).
LOCAL_MAX_BYTES = 32 * 1024 * 1024
# What one process keeps of the data behind the pages (`remember`: the matches of the words searched lately).
LOCAL_DATA_MAX_BYTES = 32 * 1024 * 1024
DATA_PREFIX = "publishing:archive:data:"

PUBLIC_STATES = frozenset({IssueState.PUBLISHED})

T = TypeVar("T")


class _Recent:
    """What this process used last (pages, or data), bounded in bytes (`measure` tells an entry's), least
    recently used first out; in front of the shared cache, which holds the same entries for every process."""

    def __init__(self, max_bytes: int, measure: Callable[[dict], int]) -> None:
        self.max_bytes = max_bytes
        self.measure = measure
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.entries: OrderedDict[str, dict] = OrderedDict()
        self.size = 0

    def get(self, key: str, version: int) -> dict | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry["version"] != version:
                return None
            self.entries.move_to_end(key)
            return entry

    def fetch(self, key: str, version: int) -> dict | None:
        """The entry made under `version`, from this process or else from the shared cache."""
        entry = self.get(key, version)
        if entry is None:
            shared = cache.get(key)
            if shared is not None and shared["version"] == version:
                entry = shared
                self.put(key, entry)
        return entry

    def store(self, key: str, entry: dict) -> None:
        cache.set(key, entry, timeout=PAGE_TIMEOUT)
        self.put(key, entry)

    def put(self, key: str, entry: dict) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= self.measure(old)
            self.entries[key] = entry
            self.size += self.measure(entry)
            while self.size > self.max_bytes and self.entries:
                _, dropped = self.entries.popitem(last=False)
                self.size -= self.measure(dropped)


class _Version:
    """This process's copy of the publication version, and when it was read."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.value: int | None = None
        self.checked = 0.0


_version = _Version()
_local = _Recent(LOCAL_MAX_BYTES, lambda entry: len(entry["body"]))
# Data entries carry their size, which only the code that computed the value can tell (`remember`).
_local_data = _Recent(LOCAL_DATA_MAX_BYTES, lambda entry: entry["size"])


def reset_local_cache() -> None:
    """Forget this process's pages, data and version (tests, after clearing the shared cache)."""
    _version.reset()
    _local.reset()
    _local_data.reset()


def publication_version() -> int:
    """The current version: this process's copy if it was read less than VERSION_RECHECK seconds ago."""
    now = time.monotonic()
    if _version.value is not None and now - _version.checked < VERSION_RECHECK:
        return _version.value
    version = cache.get(VERSION_KEY)
    if version is None:
        return bump_publication_version()
    _version.value, _version.checked = version, now
    return version


def bump_publication_version() -> int:
    """Expire every cached page. The version is the time of the change in nanoseconds: unique and increasing,
    and a cache that lost the key starts again from a new value instead of reusing an old one."""
    version = time.time_ns()
    cache.set(VERSION_KEY, version, timeout=None)
    _version.value, _version.checked = version, time.monotonic()
    return version


def _page_key(request: HttpRequest) -> str:
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    raw = f"{get_language()}|{request.path}|{query}"
    return PAGE_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


CACHE_CONTROL = f"public, max-age={BROWSER_MAX_AGE}"


def _respond(request: HttpRequest, entry: dict) -> HttpResponse:
    # The hot path of every cached page: headers come ready-made from the entry.
    response = HttpResponse(entry["body"], content_type=entry["content_type"], status=200)
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = entry["last_modified_http"]
    response["Content-Language"] = entry["language"]
    response["Cache-Control"] = CACHE_CONTROL
    # The language is Accept-Language's (LocaleMiddleware adds that to Vary) or the language cookie's: a reader
    # who switches language must not get the other language's copy back from the browser cache.
    response["Vary"] = "Cookie"
    if "HTTP_IF_NONE_MATCH" not in request.META and "HTTP_IF_MODIFIED_SINCE" not in request.META:
        return response
    return get_conditional_response(
        request, etag=entry["etag"], last_modified=entry["last_modified"], response=response
    )


def cached_page(view):
    """Cache a public view's successful GET responses under the publication version.

    Only 200 responses are stored (not 404s: an unbounded number of bad URLs must not fill the cache). The view
    must depend on the URL and the language only.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        version = publication_version()
        entry = _local.fetch(key, version)
        if entry is not None:
            return _respond(request, entry)
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
            "last_modified_http": http_date(version // 1_000_000_000),
            "language": get_language(),
        }
        _local.store(key, entry)
        return _respond(request, entry)

    return wrapper


def remember(name: str, compute: Callable[[], T], *, size: Callable[[T], int]) -> T:
    """`compute()`, kept under the publication version like the pages: in this process (up to
    LOCAL_DATA_MAX_BYTES, `size` telling what a value takes) and in the shared cache for the others. For what
    several pages are built from, such as the matches of a searched word whatever the filters and page."""
    key = DATA_PREFIX + hashlib.sha256(name.encode()).hexdigest()
    version = publication_version()
    entry = _local_data.fetch(key, version)
    if entry is None:
        value = compute()
        entry = {"version": version, "value": value, "size": size(value)}
        _local_data.store(key, entry)
    return entry["value"]


# --- Invalidation -------------------------------------------------------------------------------------------


def on_issue_transitioned(sender, *, issue_id: int, transition: str, from_state="", to_state="", **kwargs):
    """A transition into, out of or within `published` (publish, correct, withdraw, a published import) changes
    what readers see: refresh the search entries of that issue, which expires the pages."""
    if from_state not in PUBLIC_STATES and to_state not in PUBLIC_STATES:
        return
    try:
        from publishing.search import index_issue

        index_issue(issue_id=issue_id)
    except Exception:
        # The transition has committed; the entries are rebuilt by the next change of this issue (or
        # `manage.py generate_archive --reindex`). Search never shows an unpublished issue whatever the index holds.
        logger.exception("Could not update the search entries of issue %s after %s.", issue_id, transition)
        bump_publication_version()


def on_issue_saved(sender, *, instance, **kwargs) -> None:
    """A published issue changed outside the workflow (the admin site): expire the pages once the change is
    committed (expiring them before would let a request cache the old content under the new version)."""
    if instance.state in PUBLIC_STATES:
        transaction.on_commit(bump_publication_version)


def on_issue_deleted(sender, *, instance, **kwargs) -> None:
    transaction.on_commit(bump_publication_version)


def on_masthead_changed(sender, **kwargs) -> None:
    """The series, a footer QR code or a footer block was saved or deleted (the newsroom's footer page, the admin
    site): every public page prints the masthead's footer, so expire them all once the change is committed."""
    transaction.on_commit(bump_publication_version)
