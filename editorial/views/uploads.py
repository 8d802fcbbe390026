"""Image uploads from CKEditor (its SimpleUploadAdapter posts the file as `upload`).

Only signed-in writers and reviewers; only real JPEG, PNG, WebP or GIF images (checked by Pillow, not by the
file name); at most 5 MB; rewritten by editorial.images (downscaled, turned upright, metadata stripped) and stored
under a random name so nothing the user chose ends up in a path. Answers use CKEditor's format: `{"url": ...}` or
`{"error": {"message": ...}}`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from editorial import images
from editorial.forms import ImageUploadForm


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
