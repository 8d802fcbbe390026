"""Give the 管理员 group every publishing permission (editorial.roles grants it `publishing.*`, but the groups
were created before publishing had models)."""

from django.db import migrations

ADMIN = "管理员"


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the group needs them now.
    app_config = apps.get_app_config("publishing")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ADMIN)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="publishing"))


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0001_initial"),
        ("editorial", "0002_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
