"""Login throttling with django-axes: who is asking, what a locked-out visitor sees, and what a success resets.

Failed logins are counted in the database (axes' database handler), so every gunicorn node counts together.
A username, and separately an address, is locked out after AXES_FAILURE_LIMIT failures within the cool-off
period (settings.py, from LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES); an admin unlocks earlier by deleting
the rows under 登录保护 › 登录失败计数 in the admin.
"""

from __future__ import annotations

import ipaddress
import math

from axes.apps import AppConfig as AxesAppConfig
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class LoginProtectionConfig(AxesAppConfig):
    """django-axes under a Chinese name in the admin, with a reset that is the user's own (see below)."""

    verbose_name = _("登录保护")

    def ready(self) -> None:
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog
        from django.contrib.auth.signals import user_logged_in

        # axes ships no Chinese catalogue. The names the admin shows are set here rather than in a Meta (which
        # would need a migration of axes' app): migrations read Meta from _meta.original_attrs, not from these.
        for model, name in (
            (AccessAttempt, _("登录失败计数")),
            (AccessFailureLog, _("登录失败明细")),
            (AccessLog, _("登录记录")),
        ):
            model._meta.verbose_name = model._meta.verbose_name_plural = name

        user_logged_in.connect(forget_failures, dispatch_uid="xinzhi.login_protection.forget_failures")


def forget_failures(sender, request, user, **kwargs) -> None:
    """A successful login forgets that user's failures, and only theirs.

    axes' own AXES_RESET_ON_SUCCESS deletes every failure recorded from the address too, so someone with an
    account could guess another user's password from one address for ever, signing in to their own account
    between guesses. Failures against other usernames stay counted, by address and by username.
    """
    from axes.utils import reset

    if settings.AXES_ENABLED:
        reset(username=user.get_username())


def username_of(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username a login attempt is counted against (AXES_USERNAME_CALLABLE): as typed, cut to the 255
    characters axes' tables hold. Django's login form does not limit its length, and on PostgreSQL a longer one
    would make recording the failure a 500; real usernames are at most 150 characters, so none is cut.
    """
    value = (credentials if credentials is not None else request.POST).get("username")
    return value[:255] if isinstance(value, str) else value


def client_ip(request: HttpRequest) -> str:
    """The address a login attempt is counted against: a string such as "203.0.113.7".

    REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT says that N reverse proxies stand in front of the app,
    each appending the address it received the request from to X-Forwarded-For: then the client is the N-th
    entry from the right. Entries further left are whatever the client sent and are never used, or an attacker
    would rotate addresses at will. A header shorter than the configured chain, or an entry that is not an
    address, falls back to REMOTE_ADDR (the proxy: stricter, never looser). (django-ipware's strict mode gives
    no address at all for a chain of the wrong length, which axes would count as one shared "None".)
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(chain) < count:
        return remote
    candidate = chain[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The login page that was asked for (newsroom or admin) again, with an empty form, the lockout message in
    the user's language and HTTP 429 (AXES_LOCKOUT_CALLABLE, called by axes.middleware.AxesMiddleware in place
    of the page the login view made). The username typed stays filled in; the password is never echoed.
    """
    from django.contrib.auth.forms import AuthenticationForm
    from django.template.response import TemplateResponse

    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    message = gettext("登录失败次数过多，已暂时锁定。请在 %(minutes)d 分钟后再试，或请管理员解除锁定。") % {
        "minutes": minutes
    }
    username = request.POST.get("username", "")
    if isinstance(original_response, TemplateResponse) and original_response.context_data:
        # Both login views (the newsroom's and the admin's) answer with a TemplateResponse of their own form.
        template = original_response.template_name
        context = dict(original_response.context_data)
        form_class = type(context.get("form")) if context.get("form") is not None else AuthenticationForm
    else:
        template, context, form_class = "registration/login.html", {}, AuthenticationForm
    context.update(
        form=form_class(request, initial={"username": username}),
        lockout_message=message,
        next=request.POST.get("next", request.GET.get("next", "")),
    )
    response = TemplateResponse(request, template, context, status=429)
    return response.render()


def prune_login_records(*, keep_days: int) -> int:
    """Delete the sign-in and failure records (axes' AccessLog, AccessFailureLog) older than `keep_days` days;
    returns how many rows went. Without this the tables grow by a row for every sign-in, for ever. (The failure
    counts, AccessAttempt, need no pruning: axes drops those past their cool-off at every login attempt.)"""
    # Imported here: axes' handlers import its models, which cannot load before the app registry is ready,
    # and this module is the app config axes is installed through.
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.reset_logs(age_days=keep_days) + AxesProxyHandler.reset_failure_logs(
        age_days=keep_days
    )
