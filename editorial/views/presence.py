"""The editor's heartbeat: who else has this issue open (editorial.presence)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from editorial import presence
from editorial.views.base import newsroom, request_data
from editorial.views.issues import get_issue


@require_POST
@newsroom
def heartbeat(request: HttpRequest, pk: int) -> HttpResponse:
    """POST {"where": "section-12" | "meta" | ""} while the editor is open, {"leave": true} (or the form field
    leave=1, as navigator.sendBeacon sends it) when it closes. Answers {"others": [{"user_id", "name",
    "where"}], "interval": seconds} so the page shows who else is editing without a reload."""
    issue = get_issue(pk)
    data = request_data(request)
    if str(data.get("leave", "")).lower() in ("1", "true"):
        presence.presence_leave(issue=issue, user=request.user)
        return JsonResponse({"ok": True, "others": []})
    presence.presence_touch(issue=issue, user=request.user, where=data.get("where", ""))
    return JsonResponse(
        {
            "ok": True,
            "others": presence.presence_others(issue=issue, user=request.user),
            "interval": presence.heartbeat_seconds(),
        }
    )
