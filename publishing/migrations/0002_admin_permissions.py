"""Give the 管理员 group every publishing permission (editorial.roles grants it `publishing.*`, but the groups
were created before publishing had models)."""

from django.db import migrations


def grant(apps, schema_editor):
    from editorial.roles import sync_groups

    sync_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0001_initial"),
        ("editorial", "0002_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
