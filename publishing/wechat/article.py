"""The article's title, author and digest, from the render context, within the draft API's limits.

The limits are those of draft/add ("新增草稿",
https://developers.weixin.qq.com/doc/service/api/draftbox/draftmanage/api_draft_add): title "总长度不超过32个字",
author "总长度不超过16个字", digest "总长度不超过128个字" (publishing.render.lint, which also checks them before
anything is sent). Lengths are counted as WeChat counts them (lint.wechat_length). What is cut ends with an
ellipsis, so a reader never takes a cut text for the whole.
"""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.translation import gettext as _

from publishing.render.context import LANGUAGE
from publishing.render.lint import MAX_AUTHOR_CHARS, MAX_DIGEST_CHARS, MAX_TITLE_CHARS, wechat_length

ELLIPSIS = "…"
# Ends of a sentence (full stop, exclamation and question marks) and of a clause (semicolon) in Chinese text.
SENTENCE_ENDS = "。！？"
CLAUSE_ENDS = "；"
# Closing quotes and brackets that belong to the sentence they end: "…”。" is cut after the ”.
_CLOSERS = "”’」』）》】"
# Where a list of producers splits ("博雅云创 & 中科创新驱动", "甲、乙、丙").
_PRODUCER_SPLIT = re.compile(r"\s*(?:&|＆|、|，|,|/|／|\band\b|和|与)\s*")
# The end of an organisation's name: a publisher such as "中国高技术产业发展促进会新质生产力工作委员会" is a
# body and, inside it, the unit that publishes.
# Only endings of two characters or more: a single 会 or 院 also ends words inside names (社会, 医院).
_UNIT_END = re.compile(
    r"(?:委员会|工作组|办公室|中心|研究院|研究所|学院|大学|协会|学会|促进会|联合会|商会|集团|公司|管理局)"
)
# A last unit shorter than this is no name by itself (a suffix split off by mistake).
_MIN_UNIT = 4


def cut(text: str, limit: int) -> str:
    """`text` if it fits `limit` (wechat_length), else its longest start that fits with ELLIPSIS added, never
    ending on a space or a comma-like mark before the ellipsis."""
    if wechat_length(text) <= limit:
        return text
    kept = ""
    for character in text:
        if wechat_length(kept + character + ELLIPSIS) > limit:
            break
        kept += character
    return kept.rstrip(" \u3000，、,；：:·-—") + ELLIPSIS


def article_title(context: dict) -> str:
    """The issue's headline, else "series · date" (the context's title).

    In the subscribers' feed and in a chat the account's name already shows above the title, so a headline says
    more than the series' name would; a daily issue without one is told apart by its date, so when that title
    is too long it is the series' name that gets the ellipsis, never the date."""
    headline = context.get("headline") or ""
    if headline:
        return cut(headline, MAX_TITLE_CHARS)
    title = context.get("title") or ""
    if wechat_length(title) <= MAX_TITLE_CHARS:
        return title
    masthead = context.get("masthead") or {}
    date = masthead.get("date") or ""
    rest = wechat_length(_("%(series)s · %(date)s") % {"series": "", "date": date})
    if date and rest < MAX_TITLE_CHARS - 4:
        series = cut(masthead.get("title") or "", MAX_TITLE_CHARS - rest)
        return _("%(series)s · %(date)s") % {"series": series, "date": date}
    return cut(title, MAX_TITLE_CHARS)


def _last_unit(name: str) -> str:
    """The last organisational unit of `name`: "中国高技术产业发展促进会新质生产力工作委员会" ->
    "新质生产力工作委员会"; `name` itself when it names one body only."""
    ends = [match.end() for match in _UNIT_END.finditer(name) if match.end() <= len(name) - _MIN_UNIT]
    return name[ends[-1] :].strip() if ends else name


def article_author(context: dict) -> str:
    """The series' producers, else its publisher, within MAX_AUTHOR_CHARS.

    The article appears under the account's name, which is the publisher's: the author line is where the
    producers are credited, as the masthead does ("博雅云创 & 中科创新驱动"). Too many producers: as many whole
    names as fit, then 等 ("and others"), never half a company's name. No producers: the publisher, or its last
    unit (the committee, not the association around it) when the whole name is too long. "" when there is
    neither (the author is optional in draft/add)."""
    masthead = context.get("masthead") or {}
    producers = (masthead.get("producers") or "").strip()
    if producers:
        if wechat_length(producers) <= MAX_AUTHOR_CHARS:
            return producers
        names = [name for name in _PRODUCER_SPLIT.split(producers) if name]
        joiner = " & " if "&" in producers or "＆" in producers else "、"
        kept: list[str] = []
        for name in names:
            candidate = joiner.join([*kept, name]) + _("等")
            if wechat_length(candidate) > MAX_AUTHOR_CHARS:
                break
            kept.append(name)
        if kept:
            return joiner.join(kept) + _("等")
    publisher = (masthead.get("publisher") or "").strip()
    if wechat_length(publisher) <= MAX_AUTHOR_CHARS:
        return publisher
    return cut(_last_unit(publisher), MAX_AUTHOR_CHARS)


def _sentence_cut(text: str, limit: int) -> str | None:
    """The longest start of `text` within `limit` that ends a sentence or a clause, or None. A clause's
    semicolon becomes a full stop: the excerpt is then a whole sentence rather than one that stops mid-way."""
    best = None
    for index, character in enumerate(text):
        if character not in SENTENCE_ENDS + CLAUSE_ENDS:
            continue
        end = index + 1
        while end < len(text) and text[end] in _CLOSERS:
            end += 1
        piece = text[:end].rstrip()
        if character in CLAUSE_ENDS and end == index + 1:
            piece = piece[:-1] + "。"
        if wechat_length(piece) > limit:
            break
        best = piece
    return best


def article_digest(context: dict) -> str:
    """The summary within MAX_DIGEST_CHARS: all of it when it fits, else up to its last sentence (or clause)
    end that fits, else (one sentence longer than the limit) cut with an ellipsis.

    An issue without a summary gets its sections' headlines ("a；b；c。"), which say what it covers better than
    the first 54 characters of the body that WeChat would take by itself."""
    paragraphs = context.get("summary_paragraphs") or [
        line for line in (context.get("summary") or "").split("\n") if line.strip()
    ]
    text = "".join(paragraph.strip() for paragraph in paragraphs)
    if not text:
        headlines = [section.get("headline", "") for section in context.get("sections") or []]
        headlines = [headline.rstrip("。；") for headline in headlines if headline]
        text = "；".join(headlines) + "。" if headlines else ""
    if wechat_length(text) <= MAX_DIGEST_CHARS:
        return text
    return _sentence_cut(text, MAX_DIGEST_CHARS) or cut(text, MAX_DIGEST_CHARS)


def article_fields(context: dict) -> dict:
    """{"title", "author", "digest"} of the draft/add article for the render context `context`
    (publishing.render.context.build_context), each within its limit."""
    with translation.override(LANGUAGE):  # the article is in the language, whoever pushes it
        return {
            "title": article_title(context),
            "author": article_author(context),
            "digest": article_digest(context),
        }
