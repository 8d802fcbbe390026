"""Image uploads from CKEditor (its SimpleUploadAdapter posts the file as `upload`).

Only signed-in writers and reviewers; only real JPEG, PNG, WebP or GIF images (checked by Pillow, not by the
file name); at most 5 MB; rewritten by editorial.images (downscaled, turned upright, metadata stripped) and stored
under a random name so nothing the user chose ends up in a path. Answers use CKEditor's format: `{"url": ...}` or
`{"error": {"message": ...}}`.

Also the import of an image pasted from an outside address (`image_import`): the editor posts `{"url": ...}`, a
Celery task fetches and processes it (editorial.images.import_image), and the view waits a bounded time for the
answer: `{"url": stored URL}` or `{"error": "无法导入图片 <url>：<reason>"}`.
"""

from __future__ import annotations

import logging

from celery.exceptions import TimeoutError as ResultTimeout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from editorial import images, tasks
from editorial.errors import InvalidInput
from editorial.forms import ImageUploadForm
from editorial.views.base import request_data

logger = logging.getLogger(__name__)

# Seconds the editor waits for an import: the fetch's own 15 s budget plus processing. Well under gunicorn's worker
# timeout (30 s by default, as the Dockerfile runs it), so a busy queue gets the timeout message, not a killed worker.
IMPORT_WAIT = 20
MAX_URL_LENGTH = 4096


def _refuse(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"message": message}}, status=status)


def may_upload(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.has_perm("editorial.change_section") or user.has_perm("editorial.review_issue"))
    )


@require_POST
def image_upload(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _refuse(_("请先登录后再上传图片。"), 403)
    if not may_upload(request.user):
        return _refuse(_("只有撰稿人和审核人可以上传图片。"), 403)
    form = ImageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refuse("；".join(str(e) for errors in form.errors.values() for e in errors), 400)
    return JsonResponse({"url": images.store_image(image=form.cleaned_data["image"])})


@require_POST
def image_import(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("请先登录后再上传图片。")}, status=403)
    if not may_upload(request.user):
        return JsonResponse({"error": _("只有撰稿人和审核人可以上传图片。")}, status=403)
    try:
        url = request_data(request).get("url")
    except InvalidInput as error:
        return JsonResponse({"error": str(error)}, status=400)
    if not isinstance(url, str) or not url.strip() or len(url) > MAX_URL_LENGTH:
        return JsonResponse({"error": _("请求格式错误：缺少图片地址。")}, status=400)
    url = url.strip()
    try:
        result = tasks.import_outside_image.apply_async(args=[url, get_language()])
        # disable_sync_subtasks=False: this is a view, not a task. Celery's guard against waiting inside a task
        # is a process-wide flag that eager tasks (the embedded default) set while they run, so a second import
        # on another runserver thread would be refused as if it were a task waiting on a task.
        answer = result.get(timeout=IMPORT_WAIT, propagate=False, disable_sync_subtasks=False)
    except ResultTimeout:
        answer = {"error": images.failed_message(url=url, reason=_("导入超时，请稍后重新粘贴"))}
    except Exception:  # a storage or broker failure: the writer gets a message, the log gets the trace
        logger.exception("Image import of %s failed", url[:200])
        answer = None
    if not isinstance(answer, dict) or not ({"url", "error"} & answer.keys()):
        answer = {"error": images.failed_message(url=url, reason=_("服务器内部错误"))}
    return JsonResponse(answer, status=200 if "url" in answer else 400)
