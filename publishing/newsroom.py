"""The newsroom's views of what publishing makes of an issue: its renditions (live status and files) and its WeChat
article (push to the draft box, publish, cover, publication status). They live in publishing, which may use
editorial, so that editorial never imports publishing; the newsroom pages include their panels
(templates/publishing/newsroom/_renditions.html, and _wechat.html through the wechat_panel tag)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from editorial.errors import InvalidInput, TransitionForbidden
from editorial.models import Issue
from editorial.views.base import done, form_errors_text, newsroom, wants_json
from publishing import tasks
from publishing.downloads import download_filename
from publishing.forms import WeChatCoverForm
from publishing.models import Rendition, RenditionStatus, WeChatArticle, WeChatPushResult
from publishing.render.context import LANGUAGE, build_context
from publishing.renditions import rendition_status
from publishing.wechat.push import (
    PUSHABLE_STATES,
    PushRefused,
    can_push,
    configuration_problem,
    issue_cover,
    wechat_app_id,
    wechat_poll,
    wechat_push_request,
)

app_name = "renditions"


@never_cache
@require_GET
@newsroom
def issue_renditions(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Issue.objects.select_related("series"), pk=pk)
    status = rendition_status(issue=issue)
    if wants_json(request):
        return JsonResponse(status)
    return render(request, "publishing/newsroom/renditions.html", {"issue": issue, "status": status})


@require_GET
@newsroom
def rendition_file(request: HttpRequest, pk: int) -> HttpResponse:
    rendition = get_object_or_404(
        Rendition.objects.select_related("issue__series"), pk=pk, status=RenditionStatus.DONE
    )
    if not rendition.file:
        raise Http404
    try:
        stream = rendition.file.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        stream,
        as_attachment=bool(request.GET.get("download")),
        filename=download_filename(issue=rendition.issue, kind=rendition.kind),
    )


def _wechat_issue(request: HttpRequest, pk: int) -> Issue:
    """The issue, for an admin who may push it to WeChat; TransitionForbidden (403) for anyone else."""
    if not can_push(request.user):
        raise TransitionForbidden(_("只有管理员可以推送到微信公众号。"))
    return get_object_or_404(Issue.objects.select_related("series"), pk=pk)


def _review_url(issue: Issue) -> str:
    return reverse("newsroom:review", args=[issue.pk]) + "#wechat"


@require_POST
@newsroom
def wechat_push(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _wechat_issue(request, pk)
    publish = request.POST.get("publish") == "1"
    push = wechat_push_request(issue=issue, user=request.user, publish=publish)
    transaction.on_commit(lambda: tasks.enqueue_wechat_push(push.pk))
    push.refresh_from_db()
    if push.result == WeChatPushResult.FAILED:
        raise InvalidInput(_("推送失败：%(message)s") % {"message": push.message})
    message = push.message if push.result == WeChatPushResult.DONE else _("已开始推送，完成后此处显示结果。")
    return done(request, message=message, redirect_to=_review_url(issue), data={"push": push.pk})


def _article(issue: Issue) -> WeChatArticle:
    problem = configuration_problem(series=issue.series)
    if problem:
        raise InvalidInput(problem)
    article, _created = WeChatArticle.objects.get_or_create(issue=issue, app_id=wechat_app_id(issue.series))
    return article


@require_POST
@newsroom
def wechat_cover(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _wechat_issue(request, pk)
    if issue.state not in PUSHABLE_STATES:
        raise InvalidInput(_("只有已批准或已发布的期刊可以设置微信封面。"))
    article = _article(issue)
    if request.POST.get("remove") == "1":
        if article.cover:
            article.cover.delete(save=False)
        article.cover = ""
        article.save(update_fields=["cover", "updated_at"])
        return done(request, message=_("已改用自动生成的封面。"), redirect_to=_review_url(issue))
    form = WeChatCoverForm(request.POST, request.FILES)
    if not form.is_valid():
        raise InvalidInput(form_errors_text(form))
    if article.cover:
        article.cover.delete(save=False)
    article.cover.save("cover.jpg", ContentFile(form.cleaned_data["jpeg"]), save=False)
    article.save(update_fields=["cover", "updated_at"])
    return done(request, message=_("封面已更新，下次推送时使用。"), redirect_to=_review_url(issue))


@never_cache
@require_GET
@newsroom
def wechat_cover_image(request: HttpRequest, pk: int) -> HttpResponse:
    """The cover the next push sends: the admin's upload, or the generated one (JPEG)."""
    issue = _wechat_issue(request, pk)
    article = WeChatArticle.objects.filter(issue=issue, app_id=wechat_app_id(issue.series)).first()
    with translation.override(LANGUAGE):
        context = build_context(issue)
    try:
        data = issue_cover(article=article, context=context)
    except PushRefused as refused:
        raise Http404(str(refused)) from None
    return HttpResponse(data, content_type="image/jpeg")


@require_POST
@newsroom
def wechat_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask WeChat now about this issue's publication (the periodic task asks every minute)."""
    issue = _wechat_issue(request, pk)
    articles = list(WeChatArticle.objects.filter(issue=issue).values_list("pk", flat=True))
    wechat_poll(now=timezone.now(), article_ids=articles)
    return done(request, message=_("已查询发布状态。"), redirect_to=_review_url(issue))


urlpatterns = [
    path("issues/<int:pk>/renditions/", issue_renditions, name="status"),
    path("renditions/<int:pk>/", rendition_file, name="file"),
    path("issues/<int:pk>/wechat/push/", wechat_push, name="wechat_push"),
    path("issues/<int:pk>/wechat/cover/", wechat_cover, name="wechat_cover"),
    path("issues/<int:pk>/wechat/cover.jpg", wechat_cover_image, name="wechat_cover_image"),
    path("issues/<int:pk>/wechat/refresh/", wechat_refresh, name="wechat_refresh"),
]
