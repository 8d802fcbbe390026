"""Images that enter the newsroom, uploaded or imported from a pasted outside address, and how they are stored.

Every image is decoded and written again by Pillow before it is stored, so what lands in storage is made of pixels
only, never the bytes the user sent:

- Formats: JPEG (also the MPO that phones write, stored as its first picture), PNG, WebP and GIF, recognised from
  the bytes by those four Pillow plugins only (no other parser sees the file; the name and the declared content
  type are ignored). SVG is not accepted: it is a document that can carry script.
- Decompression bombs: the pixel count is read from the header, before anything is decoded, and an image of more
  than MAX_PIXELS pixels is refused; an animation must have at most MAX_FRAMES frames and fit ANIMATION_PIXELS
  for all its frames together, checked before the first frame is decoded and again frame by frame (a GIF frame
  may enlarge the canvas), and a progressive JPEG at most MAX_JPEG_SCANS scans. A 420 KB PNG
  holds 12 000 × 12 000 pixels and a 5 MB one 100 000 × 100 000; decoding them takes gigabytes. The same budget
  bounds the images the PDF renderer reads (publishing.render.fetcher, through `check_pixel_budget`) and, as
  Pillow's own guard (Image.MAX_IMAGE_PIXELS), every image opened in a process that loads this module.
- Orientation: a camera stores a portrait photo as landscape pixels plus an EXIF Orientation tag. The pixels are
  turned as the tag says (ImageOps.exif_transpose) before the tag is dropped with the rest of EXIF, so the image
  still stands the right way up. EXIF spec (CIPA DC-008) tag 0x0112.
- Metadata: EXIF (camera, time, GPS position), XMP, comments and text chunks are not written back. The ICC colour
  profile is kept: it is not about the person or the place, and dropping it shifts the colours of wide-gamut
  phone photos (Display P3).
- Colour: a CMYK JPEG (print-ready files from press offices) is converted to sRGB through its own profile, since
  phone browsers and WeChat's in-app view show CMYK with wrong colours.
- Size: the long side is at most MAX_SIDE pixels (Lanczos resampling); PDF pages and phone screens show no more.
  JPEGs are decoded at a reduced scale by libjpeg first (Image.draft), which makes a 24-megapixel photo cheap.
- Encoding: the format stays. A JPEG that needed no change keeps its own quantization tables (quality="keep"),
  so it is not degraded by a second compression; a changed one is written at JPEG_QUALITY. PNG stays lossless.
- Animated GIF and WebP: the animation is kept (writers paste charts that step through years), every frame is
  redrawn and downscaled like a still image, within an ANIMATION_PIXELS budget for all frames together.
"""

from __future__ import annotations

import io
import logging
import threading
import uuid
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps, ImageSequence, UnidentifiedImageError

from xinzhi.media import UPLOADS_DIR
from xinzhi.safe_fetch import FetchError, fetch

logger = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_SIDE = 2000
# The pixel budget of every image the system decodes (uploads, imported images, images in a PDF render): a
# 40-megapixel photo (7296 × 5472) passes. Decoding and downscaling a PNG that size takes about 220 MB (measured
# with ru_maxrss); a JPEG far less, since libjpeg decodes it at a reduced scale.
MAX_PIXELS = 40_000_000
# Every frame of an animation is kept, converted to RGBA, until the animation is written again.
ANIMATION_PIXELS = MAX_PIXELS // 2
# Frames of an animation: a chart stepping through the years has tens; 300 is ten seconds at 30 frames a second.
# Every frame costs its own decode and encode whatever its size: 200 000 frames of one pixel each (4.6 MB) kept a
# web worker busy past its timeout, within the pixel budget.
MAX_FRAMES = 300
# Scans of a progressive JPEG: encoders write about ten. The standard sets no limit, and each scan is another pass
# over all the image's coefficients when it is decoded, so a 5 MB file of 370 000 tiny scans takes minutes
# (libjpeg-turbo, "Two Issues with the JPEG Standard", 2019; its djpeg has -maxscan for this reason).
MAX_JPEG_SCANS = 100
# Pillow refuses (DecompressionBombError) anything over twice this when it reads a header, in every plugin and
# for every caller in the process, WeasyPrint included; between once and twice it warns, and our own checks refuse.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
JPEG_QUALITY = 85
WEBP_QUALITY = 85
# Pillow format name -> the format written and the extension stored under.
FORMATS = {
    "JPEG": ("JPEG", "jpg"),
    "MPO": ("JPEG", "jpg"),
    "PNG": ("PNG", "png"),
    "WEBP": ("WEBP", "webp"),
    "GIF": ("GIF", "gif"),
}
# The Pillow plugins allowed to read an upload (Image.open(formats=...)); MPO comes through the JPEG plugin.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
)


class ImageRefused(ValueError):
    """An image the newsroom does not store; `str(error)` is a message for the writer, in the active language."""


@dataclass(frozen=True)
class ProcessedImage:
    """An image ready to store: the bytes written by Pillow, its extension (`jpg`…) and size in pixels."""

    data: bytes
    extension: str
    width: int
    height: int


def too_large_message(size: int) -> str:
    limit = MAX_IMAGE_BYTES
    return _("图片太大（%(size).1f MB），最大 %(limit)d MB。") % {
        "size": size / 1024 / 1024,
        "limit": limit // 1024 // 1024,
    }


def _not_an_image() -> ImageRefused:
    return ImageRefused(_("只能上传 JPEG、PNG、WebP 或 GIF 图片，该文件不是有效的图片。"))


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ImageRefused:
    if width is None:
        return ImageRefused(_("图片像素过多，最多 %(limit)s 像素。") % {"limit": f"{MAX_PIXELS:,}"})
    return ImageRefused(
        _("图片像素过多（%(width)d×%(height)d），最多 %(limit)s 像素。")
        % {"width": width, "height": height, "limit": f"{MAX_PIXELS:,}"}
    )


@contextmanager
def _header_reading():
    """Opening an image only to read its size: Pillow's DecompressionBombWarning (between MAX_PIXELS and twice
    that) is not shown, since the size check that follows refuses the image before anything decodes it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        yield


def jpeg_scans(data: bytes) -> int:
    """How many scans (SOS markers, FF DA) the JPEG `data` holds, read without decoding. Inside a scan's
    entropy-coded data every FF byte is followed by 00 or a restart marker (ITU-T T.81, B.1.1.5), so FF DA is
    always a marker there; a thumbnail inside EXIF may add its own one."""
    return data.count(b"\xff\xda")


def _check_jpeg_scans(data: bytes, image_format: str | None) -> None:
    if image_format in ("JPEG", "MPO") and jpeg_scans(data) > MAX_JPEG_SCANS:
        raise ImageRefused(
            _("JPEG 图片的扫描段过多（超过 %(limit)d 个），请重新导出后再上传。") % {"limit": MAX_JPEG_SCANS}
        )


def check_pixel_budget(data: bytes) -> None:
    """Refuse `data` if it is a raster image of more than MAX_PIXELS pixels, or a JPEG of more than
    MAX_JPEG_SCANS scans, reading only its header and markers.

    For resources that are not all images (the PDF renderer's fetches): bytes no Pillow plugin recognises (SVG,
    CSS, fonts) pass, since they are no raster image to decode. Raises ImageRefused (message in the active
    language) naming the size when the header states one.
    """
    try:
        with _header_reading(), Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            image_format = probe.format
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except _DECODE_ERRORS:
        return
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width, height)
    _check_jpeg_scans(data, image_format)


def _animation_refused(frames: int, width: int, height: int) -> ImageRefused:
    return ImageRefused(
        _("动图帧数过多（%(frames)d 帧，%(width)d×%(height)d），请改用静态图片。")
        % {"frames": frames, "width": width, "height": height}
    )


_decoding = threading.Lock()


@contextmanager
def _strict_decoding():
    """Decode with Pillow's refusal of truncated files on, one image at a time in this process.

    WeasyPrint turns ImageFile.LOAD_TRUNCATED_IMAGES on for the whole process when it is imported
    (weasyprint/images.py), which would let a truncated upload through, grey-filled, in any process that has
    rendered a PDF. The lock also keeps two large decodes from adding up in one process.
    """
    with _decoding:
        saved = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = saved


def process_image(*, data: bytes) -> ProcessedImage:
    """Check `data` and write it again as a clean image (see the module docstring for every rule).

    Raises ImageRefused, with a message for the writer, for more than MAX_IMAGE_BYTES bytes, anything that is not
    a complete JPEG/PNG/WebP/GIF image (by its bytes), more pixels than MAX_PIXELS, and an animation over
    ANIMATION_PIXELS for all its frames. Nothing is decoded before the pixel counts are checked.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused(too_large_message(len(data)))
    with _strict_decoding():
        return _processed(data)


def _processed(data: bytes) -> ProcessedImage:
    try:
        # verify() checks the structure (PNG checksums, truncation) without decoding, and leaves the image unusable.
        with _header_reading(), Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            source_format = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(width, height)
            _check_jpeg_scans(data, source_format)
            probe.verify()
    except ImageRefused:
        raise
    except Image.DecompressionBombError:
        # Pillow's own guard (over twice Image.MAX_IMAGE_PIXELS) fires while reading the header.
        raise _too_many_pixels() from None
    except _DECODE_ERRORS:
        raise _not_an_image() from None
    target_format, extension = FORMATS[source_format]
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
            # n_frames walks the frame headers without decoding them (200 000 GIF frames: a third of a second).
            frames = getattr(image, "n_frames", 1) if target_format in ("GIF", "WEBP") else 1
            if frames > MAX_FRAMES:
                raise ImageRefused(
                    _("动图帧数过多（超过 %(limit)d 帧），请减少帧数或改用静态图片。") % {"limit": MAX_FRAMES}
                )
            if frames > 1:
                if frames * width * height > ANIMATION_PIXELS:
                    raise _animation_refused(frames, width, height)
                out = _animation(image, target_format)
            else:
                out = _still(image, target_format)
    except ImageRefused:
        raise
    except _DECODE_ERRORS:
        raise _not_an_image() from None
    data_out, size = out
    if len(data_out) > MAX_IMAGE_BYTES:
        raise ImageRefused(
            _("图片处理后仍超过 %(limit)d MB，请压缩后再上传。") % {"limit": MAX_IMAGE_BYTES // 1024 // 1024}
        )
    return ProcessedImage(data=data_out, extension=extension, width=size[0], height=size[1])


def _fits(size: tuple[int, int]) -> bool:
    return max(size) <= MAX_SIDE


def _scaled(size: tuple[int, int]) -> tuple[int, int]:
    scale = MAX_SIDE / max(size)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _still(image: Image.Image, target_format: str) -> tuple[bytes, tuple[int, int]]:
    icc_profile = image.info.get("icc_profile")
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    untouched = orientation == 1 and _fits(image.size) and image.mode != "CMYK"
    if not _fits(image.size) and target_format == "JPEG":
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale, never below the requested size: far less memory and time.
        image.draft(image.mode, _scaled(image.size))
    if untouched and target_format == "JPEG" and image.mode in ("L", "RGB", "CMYK"):
        # Same pixels, same quantization tables: only the metadata segments are left behind.
        return _encode(image, target_format, icc_profile, quality="keep", subsampling="keep"), image.size
    image.load()
    # exif_transpose copies an image it does not turn: for a 40-megapixel upright photo that copy is 120 MB more.
    frame = ImageOps.exif_transpose(image) if orientation != 1 else image
    if frame.mode == "CMYK":
        frame, icc_profile = _to_srgb(frame, icc_profile), None
    frame = _shrunk(frame)
    return _encode(frame, target_format, icc_profile), frame.size


def _to_srgb(frame: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """A CMYK image (print-ready JPEGs from a press office) as sRGB: several phone browsers and WeChat's in-app
    view show CMYK JPEGs with wrong or inverted colours. Through the embedded profile when there is one (Pillow's
    ImageCms, littleCMS), else Pillow's plain conversion."""
    if not icc_profile:
        return frame.convert("RGB")
    try:
        return ImageCms.profileToProfile(
            frame,
            ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGB",
        )
    except (ImageCms.PyCMSError, OSError):  # an unreadable profile, or one for another colour space
        return frame.convert("RGB")


def _shrunk(frame: Image.Image) -> Image.Image:
    if _fits(frame.size):
        return frame
    # Palette and 1-bit images are resized by nearest neighbour only; resample them in full colour.
    if frame.mode == "P":
        frame = frame.convert("RGBA")
    elif frame.mode == "1":
        frame = frame.convert("L")
    elif frame.mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        frame = frame.convert("RGBA" if "A" in frame.getbands() else "RGB")
    frame.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return frame


def _encode(frame: Image.Image, target_format: str, icc_profile: bytes | None, **options) -> bytes:
    buffer = io.BytesIO()
    transparency = frame.info.get("transparency")
    # Nothing of the source's info (EXIF, XMP, comments, text chunks) is handed to the encoder.
    frame.info = {}
    params: dict = {"exif": b""}
    if icc_profile:
        params["icc_profile"] = icc_profile
    if target_format == "JPEG":
        if frame.mode not in ("L", "RGB", "CMYK"):
            frame = _flattened(frame)
        params.setdefault("quality", JPEG_QUALITY)
        params.update(options)
        if params["quality"] != "keep":
            params["optimize"] = True
    elif target_format == "PNG":
        params["compress_level"] = 9
        if transparency is not None:
            params["transparency"] = transparency
    elif target_format == "WEBP":
        params["quality"] = WEBP_QUALITY
    elif target_format == "GIF":
        del params["exif"]
        if transparency is not None:
            params["transparency"] = transparency
    frame.save(buffer, format=target_format, **params)
    return buffer.getvalue()


def _flattened(frame: Image.Image) -> Image.Image:
    """A JPEG has no alpha: put transparent parts on white, as a page would show them."""
    rgba = frame.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _animation(image: Image.Image, target_format: str) -> tuple[bytes, tuple[int, int]]:
    frames: list[Image.Image] = []
    durations: list[int] = []
    decoded = 0
    for frame in ImageSequence.Iterator(image):
        # Seeking reads the frame's header only; a GIF frame larger than the screen it declared enlarges the
        # canvas, so the budget is counted again here, before the frame is decoded by convert().
        decoded += frame.size[0] * frame.size[1]
        if decoded > ANIMATION_PIXELS:
            raise _animation_refused(getattr(image, "n_frames", 1), *frame.size)
        durations.append(int(frame.info.get("duration", 100) or 100))
        frames.append(_shrunk(frame.convert("RGBA")))
    for frame in frames:
        frame.info = {}
    buffer = io.BytesIO()
    params: dict = {"save_all": True, "append_images": frames[1:], "duration": durations, "loop": 0}
    if target_format == "GIF":
        params["disposal"] = 2
    else:
        params["quality"] = WEBP_QUALITY
    frames[0].save(buffer, format=target_format, **params)
    return buffer.getvalue(), frames[0].size


def store_image(*, image: ProcessedImage) -> str:
    """Save `image` under newsroom/<year>/<month>/<random>.<ext> in the default storage; return its public URL.

    The name is random so that nothing a user chose (a file name, a URL) ends up in a path.
    """
    name = f"{UPLOADS_DIR}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{image.extension}"
    stored = default_storage.save(name, ContentFile(image.data))
    return default_storage.url(stored)


# How much of an outside address a message quotes: enough to recognise it, not a wall of query string.
URL_SHOWN = 80


class ImageImportFailed(Exception):
    """An outside image was not imported; `str(error)` reads "无法导入图片 <url>：<reason>" (active language)."""


def shown_url(url: str) -> str:
    """`url` cut to URL_SHOWN characters for a message (an ellipsis marks the cut)."""
    return url if len(url) <= URL_SHOWN else url[: URL_SHOWN - 1] + "…"


def import_image(*, url: str) -> str:
    """Fetch the image at the outside http(s) `url`, process it like an upload and store it; return its URL.

    The fetch follows xinzhi.safe_fetch (public addresses only, also after redirects; at most MAX_IMAGE_BYTES;
    time-bounded); hosts in settings.IMAGE_FETCH_ALLOW_HOSTS (tests only) may be local. Raises ImageImportFailed
    naming the URL and the reason.
    """
    try:
        fetched = fetch(
            url=url,
            max_bytes=MAX_IMAGE_BYTES,
            connect_timeout=settings.IMAGE_FETCH_CONNECT_TIMEOUT,
            total_timeout=settings.IMAGE_FETCH_TIMEOUT,
            allow_hosts=settings.IMAGE_FETCH_ALLOW_HOSTS,
            accept="image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.5",
        )
        image = process_image(data=fetched.body)
    except FetchError as error:
        logger.info("Image import of %s refused: %s", url[:200], error.detail)
        raise ImageImportFailed(failed_message(url=url, reason=error.message)) from None
    except ImageRefused as refused:
        raise ImageImportFailed(failed_message(url=url, reason=str(refused))) from None
    return store_image(image=image)


def failed_message(*, url: str, reason: str) -> str:
    """The one wording of every failed import: 无法导入图片 <url, cut>：<reason> (active language)."""
    return _("无法导入图片 %(url)s：%(reason)s") % {"url": shown_url(url), "reason": reason.rstrip("。")}
