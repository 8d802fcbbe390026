from django.contrib import admin
from django.db import models

from editorial.admin import FrozenContentAdmin
from editorial.models import EDITABLE_STATES, Issue
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "issue":
            kwargs["queryset"] = Issue.objects.filter(state__in=EDITABLE_STATES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
