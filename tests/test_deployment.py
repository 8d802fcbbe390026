"""The production stack is described, not run, here (no Docker engine): these tests keep it honest."""

from pathlib import Path

import pytest
import yaml
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = {"migrate", "web", "worker", "beat"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_describes_the_production_services(compose):
    assert set(compose["services"]) == {"db", "redis"} | APP_SERVICES
    assert compose["services"]["db"]["image"].startswith("postgres:")
    assert compose["services"]["redis"]["image"].startswith("redis:")
    assert {"pgdata", "media"} <= set(compose["volumes"])


def test_every_app_service_runs_the_one_image_against_postgres_and_redis(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        env = service["environment"]
        assert service["build"] == "." and service["image"] == "xinzhi:latest", name
        assert env["DJANGO_DEBUG"] == "0", name
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert "SECRET_KEY" in env and "ALLOWED_HOSTS" in env, name
        assert "media:/app/var/media" in service["volumes"], name


def test_services_start_in_order_and_have_health_checks(compose):
    services = compose["services"]
    for name in ("db", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy", name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_commands_start_gunicorn_a_worker_and_exactly_one_beat(compose):
    services = compose["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "xinzhi.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "xinzhi", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "xinzhi", "beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_the_image_installs_harfbuzz_subsetting_and_cjk_fonts_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "libharfbuzz-subset0" in dockerfile
    assert "fonts-noto-cjk" in dockerfile
    assert "DJANGO_DEBUG=0" in dockerfile
    assert "\nUSER app" in dockerfile
    assert "collectstatic" in dockerfile


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz", HTTP_HOST="not-an-allowed-host.internal")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_503_when_the_database_fails(client, db, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise RuntimeError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    monkeypatch.undo()
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert "connection refused" in response.json()["database"]
