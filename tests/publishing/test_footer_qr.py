"""The footer's QR codes in every output (issue 12): an image code (the official account's picture) is shown as
uploaded in the web page, the PDF and the WeChat article; a URL code is generated from its address. The push reads
the picture back from storage, and a changed code makes the renditions stale."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from pypdf import PdfReader

from editorial.models import Series
from publishing.render import build_context, render_pdf, render_web, render_wechat
from publishing.render.fetcher import SafeURLFetcher
from publishing.renditions import issue_content_hash
from publishing.wechat.images import site_qr_png, wechat_image
from tests.publishing.footer_support import ACCOUNT_LABEL, add_account_qr


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def with_account(sample_issue, media):
    """The sample after an admin uploaded the account's own QR picture (first) beside the website's code."""
    code = add_account_qr(sample_issue.series)
    return sample_issue, code


def test_an_image_code_is_the_uploaded_picture_and_a_url_code_is_generated(with_account, settings):
    issue, code = with_account

    account, website = build_context(issue)["footer"]["qr_codes"]

    site_address = f"{settings.SITE_URL}/media/{code.image.name}"
    assert account == {
        "label": ACCOUNT_LABEL,
        "url": "",
        "display_url": "",
        "image_url": f"/media/{code.image.name}",
        "svg": "",
        "png_uri": site_address,
        "png_url": site_address,
    }
    assert (website["label"], website["url"], website["image_url"]) == (
        "工业智能算网",
        "https://gyznswn.cn",
        "",
    )
    assert website["svg"].startswith("<svg") and website["png_uri"].startswith("data:image/png;base64,")
    assert site_qr_png(website["png_url"]) is not None


def test_the_web_page_shows_the_picture_with_its_label_as_alt_text(with_account):
    issue, code = with_account

    html = render_web(issue)

    footer = html[html.index('<footer class="colophon">') :]
    assert f'<img class="qr-image" src="/media/{code.image.name}" alt="{ACCOUNT_LABEL}"' in footer
    assert footer.count("<svg") == 1 and '<a href="https://gyznswn.cn" rel="noopener"' in footer


def test_the_pdf_draws_the_uploaded_picture_beside_the_generated_code(with_account):
    issue, _code = with_account

    pdf = render_pdf(issue)

    page = PdfReader(io.BytesIO(pdf)).pages[-1]
    images = {
        name: ref.get_object()
        for name, ref in page["/Resources"]["/XObject"].items()
        if ref.get_object()["/Subtype"] == "/Image"
    }
    drawn = [
        images[n.decode()]
        for n in re.findall(rb"(/[^\s/]+) Do", page.get_contents().get_data())
        if n.decode() in images
    ]
    sizes = sorted((int(image["/Width"]), int(image["/Height"])) for image in drawn)
    # The account's picture as uploaded (450 px), and the website's code at one pixel a module (25 + 2 × 2).
    assert sizes == [(29, 29), (450, 450)]


def test_the_wechat_article_shows_the_picture_from_its_absolute_address(with_account, settings):
    issue, code = with_account

    html = render_wechat(issue)

    assert f'<img src="{settings.SITE_URL}/media/{code.image.name}" alt="{ACCOUNT_LABEL}"' in html


def test_the_push_reads_the_picture_back_from_storage(with_account, settings):
    issue, code = with_account
    address = build_context(issue)["footer"]["qr_codes"][0]["png_url"]
    stored = (settings.MEDIA_ROOT / code.image.name).read_bytes()

    assert site_qr_png(address) is None  # not one of our generated codes
    assert SafeURLFetcher().fetch(address).read() == stored
    # What the push then uploads (tests/publishing/wechat/test_push.py pushes the sample with this picture).
    assert wechat_image(data=SafeURLFetcher().fetch(address).read()) == wechat_image(data=stored)


def test_changing_a_code_or_a_block_changes_the_content_hash(with_account):
    issue, code = with_account
    first = issue_content_hash(issue)
    code.save()
    assert issue_content_hash(issue) == first  # saved unchanged: still the same content

    hashes = [first]
    code.label = "官方公众号"
    code.save()
    hashes.append(issue_content_hash(issue))
    code.image_sha256 = hashlib.sha256(b"another picture").hexdigest()  # a new picture uploaded
    code.save()
    hashes.append(issue_content_hash(issue))
    issue.series.qr_codes.filter(url="https://gyznswn.cn").update(url="https://gyznswn.cn/about")
    hashes.append(issue_content_hash(issue))
    issue.series.qr_codes.update(position=models.F("position") * -1 + 10)  # the order reversed
    hashes.append(issue_content_hash(issue))
    block = issue.series.footer_blocks.first()
    block.body = "新的介绍。"
    block.save()
    hashes.append(issue_content_hash(issue))

    assert len(set(hashes)) == len(hashes)


MIGRATION = ("editorial", "0008_series_qr_codes_footer_blocks")
BEFORE = ("editorial", "0007_series_wechat_app_id")


# serialized_rollback: the flush after a transactional test would otherwise make the role groups again under new
# ids, and the next test that restores the serialized database (the PostgreSQL and worker tests) would collide.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_moves_the_json_into_rows_in_order():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps.get_model("editorial", "Series")
        old.objects.create(
            slug="xinzhi",
            title="新质生产力每日动态",
            publisher="主办",
            qr_targets=[
                {"label": "新质生产力工作委员会官方公众号", "url": "https://gyznswn.cn"},
                {"label": None, "url": "https://example.org/a"},
                {"label": "无地址", "url": 5},
                "文本",
            ],
            footer_blocks=[
                {"title": "新质生产力工作委员会", "body": "第一段。"},
                {"title": 2026, "body": "第二段\u200b。"},
                {"title": "空", "body": ""},
                ["x"],
            ],
        )
        executor = MigrationExecutor(connection)
        executor.migrate([MIGRATION])
        new = executor.loader.project_state([MIGRATION]).apps
        series = new.get_model("editorial", "Series").objects.get(slug="xinzhi")
        codes = new.get_model("editorial", "SeriesQRCode").objects.filter(series=series).order_by("position")
        blocks = (
            new.get_model("editorial", "SeriesFooterBlock").objects.filter(series=series).order_by("position")
        )

        assert [(c.position, c.label, c.url, c.image.name or "") for c in codes] == [
            (1, "新质生产力工作委员会官方公众号", "https://gyznswn.cn", ""),
            (2, "二维码", "https://example.org/a", ""),
        ]
        assert [(b.position, b.title, b.body) for b in blocks] == [
            (1, "新质生产力工作委员会", "第一段。"),
            (2, "2026", "第二段。"),
        ]

        executor = MigrationExecutor(connection)
        executor.migrate([BEFORE])
        back = executor.loader.project_state([BEFORE]).apps.get_model("editorial", "Series").objects.get()
        assert back.qr_targets == [
            {"label": "新质生产力工作委员会官方公众号", "url": "https://gyznswn.cn"},
            {"label": "二维码", "url": "https://example.org/a"},
        ]
        assert back.footer_blocks == [
            {"title": "新质生产力工作委员会", "body": "第一段。"},
            {"title": "2026", "body": "第二段。"},
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        Series.objects.all().delete()
