"""Security headers and request rules of the newsroom: CSP allowing what CKEditor needs and nothing more,
framing refused, CSRF on every change, `check --deploy` clean with production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.test import Client
from django.urls import reverse

from editorial.models import IssueState
from xinzhi.security import build_policy

ROOT = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_newsroom_pages_carry_a_strict_content_security_policy(client, writer, draft_issue):
    client.force_login(writer)

    response = client.get(reverse("newsroom:editor", args=[draft_issue.pk]))

    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == "'self'"  # no inline script, no eval: CKEditor 5 needs neither
    assert policy["style-src"] == "'self' 'unsafe-inline'"  # CKEditor positions its UI with style attributes
    assert policy["connect-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["img-src"].startswith("'self' data: blob:")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script(client, writer, draft_issue):
    client.force_login(writer)

    for name in ("editor", "review"):
        html = client.get(reverse(f"newsroom:{name}", args=[draft_issue.pk])).content.decode()
        scripts = [chunk for chunk in html.split("<script")[1:]]
        # Every script is a file (src=) or inert JSON data (CKEditor's configuration).
        assert all(
            " src=" in s.split(">")[0] or 'type="application/json"' in s.split(">")[0] for s in scripts
        )
        assert " onclick=" not in html and " onload=" not in html


def test_json_answers_carry_no_policy(client, writer, draft_issue):
    client.force_login(writer)

    response = client.get(reverse("newsroom:source_search"), {"q": "x"})

    assert "Content-Security-Policy" not in response


def test_images_from_object_storage_are_allowed_when_configured(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "x", "OPTIONS": {"endpoint_url": "https://s3.example.org/bucket"}},
    }

    policy = directives(build_policy(frame_ancestors="'none'"))

    assert policy["img-src"] == "'self' data: blob: https://s3.example.org"


def test_transitions_need_the_csrf_token(writer, draft_issue):
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)

    response = client.post(reverse("newsroom:submit", args=[draft_issue.pk]))

    assert response.status_code == 403
    draft_issue.refresh_from_db()
    assert draft_issue.state == IssueState.DRAFT


def test_autosave_with_the_token_from_the_page_passes_csrf(writer, draft_issue):
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    html = client.get(reverse("newsroom:editor", args=[draft_issue.pk])).content.decode()
    token = html.split('<meta name="csrf-token" content="', 1)[1].split('"', 1)[0]
    section = draft_issue.sections.get(position=1)

    response = client.post(
        reverse("newsroom:section_save", args=[section.pk]),
        data='{"headline": "新标题", "version": 1}',
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert response.status_code == 200


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "a-long-production-secret-key-with-enough-variety-9f8e7d6c5b4a",
        "ALLOWED_HOSTS": "bulletin.example.org",
        "XINZHI_VAR_DIR": str(tmp_path),
    }
    # A production process has neither a development database URL nor the browser tests' async override.
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
