"""Read settings from the environment, failing loudly with the variable's name.

A typo in production configuration must stop start-up with a message that says which variable is wrong,
never fall back silently to a development default.
"""

from __future__ import annotations

import os
import zoneinfo
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    items = [item.strip() for item in (raw or "").split(",") if item.strip()]
    if not items:
        # "," or " , " is as empty as unset: a required list must end up with at least one item.
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required (comma-separated).")
        return default
    return items


def redact_url(value: str) -> str:
    """The URL with its password replaced, so that an error message can quote it into logs."""
    parsed = urlparse(value)
    if parsed.password is None:
        return value
    netloc = parsed.netloc.rsplit("@", 1)
    userinfo = netloc[0].split(":", 1)[0] + ":***"
    return parsed._replace(netloc=f"{userinfo}@{netloc[1]}").geturl()


def env_url(name: str, *, schemes: tuple[str, ...], default: str | None = None) -> str | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    try:
        parsed = urlparse(value)
        parsed.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not a valid URL (check the host and port).") from None
    if parsed.scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(f"{name} must start with one of {allowed}; got {redact_url(value)!r}.")
    return value


def env_time_zone(name: str, default: str) -> str:
    value = env_str(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be an IANA time zone such as Asia/Shanghai; got {value!r}."
        ) from None
    return value
