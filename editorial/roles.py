"""The newsroom's roles are Django groups with permissions (created by migration 0002)."""

from __future__ import annotations

WRITER = "撰稿人"
REVIEWER = "审核人"
ADMIN = "管理员"

# What each group may do. Permission codenames are `app_label.codename`.
GROUP_PERMISSIONS: dict[str, list[str]] = {
    WRITER: [
        "editorial.view_series",
        "editorial.view_issue",
        "editorial.add_issue",
        "editorial.change_issue",
        "editorial.submit_issue",
        "editorial.view_section",
        "editorial.add_section",
        "editorial.change_section",
        "editorial.delete_section",
        "editorial.view_analysis",
        "editorial.change_analysis",
        "editorial.view_revision",
        "editorial.view_issueevent",
        "editorial.view_topic",
        "editorial.add_topic",
        "references.view_source",
        "references.add_source",
        "references.change_source",
        "references.view_citation",
        "references.add_citation",
        "references.change_citation",
        "references.delete_citation",
    ],
    REVIEWER: [
        "editorial.view_series",
        "editorial.view_issue",
        "editorial.review_issue",
        "editorial.reopen_issue",
        "editorial.view_section",
        "editorial.view_analysis",
        "editorial.view_revision",
        "editorial.view_issueevent",
        "editorial.view_topic",
        "references.view_source",
        "references.view_citation",
    ],
    ADMIN: [
        "editorial.*",
        "references.*",
        "publishing.*",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}


def can_edit_content(user, issue) -> bool:
    """Writers and admins edit content; reviewers only where the series allows it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm("editorial.change_section"):
        return True
    return issue.series.reviewers_may_edit and user.has_perm("editorial.review_issue")
