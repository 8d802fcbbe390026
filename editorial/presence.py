"""Who has an issue open in the editor right now, so that nobody starts editing a section someone else is on.

The editor sends a heartbeat every HEARTBEAT_SECONDS while it is open (and at once when the writer moves to
another section); each heartbeat stores one small entry per (issue, user) in Django's cache (the shared Redis in
production, so every web node sees it; local memory on one machine) that expires after TTL_SECONDS. Closing the
page removes the entry at once; a page that dies without saying so disappears when its entry expires.

One key per (issue, user) and no shared index: two heartbeats arriving together never overwrite each other. The
readers look the keys of the newsroom's active accounts up in one `get_many`; a newsroom has a few dozen.
Nothing here is shown outside the newsroom.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache

from editorial.models import Issue
from editorial.roles import can_edit_content

# Where in the editor: the issue's own fields, or one section by id; "" for the page as a whole.
WHERE = re.compile(r"^(?:meta|section-\d{1,12})?$")


def heartbeat_seconds() -> int:
    """How often the editor reports, in seconds (settings.PRESENCE_HEARTBEAT_SECONDS). 0 turns the heartbeat off:
    the browser tests do, but for the one about presence, so that no request of a page being closed races the
    flush of the test database."""
    return settings.PRESENCE_HEARTBEAT_SECONDS


def ttl_seconds() -> int:
    """How long an entry lives without a heartbeat, in seconds (settings.PRESENCE_TTL_SECONDS)."""
    return settings.PRESENCE_TTL_SECONDS


def _key(issue_id: int, user_id: int) -> str:
    return f"newsroom:presence:{issue_id}:{user_id}"


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def presence_touch(*, issue: Issue, user, where: str = "") -> bool:
    """Record that `user` has `issue` open in the editor, at `where` ("meta", "section-<id>" or ""). Only someone
    who may edit the issue now is recorded (a reader of a frozen issue is not editing it). Returns whether an
    entry was written; an unknown `where` counts as the page as a whole."""
    if not (issue.is_editable and can_edit_content(user, issue)):
        return False
    where = where if isinstance(where, str) and WHERE.match(where) else ""
    entry = {"user_id": user.pk, "name": display_name(user), "where": where, "at": time.time()}
    cache.set(_key(issue.pk, user.pk), entry, timeout=ttl_seconds())
    return True


def presence_leave(*, issue: Issue, user) -> None:
    """Forget `user`'s entry for `issue` (the editor page was closed)."""
    cache.delete(_key(issue.pk, user.pk))


def _candidate_ids() -> list[int]:
    return list(get_user_model().objects.filter(is_active=True).values_list("pk", flat=True))


def editors_by_issue(*, issue_ids: Iterable[int], user) -> dict[int, list[dict]]:
    """{issue id: [{"user_id", "name", "where"}, …]} of the people other than `user` editing each issue, ordered
    by name. Issues nobody else has open are left out."""
    issue_ids = list(issue_ids)
    if not issue_ids:
        return {}
    users = [pk for pk in _candidate_ids() if pk != user.pk]
    keys = [_key(issue_id, pk) for issue_id in issue_ids for pk in users]
    found = cache.get_many(keys) if keys else {}
    oldest = time.time() - ttl_seconds()
    result: dict[int, list[dict]] = {}
    for key, entry in found.items():
        if not isinstance(entry, dict) or entry.get("at", 0) < oldest:
            continue  # a cache that keeps keys past their timeout must not show someone long gone
        issue_id = int(key.split(":")[2])
        result.setdefault(issue_id, []).append(
            {"user_id": entry["user_id"], "name": entry["name"], "where": entry["where"]}
        )
    for entries in result.values():
        entries.sort(key=lambda e: e["name"])
    return result


def presence_others(*, issue: Issue, user) -> list[dict]:
    """The people other than `user` who have `issue` open in the editor: [{"user_id", "name", "where"}, …]."""
    return editors_by_issue(issue_ids=[issue.pk], user=user).get(issue.pk, [])
