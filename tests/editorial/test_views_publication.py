"""Admins move an approved issue's publication time or publish it at once, from the review page."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from editorial.models import IssueEvent, IssueState

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def approved(issue_in):
    return issue_in(IssueState.APPROVED)


def test_an_admin_sees_publish_now_and_the_schedule_in_the_series_time(client, admin_user, approved):
    client.force_login(admin_user)

    page = client.get(reverse("newsroom:review", args=[approved.pk])).content.decode()

    assert 'data-test="publish-now"' in page
    local = approved.publish_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local}"' in page


def test_a_reviewer_sees_neither(client, reviewer, approved):
    client.force_login(reviewer)

    page = client.get(reverse("newsroom:review", args=[approved.pk])).content.decode()

    assert 'data-test="publish-now"' not in page and 'data-test="schedule-form"' not in page


def test_scheduling_takes_the_time_in_the_series_time_zone_and_logs_it(client, admin_user, approved):
    client.force_login(admin_user)

    response = client.post(
        reverse("newsroom:schedule", args=[approved.pk]), {"publish_at": "2026-07-01T09:30"}
    )

    approved.refresh_from_db()
    assert response.status_code == 303
    assert approved.publish_at == dt.datetime(2026, 7, 1, 9, 30, tzinfo=SHANGHAI)
    event = approved.events.first()
    assert (event.transition, event.actor, event.to_state) == ("schedule", admin_user, IssueState.APPROVED)


@pytest.mark.parametrize("value", ["", "明天早上", "2026-13-40T99:99", "x" * 500])
def test_a_bad_time_is_refused_with_a_message_and_changes_nothing(client, admin_user, approved, value):
    client.force_login(admin_user)
    before = (approved.publish_at, IssueEvent.objects.count())

    response = client.post(
        reverse("newsroom:schedule", args=[approved.pk]),
        {"publish_at": value},
        HTTP_ACCEPT="application/json",
    )

    approved.refresh_from_db()
    assert response.status_code == 400
    assert "发布时间" in response.json()["error"]
    assert (approved.publish_at, IssueEvent.objects.count()) == before


def test_publishing_now_publishes_and_logs_the_admin(client, admin_user, approved):
    client.force_login(admin_user)

    response = client.post(reverse("newsroom:publish", args=[approved.pk]))

    approved.refresh_from_db()
    assert response.status_code == 303
    assert approved.state == IssueState.PUBLISHED and approved.published_at is not None
    event = approved.events.first()
    assert (event.transition, event.actor) == ("publish", admin_user)
