"""Read-only queries for the newsroom pages (the dashboard, the editor's side panels)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from editorial.models import Issue, IssueEvent, IssueState, ReviewComment, Revision, Section

# Issues still on their way to readers: their cutoff matters.
PENDING_STATES = (IssueState.DRAFT, IssueState.IN_REVIEW)
UNPUBLISHED_STATES = (IssueState.DRAFT, IssueState.IN_REVIEW, IssueState.APPROVED)


def format_remaining(seconds: float) -> str:
    """`还剩 2 小时 5 分` before the cutoff, `已超时 35 分` after it: the text the countdown starts from."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d 天") % {"n": days})
    if hours or days:
        parts.append(_("%(n)d 小时") % {"n": hours})
    parts.append(_("%(n)d 分") % {"n": mins})
    text = " ".join(parts)
    return (_("已超时 %(t)s") if seconds < 0 else _("还剩 %(t)s")) % {"t": text}


@dataclass(frozen=True)
class Cutoff:
    at: dt.datetime
    seconds_left: float
    applies: bool  # only drafts and issues in review race the cutoff

    @property
    def late(self) -> bool:
        return self.applies and self.seconds_left < 0

    @property
    def text(self) -> str:
        return format_remaining(self.seconds_left)

    @property
    def iso(self) -> str:
        return self.at.isoformat()


def cutoff_for(issue: Issue, *, now: dt.datetime | None = None) -> Cutoff:
    at = issue.series.review_cutoff_for(issue.date)
    now = now or timezone.now()
    return Cutoff(at=at, seconds_left=(at - now).total_seconds(), applies=issue.state in PENDING_STATES)


@dataclass(frozen=True)
class IssueRow:
    issue: Issue
    cutoff: Cutoff
    section_count: int
    open_comments: int


def _rows(issues: QuerySet[Issue], now: dt.datetime) -> list[IssueRow]:
    issues = issues.select_related("series").annotate(
        n_sections=Count("sections", distinct=True),
        n_open=Count("review_comments", filter=Q(review_comments__resolved_at__isnull=True), distinct=True),
    )
    return [
        IssueRow(
            issue=issue,
            cutoff=cutoff_for(issue, now=now),
            section_count=issue.n_sections,
            open_comments=issue.n_open,
        )
        for issue in issues
    ]


def current_issues(*, today: dt.date | None = None, now: dt.datetime | None = None, limit: int = 12):
    """Today's and the coming issues, and any older issue that has not gone out yet (it is late)."""
    today = today or timezone.localdate()
    query = Issue.objects.filter(Q(date__gte=today) | Q(state__in=UNPUBLISHED_STATES)).order_by("date")
    return _rows(query[:limit], now or timezone.now())


def recent_issues(*, today: dt.date | None = None, limit: int = 5):
    today = today or timezone.localdate()
    query = Issue.objects.filter(date__lt=today).exclude(state__in=UNPUBLISHED_STATES).order_by("-date")
    return _rows(query[:limit], timezone.now())


def awaiting_review(*, user, now: dt.datetime | None = None) -> list[IssueRow]:
    if not user.has_perm("editorial.review_issue"):
        return []
    return _rows(Issue.objects.filter(state=IssueState.IN_REVIEW).order_by("date"), now or timezone.now())


def my_sections(*, user, today: dt.date | None = None) -> QuerySet[Section]:
    """The sections `user` writes in issues that are not out yet."""
    today = today or timezone.localdate()
    return (
        Section.objects.filter(author=user)
        .filter(Q(issue__date__gte=today) | Q(issue__state__in=UNPUBLISHED_STATES))
        .select_related("issue__series")
        .annotate(
            n_open=Count(
                "review_comments", filter=Q(review_comments__resolved_at__isnull=True), distinct=True
            )
        )
        .order_by("issue__date", "position")
    )


def _wrote(user) -> Q:
    return Q(created_by=user) | Q(sections__author=user) | Q(sections__revisions__author=user)


@dataclass(frozen=True)
class Returned:
    issue: Issue
    event: IssueEvent


def returned_to(*, user) -> list[Returned]:
    """Drafts that a reviewer sent back to `user` (or to anyone, for admins), with the reason."""
    issues = Issue.objects.filter(state=IssueState.DRAFT)
    if not user.has_perm("editorial.publish_issue"):
        issues = issues.filter(_wrote(user))
    issues = issues.distinct().select_related("series").order_by("date")
    rows = []
    for issue in issues:
        last = issue.events.select_related("actor").first()
        if last is not None and last.transition in ("return", "reopen"):
            rows.append(Returned(issue=issue, event=last))
    return rows


def open_comments_for(*, user, limit: int = 30) -> QuerySet[ReviewComment]:
    """Unresolved review comments on the issues `user` writes (all of them for admins)."""
    comments = ReviewComment.objects.filter(resolved_at__isnull=True, issue__state__in=PENDING_STATES)
    if not user.has_perm("editorial.publish_issue"):
        issue_ids = Issue.objects.filter(_wrote(user)).values("pk")
        comments = comments.filter(issue__in=issue_ids)
    return comments.select_related("issue__series", "section", "author").order_by("-created_at")[:limit]


def recent_events(*, limit: int = 15) -> QuerySet[IssueEvent]:
    return IssueEvent.objects.select_related("issue__series", "actor")[:limit]


def editor_sections(issue: Issue) -> QuerySet[Section]:
    return (
        Section.objects.filter(issue=issue)
        .select_related("analysis", "author")
        .prefetch_related("topics")
        .prefetch_related(
            Prefetch(
                "review_comments",
                queryset=ReviewComment.objects.select_related("author", "resolved_by"),
            )
        )
        .order_by("position")
    )


def issue_comments(issue: Issue) -> QuerySet[ReviewComment]:
    return issue.review_comments.select_related("author", "resolved_by", "section").order_by(
        "resolved_at", "created_at"
    )


def last_return(issue: Issue) -> IssueEvent | None:
    """The reason the issue is back in draft, if a reviewer returned or reopened it last."""
    if issue.state != IssueState.DRAFT:
        return None
    last = issue.events.select_related("actor").first()
    return last if last is not None and last.transition in ("return", "reopen") else None


def section_revisions(section: Section) -> QuerySet[Revision]:
    return section.revisions.select_related("author").order_by("-number")
