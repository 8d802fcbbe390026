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
        # Login throttling (django-axes): see who was locked out and unlock them by deleting the attempts.
        # A wildcard because migration 0002 runs before axes' tables may exist; axes' admin allows no adding.
        "axes.*",
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


def sync_groups(apps) -> None:
    """Create the groups and give each exactly its GROUP_PERMISSIONS.

    Runs from migration 0002 (with the migration's historical apps) and after every migrate and flush through
    post_migrate (editorial.apps), so the groups exist again after a transactional test has emptied the tables.
    """
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the groups need them now. Historical apps have
    # no models module, which create_permissions takes for "this app has no models".
    for app_config in apps.get_app_configs():
        historical = getattr(app_config, "models_module", None) is None
        if historical:
            app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        if historical:
            app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = []
        for code in codenames:
            app_label, codename = code.split(".")
            query = Permission.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                query = query.filter(codename=codename)
            found = list(query)
            if not found and codename != "*":
                raise RuntimeError(f"Permission {code} does not exist")
            perms.extend(found)
        group.permissions.set(perms)
