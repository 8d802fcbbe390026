"""Create the newsroom's groups (撰稿人, 审核人, 管理员) with their permissions.

The permission lists live in editorial.roles.GROUP_PERMISSIONS; the same sync also runs after every migrate and
flush (post_migrate), so a change to the lists applies at the next migrate.
"""

from django.db import migrations


def sync_groups(apps, schema_editor):
    from editorial.roles import sync_groups

    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("references", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
