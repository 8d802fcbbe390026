"""Forms of publishing's newsroom pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from editorial import images
from editorial.forms import processed_upload
from publishing.wechat.images import cover_material


class WeChatCoverForm(forms.Form):
    """An admin's cover for an issue's WeChat article: any image the newsroom accepts (editorial.images: format,
    size, pixel budget), cut to WeChat's 900×383 cover. `cleaned_data["jpeg"]` holds the bytes to store."""

    cover = forms.FileField(label=_("封面图"), error_messages={"required": _("请选择封面图片。")})

    def clean_cover(self):
        upload = self.cleaned_data["cover"]
        processed = processed_upload(upload)
        try:
            self.cleaned_data["jpeg"] = cover_material(data=processed.data)[0]
        except images.ImageRefused as refused:
            raise ValidationError(str(refused)) from None
        return upload
