"""The masthead footer page: admins edit the contact heading, the QR codes and the “about” blocks, and see the
footer as the web page and the PDF print it (publishing/_footer.html, from publishing.render.context).

GET shows the stored footer; POST validates every part (editorial.footer) and stores all or nothing: on an error
the page comes back with the messages (400) and nothing is written, not even an uploaded image. Only users with
editorial.change_series (the 管理员 group); writers and reviewers get 403.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from editorial import footer
from editorial.models import Series
from editorial.views.base import done, forbidden, newsroom
from publishing.render.context import footer_context

PERMISSION = "editorial.change_series"


def may_edit_footer(user) -> bool:
    return user.has_perm(PERMISSION)


@require_GET
@newsroom
def footer_index(request: HttpRequest) -> HttpResponse:
    """/newsroom/footer/: the footer page of the first series (the newsroom has one; the page links the others)."""
    if not may_edit_footer(request.user):
        return forbidden(request, _("只有管理员可以修改刊头页脚。"))
    series = Series.objects.order_by("pk").first()
    if series is None:
        return forbidden(request, _("还没有刊物，请先在管理后台创建刊物。"))
    return redirect("newsroom:footer_edit", pk=series.pk)


@require_http_methods(["GET", "POST"])
@newsroom
def footer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_edit_footer(request.user):
        return forbidden(request, _("只有管理员可以修改刊头页脚。"))
    series = get_object_or_404(Series, pk=pk)
    status = 200
    errors: list[str] = []
    if request.method == "POST":
        parts = footer.footer_forms(series=series, data=request.POST, files=request.FILES)
        if all(part.is_valid() for part in parts.values()):
            footer.footer_save(series=series, parts=parts)
            return done(
                request, message=_("页脚已保存。"), redirect_to=reverse("newsroom:footer_edit", args=[pk])
            )
        errors = footer.footer_errors(parts)
        status = 400
        # The form shows what was posted; the preview keeps showing what is stored.
        series.refresh_from_db()
    else:
        parts = footer.footer_forms(series=series)
    context = {
        "series": series,
        "all_series": list(Series.objects.order_by("pk").only("pk", "title")),
        "heading_form": parts["heading"],
        "codes": parts["codes"],
        "blocks": parts["blocks"],
        "errors": errors,
        "footer": footer_context(series),
        "max_codes": footer.MAX_QR_CODES,
        "max_blocks": footer.MAX_FOOTER_BLOCKS,
    }
    return render(request, "editorial/footer.html", context, status=status)
