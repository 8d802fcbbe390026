"""Three-way merges of a refused save (editorial.merging): edits that do not overlap are both kept, word by
word; overlapping ones come back as hunks carrying every side's text; topics merge as sets."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from editorial import merging, services
from editorial.errors import StaleVersion
from editorial.sanitize import sanitize_html

PARAGRAPH = "<p>国家数据局发布方案，推动算力网络建设。数据中心绿电消纳比例提升。</p>"
WITH_HUBS = "<p>国家数据局发布方案，推动算力网络建设，首批 8 个枢纽节点上线。数据中心绿电消纳比例提升。</p>"
WITH_ADMIN_EDIT = "<p>国家数据局发布方案，推动算力网络建设。数据中心绿电消纳比例明显提升。</p>"


VOID = {"br", "img", "hr"}


class Nesting(HTMLParser):
    """Checks that every element is closed, in order: the structure a browser would build as written."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open}"
        self.open.pop()


def assert_well_formed(markup: str) -> None:
    parser = Nesting()
    parser.feed(markup)
    parser.close()
    assert parser.open == [], f"left open: {parser.open}"


def resolve(field: dict, choice: str) -> str:
    """Join a field's parts as the editor does, taking `choice` (theirs, mine or both) for every conflict."""
    out = []
    for part in field["parts"]:
        if part["origin"] != "conflict":
            out.append(part["raw"])
        elif choice == "both":
            out.append(part["theirs"]["raw"] + part["mine"]["raw"])
        else:
            out.append(part[choice]["raw"])
    return "".join(out)


def test_tokens_join_back_to_the_text_and_split_chinese_into_words():
    text = (
        '<p>首批 8 个枢纽节点上线&nbsp;<a href="https://example.com/a?x=1&amp;y=2">AI infrastructure</a></p>'
    )

    tokens = merging.tokenize(text, markup=True)

    assert "".join(tokens) == text
    assert '<a href="https://example.com/a?x=1&amp;y=2">' in tokens
    assert "&nbsp;" in tokens
    assert {"首批", "枢纽", "节点", "上线", "infrastructure", " "} <= set(tokens)


def test_edits_in_different_sentences_of_one_paragraph_are_both_kept():
    # Writer A adds 首批 8 个枢纽节点上线 to the first sentence while the admin edits the second one.
    result = merging.merge_text(base=PARAGRAPH, theirs=WITH_HUBS, mine=WITH_ADMIN_EDIT, markup=True)

    assert result["status"] == "merged"
    assert result["conflicts"] == 0
    assert result["value"] == (
        "<p>国家数据局发布方案，推动算力网络建设，首批 8 个枢纽节点上线。数据中心绿电消纳比例明显提升。</p>"
    )
    origins = {part["origin"]: part["text"] for part in result["parts"] if part["origin"] != "same"}
    assert origins == {"theirs": "，首批 8 个枢纽节点上线", "mine": "明显"}


def test_overlapping_edits_come_back_as_a_conflict_with_both_texts():
    theirs = PARAGRAPH.replace("比例提升", "比例大幅提升")
    mine = PARAGRAPH.replace("比例提升", "比例稳步提高")

    result = merging.merge_text(base=PARAGRAPH, theirs=theirs, mine=mine, markup=True)

    assert result["status"] == "conflict"
    assert result["value"] is None
    assert result["conflicts"] == 1
    (hunk,) = [part for part in result["parts"] if part["origin"] == "conflict"]
    assert "大幅" in hunk["theirs"]["text"] and "提升" in hunk["theirs"]["text"]
    assert "稳步提高" in hunk["mine"]["text"]
    assert "提升" in hunk["base"]["text"]
    assert hunk["before"].endswith("数据中心绿电消纳比例")
    # Every choice yields a whole text; "both" loses neither side's words.
    assert resolve(result, "theirs") == theirs
    assert resolve(result, "mine") == mine
    both = resolve(result, "both")
    assert "大幅提升" in both and "稳步提高" in both


def test_both_writers_appending_at_the_same_place_conflict_and_both_can_be_kept():
    theirs = PARAGRAPH.replace("</p>", "第一位撰稿人补充。</p>")
    mine = PARAGRAPH.replace("</p>", "第二位撰稿人补充。</p>")

    result = merging.merge_text(base=PARAGRAPH, theirs=theirs, mine=mine, markup=True)

    assert result["conflicts"] == 1
    both = resolve(result, "both")
    assert both.index("第一位撰稿人补充。") < both.index("第二位撰稿人补充。") < both.index("</p>")


@pytest.mark.parametrize(
    ("theirs", "mine"),
    [
        # One splits the paragraph in two, the other puts a word in bold inside it.
        (
            "<p>国家数据局发布方案。</p><p>推动算力网络建设。</p>",
            "<p>国家数据局发布<strong>方案</strong>，推动算力网络建设。</p>",
        ),
        # One turns the paragraph into a list item, the other changes the same words.
        (
            "<ul><li>国家数据局发布方案，推动算力网络建设。</li></ul>",
            "<blockquote><p>国家数据局发布新方案，推动算力网络建设。</p></blockquote>",
        ),
    ],
)
def test_merged_markup_is_well_formed_html_whatever_is_chosen(theirs, mine):
    base = "<p>国家数据局发布方案，推动算力网络建设。</p>"

    result = merging.merge_text(base=base, theirs=theirs, mine=mine, markup=True)

    candidates = [result["value"]] if result["value"] is not None else []
    candidates += [sanitize_html(resolve(result, c)) for c in ("theirs", "mine", "both")]
    for merged in candidates:
        # Sanitized output is a fixed point of the sanitizer, every element closed in order.
        assert sanitize_html(merged) == merged
        assert_well_formed(merged)
    if result["value"] is not None:
        assert "方案" in result["value"] and "推动算力网络建设" in result["value"]


def test_a_change_made_on_one_side_only_is_taken_whole():
    result = merging.merge_text(base=PARAGRAPH, theirs=WITH_HUBS, mine=PARAGRAPH, markup=True)
    assert (result["status"], result["value"]) == ("theirs", WITH_HUBS)

    result = merging.merge_text(base="旧标题", theirs="旧标题", mine="新标题", markup=False)
    assert (result["status"], result["value"]) == ("mine", "新标题")


def test_topics_merge_as_sets_keeping_what_each_side_added_and_dropping_what_i_removed():
    result = merging.merge_topics(
        base=["数据要素", "绿电"], theirs=["数据要素", "绿电", "算力"], mine=["数据要素", "低空经济"]
    )

    assert result["status"] == "merged"
    assert result["conflicts"] == 0
    assert result["value"] == ["数据要素", "算力", "低空经济"]


def test_an_issue_number_changed_differently_on_both_sides_is_a_conflict_with_the_three_values():
    result = merging.merge_value(base=7, theirs=8, mine=9)

    assert result["status"] == "conflict"
    (hunk,) = result["parts"]
    assert (hunk["base"]["raw"], hunk["theirs"]["raw"], hunk["mine"]["raw"]) == ("7", "8", "9")


def test_a_stale_section_save_merges_against_the_revision_both_started_from(draft_issue, writer, admin_user):
    section = draft_issue.sections.get(position=1)
    section = services.section_save(
        section=section,
        user=writer,
        data={"body": PARAGRAPH, "topics": ["数据要素"]},
        version=section.version,
    )
    started_from = section.version
    services.section_save(
        section=section,
        user=writer,
        data={"body": WITH_HUBS, "topics": ["数据要素", "算力"]},
        version=started_from,
    )
    with pytest.raises(StaleVersion) as refused:
        services.section_save(
            section=section,
            user=admin_user,
            data={"headline": section.headline, "body": WITH_ADMIN_EDIT, "topics": ["数据要素", "绿电"]},
            version=started_from,
        )

    result = merging.section_merge(
        section=section, version=started_from, theirs=refused.value.current, mine=refused.value.submitted
    )

    assert result["clean"] and result["base_version"] == started_from
    assert result["version"] == started_from + 1
    assert "首批 8 个枢纽节点上线" in result["values"]["body"] and "明显提升" in result["values"]["body"]
    assert result["values"]["topics"] == ["数据要素", "算力", "绿电"]
    assert result["fields"]["headline"]["status"] == "unchanged"
    # Saved through the normal path on top of their version, the merge is a new revision.
    saved = services.section_save(
        section=section, user=admin_user, data=result["values"], version=result["version"]
    )
    assert "首批 8 个枢纽节点上线" in saved.body and "明显提升" in saved.body
    assert saved.revisions.order_by("-number").first().author == admin_user


def test_without_a_known_base_a_passage_only_one_side_has_is_kept():
    theirs = {"headline": "标题", "summary": "第一句。第二句。", "number": 3, "version": 5}
    mine = {"headline": "标题", "summary": "第一句。补充一句。第二句。", "number": 3}

    result = merging.issue_merge(theirs=theirs, mine=mine, base=None)

    assert result["clean"]
    assert result["values"]["summary"] == "第一句。补充一句。第二句。"


def test_an_issue_merge_uses_the_values_the_browser_started_from(draft_issue):
    base = {"headline": "算力与数据", "summary": "摘要第一句。摘要第二句。", "number": "4"}
    theirs = {
        "headline": "算力、数据与能源",
        "summary": "摘要第一句。摘要第二句。",
        "number": 4,
        "version": 3,
    }
    mine = {"headline": "算力与数据", "summary": "摘要第一句，补充。摘要第二句。", "number": 4}

    result = merging.issue_merge(theirs=theirs, mine=mine, base=base)

    assert result["clean"]
    assert result["values"] == {
        "headline": "算力、数据与能源",
        "summary": "摘要第一句，补充。摘要第二句。",
        "number": 4,
    }


def test_a_long_region_both_rewrote_is_one_hunk_with_both_texts_whole(monkeypatch):
    # Aligning very long texts word by word would hold the request for seconds; past the limit the region is
    # shown whole instead, still with nothing lost.
    monkeypatch.setattr(merging, "MAX_WORDS", 5)
    theirs = PARAGRAPH.replace("比例提升", "比例大幅提升")
    mine = PARAGRAPH.replace("国家数据局", "国家发展改革委")

    result = merging.merge_text(base=PARAGRAPH, theirs=theirs, mine=mine, markup=True)

    (hunk,) = result["parts"]
    assert hunk["origin"] == "conflict" and hunk["index"] == 0
    assert (hunk["theirs"]["raw"], hunk["mine"]["raw"], hunk["base"]["raw"]) == (theirs, mine, PARAGRAPH)


def test_a_section_whose_base_revision_is_gone_merges_against_what_both_texts_share(draft_issue, writer):
    section = draft_issue.sections.get(position=1)
    theirs = {
        "headline": section.headline,
        "body": WITH_HUBS,
        "analysis": "",
        "topics": ["数据要素"],
        "version": 9,
    }
    mine = {
        "headline": section.headline,
        "body": WITH_ADMIN_EDIT,
        "analysis": "",
        "topics": ["数据要素", "绿电"],
    }

    result = merging.section_merge(section=section, version=7, theirs=theirs, mine=mine)

    assert result["base_version"] is None
    assert result["clean"]
    # Without a base, a passage only one side has is kept: both additions survive.
    assert "首批 8 个枢纽节点上线" in result["values"]["body"] and "明显提升" in result["values"]["body"]
    assert result["values"]["topics"] == ["数据要素", "绿电"]


def test_the_reader_text_of_a_hunk_names_images_and_breaks_lines_at_blocks():
    tokens = merging.tokenize(
        '<p>甲&amp;乙</p><figure><img src="/media/a.png" alt="示意图"></figure><p>丙</p>', markup=True
    )

    assert merging.reader_text(tokens, markup=True) == "甲&乙\n〔图片：示意图〕\n丙\n"
