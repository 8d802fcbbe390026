"""The malformed requests of the hostile probe (issue 10, item 6), one by one: each answers 400 with a message (or
the admin's `?e=1`, or a 404), never a 500, and changes nothing. tests/hostile/test_fuzz_requests.py throws
generated ones at every endpoint."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.urls import reverse

from editorial import forms
from editorial.models import Issue
from publishing.models import Rendition, RenditionKind, RenditionStatus
from references.models import Citation, Source
from tests.hostile.request_support import csrf_token, database_snapshot, hostile_client

UTF8_ONLY = "只接受 UTF-8 编码的提交内容"


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


@pytest.fixture
def issue(make_issue) -> Issue:
    issue = make_issue()
    Citation.objects.create(
        issue=issue,
        source=Source.objects.create(outlet="国家能源局", title="已有来源"),
        position=1,
        note="用于",
    )
    return issue


def form_urls(issue: Issue) -> list[str]:
    section = issue.sections.get(position=1)
    return [
        "/",
        "/search/",
        reverse("login"),
        reverse("admin:login"),
        reverse("set_language"),
        reverse("newsroom:issue_create"),
        reverse("newsroom:issue_meta_save", args=[issue.pk]),
        reverse("newsroom:section_save", args=[section.pk]),
        reverse("newsroom:upload"),
        "/no-such-page/",
    ]


def json_endpoints(issue: Issue) -> dict[str, list[str]]:
    """Every newsroom endpoint that reads a JSON body -> the text fields it reads."""
    section = issue.sections.get(position=1)
    citation = issue.citations.get()
    return {
        reverse("newsroom:section_save", args=[section.pk]): ["headline", "body", "analysis", "topics"],
        reverse("newsroom:issue_meta_save", args=[issue.pk]): ["headline", "summary"],
        reverse("newsroom:section_create", args=[issue.pk]): ["headline"],
        reverse("newsroom:comment_add", args=[issue.pk]): ["body"],
        reverse("newsroom:return", args=[issue.pk]): ["reason"],
        reverse("newsroom:citation_add", args=[issue.pk]): ["outlet", "title", "url", "date", "note"],
        reverse("newsroom:citation_update", args=[citation.pk]): ["note"],
        reverse("newsroom:image_import"): ["url"],
        reverse("newsroom:presence", args=[issue.pk]): ["editing"],
        reverse("newsroom:sections_reorder", args=[issue.pk]): ["order"],
        reverse("newsroom:citations_reorder", args=[issue.pk]): ["order"],
    }


# --- Charsets ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("charset", "body"),
    [
        ("latin-1", "headline=caf\xe9".encode("latin-1")),
        ("utf-16", "headline=标题".encode("utf-16")),
        ("foo", b"headline=x"),
        ("ISO-8859-1", b"headline=x"),
    ],
)
def test_a_form_post_in_another_charset_answers_400_on_every_url_even_anonymous_with_a_csrf_cookie(
    issue, charset, body
):
    client = hostile_client()
    csrf_token(client)
    before = database_snapshot()

    for url in form_urls(issue):
        response = client.generic(
            "POST", url, body, content_type=f"application/x-www-form-urlencoded; charset={charset}"
        )

        assert response.status_code == 400, url
        assert UTF8_ONLY in response.content.decode(), url
    assert database_snapshot() == before


def test_a_json_caller_is_told_in_json(issue, writer):
    client = hostile_client(writer)
    csrf_token(client)

    response = client.generic(
        "POST",
        reverse("newsroom:issue_meta_save", args=[issue.pk]),
        "headline=x".encode("utf-16"),
        content_type="application/x-www-form-urlencoded; charset=utf-16",
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert UTF8_ONLY in response.json()["error"]


def test_utf_8_spelled_any_way_is_accepted(issue, writer):
    client = hostile_client(writer)
    token = csrf_token(client)

    response = client.generic(
        "POST",
        reverse("newsroom:issue_meta_save", args=[issue.pk]),
        f"csrfmiddlewaretoken={token}&issue-headline=%E6%96%B0&issue-summary=&issue-version={issue.version}",
        content_type='application/x-www-form-urlencoded; charset="UTF8"',
    )

    assert response.status_code == 303, response.content.decode()
    assert Issue.objects.get(pk=issue.pk).headline == "新"


def test_a_multipart_post_in_another_charset_answers_400(issue, writer):
    client = hostile_client(writer)
    token = csrf_token(client)
    body = (
        b'--b\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        + token.encode()
        + b"\r\n"
        b'--b\r\nContent-Disposition: form-data; name="issue-headline"\r\n\r\ncaf\xe9\r\n--b--\r\n'
    )
    before = database_snapshot()

    response = client.generic(
        "POST",
        reverse("newsroom:issue_meta_save", args=[issue.pk]),
        body,
        content_type="multipart/form-data; boundary=b; charset=latin-1",
    )

    assert response.status_code == 400
    assert UTF8_ONLY in response.content.decode()
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "body",
    [b"issue-headline=%ED%A0%80", b"issue-headline=\xed\xa0\x80", b"issue-headline=%FF", b"a=%E6%96"],
    ids=["escaped-surrogate", "raw-surrogate", "escaped-ff", "truncated"],
)
def test_bytes_that_are_not_utf_8_in_a_form_body_answer_400(issue, writer, body):
    client = hostile_client(writer)
    csrf_token(client)
    before = database_snapshot()

    response = client.generic(
        "POST",
        reverse("newsroom:issue_meta_save", args=[issue.pk]),
        body,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert UTF8_ONLY in response.content.decode()
    assert database_snapshot() == before


@pytest.mark.parametrize("query", ["q=%ED%A0%80", "q=%FF%FE", "page=%C0%AF"])
def test_bytes_that_are_not_utf_8_in_a_query_string_answer_400(db, query):
    response = hostile_client().get("/search/?" + query)

    assert response.status_code == 400
    assert UTF8_ONLY in response.content.decode()


# --- JSON ------------------------------------------------------------------------------------------------


def post_json(client, url: str, body: str | bytes, *, token: str):
    """POST `body` as a fetch call of the newsroom sends it: JSON, asking for JSON, with the CSRF token."""
    return client.post(
        url,
        body,
        content_type="application/json",
        headers={"Accept": "application/json", "X-CSRFToken": token},
    )


def test_a_lone_surrogate_in_any_json_text_field_answers_400_and_changes_nothing(issue, admin_user):
    client = hostile_client(admin_user)
    token = csrf_token(client)
    before = database_snapshot()

    for url, fields in json_endpoints(issue).items():
        for field in fields:
            for value in ("\ud800", "正文\udfff结尾"):
                response = post_json(client, url, json.dumps({field: value, "version": 1}), token=token)

                assert response.status_code == 400, (url, field)
                assert "请求格式错误" in response.json()["error"], (url, field)
    assert database_snapshot() == before


def test_a_lone_surrogate_in_a_json_key_answers_400(issue, writer):
    client = hostile_client(writer)
    token = csrf_token(client)

    response = client.post(
        reverse("newsroom:presence", args=[issue.pk]),
        '{"\\ud800": 1}',
        content_type="application/json",
        headers={"Accept": "application/json", "X-CSRFToken": token},
    )

    assert response.status_code == 400


@pytest.mark.parametrize("value", [["国家"], {"a": "b"}, [[1, [2]]]], ids=["list", "object", "nested"])
def test_a_list_or_object_where_any_json_endpoint_expects_text_is_refused_and_nothing_stored(
    issue, admin_user, value
):
    client = hostile_client(admin_user)
    token = csrf_token(client)
    before = database_snapshot()
    lists = {"order"}  # the one field that is a list

    for url, fields in json_endpoints(issue).items():
        for field in set(fields) - lists:
            response = post_json(client, url, json.dumps({field: value, "version": 1}), token=token)

            assert response.status_code == 400 or field == "editing", (url, field, response.status_code)
    assert database_snapshot() == before


def form_endpoints(issue: Issue) -> dict[str, type[forms.NewsroomForm]]:
    """Every newsroom endpoint that binds a form to a JSON body -> its form."""
    section = issue.sections.get(position=1)
    citation = issue.citations.get()
    return {
        reverse("newsroom:issue_meta_save", args=[issue.pk]): forms.IssueMetaForm,
        reverse("newsroom:section_save", args=[section.pk]): forms.SectionForm,
        reverse("newsroom:section_create", args=[issue.pk]): forms.SectionCreateForm,
        reverse("newsroom:section_restore", args=[section.pk, 1]): forms.RestoreForm,
        reverse("newsroom:sections_reorder", args=[issue.pk]): forms.OrderForm,
        reverse("newsroom:return", args=[issue.pk]): forms.TransitionForm,
        reverse("newsroom:reopen", args=[issue.pk]): forms.TransitionForm,
        reverse("newsroom:schedule", args=[issue.pk]): forms.ScheduleForm,
        reverse("newsroom:comment_add", args=[issue.pk]): forms.CommentForm,
        reverse("newsroom:citation_add", args=[issue.pk]): forms.CitationForm,
        reverse("newsroom:citation_update", args=[citation.pk]): forms.CitationUpdateForm,
        reverse("newsroom:citations_reorder", args=[issue.pk]): forms.OrderForm,
    }


@pytest.mark.parametrize(
    "value",
    [["2026-07-01T08:00"], {"a": 1}, True, False, [[1]]],
    ids=["list", "object", "true", "false", "nested"],
)
def test_a_json_value_no_form_post_could_carry_is_a_400_in_every_field_of_every_form(
    issue, admin_user, value
):
    client = hostile_client(admin_user)
    token = csrf_token(client)
    before = database_snapshot()

    for url, form_class in form_endpoints(issue).items():
        for name, field in form_class.base_fields.items():
            if isinstance(value, list) and not isinstance(value[0], list) and forms.takes_several(field):
                continue  # a list is what this field takes
            response = post_json(client, url, json.dumps({name: value}), token=token)

            assert response.status_code == 400, (url, name, response.status_code)
            assert "应为文本或数字" in response.json()["error"], (url, name)
    assert database_snapshot() == before


@pytest.mark.parametrize("value", [None, 0, -1, 2.5, 10**30, ""], ids=repr)
def test_a_json_number_or_null_in_every_field_of_every_form_never_answers_500(issue, admin_user, value):
    client = hostile_client(admin_user)
    token = csrf_token(client)

    for url, form_class in form_endpoints(issue).items():
        for name in form_class.base_fields:
            response = post_json(client, url, json.dumps({name: value}), token=token)

            assert response.status_code < 500, (url, name, response.status_code)


@pytest.mark.parametrize(
    "body",
    ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000, '{"a":' * 9 + "1" + "}" * 9],
    ids=["array-1000", "object-1000", "object-9"],
)
def test_json_nested_too_deep_answers_400_on_every_json_endpoint_for_every_role(
    issue, writer, reviewer, admin_user, body
):
    before = database_snapshot()
    for user in (None, writer, reviewer, admin_user):
        client = hostile_client(user)
        token = csrf_token(client)
        for url in json_endpoints(issue):
            response = post_json(client, url, body, token=token)

            assert response.status_code == 400, (user, url)
            assert "请求格式错误" in response.json()["error"], (user, url)
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "number",
    ["NaN", "Infinity", "-Infinity", "1e400", "9" * 5000],
    ids=["nan", "infinity", "minus-infinity", "1e400", "5000-digits"],
)
def test_a_json_number_python_or_the_database_cannot_hold_answers_400(issue, writer, number):
    client = hostile_client(writer)
    token = csrf_token(client)
    before = database_snapshot()

    response = client.post(
        reverse("newsroom:issue_meta_save", args=[issue.pk]),
        f'{{"headline": "x", "number": {number}, "version": {issue.version}}}',
        content_type="application/json",
        headers={"Accept": "application/json", "X-CSRFToken": token},
    )

    assert response.status_code == 400
    assert response.json()["error"]
    assert database_snapshot() == before


def test_json_in_utf_16_answers_400(issue, writer):
    client = hostile_client(writer)
    token = csrf_token(client)

    response = client.post(
        reverse("newsroom:presence", args=[issue.pk]),
        json.dumps({"editing": True}).encode("utf-16"),
        content_type="application/json",
        headers={"Accept": "application/json", "X-CSRFToken": token},
    )

    assert response.status_code == 400
    assert UTF8_ONLY in response.json()["error"]


# --- Numbers in forms ------------------------------------------------------------------------------------


HUGE = ["1e400", "99999999999999999999999", "9" * 5000, "-0", "NaN", "-1", "2147483648", " 1 0 "]


@pytest.mark.parametrize("value", HUGE)
def test_a_number_out_of_range_in_any_numeric_field_answers_400_with_a_message_and_changes_nothing(
    issue, writer, value
):
    section = issue.sections.get(position=1)
    citation = issue.citations.get()
    client = hostile_client(writer)
    token = csrf_token(client)
    meta = reverse("newsroom:issue_meta_save", args=[issue.pk])
    add = reverse("newsroom:citation_add", args=[issue.pk])
    # (url, fields, the prefix a browser form gives their names)
    cases = [
        (meta, {"number": value, "version": issue.version}, "issue-"),
        (meta, {"headline": "x", "version": value}, "issue-"),
        (
            reverse("newsroom:section_save", args=[section.pk]),
            {"headline": "x", "version": value},
            f"s{section.pk}-",
        ),
        (reverse("newsroom:section_restore", args=[section.pk, 1]), {"version": value}, ""),
        (add, {"source": value, "note": "x"}, ""),
        (add, {"outlet": "o", "title": "t", "sections": value}, ""),
        (reverse("newsroom:citation_update", args=[citation.pk]), {"sections": value}, ""),
        (reverse("newsroom:comment_add", args=[issue.pk]), {"body": "x", "section": value}, ""),
        (reverse("newsroom:sections_reorder", args=[issue.pk]), {"order": f"{section.pk},{value}"}, ""),
        (reverse("newsroom:citations_reorder", args=[issue.pk]), {"order": value}, ""),
    ]
    before = database_snapshot()

    for url, data, prefix in cases:
        form = {f"{prefix}{key}": item for key, item in data.items()}
        for body, content_type in (
            (json.dumps(data), "application/json"),
            ({**form, "csrfmiddlewaretoken": token}, None),
        ):
            kwargs = {"content_type": content_type} if content_type else {}
            response = client.post(
                url, body, headers={"Accept": "application/json", "X-CSRFToken": token}, **kwargs
            )

            assert response.status_code == 400, (url, data, content_type, response.status_code)
            assert response.json()["error"], (url, data)
    # The one form-only view answers with its page.
    response = client.post(
        reverse("newsroom:issue_create"),
        {"series": value, "date": "2026-08-01", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 400
    assert database_snapshot() == before


# --- Sizes -----------------------------------------------------------------------------------------------


def test_too_many_fields_answers_400_with_a_message(issue, writer, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client = hostile_client(writer)
    csrf_token(client)

    for query, body in (
        ("", "&".join(f"f{n}=1" for n in range(20))),
        ("?" + "&".join(f"f{n}=1" for n in range(20)), ""),
    ):
        response = client.generic(
            "POST",
            reverse("newsroom:issue_meta_save", args=[issue.pk]) + query,
            body,
            content_type="application/x-www-form-urlencoded",
        )

        assert response.status_code == 400
        assert "字段或文件太多" in response.content.decode()


def test_a_body_over_the_size_limit_answers_400_with_a_message_in_every_content_type(issue, writer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = hostile_client(writer)
    csrf_token(client)

    for content_type in ("application/x-www-form-urlencoded", "application/json", "text/plain"):
        response = client.generic(
            "POST",
            reverse("newsroom:issue_meta_save", args=[issue.pk]),
            b"x" * 2000,
            content_type=content_type,
        )

        assert response.status_code == 400, content_type
        message = (
            response.json()["error"] if content_type == "application/json" else response.content.decode()
        )
        assert "内容太长" in message, content_type


# --- Admin change lists ----------------------------------------------------------------------------------

GARBAGE_LOOKUPS = [
    "date__year=9999",
    "date__year=9999&date__month=12",
    "date__year=9999&date__month=12&date__day=31",
    "date__year=2026&date__month=13",
    "date__year=2026&date__month=1&date__day=x",
    "date__year=0",
    "created_at__year=9999",
    "created_at__year=1",
    "created_at__year=1&created_at__month=1&created_at__day=1",
    "created_at__gte=0001-01-01",
    "publish_at__gte=0001-01-01",
    "publish_at__lt=9999-12-31+23:59:59",
    "attempt_time__year=9999",
    "pk=abc",
    "pk=99999999999999999999999",
    "o=999",
    "o=x.-.1",
    "p=99999999999999999999",
    "q=%00",
    "_to_field=password",
]


def test_date_year_9999_in_the_issue_and_rendition_lists_answers_the_admins_lookup_error(issue, admin_user):
    Rendition.objects.create(issue=issue, kind=RenditionKind.PDF, status=RenditionStatus.DONE)
    client = hostile_client(admin_user)

    for url, field in (
        (reverse("admin:editorial_issue_changelist"), "date"),
        (reverse("admin:publishing_rendition_changelist"), "created_at"),
    ):
        response = client.get(f"{url}?{field}__year=9999")

        assert response.status_code == 302
        assert response["Location"] == f"{url}?e=1"


# A date typed into a lookup on a date-and-time column (?created_at__gte=0001-01-01) is naive: Django warns, as it
# does for any date typed there, and the admin answers the list.
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
def test_every_admin_list_answers_garbage_lookups_without_a_server_error(issue, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client = hostile_client(admin_user)
    failures = []

    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for query in GARBAGE_LOOKUPS:
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                failures.append((url, query, response.status_code))

    assert failures == []


@pytest.mark.parametrize(
    "value", ["99999999999999999999999", "1e400", "-1", "9999-12-31", "0001-01-01", "a\x00b", "2026-02-30"]
)
def test_every_admin_form_answers_garbage_in_every_field_without_a_server_error(issue, admin_user, value):
    """Autocomplete fields included: an invalid form is shown again, and the widget no longer looks up values
    that cannot be ids."""
    admin_user.is_superuser = True
    admin_user.save()
    client = hostile_client(admin_user)
    token = csrf_token(client)
    failures = []

    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls = [reverse("admin:{}_{}_add".format(*info))]
        if (row := model.objects.first()) is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[row.pk]))
        fields = [field.name for field in model._meta.get_fields() if getattr(field, "concrete", False)]
        for url in urls:
            response = client.post(url, {**dict.fromkeys(fields, value), "csrfmiddlewaretoken": token})
            if response.status_code >= 500:
                failures.append((url, response.status_code))

    assert failures == []


@pytest.mark.parametrize("value", ["abc", "", "1e400", "a\x00b", "2026-07-01"])
def test_an_admin_action_on_selected_rows_that_are_no_ids_is_refused_and_deletes_nothing(
    issue, admin_user, value
):
    admin_user.is_superuser = True
    admin_user.save()
    client = hostile_client(admin_user)
    token = csrf_token(client)
    before = database_snapshot()
    failures = []

    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for confirmed in ({}, {"post": "yes"}):
            response = client.post(
                url,
                {
                    "action": "delete_selected",
                    "_selected_action": [value, "1"],
                    "csrfmiddlewaretoken": token,
                    **confirmed,
                },
            )
            if response.status_code >= 500:
                failures.append((url, response.status_code))

    assert failures == []
    assert database_snapshot() == before


# --- The public archive ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/issues/9999-99-99/",
        "/issues/0000-00-00/",
        "/issues/9999-12-31/pdf/",
        "/archive/0000/",
        "/archive/9999/",
        "/archive/2026/13/",
        "/archive/9999/12/",
        "/search/?page=99999999999999999999",
        "/search/?q=x&page=-1",
        "/search/?q=x&page=1e400",
        "/search/?q=%E2%80%8B&start=9999-12-31&end=0001-01-01",
        "/search/?q=x&year=99999",
        "/archive/?page=abc",
        "/?page=99999999999999999999",
        "/topics/%ED%A0%80/",
        "/sources/%00/",
        "/feed/?page=x",
    ],
)
def test_garbage_in_the_archives_addresses_never_answers_500(issue, url):
    response = hostile_client().get(url)

    assert response.status_code in (200, 301, 302, 400, 404), response.status_code


def test_a_ten_megabyte_search_answers_400_at_once(db):
    response = hostile_client().get("/search/", {"q": "数" * (10 * 1024 * 1024 // 3)})

    assert response.status_code == 400
    assert "地址太长" in response.content.decode()
