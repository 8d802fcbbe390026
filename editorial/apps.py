from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("编辑")

    def ready(self) -> None:
        from editorial.notifications import on_issue_transitioned
        from editorial.signals import issue_transitioned

        issue_transitioned.connect(on_issue_transitioned, dispatch_uid="editorial.notifications")
