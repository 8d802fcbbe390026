"""Hostile content in any field reaches nothing: no local file, no network host, no metadata service."""

from __future__ import annotations

import io
import logging
import os
from html.parser import HTMLParser

import pytest
from PIL import Image

from editorial import services
from editorial.models import Issue, Series
from publishing.render import render_pdf, render_web, render_wechat
from publishing.render.fetcher import SafeURLFetcher
from publishing.render.pdf import html_to_pdf

PASSWD_MARKER = b"root:x:0:0"
HOSTILE_TEXT = (
    '<img src="file:///etc/passwd"> http://169.254.169.254/latest/meta-data/ '
    "<style>@import url(file:///etc/passwd);</style> <script>alert(1)</script>"
)


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.values.extend((tag, name, value or "") for name, value in attrs)


def parse(html: str) -> _Attributes:
    parser = _Attributes()
    parser.feed(html)
    return parser


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def hostile_issue(series: Series, writer) -> Issue:
    """Every plain-text field holds markup that would fetch something if it were not escaped."""
    series.title = "新质生产力 " + HOSTILE_TEXT[:60]
    series.footer_blocks.all().delete()
    series.footer_blocks.create(position=1, title="<b>关于</b>", body=HOSTILE_TEXT)
    series.contact_heading = '<link rel="stylesheet" href="file:///etc/passwd">'
    series.save()
    issue = services.issue_create(
        series=series,
        date=__import__("datetime").date(2026, 7, 2),
        user=writer,
        headline="@import url(file:///etc/passwd); <img src=http://169.254.169.254/>",
        summary=HOSTILE_TEXT,
    )
    services.section_create(
        issue=issue,
        user=writer,
        headline='<img src="file:///etc/passwd">标题',
        body=(
            '<p>正文<img src="file:///etc/passwd"><img src="http://169.254.169.254/latest/meta-data/">'
            '<img src="http://localhost:8000/admin/"><img src="https://example.org/tracker.png"></p>'
            "<style>@import url(file:///etc/passwd);</style>"
        ),
        analysis='<p style="background: url(file:///etc/passwd)">评析<svg><image href="file:///etc/passwd"/></svg></p>',
    )
    return issue


def test_hostile_fields_reach_nothing_in_the_pdf(hostile_issue):
    fetcher = SafeURLFetcher()

    pdf = render_pdf(hostile_issue, fetcher=fetcher)

    assert PASSWD_MARKER not in pdf
    # No outside image reaches the renderer (the sanitizer drops them on save: editorial.sanitize), so the
    # fetcher had nothing to refuse; nothing but data: URLs (the QR code) was read.
    assert fetcher.refused == []
    assert all(url.startswith("data:") for url in fetcher.fetched)


def test_hostile_plain_text_is_printed_as_text_in_the_pdf(hostile_issue):
    from pypdf import PdfReader

    pdf = render_pdf(hostile_issue)

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    assert "@import url(file:///etc/passwd);" in text


def test_hostile_fields_are_escaped_in_the_web_page(hostile_issue):
    html = render_web(hostile_issue)
    page = parse(html)

    assert "script" not in page.tags
    assert "link" not in page.tags
    assert [v for v in page.values if v[1] in ("src", "href") and "file:" in v[2]] == []
    assert [v for v in page.values if v[1] == "style"] == []
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;标题" in html
    assert "@import url(file:///etc/passwd); &lt;img src=http://169.254.169.254/&gt;</h1>" in html


def test_hostile_fields_leave_no_fetchable_reference_in_the_wechat_html(hostile_issue, settings):
    html = render_wechat(hostile_issue)
    fragment = parse(html)

    assert not {"style", "script", "link", "svg"} & fragment.tags
    urls = [value for _tag, name, value in fragment.values if name in ("src", "href")]
    # Outside images were dropped on save (editorial.sanitize): none is left pointing outside (the footer's QR
    # codes are PNGs of our own site).
    own = ("https://example.org/", settings.SITE_URL + "/qr/")
    assert [url for url in urls if not url.startswith(own)] == []
    assert [v for v in fragment.values if v[1] == "style" and "url(" in v[2]] == []


@pytest.mark.parametrize(
    "markup, refused",
    [
        ('<img src="file:///etc/passwd">', "file:///etc/passwd"),
        ('<link rel="stylesheet" href="file:///etc/passwd">', "file:///etc/passwd"),
        ("<style>@import url(file:///etc/passwd);</style>", "file:///etc/passwd"),
        ('<p style="background: url(file:///etc/shadow)">x</p>', "file:///etc/shadow"),
        ('<img src="http://169.254.169.254/latest/meta-data/">', "http://169.254.169.254/latest/meta-data/"),
        ('<img src="http://localhost/">', "http://localhost/"),
        ('<img src="https://example.org/a.png">', "https://example.org/a.png"),
        ('<a rel="attachment" href="file:///etc/passwd">a</a>', "file:///etc/passwd"),
        ('<object data="file:///etc/hostname"></object>', "file:///etc/hostname"),
        ('<svg><image href="file:///etc/passwd" width="9" height="9"/></svg>', "file:///etc/passwd"),
        ('<img src="/static/../../../../etc/passwd">', "http://127.0.0.1:8000/etc/passwd"),
        (
            '<img src="http://127.0.0.1:8000/static/%2e%2e/%2e%2e/etc/passwd">',
            "http://127.0.0.1:8000/static/%2e%2e/%2e%2e/etc/passwd",
        ),
        ('<img src="ftp://example.org/x.png">', "ftp://example.org/x.png"),
    ],
)
def test_the_fetcher_refuses_and_records_what_it_must_not_fetch(settings, markup, refused, caplog):
    settings.SITE_URL = "http://127.0.0.1:8000"
    fetcher = SafeURLFetcher()

    with caplog.at_level(logging.WARNING, logger="publishing.render.fetcher"):
        pdf = html_to_pdf(f"<html><body><p>正文</p>{markup}</body></html>", fetcher=fetcher)

    assert refused in fetcher.refused
    assert fetcher.fetched == []
    assert PASSWD_MARKER not in pdf
    assert "refused to fetch" in caplog.text


def test_the_fetcher_reads_the_projects_uploads_without_the_network(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://bulletin.example.org"
    (tmp_path / "newsroom").mkdir()
    (tmp_path / "newsroom" / "chart.png").write_bytes(png_bytes())
    fetcher = SafeURLFetcher()

    html_to_pdf(
        '<img src="/media/newsroom/chart.png"><img src="https://bulletin.example.org/media/newsroom/chart.png">'
        f'<img src="file://{tmp_path}/newsroom/chart.png">',
        fetcher=fetcher,
    )

    assert fetcher.refused == []
    # WeasyPrint reads each distinct URL once.
    assert fetcher.fetched == [
        "https://bulletin.example.org/media/newsroom/chart.png",
        f"file://{tmp_path}/newsroom/chart.png",
    ]


@pytest.fixture
def media_with_links(settings, tmp_path):
    """MEDIA_ROOT with an upload, an embargoed rendition, and links inside the uploads folder pointing out of it."""
    media = tmp_path / "media"
    (media / "newsroom" / "2026" / "07").mkdir(parents=True)
    (media / "renditions" / "2026-07-02").mkdir(parents=True)
    (media / "newsroom" / "2026" / "07" / "ok.png").write_bytes(png_bytes())
    (media / "renditions" / "2026-07-02" / "x.pdf").write_bytes(b"%PDF-1.7 embargoed")
    os.symlink("/etc/passwd", media / "newsroom" / "passwd.png")
    os.symlink(media / "renditions", media / "newsroom" / "renditions")
    os.symlink(media / "renditions" / "2026-07-02" / "x.pdf", media / "newsroom" / "x.png")
    settings.MEDIA_ROOT = media
    return media


@pytest.mark.parametrize(
    "src",
    [
        "/media/newsroom/passwd.png",
        "/media/newsroom/x.png",
        "/media/newsroom/renditions/2026-07-02/x.pdf",
        "/media/renditions/2026-07-02/x.pdf",
        "/media/newsroom/%2e%2e/renditions/2026-07-02/x.pdf",
        "/media/newsroom/..%2frenditions/2026-07-02/x.pdf",
    ],
)
def test_the_fetcher_reads_site_media_only_inside_the_uploads_folder_after_resolving_links(
    media_with_links, settings, src
):
    fetcher = SafeURLFetcher()

    pdf = html_to_pdf(f'<img src="{src}"><img src="/media/newsroom/2026/07/ok.png">', fetcher=fetcher)

    assert fetcher.refused == [f"{settings.SITE_URL}{src}"]
    assert fetcher.fetched == [f"{settings.SITE_URL}/media/newsroom/2026/07/ok.png"]
    assert PASSWD_MARKER not in pdf


@pytest.mark.parametrize(
    "name",
    [
        "newsroom/passwd.png",
        "newsroom/x.png",
        "newsroom/renditions/2026-07-02/x.pdf",
        "renditions/2026-07-02/x.pdf",
    ],
)
def test_the_fetcher_refuses_file_urls_out_of_the_uploads_folder_after_resolving_links(
    media_with_links, name
):
    fetcher = SafeURLFetcher()

    pdf = html_to_pdf(f'<img src="file://{media_with_links}/{name}">', fetcher=fetcher)

    assert fetcher.refused == [f"file://{media_with_links}/{name}"]
    assert fetcher.fetched == []
    assert PASSWD_MARKER not in pdf


def test_the_fetcher_refuses_a_file_larger_than_its_limit(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "newsroom").mkdir()
    (tmp_path / "newsroom" / "big.png").write_bytes(png_bytes())
    fetcher = SafeURLFetcher(max_bytes=10)

    html_to_pdf('<img src="/media/newsroom/big.png">', fetcher=fetcher)

    assert fetcher.refused == [f"{settings.SITE_URL}/media/newsroom/big.png"]


def test_the_fetcher_refuses_an_image_over_the_pixel_budget_from_its_header(settings, tmp_path, caplog):
    from tests.hostile.bombs import gif_header

    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "newsroom").mkdir()
    (tmp_path / "newsroom" / "bomb.gif").write_bytes(gif_header(7_000, 7_000))
    (tmp_path / "newsroom" / "chart.png").write_bytes(png_bytes())
    fetcher = SafeURLFetcher()

    with caplog.at_level(logging.WARNING, logger="publishing.render.fetcher"):
        pdf = html_to_pdf(
            '<img src="/media/newsroom/bomb.gif"><img src="/media/newsroom/chart.png">', fetcher=fetcher
        )

    assert pdf.startswith(b"%PDF")
    assert fetcher.refused == [f"{settings.SITE_URL}/media/newsroom/bomb.gif"]
    assert fetcher.fetched == [f"{settings.SITE_URL}/media/newsroom/chart.png"]
    assert "more than 40000000 pixels" in caplog.text


def test_the_fetcher_refuses_everything_once_the_deadline_has_passed():
    fetcher = SafeURLFetcher(deadline=0.0)

    with pytest.raises(ValueError, match="deadline"):
        fetcher.fetch("data:text/plain,ok")
    assert fetcher.refused == ["data:text/plain,ok"]
