"""What CKEditor 5 writes is what the server keeps, and what it reads back it writes again unchanged.

Every construct the toolbar offers is built in the real editor in Chromium, through its commands and the
keyboard as a writer would (an image through the real upload endpoint), and `editor.getData()` is recorded.
The recordings are tests/fixtures/ckeditor_constructs.json, which tests/editorial/test_editor_fixtures.py
checks without a browser against the sanitizer. Here the editor must still write exactly those strings, and
their round trip is checked end to end: editor -> autosave -> database (unchanged by the sanitizer) -> reload ->
editor (the same data) -> save again (the same stored HTML, the same revision contents).

Pasted Word and WeChat HTML (scripts, styles, colours, a javascript: link) shows in the editor only as what
will be saved, and that is what is saved.

After a deliberate change of the editor (a CKEditor upgrade, a plugin added), re-record the fixtures:

    XINZHI_RECORD_EDITOR_FIXTURES=1 DJANGO_DEBUG=1 .venv/bin/pytest tests/browser/test_editor_round_trip.py
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import get_data, open_editor, paste, poll

# serialized_rollback: the flush after a transactional test would drop the role groups made by a migration.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ckeditor_constructs.json"
RECORD = os.environ.get("XINZHI_RECORD_EDITOR_FIXTURES") == "1"
# Uploads get a random name; the fixtures hold this one instead (the same directory layout, our own media).
FIXTURE_IMAGE = "/media/newsroom/2026/07/0123456789abcdef0123456789abcdef.png"
UPLOADED = re.compile(r"/media/newsroom/\d{4}/\d{2}/[0-9a-f]{32}\.png")

# Each construct as a writer makes it, from an empty editor: ("type", text), ("press", key), ("exec", command,
# argument or None), ("select", start, end) in the first block, ("upload",) for the image, ("button", label) to see a
# button of the balloon toolbar (the image's) labelled so.
CONSTRUCTS: dict[str, list[tuple]] = {
    "paragraphs": [
        ("type", "国家数据局发布实施方案。"),
        ("press", "Enter"),
        ("type", "方案提出 2026 年底前建成 AI 算力调度平台。"),
    ],
    "soft-break": [("type", "第一行"), ("press", "Shift+Enter"), ("type", "第二行")],
    "headings": [
        ("exec", "heading", {"value": "heading3"}),
        ("type", "数据要素"),
        ("press", "Enter"),
        ("type", "正文一段。"),
        ("press", "Enter"),
        ("exec", "heading", {"value": "heading4"}),
        ("type", "政策要点"),
        ("press", "Enter"),
        ("type", "正文二段。"),
    ],
    "bold-italic": [
        ("type", "国家数据局发布"),
        ("exec", "bold", None),
        ("type", "通知"),
        ("exec", "bold", None),
        ("type", "，强调"),
        ("exec", "italic", None),
        ("type", "数据要素"),
        ("exec", "italic", None),
        ("type", "与"),
        ("exec", "bold", None),
        ("exec", "italic", None),
        ("type", "市场化配置"),
    ],
    "links": [
        ("type", "详见国家数据局网站，来信或看上一期。"),
        ("select", 2, 9),
        ("exec", "link", "https://www.nda.gov.cn/sjj/zwgk/tzgg/0627/?a=1&b=2"),
        ("select", 10, 12),
        ("exec", "link", "mailto:desk@example.org"),
        ("select", 14, 17),
        ("exec", "link", "/archive/2026-06-28/"),
    ],
    "bulleted-nested": [
        ("exec", "bulletedList", None),
        ("type", "算力"),
        ("press", "Enter"),
        ("press", "Tab"),
        ("type", "东数西算"),
        ("press", "Enter"),
        ("type", "枢纽节点"),
        ("press", "Enter"),
        ("press", "Shift+Tab"),
        ("type", "能源"),
    ],
    "numbered-start": [
        ("exec", "numberedList", None),
        ("type", "第三条"),
        ("press", "Enter"),
        ("type", "第四条"),
        ("exec", "listStart", {"startIndex": 3}),
    ],
    "numbered-nested": [
        ("exec", "numberedList", None),
        ("type", "政策"),
        ("press", "Enter"),
        ("press", "Tab"),
        ("exec", "bulletedList", None),
        ("type", "细则"),
        ("press", "Enter"),
        ("press", "Shift+Tab"),
        ("type", "落地"),
    ],
    "blockquote": [
        ("exec", "blockQuote", None),
        ("type", "引用的一段话。"),
        ("press", "Enter"),
        ("type", "引用的第二段。"),
    ],
    "table": [
        ("exec", "insertTable", {"rows": 3, "columns": 2}),
        ("type", "地区"),
        ("press", "Tab"),
        ("type", "算力（EFLOPS）"),
        ("press", "Tab"),
        ("type", "北京"),
        ("press", "Tab"),
        ("type", "10"),
        ("press", "Tab"),
        ("type", "上海"),
        ("exec", "toggleTableCaption", {"focusCaptionOnShow": True}),
        ("type", "表1 各地算力"),
    ],
    "table-header-column-merged": [
        ("exec", "insertTable", {"rows": 3, "columns": 3}),
        ("exec", "setTableColumnHeader", None),
        ("type", "指标"),
        ("press", "Tab"),
        ("type", "2025年"),
        ("press", "Tab"),
        ("type", "2026年"),
        ("press", "Tab"),
        ("type", "算力"),
        ("press", "Tab"),
        ("type", "8 EFLOPS"),
        ("exec", "mergeTableCellRight", None),
        ("press", "Tab"),
        ("type", "绿电"),
        ("press", "Tab"),
        ("type", "30%"),
        ("press", "Tab"),
        ("type", "45%"),
    ],
    "table-caption-left-empty": [
        ("exec", "insertTable", {"rows": 2, "columns": 1}),
        ("type", "项目"),
        ("press", "Tab"),
        ("type", "进展"),
        ("exec", "toggleTableCaption", {"focusCaptionOnShow": True}),
    ],
    "link-form": [
        # Through the link balloon (Ctrl+K), an address typed without a scheme: it gets https://.
        ("type", "中国政府网"),
        ("select", 0, 5),
        ("press", "Control+k"),
        ("type", "www.gov.cn/zhengce/"),
        ("press", "Enter"),
    ],
    "image": [
        ("upload",),
        ("exec", "imageTextAlternative", {"newValue": "算力网络示意图"}),
        ("exec", "toggleImageCaption", {"focusCaptionOnShow": True}),
        ("type", "图：示意图（来源：本刊整理）"),
        ("button", "移除图片标题"),
    ],
    # Uploaded and left as is: no alternative text, the caption toggled on but left empty.
    "image-bare": [
        ("upload",),
        ("exec", "toggleImageCaption", {"focusCaptionOnShow": True}),
        ("button", "移除图片标题"),
    ],
}


SEPARATOR = "<p>＊＊＊</p>"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def expect_balloon_button(page, label: str) -> None:
    """A button of the visible balloon toolbar (the selected image's) shows `label`, as its tooltip too."""
    button = page.locator(".ck-balloon-panel_visible .ck-button", has_text=label)
    expect(button).to_be_visible()
    expect(button).to_have_attribute("data-cke-tooltip-text", label)


def build(page, editor_id: str, steps: list[tuple], upload) -> str:
    """Empty the editor, make one construct with `steps`, return editor.getData()."""
    page.evaluate(
        "(id) => { const e = window.editors[id]; e.setData(''); e.editing.view.focus(); }", editor_id
    )
    for step in steps:
        kind = step[0]
        if kind == "type":
            page.keyboard.type(step[1])
        elif kind == "press":
            page.keyboard.press(step[1])
        elif kind == "select":
            page.evaluate(
                "([id, start, end]) => { const e = window.editors[id]; e.model.change((w) => {"
                " const block = e.model.document.getRoot().getChild(0);"
                " w.setSelection(w.createRange(w.createPositionAt(block, start), w.createPositionAt(block, end)));"
                " }); }",
                [editor_id, step[1], step[2]],
            )
        elif kind == "exec":
            page.evaluate(
                "([id, name, arg]) => { const e = window.editors[id];"
                " arg === null ? e.execute(name) : e.execute(name, arg); e.editing.view.focus(); }",
                [editor_id, step[1], step[2]],
            )
        elif kind == "upload":
            upload()
        elif kind == "button":
            expect_balloon_button(page, step[1])
    return get_data(page, editor_id)


def test_every_construct_of_the_toolbar_round_trips_unchanged(
    new_page, shots, browser_errors, make_issue, writer
):
    section = make_issue(sections=1).sections.get()
    page = new_page()
    editor_id = open_editor(page, writer, section)
    card = page.locator(f'[data-test="section"][data-section="{section.pk}"]')
    body_editor = card.locator(".ck-editor").first

    uploads: list[str] = []

    def upload():
        with page.expect_response(lambda r: r.url.endswith("/newsroom/upload/")) as answered:
            body_editor.locator('input[type="file"]').set_input_files(
                files=[{"name": "chart.png", "mimeType": "image/png", "buffer": png_bytes()}]
            )
        assert answered.value.status == 200, answered.value.text()
        uploads.append(answered.value.json()["url"])
        # Inserted once uploaded, with the size read from the loaded image.
        poll(page, "(id) => /<img [^>]*width=/.test(window.editors[id].getData())", editor_id)
        # The image is selected: its balloon toolbar offers the caption in the image's own words.
        expect_balloon_button(page, "添加图片标题")
        shots(page, "image uploaded, caption button")

    recorded = {name: build(page, editor_id, steps, upload) for name, steps in CONSTRUCTS.items()}
    try:
        normalized = {name: UPLOADED.sub(FIXTURE_IMAGE, html) for name, html in recorded.items()}
        assert UPLOADED.fullmatch(uploads[0].split("?")[0]), uploads
        if RECORD:
            FIXTURES.write_text(json.dumps(normalized, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        assert normalized == json.loads(FIXTURES.read_text(encoding="utf-8")), (
            "the editor writes other HTML than recorded: re-record (see the module docstring) and review the diff"
        )

        # --- The whole lot in one document: saved, reloaded, saved again. -------------------------------
        # A paragraph between constructs, or CKEditor would rightly read two adjacent lists as one.
        document = SEPARATOR.join(recorded.values())
        status = card.locator('[data-test="save-status"]')
        save_url = f"/newsroom/sections/{section.pk}/save/"

        def save() -> None:
            """The 立即保存 button: a save with nothing typed."""
            with page.expect_response(
                lambda r: r.url.endswith(save_url) and r.request.method == "POST"
            ) as saved:
                card.locator('[data-test="save-section"]').click()
            assert saved.value.status == 200, saved.value.text()

        # Saved by the autosave, a few seconds after the change, as a writer's work is.
        with page.expect_response(
            lambda r: r.url.endswith(save_url) and r.request.method == "POST", timeout=20_000
        ) as autosaved:
            page.evaluate("([id, html]) => window.editors[id].setData(html)", [editor_id, document])
        assert autosaved.value.status == 200, autosaved.value.text()
        section.refresh_from_db()
        assert section.body == document  # the sanitizer changed nothing
        revisions = section.revisions.count()
        shots(page, "every construct saved")

        page.reload()
        poll(page, "(id) => !!(window.editors && window.editors[id])", editor_id)
        assert get_data(page, editor_id) == document
        expect(card.locator("figure.image figcaption")).to_have_text("图：示意图（来源：本刊整理）")
        save()
        section.refresh_from_db()
        assert section.body == document
        assert section.revisions.count() == revisions + 1
        last, before = section.revisions.order_by("-number")[:2]
        assert last.data["body"] == before.data["body"] == document
        expect(status).to_have_text(re.compile(r"^已保存 "))
        shots(page, "reloaded and saved again")
        browser_errors.check()
    finally:
        for url in uploads:
            default_storage.delete(urlsplit(url).path.removeprefix("/media/"))


WORD_PASTE = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">'
    '<head><meta name="Generator" content="Microsoft Word 15"><style>p.MsoNormal{color:red}</style></head>'
    "<body><!--StartFragment-->"
    '<p class="MsoNormal" style="text-indent:2em"><span style="color:#C00000;font-size:16pt;font-family:宋体">'
    "红色宋体正文</span></p>"
    "<script>alert('x')</script>"
    '<p class="MsoNormal" align="center" style="text-align:center"><a href="javascript:alert(1)">危险链接</a>与'
    '<a href="https://www.gov.cn/">政府网</a></p>'
    "<!--EndFragment--></body></html>"
)
WECHAT_PASTE = (
    '<section style="margin:0;color:rgb(62,62,62)"><p style="text-align:justify">'
    '<span style="color:rgb(255,0,0);background-color:rgb(255,255,0);font-size:18px">微信黄底红字</span>'
    '<mark class="marker-yellow">高亮</mark><u>下划线</u><span style="font-weight:700">加粗</span></p>'
    '<h2 style="color:blue">小标题</h2>'
    "<style>.rich_media_content{font-size:17px}</style><script>alert('y')</script>"
    '<p><a href=" java&#x09;script:alert(2)">伪装链接</a></p></section>'
)
# The second paste starts in the paragraph the first one ended with, as pasting into text does.
PASTED = (
    "<p>红色宋体正文</p>"
    '<p>危险链接与<a href="https://www.gov.cn/" rel="noopener noreferrer">政府网</a>'
    "微信黄底红字高亮下划线<strong>加粗</strong></p>"
    "<h3>小标题</h3>"
    "<p>伪装链接</p>"
)


def test_pasted_word_and_wechat_html_shows_only_what_is_saved(
    new_page, shots, browser_errors, make_issue, writer
):
    section = make_issue(sections=1).sections.get()
    page = new_page()
    editor_id = open_editor(page, writer, section)
    card = page.locator(f'[data-test="section"][data-section="{section.pk}"]')
    editable = card.locator(".ck-editor__editable").first
    page.evaluate("(id) => window.editors[id].setData('')", editor_id)

    paste(page, editor_id, WORD_PASTE)
    paste(page, editor_id, WECHAT_PASTE)

    # In the editor: no script text, no colour, no font, no highlight, the refused links are plain text.
    assert get_data(page, editor_id) == PASTED
    expect(editable).not_to_contain_text("alert")
    expect(editable).not_to_contain_text("rich_media_content")
    assert editable.locator("[style*=color], mark, u, span[style]").count() == 0
    assert editable.locator("a").count() == 1
    expect(editable.locator("a")).to_have_text("政府网")
    shots(page, "pasted word and wechat html")

    # An address the server would not keep, given to the link command (as the link balloon would), links
    # nothing either: a script, a path relative to the page, "https:host" (editorial.sanitize.link_address).
    for address in ("javascript:alert(3)", "?q=1", "a.html", "https:host"):
        page.evaluate(
            """([id, address]) => { const e = window.editors[id]; e.model.change((w) => {
                const block = e.model.document.getRoot().getChild(0);
                w.setSelection(w.createRange(w.createPositionAt(block, 0), w.createPositionAt(block, 2)));
            }); e.execute('link', address); }""",
            [editor_id, address],
        )
        assert get_data(page, editor_id) == PASTED, address

    # Saved as seen.
    save_url = f"/newsroom/sections/{section.pk}/save/"
    with page.expect_response(lambda r: r.url.endswith(save_url) and r.request.method == "POST") as saved:
        card.locator('[data-test="save-section"]').click()
    assert saved.value.status == 200, saved.value.text()
    section.refresh_from_db()
    assert section.body == PASTED
    browser_errors.check()
