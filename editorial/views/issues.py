"""Issue pages: create, the editor, the issue's own fields, workflow transitions, review and previews."""

from __future__ import annotations

import datetime as dt
import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from editorial import cleaning, merging, presence, selectors, services, workflow
from editorial.comments import can_comment, can_resolve
from editorial.errors import StaleVersion, TransitionForbidden
from editorial.forms import (
    CitationForm,
    CommentForm,
    IssueCreateForm,
    IssueMetaForm,
    ScheduleForm,
    SectionCreateForm,
    SectionForm,
    TransitionForm,
)
from editorial.models import Issue, IssueState
from editorial.roles import can_edit_content
from editorial.views.base import done, newsroom, request_data, valid
from publishing.render import RenderError, render_pdf, render_web, render_wechat

logger = logging.getLogger(__name__)

# The transitions a newsroom page offers; publishing, corrections and withdrawals belong to the admin.
NEWSROOM_TRANSITIONS = ("submit", "approve", "return", "reopen", "schedule", "publish")


def get_issue(pk: int) -> Issue:
    return get_object_or_404(Issue.objects.select_related("series"), pk=pk)


def bound(form_class, request: HttpRequest, *, prefix: str | None = None, **kwargs):
    """Bind a form to the request body. JSON from fetch carries bare field names, form posts a prefix."""
    is_json = request.content_type == "application/json"
    return form_class(
        request_data(request), request.FILES or None, prefix=None if is_json else prefix, **kwargs
    )


def saved_payload(obj) -> dict:
    saved_at = timezone.localtime(getattr(obj, "updated_at", None) or timezone.now())
    return {
        "version": obj.version,
        "saved_at": saved_at.isoformat(),
        "saved_at_display": saved_at.strftime("%H:%M:%S"),
    }


def transitions_for(issue: Issue, user) -> list[workflow.Transition]:
    return [
        t for t in workflow.available_transitions(issue=issue, user=user) if t.name in NEWSROOM_TRANSITIONS
    ]


# --- create ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@newsroom
def issue_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("editorial.add_issue"):
        raise TransitionForbidden(_("您没有权限新建期刊。"))
    if request.method == "GET":
        form = IssueCreateForm(initial={"date": timezone.localdate() + dt.timedelta(days=1)})
        return render(request, "editorial/issue_create.html", {"form": form})
    form = IssueCreateForm(request.POST)
    if not form.is_valid():
        return render(request, "editorial/issue_create.html", {"form": form}, status=400)
    data = form.cleaned_data
    issue = services.issue_create(
        series=data["series"],
        date=data["date"],
        user=request.user,
        headline=data["headline"],
        summary=data["summary"],
    )
    return done(
        request,
        message=_("已新建 %(date)s 的期刊。") % {"date": issue.date.isoformat()},
        redirect_to=reverse("newsroom:editor", args=[issue.pk]),
        data={"id": issue.pk},
    )


# --- the editor -----------------------------------------------------------------------------------------


def _swapped_orders(ids: list[int], index: int) -> tuple[str | None, str | None]:
    """The orders the reorder buttons of the item at `index` submit (ids joined by commas): moved up, moved
    down; None where the item cannot move that way."""

    def swapped(other: int) -> str:
        order = ids.copy()
        order[other], order[index] = order[index], order[other]
        return ",".join(map(str, order))

    return (swapped(index - 1) if index > 0 else None, swapped(index + 1) if index < len(ids) - 1 else None)


def _section_rows(issue: Issue, *, editable: bool) -> list[dict]:
    sections = list(selectors.editor_sections(issue))
    ids = [section.pk for section in sections]
    rows = []
    for index, section in enumerate(sections):
        up, down = _swapped_orders(ids, index)
        comments = list(section.review_comments.all())
        rows.append(
            {
                "section": section,
                "form": SectionForm.for_section(section) if editable else None,
                "order_up": up,
                "order_down": down,
                "open_comments": [c for c in comments if not c.is_resolved],
                "resolved_comments": [c for c in comments if c.is_resolved],
            }
        )
    return rows


def _citation_rows(issue: Issue) -> list[dict]:
    citations = list(
        issue.citations.select_related("source").prefetch_related("sections").order_by("position")
    )
    ids = [c.pk for c in citations]
    rows = []
    for index, citation in enumerate(citations):
        up, down = _swapped_orders(ids, index)
        rows.append(
            {
                "citation": citation,
                "section_ids": {s.pk for s in citation.sections.all()},
                "order_up": up,
                "order_down": down,
            }
        )
    return rows


@require_GET
@newsroom
def editor(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue(pk)
    user = request.user
    may_edit = can_edit_content(user, issue)
    editable = may_edit and issue.is_editable
    sections = _section_rows(issue, editable=editable)
    media = None
    if editable and sections:
        media = sections[0]["form"].media
    comments = list(selectors.issue_comments(issue))
    # Who else has the issue open (the page's heartbeat keeps this current without a reload).
    others = presence.presence_others(issue=issue, user=user)
    for row in sections:
        where = f"section-{row['section'].pk}"
        row["editing"] = [other["name"] for other in others if other["where"] == where]
    context = {
        "issue": issue,
        "cutoff": selectors.cutoff_for(issue),
        "presence_others": [other["name"] for other in others],
        "meta_editing": [other["name"] for other in others if other["where"] == "meta"],
        "presence_interval": presence.heartbeat_seconds(),
        "editable": editable,
        "may_edit": may_edit,
        "meta_form": IssueMetaForm.for_issue(issue) if editable else None,
        "sections": sections,
        "media": media,
        # What image_import.js treats as our own images (the rule the sanitizer keeps images by).
        "own_image_bases": cleaning.media_base_urls() if media else [],
        "section_create_form": SectionCreateForm() if editable else None,
        "citations": _citation_rows(issue),
        "citation_form": CitationForm(issue=issue) if editable else None,
        "issue_sections": [row["section"] for row in sections],
        "issue_comments": [c for c in comments if c.section_id is None],
        "open_comment_count": sum(1 for c in comments if not c.is_resolved),
        "can_resolve": can_resolve(user, issue) and issue.state in (IssueState.DRAFT, IssueState.IN_REVIEW),
        "last_return": selectors.last_return(issue),
        "transitions": transitions_for(issue, user),
        "events": list(issue.events.select_related("actor")[:10]),
    }
    return render(request, "editorial/editor.html", context)


@require_POST
@newsroom
def issue_meta_save(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue(pk)
    form = valid(bound(IssueMetaForm, request, prefix="issue"))
    try:
        issue = services.issue_update(
            issue=issue, user=request.user, data=form.service_data(), version=form.cleaned_data["version"]
        )
    except StaleVersion as error:
        # The issue keeps no revisions: the editor sends the values its edit started from as `base`.
        base = request_data(request).get("base") if request.content_type == "application/json" else None
        error.merge = merging.issue_merge(theirs=error.current, mine=error.submitted, base=base)
        raise
    return done(
        request,
        message=_("本期信息已保存。"),
        redirect_to=reverse("newsroom:editor", args=[issue.pk]),
        data=saved_payload(issue),
    )


# --- workflow -------------------------------------------------------------------------------------------

TRANSITION_MESSAGES = {
    "submit": (gettext_lazy("已提交审核，审核人会收到通知。"), "newsroom:editor"),
    "approve": (gettext_lazy("已批准本期。"), "newsroom:review"),
    "return": (gettext_lazy("已退回修改，撰稿人会收到退回原因。"), "newsroom:dashboard"),
    "reopen": (gettext_lazy("已重新打开本期，内容可以再次修改。"), "newsroom:editor"),
    "publish": (gettext_lazy("本期已发布。"), "newsroom:review"),
    "schedule": (gettext_lazy("已调整本期的发布时间。"), "newsroom:review"),
}


@require_POST
@newsroom
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    issue = get_issue(pk)
    form = valid(TransitionForm(request_data(request)))
    reason = form.cleaned_data["reason"]
    user = request.user
    if action == "submit":
        issue = workflow.issue_submit(issue=issue, user=user)
    elif action == "approve":
        issue = workflow.issue_approve(issue=issue, user=user)
    elif action == "return":
        issue = workflow.issue_return(issue=issue, user=user, reason=reason)
    elif action == "reopen":
        issue = workflow.issue_reopen(issue=issue, user=user, reason=reason)
    elif action == "publish":
        issue = workflow.issue_publish(issue=issue, user=user)
    elif action == "schedule":
        schedule = valid(ScheduleForm(request_data(request), issue=issue))
        issue = workflow.issue_schedule(
            issue=issue, user=user, publish_at=schedule.cleaned_data["publish_at"]
        )
    else:  # the URLconf only routes the names above
        raise TransitionForbidden(_("不支持的操作。"))
    message, target = TRANSITION_MESSAGES[action]
    args = [] if target == "newsroom:dashboard" else [issue.pk]
    return done(
        request,
        message=str(message),
        redirect_to=reverse(target, args=args),
        data={"state": issue.state, "state_display": issue.get_state_display()},
    )


# --- review ---------------------------------------------------------------------------------------------


@require_GET
@newsroom
def review(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue(pk)
    user = request.user
    comments = list(selectors.issue_comments(issue))
    sections = list(issue.sections.order_by("position"))
    by_section = [{"section": s, "comments": [c for c in comments if c.section_id == s.pk]} for s in sections]
    commentable = issue.state in (IssueState.DRAFT, IssueState.IN_REVIEW)
    context = {
        "issue": issue,
        "cutoff": selectors.cutoff_for(issue),
        "by_section": by_section,
        "issue_comments": [c for c in comments if c.section_id is None],
        "comment_form": CommentForm(issue=issue) if commentable and can_comment(user, issue) else None,
        "can_resolve": commentable and can_resolve(user, issue),
        "actions": {t.name for t in transitions_for(issue, user)},
        "events": list(issue.events.select_related("actor")[:20]),
        "last_return": selectors.last_return(issue),
        "may_edit": can_edit_content(user, issue),
        # Why the approve button is missing for this reviewer (available_transitions leaves it out).
        "four_eyes_reason": workflow.four_eyes_reason(issue=issue, user=user)
        if issue.state == IssueState.IN_REVIEW and user.has_perm(workflow.APPROVE.permission)
        else "",
        "schedule_value": timezone.localtime(issue.publish_at, issue.series.zone).strftime("%Y-%m-%dT%H:%M")
        if issue.publish_at
        else "",
    }
    return render(request, "editorial/review.html", context)


# --- previews -------------------------------------------------------------------------------------------


def _render_failed(request: HttpRequest, issue: Issue, error: Exception) -> HttpResponse:
    """The preview page for a render that failed: 422 when the issue's content is what a renderer refuses (too
    long for WeChat, a lint problem: the message says what to change), 503 for any other failure (a renderer bug
    or a missing font must show as a message, never as a 500)."""
    if isinstance(error, RenderError):
        status = 422
    else:
        logger.exception("Preview of issue %s failed", issue.pk)
        status = 503
    message = _("预览生成失败：%(error)s") % {"error": error} if str(error) else _("预览生成失败。")
    return render(
        request, "editorial/preview_failed.html", {"issue": issue, "message": message}, status=status
    )


def _web_preview(request: HttpRequest, issue: Issue) -> HttpResponse:
    try:
        return HttpResponse(render_web(issue))
    except Exception as error:
        return _render_failed(request, issue, error)


def _filename(issue: Issue, extension: str) -> str:
    return f"{issue.series.slug}-{issue.date.isoformat()}.{extension}"


@xframe_options_sameorigin
@require_GET
@newsroom
def preview_web(request: HttpRequest, pk: int) -> HttpResponse:
    return _web_preview(request, get_issue(pk))


@require_GET
@newsroom
def preview_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue(pk)
    try:
        data = render_pdf(issue)
    except Exception as error:
        return _render_failed(request, issue, error)
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{_filename(issue, "pdf")}"'
    return response


@require_GET
@newsroom
def preview_wechat(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue(pk)
    try:
        response = HttpResponse(render_wechat(issue))
    except Exception as error:
        return _render_failed(request, issue, error)
    if request.GET.get("download") and response.status_code == 200:
        response["Content-Disposition"] = f'attachment; filename="{_filename(issue, "wechat.html")}"'
    return response
