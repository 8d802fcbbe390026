"""Brute force on both login pages: a username, and an address, is locked out after a few failures, with a
message on the login page itself and HTTP 429, until the cool-off passes or an admin unlocks it."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core import mail
from django.db.models import F
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from editorial.tasks import prune_old_login_records
from tests.test_settings import PRODUCTION, start
from xinzhi.login_protection import client_ip

LOGIN_PAGES = ["/accounts/login/", "/admin/login/"]
LOCKED = "登录失败次数过多"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def visitor(address: str = "198.51.100.1", **extra) -> Client:
    return Client(REMOTE_ADDR=address, **extra)


def attempt(client: Client, username: str, password: str, page: str = "/accounts/login/"):
    return client.post(page, {"username": username, "password": password, "next": "/newsroom/"})


def fail(client: Client, username: str, times: int, page: str = "/accounts/login/") -> list[int]:
    return [attempt(client, username, f"guess-{n}", page).status_code for n in range(times)]


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def limit() -> int:
    return settings.AXES_FAILURE_LIMIT


def age_attempts(minutes: float) -> None:
    """Move every recorded failure this many minutes into the past (the cool-off counts from the last one)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME / 15 * minutes)


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_it_locks_the_login_after_the_failure_limit_and_refuses_even_the_right_password(page, admin_user):
    client = visitor()

    statuses = fail(client, "chief", limit(), page)
    refused = attempt(client, "chief", "pw-chief", page)

    assert statuses == [200] * (limit() - 1) + [429]
    assert refused.status_code == 429
    html = refused.content.decode()
    assert LOCKED in html and "15 分钟" in html
    assert 'data-test="login-locked"' in html
    # The login page itself, its form again with the username kept, the password never echoed.
    assert 'name="password"' in html and 'value="chief"' in html
    assert "pw-chief" not in html and "guess-" not in html
    assert not is_signed_in(client)
    assert AccessFailureLog.objects.filter(username="chief", locked_out=True).exists()


def test_failures_on_one_login_page_lock_the_other_too(admin_user):
    client = visitor()

    fail(client, "chief", limit(), "/accounts/login/")

    assert attempt(client, "chief", "pw-chief", "/admin/login/").status_code == 429
    assert not is_signed_in(client)


def test_a_locked_username_is_refused_from_any_address(writer):
    fail(visitor("198.51.100.1"), "writer", limit())

    elsewhere = visitor("203.0.113.50")
    response = attempt(elsewhere, "writer", "pw-writer")

    assert response.status_code == 429
    assert not is_signed_in(elsewhere)


def test_a_locked_address_is_refused_for_any_username(writer, reviewer):
    attacker = visitor("198.51.100.1")
    # One guess per username, as a password-spraying attacker would.
    for n in range(limit()):
        attempt(attacker, f"user{n}", "123456")

    response = attempt(attacker, "reviewer", "pw-reviewer")

    assert response.status_code == 429
    assert not is_signed_in(attacker)
    # Someone else, somewhere else, is not affected.
    bystander = visitor("203.0.113.50")
    assert attempt(bystander, "writer", "pw-writer").status_code == 302
    assert is_signed_in(bystander)


def test_a_forged_forwarded_for_header_does_not_make_a_new_address(writer):
    client = visitor("198.51.100.1")

    for n in range(limit()):
        client.post(
            "/accounts/login/",
            {"username": f"user{n}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )

    response = client.post(
        "/accounts/login/", {"username": "writer", "password": "pw-writer"}, HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}


def test_after_the_cool_off_the_right_password_signs_in(writer):
    client = visitor()
    fail(client, "writer", limit())

    age_attempts(minutes=14)
    assert attempt(client, "writer", "pw-writer").status_code == 429
    age_attempts(minutes=2)
    response = attempt(client, "writer", "pw-writer")

    assert response.status_code == 302
    assert response["Location"] == "/newsroom/"
    assert is_signed_in(client)


def test_failures_during_the_lockout_do_not_extend_it(writer):
    client = visitor()
    fail(client, "writer", limit())

    age_attempts(minutes=10)
    fail(client, "writer", 3)
    age_attempts(minutes=6)

    assert attempt(client, "writer", "pw-writer").status_code == 302


def test_a_successful_sign_in_forgets_the_users_failures(writer):
    client = visitor()

    fail(client, "writer", limit() - 1)
    assert attempt(client, "writer", "pw-writer").status_code == 302
    client.post("/accounts/logout/")
    fail(client, "writer", limit() - 1)

    assert attempt(client, "writer", "pw-writer").status_code == 302
    assert is_signed_in(client)


def test_signing_in_to_ones_own_account_does_not_forget_guesses_at_another(writer, admin_user):
    insider = visitor()

    fail(insider, "chief", limit() - 1)
    assert attempt(insider, "writer", "pw-writer").status_code == 302
    insider.post("/accounts/logout/")

    assert fail(insider, "chief", 1) == [429]
    assert attempt(visitor("203.0.113.50"), "chief", "pw-chief").status_code == 429


def test_an_admin_unlocks_a_user_by_deleting_the_attempts(writer, admin_user):
    locked = visitor()
    fail(locked, "writer", limit())
    assert attempt(locked, "writer", "pw-writer").status_code == 429
    admin = Client()
    admin.force_login(admin_user)

    changelist = admin.get(reverse("admin:axes_accessattempt_changelist"))
    attempts = list(AccessAttempt.objects.filter(username="writer").values_list("pk", flat=True))
    unlocked = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )

    assert changelist.status_code == 200 and "writer" in changelist.content.decode()
    assert unlocked.status_code == 302
    assert not AccessAttempt.objects.filter(username="writer").exists()
    assert attempt(locked, "writer", "pw-writer").status_code == 302
    assert is_signed_in(locked)


def test_the_admin_index_lists_the_login_protection(client, admin_user):
    client.force_login(admin_user)

    html = client.get(reverse("admin:index")).content.decode()

    assert "登录保护" in html and "登录失败计数" in html and "登录记录" in html
    assert reverse("admin:axes_accessattempt_changelist") in html


def test_a_password_reset_does_not_lift_the_lockout(client, writer):
    attacker = visitor()
    fail(attacker, "writer", limit())

    client.post("/accounts/password_reset/", {"email": "writer@example.org"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "新的-Passw0rd-2026", "new_password2": "新的-Passw0rd-2026"},
    )

    # The reset changes the password and signs nobody in; the username stays locked until the cool-off.
    assert done.status_code == 302
    assert not is_signed_in(client)
    assert attempt(visitor("203.0.113.50"), "writer", "新的-Passw0rd-2026").status_code == 429


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_hostile_credentials_are_a_form_error_not_a_500(page, writer):
    client = visitor(HTTP_USER_AGENT="x" * 5000, HTTP_ACCEPT="y" * 5000)

    for username, password in [("w" * 10_000, "x"), ("writer\x00", "x"), ("writer", "pw\x00" * 1000)]:
        assert attempt(client, username, password, page).status_code == 200

    # The overlong username counts under its first 255 characters (NUL characters are refused by the form
    # before any password check); the record holds no password.
    stored = AccessAttempt.objects.get()
    assert stored.username == "w" * 255
    assert "password=x" not in stored.post_data and "password=*" in stored.post_data


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.7", "172.18.0.5"),  # no proxy configured: the header is anyone's to write
        (1, "203.0.113.7", "203.0.113.7"),  # the proxy appended who connected to it
        (1, "10.0.0.1, 203.0.113.7", "203.0.113.7"),  # the left entry is the client's forgery
        (2, "10.0.0.1, 203.0.113.7, 192.0.2.10", "203.0.113.7"),  # the outer proxy saw the client
        (2, "203.0.113.7", "172.18.0.5"),  # shorter than the chain: the proxy, never a guess
        (1, "not-an-address", "172.18.0.5"),
        (1, "", "172.18.0.5"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_behind_trusted_proxies(settings, proxies, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="172.18.0.5")
    request.META["HTTP_X_FORWARDED_FOR"] = forwarded_for

    assert client_ip(request) == expected


def test_behind_one_proxy_clients_are_counted_apart(settings, writer):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "172.18.0.5"
    attacker = visitor(proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    for n in range(limit()):
        attempt(attacker, f"user{n}", "x")

    colleague = visitor(proxy, HTTP_X_FORWARDED_FOR="203.0.113.50")

    assert attempt(attacker, "writer", "pw-writer").status_code == 429
    assert attempt(colleague, "writer", "pw-writer").status_code == 302


SHOW_THROTTLE = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps([s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), s.TRUSTED_PROXY_COUNT]))
"""


def test_the_throttle_is_configured_from_the_environment():
    default = start(SHOW_THROTTLE, **PRODUCTION)
    configured = start(
        SHOW_THROTTLE,
        LOGIN_FAILURE_LIMIT="8",
        LOGIN_LOCKOUT_MINUTES="60",
        TRUSTED_PROXY_COUNT="1",
        **PRODUCTION,
    )

    assert json.loads(default.stdout.splitlines()[-1]) == [5, 900.0, 0], default.stderr
    assert json.loads(configured.stdout.splitlines()[-1]) == [8, 3600.0, 1], configured.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("LOGIN_FAILURE_LIMIT", "0"), ("LOGIN_LOCKOUT_MINUTES", "a quarter"), ("TRUSTED_PROXY_COUNT", "-1")],
)
def test_a_malformed_throttle_setting_stops_start_up_naming_it(name, value):
    result = start(**{name: value}, **PRODUCTION)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and name in result.stderr.strip().splitlines()[-1]


def test_the_daily_task_removes_old_login_records(settings, writer, eager):
    settings.LOGIN_RECORDS_KEEP_DAYS = 90
    client = visitor()
    fail(client, "writer", 2)
    assert attempt(client, "writer", "pw-writer").status_code == 302
    fail(visitor("198.51.100.2"), "reviewer", 1)
    assert AccessLog.objects.count() == 1 and AccessFailureLog.objects.count() == 3
    old = timezone.now() - dt.timedelta(days=91)
    AccessLog.objects.update(attempt_time=old)
    AccessFailureLog.objects.filter(username="writer").update(attempt_time=old)

    assert prune_old_login_records.delay().get() == 1 + 2

    assert not AccessLog.objects.exists()
    assert list(AccessFailureLog.objects.values_list("username", flat=True)) == ["reviewer"]
    # The reviewer's count is still there: only its cool-off (axes, at the next attempt) removes it.
    assert AccessAttempt.objects.filter(username="reviewer").exists()
