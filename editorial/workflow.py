"""The issue state machine. Every transition is one keyword-only function that, in one transaction:
locks the issue row, checks the user's permission and the current state, changes the state, writes an
IssueEvent, and schedules its side effects for after commit (the `issue_transitioned` signal).

    draft --submit--> in_review --approve--> approved --publish--> published --withdraw--> withdrawn
      ^                  |                      |                      |
      +----return--------+                      |                      +--correct--> published
      +-----------------------reopen------------+

`user=None` means the system (the publication tick); only `publish` accepts it.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from editorial import dates
from editorial.cleaning import clean_text
from editorial.errors import InvalidInput, TransitionForbidden, TransitionNotAllowed
from editorial.models import ContentChange, ContentPart, Correction, Issue, IssueEvent, IssueState
from editorial.signals import issue_transitioned

S = IssueState


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    system_allowed: bool = False


SUBMIT = Transition(
    "submit", gettext_lazy("提交审核"), frozenset({S.DRAFT}), S.IN_REVIEW, "editorial.submit_issue"
)
RETURN = Transition(
    "return", gettext_lazy("退回修改"), frozenset({S.IN_REVIEW}), S.DRAFT, "editorial.review_issue"
)
APPROVE = Transition(
    "approve", gettext_lazy("批准"), frozenset({S.IN_REVIEW}), S.APPROVED, "editorial.review_issue"
)
REOPEN = Transition(
    "reopen", gettext_lazy("重新打开"), frozenset({S.APPROVED}), S.DRAFT, "editorial.reopen_issue"
)
SCHEDULE = Transition(
    "schedule", gettext_lazy("调整发布时间"), frozenset({S.APPROVED}), S.APPROVED, "editorial.publish_issue"
)
PUBLISH = Transition(
    "publish",
    gettext_lazy("发布"),
    frozenset({S.APPROVED}),
    S.PUBLISHED,
    "editorial.publish_issue",
    system_allowed=True,
)
CORRECT = Transition(
    "correct", gettext_lazy("更正"), frozenset({S.PUBLISHED}), S.PUBLISHED, "editorial.correct_issue"
)
WITHDRAW = Transition(
    "withdraw", gettext_lazy("撤回"), frozenset({S.PUBLISHED}), S.WITHDRAWN, "editorial.withdraw_issue"
)

TRANSITIONS = {t.name: t for t in (SUBMIT, RETURN, APPROVE, REOPEN, SCHEDULE, PUBLISH, CORRECT, WITHDRAW)}


def available_transitions(*, issue: Issue, user) -> list[Transition]:
    """What `user` may do to `issue` now (for showing buttons; the transition functions check again). Approve
    is left out when the four-eyes rule bars `user` (four_eyes_reason says why)."""
    allowed = [
        t
        for t in TRANSITIONS.values()
        if issue.state in t.sources
        and user.is_authenticated
        and user.is_active
        and user.has_perm(t.permission)
    ]
    if APPROVE in allowed and four_eyes_reason(issue=issue, user=user):
        allowed.remove(APPROVE)
    return allowed


def _require_text(value: str | None, message: str) -> str:
    # Cleaned as it will be stored: a reason of invisible characters alone is no reason.
    text = clean_text(value, multiline=True)
    if not text:
        raise InvalidInput(message)
    if len(text) > 5000:
        raise InvalidInput(_("说明太长（最多 5000 字）。"))
    return text


def _apply(
    *,
    issue: Issue,
    user,
    transition: Transition,
    comment: str = "",
    check: Callable[[Issue], None] | None = None,
    change: Callable[[Issue], None] | None = None,
) -> Issue:
    if user is None:
        if not transition.system_allowed:
            raise TransitionForbidden(_("此操作必须由具体用户执行。"))
    elif not (user.is_authenticated and user.is_active and user.has_perm(transition.permission)):
        raise TransitionForbidden(_("您没有权限执行“%(action)s”。") % {"action": transition.label})

    with transaction.atomic():
        locked = Issue.objects.select_for_update().select_related("series").get(pk=issue.pk)
        if locked.state not in transition.sources:
            raise TransitionNotAllowed(
                _("当前状态为“%(state)s”，不能执行“%(action)s”。")
                % {"state": locked.get_state_display(), "action": transition.label}
            )
        if check is not None:
            check(locked)
        from_state = locked.state
        locked.state = transition.target
        if change is not None:
            change(locked)
        locked.save()
        event = IssueEvent.objects.create(
            issue=locked,
            transition=transition.name,
            from_state=from_state,
            to_state=locked.state,
            actor=user,
            comment=comment,
        )
        transaction.on_commit(
            lambda: issue_transitioned.send(
                sender=Issue,
                issue_id=locked.pk,
                transition=transition.name,
                from_state=from_state,
                to_state=locked.state,
                actor_id=user.pk if user else None,
                event_id=event.pk,
            )
        )
    # The caller's instance reflects the committed row, so it can be used as is after the call.
    issue.refresh_from_db()
    return issue


def is_blank_html(value: str) -> bool:
    """Whether stored rich text shows nothing: markup without text or image, as CKEditor leaves a field the
    writer emptied ("<p>&nbsp;</p>", "<p><br></p>", a paragraph of U+3000). The one rule for "blank": the
    submit check uses it, and so do the renderers (a blank analysis prints no analysis block)."""
    if "<img" in value:
        return False
    return not html.unescape(strip_tags(value)).strip()


def _check_complete(issue: Issue) -> None:
    sections = list(issue.sections.select_related("analysis").order_by("position"))
    if not sections:
        raise InvalidInput(_("至少需要一个条目才能提交审核。"))
    problems = []
    for section in sections:
        if not section.headline.strip():
            problems.append(_("第%(n)s条缺少标题") % {"n": section.numeral})
        if is_blank_html(section.body):
            problems.append(_("第%(n)s条缺少新闻正文") % {"n": section.numeral})
    if problems:
        raise InvalidInput(_("不能提交审核：%(problems)s。") % {"problems": _("；").join(problems)})


def issue_submit(*, issue: Issue, user) -> Issue:
    return _apply(issue=issue, user=user, transition=SUBMIT, check=_check_complete)


def issue_return(*, issue: Issue, user, reason: str) -> Issue:
    reason = _require_text(reason, _("退回时必须填写原因。"))
    return _apply(issue=issue, user=user, transition=RETURN, comment=reason)


def parts_changed_since_approval(*, issue: Issue, user) -> list[str]:
    """The parts of `issue`'s content (ContentPart labels, in the enum's order) that `user` changed since the
    issue was last approved, or ever if it never was; [] for nobody (None) or no change.

    The four-eyes rule reads this: a person who changed the headline, summary, number, any section (create,
    save, restore, delete, reorder) or any citation since the last approval has not been checked by a second
    pair of eyes. Changes made before the last approval were approved by someone else then, so after a reopen
    only the new changes count. Comments and resolving them change no content and do not count."""
    if user is None or user.pk is None:
        return []
    last_approval = (
        IssueEvent.objects.filter(issue=issue, transition=APPROVE.name).order_by("-created_at", "-id").first()
    )
    changes = ContentChange.objects.filter(issue=issue, actor=user)
    if last_approval is not None:
        changes = changes.filter(created_at__gt=last_approval.created_at)
    parts = set(changes.values_list("part", flat=True))
    return [str(part.label) for part in ContentPart if part.value in parts]


def four_eyes_reason(*, issue: Issue, user) -> str:
    """Why the four-eyes rule bars `user` from approving `issue` now, or "" when it does not."""
    if not issue.series.four_eyes:
        return ""
    parts = parts_changed_since_approval(issue=issue, user=user)
    if not parts:
        return ""
    return _("四眼原则：您对本期%(parts)s的修改尚未经他人审核，不能由您独自批准，请由另一位审核人批准。") % {
        "parts": _("、").join(parts)
    }


def issue_approve(*, issue: Issue, user) -> Issue:
    def check(locked: Issue) -> None:
        reason = four_eyes_reason(issue=locked, user=user)
        if reason:
            raise TransitionForbidden(reason)
        # An issue dated outside the bulletin's years (stored before dates were checked) would get a
        # publication time the database cannot give back.
        if not dates.in_range(locked.date):
            raise InvalidInput(
                _("本期日期 %(date)s 无效：%(reason)s请先在管理后台改正日期。")
                % {"date": locked.date.isoformat(), "reason": dates.out_of_range_message()}
            )

    def change(locked: Issue) -> None:
        locked.publish_at = locked.series.publish_at_for(locked.date)

    return _apply(issue=issue, user=user, transition=APPROVE, check=check, change=change)


def issue_reopen(*, issue: Issue, user, reason: str) -> Issue:
    reason = _require_text(reason, _("重新打开时必须填写原因。"))

    def change(locked: Issue) -> None:
        locked.publish_at = None

    return _apply(issue=issue, user=user, transition=REOPEN, comment=reason, change=change)


def issue_schedule(*, issue: Issue, user, publish_at: dt.datetime) -> Issue:
    """Set an approved issue's publication time. `publish_at` is an aware datetime whose wall-clock year lies
    in editorial.dates.BULLETIN_YEARS; InvalidInput otherwise, and nothing changes."""
    dates.check_datetime(publish_at)

    def change(locked: Issue) -> None:
        locked.publish_at = publish_at

    comment = _("发布时间调整为 %(when)s") % {
        "when": timezone.localtime(publish_at).strftime("%Y-%m-%d %H:%M")
    }
    return _apply(issue=issue, user=user, transition=SCHEDULE, comment=comment, change=change)


def issue_publish(*, issue: Issue, user=None, now: dt.datetime | None = None) -> Issue:
    """Publish now. The tick calls it with user=None for issues whose `publish_at` has come."""
    moment = now or timezone.now()

    def change(locked: Issue) -> None:
        locked.published_at = moment
        if locked.publish_at is None or locked.publish_at > moment:
            locked.publish_at = moment

    comment = "" if user is not None else _("定时发布")
    return _apply(issue=issue, user=user, transition=PUBLISH, comment=comment, change=change)


def issue_correct(*, issue: Issue, user, note: str, changes: Callable[[Issue], None] | None = None) -> Issue:
    """Correct a published issue: `changes(locked_issue)` edits content (through editorial.services with
    `frozen_ok=True`, so revisions are written) inside the same transaction, and the note becomes public."""
    note = _require_text(note, _("更正时必须填写更正说明。"))

    def change(locked: Issue) -> None:
        if changes is not None:
            changes(locked)
        Correction.objects.create(issue=locked, note=note, author=user)

    return _apply(issue=issue, user=user, transition=CORRECT, comment=note, change=change)


def issue_withdraw(*, issue: Issue, user, reason: str) -> Issue:
    reason = _require_text(reason, _("撤回时必须填写原因。"))
    return _apply(issue=issue, user=user, transition=WITHDRAW, comment=reason)
