"""editorial.images: every image is rewritten by Pillow before it is stored; the tests read the bytes it produces."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from editorial.images import ImageRefused, process_image


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS R5"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (116.0, 23.0, 30.0),
    }
    return exif


def half_blue_half_red(size=(400, 200)) -> Image.Image:
    """Left half blue, right half red: shows which way the picture was turned."""
    image = Image.new("RGB", size, (220, 0, 0))
    image.paste((0, 0, 220), (0, 0, size[0] // 2, size[1]))
    return image


def close(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def test_a_large_jpeg_is_downscaled_to_2000_pixels_on_the_long_side_and_stays_jpeg():
    result = process_image(data=encoded(Image.new("RGB", (6000, 4000), (31, 95, 153)), "JPEG"))

    image = opened(result.data)
    assert (image.format, image.size) == ("JPEG", (2000, 1333))
    assert (result.width, result.height, result.extension) == (2000, 1333, "jpg")
    assert close(image.getpixel((1000, 600)), (31, 95, 153), tolerance=4)


def test_a_tall_png_is_downscaled_and_stays_png_with_its_transparency():
    source = Image.new("RGBA", (1000, 3000), (0, 0, 0, 0))
    source.paste((10, 200, 30, 255), (0, 0, 1000, 1500))

    result = process_image(data=encoded(source, "PNG"))

    image = opened(result.data)
    assert (image.format, image.size) == ("PNG", (667, 2000))
    assert image.convert("RGBA").getpixel((300, 1900))[3] == 0
    assert image.convert("RGBA").getpixel((300, 100)) == (10, 200, 30, 255)


def test_gps_and_camera_exif_are_not_stored():
    data = encoded(Image.new("RGB", (64, 48), (90, 90, 90)), "JPEG", exif=camera_exif())
    assert b"Canon" in data

    result = process_image(data=data)

    image = opened(result.data)
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert b"Exif" not in result.data and b"Canon" not in result.data


def test_the_exif_orientation_is_applied_to_the_pixels_before_exif_is_dropped():
    # Orientation 6: the camera was turned right; the viewer turns the stored pixels 90° clockwise.
    data = encoded(half_blue_half_red(), "JPEG", exif=camera_exif(orientation=6), quality=95)

    result = process_image(data=data)

    image = opened(result.data)
    assert image.size == (200, 400)
    assert close(image.getpixel((100, 50)), (0, 0, 220))  # what was the left is now on top
    assert close(image.getpixel((100, 350)), (220, 0, 0))
    assert ExifTags.Base.Orientation not in image.getexif()


def test_a_rotated_large_photo_is_turned_and_downscaled():
    data = encoded(half_blue_half_red((4000, 3000)), "JPEG", exif=camera_exif(orientation=8))

    image = opened(process_image(data=data).data)

    # Orientation 8: turned 90° counter-clockwise, so the left half ends at the bottom.
    assert image.size == (1500, 2000)
    assert close(image.getpixel((750, 1900)), (0, 0, 220))
    assert close(image.getpixel((750, 100)), (220, 0, 0))


def test_png_text_chunks_and_jpeg_comments_are_dropped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "张三 13800000000")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS</x:xmpmeta>")
    png = process_image(data=encoded(Image.new("RGB", (32, 32)), "PNG", pnginfo=info, exif=camera_exif()))
    jpeg = process_image(data=encoded(Image.new("RGB", (32, 32)), "JPEG", comment=b"secret note"))

    assert b"13800000000" not in png.data and b"xmpmeta" not in png.data and b"eXIf" not in png.data
    assert opened(png.data).text == {}
    assert b"secret note" not in jpeg.data


def test_the_colour_profile_is_kept():
    profile = opened(encoded(Image.new("RGB", (8, 8)), "PNG")).info.get("icc_profile") or b""
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encoded(Image.new("RGB", (3000, 20)), "JPEG", icc_profile=srgb)
    assert profile == b""

    assert opened(process_image(data=data).data).info.get("icc_profile") == srgb


def test_a_small_upright_jpeg_keeps_its_own_compression():
    data = encoded(half_blue_half_red((120, 80)), "JPEG", quality=97, exif=camera_exif())

    result = process_image(data=data)

    image = opened(result.data)
    assert image.quantization == opened(data).quantization
    assert dict(image.getexif()) == {}


def test_an_animated_gif_stays_animated_and_is_downscaled():
    frames = [Image.new("RGB", (2400, 300), colour) for colour in ((200, 0, 0), (0, 200, 0), (0, 0, 200))]
    data = encoded(
        frames[0], "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0, comment=b"x"
    )

    result = process_image(data=data)

    image = opened(result.data)
    assert (image.format, image.size, image.n_frames) == ("GIF", (2000, 250), 3)
    assert image.info.get("duration") == 200


def test_a_gif_with_too_many_frames_is_refused(monkeypatch):
    # The budget counts all frames: 11 frames of 100 × 100 pass 100 000 pixels (20 million in production).
    monkeypatch.setattr("editorial.images.ANIMATION_PIXELS", 100_000)
    frames = [Image.new("RGB", (100, 100), (n * 10, 0, 0)) for n in range(11)]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])

    with pytest.raises(ImageRefused, match="动图帧数过多"):
        process_image(data=data)


def png_with_header(width: int, height: int) -> bytes:
    """A well-formed PNG (valid chunk checksums) whose header claims width × height; its pixel data is a few
    bytes that would inflate to gigabytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_from_its_header_before_decoding():
    data = png_with_header(100_000, 100_000)
    assert len(data) < 200

    with pytest.raises(ImageRefused) as refused:
        process_image(data=data)

    assert str(refused.value) == "图片像素过多，最多 40,000,000 像素。"


def test_an_image_over_40_megapixels_is_refused_naming_its_size():
    with pytest.raises(ImageRefused) as refused:
        process_image(data=png_with_header(8_000, 5_001))

    assert str(refused.value) == "图片像素过多（8000×5001），最多 40,000,000 像素。"


def test_an_image_of_exactly_40_megapixels_passes_the_header_check():
    # The header passes; the few bytes of pixel data then fail to decode: what is refused is the file, not its size.
    with pytest.raises(ImageRefused, match="不是有效的图片"):
        process_image(data=png_with_header(8_000, 5_000))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
    ],
    ids=["empty", "text", "svg", "broken-png"],
)
def test_what_is_not_an_image_is_refused_with_a_chinese_message(data):
    with pytest.raises(ImageRefused, match="JPEG、PNG、WebP 或 GIF"):
        process_image(data=data)


def test_more_than_5_mb_is_refused_without_decoding():
    with pytest.raises(ImageRefused, match="图片太大"):
        process_image(data=b"\xff\xd8" + b"\0" * (5 * 1024 * 1024))


@pytest.mark.parametrize("fmt", ["TIFF", "BMP", "ICO", "PPM"])
def test_an_image_in_another_format_is_refused_without_being_parsed(fmt, monkeypatch):
    # Only the JPEG, PNG, WebP and GIF plugins may read an upload: another plugin's parser never sees the bytes.
    opened_by = []
    original = Image.open
    monkeypatch.setattr(
        Image,
        "open",
        lambda fp, mode="r", formats=None: opened_by.append(formats) or original(fp, mode, formats),
    )

    with pytest.raises(ImageRefused, match=r"^只能上传 JPEG、PNG、WebP 或 GIF 图片，该文件不是有效的图片。$"):
        process_image(data=encoded(Image.new("RGB", (8, 8)), fmt))
    assert opened_by == [("JPEG", "PNG", "WEBP", "GIF")]


def test_a_phone_mpo_photo_is_stored_as_a_plain_jpeg_of_its_first_picture():
    first, second = (
        Image.new("RGB", (3000, 2000), (10, 20, 30)),
        Image.new("RGB", (3000, 2000), (200, 20, 30)),
    )
    data = encoded(first, "MPO", save_all=True, append_images=[second], exif=camera_exif())
    assert opened(data).format == "MPO"

    result = process_image(data=data)

    image = opened(result.data)
    assert (image.format, image.size, result.extension) == ("JPEG", (2000, 1333), "jpg")
    assert getattr(image, "n_frames", 1) == 1
    assert close(image.getpixel((1000, 600)), (10, 20, 30), tolerance=4)
    assert dict(image.getexif()) == {}


def test_a_cmyk_jpeg_is_stored_as_srgb():
    buffer = io.BytesIO()
    Image.new("CMYK", (300, 200), (0, 255, 255, 0)).save(buffer, format="JPEG", quality=95)

    out = process_image(data=buffer.getvalue())

    with Image.open(io.BytesIO(out.data)) as stored:
        assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", (300, 200))
        red, green, blue = stored.getpixel((150, 100))
        assert red > 200 and green < 60 and blue < 60  # full magenta and yellow ink: red


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_a_truncated_image_is_refused_even_where_weasyprint_made_pillow_lenient(fmt, monkeypatch):
    # Importing WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process (weasyprint/images.py).
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    noise = Image.effect_noise((256, 256), 80).convert("RGB")
    data = encoded(noise, fmt)

    with pytest.raises(ImageRefused, match="不是有效的图片"):
        process_image(data=data[: len(data) * 2 // 3])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


def test_a_png_whose_pixel_data_stops_short_is_refused(monkeypatch):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(ImageRefused, match="不是有效的图片"):
        process_image(data=png_with_header(300, 200))


def test_an_animation_frame_larger_than_its_screen_counts_against_the_budget():
    from tests.hostile.bombs import growing_gif

    # The screen is 10 × 10; the second frame's header enlarges the canvas to 5000 × 5000 when Pillow reaches it.
    with pytest.raises(ImageRefused, match=r"动图帧数过多（2 帧，5000×5000）"):
        process_image(data=growing_gif((10, 10), (5_000, 5_000)))


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>',
        b"body { color: red }",
        b"wOF2\0\1\0\0" + b"\0" * 40,
        b"",
    ],
    ids=["svg", "css", "font", "empty"],
)
def test_the_pixel_budget_check_lets_what_is_not_a_raster_image_pass(data):
    from editorial.images import check_pixel_budget

    check_pixel_budget(data)


def test_the_pixel_budget_check_reads_any_raster_format_pillow_knows():
    from editorial.images import check_pixel_budget

    check_pixel_budget(encoded(Image.new("RGB", (40, 30)), "TIFF"))
    check_pixel_budget(png_with_header(8_000, 5_000))
    with pytest.raises(ImageRefused, match=r"^图片像素过多（8000×5001），最多 40,000,000 像素。$"):
        check_pixel_budget(png_with_header(8_000, 5_001))
    with pytest.raises(ImageRefused, match=r"^图片像素过多，最多 40,000,000 像素。$"):
        check_pixel_budget(png_with_header(100_000, 100_000))
