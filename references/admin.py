from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from editorial.admin import FrozenContentAdmin, lock_editable_issues
from editorial.models import EDITABLE_STATES, ContentPart, Issue
from editorial.services import content_change_record
from references.models import Citation, Source, source_fingerprint

# What a citing issue prints of its source (references.formatting, publishing's render context); the kind only
# sorts the sources page, so changing it changes no issue.
PRINTED_SOURCE_FIELDS = frozenset({"outlet", "title", "url", "date", "date_precision"})


class SourceAdminForm(forms.ModelForm):
    """A source is printed by every issue that cites it, so editing what they print is editing those issues:
    refused while any of them is frozen (lock_editable_issues), and recorded for each of them (the four-eyes
    rule) otherwise. A source edited into the spelling of another is refused: the two are one document."""

    def clean(self):
        cleaned = super().clean()
        self.citing_issues: list[Issue] = []
        keys = ("outlet", "title", "date", "date_precision")
        if all(key in cleaned for key in keys):
            fingerprint = source_fingerprint(
                outlet=cleaned["outlet"],
                title=cleaned["title"],
                date=cleaned["date"],
                precision=cleaned["date_precision"],
            )
            twin = Source.objects.filter(fingerprint=fingerprint).exclude(pk=self.instance.pk).first()
            if twin is not None:
                raise forms.ValidationError(
                    _("已有同一来源（发布机构、标题和日期相同）：%(source)s。请在引用处改用那一条。"),
                    code="duplicate",
                    params={"source": twin},
                )
        if self.instance.pk is not None and PRINTED_SOURCE_FIELDS & set(self.changed_data):
            self.citing_issues = lock_editable_issues(
                Citation.objects.filter(source=self.instance).values_list("issue_id", flat=True)
            )
        return cleaned


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """Deleting a cited source is refused by the database (Citation.source is PROTECT), which the admin's
    delete page shows; an uncited source is printed nowhere."""

    form = SourceAdminForm
    list_display = ["outlet", "title", "date_display", "kind", "url"]
    list_filter = ["kind", "date_precision", ("date", admin.DateFieldListFilter)]
    search_fields = ["outlet", "title", "url"]
    readonly_fields = ["fingerprint", "created_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for issue in form.citing_issues:
            content_change_record(issue=issue, user=request.user, part=ContentPart.CITATIONS)


class CitationAdminForm(forms.ModelForm):
    """A citation changes what its issue prints, and a move changes two issues: both must be editable (locked
    and checked by lock_editable_issues, the old one also by FrozenContentAdmin's permission), and the sections
    it supports must be the new issue's."""

    def clean(self):
        cleaned = super().clean()
        issue = cleaned.get("issue")
        self.changed_issues: list[Issue] = []
        if issue is None:
            return cleaned
        strangers = [section for section in cleaned.get("sections") or () if section.issue_id != issue.pk]
        if strangers:
            self.add_error(
                "sections",
                _("支持的条目必须属于本条所在的期刊（%(issue)s），以下条目不属于：%(sections)s。")
                % {"issue": issue, "sections": _("、").join(str(section) for section in strangers)},
            )
        self.changed_issues = lock_editable_issues({issue.pk, self.instance.issue_id} - {None})
        return cleaned


@admin.register(Citation)
class CitationAdmin(FrozenContentAdmin):
    form = CitationAdminForm
    list_display = ["issue", "position", "source", "note"]
    list_filter = ["issue__state", "source__kind", "source__outlet"]
    search_fields = ["note", "source__title", "source__outlet"]
    autocomplete_fields = ["source", "sections"]

    # What the admin changes counts for the four-eyes rule as a change in the newsroom does; moving a citation
    # to another issue changes both.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.changed_data or not change:
            for issue in form.changed_issues:
                content_change_record(issue=issue, user=request.user, part=ContentPart.CITATIONS)

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
