"""Forms of the newsroom: they parse what the browser sends (form posts or JSON from fetch) into the plain
arguments of one service call. Validation of meaning (states, roles, versions) stays in the services."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_ckeditor_5.widgets import CKEditor5Widget

from editorial import dates, images
from editorial.fields import CleanedCharField, CleanedHTMLField, CleanedTextField, CleanedURLField
from editorial.models import Issue, Section, Series


class RichTextWidget(CKEditor5Widget):
    """CKEditor 5 in the reader's language: its built-in English for an English interface, otherwise the
    translation the settings configure (and the widget's media load).

    Its media add the newsroom's editor plugin after CKEditor's bundle: the configuration names it
    (`extraPlugins`), so every page with this widget must load it or the editor does not start."""

    class Media:
        js = ["editorial/ckeditor_hooks.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.configured_language = self.config.get("language", "en")

    def render(self, name, value, attrs=None, renderer=None):
        english = (get_language() or "").split("-")[0] == "en"
        # A new dict: form copies of a widget share the old one, and another request may be rendering it.
        self.config = {**self.config, "language": "en" if english else self.configured_language}
        return super().render(name, value, attrs=attrs, renderer=renderer)


TOPIC_SEPARATORS = re.compile(r"[,，、;；\n]+")


def split_topics(value: str) -> list[str]:
    """`数据要素，绿电, 算力` -> ["数据要素", "绿电", "算力"]: writers type Chinese or Latin commas."""
    seen: list[str] = []
    for name in TOPIC_SEPARATORS.split(value or ""):
        name = name.strip()
        if name and name not in seen:
            seen.append(name)
    return seen


def parse_id_list(values: list[str]) -> list[int]:
    """`["3", "1", "2"]` (JSON's [3, 1, 2], or repeated form fields) or `["3,1,2"]` (one form field) ->
    [3, 1, 2]. Raises ValidationError for anything that is not a whole number."""
    items = [item.strip() for value in values or [] for item in str(value).split(",")]
    try:
        return [int(item) for item in items if item]
    except ValueError:
        raise ValidationError(_("顺序必须是以逗号分隔的编号。")) from None


def takes_several(field: forms.Field) -> bool:
    """Whether a form post carries several values for `field` (a multiple choice, a list of ids)."""
    return isinstance(field, forms.MultipleChoiceField) or isinstance(
        field.widget, forms.SelectMultiple | forms.CheckboxSelectMultiple | forms.MultipleHiddenInput
    )


def post_values(value, *, field: forms.Field) -> list[str]:
    """A JSON value as a form post carries it for `field`: its texts. Raises TypeError for a value no form post
    could carry there (an object; a list for a field of one value; true or false outside a checkbox)."""
    several = takes_several(field)
    if value is None:
        return []
    if isinstance(value, list) and several:
        return [text for item in value for text in post_values(item, field=forms.Field())]
    if isinstance(value, bool):
        if isinstance(field, forms.BooleanField):
            return ["true" if value else "false"]
        raise TypeError(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, int | float):
        return [json.dumps(value)]
    raise TypeError(value)


class NewsroomForm(forms.Form):
    """A newsroom form, bound to a form post or to the JSON object of a fetch call (views.base.request_data).

    Django's fields parse what a form post carries: texts, several only where a field takes several. A JSON body
    can carry a number, true, null, a list or an object in any field, and a date field would fail on `.strip()`
    with a 500. So a JSON body is read as the form post it stands for (`post_values`); a value no form post could
    carry is an error on its field ("应为文本或数字"), and the form is invalid."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.misshapen: list[str] = []
        if self.is_bound and not isinstance(self.data, QueryDict):
            self.data = self._as_post(self.data)

    def _as_post(self, data: Mapping) -> QueryDict:
        post = QueryDict(mutable=True)
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if key not in data:
                continue
            try:
                post.setlist(key, post_values(data[key], field=field))
            except TypeError:
                self.misshapen.append(name)
        return post

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.misshapen:
            self.errors.pop(name, None)
            self.add_error(name, ValidationError(_("应为文本或数字。"), code="invalid"))


class RowNumberField(forms.IntegerField):
    """A whole number that names a row or is compared with a PositiveIntegerField column (versions, issue
    numbers, ids): 1 to 2,147,483,647 unless told otherwise (PositiveIntegerField's range on every database
    Django supports), so a number no row can hold is a form error, not an overflow in the database or a
    stale-version conflict."""

    def __init__(self, *, min_value: int = 1, max_value: int = 2**31 - 1, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class IssueCreateForm(NewsroomForm):
    series = forms.ModelChoiceField(label=_("刊物"), queryset=Series.objects.all(), empty_label=None)
    date = dates.BulletinDateFormField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    headline = CleanedCharField(label=_("本期标题"), max_length=200, required=False)
    summary = CleanedTextField(
        label=_("摘要"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        series = list(Series.objects.all()[:2])
        if len(series) == 1:
            # One masthead is the usual case: do not make writers pick it.
            self.fields["series"].initial = series[0]
            self.fields["series"].widget = forms.HiddenInput()


class IssueMetaForm(NewsroomForm):
    headline = CleanedCharField(
        label=_("本期标题"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"data-field": "headline"}),
    )
    summary = CleanedTextField(
        label=_("摘要"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "data-field": "summary"}),
    )
    number = RowNumberField(
        label=_("期号"), required=False, widget=forms.NumberInput(attrs={"data-field": "number"})
    )
    version = RowNumberField(widget=forms.HiddenInput(attrs={"data-version": ""}))

    @classmethod
    def for_issue(cls, issue: Issue, **kwargs) -> IssueMetaForm:
        return cls(
            initial={
                "headline": issue.headline,
                "summary": issue.summary,
                "number": issue.number,
                "version": issue.version,
            },
            prefix="issue",
            **kwargs,
        )

    def service_data(self) -> dict:
        data = {key: self.cleaned_data[key] for key in ("headline", "summary")}
        if self.cleaned_data.get("number") is not None:
            data["number"] = self.cleaned_data["number"]
        return data


class SectionForm(NewsroomForm):
    headline = CleanedCharField(
        label=_("标题"), max_length=200, widget=forms.TextInput(attrs={"data-field": "headline"})
    )
    body = CleanedHTMLField(
        label=_("新闻正文"),
        required=False,
        max_length=200_000,
        widget=RichTextWidget(config_name="default", attrs={"data-field": "body"}),
    )
    analysis = CleanedHTMLField(
        label=_("评析"),
        required=False,
        max_length=200_000,
        widget=RichTextWidget(config_name="default", attrs={"data-field": "analysis"}),
    )
    topics = CleanedTextField(
        label=_("主题"),
        required=False,
        max_length=1000,
        help_text=_("多个主题用逗号分隔，例如：数据要素，绿电"),
        widget=forms.TextInput(attrs={"data-field": "topics"}),
    )
    version = RowNumberField(widget=forms.HiddenInput(attrs={"data-version": ""}))

    @classmethod
    def for_section(cls, section: Section, **kwargs) -> SectionForm:
        analysis = getattr(section, "analysis", None)
        return cls(
            initial={
                "headline": section.headline,
                "body": section.body,
                "analysis": analysis.body if analysis else "",
                "topics": "，".join(topic.name for topic in section.topics.all()),
                "version": section.version,
            },
            prefix=f"s{section.pk}",
            **kwargs,
        )

    def clean_topics(self) -> list[str]:
        return split_topics(self.cleaned_data.get("topics", ""))

    def service_data(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("headline", "body", "analysis", "topics")}


class SectionCreateForm(NewsroomForm):
    headline = CleanedCharField(label=_("新条目标题"), max_length=200)


class OrderForm(NewsroomForm):
    order = forms.Field(label=_("顺序"), widget=forms.MultipleHiddenInput)

    def clean_order(self) -> list[int]:
        return parse_id_list(self.cleaned_data.get("order"))


class RestoreForm(NewsroomForm):
    version = RowNumberField()


class TransitionForm(NewsroomForm):
    reason = CleanedTextField(
        label=_("原因"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ScheduleForm(NewsroomForm):
    """A new publication time, typed in the series' own time zone (the newsroom's wall clock)."""

    publish_at = dates.BulletinDateTimeFormField(
        label=_("发布时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, issue: Issue, **kwargs):
        super().__init__(*args, **kwargs)
        self.issue = issue

    def clean_publish_at(self):
        value = self.cleaned_data["publish_at"]
        # Django made it aware in the site's time zone; the editor meant the series' wall-clock time.
        return timezone.make_aware(timezone.make_naive(value), self.issue.series.zone)


class CommentForm(NewsroomForm):
    section = forms.ModelChoiceField(
        label=_("条目"), queryset=Section.objects.none(), required=False, empty_label=_("整期")
    )
    body = CleanedTextField(label=_("意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, issue: Issue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = issue.sections.order_by("position")
        self.fields["section"].label_from_instance = lambda s: f"{s.numeral}、{s.headline}"


class SourceSearchForm(NewsroomForm):
    q = CleanedCharField(max_length=200, required=False)


class CitationForm(NewsroomForm):
    """Add a citation: an existing source (`source`) or a new one (outlet, title, url, date, kind)."""

    # A source's id (a BigAutoField).
    source = RowNumberField(required=False, max_value=2**63 - 1, widget=forms.HiddenInput)
    outlet = CleanedCharField(label=_("发布机构"), max_length=200, required=False)
    title = CleanedCharField(label=_("标题"), max_length=500, required=False)
    url = CleanedURLField(label=_("链接"), max_length=1000, required=False, assume_scheme="https")
    date = CleanedCharField(
        label=_("日期"),
        max_length=32,
        required=False,
        help_text=_("YYYY-MM-DD，或只到月份：YYYY-MM"),
        widget=forms.TextInput(attrs={"placeholder": "2026-06-27"}),
    )
    kind = forms.ChoiceField(label=_("类型"), required=False)
    note = CleanedCharField(
        label=_("用途"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("用于……")}),
    )
    sections = forms.ModelMultipleChoiceField(
        label=_("支持的条目"),
        queryset=Section.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, issue: Issue, **kwargs):
        from references.models import SourceKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("自动判断")), *SourceKind.choices]
        self.fields["sections"].queryset = issue.sections.order_by("position")
        self.fields["sections"].label_from_instance = lambda s: f"{s.numeral}、{s.headline}"

    def clean_date(self):
        from references.formatting import EntryError, parse_date

        value = (self.cleaned_data.get("date") or "").strip()
        if not value:
            return None
        try:
            return parse_date(value)
        except EntryError as error:
            if error.code == "date_range":
                raise ValidationError(dates.out_of_range_message(), code="date_range") from None
            raise ValidationError(_("日期格式应为 2026-06-27 或 2026-06。")) from None

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("source") and not (cleaned.get("outlet") and cleaned.get("title")):
            raise ValidationError(_("请选择已有来源，或填写新来源的发布机构和标题。"))
        return cleaned


class CitationUpdateForm(NewsroomForm):
    note = CleanedCharField(label=_("用途"), max_length=500, required=False)
    sections = forms.ModelMultipleChoiceField(
        label=_("支持的条目"),
        queryset=Section.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, issue: Issue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].queryset = issue.sections.order_by("position")


def processed_upload(upload) -> images.ProcessedImage:
    """An uploaded file checked and rewritten by editorial.images (size first, before a byte of it is read into
    memory; then format, pixel count, orientation, metadata). Raises ValidationError with the reason."""
    if upload.size > images.MAX_IMAGE_BYTES:
        raise ValidationError(images.too_large_message(upload.size))
    try:
        return images.process_image(data=upload.read())
    except images.ImageRefused as refused:
        raise ValidationError(str(refused)) from None


class ImageUploadForm(forms.Form):
    """One image from CKEditor's upload adapter; checked and rewritten by editorial.images (size, format, pixel
    count, orientation, metadata). `cleaned_data["image"]` is the ProcessedImage to store."""

    upload = forms.FileField(error_messages={"required": _("请选择要上传的图片。")})

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        self.cleaned_data["image"] = processed_upload(upload)
        return upload
