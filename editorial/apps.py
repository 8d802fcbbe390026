from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import pgettext_lazy


class EditorialConfig(AppConfig):
    name = "editorial"
    # A context of its own: the same word is the "Edit" button of the newsroom.
    verbose_name = pgettext_lazy("application", "编辑")

    def ready(self) -> None:
        from editorial.notifications import on_issue_transitioned
        from editorial.signals import issue_transitioned
        from xinzhi import lookups

        # For every app's integer fields: posted ids too large for the database match nothing (xinzhi/lookups.py).
        lookups.register()

        issue_transitioned.connect(on_issue_transitioned, dispatch_uid="editorial.notifications")
        post_migrate.connect(_sync_groups, sender=self, dispatch_uid="editorial.sync_groups")


def _sync_groups(sender, using="default", apps=None, **kwargs) -> None:
    # migrate passes its project state's apps; flush passes none, and the installed apps are then current.
    from django.apps import apps as installed_apps

    from editorial.roles import sync_groups

    if using == "default":
        sync_groups(apps or installed_apps)
