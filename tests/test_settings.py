"""Settings come from the environment: embedded defaults, switches to PostgreSQL and Redis, and a start-up
that stops with a message naming the variable when a value is wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Long and varied enough for Django's own deployment check (security.W009), not only for start-up.
LONG_SECRET = "k8s0-vQ2p1_a9Lr-Xy7mW3eTz5Nc6Hb4Jf8Gd2Sx0Ru1Pq9Oi-tY6uZ3wA"
PRODUCTION = {"DJANGO_DEBUG": "0", "SECRET_KEY": LONG_SECRET, "ALLOWED_HOSTS": "xinzhi.example.org"}

SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "debug": s.DEBUG,
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""), "port": db.get("PORT"),
    "eager": s.CELERY_TASK_ALWAYS_EAGER, "broker": s.CELERY_BROKER_URL,
    "cache": s.CACHES["default"]["BACKEND"], "cache_location": s.CACHES["default"].get("LOCATION"),
    "email": s.EMAIL_BACKEND, "email_host": getattr(s, "EMAIL_HOST", None),
    "time_zone": s.TIME_ZONE, "language": s.LANGUAGE_CODE,
    "allowed_hosts": s.ALLOWED_HOSTS, "secret_key": s.SECRET_KEY, "var": str(s.VAR_DIR),
}))
"""


def start(code: str = "import django; django.setup()", *args: str, **env: str) -> subprocess.CompletedProcess:
    """Start Python with only `env` set (plus what a shell needs), as a fresh server would."""
    clean = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "SYSTEMROOT") if key in os.environ}
    clean["DJANGO_SETTINGS_MODULE"] = "xinzhi.settings"
    clean.update(env)
    command = [sys.executable, "-c", code] if code else [sys.executable, *args]
    return subprocess.run(command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def settings_with(**env: str) -> dict:
    result = start(SHOW_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


BAD = [
    ("DATABASE_URL", {"DATABASE_URL": "mysql://user:hunter2@db.example/xinzhi"}),
    ("DATABASE_URL", {"DATABASE_URL": "not a url"}),
    ("DATABASE_URL", {"DATABASE_URL": "postgres://db.example:port/xinzhi"}),
    ("DATABASE_URL", {"DATABASE_URL": "postgres://db.example:5432/"}),
    ("REDIS_URL", {"REDIS_URL": "localhost:6379"}),
    ("REDIS_URL", {"REDIS_URL": "http://127.0.0.1:6379/0"}),
    ("REDIS_URL", {"REDIS_URL": "redis://127.0.0.1:six/0"}),
    ("DJANGO_DEBUG", {"DJANGO_DEBUG": "maybe"}),
    ("DJANGO_DEBUG", {"DJANGO_DEBUG": "2"}),
    ("TIME_ZONE", {"TIME_ZONE": "Beijing"}),
    ("TIME_ZONE", {"TIME_ZONE": "../../etc/passwd"}),
    ("LANGUAGE_CODE", {"LANGUAGE_CODE": "fr"}),
    ("LANGUAGE_CODE", {"LANGUAGE_CODE": "zh_CN"}),
    ("EMAIL_URL", {"EMAIL_URL": "sendmail://localhost"}),
    ("EMAIL_URL", {"EMAIL_URL": "smtp://"}),
    ("EMAIL_URL", {"EMAIL_URL": "smtp://user:pw@mail.example.org:smtp"}),
    ("SECRET_KEY", {"DJANGO_DEBUG": "0", "ALLOWED_HOSTS": "xinzhi.example.org"}),
    ("SECRET_KEY", {"DJANGO_DEBUG": "0", "SECRET_KEY": "   ", "ALLOWED_HOSTS": "xinzhi.example.org"}),
    ("SECRET_KEY", {"DJANGO_DEBUG": "0", "SECRET_KEY": "too-short", "ALLOWED_HOSTS": "xinzhi.example.org"}),
    ("ALLOWED_HOSTS", {"DJANGO_DEBUG": "0", "SECRET_KEY": LONG_SECRET}),
    ("ALLOWED_HOSTS", {"DJANGO_DEBUG": "0", "SECRET_KEY": LONG_SECRET, "ALLOWED_HOSTS": " , "}),
    ("DB_CONN_MAX_AGE", {"DB_CONN_MAX_AGE": "forever"}),
    ("LOG_LEVEL", {"LOG_LEVEL": "LOUD"}),
    # Letting image imports reach a local test server is refused in production.
    ("XINZHI_IMAGE_FETCH_ALLOW_HOSTS", {**PRODUCTION, "XINZHI_IMAGE_FETCH_ALLOW_HOSTS": "127.0.0.1"}),
]


@pytest.mark.parametrize(("variable", "env"), BAD, ids=[f"{v}={'|'.join(e.values())}" for v, e in BAD])
def test_a_bad_value_stops_start_up_naming_the_variable(variable, env):
    result = start(**env)

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured"), result.stderr
    assert variable in last_line
    assert "hunter2" not in result.stderr  # a password in a bad URL is not echoed into logs


def test_the_image_fetch_test_host_is_accepted_in_development_only_and_unset_by_default():
    show = "import django; django.setup(); from django.conf import settings; print(settings.IMAGE_FETCH_ALLOW_HOSTS)"

    assert start(show).stdout.strip() == "[]"
    assert start(show, XINZHI_IMAGE_FETCH_ALLOW_HOSTS="127.0.0.1").stdout.strip() == "['127.0.0.1']"


def test_a_missing_wechat_secret_file_does_not_stop_the_site():
    """WeChat is one channel: its secret file missing turns pushing off (the newsroom says what to fix,
    publishing.wechat.client.app_secret_from_settings), the site still starts."""
    result = start(WECHAT_APP_SECRET_FILE="/nonexistent/wechat_app_secret")

    assert result.returncode == 0, result.stderr


def test_the_wechat_api_must_be_https_in_production():
    result = start(**PRODUCTION, WECHAT_API_BASE_URL="http://wechat-staging.example.org")

    assert result.returncode != 0 and "WECHAT_API_BASE_URL" in result.stderr.strip().splitlines()[-1]


def test_manage_py_check_also_refuses_a_bad_value():
    result = start("", "manage.py", "check", TIME_ZONE="Mars/Olympus")

    assert result.returncode != 0
    assert "TIME_ZONE" in result.stderr


def test_the_embedded_defaults():
    found = settings_with()

    assert found["debug"] is True
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(ROOT / "var" / "xinzhi.sqlite3")
    assert (found["eager"], found["broker"]) == (True, "memory://")
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["email"] == "django.core.mail.backends.console.EmailBackend"
    assert (found["time_zone"], found["language"]) == ("Asia/Shanghai", "zh-hans")
    assert "127.0.0.1" in found["allowed_hosts"]


def test_redis_url_switches_the_broker_and_the_cache_to_redis():
    found = settings_with(REDIS_URL="redis://127.0.0.1:6379/0")

    assert (found["eager"], found["broker"]) == (False, "redis://127.0.0.1:6379/0")
    assert found["cache"] == "xinzhi.redis_cache.RedisCache"
    assert found["cache_location"] == "redis://127.0.0.1:6379/0"


def test_database_url_switches_to_postgresql():
    found = settings_with(DATABASE_URL="postgres://xinzhi:secret@db.example:5433/bulletin")

    assert found["engine"] == "django.db.backends.postgresql"
    assert (found["name"], found["host"], found["port"]) == ("bulletin", "db.example", 5433)


def test_email_url_switches_to_smtp():
    found = settings_with(EMAIL_URL="smtp://desk%40example.org:pw@mail.example.org:587")

    assert (found["email"], found["email_host"]) == (
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
    )


def test_time_zone_and_language_can_be_chosen():
    found = settings_with(TIME_ZONE="Europe/Berlin", LANGUAGE_CODE="en")

    assert (found["time_zone"], found["language"]) == ("Europe/Berlin", "en")


def test_production_takes_the_secret_key_and_hosts_from_the_environment():
    found = settings_with(**{**PRODUCTION, "ALLOWED_HOSTS": "xinzhi.example.org, www.xinzhi.example.org"})

    assert found["debug"] is False
    assert found["secret_key"] == LONG_SECRET
    assert found["allowed_hosts"] == ["xinzhi.example.org", "www.xinzhi.example.org"]


def test_the_deployment_check_passes_with_production_settings():
    result = start("", "manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr
