"""The official account's QR code as an admin uploads it: WeChat issues it as a picture (a QR of a weixin.qq.com
address, on white, with a margin), which the footer prints as it is."""

from __future__ import annotations

import hashlib
import io

import segno
from django.core.files.base import ContentFile

from editorial.images import process_image
from editorial.models import Series, SeriesQRCode

ACCOUNT_LABEL = "新质生产力工作委员会官方公众号"
# What an account's QR encodes (the address is made up; WeChat's own codes look like this).
ACCOUNT_TARGET = "http://weixin.qq.com/r/xinzhi-demo-account"


def account_qr_png() -> bytes:
    """A 430 px PNG QR code, as the 公众平台 offers it for download (a different size from ours)."""
    buffer = io.BytesIO()
    segno.make(ACCOUNT_TARGET, error="h").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


def add_account_qr(series: Series, *, position: int = 0, data: bytes | None = None) -> SeriesQRCode:
    """An image code for the account, stored as the footer page stores an upload (MEDIA_ROOT must be set)."""
    processed = process_image(data=data or account_qr_png())
    code = SeriesQRCode(series=series, position=position, label=ACCOUNT_LABEL)
    code.image.save(f"qr.{processed.extension}", ContentFile(processed.data), save=False)
    code.image_sha256 = hashlib.sha256(processed.data).hexdigest()
    code.save()
    return code
