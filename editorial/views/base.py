"""What every newsroom view shares: who may enter, how input is read, how refusals are answered.

Views stay thin: they parse input with a form, call one service, and turn an EditorialError into a message.
A browser form gets the messages framework and a redirect back (403 renders a page); a fetch call that asks
for JSON (`Accept: application/json`) gets `{"error": message}` with the error's status: 400 bad input,
403 forbidden, 409 a conflict or an illegal transition.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from editorial.errors import EditorialError, InvalidInput, StaleVersion, TransitionForbidden
from xinzhi.request_parsing import MalformedRequest, json_body, wants_json

NEWSROOM_PERMISSION = "editorial.view_issue"


def request_data(request: HttpRequest):
    """The POST body as a mapping: JSON from fetch calls (parsed under xinzhi.request_parsing's rules), form
    fields otherwise.

    Raises InvalidInput for a JSON body that is not an object or that xinzhi.request_parsing.parse_json refuses
    (the middleware normally refused it already)."""
    if request.content_type == "application/json":
        try:
            data = json_body(request)
        except MalformedRequest as error:
            raise InvalidInput(error.message) from None
        if not isinstance(data, dict):
            raise InvalidInput(_("请求格式错误：应为 JSON 对象。"))
        return data
    return request.POST


def form_errors_text(form: forms.Form) -> str:
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        for error in errors:
            parts.append(f"{label}：{error}" if label else str(error))
    return "；".join(parts)


def valid(form: forms.Form) -> forms.Form:
    """The form, validated; invalid input becomes an InvalidInput with every error in one message."""
    if not form.is_valid():
        raise InvalidInput(form_errors_text(form))
    return form


def back_url(request: HttpRequest, fallback: str | None = None) -> str:
    """Where a form post returns to: an explicit `next`, the page it came from, or the dashboard."""
    for candidate in (request.POST.get("next"), request.headers.get("Referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback or reverse("newsroom:dashboard")


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": message}, status=403)
    return render(request, "editorial/403.html", {"message": message}, status=403)


def error_response(
    request: HttpRequest, error: EditorialError, *, fallback: str | None = None
) -> HttpResponse:
    if wants_json(request):
        payload: dict = {"error": error.message}
        if isinstance(error, StaleVersion):
            # Both texts go back to the browser: what is stored now, and what this save tried to store.
            payload["current"] = error.current
            payload["submitted"] = getattr(error, "submitted", {})
            if getattr(error, "merge", None) is not None:
                payload["merge"] = error.merge
        return JsonResponse(payload, status=error.status)
    if isinstance(error, TransitionForbidden) or error.status == 403:
        return forbidden(request, error.message)
    messages.error(request, error.message)
    return redirect(back_url(request, fallback))


def done(
    request: HttpRequest, *, message: str = "", redirect_to: str, data: dict | None = None
) -> HttpResponse:
    """Success: JSON for fetch calls, a flash message and a redirect (303: POST -> GET) for forms."""
    if wants_json(request):
        return JsonResponse({"ok": True, "message": message, **(data or {})})
    if message:
        messages.success(request, message)
    response = redirect(redirect_to)
    response.status_code = 303
    return response


def newsroom(view: Callable) -> Callable:
    """Only signed-in, active members of a newsroom group get in; refusals from services become messages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            if wants_json(request):
                return JsonResponse({"error": _("请先登录。")}, status=403)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not (user.is_active and user.has_perm(NEWSROOM_PERMISSION)):
            return forbidden(request, _("您的账号没有编辑部权限，请联系管理员。"))
        try:
            return view(request, *args, **kwargs)
        except EditorialError as error:
            return error_response(request, error)

    return wrapper
