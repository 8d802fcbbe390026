"""Image uploads from CKEditor: signed-in writers and reviewers only, real JPEG/PNG/WebP/GIF images checked by
Pillow, at most 5 MB, stored under a random name; anything else refused with a clear Chinese message."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.image_server import photo_with_gps

URL = "/newsroom/upload/"


def image_bytes(fmt: str, size=(16, 12)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (31, 95, 153)).save(buffer, format=fmt)
    return buffer.getvalue()


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def post(client, name: str, data: bytes, content_type: str = "application/octet-stream"):
    return client.post(URL, {"upload": SimpleUploadedFile(name, data, content_type=content_type)})


def test_the_editor_widget_uploads_to_the_newsroom_view():
    assert reverse("newsroom:upload") == URL


def test_a_real_png_from_a_writer_is_stored_under_a_random_name(client, writer, media):
    client.force_login(writer)
    data = image_bytes("PNG")

    response = post(client, "../../etc/Logo 1.png", data, "image/png")

    assert response.status_code == 200
    url = response.json()["url"]
    files = stored_files(media)
    assert len(files) == 1
    with Image.open(files[0]) as stored, Image.open(io.BytesIO(data)) as sent:
        assert stored.format == "PNG"
        assert stored.size == sent.size
        assert stored.convert("RGB").tobytes() == sent.convert("RGB").tobytes()
    assert files[0].suffix == ".png"
    assert "Logo" not in url and "etc" not in url
    assert url.endswith(files[0].name)
    assert len(files[0].stem) == 32  # uuid4 hex


@pytest.mark.parametrize(("fmt", "extension"), [("JPEG", ".jpg"), ("WEBP", ".webp"), ("GIF", ".gif")])
def test_jpeg_webp_and_gif_are_accepted(client, reviewer, media, fmt, extension):
    client.force_login(reviewer)

    response = post(client, "picture", image_bytes(fmt))

    assert response.status_code == 200
    assert [p.suffix for p in stored_files(media)] == [extension]


def test_the_extension_follows_the_content_not_the_name(client, writer, media):
    client.force_login(writer)

    response = post(client, "photo.png", image_bytes("JPEG"), "image/png")

    assert response.status_code == 200
    assert [p.suffix for p in stored_files(media)] == [".jpg"]


def test_an_svg_is_refused(client, writer, media):
    client.force_login(writer)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'

    response = post(client, "logo.svg", svg, "image/svg+xml")

    assert response.status_code == 400
    assert "JPEG、PNG、WebP 或 GIF" in response.json()["error"]["message"]
    assert stored_files(media) == []


def test_a_text_file_renamed_png_is_refused(client, writer, media):
    client.force_login(writer)

    response = post(client, "notes.png", "这不是图片，只是改了扩展名的文本。".encode(), "image/png")

    assert response.status_code == 400
    assert "不是有效的图片" in response.json()["error"]["message"]
    assert stored_files(media) == []


def test_a_truncated_png_is_refused(client, writer, media):
    client.force_login(writer)
    data = image_bytes("PNG", size=(64, 64))

    response = post(client, "broken.png", data[: len(data) // 2], "image/png")

    assert response.status_code == 400
    assert stored_files(media) == []


def test_a_6_mb_image_is_refused(client, writer, media):
    client.force_login(writer)
    # A real PNG made bigger than 5 MB by incompressible pixels.
    noise = Image.frombytes("RGB", (1450, 1450), os.urandom(1450 * 1450 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG", compress_level=0)
    data = buffer.getvalue()
    assert len(data) > 6 * 1024 * 1024

    response = post(client, "big.png", data, "image/png")

    assert response.status_code == 400
    assert "图片太大" in response.json()["error"]["message"]
    assert "最大 5 MB" in response.json()["error"]["message"]
    assert stored_files(media) == []


def test_a_12000_by_12000_png_of_420_kb_is_refused_from_its_header(client, writer, media):
    from tests.hostile.bombs import zero_png

    client.force_login(writer)
    data = zero_png(12_000, 12_000)
    assert len(data) < 430 * 1024

    response = post(client, "chart.png", data, "image/png")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "图片像素过多，最多 40,000,000 像素。"
    assert stored_files(media) == []


def test_a_photo_just_over_40_megapixels_is_refused_naming_its_size(client, writer, media):
    from tests.hostile.bombs import jpeg_header

    client.force_login(writer)

    response = post(client, "IMG_0002.JPG", jpeg_header(7_300, 5_480), "image/jpeg")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "图片像素过多（7300×5480），最多 40,000,000 像素。"
    assert stored_files(media) == []


def test_a_6000_by_4000_photo_is_stored_2000_pixels_wide_without_its_exif(client, writer, media):
    client.force_login(writer)
    response = post(client, "IMG_0001.JPG", photo_with_gps((6000, 4000)), "image/jpeg")

    assert response.status_code == 200
    [stored_path] = stored_files(media)
    with Image.open(stored_path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (2000, 1333))
        assert dict(stored.getexif()) == {}
    assert b"Exif" not in stored_path.read_bytes()


def test_a_request_without_a_file_gets_a_message(client, writer, media):
    client.force_login(writer)

    response = client.post(URL, {})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "请选择要上传的图片。"


def test_anonymous_uploads_are_refused(client, media):
    response = post(client, "photo.png", image_bytes("PNG"), "image/png")

    assert response.status_code == 403
    assert response.json()["error"]["message"] == "请先登录后再上传图片。"
    assert stored_files(media) == []


def test_a_signed_in_user_without_a_newsroom_role_is_refused(client, stranger, media):
    client.force_login(stranger)

    response = post(client, "photo.png", image_bytes("PNG"), "image/png")

    assert response.status_code == 403
    assert "撰稿人和审核人" in response.json()["error"]["message"]
    assert stored_files(media) == []


def test_a_get_is_refused(client, writer, media):
    client.force_login(writer)

    assert client.get(URL).status_code == 405


def test_the_packages_own_lax_upload_view_is_not_routed(client, writer, media):
    client.force_login(writer)

    response = client.post(
        "/ckeditor5/image_upload/", {"upload": SimpleUploadedFile("a.png", image_bytes("PNG"))}
    )

    assert response.status_code == 404
    assert stored_files(media) == []
