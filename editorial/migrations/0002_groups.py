"""Create the newsroom's groups (撰稿人, 审核人, 管理员) with their permissions.

The permission lists live in editorial.roles.GROUP_PERMISSIONS; this migration is re-run-safe and a later
migration that changes the lists can call `sync_groups` again.
"""

from django.db import migrations


def sync_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from editorial.roles import GROUP_PERMISSIONS

    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
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


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("references", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, migrations.RunPython.noop)]
