from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("发布")

    def ready(self) -> None:
        from editorial.signals import issue_transitioned
        from publishing.receivers import on_issue_transitioned

        issue_transitioned.connect(on_issue_transitioned, dispatch_uid="publishing.renditions")
