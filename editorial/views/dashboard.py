"""The landing page of every role: what is due, what waits for me, what happened."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from editorial import presence, selectors
from editorial.forms import IssueCreateForm
from editorial.views.base import newsroom


@require_GET
@newsroom
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_writer = user.has_perm("editorial.change_section")
    is_reviewer = user.has_perm("editorial.review_issue")
    current = selectors.current_issues()
    editing = presence.editors_by_issue(issue_ids=[row.issue.pk for row in current], user=user)
    context = {
        "current": current,
        # Each row with the names of the others who have that issue open in the editor now.
        "current_rows": [(row, [e["name"] for e in editing.get(row.issue.pk, [])]) for row in current],
        "recent": selectors.recent_issues(),
        "awaiting_review": selectors.awaiting_review(user=user),
        "my_sections": list(selectors.my_sections(user=user)) if is_writer else [],
        "returned": selectors.returned_to(user=user) if is_writer else [],
        "open_comments": list(selectors.open_comments_for(user=user)) if is_writer else [],
        "events": list(selectors.recent_events()),
        # {% now %} takes only a literal format; the heading needs the translated one, so it gets a value.
        "today": timezone.localtime(),
        "is_writer": is_writer,
        "is_reviewer": is_reviewer,
        "create_form": IssueCreateForm() if user.has_perm("editorial.add_issue") else None,
    }
    return render(request, "editorial/dashboard.html", context)
