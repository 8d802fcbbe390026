"""Images made acceptable to WeChat's uploadimg (JPEG or PNG under 1 MB) and to add_material (the cover)."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from editorial.images import ImageRefused
from publishing.wechat.images import COVER_SIZE, MAX_UPLOADIMG_BYTES, cover_material, wechat_image


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def noise(size: tuple[int, int]) -> Image.Image:
    """Pixels no encoder can compress: the worst case for the 1 MB limit."""
    return Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_small_jpeg_stays_a_jpeg():
    data, filename, content_type = wechat_image(data=encoded(Image.new("RGB", (400, 300), "navy"), "JPEG"))

    assert (opened(data).format, content_type) == ("JPEG", "image/jpeg")
    assert filename.endswith(".jpg")
    assert opened(data).size == (400, 300)


def test_a_photo_webp_becomes_a_jpeg():
    data, filename, content_type = wechat_image(data=encoded(noise((300, 200)), "WEBP", quality=80))

    assert (opened(data).format, content_type, filename[-4:]) == ("JPEG", "image/jpeg", ".jpg")
    assert len(data) < MAX_UPLOADIMG_BYTES


def test_a_transparent_webp_becomes_a_png_that_keeps_its_transparency():
    image = Image.new("RGBA", (120, 80), (200, 22, 29, 255))
    image.paste((0, 0, 0, 0), (0, 0, 60, 80))

    data, filename, content_type = wechat_image(data=encoded(image, "WEBP", lossless=True))

    out = opened(data).convert("RGBA")
    assert (opened(data).format, content_type, filename[-4:]) == ("PNG", "image/png", ".png")
    assert out.getpixel((10, 10))[3] == 0
    # The newsroom stores WebP lossy (editorial.images.WEBP_QUALITY): the colour within a step or two.
    assert all(abs(a - b) <= 3 for a, b in zip(out.getpixel((100, 10)), (200, 22, 29, 255), strict=True))


def test_an_animated_gif_becomes_a_png_of_its_first_frame():
    frames = [Image.new("RGB", (64, 48), colour) for colour in ("red", "lime", "blue")]
    gif = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

    data, _filename, content_type = wechat_image(data=gif)

    out = opened(data)
    assert (out.format, content_type) == ("PNG", "image/png")
    assert getattr(out, "n_frames", 1) == 1
    assert out.convert("RGB").getpixel((5, 5)) == (255, 0, 0)


def test_a_png_over_a_megabyte_becomes_a_jpeg_under_it():
    source = encoded(noise((1200, 1000)), "PNG")
    assert len(source) > MAX_UPLOADIMG_BYTES

    data, _filename, content_type = wechat_image(data=source)

    assert len(data) < MAX_UPLOADIMG_BYTES
    assert (opened(data).format, content_type) == ("JPEG", "image/jpeg")


def test_a_jpeg_over_a_megabyte_is_recompressed_then_downscaled_until_it_fits():
    source = encoded(noise((1900, 1900)), "JPEG", quality=95)
    assert len(source) > 3 * MAX_UPLOADIMG_BYTES

    data, _filename, content_type = wechat_image(data=source)

    assert len(data) < MAX_UPLOADIMG_BYTES
    assert content_type == "image/jpeg"
    assert opened(data).width < 1900  # noise at the lowest quality still weighs more than 1 MB at full size


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
    ids=["empty", "text", "broken-png", "svg"],
)
def test_bytes_that_are_no_image_are_refused_with_a_message(data):
    with pytest.raises(ImageRefused) as refused:
        wechat_image(data=data)

    assert "不是有效的图片" in str(refused.value)


def test_an_image_over_the_pixel_budget_is_refused_before_it_is_decoded():
    bomb = encoded(Image.new("1", (10_000, 5_000)), "PNG")  # 50 megapixels in a few kilobytes

    with pytest.raises(ImageRefused) as refused:
        wechat_image(data=bomb)

    assert "像素过多" in str(refused.value)


def test_the_cover_material_is_the_centred_2_35_1_part_as_a_900_by_383_jpeg():
    # Blue bands top and bottom, red in the middle 500 rows: the centred 2.35:1 crop (425 of 1000 rows) is red.
    image = Image.new("RGB", (1000, 1000), "blue")
    image.paste((255, 0, 0), (0, 250, 1000, 750))

    data, filename, content_type = cover_material(data=encoded(image, "PNG"))

    out = opened(data).convert("RGB")
    assert (opened(data).format, content_type, filename[-4:]) == ("JPEG", "image/jpeg", ".jpg")
    assert out.size == COVER_SIZE == (900, 383)
    for point in ((0, 0), (899, 0), (450, 191), (0, 382), (899, 382)):
        red, green, blue = out.getpixel(point)
        assert red > 230 and green < 30 and blue < 30
    assert len(data) < 2 * 1024 * 1024


def test_a_transparent_cover_is_put_on_white():
    data, _filename, _type = cover_material(data=encoded(Image.new("RGBA", (940, 400), (0, 0, 0, 0)), "PNG"))

    assert opened(data).convert("RGB").getpixel((450, 190)) == (255, 255, 255)


def test_a_cover_that_is_no_image_is_refused():
    with pytest.raises(ImageRefused):
        cover_material(data=b"GIF89a broken")
