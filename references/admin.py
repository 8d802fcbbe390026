from django.contrib import admin
from django.db import models

from editorial.admin import FrozenContentAdmin
from editorial.models import EDITABLE_STATES, ContentPart, Issue
from editorial.services import content_change_record
from references.models import Citation, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["outlet", "title", "date_display", "kind", "url"]
    list_filter = ["kind", "date_precision", ("date", admin.DateFieldListFilter)]
    search_fields = ["outlet", "title", "url"]
    readonly_fields = ["fingerprint", "created_at"]
    # Links typed without a scheme are taken as https (Django 6's default), not http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Citation)
class CitationAdmin(FrozenContentAdmin):
    list_display = ["issue", "position", "source", "note"]
    list_filter = ["issue__state", "source__kind", "source__outlet"]
    search_fields = ["note", "source__title", "source__outlet"]
    autocomplete_fields = ["source", "sections"]

    # What the admin changes counts for the four-eyes rule as a change in the newsroom does.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.changed_data or not change:
            content_change_record(issue=obj.issue, user=request.user, part=ContentPart.CITATIONS)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        content_change_record(issue=obj.issue, user=request.user, part=ContentPart.CITATIONS)

    def delete_queryset(self, request, queryset):
        issues = {citation.issue for citation in queryset.select_related("issue")}
        super().delete_queryset(request, queryset)
        for issue in issues:
            content_change_record(issue=issue, user=request.user, part=ContentPart.CITATIONS)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "issue":
            kwargs["queryset"] = Issue.objects.filter(state__in=EDITABLE_STATES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
