"""Daily publication: what is due is published exactly once, late issues raise one alert, tomorrow's draft
waits for the writers."""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import subprocess
import sys
import threading
import zoneinfo
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection

from editorial import workflow
from editorial.errors import TransitionNotAllowed
from editorial.models import Issue, IssueEvent, IssueState
from editorial.roles import REVIEWER
from publishing import renditions, scheduling
from publishing.models import Alert, AlertKind
from tests.conftest import make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 7, 1)


def at(date: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def no_renders(monkeypatch):
    """These tests are about publication; renders are covered by test_renditions."""
    monkeypatch.setattr(renditions, "enqueue_renders", lambda ids, **kw: None)


@pytest.fixture
def approve(writer, reviewer):
    def run(issue: Issue) -> Issue:
        workflow.issue_submit(issue=issue, user=writer)
        return workflow.issue_approve(issue=issue, user=reviewer)

    return run


def publish_events(issue: Issue) -> int:
    return IssueEvent.objects.filter(issue=issue, transition="publish").count()


# --- publish_due --------------------------------------------------------------------------------------------


def test_it_publishes_an_approved_issue_at_its_time_and_not_before(make_issue, approve):
    issue = approve(make_issue(date=DAY))
    assert issue.publish_at == at(DAY, 8)

    assert scheduling.publish_due(now=at(DAY, 7, 59)) == []
    issue.refresh_from_db()
    assert issue.state == IssueState.APPROVED and publish_events(issue) == 0

    assert scheduling.publish_due(now=at(DAY, 8)) == [issue.pk]
    issue.refresh_from_db()
    assert issue.state == IssueState.PUBLISHED and issue.published_at == at(DAY, 8)
    event = issue.events.get(transition="publish")
    assert event.actor is None and event.from_state == IssueState.APPROVED and event.comment == "定时发布"


def test_it_leaves_drafts_and_tomorrows_approved_issue_alone(make_issue, approve):
    draft = make_issue(date=DAY)
    tomorrow = approve(make_issue(date=DAY + dt.timedelta(days=1)))
    assert scheduling.publish_due(now=at(DAY, 9)) == []
    assert Issue.objects.get(pk=draft.pk).state == IssueState.DRAFT
    assert Issue.objects.get(pk=tomorrow.pk).state == IssueState.APPROVED


def test_it_publishes_once_when_the_tick_runs_twice(make_issue, approve):
    issue = approve(make_issue(date=DAY))
    assert scheduling.publish_due(now=at(DAY, 8)) == [issue.pk]
    assert scheduling.publish_due(now=at(DAY, 8, 1)) == []
    assert publish_events(issue) == 1


def test_it_catches_up_on_the_days_missed_during_downtime(make_issue, approve):
    two_days_ago = approve(make_issue(date=DAY - dt.timedelta(days=2)))
    yesterday = approve(make_issue(date=DAY - dt.timedelta(days=1)))
    today = approve(make_issue(date=DAY))
    back_up = at(DAY, 10, 17)

    assert scheduling.publish_due(now=back_up) == [two_days_ago.pk, yesterday.pk, today.pk]
    for issue in (two_days_ago, yesterday, today):
        issue.refresh_from_db()
        assert issue.state == IssueState.PUBLISHED and publish_events(issue) == 1
        assert issue.published_at == back_up and issue.publish_at == at(issue.date, 8)


def test_an_issue_rescheduled_by_an_admin_is_published_at_the_new_time(make_issue, approve, admin_user):
    issue = approve(make_issue(date=DAY))
    workflow.issue_schedule(issue=issue, user=admin_user, publish_at=at(DAY, 12))
    assert scheduling.publish_due(now=at(DAY, 8)) == []
    assert scheduling.publish_due(now=at(DAY, 12)) == [issue.pk]


def test_an_issue_someone_else_published_meanwhile_is_skipped(make_issue, approve, monkeypatch):
    issue = approve(make_issue(date=DAY))

    def already_published(**kwargs):
        raise TransitionNotAllowed("当前状态为“已发布”，不能执行“发布”。")

    monkeypatch.setattr(workflow, "issue_publish", already_published)
    assert scheduling.publish_due(now=at(DAY, 8)) == []  # no error: the other tick did the work
    assert publish_events(issue) == 0


def test_one_broken_issue_does_not_keep_the_others_from_appearing(make_issue, approve, monkeypatch):
    broken = approve(make_issue(date=DAY - dt.timedelta(days=1)))
    fine = approve(make_issue(date=DAY))
    real_publish = workflow.issue_publish

    def publish(*, issue, **kwargs):
        if issue.pk == broken.pk:
            raise RuntimeError("database hiccup")
        return real_publish(issue=issue, **kwargs)

    monkeypatch.setattr(workflow, "issue_publish", publish)
    assert scheduling.publish_due(now=at(DAY, 8)) == [fine.pk]
    assert Issue.objects.get(pk=broken.pk).state == IssueState.APPROVED

    monkeypatch.setattr(workflow, "issue_publish", real_publish)
    assert scheduling.publish_due(now=at(DAY, 8, 1)) == [broken.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_concurrent_ticks_publish_each_due_issue_exactly_once(make_issue, approve):
    issues = [approve(make_issue(date=DAY - dt.timedelta(days=n))) for n in range(6)]
    now = at(DAY, 8, 30)
    barrier = threading.Barrier(4)
    published: list[list[int]] = []
    errors: list[BaseException] = []

    def tick():
        try:
            barrier.wait(timeout=10)
            published.append(scheduling.publish_due(now=now))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == [] and len(published) == 4
    assert sorted(pk for tick_result in published for pk in tick_result) == sorted(i.pk for i in issues)
    for issue in issues:
        issue.refresh_from_db()
        assert issue.state == IssueState.PUBLISHED and publish_events(issue) == 1


# --- alerts -----------------------------------------------------------------------------------------------


@pytest.fixture
def newsroom(reviewer, reviewer2, admin_user, writer):
    """Who should hear about a late issue (reviewers, admins with an email) and who should not."""
    make_user("away-reviewer", REVIEWER, is_active=False)
    no_email = make_user("no-email-reviewer", REVIEWER)
    no_email.email = ""
    no_email.save()
    return {reviewer.email, reviewer2.email, admin_user.email}


def test_an_issue_not_approved_by_the_cutoff_alerts_reviewers_and_admins_once(make_issue, newsroom):
    issue = make_issue(date=DAY)  # cutoff 07:00 on the day, publication 08:00
    mail.outbox.clear()

    assert scheduling.alert_missed_cutoffs(now=at(DAY, 6, 59)) == []
    alerts = scheduling.alert_missed_cutoffs(now=at(DAY, 7, 1))

    assert [a.issue_id for a in alerts] == [issue.pk]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == newsroom
    assert "2026-07-01" in message.subject and "审核截止" in message.subject
    assert "2026-07-01 07:00" in message.body and "草稿" in message.body
    assert f"/admin/editorial/issue/{issue.pk}/change/" in message.body
    alert = Alert.objects.get(issue=issue)
    assert alert.kind == AlertKind.MISSED_CUTOFF and alert.deadline == at(DAY, 7)
    assert sorted(alert.recipients) == sorted(newsroom)

    assert scheduling.alert_missed_cutoffs(now=at(DAY, 7, 2)) == []
    assert scheduling.alert_missed_cutoffs(now=at(DAY, 9)) == []
    assert len(mail.outbox) == 1 and Alert.objects.count() == 1


def test_an_issue_still_in_review_at_the_cutoff_is_late_too(make_issue, writer, newsroom):
    issue = make_issue(date=DAY)
    workflow.issue_submit(issue=issue, user=writer)
    mail.outbox.clear()
    assert [a.issue_id for a in scheduling.alert_missed_cutoffs(now=at(DAY, 7, 30))] == [issue.pk]
    assert len(mail.outbox) == 1 and "审核中" in mail.outbox[0].body


def test_approved_issues_raise_no_alert(make_issue, approve, newsroom):
    approve(make_issue(date=DAY))
    mail.outbox.clear()
    assert scheduling.alert_missed_cutoffs(now=at(DAY, 7, 30)) == []
    assert mail.outbox == [] and not Alert.objects.exists()


def test_a_cutoff_on_the_day_before_is_honoured(make_issue, series, newsroom):
    series.review_cutoff = dt.time(22, 0)  # later than publication: the evening before
    series.save()
    issue = make_issue(date=DAY)
    mail.outbox.clear()
    assert scheduling.alert_missed_cutoffs(now=at(DAY - dt.timedelta(days=1), 21, 59)) == []
    assert [a.issue_id for a in scheduling.alert_missed_cutoffs(now=at(DAY - dt.timedelta(days=1), 22))] == [
        issue.pk
    ]
    assert "2026-06-30 22:00" in mail.outbox[0].body


def test_an_abandoned_old_draft_raises_no_alert(make_issue, newsroom):
    make_issue(date=DAY - dt.timedelta(days=30))
    mail.outbox.clear()
    assert scheduling.alert_missed_cutoffs(now=at(DAY, 9)) == []
    assert mail.outbox == []


def test_a_mail_that_could_not_be_sent_is_tried_again_next_tick(make_issue, newsroom, monkeypatch):
    issue = make_issue(date=DAY)
    mail.outbox.clear()

    def smtp_down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("connection lost")

    with monkeypatch.context() as patched:
        patched.setattr(scheduling, "send_mail", smtp_down)
        assert scheduling.alert_missed_cutoffs(now=at(DAY, 7, 1)) == []
    assert not Alert.objects.exists()

    assert [a.issue_id for a in scheduling.alert_missed_cutoffs(now=at(DAY, 7, 2))] == [issue.pk]
    assert len(mail.outbox) == 1


def test_overdue_issues_feed_the_dashboard_banner(make_issue, approve):
    late_draft = make_issue(date=DAY)
    unpublished = approve(make_issue(date=DAY - dt.timedelta(days=1)))
    approve(make_issue(date=DAY + dt.timedelta(days=1)))  # on time
    make_issue(date=DAY + dt.timedelta(days=2))  # cutoff still ahead

    overdue = scheduling.overdue_issues(at(DAY, 7, 30))

    assert [(o.issue.pk, o.reason, o.deadline) for o in overdue] == [
        (unpublished.pk, "publication", at(DAY - dt.timedelta(days=1), 8)),
        (late_draft.pk, "cutoff", at(DAY, 7)),
    ]
    scheduling.publish_due(now=at(DAY, 7, 31))
    assert [o.issue.pk for o in scheduling.overdue_issues(at(DAY, 7, 32))] == [late_draft.pk]


def test_the_publication_tick_publishes_and_alerts_in_one_go(make_issue, approve, newsroom):
    due = approve(make_issue(date=DAY - dt.timedelta(days=1)))
    late = make_issue(date=DAY)
    mail.outbox.clear()
    result = scheduling.publication_tick(now=at(DAY, 7, 5))
    assert result == {"published": [due.pk], "alerted": [late.pk], "requeued": []}
    assert len(mail.outbox) == 1


# --- tomorrow's draft ---------------------------------------------------------------------------------------


def test_tomorrows_draft_is_created_once_from_the_configured_hour(series, make_issue, settings):
    settings.NEXT_DRAFT_HOUR = 9
    make_issue(date=DAY)  # today's issue, number 1

    assert scheduling.create_next_draft(now=at(DAY, 8, 59)) == []
    created = scheduling.create_next_draft(now=at(DAY, 9))

    assert len(created) == 1
    draft = created[0]
    assert draft.date == DAY + dt.timedelta(days=1) and draft.state == IssueState.DRAFT
    assert draft.number == 2 and draft.series == series and draft.created_by is None
    assert not draft.sections.exists()
    assert scheduling.create_next_draft(now=at(DAY, 10)) == []
    assert scheduling.create_next_draft(now=at(DAY, 23, 59)) == []
    assert series.issues.filter(date=DAY + dt.timedelta(days=1)).count() == 1


def test_the_draft_hour_is_read_in_the_series_time_zone(series, settings):
    settings.NEXT_DRAFT_HOUR = 9
    utc = dt.UTC
    # 00:30 UTC is 08:30 in Shanghai: too early; 01:00 UTC is 09:00 there.
    assert scheduling.create_next_draft(now=dt.datetime(2026, 7, 1, 0, 30, tzinfo=utc)) == []
    created = scheduling.create_next_draft(now=dt.datetime(2026, 7, 1, 1, 0, tzinfo=utc))
    assert [i.date for i in created] == [dt.date(2026, 7, 2)]


def test_no_draft_is_made_for_a_day_past_the_bulletins_years(series, settings):
    settings.NEXT_DRAFT_HOUR = 9
    last = dt.datetime(2100, 12, 31, 9, tzinfo=series.zone)

    assert scheduling.create_next_draft(now=last) == []
    assert not series.issues.exists()
    assert [i.date for i in scheduling.create_next_draft(now=last - dt.timedelta(days=1))] == [last.date()]


def test_a_draft_a_writer_already_started_is_left_alone(series, make_issue, settings):
    settings.NEXT_DRAFT_HOUR = 9
    started = make_issue(date=DAY + dt.timedelta(days=1))
    assert scheduling.create_next_draft(now=at(DAY, 9)) == []
    assert list(series.issues.all()) == [started]


@pytest.mark.parametrize("value", ["24", "nine"])
def test_a_bad_next_draft_hour_stops_start_up_naming_the_variable(value):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "NEXT_DRAFT_HOUR": value, "DJANGO_SETTINGS_MODULE": "xinzhi.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "NEXT_DRAFT_HOUR" in result.stderr
