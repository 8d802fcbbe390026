"""Everything the editor writes (tests/fixtures/ckeditor_constructs.json, recorded from CKEditor in Chromium)
reaches the web page, the PDF's HTML and the WeChat HTML: captions, table headers and captions, nested and
numbered lists, links, emphasis."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from editorial.models import Section
from publishing.render import build_context, render_web, render_wechat
from publishing.render.pdf import pdf_html

CONSTRUCTS = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "ckeditor_constructs.json").read_text(
        encoding="utf-8"
    )
)


class Text(HTMLParser):
    """The text pieces of an HTML string, whitespace removed (the outputs indent and wrap as they like)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        text = "".join(data.split())
        if text:
            self.parts.append(text)

    @classmethod
    def pieces(cls, html: str) -> list[str]:
        parser = cls()
        parser.feed(html)
        parser.close()
        return parser.parts


def assert_in_order(pieces: list[str], text: str) -> None:
    """Each piece occurs in `text`, in this order (WeChat adds list numbers and link notes in between)."""
    position = 0
    for piece in pieces:
        found = text.find(piece, position)
        assert found >= 0, (piece, text[position:])
        position = found + len(piece)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_every_word_the_editor_wrote_is_in_every_output(make_issue, name):
    issue = make_issue(sections=1)
    section = issue.sections.get()
    Section.objects.filter(pk=section.pk).update(body=CONSTRUCTS[name])

    context = build_context(issue)
    wanted = Text.pieces(CONSTRUCTS[name])
    for output in (
        render_web(issue, context=context),
        render_wechat(issue, context=context),
        pdf_html(context),
    ):
        assert_in_order(wanted, "".join(Text.pieces(output)))


@pytest.mark.django_db
def test_captions_stay_captions_in_the_web_page(make_issue):
    issue = make_issue(sections=1)
    section = issue.sections.get()
    Section.objects.filter(pk=section.pk).update(body=CONSTRUCTS["image"] + CONSTRUCTS["table"])

    web = render_web(issue)

    assert "<figcaption>图：示意图（来源：本刊整理）</figcaption>" in web
    assert "<figcaption>表1 各地算力</figcaption>" in web
    assert 'alt="算力网络示意图"' in web
