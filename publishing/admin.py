from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from editorial.admin import ReadOnlyAdmin
from publishing.models import Alert, Rendition, RenditionStatus, WeChatArticle, WeChatPush
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


class WeChatPushInline(admin.TabularInline):
    model = WeChatPush
    fields = ["created_at", "action", "requested_by", "result", "content_hash", "draft_media_id", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WeChatArticle)
class WeChatArticleAdmin(ReadOnlyAdmin):
    """Made by pushes (the newsroom's review page and `push_wechat`); here admins look them up. Never deleted
    here: the row is what keeps one draft per issue, without it the next push would make a second draft."""

    list_display = ["issue", "app_id", "draft_media_id", "publish_status", "article_url", "updated_at"]
    list_filter = ["publish_status", "app_id", "issue__series"]
    search_fields = ["issue__headline", "issue__date", "draft_media_id", "article_url"]
    list_select_related = ["issue__series"]
    readonly_fields = [
        "issue",
        "app_id",
        "draft_media_id",
        "content_hash",
        "pending",
        "cover",
        "publish_id",
        "publish_status",
        "publish_error",
        "article_id",
        "article_url",
        "published_at",
        "polled_at",
        "created_at",
        "updated_at",
    ]
    inlines = [WeChatPushInline]
