"""The issue's 参考文献 in the editor: search sources, cite one (existing or new), edit, remove, reorder.

This module is the newsroom's user interface over the references app, so it imports it; the editorial
models, services and workflow never do (imports flow publishing -> references -> editorial).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from editorial.errors import InvalidInput
from editorial.forms import CitationForm, CitationUpdateForm, OrderForm, SourceSearchForm
from editorial.views.base import done, newsroom, request_data, valid
from editorial.views.issues import get_issue
from references import services
from references.models import Citation, Source

SEARCH_LIMIT = 20


def references_url(issue_id: int) -> str:
    return reverse("newsroom:editor", args=[issue_id]) + "#references"


@require_GET
@newsroom
def source_search(request: HttpRequest) -> HttpResponse:
    form = valid(SourceSearchForm(request.GET))
    query = form.cleaned_data["q"].strip()
    sources = Source.objects.all()
    for term in query.split():
        sources = sources.filter(Q(outlet__icontains=term) | Q(title__icontains=term))
    results = [
        {
            "id": source.pk,
            "outlet": source.outlet,
            "title": source.title,
            "date": source.date_display,
            "url": source.url,
            "label": " | ".join(p for p in (source.outlet, source.title, source.date_display) if p),
        }
        for source in sources.order_by("-date", "outlet")[:SEARCH_LIMIT]
    ]
    return JsonResponse({"results": results})


def _citation(pk: int) -> Citation:
    return get_object_or_404(Citation.objects.select_related("issue__series", "source"), pk=pk)


@require_POST
@newsroom
def citation_add(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue(pk)
    form = valid(CitationForm(request_data(request), issue=issue))
    data = form.cleaned_data
    if data.get("source"):
        source = Source.objects.filter(pk=data["source"]).first()
        if source is None:
            raise InvalidInput(_("所选来源不存在。"))
    else:
        date, precision = data["date"] or (None, "day")
        source = services.source_find_or_create(
            user=request.user,
            outlet=data["outlet"],
            title=data["title"],
            url=data["url"],
            date=date,
            precision=precision,
            kind=data["kind"],
        )
    citation = services.citation_add(
        issue=issue,
        user=request.user,
        source=source,
        note=data["note"],
        section_ids=[s.pk for s in data["sections"]],
    )
    return done(
        request,
        message=_("已添加参考文献：%(source)s") % {"source": source},
        redirect_to=references_url(issue.pk),
        data={"id": citation.pk, "position": citation.position},
    )


@require_POST
@newsroom
def citation_update(request: HttpRequest, pk: int) -> HttpResponse:
    citation = _citation(pk)
    form = valid(CitationUpdateForm(request_data(request), issue=citation.issue))
    services.citation_update(
        citation=citation,
        user=request.user,
        note=form.cleaned_data["note"],
        section_ids=[s.pk for s in form.cleaned_data["sections"]],
    )
    return done(request, message=_("参考文献已更新。"), redirect_to=references_url(citation.issue_id))


@require_POST
@newsroom
def citation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    citation = _citation(pk)
    issue_id = citation.issue_id
    services.citation_remove(citation=citation, user=request.user)
    return done(request, message=_("已移除该参考文献。"), redirect_to=references_url(issue_id))


@require_POST
@newsroom
def citations_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue(pk)
    form = valid(OrderForm(request_data(request)))
    services.citations_reorder(issue=issue, user=request.user, order=form.cleaned_data["order"])
    return done(request, message=_("参考文献顺序已更新。"), redirect_to=references_url(issue.pk))
