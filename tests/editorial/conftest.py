"""Fixtures for the editorial tests: the actors of the transition table and issues put in any state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from editorial.models import Issue, IssueState
from editorial.roles import ADMIN
from tests.conftest import make_user


@pytest.fixture
def inactive_admin(db):
    """An admin whose account was deactivated: holds the group, must be able to do nothing."""
    return make_user("former-chief", ADMIN, is_staff=True, is_active=False)


@pytest.fixture
def actors(writer, reviewer, admin_user, stranger, inactive_admin):
    """The actors of the transition table by name; `system` is the publication tick (user=None)."""
    return {
        "writer": writer,
        "reviewer": reviewer,
        "admin": admin_user,
        "stranger": stranger,
        "inactive_admin": inactive_admin,
        "system": None,
    }


@pytest.fixture
def issue_in(make_issue):
    """Build a complete issue (written by the writer) and put it straight into `state`.

    The state is forced with a queryset update so that each test starts from exactly one state without
    depending on the transitions it is testing.
    """

    def build(state: str, date: dt.date = dt.date(2026, 7, 1)) -> Issue:
        issue = make_issue(date=date)
        fields: dict = {"state": state}
        if state in (IssueState.APPROVED, IssueState.PUBLISHED, IssueState.WITHDRAWN):
            fields["publish_at"] = issue.series.publish_at_for(issue.date)
        if state in (IssueState.PUBLISHED, IssueState.WITHDRAWN):
            fields["published_at"] = timezone.now()
        Issue.objects.filter(pk=issue.pk).update(**fields)
        issue.refresh_from_db()
        return issue

    return build


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The table creates several users per test; the default PBKDF2 work factor would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
