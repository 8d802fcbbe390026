"""Review comments (审核意见): reviewers comment on an issue's sections, writers resolve them.

Keyword-only services, like editorial.services: each checks the role and the issue's state on the server and
raises an EditorialError subclass the views turn into a message.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from editorial.cleaning import clean_text
from editorial.errors import InvalidInput, TransitionForbidden, TransitionNotAllowed
from editorial.models import Issue, IssueState, ReviewComment, Section
from editorial.roles import can_edit_content

# Comments belong to the drafting and reviewing loop; an approved or published issue is frozen.
COMMENTABLE_STATES = frozenset({IssueState.DRAFT, IssueState.IN_REVIEW})
MAX_COMMENT_LENGTH = 5000


def can_comment(user, issue: Issue) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("editorial.review_issue"))


def can_resolve(user, issue: Issue) -> bool:
    return can_comment(user, issue) or can_edit_content(user, issue)


def _require_state(issue: Issue, message: str) -> None:
    if issue.state not in COMMENTABLE_STATES:
        raise TransitionNotAllowed(message % {"state": issue.get_state_display()})


def comment_add(*, issue: Issue, user, body: str, section: Section | None = None) -> ReviewComment:
    """A reviewer's comment on `issue`, attached to `section` when given."""
    if not can_comment(user, issue):
        raise TransitionForbidden(_("只有审核人可以添加审核意见。"))
    # Cleaned as it will be stored: a comment of invisible characters alone is empty.
    text = clean_text(body, multiline=True)
    if not text:
        raise InvalidInput(_("审核意见不能为空。"))
    if len(text) > MAX_COMMENT_LENGTH:
        raise InvalidInput(_("审核意见太长（最多 5000 字）。"))
    if section is not None and section.issue_id != issue.pk:
        raise InvalidInput(_("该条目不属于本期。"))
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        _require_state(locked, _("本期状态为“%(state)s”，不能再添加审核意见。"))
        return ReviewComment.objects.create(issue=locked, section=section, author=user, body=text)


def comment_resolve(*, comment: ReviewComment, user) -> ReviewComment:
    """Mark a comment as dealt with; resolving twice is harmless and keeps the first resolver."""
    issue = comment.issue
    if not can_resolve(user, issue):
        raise TransitionForbidden(_("您没有权限处理这条审核意见。"))
    with transaction.atomic():
        locked_issue = Issue.objects.select_for_update().get(pk=issue.pk)
        _require_state(locked_issue, _("本期状态为“%(state)s”，审核意见已冻结。"))
        locked = ReviewComment.objects.select_for_update().get(pk=comment.pk)
        if locked.resolved_at is None:
            locked.resolved_at = timezone.now()
            locked.resolved_by = user
            locked.save(update_fields=["resolved_at", "resolved_by"])
    comment.refresh_from_db()
    return comment
