"""Pastes that used to lose or break work, in the real editor (Chromium), checked in the editor and in the HTML
the autosave stores: WeChat's lazy-loaded images (a placeholder in src, the real address in data-src), data: images
the server would drop without a word, and tables whose spans brought CKEditor down (colspan="100000")."""

from __future__ import annotations

import base64
import io
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from editorial.models import Section
from tests.browser.conftest import get_data, open_editor, paste, poll
from tests.browser.test_editor_images import OWN_IMAGE, no_dialogs

# serialized_rollback: the flush after a transactional test would drop the role groups made by a migration.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# What WeChat's page has in src until the image is scrolled into view (an empty SVG, URL-encoded).
PLACEHOLDER = (
    "data:image/svg+xml,%3C%3Fxml version='1.0' encoding='UTF-8'%3F%3E%3Csvg width='1px' height='1px' "
    "viewBox='0 0 1 1' xmlns='http://www.w3.org/2000/svg'%3E%3C/svg%3E"
)


def stored_body(section: Section, page, done, *, timeout: float = 30.0) -> str:
    """The section's stored body once `done(body)` holds (autosave runs on its own), letting Playwright deliver
    the page's events meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        section.refresh_from_db()
        if done(section.body) or time.monotonic() > deadline:
            assert done(section.body), section.body
            return section.body
        page.wait_for_timeout(200)


def png_data_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 60)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_lazy_loaded_images_from_wechat_and_other_sites_are_imported_from_their_real_address(
    new_page, shots, browser_errors, make_issue, writer, image_server, eager, remove_uploads
):
    section = make_issue(sections=1).sections.get()
    page = new_page()
    dialogs = no_dialogs(page)
    editor_id = open_editor(page, writer, section)
    card = page.locator(f'[data-test="section"][data-section="{section.pk}"]')
    browser_errors.allow(re.escape(image_server.origin))
    wechat = image_server.url("/photo.jpg?wx_fmt=jpeg")
    other = image_server.url("/photo")

    imports = []
    page.on(
        "response",
        lambda r: r.url.endswith("/newsroom/upload/import/") and imports.append(r),
    )
    paste(
        page,
        editor_id,
        "<section><p>微信正文：</p>"
        f'<p><img data-src="{wechat}" src="{PLACEHOLDER}" class="rich_pages wxw-img img_loading" alt="微信图"></p>'
        f'<p><img data-original="{other}" src="{PLACEHOLDER}" alt="他站图"></p></section>',
    )
    # Both real addresses are asked for; the placeholder never is (it is a data: address anyway).
    urls = poll(
        page,
        '(id) => { const d = window.editors[id].getData(); const m = d.match(/\\/media\\/newsroom\\/[^"]+/g);'
        " return m && m.length === 2 && !d.includes('data:') && d; }",
        editor_id,
    )
    assert len(imports) == 2, [r.url for r in imports]
    for response in imports:
        assert response.status == 200, response.text()
        remove_uploads.append(urlsplit(response.json()["url"]).path.removeprefix("/media/"))
    assert 'alt="微信图"' in urls and 'alt="他站图"' in urls
    assert "data-src" not in urls and "img_loading" not in urls
    assert sorted(image_server.requests) == ["/photo", "/photo.jpg?wx_fmt=jpeg"]

    body = stored_body(section, page, lambda b: len(OWN_IMAGE.findall(b)) == 2)
    assert "微信正文" in body
    assert "data:" not in body and image_server.origin not in body
    expect(card.locator('[data-test="editor-messages"]').first).not_to_contain_text("无法")
    shots(page, "lazy images imported")
    assert dialogs == []
    browser_errors.check()


def test_a_data_image_the_server_cannot_keep_is_removed_with_a_warning_and_a_base64_png_is_uploaded(
    new_page, shots, browser_errors, make_issue, writer, remove_uploads
):
    section = make_issue(sections=1).sections.get()
    page = new_page()
    dialogs = no_dialogs(page)
    editor_id = open_editor(page, writer, section)
    card = page.locator(f'[data-test="section"][data-section="{section.pk}"]')
    # CKEditor reads a pasted base64 image with fetch(), which the page's CSP (connect-src 'self') refuses; it
    # then reads it through an <img> and a canvas, and uploads that.
    browser_errors.allow(r"data:image/png;base64")

    with page.expect_response(lambda r: r.url.endswith("/newsroom/upload/")) as uploaded:
        paste(
            page,
            editor_id,
            "<p>矢量图如下：</p>"
            f'<p><img src="{PLACEHOLDER}" alt="矢量"></p>'
            f'<figure class="image"><img src="{png_data_url()}" alt="位图"></figure>'
            "<p>结尾。</p>",
        )
    assert uploaded.value.status == 200, uploaded.value.text()
    url = uploaded.value.json()["url"]
    remove_uploads.append(urlsplit(url).path.removeprefix("/media/"))

    messages = card.locator('[data-test="editor-messages"]').first
    expect(messages).to_contain_text(
        "已移除无法保存的嵌入图片（image/svg+xml）：请将图片存为 JPEG、PNG、GIF 或 WebP 文件后上传"
    )
    data = poll(
        page,
        "([id, url]) => { const d = window.editors[id].getData(); return d.includes(url) && d; }",
        [editor_id, url],
    )
    assert "data:" not in data and 'alt="矢量"' not in data
    assert 'alt="位图"' in data

    body = stored_body(section, page, lambda b: url in b)
    assert "矢量图如下" in body and "结尾。" in body
    assert "data:" not in body and "矢量" not in body.replace("矢量图如下", "")
    assert body.count("<img") == 1
    shots(page, "svg data image removed, png uploaded")
    assert dialogs == []
    browser_errors.check()


def test_a_data_image_set_by_set_data_is_removed_with_a_warning(new_page, browser_errors, make_issue, writer):
    section = make_issue(sections=1).sections.get()
    page = new_page()
    editor_id = open_editor(page, writer, section)
    card = page.locator(f'[data-test="section"][data-section="{section.pk}"]')
    page.evaluate(
        "([id, html]) => window.editors[id].setData(html)",
        [editor_id, '<p>正文</p><figure class="image"><img src="data:text/plain,hello" alt="假图"></figure>'],
    )
    expect(card.locator('[data-test="editor-messages"]').first).to_contain_text(
        "已移除无法保存的嵌入图片（text/plain）"
    )
    assert get_data(page, editor_id) == "<p>正文</p>"
    browser_errors.check()


def test_a_pasted_table_with_absurd_spans_is_clamped_and_the_editor_keeps_working(
    new_page, shots, browser_errors, make_issue, writer
):
    section = make_issue(sections=1).sections.get()
    page = new_page()
    dialogs = no_dialogs(page)
    editor_id = open_editor(page, writer, section)
    card = page.locator(f'[data-test="section"][data-section="{section.pk}"]')
    page.evaluate("(id) => window.editors[id].setData('<p>表格如下：</p>')", editor_id)

    paste(
        page,
        editor_id,
        "<table><tbody>"
        '<tr><td colspan="100000">通栏标题</td></tr>'
        '<tr><td rowspan="99999">纵向合并</td><td>甲</td></tr>'
        "<tr><td>乙</td></tr>"
        "</tbody></table>",
    )
    data = poll(
        page,
        "(id) => { const d = window.editors[id].getData(); return d.includes('通栏标题') && d; }",
        editor_id,
    )
    assert 'colspan="2"' in data and 'rowspan="2"' in data, data
    assert "100000" not in data and "99999" not in data
    assert data.count("<td") == 4, data  # no cells padded in for columns that are not there
    editable = card.locator(".ck-editor__editable").first
    expect(editable.locator("td")).to_have_count(4)

    # The editor still works: text added after the table is kept, and autosave stores the table as shown.
    page.evaluate(
        """(id) => { const e = window.editors[id];
            e.model.change((w) => { const p = w.createElement('paragraph'); w.insertText('表后文字。', p);
                w.insert(p, e.model.document.getRoot(), 'end'); }); }""",
        editor_id,
    )
    body = stored_body(section, page, lambda b: "表后文字。" in b)
    assert 'colspan="2"' in body and 'rowspan="2"' in body
    assert "通栏标题" in body and "纵向合并" in body and "表格如下：" in body
    assert body.count("<td") == 4
    assert get_data(page, editor_id) == body
    shots(page, "table spans clamped")
    assert dialogs == []
    browser_errors.check()


def test_spans_within_the_table_are_kept(new_page, browser_errors, make_issue, writer):
    # Every column has a cell starting in it: nothing to clamp, the spans stay as pasted.
    section = make_issue(sections=1).sections.get()
    page = new_page()
    editor_id = open_editor(page, writer, section)
    page.evaluate("(id) => window.editors[id].setData('')", editor_id)
    paste(
        page,
        editor_id,
        "<table><tbody>"
        '<tr><td colspan="3">三列标题</td></tr>'
        '<tr><td rowspan="2">左</td><td>中</td><td>右</td></tr>'
        '<tr><td colspan="2">下</td></tr>'
        "</tbody></table>",
    )
    data = poll(
        page,
        "(id) => { const d = window.editors[id].getData(); return d.includes('三列标题') && d; }",
        editor_id,
    )
    assert 'colspan="3"' in data and 'rowspan="2"' in data and 'colspan="2"' in data, data
    assert data.count("<td") == 5, data
    browser_errors.check()


def test_a_stored_table_with_the_widest_span_the_server_keeps_opens_in_the_editor(
    new_page, browser_errors, make_issue, writer
):
    # colspan="1000" is within the server's bounds (a direct POST can store it) and crashed the editor as well.
    section = make_issue(sections=1).sections.get()
    body = (
        '<figure class="table"><table><tbody><tr><td colspan="1000">宽</td></tr>'
        "<tr><td>甲</td><td>乙</td></tr></tbody></table></figure>"
    )
    Section.objects.filter(pk=section.pk).update(body=body)
    page = new_page()
    editor_id = open_editor(page, writer, section)
    data = get_data(page, editor_id)
    assert 'colspan="2"' in data and "1000" not in data, data
    assert data.count("<td") == 3, data
    browser_errors.check()


def test_pasted_blank_lines_indents_and_invisible_characters_are_gone_in_the_editor_as_on_the_server(
    new_page, browser_errors, make_issue, writer
):
    """What the writer sees after a paste is what will be saved: Word's and WeChat's blank paragraphs, full-width
    and no-break indents and zero-width characters vanish at once, not on the next reload."""
    from editorial.sanitize import sanitize_html

    section = make_issue(sections=1).sections.get()
    page = new_page()
    editor_id = open_editor(page, writer, section)
    page.evaluate("(id) => window.editors[id].setData('')", editor_id)
    pasted = (
        "<p>&nbsp;</p><p>&nbsp;</p><p>\u3000\u3000第二段，数据中心绿\u200b电消纳，算力\u00ad网络。</p>"
        "<p><br></p><p>&nbsp;&nbsp;<strong>\u3000加粗开头</strong>的段落<br>&nbsp;</p>"
        "<ul><li>&nbsp;</li><li>\u3000列表项</li></ul><p>表情👩\u200d💻保留</p>"
        "<table><tbody><tr><td>&nbsp;</td><td>格</td></tr></tbody></table>"
    )
    paste(page, editor_id, pasted)

    data = poll(
        page,
        "(id) => { const d = window.editors[id].getData(); return d.includes('保留') && d; }",
        editor_id,
    )

    assert data.startswith(
        "<p>第二段，数据中心绿电消纳，算力网络。</p><p><strong>加粗开头</strong>的段落</p><ul><li>列表项</li></ul>"
    ), data
    assert "👩\u200d💻" in data and "<td>&nbsp;</td>" in data
    assert sanitize_html(data) == data
    browser_errors.check()


def test_a_word_paste_keeps_its_lists_and_drops_its_blank_lines_and_local_images(
    new_page, browser_errors, make_issue, writer
):
    """Word's clipboard (tests/fixtures/word_clipboard.html: MsoList paragraphs, an @list stylesheet, <o:p>
    blank lines, a picture Word only has as a local file) goes through PasteFromOffice, which the editor's own
    repair step then sees too: numbered and bulleted lists stay what they are, nothing blank is left behind."""
    section = make_issue(sections=1).sections.get()
    page = new_page()
    editor_id = open_editor(page, writer, section)
    card = page.locator(f'[data-test="section"][data-section="{section.pk}"]')
    page.evaluate("(id) => window.editors[id].setData('')", editor_id)
    paste(page, editor_id, (FIXTURES / "word_clipboard.html").read_text(encoding="utf-8"))

    expect(card.locator('[data-test="editor-messages"]').first).to_contain_text("无法导入图片 file:///")
    data = poll(
        page,
        "(id) => { const d = window.editors[id].getData(); return !d.includes('<img') && d; }",
        editor_id,
    )

    assert data == (
        "<p>正文第一段，<strong>加粗</strong>和红字。</p>"
        "<ol><li>第一项要点</li><li>第二项要点</li></ol><ul><li>项目符号一</li></ul><p>图 1 示意图</p>"
    )
    browser_errors.check()
