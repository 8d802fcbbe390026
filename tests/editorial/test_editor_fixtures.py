"""The HTML CKEditor 5 really writes (recorded in Chromium by tests/browser/test_editor_round_trip.py) is what
the server stores, byte for byte; and the editor's configuration agrees with the sanitizer's allow-list."""

from __future__ import annotations

import json
import re
from pathlib import Path

import django_ckeditor_5
import pytest
from django.conf import settings

from editorial.forms import RichTextWidget
from editorial.models import Section
from editorial.sanitize import ALLOWED_URL_SCHEMES, CLEAN_CONTENT_TAGS, sanitize_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ckeditor_constructs.json"
CONSTRUCTS = json.loads(FIXTURES.read_text(encoding="utf-8"))
BUNDLE = Path(django_ckeditor_5.__file__).parent / "static" / "django_ckeditor_5" / "dist" / "bundle.js"
HOOKS = Path(settings.BASE_DIR) / "editorial" / "static" / "editorial" / "ckeditor_hooks.js"
CONFIG = settings.CKEDITOR_5_CONFIGS["default"]


def test_the_fixtures_cover_every_construct_of_the_toolbar():
    assert set(CONSTRUCTS) >= {
        "paragraphs",
        "headings",
        "bold-italic",
        "links",
        "bulleted-nested",
        "numbered-start",
        "numbered-nested",
        "blockquote",
        "table",
        "image",
    }
    joined = "".join(CONSTRUCTS.values())
    for needle in (
        "<h3>",
        "<h4>",
        "<strong>",
        "<i>",
        'rel="noopener noreferrer"',
        "<ul><li>算力<ul>",
        '<ol start="3">',
    ):
        assert needle in joined, needle
    assert 'href="https://www.gov.cn/zhengce/" rel="noopener noreferrer"' in CONSTRUCTS["link-form"]
    assert 'href="mailto:desk@example.org" rel="noopener noreferrer"' in CONSTRUCTS["links"]
    assert "<thead><tr><th>" in CONSTRUCTS["table"] and "<figcaption>" in CONSTRUCTS["table"]
    assert '<tbody><tr><th>算力</th><td colspan="2">' in CONSTRUCTS["table-header-column-merged"]
    assert CONSTRUCTS["image"].startswith('<figure class="image"><img ')
    assert 'alt="算力网络示意图"' in CONSTRUCTS["image"]
    assert "<figcaption>图：示意图（来源：本刊整理）</figcaption>" in CONSTRUCTS["image"]


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_what_the_editor_writes_is_a_fixed_point_of_the_sanitizer(name):
    assert sanitize_html(CONSTRUCTS[name]) == CONSTRUCTS[name]


@pytest.mark.django_db
def test_what_the_editor_writes_is_stored_unchanged(make_issue):
    section = make_issue(sections=1).sections.get()
    document = "".join(CONSTRUCTS.values())
    Section.objects.filter(pk=section.pk).update(body=document)
    section.body = document
    section.save()
    assert Section.objects.get(pk=section.pk).body == document


def bundle_plugin_names() -> set[str]:
    return set(re.findall(r'pluginName\(\)\{return"(\w+)"\}', BUNDLE.read_text(encoding="utf-8")))


def test_every_removed_plugin_is_one_the_bundle_has():
    # CKEditor refuses to start on an unknown name in removePlugins.
    names = bundle_plugin_names()
    assert len(names) > 100  # the pattern still finds the bundle's plugins
    assert set(CONFIG["removePlugins"]) <= names, set(CONFIG["removePlugins"]) - names


def test_plugins_that_add_what_the_server_drops_are_removed():
    removed = set(CONFIG["removePlugins"])
    # Colours, fonts, highlight, alignment, indentation of paragraphs, arbitrary HTML and the Markdown data
    # processor: each would put in the editor what the server does not keep.
    assert {
        "Font",
        "Highlight",
        "Alignment",
        "IndentBlock",
        "GeneralHtmlSupport",
        "Style",
        "Markdown",
    } <= removed
    assert {"FullPage", "SourceEditing", "HtmlEmbed", "MediaEmbed", "ImageStyle", "ImageResize"} <= removed
    assert {"TableProperties", "TableCellProperties", "TodoList", "CodeBlock"} <= removed
    assert CONFIG["list"]["properties"] == {"styles": False, "startIndex": True, "reversed": False}
    assert CONFIG["list"]["enableListItemMarkerFormatting"] is False


def test_the_widget_loads_the_editor_plugin_after_the_bundle():
    scripts = [str(path) for path in RichTextWidget().media._js]
    assert scripts.index("editorial/ckeditor_hooks.js") > scripts.index("django_ckeditor_5/dist/bundle.js")
    assert CONFIG["extraPlugins"] == ["callback:XinzhiEditorRules"]
    assert "window.XinzhiEditorRules = XinzhiEditorRules;" in HOOKS.read_text(encoding="utf-8")


def test_the_editor_plugin_removes_what_the_sanitizer_removes():
    source = HOOKS.read_text(encoding="utf-8")
    tags = re.search(r"var CLEAN_CONTENT_TAGS = \[(.*?)\];", source, re.S).group(1)
    assert set(re.findall(r'"(\w+)"', tags)) == CLEAN_CONTENT_TAGS
    # isSafeHref follows editorial.sanitize.link_address: the schemes it names are the ones the server keeps.
    assert set(re.findall(r'name [!=]== "(\w+)"', source)) == ALLOWED_URL_SCHEMES
