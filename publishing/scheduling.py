"""Daily publication: publish what is due, alert about issues that missed the review cutoff, and create
tomorrow's draft. Each function takes `now` and is idempotent: beat may tick late, twice, or after downtime.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from editorial import services as editorial_services
from editorial import workflow
from editorial.dates import in_range
from editorial.errors import DuplicateIssue, TransitionNotAllowed
from editorial.models import Issue, IssueState, Series
from editorial.roles import ADMIN, REVIEWER
from publishing.models import Alert, AlertKind
from publishing.renditions import renditions_requeue_stuck

logger = logging.getLogger(__name__)

# Drafts older than this are abandoned, not late: they get no alert and no banner.
LOOKBACK = dt.timedelta(days=7)
# An approved issue still unpublished this long after its time means the tick is not running.
PUBLICATION_GRACE = dt.timedelta(minutes=5)
NOT_APPROVED = (IssueState.DRAFT, IssueState.IN_REVIEW)
DEFAULT_NEXT_DRAFT_HOUR = 9


def publish_due(*, now: dt.datetime) -> list[int]:
    """Publish every approved issue whose `publish_at` has come, oldest first, each exactly once.

    Everything past due is published, not only what fell due this minute, so a tick after downtime catches up.
    Concurrent ticks skip rows another tick holds; the workflow's state check under the row lock is the final
    word, and an issue someone else published in between is simply skipped.
    """
    due = list(
        Issue.objects.filter(state=IssueState.APPROVED, publish_at__lte=now)
        .order_by("publish_at", "pk")
        .values_list("pk", flat=True)
    )
    published = []
    for pk in due:
        try:
            with transaction.atomic():
                issue = (
                    Issue.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, state=IssueState.APPROVED, publish_at__lte=now)
                    .first()
                )
                if issue is None:
                    continue
                workflow.issue_publish(issue=issue, user=None, now=now)
        except TransitionNotAllowed:
            continue
        except Exception:
            # One broken issue must not keep the others from appearing; the next tick tries it again.
            logger.exception("Could not publish issue %s.", pk)
            continue
        published.append(pk)
    return published


def _missed_cutoffs(*, now: dt.datetime) -> list[tuple[Issue, dt.datetime]]:
    # The cutoff may fall the day before the issue's date, and series keep their own time zones: filter dates
    # broadly in SQL and compare the exact cutoff in Python.
    candidates = (
        Issue.objects.filter(
            state__in=NOT_APPROVED,
            date__gte=(now - LOOKBACK).date() - dt.timedelta(days=1),
            date__lte=now.date() + dt.timedelta(days=2),
        )
        .select_related("series")
        .order_by("date", "pk")
    )
    late = []
    for issue in candidates:
        cutoff = issue.series.review_cutoff_for(issue.date)
        if now - LOOKBACK <= cutoff <= now:
            late.append((issue, cutoff))
    return late


@dataclass(frozen=True)
class OverdueIssue:
    issue: Issue
    reason: str  # "cutoff": not approved by the review cutoff; "publication": approved but not published
    deadline: dt.datetime


def overdue_issues(now: dt.datetime | None = None) -> list[OverdueIssue]:
    """For the dashboard banner: issues that missed their review cutoff, and approved issues the tick has not
    published although their time has passed."""
    now = now or timezone.now()
    overdue = [OverdueIssue(issue, "cutoff", cutoff) for issue, cutoff in _missed_cutoffs(now=now)]
    unpublished = Issue.objects.filter(
        state=IssueState.APPROVED, publish_at__lte=now - PUBLICATION_GRACE, publish_at__gte=now - LOOKBACK
    ).select_related("series")
    overdue += [OverdueIssue(issue, "publication", issue.publish_at) for issue in unpublished]
    return sorted(overdue, key=lambda o: (o.deadline, o.issue.pk))


def alert_recipients() -> list[str]:
    users = get_user_model().objects.filter(is_active=True, groups__name__in=[REVIEWER, ADMIN])
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def _issue_link(issue: Issue) -> str:
    try:
        return settings.SITE_URL + reverse("admin:editorial_issue_change", args=[issue.pk])
    except NoReverseMatch:
        return settings.SITE_URL


def _send_missed_cutoff_mail(*, issue: Issue, cutoff: dt.datetime, recipients: list[str]) -> None:
    zone = issue.series.zone
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【%(series)s】%(date)s 期未在审核截止时间前批准") % {
            "series": issue.series.title,
            "date": issue.date.isoformat(),
        }
        body = _(
            "%(series)s %(date)s 期的审核截止时间（%(cutoff)s）已过，本期目前的状态为“%(state)s”，"
            "计划发布时间为 %(publish)s。\n\n请尽快完成审核并批准，否则本期无法按时发布。\n\n%(link)s\n"
        ) % {
            "series": issue.series.title,
            "date": issue.date.isoformat(),
            "cutoff": cutoff.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "state": issue.get_state_display(),
            "publish": issue.series.publish_at_for(issue.date).strftime("%Y-%m-%d %H:%M"),
            "link": _issue_link(issue),
        }
    send_mail(subject, body, None, recipients)


def alert_missed_cutoffs(*, now: dt.datetime) -> list[Alert]:
    """Email reviewers and admins once about every issue whose review cutoff passed before it was approved.

    The Alert row is written before the mail is sent, in the same transaction: its unique constraint stops a
    concurrent tick, and a mail that fails to send rolls the row back so the next tick tries again.
    """
    sent = []
    for issue, cutoff in _missed_cutoffs(now=now):
        if Alert.objects.filter(issue=issue, kind=AlertKind.MISSED_CUTOFF).exists():
            continue
        recipients = alert_recipients()
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    issue=issue, kind=AlertKind.MISSED_CUTOFF, deadline=cutoff, recipients=recipients
                )
                if recipients:
                    _send_missed_cutoff_mail(issue=issue, cutoff=cutoff, recipients=recipients)
        except IntegrityError:
            continue
        except Exception:
            logger.exception("Could not send the missed-cutoff alert for issue %s.", issue.pk)
            continue
        sent.append(alert)
    return sent


def next_draft_hour() -> int:
    return getattr(settings, "NEXT_DRAFT_HOUR", DEFAULT_NEXT_DRAFT_HOUR)


def create_next_draft(*, now: dt.datetime) -> list[Issue]:
    """From NEXT_DRAFT_HOUR (in each series' time zone) on, make sure tomorrow's issue exists as a draft
    (while tomorrow is within editorial.dates.BULLETIN_YEARS).

    The hourly beat task calls this; checking "at or after the hour" rather than "at the hour" means a missed
    beat still creates the draft later that day, and the existence check makes every other call a no-op.
    """
    created = []
    hour = next_draft_hour()
    for series in Series.objects.order_by("pk"):
        local = now.astimezone(series.zone)
        if local.hour < hour:
            continue
        date = local.date() + dt.timedelta(days=1)
        if not in_range(date) or Issue.objects.filter(series=series, date=date).exists():
            continue
        try:
            created.append(editorial_services.issue_create(series=series, date=date, user=None))
        except DuplicateIssue:
            continue
    return created


def publication_tick(*, now: dt.datetime) -> dict:
    """The every-minute beat task: publish what is due, alert about late issues, re-send lost renders."""
    return {
        "published": publish_due(now=now),
        "alerted": [alert.issue_id for alert in alert_missed_cutoffs(now=now)],
        "requeued": renditions_requeue_stuck(now=now),
    }
