"""Images turned into what the WeChat API accepts, and the article's QR codes read back without a request.

- Body images go through 上传图文消息图片 (cgi-bin/media/uploadimg): "图片仅支持jpg/png格式，大小必须在1MB以下"
  (https://developers.weixin.qq.com/doc/service/api/material/permanent/api_uploadimage). `wechat_image` writes
  JPEG or PNG under MAX_UPLOADIMG_BYTES: WebP and GIF become PNG (the first frame of an animation: the article
  shows a still) or JPEG, and an image too heavy is recompressed, then downscaled, until it fits.
- The cover goes through 上传永久素材 (cgi-bin/material/add_material, type=image): "图片（image）: 10M，支持
  bmp/png/jpeg/jpg/gif格式" (https://developers.weixin.qq.com/doc/service/api/material/permanent/api_addmaterial;
  older pages say 2M). `cover_material` writes a 900 × 383 JPEG (2.35:1, the draft's cover shape), about 100 KB.

Every image is first checked and written again by editorial.images.process_image, the newsroom's own rules: the
pixel budget read from the header before anything is decoded, frame and scan limits, orientation, CMYK to sRGB,
metadata dropped, at most 2000 px a side. Bytes that are no image raise ImageRefused with a message for the admin.
"""

from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from editorial.images import ImageRefused, process_image
from publishing.render.context import qr_png as draw_qr_png
from publishing.render.context import qr_target

# "大小必须在1MB以下": under a megabyte, read as the smaller 1,000,000 bytes so either reading of "1MB" holds.
MAX_UPLOADIMG_BYTES = 1_000_000
# The cover: 2.35:1 as the draft's pic_crop_235_1 expects (900 × 383 is what the official editor makes), and far
# below either stated limit of a permanent image (10 MB now, 2 MB on older pages).
COVER_SIZE = (900, 383)
MAX_COVER_BYTES = 2 * 1024 * 1024
JPEG_QUALITIES = (85, 75, 65)
# Each further try keeps this share of the width and height; below MIN_SIDE pixels nothing readable is left.
DOWNSCALE = 0.8
MIN_SIDE = 64
_CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png"}


def _not_convertible() -> ImageRefused:
    return ImageRefused(
        _("图片无法压缩到微信的上限 %(limit)s 字节以下，请换一张较小的图片。")
        % {"limit": f"{MAX_UPLOADIMG_BYTES:,}"}
    )


def _named(data: bytes, extension: str) -> tuple[bytes, str, str]:
    # A name from the content: the same image gets the same name, and the name says nothing of where it came from.
    return data, f"{hashlib.sha256(data).hexdigest()[:16]}.{extension}", _CONTENT_TYPES[extension]


def _first_frame(data: bytes) -> Image.Image:
    """The first frame of `data` (written by process_image, so decoding it is safe), loaded."""
    with Image.open(io.BytesIO(data)) as image:
        image.seek(0)
        image.load()
        return image.copy()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _on_white(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparent parts on white, as the article's page shows them."""
    if not _has_alpha(image):
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    _on_white(image).save(buffer, format="JPEG", quality=quality, optimize=True, progressive=False)
    return buffer.getvalue()


def _jpeg_within(image: Image.Image, limit: int) -> bytes:
    """A JPEG of `image` under `limit` bytes: lower qualities first, then smaller sizes."""
    while True:
        for quality in JPEG_QUALITIES:
            data = _jpeg(image, quality)
            if len(data) < limit:
                return data
        size = (round(image.width * DOWNSCALE), round(image.height * DOWNSCALE))
        if min(size) < MIN_SIDE:
            raise _not_convertible()
        image = image.resize(size, Image.Resampling.LANCZOS)


def wechat_image(*, data: bytes) -> tuple[bytes, str, str]:
    """`data` (a JPEG, PNG, WebP or GIF image) as (bytes, file name, content type) for uploadimg: JPEG or PNG,
    under MAX_UPLOADIMG_BYTES.

    A JPEG stays JPEG; a PNG, a GIF and a WebP with transparency become PNG (charts and drawings keep their sharp
    edges), other WebP JPEG. A PNG too heavy becomes JPEG (transparent parts on white); a JPEG too heavy is
    written at lower qualities, then smaller. Raises ImageRefused (message in the active language) for anything
    editorial.images.process_image refuses (not an image, too many pixels or frames, over 5 MB) or that cannot
    be brought under the limit.
    """
    processed = process_image(data=data)
    if processed.extension in ("jpg", "png") and len(processed.data) < MAX_UPLOADIMG_BYTES:
        return _named(processed.data, processed.extension)
    try:
        image = _first_frame(processed.data)
    except (OSError, ValueError, EOFError, SyntaxError):
        raise ImageRefused(_("只能上传 JPEG、PNG、WebP 或 GIF 图片，该文件不是有效的图片。")) from None
    as_png = processed.extension in ("png", "gif") or (processed.extension == "webp" and _has_alpha(image))
    if as_png:
        png = _png(image)
        if len(png) < MAX_UPLOADIMG_BYTES:
            return _named(png, "png")
    return _named(_jpeg_within(image, MAX_UPLOADIMG_BYTES), "jpg")


def cover_material(*, data: bytes) -> tuple[bytes, str, str]:
    """An admin's cover image as (bytes, file name, content type) for add_material: a COVER_SIZE JPEG, the
    largest centred 2.35:1 part of the image scaled to 900 × 383 (a smaller image is scaled up), transparent
    parts on white. Raises ImageRefused as `wechat_image` does."""
    processed = process_image(data=data)
    try:
        image = _first_frame(processed.data)
    except (OSError, ValueError, EOFError, SyntaxError):
        raise ImageRefused(_("只能上传 JPEG、PNG、WebP 或 GIF 图片，该文件不是有效的图片。")) from None
    cover = ImageOps.fit(_on_white(image), COVER_SIZE, method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    return _named(_jpeg_within(cover, MAX_COVER_BYTES), "jpg")


def site_qr_png(url: str) -> bytes | None:
    """The PNG behind `url` when it is one of this site's QR code addresses (publishing.render.context
    .qr_png_url: SITE_URL, the QR route, a token signed with this site's key), drawn here rather than requested
    from the site itself; None for any other address."""
    base = settings.SITE_URL.rstrip("/")
    if not url.startswith(base + "/"):
        return None
    path = url[len(base) :].split("?", 1)[0].split("#", 1)[0]
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "archive:qr_png":
        return None
    target = qr_target(match.kwargs.get("token", ""))
    return None if target is None else draw_qr_png(target)
