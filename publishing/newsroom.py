"""The newsroom's view of an issue's renditions: their live status (queued, running, done, failed with the
error) and their files. It lives in publishing, which may use editorial, so that editorial never imports
publishing; the newsroom pages include its panel (templates/publishing/newsroom/_renditions.html)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from editorial.models import Issue
from editorial.views.base import newsroom, wants_json
from publishing.downloads import download_filename
from publishing.models import Rendition, RenditionStatus
from publishing.renditions import rendition_status

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


urlpatterns = [
    path("issues/<int:pk>/renditions/", issue_renditions, name="status"),
    path("renditions/<int:pk>/", rendition_file, name="file"),
]
