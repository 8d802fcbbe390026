"""Headers and cookies on every answer: Permissions-Policy turns off the browser features the site never uses,
whatever depends on who asks is never stored by a shared cache, and every cookie is SameSite=Lax and, in
production, Secure."""

from __future__ import annotations

import json
from http.cookies import SimpleCookie

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from editorial import workflow
from tests.test_settings import PRODUCTION, start


def features(header: str) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in header.split(","))


def is_private(response) -> bool:
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives and not directives & {"public", "max-age", "s-maxage"}


@pytest.fixture
def published(make_issue, writer, reviewer):
    issue = make_issue()
    workflow.issue_submit(issue=issue, user=writer)
    workflow.issue_approve(issue=issue, user=reviewer)
    workflow.issue_publish(issue=issue, user=None)
    return issue


def newsroom_urls(pk: int) -> list[str]:
    """Every route of the newsroom (both namespaces under /newsroom/), with `pk` for each number it takes."""
    urls = []
    for namespace in ("newsroom", "renditions"):
        resolver = get_resolver().namespace_dict[namespace][1]
        for pattern in resolver.url_patterns:
            assert isinstance(pattern, URLPattern)
            kwargs = {name: pk if name == "pk" else 1 for name in pattern.pattern.converters}
            urls.append(reverse(f"{namespace}:{pattern.name}", kwargs=kwargs))
    return urls


def test_every_answer_denies_the_browser_features_the_site_never_uses(client, writer, published):
    client.force_login(writer)
    answers = [
        client.get("/"),
        client.get(reverse("archive:issue", args=[published.date.isoformat()])),
        client.get("/feed/"),
        client.get("/no-such-page/"),
        client.get("/newsroom/"),
        client.get(reverse("newsroom:source_search"), {"q": "x"}),
        client.get("/admin/login/"),
        Client().get("/accounts/login/"),
    ]

    for response in answers:
        policy = features(response["Permissions-Policy"])
        for feature in ("camera", "microphone", "geolocation", "payment", "usb", "display-capture"):
            assert policy[feature] == "()", (response.request["PATH_INFO"], feature)
        # Pasting into CKEditor works from the paste event, which needs no permission; nothing is full screen.
        assert not {"clipboard-read", "clipboard-write", "fullscreen"} & set(policy)


def test_every_newsroom_answer_is_private_and_never_stored(client, writer, draft_issue):
    client.force_login(writer)

    checked = 0
    for url in newsroom_urls(draft_issue.pk):
        response = client.get(url)
        assert response.status_code < 500, url
        if url == reverse("newsroom:jsi18n") or response.status_code == 405:
            # The translations of the editor's scripts, and "use POST": the same for everyone, made from
            # nobody's session.
            assert b"writer" not in response.content, url
            continue
        assert is_private(response), (url, response.status_code, response.get("Cache-Control"))
        checked += 1
    assert checked >= 10


def test_newsroom_json_answers_and_posts_are_private(client, writer, draft_issue):
    client.force_login(writer)
    section = draft_issue.sections.get(position=1)

    answers = [
        client.get(reverse("newsroom:source_search"), {"q": "数据"}),
        client.post(
            reverse("newsroom:section_save", args=[section.pk]),
            data='{"headline": "新标题", "version": 1}',
            content_type="application/json",
            HTTP_ACCEPT="application/json",
        ),
        client.post(reverse("newsroom:submit", args=[draft_issue.pk])),
    ]

    for response in answers:
        assert response.status_code in (200, 302)
        assert is_private(response), response.request["PATH_INFO"]


@pytest.mark.parametrize(
    "url", ["/newsroom/", "/accounts/login/", "/accounts/password_reset/", "/admin/", "/admin/login/"]
)
def test_pages_for_the_anonymous_that_depend_on_the_session_are_private(client, db, url):
    response = client.get(url)

    assert is_private(response), url


def test_the_admin_is_private(client, admin_user):
    client.force_login(admin_user)

    for url in ("/admin/", "/admin/editorial/issue/", "/admin/axes/accessattempt/"):
        response = client.get(url)
        assert response.status_code == 200
        assert is_private(response), url


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_public_archive_stays_cacheable(client, writer, published, signed_in):
    if signed_in:
        client.force_login(writer)

    for url in ("/", reverse("archive:issue", args=[published.date.isoformat()]), "/feed/", "/archive/"):
        response = client.get(url)
        assert response.status_code == 200, url
        # It varies by the language cookie, not by who is signed in.
        assert "public" in response["Cache-Control"] and "private" not in response["Cache-Control"], url


def production_cookie_settings(tmp_path) -> dict:
    """Every *_COOKIE_* setting as xinzhi/settings.py computes it with DJANGO_DEBUG=0, in a fresh process."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({n: getattr(settings, n) for n in dir(settings) if '_COOKIE_' in n}))"
    )
    result = start(script, **PRODUCTION, XINZHI_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_cookie_is_samesite_lax_and_secure_in_production(settings, tmp_path, writer, draft_issue):
    production = production_cookie_settings(tmp_path)
    for name, value in production.items():
        setattr(settings, name, value)
    client = Client(HTTP_HOST="testserver", REMOTE_ADDR="198.51.100.1")
    cookies: list = []

    def collect(response):
        cookies.extend(morsel for morsel in response.cookies.values() if morsel.value)
        return response

    collect(client.get("/accounts/login/", secure=True))
    collect(client.post("/accounts/login/", {"username": "writer", "password": "nope"}, secure=True))
    collect(client.post("/accounts/login/", {"username": "writer", "password": "pw-writer"}, secure=True))
    collect(client.get("/newsroom/", secure=True))
    collect(client.get(reverse("newsroom:editor", args=[draft_issue.pk]), secure=True))
    # A transition leaves a message for the next page (the messages cookie).
    collect(client.post(reverse("newsroom:submit", args=[draft_issue.pk]), secure=True))
    collect(client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True))
    collect(client.post("/accounts/logout/", secure=True))

    names = {morsel.key for morsel in cookies}
    assert {"csrftoken", "sessionid", "django_language", "messages"} <= names, names
    for morsel in cookies:
        assert morsel["samesite"] == "Lax", morsel.key
        assert morsel["secure"] is True, morsel.key
        # Scripts read none but the CSRF token (django-ckeditor-5's upload adapter takes it from the cookie).
        assert morsel["httponly"] is True or morsel.key == "csrftoken", morsel.key
        # What the browser receives parses back to the same attributes.
        parsed = SimpleCookie(morsel.OutputString())[morsel.key]
        assert parsed["samesite"] == "Lax" and parsed["secure"], morsel.key
