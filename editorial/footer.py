"""The masthead's footer as admins edit it: the contact heading, the QR codes and the “about” blocks.

A QR code is either an uploaded image (the official account's code, which WeChat issues as a picture) or a URL
that a code is generated from; never both, never neither. Uploads go through editorial.images (real JPEG, PNG,
WebP or GIF only, at most 5 MB, redrawn by Pillow, metadata dropped) and are stored under MEDIA_ROOT/newsroom/qr/
with a random name, where the upload route, the PDF renderer's fetcher and the WeChat push read them. A replaced
image's file stays: renditions made before the change still show it.

The newsroom's footer page (editorial.views.footer) and the admin's inlines (editorial.admin) use the same forms.
Everything is validated before anything is stored: `footer_save` writes nothing unless every form is valid.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from editorial.forms import processed_upload
from editorial.models import Series, SeriesFooterBlock, SeriesQRCode

MAX_QR_CODES = 6
MAX_FOOTER_BLOCKS = 10
# The image name a code holds between a valid upload and its storing (never saved).
PENDING_IMAGE = "pending-upload"


def _https_formfield(field, **kwargs):
    """https is assumed for an address typed without a scheme, as on the admin site (Django 6's default)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class QRCodeForm(forms.ModelForm):
    """One QR code: a label and either a URL or an uploaded image.

    An upload replaces the image (and clears the URL); a URL without an upload turns the code into a generated
    one; neither keeps the stored image. `cleaned_data["processed"]` is the editorial.images.ProcessedImage of
    an upload, stored by `save`."""

    upload = forms.FileField(
        label=gettext_lazy("二维码图片"),
        required=False,
        help_text=gettext_lazy("公众号二维码请上传微信提供的图片（JPEG、PNG、WebP 或 GIF，最大 5 MB）。"),
    )

    class Meta:
        model = SeriesQRCode
        fields = ["label", "url"]
        formfield_callback = _https_formfield
        error_messages = {"label": {"required": gettext_lazy("请填写二维码的说明文字。")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].error_messages["invalid"] = _("请输入有效的网址，以 http:// 或 https:// 开头。")

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            self.cleaned_data["processed"] = processed_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        url = cleaned.get("url") or ""
        has_upload = bool(cleaned.get("upload")) or "upload" in self.errors
        if url and has_upload:
            raise ValidationError(_("二维码只能二选一：填写网址，或上传图片。"))
        if not url and not has_upload and not self.instance.image and "url" not in self.errors:
            raise ValidationError(_("请填写网址或上传二维码图片。"))
        return cleaned

    def _post_clean(self):
        # The code as it will be stored, before the model's image-or-URL rule checks it: an upload stands in
        # under a placeholder name (it is stored only by `save`, once every form of the page is valid); a URL
        # typed over an image replaces the image.
        if self.cleaned_data.get("processed") is not None:
            self.instance.image.name = PENDING_IMAGE
        elif self.cleaned_data.get("url"):
            self.instance.image = ""
            self.instance.image_sha256 = ""
        super()._post_clean()

    def save(self, commit: bool = True) -> SeriesQRCode:
        code = super().save(commit=False)
        processed = self.cleaned_data.get("processed")
        if processed is not None:
            code.url = ""
            code.image.save(f"qr.{processed.extension}", ContentFile(processed.data), save=False)
            code.image_sha256 = hashlib.sha256(processed.data).hexdigest()
        if commit:
            code.save()
        return code


class FooterBlockForm(forms.ModelForm):
    class Meta:
        model = SeriesFooterBlock
        fields = ["title", "body"]
        error_messages = {"body": {"required": gettext_lazy("请填写这一段介绍的正文。")}}
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


class ContactHeadingForm(forms.ModelForm):
    class Meta:
        model = Series
        fields = ["contact_heading"]


class _OrderedInlineFormSet(forms.BaseInlineFormSet):
    """Rows in the order of their ORDER numbers (ties and blanks keep the page's order); deleted rows removed."""

    def kept_forms(self) -> list[forms.ModelForm]:
        kept = [
            form
            for form in self.forms
            if not self._should_delete_form(form) and (form.instance.pk is not None or form.has_changed())
        ]
        page_order = {id(form): index for index, form in enumerate(self.forms)}

        def key(form):
            order = form.cleaned_data.get("ORDER")
            return (order is None, order if order is not None else 0, page_order[id(form)])

        return sorted(kept, key=key)


def _formset(form, model, maximum: int):
    formset = forms.inlineformset_factory(
        Series,
        model,
        form=form,
        formset=_OrderedInlineFormSet,
        extra=1,
        can_delete=True,
        can_order=True,
        max_num=maximum,
        validate_max=True,
        absolute_max=maximum * 2,
    )
    return formset


QRCodeFormSet = _formset(QRCodeForm, SeriesQRCode, MAX_QR_CODES)
FooterBlockFormSet = _formset(FooterBlockForm, SeriesFooterBlock, MAX_FOOTER_BLOCKS)


def footer_forms(*, series: Series, data=None, files=None) -> dict:
    """The three bound (or, without `data`, unbound) parts of the footer page: {"heading": ContactHeadingForm,
    "codes": QRCodeFormSet (prefix "qr"), "blocks": FooterBlockFormSet (prefix "block")}."""
    return {
        "heading": ContactHeadingForm(data, instance=series, prefix="footer"),
        "codes": QRCodeFormSet(
            data,
            files,
            instance=series,
            prefix="qr",
            queryset=SeriesQRCode.objects.filter(series=series).order_by("position", "pk"),
        ),
        "blocks": FooterBlockFormSet(
            data,
            instance=series,
            prefix="block",
            queryset=SeriesFooterBlock.objects.filter(series=series).order_by("position", "pk"),
        ),
    }


def footer_errors(parts: dict) -> list[str]:
    """Every error of the bound `parts` as a sentence naming the row (“二维码 2：…”), in page order."""
    messages = []
    heading = parts["heading"]
    for field, errors in heading.errors.items():
        label = heading.fields[field].label if field in heading.fields else ""
        messages.extend(f"{label}：{error}" if label else str(error) for error in errors)
    for key, noun in (("codes", _("二维码")), ("blocks", _("介绍"))):
        formset = parts[key]
        for error in formset.non_form_errors():
            messages.append(f"{noun}：{error}")
        for index, form in enumerate(formset.forms, start=1):
            if formset.can_delete and formset._should_delete_form(form):
                continue
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields and field != "__all__" else ""
                for error in errors:
                    where = f"{noun} {index}"
                    messages.append(f"{where}·{label}：{error}" if label else f"{where}：{error}")
    return messages


def footer_save(*, series: Series, parts: dict) -> Series:
    """Store the validated footer `parts` (from `footer_forms` with data): the contact heading, then the codes
    and blocks as the page orders them (positions 1, 2, …), deleting the removed rows, in one transaction.

    Raises ValueError when a part is invalid: callers validate first (`all(p.is_valid() ...)`), so an error
    writes nothing, not even an uploaded image."""
    if not all(part.is_valid() for part in parts.values()):
        raise ValueError("footer_save needs valid forms")
    with transaction.atomic():
        parts["heading"].save()
        for key in ("codes", "blocks"):
            formset = parts[key]
            for form in formset.deleted_forms:
                if form.instance.pk is not None:
                    form.instance.delete()
            for position, form in enumerate(formset.kept_forms(), start=1):
                row = form.save(commit=False)
                row.series = series
                row.position = position
                row.save()
    return series
