"""Error views that Django calls before any of the apps' views run."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from xinzhi.request_parsing import malformed_response, message_for, wants_json


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 for a request Django refuses to read where RequestParsingMiddleware did not already (a bad host, a
    body read again after the middleware): JSON `{"error": message}` for the editor's autosave and other JSON
    callers, so the editor shows the message in its status line instead of failing to parse an HTML page;
    templates/400.html otherwise.

    Unlike Django's own view it runs no CSRF check: that check reads the body again, and a body Django cannot
    read raised the same error inside this view until the server answered with a bare 500."""
    return malformed_response(request, message_for(exception))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a post without a valid CSRF token (settings.CSRF_FAILURE_VIEW), most often a page left open
    past its session or a cookie the browser dropped: JSON `{"error": message}` for the editor's fetch calls,
    so the status line shows what to do, and templates/403_csrf.html otherwise. `reason` is Django's English
    diagnosis, for the log only: it means nothing to a writer."""
    message = _("安全校验失败（页面可能已过期或 Cookie 被禁用），没有保存任何内容。请刷新页面后重试。")
    if wants_json(request):
        return JsonResponse({"error": message}, status=403)
    return render(request, "403_csrf.html", {"message": message}, status=403)
