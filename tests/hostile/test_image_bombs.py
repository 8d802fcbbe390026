"""Image bombs and files posing as images, through every way an image enters the system: the editor's upload, the
import of an outside address, and the PDF renderer. One pixel budget (editorial.images.MAX_PIXELS, 40 megapixels)
bounds all three, read from the header before anything is decoded; a refusal stores nothing."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from editorial import images, services
from publishing.render import render_pdf
from publishing.render.fetcher import SafeURLFetcher
from publishing.render.pdf import html_to_pdf
from tests.hostile.bombs import (
    animated_gif,
    gif_header,
    growing_gif,
    jpeg_header,
    many_scan_jpeg,
    webp_header,
    zero_png,
)

UPLOAD = "/newsroom/upload/"
IMPORT = "/newsroom/upload/import/"
TOO_MANY = "图片像素过多"
NOT_AN_IMAGE = "只能上传 JPEG、PNG、WebP 或 GIF 图片，该文件不是有效的图片。"
ANIMATION = "动图帧数过多"


def small_png(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (31, 95, 153)).save(buffer, "PNG")
    return buffer.getvalue()


# (id, bytes builder, what the writer reads). Builders are called in the test: the 12 000 × 12 000 PNG costs zlib
# two seconds to make (once, cached), not something to pay at collection.
HOSTILE = [
    # Over twice the budget Pillow itself stops at the header (Image.MAX_IMAGE_PIXELS), before the size reaches us.
    ("png-12000x12000-420KB", lambda: zero_png(12_000, 12_000), "图片像素过多，最多 40,000,000 像素。"),
    (
        "png-just-over-budget",
        lambda: zero_png(8_000, 5_001),
        "图片像素过多（8000×5001），最多 40,000,000 像素。",
    ),
    ("gif-30000x30000", lambda: gif_header(30_000, 30_000), "图片像素过多，最多 40,000,000 像素。"),
    ("gif-7000x7000", lambda: gif_header(7_000, 7_000), "图片像素过多（7000×7000），最多 40,000,000 像素。"),
    ("jpeg-60000x60000", lambda: jpeg_header(60_000, 60_000), "图片像素过多，最多 40,000,000 像素。"),
    (
        "jpeg-8000x6000",
        lambda: jpeg_header(8_000, 6_000),
        "图片像素过多（8000×6000），最多 40,000,000 像素。",
    ),
    ("webp-16000x16000", lambda: webp_header(16_000, 16_000), "图片像素过多，最多 40,000,000 像素。"),
    (
        "webp-7000x6000",
        lambda: webp_header(7_000, 6_000),
        "图片像素过多（7000×6000），最多 40,000,000 像素。",
    ),
    (
        "animated-gif-300-frames",
        lambda: animated_gif(1_000, 1_000, 300),
        "动图帧数过多（300 帧，1000×1000），请改用静态图片。",
    ),
    (
        # The probe's: within the pixel budget, but each frame costs a decode and an encode (2.5 MB, 100 000 frames).
        "gif-of-100000-one-pixel-frames",
        lambda: animated_gif(1, 1, 100_000),
        "动图帧数过多（超过 300 帧），请减少帧数或改用静态图片。",
    ),
    (
        # The re-probe's: 370 000 scans of 14 bytes kept a worker decoding past its timeout; here 2 000.
        "progressive-jpeg-of-2000-scans",
        lambda: many_scan_jpeg(256, 2_000),
        "JPEG 图片的扫描段过多（超过 100 个），请重新导出后再上传。",
    ),
    (
        "gif-frame-larger-than-its-screen",
        lambda: growing_gif((10, 10), (6_000, 6_000)),
        "动图帧数过多（2 帧，6000×6000），请改用静态图片。",
    ),
    ("svg-renamed-png", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', NOT_AN_IMAGE),
    ("html-renamed-png", lambda: b"<!doctype html><html><script>alert(1)</script></html>", NOT_AN_IMAGE),
    ("truncated-png", lambda: small_png()[:-40], NOT_AN_IMAGE),
    ("tiff-renamed-png", lambda: _tiff(), NOT_AN_IMAGE),
]


def _tiff() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32)).save(buffer, "TIFF")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def no_decoding(monkeypatch):
    """Decoding more than a thumbnail's worth of pixels fails the test: bombs must be refused from headers (the
    1 × 1 first frame of an animation may be decoded before the next frame's header is read)."""
    load = ImageFile.ImageFile.load

    def guarded(self, *args, **kwargs):
        if self.size[0] * self.size[1] > 10_000:
            raise AssertionError(f"{type(self).__name__} {self.size} was decoded")
        return load(self, *args, **kwargs)

    monkeypatch.setattr(ImageFile.ImageFile, "load", guarded)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("build, message", [pytest.param(b, m, id=i) for i, b, m in HOSTILE])
def test_an_upload_is_refused_from_its_header_and_nothing_is_stored(client, writer, media, build, message):
    client.force_login(writer)

    response = client.post(
        UPLOAD, {"upload": SimpleUploadedFile("photo.png", build(), content_type="image/png")}
    )

    assert response.status_code == 400
    assert response.json() == {"error": {"message": message}}
    assert stored_files(media) == []


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: zero_png(12_000, 12_000), id="png"),
        pytest.param(lambda: gif_header(7_000, 7_000), id="gif"),
        pytest.param(lambda: jpeg_header(8_000, 6_000), id="jpeg"),
        pytest.param(lambda: webp_header(7_000, 6_000), id="webp"),
        pytest.param(lambda: animated_gif(1_000, 1_000, 300), id="animation"),
        pytest.param(lambda: growing_gif((10, 10), (6_000, 6_000)), id="growing-animation"),
    ],
)
def test_no_bomb_is_decoded_to_be_refused(no_decoding, build):
    with pytest.raises(images.ImageRefused, match=f"{TOO_MANY}|{ANIMATION}"):
        images.process_image(data=build())


def test_an_animation_of_as_many_frames_as_allowed_is_kept_whole(client, writer, media):
    client.force_login(writer)
    frames = [Image.new("RGB", (4, 4), (n % 256, n // 256 * 80, 0)) for n in range(images.MAX_FRAMES)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

    response = client.post(
        UPLOAD, {"upload": SimpleUploadedFile("steps.gif", buffer.getvalue(), content_type="image/gif")}
    )

    assert response.status_code == 200, response.content
    [stored] = stored_files(media)
    with Image.open(stored) as image:
        assert image.n_frames == images.MAX_FRAMES


def test_scans_are_counted_from_the_markers_and_an_ordinary_progressive_jpeg_passes(client, writer, media):
    assert images.jpeg_scans(many_scan_jpeg(64, 150)) == 150
    with pytest.raises(images.ImageRefused, match="扫描段过多"):
        images.check_pixel_budget(many_scan_jpeg(64, images.MAX_JPEG_SCANS + 1))
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(buffer, "JPEG", progressive=True)
    assert images.jpeg_scans(buffer.getvalue()) <= 12
    client.force_login(writer)

    response = client.post(
        UPLOAD, {"upload": SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")}
    )

    assert response.status_code == 200, response.content
    assert len(stored_files(media)) == 1


def test_pillows_own_guard_is_set_to_the_same_budget():
    # Whatever opens an image in a process that loaded editorial.images (WeasyPrint included) is refused by
    # Pillow itself at twice the budget, before any decoding.
    assert Image.MAX_IMAGE_PIXELS == images.MAX_PIXELS == 40_000_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(gif_header(9_000, 9_000)))


def test_an_outside_image_bomb_is_refused_naming_its_address_and_nothing_is_stored(
    client, writer, media, image_server, eager
):
    # Served as /photo.jpg with Content-Type image/jpeg: neither the name nor the declared type is believed.
    image_server.photo = zero_png(12_000, 12_000)
    client.force_login(writer)
    address = image_server.url("/photo.jpg")

    response = client.post(IMPORT, json.dumps({"url": address}), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"error": f"无法导入图片 {address}：图片像素过多，最多 40,000,000 像素"}
    assert stored_files(media) == []


def bomb_issue(make_issue, writer, media: Path, data: bytes) -> tuple:
    name = "newsroom/2026/07/0123456789abcdef0123456789abcdef.png"
    (media / name).parent.mkdir(parents=True)
    (media / name).write_bytes(data)
    issue = make_issue(sections=1)
    services.section_create(
        issue=issue, user=writer, headline="图表", body=f'<p>见图<img src="/media/{name}" alt="图"></p>'
    )
    return issue, name


def test_the_pdf_renderer_leaves_a_bomb_out_logs_it_and_still_renders(
    make_issue, writer, media, settings, caplog
):
    issue, name = bomb_issue(make_issue, writer, media, zero_png(12_000, 12_000))
    fetcher = SafeURLFetcher()

    with caplog.at_level(logging.WARNING, logger="publishing.render.fetcher"):
        pdf = render_pdf(issue, fetcher=fetcher)

    assert pdf.startswith(b"%PDF")
    assert fetcher.refused == [f"{settings.SITE_URL}/media/{name}"]
    assert "more than 40000000 pixels" in caplog.text


def test_the_pdf_renderer_refuses_a_bomb_in_a_data_url():
    import base64

    fetcher = SafeURLFetcher()
    data_url = "data:image/gif;base64," + base64.b64encode(gif_header(7_000, 7_000)).decode()

    pdf = html_to_pdf(f'<p>正文</p><img src="{data_url}">', fetcher=fetcher)

    assert pdf.startswith(b"%PDF")
    assert fetcher.refused == [data_url[:60]]
    assert fetcher.fetched == []


def test_one_budget_bounds_the_upload_the_import_and_the_pdf(
    client, writer, media, image_server, eager, monkeypatch, settings
):
    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)
    client.force_login(writer)
    over = small_png((101, 100))

    upload = client.post(UPLOAD, {"upload": SimpleUploadedFile("a.png", over, content_type="image/png")})
    image_server.photo = over
    imported = client.post(
        IMPORT, json.dumps({"url": image_server.url("/photo")}), content_type="application/json"
    )
    (media / "newsroom").mkdir(parents=True, exist_ok=True)
    (media / "newsroom" / "over.png").write_bytes(over)
    (media / "newsroom" / "within.png").write_bytes(small_png((100, 100)))
    fetcher = SafeURLFetcher()
    html_to_pdf('<img src="/media/newsroom/over.png"><img src="/media/newsroom/within.png">', fetcher=fetcher)

    assert upload.status_code == 400 and "最多 10,000 像素" in upload.json()["error"]["message"]
    assert imported.status_code == 400 and "最多 10,000 像素" in imported.json()["error"]
    assert fetcher.refused == [f"{settings.SITE_URL}/media/newsroom/over.png"]
    assert fetcher.fetched == [f"{settings.SITE_URL}/media/newsroom/within.png"]
    assert sorted(p.name for p in stored_files(media)) == ["over.png", "within.png"]
