"""The Django admin answers for every registered model, for a superuser and for the 管理员 group."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from editorial import services, workflow
from editorial.models import Correction, IssueEvent, ReviewComment
from publishing.models import Alert, Rendition, WeChatArticle, WeChatPush
from references.models import Citation, Source
from tests.conftest import make_user

REGISTERED = sorted(model._meta.label for model in admin.site._registry)
# Models nobody adds by hand: they are written by the workflow, by saves, or by the workers.
NO_ADD = {
    "editorial.Section",
    "editorial.Revision",
    "editorial.IssueEvent",
    "editorial.ContentChange",
    "editorial.Correction",
    "publishing.Rendition",
    "publishing.Alert",
    "publishing.WeChatArticle",
    # Written by django-axes at each login (xinzhi/login_protection.py).
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
}
# The 管理员 group may look at groups but not change them (that would change what every role may do).
STAFF_NO_ADD = NO_ADD | {"auth.Group"}


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root", "root@example.org", "pw-root")


@pytest.fixture
def newsroom(make_issue, writer, reviewer, admin_user, series):
    """At least one row of every registered model, with 数据 in the searchable text."""
    published = make_issue(date=dt.date(2026, 6, 28))
    services.issue_update(issue=published, user=writer, data={"headline": "数据要素落地"}, version=1)
    workflow.issue_submit(issue=published, user=writer)
    workflow.issue_approve(issue=published, user=reviewer)
    workflow.issue_publish(issue=published, user=None)
    workflow.issue_correct(issue=published, user=admin_user, note="更正数据来源")
    make_issue(date=dt.date(2026, 6, 29))
    section = published.sections.first()
    ReviewComment.objects.create(issue=published, section=section, author=reviewer, body="数据需核实")
    source = Source.objects.create(
        outlet="国家数据局", title="关于数据要素的通知", date=dt.date(2026, 6, 27), kind="government"
    )
    citation = Citation.objects.create(issue=published, source=source, position=1, note="用于数据要素分析")
    citation.sections.add(section)
    Rendition.objects.create(issue=published, kind=Rendition._meta.get_field("kind").choices[0][0])
    Alert.objects.create(
        issue=published, kind=Alert._meta.get_field("kind").choices[0][0], deadline=timezone.now()
    )
    article = WeChatArticle.objects.create(
        issue=published, app_id="wx0123456789abcdef", draft_media_id="数据"
    )
    WeChatPush.objects.create(article=article, action="draft", message="数据")
    # A failed and a successful sign-in: the login throttle's attempt, failure and access rows.
    login = Client(REMOTE_ADDR="203.0.113.9")
    login.post(reverse("login"), {"username": "数据", "password": "wrong"})
    login.post(reverse("login"), {"username": "writer", "password": "pw-writer"})
    return published


def admin_urls(model) -> tuple[str, str]:
    info = (model._meta.app_label, model._meta.model_name)
    return reverse("admin:{}_{}_changelist".format(*info)), reverse("admin:{}_{}_add".format(*info))


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def assert_changelist_answers(client, model, url):
    response = client.get(url)
    assert response.status_code == 200, url
    with translation.override("zh-hans"):
        assert str(model._meta.verbose_name_plural) in response.content.decode()
    model_admin = admin.site._registry[model]
    if model_admin.search_fields:
        assert client.get(url, {"q": "数据"}).status_code == 200, f"{url}?q=数据"
    cl = response.context["cl"]
    queries = {choice["query_string"] for spec in cl.filter_specs for choice in spec.choices(cl)}
    assert queries or not model_admin.list_filter
    for query in sorted(queries):
        assert client.get(url + query).status_code == 200, url + query
    for column in range(len(cl.list_display)):
        assert client.get(url, {"o": str(column)}).status_code == 200, f"{url}?o={column}"


def assert_every_page_answers(client, label, no_add):
    model = apps.get_model(label)
    changelist, add = admin_urls(model)
    assert_changelist_answers(client, model, changelist)
    assert client.get(add).status_code == (403 if label in no_add else 200), add
    obj = (
        model.objects.exclude(pk__in=User.objects.filter(is_superuser=True)).first() or model.objects.first()
    )
    assert obj is not None, f"the newsroom fixture has no {label}"
    assert client.get(change_url(obj)).status_code == 200, change_url(obj)


@pytest.mark.parametrize("label", REGISTERED)
def test_every_admin_page_answers_for_a_superuser(client, superuser, newsroom, label):
    client.force_login(superuser)

    assert_every_page_answers(client, label, NO_ADD)


@pytest.mark.parametrize("label", REGISTERED)
def test_every_admin_page_answers_for_the_admin_group(client, admin_user, newsroom, label):
    client.force_login(admin_user)

    assert_every_page_answers(client, label, STAFF_NO_ADD)


def test_every_newsroom_model_has_an_admin_with_a_chinese_name(db):
    cjk = re.compile("[\u4e00-\u9fff]")
    inline = {i.model for model_admin in admin.site._registry.values() for i in model_admin.inlines}
    with translation.override("zh-hans"):
        for app in ("editorial", "references"):
            for model in apps.get_app_config(app).get_models():
                assert model in admin.site._registry or model in inline, model._meta.label
                assert cjk.search(str(model._meta.verbose_name)), model._meta.label


def test_the_admin_index_lists_the_newsroom_in_chinese(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    content = response.content.decode()
    for name in ("期刊", "条目", "流程记录", "来源", "参考文献条目"):
        assert name in content


def test_the_issue_event_admin_is_read_only(client, superuser, newsroom):
    client.force_login(superuser)
    event = IssueEvent.objects.filter(issue=newsroom).order_by("id").first()
    url = change_url(event)
    changelist, add = admin_urls(IssueEvent)

    assert client.get(add).status_code == 403
    assert client.get(reverse("admin:editorial_issueevent_delete", args=[event.pk])).status_code == 403
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(url, {"comment": "改写历史", "transition": "withdraw"}).status_code == 403
    bulk = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    stored = IssueEvent.objects.get(pk=event.pk)
    assert (stored.comment, stored.transition) == (event.comment, event.transition)
    assert IssueEvent.objects.filter(issue=newsroom).count() == 4  # submit, approve, publish, correct


def test_a_published_correction_cannot_be_changed_or_deleted_in_the_admin(client, admin_user, newsroom):
    client.force_login(admin_user)
    correction = Correction.objects.get(issue=newsroom)
    url = reverse("admin:editorial_correction_change", args=[correction.pk])

    assert client.get(reverse("admin:editorial_correction_delete", args=[correction.pk])).status_code == 403
    assert client.post(url, {"note": "改写更正"}).status_code == 403
    bulk = client.post(
        reverse("admin:editorial_correction_changelist"),
        {"action": "delete_selected", "_selected_action": [correction.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Correction.objects.get(pk=correction.pk).note == "更正数据来源"
    assert client.get(url).status_code == 200  # still readable


def test_the_issue_admin_does_not_change_the_state(client, superuser, newsroom):
    client.force_login(superuser)

    page = client.get(change_url(newsroom))

    assert page.status_code == 200
    assert b'name="state"' not in page.content


@pytest.mark.parametrize("url", ["/admin/", "/admin/editorial/issue/", "/admin/editorial/issueevent/"])
def test_a_writer_without_staff_is_sent_to_the_login(client, writer, url):
    client.force_login(writer)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_anonymous_visitor_is_sent_to_the_login(client, db):
    response = client.get("/admin/editorial/issue/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_admin_group_cannot_make_anyone_superuser(client, admin_user, writer):
    client.force_login(admin_user)
    page = client.get(change_url(admin_user))
    form = page.context["adminform"].form
    data = {
        name: form.initial.get(name) or ""
        for name in form.fields
        if name not in ("password", "groups", "user_permissions", "last_login", "date_joined")
    }
    data.update(
        {
            "username": admin_user.username,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [g.pk for g in admin_user.groups.all()],
            "user_permissions": [],
            "date_joined_0": "2026-07-01",
            "date_joined_1": "08:00:00",
        }
    )

    response = client.post(change_url(admin_user), data)

    assert response.status_code in (200, 302)
    assert not User.objects.get(pk=admin_user.pk).is_superuser
    assert b'name="is_superuser"' not in page.content


def test_the_admin_group_cannot_change_a_superusers_account(client, admin_user, superuser):
    client.force_login(admin_user)

    password = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert client.get(password).status_code == 403
    assert (
        client.post(password, {"password1": "taken-over-1", "password2": "taken-over-1"}).status_code == 403
    )
    assert client.post(change_url(superuser), {"username": "renamed"}).status_code == 403
    assert User.objects.get(pk=superuser.pk).check_password("pw-root")
    assert User.objects.get(pk=superuser.pk).username == "root"


def test_the_admin_group_can_still_manage_newsroom_accounts(client, admin_user, writer):
    client.force_login(admin_user)
    password = reverse("admin:auth_user_password_change", args=[writer.pk])

    response = client.post(password, {"password1": "Xinzhi-new-2026", "password2": "Xinzhi-new-2026"})

    assert response.status_code == 302
    assert User.objects.get(pk=writer.pk).check_password("Xinzhi-new-2026")
    assert set(Group.objects.filter(user=writer).values_list("name", flat=True)) == {"撰稿人"}


def test_a_staff_member_in_no_group_sees_no_model(client, db):
    clerk = make_user("clerk", is_staff=True)
    client.force_login(clerk)

    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get("/admin/editorial/issue/").status_code == 403


def test_a_published_issue_and_its_citations_are_read_only_in_the_admin(client, superuser, newsroom):
    client.force_login(superuser)
    headline = newsroom.headline
    citation = newsroom.citations.first()

    page = client.get(change_url(newsroom))
    refused = client.post(change_url(newsroom), {"headline": "悄悄改标题", "summary": "改"})

    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert refused.status_code == 403
    assert client.post(change_url(citation), {"note": "改"}).status_code == 403
    delete_url = reverse("admin:references_citation_delete", args=[citation.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    newsroom.refresh_from_db()
    assert newsroom.headline == headline
    assert newsroom.citations.filter(pk=citation.pk, note=citation.note).exists()


def test_sections_are_shown_read_only_with_a_link_to_the_newsroom_editor(client, superuser, newsroom):
    client.force_login(superuser)
    section = newsroom.sections.first()

    page = client.get(change_url(section))
    refused = client.post(change_url(section), {"headline": "改", "body": "<p>改</p>"})

    assert page.status_code == 200
    assert reverse("newsroom:editor", args=[newsroom.pk]).encode() in page.content
    assert refused.status_code == 403
    section.refresh_from_db()
    assert section.headline != "改"


def test_saving_a_draft_in_the_admin_moves_its_version_on(client, superuser, draft_issue):
    client.force_login(superuser)
    version = draft_issue.version
    form = client.get(change_url(draft_issue)).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "series"}
    data.update(series=draft_issue.series_id, date=draft_issue.date.isoformat(), headline="新标题")
    for prefix in ("sections", "events"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = client.post(change_url(draft_issue), data)

    draft_issue.refresh_from_db()
    assert response.status_code == 302, response.content[:2000]
    assert (draft_issue.headline, draft_issue.version) == ("新标题", version + 1)


def test_a_source_added_twice_in_the_admin_is_refused_with_a_message_not_a_500(client, admin_user, db):
    Source.objects.create(outlet="新华社", title="数据要素市场化配置改革", date=dt.date(2026, 6, 27))
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:references_source_add"),
        {
            "outlet": "新华社 ",
            "title": "数据要素市场化配置改革",
            "url": "",
            "date": "2026-06-27",
            "date_precision": "day",
            "kind": "media",
        },
    )

    assert response.status_code == 200
    assert "已有同一来源" in response.content.decode()
    assert Source.objects.count() == 1
