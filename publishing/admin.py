from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from publishing.models import Alert, Rendition, RenditionStatus
from publishing.renditions import rendition_retry


@admin.register(Rendition)
class RenditionAdmin(admin.ModelAdmin):
    """Renditions are made by the workers; here admins watch them and queue failed ones again."""

    list_display = [
        "issue",
        "kind",
        "status",
        "stale",
        "attempts",
        "duration",
        "size",
        "finished_at",
        "short_hash",
    ]
    list_filter = ["status", "kind", "stale", "issue__series", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["issue__headline", "issue__date", "content_hash", "sha256", "error", "file"]
    list_select_related = ["issue__series"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "issue",
        "kind",
        "content_hash",
        "status",
        "stale",
        "file",
        "sha256",
        "size",
        "error",
        "attempts",
        "duration",
        "claimed_by",
        "enqueued_at",
        "created_at",
        "started_at",
        "finished_at",
    ]
    actions = ["retry_failed"]

    @admin.display(description=_("内容指纹"))
    def short_hash(self, obj: Rendition) -> str:
        return obj.content_hash[:12]

    @admin.action(description=_("重新生成所选的失败成品"), permissions=["change"])
    def retry_failed(self, request, queryset):
        queued = sum(rendition_retry(rendition=r) for r in queryset.filter(status=RenditionStatus.FAILED))
        self.message_user(
            request,
            ngettext("已重新排队 %(n)d 个成品。", "已重新排队 %(n)d 个成品。", queued) % {"n": queued},
            messages.SUCCESS if queued else messages.WARNING,
        )

    def has_add_permission(self, request):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["issue", "kind", "deadline", "created_at"]
    list_filter = ["kind", "issue__series"]
    search_fields = ["issue__headline", "issue__date", "recipients"]
    readonly_fields = ["issue", "kind", "deadline", "recipients", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
