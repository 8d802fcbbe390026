"""The schema matches the models, and the data migration gives each newsroom role its permissions."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from editorial.roles import ADMIN, GROUP_PERMISSIONS, REVIEWER, WRITER


def test_there_are_no_pending_migrations(db):
    out = StringIO()

    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail("Models changed without a migration:\n" + out.getvalue())

    assert "No changes detected" in out.getvalue()


def group_permissions(name: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_exactly_the_three_newsroom_groups_exist(db):
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted([WRITER, REVIEWER, ADMIN])


@pytest.mark.parametrize("name", [WRITER, REVIEWER])
def test_writer_and_reviewer_groups_hold_exactly_their_listed_permissions(db, name):
    assert group_permissions(name) == set(GROUP_PERMISSIONS[name])


def test_the_admin_group_holds_every_permission_of_the_newsroom_apps(db):
    expected = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.filter(
            content_type__app_label__in=[p[:-2] for p in GROUP_PERMISSIONS[ADMIN] if p.endswith(".*")]
        ).values_list("content_type__app_label", "codename")
    } | {p for p in GROUP_PERMISSIONS[ADMIN] if not p.endswith(".*")}

    assert group_permissions(ADMIN) == expected


@pytest.mark.parametrize(
    ("who", "granted", "refused"),
    [
        (
            "writer",
            ["submit_issue", "add_issue", "change_issue", "add_section", "change_section", "delete_section"],
            [
                "review_issue",
                "reopen_issue",
                "publish_issue",
                "correct_issue",
                "withdraw_issue",
                "delete_issue",
            ],
        ),
        (
            "reviewer",
            ["review_issue", "reopen_issue", "view_issue", "view_section", "view_revision"],
            [
                "change_section",
                "add_section",
                "delete_section",
                "change_issue",
                "submit_issue",
                "publish_issue",
            ],
        ),
        (
            "admin_user",
            [
                "publish_issue",
                "correct_issue",
                "withdraw_issue",
                "review_issue",
                "reopen_issue",
                "submit_issue",
                "change_section",
                "change_series",
            ],
            [],
        ),
        (
            "stranger",
            [],
            ["view_issue", "submit_issue", "review_issue", "publish_issue", "change_section"],
        ),
    ],
)
def test_each_role_can_do_its_part_and_no_more(db, request, who, granted, refused):
    user = request.getfixturevalue(who)

    assert {p: user.has_perm(f"editorial.{p}") for p in granted + refused} == {
        **{p: True for p in granted},
        **{p: False for p in refused},
    }


def test_the_admin_group_manages_users_but_not_groups(admin_user):
    assert admin_user.has_perm("auth.add_user")
    assert admin_user.has_perm("auth.change_user")
    assert not admin_user.has_perm("auth.change_group")
    assert not admin_user.is_superuser


def test_an_inactive_member_has_no_permission(admin_user):
    admin_user.is_active = False
    admin_user.save()

    assert not admin_user.has_perm("editorial.publish_issue")


def test_the_groups_migration_can_run_again_without_change(db):
    before = {name: group_permissions(name) for name in GROUP_PERMISSIONS}
    executor = MigrationExecutor(connection)
    migration = executor.loader.get_migration("editorial", "0002_groups")
    state_apps = executor.loader.project_state(("editorial", "0002_groups")).apps

    migration.operations[0].code(state_apps, None)

    assert {name: group_permissions(name) for name in GROUP_PERMISSIONS} == before
    assert Group.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_groups_come_back_after_a_flush_empties_the_tables():
    call_command("flush", interactive=False, verbosity=0)

    groups = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert set(groups) == {"撰稿人", "审核人", "管理员"}
    assert "submit_issue" in groups["撰稿人"]
    assert "review_issue" in groups["审核人"]
    assert {"publish_issue", "withdraw_issue"} <= groups["管理员"]
