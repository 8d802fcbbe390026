"""Publishing's reactions to editorial transitions (the workflow sends `issue_transitioned` after commit and
does not import publishing)."""

from __future__ import annotations

import logging

from editorial.models import Issue
from publishing.renditions import renditions_mark_stale, renditions_request

logger = logging.getLogger(__name__)

# approve: render the approved content. correct: render the corrected content, keeping the old files.
# publish: make sure the renditions exist (a render request lost before publication is made good here).
RENDER_ON = frozenset({"approve", "correct", "publish"})


def on_issue_transitioned(sender, *, issue_id: int, transition: str, **kwargs) -> None:
    try:
        if transition in RENDER_ON:
            issue = Issue.objects.select_related("series").get(pk=issue_id)
            renditions_request(issue=issue)
        elif transition == "reopen":
            issue = Issue.objects.get(pk=issue_id)
            renditions_mark_stale(issue=issue)
    except Exception:
        # The transition has committed; failing here would turn the user's successful action into an error.
        # The publication tick re-sends queued renders, and the next approve or publish requests them again.
        logger.exception("Could not handle %s of issue %s for renditions.", transition, issue_id)
