"""Images in the real editor (Chromium): a refused upload leaves the document as it was and says why in the
editor's own message area (never a dialog); a pasted outside image ends up as our own upload in the stored HTML,
and one that cannot be fetched is removed with a warning naming it. The outside host is a local test server on
127.0.0.1, which the test-only setting allows (tests/image_server.py)."""

from __future__ import annotations

import io
import re
import time
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from playwright.sync_api import expect

from editorial.models import Section
from tests.browser.conftest import get_data, open_editor, paste, poll

# serialized_rollback: the flush after a transactional test would drop the role groups made by a migration.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OWN_IMAGE = re.compile(r"/media/newsroom/\d{4}/\d{2}/[0-9a-f]{32}\.(?:jpg|png)")


def no_dialogs(page) -> list[str]:
    """Every dialog (alert, confirm) the page opens; the tests assert there is none."""
    seen: list[str] = []

    def record(dialog):
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return seen


@pytest.fixture
def stored_png():
    """A real image in our storage (so the editor can show it), removed afterwards."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 90, 160)).save(buffer, format="PNG")
    name = default_storage.save(
        "newsroom/2026/07/0123456789abcdef0123456789abcdef.png", ContentFile(buffer.getvalue())
    )
    yield default_storage.url(name)
    default_storage.delete(name)


def test_a_refused_upload_keeps_the_selected_image_and_says_why_in_the_editor(
    new_page, shots, browser_errors, make_issue, writer, stored_png, remove_uploads
):
    section = make_issue(sections=1).sections.get()
    body = f'<p>前文。</p><figure class="image"><img src="{stored_png}" alt="旧图"></figure><p>后文。</p>'
    Section.objects.filter(pk=section.pk).update(body=body)
    page = new_page()
    dialogs = no_dialogs(page)
    editor_id = open_editor(page, writer, section)
    card = page.locator(f'[data-test="section"][data-section="{section.pk}"]')
    before = get_data(page, editor_id)
    assert stored_png in before
    # The writer clicks the image: it is selected.
    card.locator(".ck-editor__editable img").first.click()
    poll(
        page,
        "(id) => window.editors[id].model.document.selection.getSelectedElement()?.name === 'imageBlock'",
        editor_id,
    )

    # Chromium logs the refused request (without its address); the page handles it.
    browser_errors.allow(r"status of 400 \(Bad Request\)")
    with page.expect_response(lambda r: r.url.endswith("/newsroom/upload/")) as answered:
        card.locator(".ck-editor").first.locator('input[type="file"]').set_input_files(
            files=[{"name": "fake.png", "mimeType": "image/png", "buffer": "这不是图片。".encode()}]
        )
    assert answered.value.status == 400

    messages = card.locator('[data-test="editor-messages"]').first
    expect(messages).to_contain_text("该文件不是有效的图片")
    expect(messages).to_have_attribute("role", "status")
    expect(messages).to_have_attribute("aria-live", "polite")
    poll(page, "([id, html]) => window.editors[id].getData() === html", [editor_id, before])
    expect(card.locator(".ck-editor__editable img")).to_have_count(1)
    shots(page, "refused upload: image kept, message shown")

    # An accepted upload with the image selected goes after it, and leaves no empty paragraph behind.
    card.locator(".ck-editor__editable img").first.click()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 0)).save(buffer, format="PNG")
    with page.expect_response(lambda r: r.url.endswith("/newsroom/upload/")) as answered:
        card.locator(".ck-editor").first.locator('input[type="file"]').set_input_files(
            files=[{"name": "new.png", "mimeType": "image/png", "buffer": buffer.getvalue()}]
        )
    assert answered.value.status == 200, answered.value.text()
    uploaded = answered.value.json()["url"]
    remove_uploads.append(urlsplit(uploaded).path.removeprefix("/media/"))
    data = poll(
        page,
        "([id, url]) => { const d = window.editors[id].getData(); return d.includes(url) && d; }",
        [editor_id, uploaded],
    )
    assert data.index(stored_png) < data.index(uploaded) < data.index("后文。")
    assert "&nbsp;" not in data and "<p></p>" not in data
    assert dialogs == []
    browser_errors.check()


def test_a_pasted_outside_image_is_stored_as_our_own_upload(
    new_page, shots, browser_errors, make_issue, writer, image_server, eager, remove_uploads
):
    section = make_issue(sections=1).sections.get()
    page = new_page()
    dialogs = no_dialogs(page)
    editor_id = open_editor(page, writer, section)
    outside = image_server.url("/photo.jpg")
    # The editor may show the outside address for a moment: the page's CSP blocks it, which is expected.
    browser_errors.allow(re.escape(image_server.origin))
    saves: list[str] = []
    save_url = f"/newsroom/sections/{section.pk}/save/"
    page.on("request", lambda r: r.url.endswith(save_url) and saves.append(r.post_data or ""))

    with page.expect_response(lambda r: r.url.endswith("/newsroom/upload/import/")) as imported:
        paste(
            page,
            editor_id,
            f'<p>图表如下：</p><figure class="image"><img src="{outside}" alt="示意图"></figure>',
        )
    assert imported.value.status == 200, imported.value.text()
    url = imported.value.json()["url"]
    remove_uploads.append(urlsplit(url).path.removeprefix("/media/"))
    assert OWN_IMAGE.fullmatch(url)

    def stored_with_image():
        section.refresh_from_db()
        return url in section.body

    deadline = time.monotonic() + 30
    while not stored_with_image() and time.monotonic() < deadline:
        page.wait_for_timeout(200)  # lets Playwright deliver the request events meanwhile
    assert stored_with_image(), section.body
    page.wait_for_timeout(100)  # the request event of that save is delivered by the next call into Playwright
    assert image_server.origin not in section.body
    assert 'alt="示意图"' in section.body
    assert saves and not any("127.0.0.1" in data for data in saves), saves
    with default_storage.open(remove_uploads[0]) as handle, Image.open(handle) as image:
        assert image.size == (2000, 667)
        assert dict(image.getexif()) == {}
    assert image_server.origin not in get_data(page, editor_id)
    shots(page, "outside image imported")
    assert dialogs == []
    browser_errors.check()


def test_an_outside_image_that_cannot_be_fetched_is_removed_with_a_warning_naming_it(
    new_page, shots, browser_errors, make_issue, writer, image_server, eager
):
    section = make_issue(sections=1).sections.get()
    page = new_page()
    dialogs = no_dialogs(page)
    editor_id = open_editor(page, writer, section)
    card = page.locator(f'[data-test="section"][data-section="{section.pk}"]')
    missing = image_server.url("/missing.jpg")
    browser_errors.allow(re.escape(image_server.origin))
    browser_errors.allow(r"status of 400 \(Bad Request\)")

    with page.expect_response(lambda r: r.url.endswith("/newsroom/upload/import/")) as imported:
        paste(page, editor_id, f'<p>另一张图：</p><p><img src="{missing}" alt="缺失"></p>')
    assert imported.value.status == 400

    messages = card.locator('[data-test="editor-messages"]').first
    expect(messages).to_contain_text(f"无法导入图片 {missing}：服务器返回错误 404")
    poll(page, "(id) => !window.editors[id].getData().includes('<img')", editor_id)
    with page.expect_response(lambda r: r.url.endswith(f"/newsroom/sections/{section.pk}/save/")):
        card.locator('[data-test="save-section"]').click()
    section.refresh_from_db()
    assert "另一张图" in section.body
    assert "<img" not in section.body
    shots(page, "unreachable image removed, warning shown")
    assert dialogs == []
    browser_errors.check()


def test_an_outside_image_set_by_set_data_is_imported_too(
    new_page, browser_errors, make_issue, writer, image_server, eager, remove_uploads
):
    # setData is how the conflict panel puts the other person's text in the editor.
    section = make_issue(sections=1).sections.get()
    page = new_page()
    dialogs = no_dialogs(page)
    editor_id = open_editor(page, writer, section)
    browser_errors.allow(re.escape(image_server.origin))
    outside = image_server.url("/photo")

    with page.expect_response(lambda r: r.url.endswith("/newsroom/upload/import/")) as imported:
        page.evaluate(
            "([id, html]) => window.editors[id].setData(html)",
            [editor_id, f'<p>正文</p><figure class="image"><img src="{outside}" alt="图"></figure>'],
        )
    assert imported.value.status == 200, imported.value.text()
    url = imported.value.json()["url"]
    remove_uploads.append(urlsplit(url).path.removeprefix("/media/"))

    data = poll(
        page,
        "([id, url]) => { const d = window.editors[id].getData(); return d.includes(url) && d; }",
        [editor_id, url],
    )
    assert image_server.origin not in data
    assert dialogs == []
    browser_errors.check()
