from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PublishingConfig(AppConfig):
    name = "publishing"
    # A context of its own: the same word is the "Publish" action of the workflow.
    verbose_name = pgettext_lazy("application", "发布")

    def ready(self) -> None:
        from editorial.signals import issue_transitioned
        from publishing.receivers import on_issue_transitioned

        issue_transitioned.connect(on_issue_transitioned, dispatch_uid="publishing.renditions")

        # The public archive: search entries and the page cache follow every publication change.
        from django.db.models.signals import post_delete, post_save

        from editorial.models import Issue
        from publishing import cache

        issue_transitioned.connect(cache.on_issue_transitioned, dispatch_uid="publishing.archive")
        post_save.connect(cache.on_issue_saved, sender=Issue, dispatch_uid="publishing.archive.saved")
        post_delete.connect(cache.on_issue_deleted, sender=Issue, dispatch_uid="publishing.archive.deleted")
        from editorial.models import Series, SeriesFooterBlock, SeriesQRCode

        for model in (Series, SeriesQRCode, SeriesFooterBlock):
            for signal in (post_save, post_delete):
                signal.connect(
                    cache.on_masthead_changed,
                    sender=model,
                    dispatch_uid=f"publishing.archive.{model.__name__}",
                )
