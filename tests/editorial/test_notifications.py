"""Emails about the workflow: reviewers on submission, the issue's writers on return (with the reason) and
approval; sent only after the transition committed, never breaking the transition when mail fails."""

from __future__ import annotations

import pytest
from django.core import mail

from editorial import workflow
from editorial.models import IssueState
from tests.conftest import make_user

# The emails go through a Celery task; these tests send them in-process, in the Redis pass too.
pytestmark = pytest.mark.usefixtures("eager")


@pytest.fixture
def inactive_reviewer(db):
    from editorial.roles import REVIEWER

    return make_user("gone-reviewer", REVIEWER, is_active=False)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_submitting_emails_every_active_reviewer(
    draft_issue, writer, reviewer, reviewer2, inactive_reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_submit(issue=draft_issue, user=writer)

    assert recipients() == ["reviewer2@example.org", "reviewer@example.org"]
    message = mail.outbox[0]
    assert message.subject == "【待审核】新质生产力每日动态 2026-07-01 已提交审核"
    assert "writer 已将 新质生产力每日动态 2026-07-01 提交审核" in message.body
    assert f"/newsroom/issues/{draft_issue.pk}/review/" in message.body
    # One message per person: nobody sees the other recipients.
    assert all(len(m.to) == 1 for m in mail.outbox)


def test_returning_emails_the_writers_of_the_issue_with_the_reason(
    make_issue, writer, writer2, reviewer, series, django_capture_on_commit_callbacks
):
    from editorial import services

    issue = make_issue()
    section = issue.sections.get(position=2)
    services.section_save(section=section, user=writer2, data={"body": "<p>乙改过</p>"}, version=1)
    workflow.issue_submit(issue=issue, user=writer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_return(
            issue=issue, user=reviewer, reason="第二条的数据口径与原文不一致，请核对 <国家能源局> 原文。"
        )

    assert recipients() == ["writer2@example.org", "writer@example.org"]
    message = mail.outbox[0]
    assert message.subject == "【已退回】新质生产力每日动态 2026-07-01 需要修改"
    # The reason arrives as typed: plain text, not HTML-escaped.
    assert "第二条的数据口径与原文不一致，请核对 <国家能源局> 原文。" in message.body
    assert "reviewer 将 新质生产力每日动态 2026-07-01 退回修改" in message.body
    assert f"/newsroom/issues/{issue.pk}/" in message.body


def test_approving_emails_the_writers(issue_in, writer, reviewer, django_capture_on_commit_callbacks):
    issue = issue_in(IssueState.IN_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_approve(issue=issue, user=reviewer)

    assert recipients() == ["writer@example.org"]
    assert mail.outbox[0].subject == "【已批准】新质生产力每日动态 2026-07-01 已通过审核"
    assert "计划发布时间：2026-07-01 08:00" in mail.outbox[0].body


def test_the_actor_is_not_emailed_about_their_own_action(
    issue_in, admin_user, writer, django_capture_on_commit_callbacks
):
    issue = issue_in(IssueState.IN_REVIEW)
    issue.created_by = admin_user
    issue.save(update_fields=["created_by"])

    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_approve(issue=issue, user=admin_user)

    assert recipients() == ["writer@example.org"]


def test_nothing_is_sent_before_the_transaction_commits(
    draft_issue, writer, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.issue_submit(issue=draft_issue, user=writer)

    assert mail.outbox == []
    assert len(callbacks) >= 1


def test_a_failing_mail_server_does_not_undo_or_break_the_transition(
    draft_issue, writer, reviewer, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.editorial.test_notifications.BrokenBackend"

    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_submit(issue=draft_issue, user=writer)

    draft_issue.refresh_from_db()
    assert draft_issue.state == IssueState.IN_REVIEW
    assert "Could not send the notification" in caplog.text


def test_other_transitions_send_nothing(issue_in, admin_user, reviewer, django_capture_on_commit_callbacks):
    issue = issue_in(IssueState.APPROVED)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_reopen(issue=issue, user=reviewer, reason="数据更新")
        workflow.issue_submit(issue=issue, user=admin_user)

    # Reopening tells no one by email; the resubmission tells the reviewers.
    assert [m.subject[:5] for m in mail.outbox] == ["【待审核】"]


def test_submitting_through_the_newsroom_sends_the_email(
    draft_issue, writer, reviewer, client, django_capture_on_commit_callbacks
):
    client.force_login(writer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/newsroom/issues/{draft_issue.pk}/submit/")

    assert response.status_code == 303
    assert recipients() == ["reviewer@example.org"]


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server is down")


def test_the_emails_are_queued_for_the_worker_not_sent_in_the_request(
    draft_issue, writer, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    from editorial import tasks

    queued = []
    monkeypatch.setattr(tasks.send_transition_emails, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_submit(issue=draft_issue, user=writer)

    event = draft_issue.events.get()
    assert mail.outbox == []
    assert queued == [
        {"issue_id": draft_issue.pk, "transition": "submit", "actor_id": writer.pk, "event_id": event.pk}
    ]
    # What the worker then does with them.
    assert tasks.send_transition_emails(**queued[0]) == 1
    assert recipients() == ["reviewer@example.org"]


def test_a_mail_server_that_is_down_is_tried_again_by_the_worker(draft_issue, writer, reviewer, settings):
    from celery.exceptions import Retry

    from editorial import tasks

    settings.EMAIL_BACKEND = "tests.editorial.test_notifications.BrokenBackend"
    workflow.issue_submit(issue=draft_issue, user=writer)
    event = draft_issue.events.get()
    task = tasks.send_transition_emails
    kwargs = {"issue_id": draft_issue.pk, "transition": "submit", "actor_id": writer.pk, "event_id": event.pk}

    # The worker schedules another attempt, later...
    with pytest.raises(Retry) as retry:
        task.apply(kwargs=kwargs)
    assert retry.value.when > 0 and isinstance(retry.value.exc, ConnectionRefusedError)
    # ...until the last one, after which the failure is the task's result (and in the worker's log).
    with pytest.raises(ConnectionRefusedError):
        task.apply(kwargs=kwargs, retries=task.max_retries)
    assert mail.outbox == []
