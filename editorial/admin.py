from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from editorial.models import Analysis, Correction, Issue, IssueEvent, Revision, Section, Series, Topic


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "publisher", "publish_time", "review_cutoff", "time_zone", "four_eyes"]
    list_filter = ["four_eyes", "reviewers_may_edit", "time_zone"]
    search_fields = ["title", "publisher", "producers", "slug"]
    prepopulated_fields = {"slug": ["title"]}


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


admin.site.empty_value_display = _("（空）")
