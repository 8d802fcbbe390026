"""Error views that Django calls before any of the apps' views run."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from editorial.views.base import wants_json


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 for a request Django refuses to read (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a
    bad host): JSON `{"error": message}` for the editor's autosave and other JSON callers, so the editor shows
    the message in its status line instead of failing to parse an HTML page; templates/400.html otherwise."""
    if wants_json(request):
        return JsonResponse(
            {"error": _("提交的内容太长或格式有误，没有保存任何内容。请缩短内容后重试。")}, status=400
        )
    return defaults.bad_request(request, exception)
