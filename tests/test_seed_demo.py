import datetime as dt
import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from editorial.models import Issue, IssueEvent, IssueState


def run_seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_the_published_sample_tomorrows_draft_and_demo_users(settings):
    settings.DEBUG = True
    output = run_seed()

    published = Issue.objects.get(date=dt.date(2026, 6, 28))
    assert published.state == IssueState.PUBLISHED
    assert published.sections.count() == 6
    assert published.citations.count() == 10
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    draft = Issue.objects.get(date=tomorrow)
    assert draft.state == IssueState.DRAFT
    assert draft.sections.count() == 2
    assert draft.sections.first().author.username == "writer"

    printed = dict(re.findall(r"用户名 (\w+)\s+密码 (\S+)", output))
    assert set(printed) == {"writer", "reviewer", "admin"}
    # A sign-in as the login page makes it (django-axes needs the request to count failures).
    request = RequestFactory().post("/accounts/login/")
    for username, password in printed.items():
        user = authenticate(request, username=username, password=password)
        assert user is not None, username
    assert authenticate(request, username="admin", password=printed["admin"]).is_staff
    assert authenticate(request, username="writer", password=printed["writer"]).groups.get().name == "撰稿人"


@pytest.mark.django_db
def test_running_it_again_duplicates_nothing(settings):
    settings.DEBUG = True
    run_seed()
    events = IssueEvent.objects.count()
    run_seed()
    assert Issue.objects.count() == 2
    assert IssueEvent.objects.count() == events + 1  # the re-import of the sample is logged, nothing else
    assert Issue.objects.get(date=dt.date(2026, 6, 28)).sections.count() == 6


@pytest.mark.django_db
def test_it_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        run_seed()
    assert not Issue.objects.exists()
