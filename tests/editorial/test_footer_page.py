"""The newsroom's footer page (editorial.views.footer, editorial.footer): admins edit the contact heading, the QR
codes (URL or uploaded picture) and the about blocks; every error is refused whole, in Chinese."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from editorial.models import SeriesFooterBlock, SeriesQRCode
from tests.publishing import archive_support
from tests.publishing.archive_support import S, expire_pages, set_state
from tests.publishing.footer_support import account_qr_png

clean_cache = archive_support.clean_cache


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def page_url(series) -> str:
    return reverse("newsroom:footer_edit", args=[series.pk])


def stored_files(media) -> list:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def form_data(series, *, codes=None, blocks=None, heading=None) -> dict:
    """The page's POST as a browser sends it: the stored rows unchanged (ORDER 1, 2, …) plus the blank extra
    row, then `codes`/`blocks` ({index: {field: value}}) laid over it."""
    data = {"footer-contact_heading": series.contact_heading if heading is None else heading}
    for prefix, rows, fields in (
        ("qr", list(series.qr_codes.order_by("position", "pk")), ("label", "url")),
        ("block", list(series.footer_blocks.order_by("position", "pk")), ("title", "body")),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows) + 1)
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = str(row.pk)
            data[f"{prefix}-{index}-series"] = str(series.pk)
            data[f"{prefix}-{index}-ORDER"] = str(index + 1)
            for name in fields:
                data[f"{prefix}-{index}-{name}"] = getattr(row, name)
        data[f"{prefix}-{len(rows)}-series"] = str(series.pk)
    for prefix, overrides in (("qr", codes or {}), ("block", blocks or {})):
        for index, values in overrides.items():
            for name, value in values.items():
                key = f"{prefix}-{index}-{name}"
                if value is None:
                    data.pop(key, None)
                else:
                    data[key] = value
    return data


def codes_of(series) -> list[tuple]:
    return list(series.qr_codes.order_by("position").values_list("position", "label", "url"))


def blocks_of(series) -> list[tuple]:
    return list(series.footer_blocks.order_by("position").values_list("position", "title", "body"))


def upload(data: bytes, name: str = "qr.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


def test_an_admin_sees_the_form_and_the_footer_as_it_prints(client, admin_user, series):
    client.force_login(admin_user)

    response = client.get(page_url(series))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert 'name="qr-0-label" value="工业智能算网"' in html
    assert 'name="block-0-body"' in html and "专注于工业人工智能。" in html
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    preview = html[html.index('data-test="footer-preview"') :]
    assert '<footer class="colophon">' in preview and "<svg" in preview  # the web/PDF footer, with its code
    assert "联系我们，请扫描二维码" in preview


def test_the_newsroom_links_the_page_for_admins_only(client, admin_user, writer, series):
    client.force_login(admin_user)
    assert 'data-test="nav-footer"' in client.get(reverse("newsroom:dashboard")).content.decode()
    assert client.get(reverse("newsroom:footer")).url == page_url(series)

    client.force_login(writer)
    assert 'data-test="nav-footer"' not in client.get(reverse("newsroom:dashboard")).content.decode()


@pytest.mark.parametrize("who", ["writer", "reviewer"])
def test_writers_and_reviewers_are_refused(client, request, series, who):
    client.force_login(request.getfixturevalue(who))
    before = (codes_of(series), blocks_of(series))

    assert client.get(page_url(series)).status_code == 403
    assert client.get(reverse("newsroom:footer")).status_code == 403
    response = client.post(page_url(series), form_data(series, codes={0: {"label": "改"}}))

    assert response.status_code == 403
    assert "只有管理员可以修改刊头页脚" in response.content.decode()
    assert (codes_of(series), blocks_of(series)) == before


def test_a_visitor_is_sent_to_sign_in(client, series):
    response = client.get(page_url(series))

    assert response.status_code == 302 and "/login" in response.url


def test_a_post_without_the_csrf_token_is_refused(admin_user, series):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(page_url(series), form_data(series, heading="改过的标题"))

    assert response.status_code == 403
    series.refresh_from_db()
    assert series.contact_heading == "联系我们，请扫描二维码"


def test_an_admin_adds_edits_a_code_and_a_block_and_changes_the_heading(client, admin_user, series):
    client.force_login(admin_user)
    data = form_data(
        series,
        heading="联系我们",
        codes={0: {"label": "工业智能算网官网"}, 1: {"label": "新闻中心", "url": "gyznswn.cn/news"}},
        blocks={1: {"title": "新质生产力工作委员会", "body": "第一行\n第二行"}},
    )

    response = client.post(page_url(series), data)

    assert response.status_code == 303 and response.url == page_url(series)
    series.refresh_from_db()
    assert series.contact_heading == "联系我们"
    assert codes_of(series) == [
        (1, "工业智能算网官网", "https://gyznswn.cn"),
        (2, "新闻中心", "https://gyznswn.cn/news"),  # https assumed for an address typed without a scheme
    ]
    assert blocks_of(series) == [
        (1, "工业智能算网", "专注于工业人工智能。"),
        (2, "新质生产力工作委员会", "第一行\n第二行"),
    ]
    assert "页脚已保存" in client.get(page_url(series)).content.decode()


def test_rows_are_reordered_by_their_order_numbers_and_removed_when_ticked(client, admin_user, series):
    series.qr_codes.create(position=2, label="第二", url="https://example.org/2")
    series.footer_blocks.create(position=2, title="第二段", body="正文二")
    client.force_login(admin_user)
    data = form_data(
        series,
        codes={0: {"ORDER": "2"}, 1: {"ORDER": "1"}},
        blocks={0: {"DELETE": "on"}, 2: {"title": "第三段", "body": "正文三", "ORDER": "1"}},
    )

    response = client.post(page_url(series), data)

    assert response.status_code == 303
    assert codes_of(series) == [
        (1, "第二", "https://example.org/2"),
        (2, "工业智能算网", "https://gyznswn.cn"),
    ]
    assert blocks_of(series) == [(1, "第三段", "正文三"), (2, "第二段", "正文二")]


@pytest.mark.parametrize(
    ("codes", "blocks", "message"),
    [
        ({0: {"url": "javascript:alert(1)"}}, {}, "请输入有效的网址"),
        ({0: {"url": "not a url"}}, {}, "请输入有效的网址"),
        ({0: {"label": ""}}, {}, "请填写二维码的说明文字"),
        ({0: {"url": ""}}, {}, "请填写网址或上传二维码图片"),
        ({1: {"label": "只有说明"}}, {}, "请填写网址或上传二维码图片"),
        ({}, {0: {"body": "\u200b"}}, "请填写这一段介绍的正文"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_writes_nothing(
    client, admin_user, series, codes, blocks, message
):
    client.force_login(admin_user)
    before = (codes_of(series), blocks_of(series))
    # A valid change elsewhere on the page is not stored either.
    data = form_data(series, heading="改过的标题", codes=codes, blocks=blocks)

    response = client.post(page_url(series), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "未保存" in html
    assert 'value="改过的标题"' in html  # the form keeps what was typed
    series.refresh_from_db()
    assert series.contact_heading == "联系我们，请扫描二维码"
    assert (codes_of(series), blocks_of(series)) == before


def test_an_uploaded_picture_becomes_an_image_code(client, admin_user, series, media):
    client.force_login(admin_user)
    data = form_data(series, codes={1: {"label": "新质生产力工作委员会官方公众号", "ORDER": "0"}})
    data["qr-1-upload"] = upload(account_qr_png())

    response = client.post(page_url(series), data)

    assert response.status_code == 303
    account, website = series.qr_codes.order_by("position")
    assert (account.position, account.label, account.url) == (1, "新质生产力工作委员会官方公众号", "")
    assert account.image.name.startswith("newsroom/qr/") and account.image.name.endswith(".png")
    stored = (media / account.image.name).read_bytes()
    assert account.image_sha256 == hashlib.sha256(stored).hexdigest()
    assert Image.open(io.BytesIO(stored)).size == (450, 450)
    assert (website.position, website.url) == (2, "https://gyznswn.cn")
    # Shown on the page and in the preview as the picture itself.
    html = client.get(page_url(series)).content.decode()
    assert f'src="/media/{account.image.name}"' in html
    assert client.get(f"/media/{account.image.name}")["Content-Type"] == "image/png"


def test_a_url_typed_over_an_image_code_turns_it_into_a_generated_code_and_back(
    client, admin_user, series, media
):
    client.force_login(admin_user)
    data = form_data(series)
    data["qr-0-url"] = ""
    data["qr-0-upload"] = upload(account_qr_png())
    assert client.post(page_url(series), data).status_code == 303
    code = series.qr_codes.get()
    assert (code.url, bool(code.image), len(code.image_sha256)) == ("", True, 64)

    # Saving again without touching it keeps the picture.
    assert client.post(page_url(series), form_data(series)).status_code == 303
    code.refresh_from_db()
    assert code.image and code.url == ""

    assert (
        client.post(
            page_url(series), form_data(series, codes={0: {"url": "https://gyznswn.cn/"}})
        ).status_code
        == 303
    )
    code.refresh_from_db()
    assert (code.url, code.image.name, code.image_sha256) == ("https://gyznswn.cn/", "", "")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 not an image", "qr.png", "该文件不是有效的图片"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "qr.svg",
            "该文件不是有效的图片",
        ),
    ],
)
def test_an_upload_that_is_not_an_image_is_refused_and_nothing_is_stored(
    client, admin_user, series, media, data, name, message
):
    client.force_login(admin_user)
    before = (codes_of(series), blocks_of(series))
    form = form_data(series, codes={1: {"label": "官方公众号"}})
    form["qr-1-upload"] = upload(data, name)

    response = client.post(page_url(series), form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert (codes_of(series), blocks_of(series)) == before
    assert stored_files(media) == []


def test_a_valid_upload_on_a_page_with_an_error_stores_no_file(client, admin_user, series, media):
    client.force_login(admin_user)
    data = form_data(series, codes={1: {"label": "官方公众号"}}, blocks={0: {"body": ""}})
    data["qr-1-upload"] = upload(account_qr_png())

    response = client.post(page_url(series), data)

    assert response.status_code == 400
    assert not SeriesQRCode.objects.filter(label="官方公众号").exists()
    assert stored_files(media) == []


def test_a_code_with_both_an_address_and_a_picture_is_refused(client, admin_user, series, media):
    client.force_login(admin_user)
    data = form_data(series, codes={1: {"label": "官方公众号", "url": "https://gyznswn.cn"}})
    data["qr-1-upload"] = upload(account_qr_png())

    response = client.post(page_url(series), data)

    assert response.status_code == 400
    assert "二维码只能二选一" in response.content.decode()
    assert series.qr_codes.count() == 1 and stored_files(media) == []


def test_the_admin_edits_codes_and_blocks_as_inlines_not_json(client, admin_user, series):
    client.force_login(admin_user)

    html = client.get(reverse("admin:editorial_series_change", args=[series.pk])).content.decode()

    assert 'name="qr_codes-0-label"' in html and 'name="qr_codes-0-upload"' in html
    assert 'name="footer_blocks-0-body"' in html
    assert "qr_targets" not in html and '"title": "新质生产力工作委员会"' not in html
    assert SeriesFooterBlock.objects.filter(series=series).count() == 1


def test_saving_the_footer_expires_the_cached_public_pages(
    client, admin_user, series, make_issue, django_capture_on_commit_callbacks
):
    set_state(make_issue(dt.date(2026, 7, 1)), S.PUBLISHED)
    expire_pages()
    assert "联系我们，请扫描二维码" in client.get("/issues/2026-07-01/").content.decode()  # now cached
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(series), form_data(series, heading="欢迎联系编辑部"))

    assert response.status_code == 303
    client.logout()
    assert "欢迎联系编辑部" in client.get("/issues/2026-07-01/").content.decode()


def test_the_admin_inline_stores_an_uploaded_picture_like_the_footer_page(client, admin_user, series, media):
    client.force_login(admin_user)
    url = reverse("admin:editorial_series_change", args=[series.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update(
        {
            "publish_time": "08:00",
            "review_cutoff": "07:00",
            "four_eyes": "on",
            "qr_codes-TOTAL_FORMS": "2",
            "qr_codes-INITIAL_FORMS": "1",
            "qr_codes-MIN_NUM_FORMS": "0",
            "qr_codes-MAX_NUM_FORMS": "1000",
            "qr_codes-0-id": str(series.qr_codes.get().pk),
            "qr_codes-0-series": str(series.pk),
            "qr_codes-0-position": "2",
            "qr_codes-0-label": "工业智能算网",
            "qr_codes-0-url": "https://gyznswn.cn",
            "qr_codes-1-series": str(series.pk),
            "qr_codes-1-position": "1",
            "qr_codes-1-label": "官方公众号",
            "qr_codes-1-upload": upload(account_qr_png()),
            "footer_blocks-TOTAL_FORMS": "1",
            "footer_blocks-INITIAL_FORMS": "1",
            "footer_blocks-MIN_NUM_FORMS": "0",
            "footer_blocks-MAX_NUM_FORMS": "1000",
            "footer_blocks-0-id": str(series.footer_blocks.get().pk),
            "footer_blocks-0-series": str(series.pk),
            "footer_blocks-0-position": "1",
            "footer_blocks-0-title": "工业智能算网",
            "footer_blocks-0-body": "专注于工业人工智能。",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    account = series.qr_codes.get(label="官方公众号")
    assert (account.position, account.url) == (1, "")
    assert account.image.name.startswith("newsroom/qr/") and len(account.image_sha256) == 64
    assert (media / account.image.name).is_file()
