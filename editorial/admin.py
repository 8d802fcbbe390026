from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext_lazy as _

from editorial.models import (
    Analysis,
    Correction,
    Issue,
    IssueEvent,
    ReviewComment,
    Revision,
    Section,
    Series,
    Topic,
)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "publisher", "publish_time", "review_cutoff", "time_zone", "four_eyes"]
    list_filter = ["four_eyes", "reviewers_may_edit", "time_zone"]
    search_fields = ["title", "publisher", "producers", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    # Links typed without a scheme are taken as https (Django 6's default), not http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
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


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
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

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


class AnalysisInline(admin.StackedInline):
    model = Analysis
    can_delete = False


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "issue", "author", "version", "updated_at"]
    list_filter = ["issue__state", "topics", "issue__series"]
    search_fields = ["headline", "body", "analysis__body", "issue__headline"]
    autocomplete_fields = ["topics", "author"]
    readonly_fields = ["version"]
    inlines = [AnalysisInline]


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
class IssueEventAdmin(admin.ModelAdmin):
    """The audit log: read-only, append-only."""

    list_display = ["created_at", "issue", "transition", "from_state", "to_state", "actor", "comment"]
    list_filter = ["transition", "to_state", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["comment", "issue__headline", "actor__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["issue", "created_at", "author", "note"]
    list_filter = [("created_at", admin.DateFieldListFilter)]
    search_fields = ["note", "issue__headline"]
    readonly_fields = ["issue", "note", "author", "created_at"]

    def has_add_permission(self, request):
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
