from collections.abc import Iterable

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from editorial.footer import FooterBlockForm, QRCodeForm
from editorial.models import (
    Analysis,
    ContentChange,
    ContentPart,
    Correction,
    Issue,
    IssueEvent,
    ReviewComment,
    Revision,
    Section,
    Series,
    SeriesFooterBlock,
    SeriesQRCode,
    Topic,
)
from editorial.services import content_change_record


class SeriesQRCodeInline(admin.TabularInline):
    """The footer's QR codes, through the newsroom's form (editorial.footer): a URL or an uploaded image."""

    model = SeriesQRCode
    form = QRCodeForm
    fields = ["position", "label", "url", "upload", "current_image"]
    readonly_fields = ["current_image"]
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("当前图片"))
    def current_image(self, code: SeriesQRCode) -> str:
        if not code.image:
            return "—"
        return format_html('<img src="{}" alt="{}" width="64" height="64">', code.image.url, code.label)


class SeriesFooterBlockInline(admin.TabularInline):
    model = SeriesFooterBlock
    form = FooterBlockForm
    fields = ["position", "title", "body"]
    extra = 0


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    inlines = [SeriesQRCodeInline, SeriesFooterBlockInline]
    list_display = ["title", "slug", "publisher", "publish_time", "review_cutoff", "time_zone", "four_eyes"]
    list_filter = ["four_eyes", "reviewers_may_edit", "time_zone"]
    search_fields = ["title", "publisher", "producers", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    # Links typed without a scheme are taken as https (Django 6's default), not http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """Topics are not an issue's content (see ContentPart): no issue prints them (web page, PDF, WeChat article
    and feed entry show sections without their topics); they index the public archive across issues. Renaming
    or deleting one is archive housekeeping, so it records no ContentChange and is open in every state."""

    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["position", "headline", "author", "version"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class IssueEventInline(admin.TabularInline):
    model = IssueEvent
    fields = ["created_at", "transition", "from_state", "to_state", "actor", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def lock_editable_issues(issue_ids: Iterable[int]) -> list[Issue]:
    """Lock the issues `issue_ids` and return them by date, for an admin change that alters what they print.

    Call from a form's clean(): the admin's change, add and delete views run in one transaction, so the locks
    hold until the change is saved and a concurrent submit or approval (which locks the row too) waits for it.
    Raises ValidationError naming every issue whose content is frozen (not in EDITABLE_STATES), as the
    newsroom refuses such a change: in review or approved it must be returned or reopened first, and a
    published page changes only through a public correction."""
    issues = list(
        Issue.objects.select_for_update(of=("self",))
        .select_related("series")
        .filter(pk__in=set(issue_ids))
        .order_by("date", "pk")
    )
    frozen = [issue for issue in issues if not issue.is_editable]
    if frozen:
        raise ValidationError(
            _(
                "这一修改会改变以下期刊印出的内容，而它们的内容已冻结，因此没有保存：%(issues)s。"
                "审核中或已批准的期刊请先退回或重新打开；已发布的期刊请在编辑部通过更正修改。"
            ),
            code="frozen",
            params={
                "issues": _("、").join(
                    _("%(issue)s（%(state)s）") % {"issue": issue, "state": issue.get_state_display()}
                    for issue in frozen
                )
            },
        )
    return issues


class FrozenContentAdmin(admin.ModelAdmin):
    """Content of an issue that is in review, approved, published or withdrawn is frozen: the admin shows it
    read-only, as the newsroom does; changing it takes the workflow (reopen, or correct after publication)."""

    issue_attribute = "issue"  # where the object keeps its issue; empty for the issue itself

    def issue_of(self, obj) -> Issue:
        return getattr(obj, self.issue_attribute) if self.issue_attribute else obj

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self.issue_of(obj).is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self.issue_of(obj).is_editable:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Issue)
class IssueAdmin(FrozenContentAdmin):
    """States change only through editorial.workflow, so the state and timestamps are read-only here."""

    list_display = ["date", "number", "headline", "state", "publish_at", "published_at", "series"]
    list_filter = ["state", "series", ("date", admin.DateFieldListFilter)]
    search_fields = ["headline", "summary", "sections__headline"]
    date_hierarchy = "date"
    readonly_fields = [
        "state",
        "publish_at",
        "published_at",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [SectionInline, IssueEventInline]

    issue_attribute = ""
    # What the issue prints of its own fields: the masthead (series), date, number, headline and summary.
    printed_fields = frozenset({"series", "date", "number", "headline", "summary"})

    def save_model(self, request, obj, form, change):
        if change:
            # An editor open in the newsroom must see this change as someone else's save, not overwrite it.
            obj.version += 1
        super().save_model(request, obj, form, change)
        if self.printed_fields & set(form.changed_data):
            content_change_record(issue=obj, user=request.user, part=ContentPart.ISSUE)

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnalysisInline(admin.StackedInline):
    model = Analysis
    can_delete = False
    fields = ["body"]
    readonly_fields = fields


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    """Sections are written in the newsroom editor, which keeps revisions and refuses stale saves; here they
    are shown read-only, with a link to that editor."""

    list_display = ["__str__", "issue", "author", "version", "updated_at"]
    list_filter = ["issue__state", "topics", "issue__series"]
    search_fields = ["headline", "body", "analysis__body", "issue__headline"]
    fields = ["issue", "position", "headline", "body", "topics", "author", "version", "newsroom_link"]
    readonly_fields = fields
    inlines = [AnalysisInline]

    @admin.display(description=_("编辑器"))
    def newsroom_link(self, obj):
        url = reverse("newsroom:editor", args=[obj.issue_id]) + f"#section-{obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("在编辑器中打开"))


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["section", "number", "author", "created_at"]
    list_filter = [("created_at", admin.DateFieldListFilter)]
    search_fields = ["section__headline", "author__username"]
    readonly_fields = ["section", "number", "author", "data", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IssueEvent)
class IssueEventAdmin(ReadOnlyAdmin):
    """The audit log: read-only, append-only."""

    list_display = ["created_at", "issue", "transition", "from_state", "to_state", "actor", "comment"]
    list_filter = ["transition", "to_state", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["comment", "issue__headline", "actor__username"]


@admin.register(ContentChange)
class ContentChangeAdmin(ReadOnlyAdmin):
    """Who changed which part of an issue (the four-eyes rule's record): read-only, append-only."""

    list_display = ["created_at", "issue", "part", "actor"]
    list_filter = ["part"]
    search_fields = ["issue__headline", "actor__username"]


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    """Corrections are part of the public record (the issue page prints them, the workflow's `correct` event names
    them): read here, never added, changed or deleted outside the workflow (editorial.workflow.issue_correct)."""

    list_display = ["issue", "created_at", "author", "note"]
    list_filter = [("created_at", admin.DateFieldListFilter)]
    search_fields = ["note", "issue__headline"]
    readonly_fields = ["issue", "note", "author", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewComment)
class ReviewCommentAdmin(admin.ModelAdmin):
    list_display = ["issue", "section", "author", "created_at", "resolved_at", "resolved_by"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter), ("created_at", admin.DateFieldListFilter)]
    search_fields = ["body", "issue__headline", "section__headline", "author__username"]
    raw_id_fields = ["issue", "section"]


class NewsroomUserAdmin(UserAdmin):
    """The 管理员 group may manage accounts (auth.change_user), but Django's user form would also let them
    tick "superuser" or hand out single permissions, on anyone including themselves. Only a superuser
    may do that, or change a superuser's account (and so its password)."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(User)
admin.site.register(User, NewsroomUserAdmin)

admin.site.empty_value_display = _("（空）")
