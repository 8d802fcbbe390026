"""The WeChat card of the newsroom's review page: configuration, the draft, the publication and the push log.

A template tag of publishing's, so that editorial's views need not import publishing (imports flow
publishing -> references -> editorial). Shown to admins (publishing.push_wechat) only."""

from __future__ import annotations

from django import template

from editorial.models import Issue
from publishing.models import WeChatArticle, WeChatPush, WeChatPushResult
from publishing.renditions import issue_content_hash
from publishing.wechat.push import PUSHABLE_STATES, can_push, configuration_problem, wechat_app_id

register = template.Library()

PUSHES_SHOWN = 10


@register.inclusion_tag("publishing/newsroom/_wechat.html", takes_context=True)
def wechat_panel(context, issue: Issue) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_push(user) or issue.state not in PUSHABLE_STATES:
        return {"show": False}
    article = WeChatArticle.objects.filter(issue=issue, app_id=wechat_app_id(issue.series)).first()
    pushes = (
        WeChatPush.objects.filter(article__issue=issue)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")[:PUSHES_SHOWN]
    )
    current = issue_content_hash(issue) if article else ""
    return {
        "show": True,
        "issue": issue,
        "problem": configuration_problem(series=issue.series),
        "article": article,
        # The draft shows the content of its last push; a correction since then needs another push.
        "outdated": bool(article and article.content_hash and article.content_hash != current),
        # This version is published or being published: publishing again would send it to followers twice.
        "publish_done": bool(
            article
            and article.publish_status in ("publishing", "published")
            and article.publish_content_hash == current
        ),
        "pushes": list(pushes),
        "unfinished": (WeChatPushResult.QUEUED, WeChatPushResult.RUNNING),
        "csrf_token": context.get("csrf_token"),
    }
