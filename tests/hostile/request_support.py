"""What the malformed-request tests share: a fingerprint of every row the apps keep, and clients that behave as a
browser in production does (CSRF enforced, errors answered rather than raised)."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.test import Client

# The apps whose rows a request could change; sessions and login-attempt records are not content.
CONTENT_APPS = ("editorial", "references", "publishing")


def database_snapshot() -> dict[str, tuple[int, str]]:
    """{model label: (row count, SHA-256 of every row's values in primary-key order)} for the content apps,
    many-to-many tables included."""
    snapshot = {}
    for label in CONTENT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            rows = list(model.objects.order_by("pk").values_list())
            digest = hashlib.sha256(repr(rows).encode("utf-8", "surrogatepass")).hexdigest()
            snapshot[model._meta.label] = (len(rows), digest)
    return snapshot


def hostile_client(user=None) -> Client:
    """A client as production answers it: a failing view gives its 500 page instead of raising in the test,
    and CSRF is checked (a real csrftoken cookie and the matching token are the caller's to send)."""
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def csrf_token(client: Client) -> str:
    """A valid CSRF token for `client`, its cookie set (as a page with a form would have set it)."""
    token = "x" * 32
    client.cookies["csrftoken"] = token
    return token
