"""Review comments: reviewers add them on the review page, writers resolve them in the editor."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from editorial import comments
from editorial.forms import CommentForm
from editorial.models import ReviewComment
from editorial.views.base import back_url, done, newsroom, request_data, valid
from editorial.views.issues import get_issue


@require_POST
@newsroom
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_issue(pk)
    form = valid(CommentForm(request_data(request), issue=issue))
    comment = comments.comment_add(
        issue=issue, user=request.user, body=form.cleaned_data["body"], section=form.cleaned_data["section"]
    )
    anchor = f"#comment-{comment.pk}"
    return done(
        request,
        message=_("审核意见已添加。"),
        redirect_to=reverse("newsroom:review", args=[issue.pk]) + anchor,
        data={"id": comment.pk},
    )


@require_POST
@newsroom
def comment_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(ReviewComment.objects.select_related("issue__series"), pk=pk)
    comments.comment_resolve(comment=comment, user=request.user)
    return done(
        request,
        message=_("审核意见已标记为已解决。"),
        redirect_to=back_url(request, reverse("newsroom:editor", args=[comment.issue_id])),
        data={"id": comment.pk, "resolved": True},
    )
