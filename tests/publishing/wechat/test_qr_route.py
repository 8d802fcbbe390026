"""The WeChat article's QR codes: PNGs served from a signed token, and read back by the push without a request."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
import segno
from django.core import signing
from PIL import Image

from publishing.render.context import QR_PNG_BORDER, QR_PNG_SCALE, qr_png_url, qr_token
from publishing.wechat.images import site_qr_png

TARGET = "https://gyznswn.cn"


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_a_signed_token_gets_a_scannable_png_cached_for_good(client):
    response = client.get(path_of(qr_png_url(TARGET)))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    expected = segno.make(TARGET, error="m", micro=False).symbol_size(
        scale=QR_PNG_SCALE, border=QR_PNG_BORDER
    )
    assert image.size == expected == (232, 232)  # 25 modules + 2 × 2 quiet zone, 8 px each
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=31536000", "immutable"} <= cache_control
    assert "private" not in cache_control and "no-store" not in cache_control
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_the_png_is_the_same_whatever_the_render(client):
    assert qr_png_url(TARGET) == qr_png_url(TARGET)  # no timestamp: a rendition's content does not move
    first = client.get(path_of(qr_png_url(TARGET))).content
    assert client.get(path_of(qr_png_url(TARGET))).content == first


@pytest.mark.parametrize(
    "token",
    [
        # The signature of another URL on this one's data, and the other way round.
        qr_token(TARGET).split(".")[0] + "." + qr_token("https://example.org/").split(".")[1],
        qr_token(TARGET)[:-1] + ("A" if qr_token(TARGET)[-1] != "A" else "B"),
        # Signed by this site, but for another purpose (the default salt): not a QR token.
        signing.Signer(sep=".").sign_object(TARGET),
        # Text of the visitor's choosing.
        "aGVsbG8.aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ",
    ],
    ids=["swapped-signature", "tampered", "other-salt", "unsigned-text"],
)
def test_a_token_this_route_did_not_sign_is_404(client, token):
    response = client.get(f"/qr/{token}.png")

    assert response.status_code == 404
    assert response.get("Content-Type", "").startswith("text/html")


def test_the_route_is_no_generator_for_free_text(client):
    assert client.get("/qr/hello.png").status_code == 404
    assert client.get("/qr/?text=hello").status_code == 404
    assert client.post(path_of(qr_png_url(TARGET))).status_code == 405


def test_the_push_reads_our_qr_codes_back_without_a_request(client, settings):
    url = qr_png_url(TARGET)

    assert url.startswith(settings.SITE_URL + "/qr/")
    assert site_qr_png(url) == client.get(path_of(url)).content


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/qr/{token}.png",  # another host with our path
        "{site}/issues/2026-06-28/",  # our site, another route
        "{site}/qr/{token}x.png",  # our route, a broken token
        "{site}/media/newsroom/a.png",
        "not a url",
    ],
)
def test_qr_png_is_none_for_anything_but_our_signed_qr_addresses(url, settings):
    url = url.format(site=settings.SITE_URL, token=qr_token(TARGET))

    assert site_qr_png(url) is None
