def test_the_newsroom_groups_exist_with_permissions(db):
    from django.contrib.auth.models import Group

    assert {g.name: g.permissions.exists() for g in Group.objects.all()} == {
        "撰稿人": True,
        "审核人": True,
        "管理员": True,
    }


def test_an_issue_can_be_built_with_sections(draft_issue):
    assert draft_issue.sections.count() == 2
    assert draft_issue.sections.first().revisions.count() == 1
