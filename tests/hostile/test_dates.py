"""Every date and time a user gives is range-checked (editorial.dates.BULLETIN_YEARS, 2000 to 2100) before it
is stored: newsroom forms, the admin, public URLs and search filters, management commands and the services
themselves. A bad value gets the Chinese range message (or the format message) and changes nothing.

The probe's case: `0001-01-01T08:00` in Asia/Shanghai is year 0 in UTC; PostgreSQL stored it as a BC
timestamp that Python cannot read back, and every page and tick that loaded the row failed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import zoneinfo
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from editorial import dates, services, workflow
from editorial.errors import InvalidInput
from editorial.forms import ScheduleForm
from editorial.models import Issue, IssueEvent, IssueState, ReviewComment, Series
from publishing.scheduling import overdue_issues, publication_tick
from references import services as reference_services
from references.models import Citation, Source

# The issue admin's inlines (sections, events) are read-only: an empty management form for each.
INLINES = {
    f"{prefix}-{key}": "0" for prefix in ("sections", "events") for key in ("TOTAL_FORMS", "INITIAL_FORMS")
}

RANGE_MESSAGE = "日期超出范围：只接受 2000 年至 2100 年之间的日期。"

# Dates that parse as dates but lie outside the bulletin's years, and strings that only start like one.
OUT_OF_RANGE_DATES = ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"]
NOT_DATES = ["0000-01-01", "-0001-01-01", "99999-01-01", "+2026-01-01", "2026-02-30", "20260101-01-01"]
EDGE_DATES = ["2000-01-01", "2100-12-31"]


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json", HTTP_ACCEPT="application/json")


def approved(issue: Issue) -> Issue:
    Issue.objects.filter(pk=issue.pk).update(
        state=IssueState.APPROVED, publish_at=issue.series.publish_at_for(issue.date)
    )
    issue.refresh_from_db()
    return issue


# --- the rule itself ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES + NOT_DATES)
def test_no_date_outside_the_years_parses_as_a_bulletin_date(value):
    assert dates.parse_bulletin_date(value) is None


@pytest.mark.parametrize("value", EDGE_DATES)
def test_the_first_and_last_day_of_the_years_parse(value):
    assert dates.parse_bulletin_date(value) == dt.date.fromisoformat(value)


@pytest.mark.parametrize("value", ["0000-01-01", "-0001-01-01", "99999-12-31", "0001-01-01", "1999-12-31"])
def test_a_typed_year_outside_the_range_is_named_as_such_by_the_form_fields(value):
    field = dates.BulletinDateFormField()

    with pytest.raises(Exception) as excinfo:
        field.clean(value)

    assert excinfo.value.messages == [RANGE_MESSAGE]


def test_a_malformed_date_keeps_the_format_message():
    with pytest.raises(Exception) as excinfo:
        dates.BulletinDateFormField().clean("2026-02-30")

    assert excinfo.value.messages != [RANGE_MESSAGE]


ZONES = ["Asia/Shanghai", "Etc/GMT+12", "Pacific/Kiritimati", "America/New_York", "UTC"]
TYPED_TIMES = st.one_of(
    st.text(max_size=30),
    st.from_regex(
        r"[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{1,2}:[0-9]{2}([+-][0-9]{2}:[0-9]{2})?)?",
        fullmatch=True,
    ),
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
)


@settings(max_examples=150, deadline=None)
@given(text=TYPED_TIMES, zone=st.sampled_from(ZONES))
def test_whatever_is_typed_as_a_publication_time_is_refused_or_in_range_in_every_zone(text, zone):
    """No typed text, with or without an offset, in any series time zone, reaches the workflow as a time
    whose conversion to UTC overflows or lies outside the bulletin's years (the workflow checks it again)."""
    form = ScheduleForm({"publish_at": text}, issue=Issue(series=Series(time_zone=zone)))

    if form.is_valid():
        value = form.cleaned_data["publish_at"]
        utc = value.astimezone(dt.UTC)
        assert 1999 <= utc.year <= 2101
        try:
            dates.check_datetime(value)
        except InvalidInput as refused:
            assert refused.message == RANGE_MESSAGE
    else:
        assert form.errors["publish_at"]


# --- newsroom: new issue -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*OUT_OF_RANGE_DATES, "0000-01-01", "-0001-01-01", "99999-01-01"])
def test_a_new_issue_outside_the_years_is_refused_with_the_range_message(client, writer, series, value):
    client.force_login(writer)

    response = client.post(reverse("newsroom:issue_create"), {"series": series.pk, "date": value})

    assert response.status_code == 400
    assert RANGE_MESSAGE in response.content.decode()
    assert not Issue.objects.exists()


@pytest.mark.parametrize("value", EDGE_DATES)
def test_a_new_issue_on_the_first_or_last_day_is_created(client, writer, series, value):
    client.force_login(writer)

    response = client.post(reverse("newsroom:issue_create"), {"series": series.pk, "date": value})

    assert response.status_code == 303
    assert Issue.objects.get().date == dt.date.fromisoformat(value)


@pytest.mark.parametrize(
    "value", [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1999, 12, 31), "2026-07-01"]
)
def test_the_service_refuses_a_date_outside_the_years_itself(series, writer, value):
    with pytest.raises(InvalidInput):
        services.issue_create(series=series, date=value, user=writer)

    assert not Issue.objects.exists()


# --- newsroom: schedule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T08:00",
        "0001-01-01T00:00",
        "9999-12-31T23:59",
        "1999-12-31T23:59",
        "2101-01-01T00:00",
        "0000-01-01T08:00",
        "-0001-01-01T08:00",
        "99999-01-01T08:00",
    ],
)
def test_scheduling_outside_the_years_is_refused_and_keeps_the_time(client, admin_user, make_issue, value):
    issue = approved(make_issue())
    before = issue.publish_at
    client.force_login(admin_user)

    response = post_json(client, reverse("newsroom:schedule", args=[issue.pk]), {"publish_at": value})

    assert response.status_code == 400
    assert RANGE_MESSAGE in response.json()["error"]
    issue.refresh_from_db()
    assert issue.publish_at == before
    assert not IssueEvent.objects.filter(issue=issue, transition="schedule").exists()


def test_the_form_post_of_the_probe_answers_with_a_message_not_a_500(client, admin_user, make_issue):
    issue = approved(make_issue())
    before = issue.publish_at
    client.force_login(admin_user)

    response = client.post(
        reverse("newsroom:schedule", args=[issue.pk]), {"publish_at": "0001-01-01T08:00"}, follow=True
    )

    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    issue.refresh_from_db()
    assert issue.publish_at == before


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Etc/GMT+12", "Pacific/Kiritimati"])
@pytest.mark.parametrize("value", ["2000-01-01T00:00", "2100-12-31T23:59"])
def test_the_edges_of_the_years_are_stored_and_read_back_in_any_series_time_zone(
    client, admin_user, make_issue, series, zone, value
):
    series.time_zone = zone
    series.save()
    issue = approved(make_issue())
    client.force_login(admin_user)

    response = post_json(client, reverse("newsroom:schedule", args=[issue.pk]), {"publish_at": value})

    assert response.status_code == 200, response.content
    issue.refresh_from_db()
    expected = dt.datetime.fromisoformat(value).replace(tzinfo=zoneinfo.ZoneInfo(zone))
    assert issue.publish_at == expected
    assert review_page_and_tick_work(client, issue)


@pytest.mark.parametrize(
    "when",
    [
        dt.datetime(1, 1, 1, 8, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime(2101, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 1, 8, 0),  # naive
    ],
)
def test_the_workflow_refuses_a_time_outside_the_years_itself(make_issue, admin_user, when):
    issue = approved(make_issue())
    before = issue.publish_at

    with pytest.raises(InvalidInput):
        workflow.issue_schedule(issue=issue, user=admin_user, publish_at=when)

    issue.refresh_from_db()
    assert issue.publish_at == before


def test_an_issue_stored_with_an_impossible_date_cannot_be_approved(make_issue, reviewer):
    issue = make_issue()
    Issue.objects.filter(pk=issue.pk).update(date=dt.date(1, 1, 1), state=IssueState.IN_REVIEW)

    with pytest.raises(InvalidInput) as excinfo:
        workflow.issue_approve(issue=issue, user=reviewer)

    assert RANGE_MESSAGE in excinfo.value.message
    issue.refresh_from_db()
    assert (issue.state, issue.publish_at) == (IssueState.IN_REVIEW, None)


# --- newsroom: citations (day and month precision) ---------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["0001-01-01", "9999-12-31", "1999-12", "2101-01", "0000-06", "-0001-01", "99999-01", "0001-06"]
)
def test_a_citation_dated_outside_the_years_is_refused_and_nothing_is_stored(
    client, writer, draft_issue, value
):
    client.force_login(writer)

    response = post_json(
        client,
        reverse("newsroom:citation_add", args=[draft_issue.pk]),
        {"outlet": "新华社", "title": "一条新闻", "date": value},
    )

    assert response.status_code == 400
    assert RANGE_MESSAGE in response.json()["error"]
    assert not Source.objects.exists()
    assert not Citation.objects.exists()


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("2000-01", dt.date(2000, 1, 1)),
        ("2100-12", dt.date(2100, 12, 1)),
        ("2000-01-01", dt.date(2000, 1, 1)),
        ("2100-12-31", dt.date(2100, 12, 31)),
    ],
)
def test_a_citation_dated_at_the_edges_is_stored(client, writer, draft_issue, value, stored):
    client.force_login(writer)

    response = post_json(
        client,
        reverse("newsroom:citation_add", args=[draft_issue.pk]),
        {"outlet": "新华社", "title": "一条新闻", "date": value},
    )

    assert response.status_code == 200, response.content
    assert Source.objects.get().date == stored


def test_the_source_service_refuses_a_date_outside_the_years_itself(writer):
    with pytest.raises(InvalidInput):
        reference_services.source_find_or_create(
            user=writer, outlet="新华社", title="一条新闻", date=dt.date(1, 1, 1)
        )

    assert not Source.objects.exists()


# --- the admin ---------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01", "0000-01-01"])
def test_the_admin_refuses_an_issue_date_outside_the_years(admin_client, series, draft_issue, value):
    url = reverse("admin:editorial_issue_change", args=[draft_issue.pk])
    data = {
        "series": series.pk,
        "date": value,
        "number": draft_issue.number,
        "headline": draft_issue.headline,
        "summary": draft_issue.summary,
        **INLINES,
    }
    added = admin_client.post(reverse("admin:editorial_issue_add"), {**data, "number": ""})
    changed = admin_client.post(url, data)

    for response in (added, changed):
        assert response.status_code == 200  # the form again, with its errors
        assert RANGE_MESSAGE in response.content.decode()
    assert list(Issue.objects.values_list("date", flat=True)) == [draft_issue.date]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_the_admin_refuses_a_source_date_outside_the_years(admin_client, value):
    data = {"outlet": "新华社", "title": "一条新闻", "url": "", "date": value, "date_precision": "day"}
    data["kind"] = "media"

    response = admin_client.post(reverse("admin:references_source_add"), data)

    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    assert not Source.objects.exists()


def test_the_admin_accepts_a_source_on_the_last_day(admin_client):
    data = {"outlet": "新华社", "title": "一条新闻", "url": "", "date": "2100-12-31", "date_precision": "day"}
    data["kind"] = "media"

    response = admin_client.post(reverse("admin:references_source_add"), data)

    assert response.status_code == 302
    assert Source.objects.get().date == dt.date(2100, 12, 31)


def test_every_date_in_every_admin_form_is_range_checked(rf, admin_user):
    request = rf.get("/admin/")
    request.user = admin_user
    checked = []

    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_change_permission(request):
            continue
        form = model_admin.get_form(
            request, obj=model()
        )  # the change form (a user's differs from its add form)
        for field in model._meta.fields:
            if isinstance(field, models.DateField) and field.name in form.base_fields:
                assert dates.validate_bulletin_date in form.base_fields[field.name].validators, field
                checked.append(f"{model._meta.label}.{field.name}")

    # Users' join and login times too: the probe's way to a BC timestamp after the newsroom's were closed.
    assert {"auth.User.date_joined", "auth.User.last_login", "editorial.Issue.date"} <= set(checked)


@pytest.mark.parametrize(
    ("joined", "login"), [("0001-01-01", ""), ("2026-01-01", "0001-01-01"), ("9999-12-31", "")]
)
def test_the_admin_refuses_a_users_join_or_login_time_outside_the_years(admin_client, writer, joined, login):
    before = (writer.date_joined, writer.last_login)
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[writer.pk]),
        {
            "username": writer.username,
            "is_active": "on",
            "groups": list(writer.groups.values_list("pk", flat=True)),
            "date_joined_0": joined,
            "date_joined_1": "00:00:00",
            "last_login_0": login,
            "last_login_1": "00:00:00" if login else "",
        },
    )

    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    writer.refresh_from_db()
    assert (writer.date_joined, writer.last_login) == before


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_the_admin_refuses_a_resolution_time_outside_the_years(admin_client, draft_issue, reviewer, day):
    comment = ReviewComment.objects.create(issue=draft_issue, author=reviewer, body="请核实数据")

    response = admin_client.post(
        reverse("admin:editorial_reviewcomment_change", args=[comment.pk]),
        {
            "issue": draft_issue.pk,
            "section": "",
            "author": reviewer.pk,
            "body": "请核实数据",
            "resolved_at_0": day,
            "resolved_at_1": "08:00:00",
            "resolved_by": "",
        },
    )

    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    comment.refresh_from_db()
    assert comment.resolved_at is None


# --- the public archive -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/issues/0001-01-01/",
        "/issues/9999-12-31/",
        "/issues/1999-12-31/",
        "/issues/2101-01-01/",
        "/issues/0000-01-01/",
        "/issues/0001-01-01/pdf/",
        "/issues/9999-12-31/wechat/",
        "/archive/0001/",
        "/archive/1999/",
        "/archive/2101/",
        "/archive/0000/01/",
        "/archive/9999/12/",
        "/archive/2101/01/",
    ],
)
def test_public_urls_with_dates_outside_the_years_are_404(client, db, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "?q=数据&start=0001-01-01",
        "?q=数据&end=9999-12-31",
        "?q=数据&start=0000-01-01&end=-0001-01-01",
        "?q=数据&start=99999-01-01",
        "?q=数据&start=1999-12-31&end=2101-01-01",
    ],
)
def test_search_filters_outside_the_years_answer_with_the_range_message(client, db, query):
    response = client.get("/search/" + query)

    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()


# --- management commands ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_render_issue_refuses_a_date_outside_the_years(db, series, value, tmp_path):
    with pytest.raises(CommandError) as excinfo:
        call_command("render_issue", value, "--output", str(tmp_path / "out.pdf"), stdout=StringIO())

    assert RANGE_MESSAGE in str(excinfo.value)


@pytest.mark.parametrize("args", [["--end", "0001-01-01"], ["--end", "9999-12-31"], ["--end", "2000-01-05"]])
def test_generate_archive_refuses_issues_outside_the_years(db, args):
    with pytest.raises(CommandError) as excinfo:
        call_command("generate_archive", "--days", "10", *args, stdout=StringIO())

    assert RANGE_MESSAGE in str(excinfo.value)
    assert not Issue.objects.exists()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("2026 年 6 月 28 日", "1999 年 12 月 31 日"),
        ("2026 年 6 月 28 日", "2101 年 1 月 1 日"),
        ("| 2026-06-27 |", "| 0001-06-27 |"),
        ("| 2026-06 |", "| 9999-06 |"),
    ],
)
def test_import_bulletin_refuses_dates_outside_the_years_naming_the_line(db, series, tmp_path, old, new):
    from tests.conftest import FIXTURES

    text = (FIXTURES / "2026-06-28.md").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bulletin.md"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")

    errors = StringIO()

    with pytest.raises(CommandError):
        call_command("import_bulletin", str(path), stdout=StringIO(), stderr=errors)

    assert RANGE_MESSAGE in errors.getvalue()
    assert re.search(rf"{re.escape(str(path))}:\d+: ", errors.getvalue())  # the line is named
    assert not Issue.objects.exists()
    assert not Source.objects.exists()


# --- rows stored before the rule -----------------------------------------------------------------------------


def review_page_and_tick_work(client, issue: Issue) -> bool:
    dashboard = client.get(reverse("newsroom:dashboard"))
    review = client.get(reverse("newsroom:review", args=[issue.pk]))
    publication_tick(now=timezone.now())
    overdue_issues()
    return dashboard.status_code == 200 and review.status_code == 200


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(9999, 12, 31)])
@pytest.mark.parametrize(
    "state", [IssueState.DRAFT, IssueState.IN_REVIEW, IssueState.APPROVED, IssueState.PUBLISHED]
)
def test_an_issue_stored_with_an_impossible_date_keeps_every_page_and_the_tick_working(
    client, admin_user, make_issue, day, state
):
    """Dates (not times) out of range are readable on both databases; they are refused on the way in, and
    the pages, the admin and the tick still answer for a row stored before that (after the repair, an
    approved one has no publication time until an admin sets one)."""
    issue = make_issue()
    published_at = timezone.now() if state == IssueState.PUBLISHED else None
    Issue.objects.filter(pk=issue.pk).update(date=day, state=state, published_at=published_at)
    client.force_login(admin_user)

    for url in [
        reverse("newsroom:dashboard"),
        reverse("newsroom:editor", args=[issue.pk]),
        reverse("newsroom:review", args=[issue.pk]),
        reverse("admin:editorial_issue_changelist"),
        reverse("admin:editorial_issue_change", args=[issue.pk]),
        "/",
        "/archive/",
        "/sitemap.xml",
        "/feed/",
    ]:
        assert client.get(url).status_code == 200, url
    assert publication_tick(now=timezone.now())["published"] == []
    overdue_issues()


def run_repair() -> None:
    from django.apps import apps

    importlib.import_module("editorial.migrations.0005_clear_impossible_times").clear(apps, None)


@pytest.mark.parametrize("stored", ["0001-01-01 00:00:00", "9999-12-31 23:59:59", "1999-06-01 08:00:00"])
def test_the_repair_migration_gives_impossible_times_back_to_the_timetable(make_issue, writer, stored):
    issue = approved(make_issue())
    published = make_issue(date=dt.date(2026, 7, 2))
    Issue.objects.filter(pk=published.pk).update(state=IssueState.PUBLISHED, published_at=timezone.now())
    comment = ReviewComment.objects.create(
        issue=issue, author=writer, body="请核实", resolved_at=timezone.now()
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE editorial_issue SET publish_at = %s", [stored])
        cursor.execute("UPDATE editorial_reviewcomment SET resolved_at = %s", [stored])

    run_repair()

    issue.refresh_from_db()
    published.refresh_from_db()
    comment.refresh_from_db()
    assert issue.publish_at == issue.series.publish_at_for(issue.date)  # what approval gives
    assert published.publish_at is None
    assert published.published_at is not None
    assert comment.resolved_at is None


def test_the_repair_migration_leaves_good_times_alone(make_issue):
    issue = approved(make_issue())
    Issue.objects.filter(pk=issue.pk).update(publish_at=dt.datetime(2100, 12, 31, 23, 59, tzinfo=dt.UTC))

    run_repair()

    assert Issue.objects.get(pk=issue.pk).publish_at == dt.datetime(2100, 12, 31, 23, 59, tzinfo=dt.UTC)


@pytest.mark.postgres
def test_on_postgresql_a_stored_bc_time_is_cleared_and_the_newsroom_keeps_working(
    client, admin_user, make_issue
):
    """What the probe left behind (a BC publish_at, a BC resolution time) is repaired by the data migration,
    and nothing the newsroom offers can store such a time again."""
    assert connection.vendor == "postgresql"
    issue = approved(make_issue())
    draft = make_issue(date=dt.date(2026, 7, 2))
    comment = ReviewComment.objects.create(issue=draft, author=admin_user, body="请核实")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE editorial_issue SET publish_at = '0001-01-01 00:00:00+00 BC' WHERE id IN (%s, %s)",
            [issue.pk, draft.pk],
        )
        cursor.execute(
            "UPDATE editorial_reviewcomment SET resolved_at = '0001-01-01 00:00:00+00 BC' WHERE id = %s",
            [comment.pk],
        )
    run_repair()

    issue.refresh_from_db()
    draft.refresh_from_db()
    comment.refresh_from_db()
    assert issue.publish_at == issue.series.publish_at_for(issue.date)
    assert draft.publish_at is None
    assert comment.resolved_at is None
    client.force_login(admin_user)
    response = client.post(
        reverse("newsroom:schedule", args=[issue.pk]), {"publish_at": "0001-01-01T08:00"}, follow=True
    )
    assert RANGE_MESSAGE in response.content.decode()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM editorial_issue WHERE publish_at < '2000-01-01' OR published_at < '2000-01-01'"
        )
        assert cursor.fetchone() == (0,)
    assert review_page_and_tick_work(client, issue)
