"""Section endpoints: create, autosave (with optimistic locking), delete, reorder, history, diff, restore."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from editorial import merging, selectors, services
from editorial.errors import StaleVersion
from editorial.forms import OrderForm, RestoreForm, SectionCreateForm, SectionForm
from editorial.models import Revision, Section
from editorial.roles import can_edit_content
from editorial.views.base import done, newsroom, request_data, valid
from editorial.views.diff import revision_diff
from editorial.views.issues import bound, get_issue, saved_payload


def get_section(pk: int) -> Section:
    return get_object_or_404(Section.objects.select_related("issue__series", "analysis"), pk=pk)


def editor_url(section: Section) -> str:
    return reverse("newsroom:editor", args=[section.issue_id]) + f"#section-{section.pk}"


def _stale_payload(section: Section, error: StaleVersion) -> dict:
    """What the writer needs to merge: the stored text, who saved it and when."""
    last = section.revisions.select_related("author").order_by("-number").first()
    current = dict(error.current)
    if last is not None:
        current["author"] = (last.author.get_full_name() or last.author.get_username()) if last.author else ""
        current["saved_at_display"] = timezone.localtime(last.created_at).strftime("%H:%M:%S")
    return current


@require_POST
@newsroom
def section_create(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue(pk)
    form = valid(SectionCreateForm(request_data(request)))
    section = services.section_create(issue=issue, user=request.user, headline=form.cleaned_data["headline"])
    return done(
        request,
        message=_("已添加第%(n)s条。") % {"n": section.numeral},
        redirect_to=editor_url(section),
        data={"id": section.pk, "version": section.version},
    )


@require_POST
@newsroom
def section_save(request: HttpRequest, pk: int) -> HttpResponse:
    section = get_section(pk)
    form = valid(bound(SectionForm, request, prefix=f"s{section.pk}"))
    try:
        section = services.section_save(
            section=section,
            user=request.user,
            data=form.service_data(),
            version=form.cleaned_data["version"],
        )
    except StaleVersion as error:
        error.merge = merging.section_merge(
            section=section, version=form.cleaned_data["version"], theirs=error.current, mine=error.submitted
        )
        error.current = _stale_payload(section, error)
        raise
    return done(
        request,
        message=_("第%(n)s条已保存。") % {"n": section.numeral},
        redirect_to=editor_url(section),
        data=saved_payload(section),
    )


@require_POST
@newsroom
def section_delete(request: HttpRequest, pk: int) -> HttpResponse:
    section = get_section(pk)
    issue_id, numeral = section.issue_id, section.numeral
    services.section_delete(section=section, user=request.user)
    return done(
        request,
        message=_("已删除第%(n)s条，其余条目已重新编号。") % {"n": numeral},
        redirect_to=reverse("newsroom:editor", args=[issue_id]),
    )


@require_POST
@newsroom
def sections_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue(pk)
    form = valid(OrderForm(request_data(request)))
    services.sections_reorder(issue=issue, user=request.user, order=form.cleaned_data["order"])
    return done(
        request,
        message=_("条目顺序已更新。"),
        redirect_to=reverse("newsroom:editor", args=[issue.pk]) + "#sections",
    )


HISTORY_FIELDS = {
    "headline": gettext_lazy("标题"),
    "body": gettext_lazy("新闻正文"),
    "analysis": gettext_lazy("评析"),
    "topics": gettext_lazy("主题"),
}


@require_GET
@newsroom
def section_history(request: HttpRequest, pk: int) -> HttpResponse:
    section = get_section(pk)
    revisions = list(selectors.section_revisions(section))
    by_number = {revision.number: revision for revision in revisions}

    def pick(name: str, default: Revision | None) -> Revision | None:
        try:
            return by_number.get(int(request.GET.get(name, "")), default)
        except ValueError:
            return default

    newest = revisions[0] if revisions else None
    older = revisions[1] if len(revisions) > 1 else newest
    a, b = pick("a", older), pick("b", newest)
    if a is not None and b is not None and a.number > b.number:
        a, b = b, a
    labels = {key: str(label) for key, label in HISTORY_FIELDS.items()}
    context = {
        "issue": section.issue,
        "section": section,
        "revisions": revisions,
        "a": a,
        "b": b,
        "diff": revision_diff(a.data, b.data, labels) if a and b else [],
        "editable": section.issue.is_editable and can_edit_content(request.user, section.issue),
    }
    return render(request, "editorial/history.html", context)


@require_POST
@newsroom
def section_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    section = get_section(pk)
    revision = get_object_or_404(Revision, section=section, number=number)
    form = valid(RestoreForm(request_data(request)))
    section = services.section_restore(
        section=section, user=request.user, revision=revision, version=form.cleaned_data["version"]
    )
    return done(
        request,
        message=_("已恢复第 %(old)s 版，保存为新的第 %(new)s 版。")
        % {"old": revision.number, "new": section.revisions.order_by("-number").first().number},
        redirect_to=editor_url(section),
        data=saved_payload(section),
    )
