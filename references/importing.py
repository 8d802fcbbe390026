"""Import of published bulletins (the text or Markdown extracted from their PDFs) into the editorial model.

`parse_bulletin` is pure: text in, a `ParsedBulletin` out, or a `BulletinFormatError` naming the line it could
not understand. `import_bulletin` stores a parsed bulletin in one transaction.

The text is what PDF extraction produced, so the parser reads it by meaning rather than by Markdown syntax:
headings may or may not carry `#` or `**`; a contents block (目录) repeats the headings with page numbers, and
may have turned some of its lines into headings; a heading may be split over two lines; paragraphs are broken
in the middle of a sentence, with blank lines in between; the reference list has blank lines in it; and the
footer (contact, QR codes, about blocks, website) follows the references.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from editorial import dates, services
from editorial.cleaning import clean_chars
from editorial.errors import InvalidInput, TransitionNotAllowed
from editorial.models import (
    CHINESE_NUMERALS,
    Issue,
    IssueEvent,
    IssueState,
    Revision,
    Section,
    Series,
    SeriesFooterBlock,
    SeriesQRCode,
    chinese_numeral,
)
from editorial.sanitize import sanitize_html
from editorial.signals import issue_transitioned
from references.formatting import EntryError, ParsedEntry, format_parsed_entry, parse_entry
from references.kinds import guess_kind
from references.models import Citation, Source, source_fingerprint

DEFAULT_SERIES_SLUG = "xinzhi"

# A paragraph that does not end with one of these was cut by the PDF's line or page break.
SENTENCE_END = tuple("。！？；：”’」』）…!?.;:)\"'")

# The first paragraph that opens with one of these is where the commentary (评析) of a section begins.
ANALYSIS_MARKERS = (
    "这表明",
    "这意味着",
    "这对",
    "这条",
    "这一",
    "这说明",
    "这显示",
    "这反映",
    "这标志着",
    "这也",
    "这将",
    "由此可见",
    "可以看出",
    "总体来看",
    "总的来看",
    "综合来看",
    "从趋势看",
    "评析",
    "点评",
    "分析：",
)

MAX_HEADLINE = 200
MAX_OUTLET = 200
MAX_TITLE = 500
MAX_NOTE = 500

_DATE_CN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_SECTION = re.compile(rf"^([{CHINESE_NUMERALS}]{{1,3}})\s*[、，,．.]\s*(.*)$")
_SUMMARY = re.compile(r"^(?:本期|内容)?摘\s*要\s*[:：]?\s*(.*)$")
_CONTENTS = re.compile(r"^(?:contents|table of contents|目\s*录)$", re.IGNORECASE)
_REFERENCES = re.compile(
    r"^(?:参考文献|参考资料|参考来源|资料来源|references|sources)\s*[:：]?$", re.IGNORECASE
)
# A contents line: text, then a tab, several spaces or a dot leader, then the page number.
_CONTENTS_ENTRY = re.compile(r"^\S.*?(?:\t+|\s{2,}|\s*[.．·…]{2,}\s*)\d{1,3}$")
# Looser: any trailing page number, for lines already known to be inside the contents block.
_PAGE_NUMBER = re.compile(r"\s\d{1,3}$")
_FOOTER_START = re.compile(r"联系我们|扫描二维码|扫码关注")
_BLOCK = re.compile(r"^\*\*\s*([^*]+?)\s*[:：]\s*\*\*\s*(.*)$|^\*\*\s*([^*]+?)\s*\*\*\s*[:：]\s*(.*)$")
_PLAIN_BLOCK = re.compile(r"^([^:：]{2,30})[:：]\s*(.+)$")
_DOMAIN = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?$", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>()\[\]]+|(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s<>()\[\]]*)?", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-*•·]\s+|\d{1,3}[.、)]\s*|\[\d{1,3}\]\s*)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)$")
_PAGE_LINE = re.compile(r"^[-—–\s]*\d{1,3}[-—–\s]*$|^第\s*\d{1,3}\s*页(?:\s*[/，,]?\s*共\s*\d{1,3}\s*页)?$")
_ISO_DATE_FIELD = re.compile(r"(?<!\d)\d{4}-\d{1,2}(?:-\d{1,2})?(?!\d)")


class BulletinFormatError(InvalidInput):
    """The file could not be understood; `line` is the 1-based line number where the problem is."""

    def __init__(self, *, line: int, message: str):
        super().__init__(message)
        self.line = line

    def __str__(self) -> str:
        return _("第 %(line)s 行：%(message)s") % {"line": self.line, "message": self.message}


# --- The parsed form ---


@dataclass(frozen=True)
class Masthead:
    title: str
    publisher: str
    producers: str
    date: dt.date


@dataclass(frozen=True)
class ParsedSection:
    position: int
    headline: str
    news: tuple[str, ...]
    analysis: tuple[str, ...]
    line: int

    @property
    def text(self) -> str:
        return "\n".join((self.headline, *self.news, *self.analysis))


@dataclass(frozen=True)
class ParsedReference:
    line: int
    entry: ParsedEntry

    @property
    def printed(self) -> str:
        return format_parsed_entry(self.entry)


@dataclass(frozen=True)
class QRTarget:
    label: str
    url: str  # empty when the footer prints no address for it (a WeChat account)


@dataclass(frozen=True)
class FooterBlock:
    title: str
    body: str


@dataclass(frozen=True)
class Footer:
    contact_heading: str = ""
    qr_targets: tuple[QRTarget, ...] = ()
    blocks: tuple[FooterBlock, ...] = ()
    website: str = ""


@dataclass(frozen=True)
class ParsedBulletin:
    masthead: Masthead
    headline: str
    summary: str
    sections: tuple[ParsedSection, ...]
    references: tuple[ParsedReference, ...]
    footer: Footer

    @property
    def date(self) -> dt.date:
        return self.masthead.date


# --- Lines ---


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based, as an editor shows it
    raw: str  # without surrounding whitespace, Markdown markers kept
    plain: str  # without heading/bold markers and Markdown escapes
    marked: bool  # it carried `#` or `**`: the extractor saw a heading or bold text

    @property
    def blank(self) -> bool:
        return not self.plain


def _strip(value: str) -> str:
    # PDF text keeps page breaks (\f) and ideographic spaces at line ends; they are never content.
    return value.strip(" \t\f\v\u3000\u00a0\ufeff")


def _plain(raw: str) -> tuple[str, bool]:
    text = raw
    marked = False
    if m := re.match(r"^#{1,6}\s*", text):
        text = text[m.end() :]
        marked = True
    if "**" in text or "__" in text:
        text = text.replace("**", "").replace("__", "")
        marked = True
    text = _MD_ESCAPE.sub(r"\1", text)
    return _strip(text), marked


def _clean_row(row: str) -> str:
    """One line of the file cleaned like typed text (editorial.cleaning.clean_chars: controls and invisible
    characters gone, NFC), before anything reads it, so that limits, the duplicate check and the fingerprint see
    what will be stored. A line break inside the line (Word's soft return U+000B, U+2028, NEL) joins its pieces
    as a line break of the file does (`_join`), and the line keeps its number."""
    return functools.reduce(_join, clean_chars(row).split("\n"))


def _lines(text: str) -> list[_Line]:
    # Split on newlines only: str.splitlines() would also split on \f and \x1c..\x1e, and the line numbers
    # would no longer match what an editor shows.
    rows = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    result = []
    for number, row in enumerate(rows, start=1):
        raw = _strip(_clean_row(row))
        plain, marked = _plain(raw)
        result.append(_Line(number=number, raw=raw, plain=plain, marked=marked))
    return result


def _join(left: str, right: str) -> str:
    """Rejoin text cut at a line break: Chinese runs on, Latin words and numbers keep a space."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left + right
    if left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(SENTENCE_END)


def chinese_number(numeral: str) -> int | None:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十 -> 20, 九十九 -> 99; None for anything else."""
    digits = {c: i for i, c in enumerate(CHINESE_NUMERALS)}
    if not numeral or any(c not in digits for c in numeral):
        return None
    if "十" not in numeral:
        return digits[numeral] if len(numeral) == 1 and digits[numeral] > 0 else None
    tens, _sep, ones = numeral.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones or tens == "零" or ones == "零":
        return None
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


def _section_heading(line: _Line) -> tuple[int, str] | None:
    """(number, headline) if the line reads as a numbered section heading `三、…`."""
    m = _SECTION.match(line.plain)
    if not m:
        return None
    number = chinese_number(m[1])
    headline = m[2].strip()
    if number is None or _ends_sentence(headline) or len(headline) > MAX_HEADLINE:
        return None
    return number, headline


def _is_references_heading(line: _Line) -> bool:
    return bool(_REFERENCES.match(line.plain))


def _is_contents_entry(line: _Line) -> bool:
    return bool(_CONTENTS_ENTRY.match(line.plain))


def _is_footer_start(line: _Line) -> bool:
    return (
        bool(_FOOTER_START.search(line.plain))
        and (line.marked or len(line.plain) <= 30)
        and not _ends_sentence(line.plain)
    )


class _Cursor:
    def __init__(self, lines: list[_Line]):
        self.lines = lines
        self.index = 0
        # Lines that repeat on every page of the PDF (the series title as running header).
        self.noise: frozenset[str] = frozenset()

    @property
    def done(self) -> bool:
        return self.index >= len(self.lines)

    @property
    def current(self) -> _Line:
        return self.lines[self.index]

    def skip_blank(self) -> None:
        while not self.done and self.current.blank:
            self.index += 1

    def next_nonblank(self, start: int) -> int | None:
        for index in range(start, len(self.lines)):
            if not self.lines[index].blank:
                return index
        return None

    @property
    def last_line_number(self) -> int:
        return self.lines[-1].number if self.lines else 1


# --- Parsing ---


def parse_bulletin(text: str) -> ParsedBulletin:
    """Read a bulletin as extracted from its PDF. Raises BulletinFormatError with the line number."""
    lines = _lines(text)
    cursor = _Cursor(lines)
    cursor.skip_blank()
    if cursor.done:
        raise BulletinFormatError(line=1, message=_("文件是空的。"))

    masthead, headline = _parse_masthead(cursor)
    cursor.noise = frozenset({masthead.title})
    summary = _parse_summary(cursor)
    _skip_contents(cursor)
    sections = _parse_sections(cursor)
    references = _parse_references(cursor)
    footer = _parse_footer(cursor)
    return ParsedBulletin(
        masthead=masthead,
        headline=headline,
        summary=summary,
        sections=tuple(sections),
        references=tuple(references),
        footer=footer,
    )


def _is_structural(line: _Line) -> bool:
    """A line that ends the masthead: 摘要, 目录, a contents entry, a section heading, 参考文献."""
    return bool(
        _SUMMARY.match(line.plain)
        or _CONTENTS.match(line.plain)
        or _is_contents_entry(line)
        or _section_heading(line)
        or _is_references_heading(line)
    )


def _parse_masthead(cursor: _Cursor) -> tuple[Masthead, str]:
    rows: list[_Line] = []
    while not cursor.done and not (not cursor.current.blank and _is_structural(cursor.current)):
        if not cursor.current.blank and not _IMAGE.match(cursor.current.raw):
            rows.append(cursor.current)
        cursor.index += 1
    if not cursor.done:
        end_line = cursor.current.number
    else:
        end_line = rows[-1].number if rows else cursor.last_line_number

    date_at = None
    date = None
    for i, row in enumerate(rows):
        m = _DATE_CN.search(row.plain) or _DATE_ISO.search(row.plain)
        if m:
            try:
                date = dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise BulletinFormatError(
                    line=row.number, message=_("日期“%(date)s”不存在。") % {"date": m[0]}
                ) from None
            if not dates.in_range(date):
                raise BulletinFormatError(line=row.number, message=dates.out_of_range_message())
            date_at = i
            break
    if date is None or date_at is None:
        raise BulletinFormatError(
            line=end_line,
            message=_("刊头中没有找到日期（应在此行之前，例如“2026 年 6 月 28 日”）。"),
        )
    before = [row.plain for row in rows[:date_at]]
    if not before:
        raise BulletinFormatError(line=rows[date_at].number, message=_("日期之前没有刊名。"))
    # Anything printed after the date (or beyond title, publisher and producers) is the issue's headline.
    headline = ""
    for part in before[3:] + [row.plain for row in rows[date_at + 1 :]]:
        headline = _join(headline, part)
    if len(headline) > MAX_HEADLINE:
        raise BulletinFormatError(
            line=rows[date_at].number, message=_("本期标题太长（最多 %(n)s 字）。") % {"n": MAX_HEADLINE}
        )
    masthead = Masthead(
        title=before[0][:200],
        publisher=before[1][:200] if len(before) > 1 else "",
        producers=before[2][:200] if len(before) > 2 else "",
        date=date,
    )
    return masthead, headline


def _paragraphs(rows: list[_Line], noise: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """Group lines into paragraphs and rejoin the ones the PDF cut mid-sentence: (first line, text).

    Page numbers and the running header (`noise`) that a page break leaves between two halves of a
    paragraph count as blank lines, so the halves are rejoined like any other cut.
    """
    raw: list[tuple[int, str]] = []
    current: tuple[int, str] | None = None
    for row in rows:
        if row.blank or _IMAGE.match(row.raw) or _PAGE_LINE.match(row.plain) or row.plain in noise:
            if current:
                raw.append(current)
            current = None
            continue
        current = (row.number, row.plain) if current is None else (current[0], _join(current[1], row.plain))
    if current:
        raw.append(current)
    merged: list[tuple[int, str]] = []
    for number, text in raw:
        if merged and not _ends_sentence(merged[-1][1]):
            merged[-1] = (merged[-1][0], _join(merged[-1][1], text))
        else:
            merged.append((number, text))
    return merged


def _parse_summary(cursor: _Cursor) -> str:
    cursor.skip_blank()
    if cursor.done:
        return ""
    m = _SUMMARY.match(cursor.current.plain)
    if not m:
        return ""
    rows = []
    if m[1]:
        rows.append(_Line(cursor.current.number, m[1], m[1], False))
    cursor.index += 1
    while not cursor.done:
        line = cursor.current
        if not line.blank and (
            _CONTENTS.match(line.plain)
            or _is_contents_entry(line)
            or _section_heading(line)
            or _is_references_heading(line)
        ):
            break
        rows.append(line)
        cursor.index += 1
    return "\n".join(text for _n, text in _paragraphs(rows))


def _heading_end(cursor: _Cursor, index: int) -> tuple[str, int] | None:
    """The whole headline of the section heading at `index`, and the index after it.

    PDF extraction may have split a long heading: `## 六、……成为国际竞争` then `**焦点**`. The next line is
    taken as the rest of the heading when it is short, does not end a sentence, and is not itself a
    heading; if the heading has no text after its number, the next line is its text.
    """
    heading = _section_heading(cursor.lines[index])
    if heading is None:
        return None
    headline = heading[1]
    after = index + 1
    following = cursor.next_nonblank(after)
    if following is not None:
        line = cursor.lines[following]
        limit = 60 if line.marked else 16
        if (
            not headline
            or (
                len(line.plain) <= limit
                and not _ends_sentence(line.plain)
                and len(headline) + len(line.plain) <= MAX_HEADLINE
            )
        ) and not (
            _section_heading(line)
            or _is_references_heading(line)
            or _is_footer_start(line)
            or _CONTENTS.match(line.plain)
        ):
            headline = _join(headline, line.plain)
            after = following + 1
    return headline, after


def _skip_contents(cursor: _Cursor) -> None:
    """Skip the contents block: everything up to the real first section heading.

    The real one is a `一、` heading without a page number that is followed by a paragraph; in the contents,
    headings are followed by the next heading or by a page number, and lines there may even look like
    headings (`## 六、…竞争`, `**参考文献** 5`).
    """
    cursor.skip_blank()
    if cursor.done:
        return
    start = cursor.current
    if not (_CONTENTS.match(start.plain) or _is_contents_entry(start)):
        return
    for index in range(cursor.index, len(cursor.lines)):
        line = cursor.lines[index]
        heading = _section_heading(line)
        if heading is None or heading[0] != 1 or _PAGE_NUMBER.search(line.plain):
            continue
        end = _heading_end(cursor, index)
        following = cursor.next_nonblank(end[1]) if end else None
        if following is None:
            continue
        nxt = cursor.lines[following]
        if not (
            _section_heading(nxt)
            or _is_contents_entry(nxt)
            or _PAGE_NUMBER.search(nxt.plain)
            or _is_references_heading(nxt)
        ):
            cursor.index = index
            return
    raise BulletinFormatError(line=start.number, message=_("目录之后没有找到正文的第一条（“一、……”）。"))


def _split_news_analysis(paragraphs: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    for index, text in enumerate(paragraphs[1:], start=1):
        if text.startswith(ANALYSIS_MARKERS):
            return tuple(paragraphs[:index]), tuple(paragraphs[index:])
    return tuple(paragraphs[:1]), tuple(paragraphs[1:])


def _parse_sections(cursor: _Cursor) -> list[ParsedSection]:
    cursor.skip_blank()
    if cursor.done or _section_heading(cursor.current) is None:
        line = cursor.current.number if not cursor.done else cursor.last_line_number
        raise BulletinFormatError(line=line, message=_("没有找到编号条目（“一、……”）。"))

    sections: list[ParsedSection] = []
    seen: dict[int, int] = {}
    while not cursor.done:
        heading_line = cursor.current
        number, _headline = _section_heading(heading_line)  # type: ignore[misc]
        expected = len(sections) + 1
        if number in seen:
            raise BulletinFormatError(
                line=heading_line.number,
                message=_("条目编号“%(n)s”重复（第 %(first)s 行已有）。")
                % {"n": chinese_numeral(number), "first": seen[number]},
            )
        if number != expected:
            raise BulletinFormatError(
                line=heading_line.number,
                message=_("条目编号应为“%(expected)s”，这里是“%(n)s”。")
                % {"expected": chinese_numeral(expected), "n": chinese_numeral(number)},
            )
        seen[number] = heading_line.number
        headline, cursor.index = _heading_end(cursor, cursor.index)  # type: ignore[misc]
        if not headline:
            raise BulletinFormatError(line=heading_line.number, message=_("条目缺少标题。"))

        rows: list[_Line] = []
        stop = False
        while not cursor.done:
            line = cursor.current
            if not line.blank:
                heading = _section_heading(line)
                if heading and (heading[0] == len(sections) + 2 or heading[0] in seen or line.marked):
                    break
                if _is_references_heading(line) or _is_footer_start(line):
                    stop = True
                    break
            rows.append(line)
            cursor.index += 1
        paragraphs = [text for _n, text in _paragraphs(rows, cursor.noise)]
        if not paragraphs:
            raise BulletinFormatError(
                line=heading_line.number,
                message=_("条目“%(headline)s”没有正文。") % {"headline": headline[:30]},
            )
        news, analysis = _split_news_analysis(paragraphs)
        sections.append(
            ParsedSection(
                position=number, headline=headline, news=news, analysis=analysis, line=heading_line.number
            )
        )
        if stop:
            break
    return sections


def _entry_rows(cursor: _Cursor) -> Iterator[tuple[int, str]]:
    """The reference entries, each as (line number, text), until the footer begins.

    An entry starts with a bullet or contains `|`; a line without either continues an entry the PDF cut
    (one that does not parse yet, or whose note does not end a sentence), and otherwise begins the footer.
    """
    pending: tuple[int, str] | None = None
    while not cursor.done:
        line = cursor.current
        if line.blank:
            cursor.index += 1
            continue
        text = line.plain
        # A line with a date in it is an entry even without bullet or `|`: better to reject it as
        # malformed than to let it pass silently as the start of the footer.
        is_entry = bool(_BULLET.match(text) or "|" in text or "｜" in text or _ISO_DATE_FIELD.search(text))
        if not is_entry:
            if pending and not line.marked and not _is_footer_start(line) and _incomplete(pending[1]):
                pending = (pending[0], _join(pending[1], text))
                cursor.index += 1
                continue
            break
        if pending and not _BULLET.match(text) and _unparseable(pending[1]):
            pending = (pending[0], _join(pending[1], text))
        else:
            if pending:
                yield pending
            pending = (line.number, text)
        cursor.index += 1
    if pending:
        yield pending


def _unparseable(text: str) -> bool:
    try:
        parse_entry(text)
    except EntryError:
        return True
    return False


def _incomplete(text: str) -> bool:
    if _unparseable(text):
        return True
    entry = parse_entry(text)
    return bool(entry.note) and not _ends_sentence(entry.note)


def _parse_references(cursor: _Cursor) -> list[ParsedReference]:
    cursor.skip_blank()
    if cursor.done or not _is_references_heading(cursor.current):
        return []
    cursor.index += 1
    references = []
    seen: dict[tuple, int] = {}
    for number, text in _entry_rows(cursor):
        try:
            entry = parse_entry(text)
        except EntryError as error:
            raise BulletinFormatError(
                line=number,
                message=_("参考文献格式应为“发布机构 | 标题 | 日期 | 用途”：%(problem)s")
                % {"problem": _entry_problem(error)},
            ) from None
        for value, limit, label in (
            (entry.outlet, MAX_OUTLET, _("发布机构")),
            (entry.title, MAX_TITLE, _("标题")),
            (entry.note, MAX_NOTE, _("用途")),
        ):
            if len(value) > limit:
                raise BulletinFormatError(
                    line=number,
                    message=_("参考文献的%(field)s太长（最多 %(n)s 字）。") % {"field": label, "n": limit},
                )
        key = (entry.outlet, entry.title, entry.date, entry.precision)
        if key in seen:
            raise BulletinFormatError(
                line=number,
                message=_("参考文献重复（与第 %(first)s 行相同）。") % {"first": seen[key]},
            )
        seen[key] = number
        references.append(ParsedReference(line=number, entry=entry))
    return references


def _entry_problem(error: EntryError) -> str:
    return {
        "bad_date": _("日期不存在。"),
        "date_range": dates.out_of_range_message(),
        "date": _("没有日期（YYYY-MM-DD 或 YYYY-MM）。"),
        "empty": _("发布机构和标题不能为空。"),
    }.get(error.code, _("字段不足，各字段之间应以“|”分隔。"))


def _parse_footer(cursor: _Cursor) -> Footer:
    contact = ""
    qr: list[QRTarget] = []
    blocks: list[FooterBlock] = []
    website = ""
    group: list[_Line] = []

    def flush() -> None:
        if not group:
            return
        label = ""
        url = ""
        for row in group:
            if _DOMAIN.match(row.plain):
                url = row.plain if row.plain.startswith("http") else f"https://{row.plain}"
            else:
                label = _join(label, row.plain)
        if label and not blocks:
            qr.append(QRTarget(label=label, url=url))
        group.clear()

    while not cursor.done:
        line = cursor.current
        cursor.index += 1
        if line.blank or _IMAGE.match(line.raw):
            flush()
            continue
        m = _BLOCK.match(line.raw)
        title, body = (m[1] or m[3], m[2] or m[4]) if m else (None, None)
        if m is None and contact and not line.marked and (pm := _PLAIN_BLOCK.match(line.plain)):
            title, body = pm[1], pm[2]
        if title is not None:
            flush()
            body = _plain(body or "")[0]
            if re.search(r"网站|网址|官网|website", title, re.IGNORECASE):
                if url := _URL.search(body):
                    found = url[0]
                    website = found if found.startswith("http") else f"https://{found}"
                continue
            blocks.append(FooterBlock(title=title.strip(), body=body))
            continue
        if not contact and _FOOTER_START.search(line.plain):
            flush()
            contact = line.plain
            continue
        if contact and not blocks:
            group.append(line)
    flush()
    return Footer(contact_heading=contact, qr_targets=tuple(qr), blocks=tuple(blocks), website=website)


# --- Rich text ---


def paragraphs_html(paragraphs: tuple[str, ...] | list[str]) -> str:
    """Plain paragraphs as the sanitized `<p>` HTML that sections store."""
    return sanitize_html("".join(f"<p>{html.escape(text, quote=False)}</p>" for text in paragraphs))


# --- The import service ---


@dataclass
class ImportResult:
    """What an import did (or, with dry_run, would do)."""

    created: bool
    dry_run: bool
    published: bool
    series_slug: str
    series_created: bool
    date: dt.date
    number: int | None
    state: str
    sections: int
    analyses: int
    citations: int
    sources_created: int
    sources_reused: int
    revisions: int
    headline: str = ""
    section_headlines: list[str] = field(default_factory=list)
    citation_lines: list[str] = field(default_factory=list)
    issue: Issue | None = None  # None after a dry run: nothing was stored

    @property
    def action(self) -> str:
        return "created" if self.created else "updated"

    def summary_line(self) -> str:
        if self.dry_run:
            verb = _("将创建") if self.created else _("将更新")
        else:
            verb = _("已创建") if self.created else _("已更新")
        state = _("已发布") if self.state == IssueState.PUBLISHED else _("草稿")
        return _(
            "%(verb)s %(date)s 第 %(number)s 期（%(state)s）：%(sections)s 个条目，%(citations)s 条参考文献"
            "（新来源 %(new)s，复用 %(reused)s）"
        ) % {
            "verb": verb,
            "date": self.date.isoformat(),
            "number": self.number if self.number is not None else "?",
            "state": state,
            "sections": self.sections,
            "citations": self.citations,
            "new": self.sources_created,
            "reused": self.sources_reused,
        }

    def plan_lines(self) -> list[str]:
        """The dry-run plan: the summary line, then what would be stored."""
        lines = [self.summary_line()]
        if self.series_created:
            lines.append(_("  将新建刊物“%(slug)s”") % {"slug": self.series_slug})
        if self.headline:
            lines.append(_("  本期标题：%(headline)s") % {"headline": self.headline})
        lines += [f"  {headline}" for headline in self.section_headlines]
        lines.append(_("  参考文献："))
        lines += [f"  {n}. {line}" for n, line in enumerate(self.citation_lines, start=1)]
        return lines

    def __str__(self) -> str:
        return self.summary_line()


class _DryRun(Exception):
    def __init__(self, result: ImportResult):
        super().__init__("dry run")
        self.result = result


def import_bulletin(
    *,
    text: str,
    series: Series | None = None,
    publish: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Store a bulletin's text as an issue of `series` (default: the only series, created if none).

    One transaction: a file that cannot be understood raises BulletinFormatError and nothing is written; a
    dry run does all the work and rolls it back, so its plan is exactly what a real run would do. Importing
    the same date again updates the issue: its sections in place (with a revision where the content
    changed) and its citations replaced.
    """
    parsed = parse_bulletin(text)
    try:
        with transaction.atomic():
            result = _store(parsed=parsed, series=series, publish=publish)
            if dry_run:
                result.dry_run = True
                result.issue = None
                raise _DryRun(result)
    except _DryRun as stop:
        return stop.result
    return result


def _resolve_series(*, parsed: ParsedBulletin, series: Series | None) -> tuple[Series, bool]:
    if series is not None:
        return series, False
    existing = list(Series.objects.order_by("pk")[:2])
    if len(existing) > 1:
        raise InvalidInput(_("系统中有多个刊物，请指定导入到哪一个（--series）。"))
    if existing:
        return existing[0], False
    footer = parsed.footer
    website = footer.website
    new = Series(
        slug=DEFAULT_SERIES_SLUG,
        title=parsed.masthead.title,
        publisher=parsed.masthead.publisher,
        producers=parsed.masthead.producers,
        website=website,
    )
    if footer.contact_heading:
        new.contact_heading = footer.contact_heading
    try:
        new.full_clean()
    except ValidationError as error:
        raise InvalidInput(
            _("无法根据刊头新建刊物：%(errors)s") % {"errors": "；".join(error.messages)}
        ) from None
    new.save()
    # A code printed without an address (the official account's) is WeChat's own picture, which no text
    # reproduces: it is left for an admin to upload on the newsroom's footer page, never pointed at the website.
    codes = [
        SeriesQRCode(series=new, position=index, label=target.label[:100], url=target.url)
        for index, target in enumerate((t for t in footer.qr_targets if t.url), start=1)
    ]
    blocks = [
        SeriesFooterBlock(series=new, position=index, title=block.title[:200], body=block.body)
        for index, block in enumerate((b for b in footer.blocks if b.body), start=1)
    ]
    try:
        for row in [*codes, *blocks]:
            row.full_clean(exclude=["series"])
    except ValidationError as error:
        raise InvalidInput(
            _("无法根据刊头新建刊物：%(errors)s") % {"errors": "；".join(error.messages)}
        ) from None
    SeriesQRCode.objects.bulk_create(codes)
    SeriesFooterBlock.objects.bulk_create(blocks)
    return new, True


def _store(*, parsed: ParsedBulletin, series: Series | None, publish: bool) -> ImportResult:
    series, series_created = _resolve_series(parsed=parsed, series=series)
    issue = Issue.objects.select_for_update().filter(series=series, date=parsed.date).first()
    created = issue is None
    revisions_before = 0
    if issue is None:
        issue = services.issue_create(
            series=series, date=parsed.date, user=None, headline=parsed.headline, summary=parsed.summary
        )
        from_state = ""
    else:
        if issue.state not in (IssueState.DRAFT, IssueState.PUBLISHED):
            raise TransitionNotAllowed(
                _("%(date)s 的期刊状态为“%(state)s”，不能用导入覆盖。")
                % {"date": parsed.date.isoformat(), "state": issue.get_state_display()}
            )
        from_state = issue.state
        issue.headline = parsed.headline
        issue.summary = parsed.summary
        issue.version += 1
        issue.save()
        revisions_before = _revision_count(issue)

    sections = _store_sections(issue=issue, parsed=parsed)
    sources_created, sources_reused = _store_citations(issue=issue, parsed=parsed, sections=sections)

    # Never unpublish by importing: a published issue stays published whatever the flag says.
    to_state = IssueState.PUBLISHED if publish or from_state == IssueState.PUBLISHED else IssueState.DRAFT
    if to_state == IssueState.PUBLISHED and issue.state != IssueState.PUBLISHED:
        issue.publish_at = issue.published_at = series.publish_at_for(parsed.date)
    issue.state = to_state
    issue.save()
    event = IssueEvent.objects.create(
        issue=issue,
        transition="import",
        from_state=from_state,
        to_state=to_state,
        actor=None,
        comment=_("从文本导入") if created else _("重新导入"),
    )
    transaction.on_commit(
        lambda: issue_transitioned.send(
            sender=Issue,
            issue_id=issue.pk,
            transition="import",
            from_state=from_state,
            to_state=to_state,
            actor_id=None,
            event_id=event.pk,
        )
    )
    return ImportResult(
        created=created,
        dry_run=False,
        published=to_state == IssueState.PUBLISHED,
        series_slug=series.slug,
        series_created=series_created,
        date=parsed.date,
        number=issue.number,
        state=to_state,
        sections=len(parsed.sections),
        analyses=sum(1 for s in parsed.sections if s.analysis),
        citations=len(parsed.references),
        sources_created=sources_created,
        sources_reused=sources_reused,
        revisions=_revision_count(issue) - revisions_before,
        headline=parsed.headline,
        section_headlines=[f"{chinese_numeral(s.position)}、{s.headline}" for s in parsed.sections],
        citation_lines=[r.printed for r in parsed.references],
        issue=issue,
    )


def _revision_count(issue: Issue) -> int:
    return Revision.objects.filter(section__issue=issue).count()


def _store_sections(*, issue: Issue, parsed: ParsedBulletin) -> list[Section]:
    existing = {s.position: s for s in issue.sections.select_related("analysis")}
    stored = []
    for item in parsed.sections:
        data = {
            "headline": item.headline,
            "body": paragraphs_html(item.news),
            "analysis": paragraphs_html(item.analysis),
        }
        section = existing.get(item.position)
        if section is None:
            section = services.section_create(issue=issue, user=None, frozen_ok=True, **data)
        else:
            current = services.section_snapshot(section)
            if any(current[key] != value for key, value in data.items()):
                section = services.section_save(
                    section=section, user=None, data=data, version=section.version, frozen_ok=True
                )
        stored.append(section)
    Section.objects.filter(issue=issue, position__gt=len(parsed.sections)).delete()
    return stored


def _store_citations(*, issue: Issue, parsed: ParsedBulletin, sections: list[Section]) -> tuple[int, int]:
    issue.citations.all().delete()
    created = reused = 0
    for position, reference in enumerate(parsed.references, start=1):
        entry = reference.entry
        fingerprint = source_fingerprint(
            outlet=entry.outlet, title=entry.title, date=entry.date, precision=entry.precision
        )
        # get_or_create, because another import running at the same time may create the same source:
        # it retries the lookup when the unique fingerprint refuses the insert.
        source, is_new = Source.objects.get_or_create(
            fingerprint=fingerprint,
            defaults={
                "outlet": entry.outlet,
                "title": entry.title,
                "date": entry.date,
                "date_precision": entry.precision,
                "kind": guess_kind(entry.outlet),
            },
        )
        if is_new:
            created += 1
        else:
            reused += 1
        citation = Citation.objects.create(issue=issue, source=source, position=position, note=entry.note)
        # A section that names the cited document (usually as 《title》) is one it supports.
        supported = [
            section
            for section, item in zip(sections, parsed.sections, strict=True)
            if len(entry.title) >= 6 and entry.title in item.text
        ]
        if supported:
            citation.sections.set(supported)
    return created, reused
