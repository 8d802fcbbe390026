"""Three-way merges of a refused save: what the writer typed ("mine") against what someone else saved in the
meantime ("theirs"), both measured from the version the two started from ("base").

A stale save (services raise StaleVersion) must not force the writer to pick one text and drop the other. The
merge runs on words, not on lines: rich text is split into tags and text, text into words (Chinese segmented by
jieba; Latin words, numbers, punctuation, whitespace and HTML entities each one token), so two people editing
different sentences of one paragraph both keep their edits. The three-way merge itself is `merge3` (the merge of
Breezy, maintained on PyPI): first over blocks (paragraphs, list items, lines), then over the words of the blocks
both sides changed.

Every merged field comes back as a JSON-ready dict:

    {"kind": "html" | "text" | "topics" | "value",
     "status": "unchanged" | "theirs" | "mine" | "merged" | "conflict",
     "value": the merged value (None while a conflict is open),
     "conflicts": how many hunks need a choice,
     "parts": [...]}   # html and text only: the merged text piece by piece, for showing and for resolving

A part is `{"origin": "same" | "theirs" | "mine" | "both", "raw": ..., "text": ..., "removed": ...}` (`raw` the
markup or text to concatenate, `text` what a reader sees, `removed` the reader's text the change replaced) or a
conflict `{"origin": "conflict", "index": n, "base": {...}, "theirs": {...}, "mine": {...}, "before": ...,
"after": ...}` whose three sides are `{"raw", "text"}` and `before`/`after` are a little reading context. The
browser resolves each conflict with theirs, mine or both (theirs then mine), joins the `raw` pieces and saves the
result through the ordinary save path on top of their version.
"""

from __future__ import annotations

import difflib
import html
import logging
import re
from collections.abc import Iterable, Sequence

import jieba
from django.utils.translation import gettext as _
from merge3 import Merge3

from editorial.models import Revision, Section
from editorial.sanitize import sanitize_html

jieba.setLogLevel(logging.WARNING)

TAG = re.compile(r"(<[^>]*>)")
ENTITY = re.compile(r"(&#?\w+;)")
# Tags after which a reader sees a new line (the end of a block, a line break).
LINE_BREAK = re.compile(
    r"^<(?:/(?:p|h[1-6]|li|blockquote|tr|figure|figcaption|caption|ul|ol|table)|br)\b", re.I
)
IMG_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
CONTEXT_CHARS = 30
# Blocks end after these closing tags (the first, coarse level of a merge).
BLOCK_END = re.compile(r"(</(?:p|h[1-6]|li|blockquote|figure|table|ul|ol)>)", re.I)
# Past this many words, a region both sides changed is not aligned word by word (difflib is quadratic in the
# worst case) but shown whole, both texts side by side.
MAX_WORDS = 1500

SECTION_KINDS = {"headline": "text", "body": "html", "analysis": "html", "topics": "topics"}
ISSUE_KINDS = {"headline": "text", "summary": "text", "number": "value"}


class _Matcher(difflib.SequenceMatcher):
    """difflib's matcher without the "popular element" heuristic: in a token list, 的, ， and <p> are frequent
    on purpose, and treating them as junk makes the alignment (and so the merge) coarse."""

    def __init__(self, isjunk=None, a="", b=""):
        super().__init__(isjunk, a, b, autojunk=False)


def tokenize(value: str, *, markup: bool) -> list[str]:
    """Split `value` into merge tokens whose concatenation is `value` again.

    markup=True: tags (`<p>`, `<a href="…">`) are single tokens, as are entities (`&nbsp;`); the text between
    them is segmented like plain text. Plain text: jieba's word segmentation (which keeps Latin words, numbers,
    punctuation and each whitespace character as tokens of their own)."""
    tokens: list[str] = []
    for piece in TAG.split(value) if markup else [value]:
        if not piece:
            continue
        if markup and piece.startswith("<"):
            tokens.append(piece)
            continue
        for chunk in ENTITY.split(piece) if markup else [piece]:
            if not chunk:
                continue
            if markup and ENTITY.fullmatch(chunk):
                tokens.append(chunk)
            else:
                tokens.extend(jieba.cut(chunk, HMM=False))
    return tokens


def reader_text(tokens: Iterable[str], *, markup: bool) -> str:
    """What a reader sees of `tokens`: text without tags, a new line at the end of each block, an image as its
    alternative text."""
    if not markup:
        return "".join(tokens)
    out = []
    for token in tokens:
        if not token.startswith("<"):
            out.append(html.unescape(token))
        elif LINE_BREAK.match(token):
            out.append("\n")
        elif token[1:4].lower() == "img":
            match = IMG_ALT.search(token)
            alt = (match.group(1) or match.group(2)) if match else ""
            out.append(_("〔图片：%(alt)s〕") % {"alt": html.unescape(alt)} if alt else _("〔图片〕"))
    return "".join(out)


def _side(raw: str, *, markup: bool) -> dict:
    return {"raw": raw, "text": _text(raw, markup=markup)}


def _regions(base: list[str], theirs: list[str], mine: list[str]):
    """merge3's regions, each with the base tokens it replaces (merge3 reports those for conflicts only)."""
    merge = Merge3(base, theirs, mine, sequence_matcher=_Matcher)
    pending = None
    base_at = 0
    for region in merge.merge_regions():
        what = region[0]
        if what == "unchanged":
            if pending is not None:
                yield pending, base[base_at : region[1]]
                pending = None
            yield region, base[region[1] : region[2]]
            base_at = region[2]
        elif what == "conflict":
            yield region, base[region[1] : region[2]]
            base_at = region[2]
        else:
            pending = region
    if pending is not None:
        yield pending, base[base_at:]


def _pieces(value: str, *, markup: bool) -> list[str]:
    """Tags and text runs, unsegmented: enough to tell what a reader sees, without the cost of segmenting."""
    return [piece for piece in TAG.split(value) if piece] if markup else [value]


def _text(raw: str, *, markup: bool) -> str:
    return reader_text(_pieces(raw, markup=markup), markup=markup)


def _blocks(value: str, *, markup: bool) -> list[str]:
    """Split `value` into blocks (after each closing block tag; lines of plain text) whose concatenation is
    `value` again: the first, coarse level of the merge."""
    if not markup:
        return value.splitlines(keepends=True)
    pieces = BLOCK_END.split(value)  # text, closing tag, text, closing tag, …, text
    blocks = ["".join(pieces[i : i + 2]) for i in range(0, len(pieces), 2)]
    return [block for block in blocks if block]


def merge_text(*, base: str, theirs: str, mine: str, markup: bool) -> dict:
    """Merge one text field word by word. `markup` marks rich text (HTML from the editor): its merged value goes
    through the sanitizer, so the tag soup a merge may join is well-formed again. See the module docstring for
    the returned shape.

    Two levels, as merge tools refine conflicting lines by words: blocks (paragraphs, list items, lines) are
    merged first, which is fast on long texts; only blocks that both sides changed are merged again word by
    word, so that edits to different sentences of one paragraph are both kept."""
    base, theirs, mine = base or "", theirs or "", mine or ""
    if markup:
        # What the browser sent has not been through the sanitizer yet; stored versions have.
        mine = sanitize_html(mine)
    kind = "html" if markup else "text"
    if theirs == mine:
        return _field(kind, "unchanged", theirs, [_part("same", theirs, markup=markup)] if theirs else [])
    parts = _merge_sequences(
        _blocks(base, markup=markup),
        _blocks(theirs, markup=markup),
        _blocks(mine, markup=markup),
        markup=markup,
        refine=True,
    )
    conflicts = [part for part in parts if part["origin"] == "conflict"]
    for index, part in enumerate(conflicts):
        part["index"] = index
    _add_context(parts)
    if conflicts:
        return _field(kind, "conflict", None, parts, conflicts=len(conflicts))
    merged = "".join(part["raw"] for part in parts)
    if markup:
        merged = sanitize_html(merged)
    status = "theirs" if mine == base else "mine" if theirs == base else "merged"
    return _field(kind, status, merged, parts)


def _merge_sequences(
    base: list[str], theirs: list[str], mine: list[str], *, markup: bool, refine: bool
) -> list[dict]:
    """The parts of a three-way merge of the sequences (blocks, or words when `refine` is False). A region
    both sides changed is merged again word by word when `refine`; otherwise it is a conflict."""
    parts: list[dict] = []
    for region, replaced in _regions(base, theirs, mine):
        what = region[0]
        if what == "unchanged":
            pieces, origin = replaced, "same"
        elif what in ("a", "same"):
            pieces, origin = theirs[region[1] : region[2]], "theirs" if what == "a" else "both"
        elif what == "b":
            pieces, origin = mine[region[1] : region[2]], "mine"
        else:
            _, _, _, ia, amatch, ib, bmatch = region
            sides = ("".join(replaced), "".join(theirs[ia:amatch]), "".join(mine[ib:bmatch]))
            # Measured in characters first: segmenting a long text costs as much as aligning it.
            short = refine and max(len(side) for side in sides) <= MAX_WORDS * 4
            words = [tokenize(side, markup=markup) for side in sides] if short else None
            if words is not None and max(len(w) for w in words) <= MAX_WORDS:
                parts.extend(_merge_sequences(*words, markup=markup, refine=False))
            else:
                # Too long to align word by word in a request (or already words): one hunk, both texts whole.
                parts.append(
                    {
                        "origin": "conflict",
                        "base": _side(sides[0], markup=markup),
                        "theirs": _side(sides[1], markup=markup),
                        "mine": _side(sides[2], markup=markup),
                    }
                )
            continue
        raw = "".join(pieces)
        if parts and parts[-1]["origin"] == origin and origin in ("same", "both"):
            # Word-level regions next to block-level ones: one piece of unchanged text, not many.
            parts[-1]["raw"] += raw
            parts[-1]["text"] += _text(raw, markup=markup)
            continue
        part = _part(origin, raw, markup=markup)
        if origin != "same":
            part["removed"] = _text("".join(replaced), markup=markup)
        parts.append(part)
    return parts


def _part(origin: str, raw: str, *, markup: bool) -> dict:
    return {"origin": origin, "raw": raw, "text": _text(raw, markup=markup)}


def _add_context(parts: list[dict]) -> None:
    """Give each conflict the reader's text just before and after it, so a hunk of two words can be read."""
    texts = [part["text"] if "text" in part else part["theirs"]["text"] for part in parts]
    for index, part in enumerate(parts):
        if part["origin"] != "conflict":
            continue
        before, after = "", ""
        for text in reversed(texts[:index]):
            before = text + before
            if len(before) >= CONTEXT_CHARS:
                break
        for text in texts[index + 1 :]:
            after += text
            if len(after) >= CONTEXT_CHARS:
                break
        part["before"] = before[-CONTEXT_CHARS:].split("\n")[-1]
        part["after"] = after[:CONTEXT_CHARS].split("\n")[0]


def _field(kind: str, status: str, value, parts: list | None = None, *, conflicts: int = 0) -> dict:
    result = {"kind": kind, "status": status, "value": value, "conflicts": conflicts}
    if parts is not None:
        result["parts"] = parts
    return result


def merge_topics(*, base: Sequence[str], theirs: Sequence[str], mine: Sequence[str]) -> dict:
    """Merge topic lists as sets: their list, plus the topics I added, minus the topics I removed (both
    measured from `base`). Never a conflict: adding and removing names cannot overlap in a way that loses
    words. Their order is kept, my additions follow."""
    base_set, mine_set = set(base), set(mine)
    added = [name for name in mine if name not in base_set]
    removed = base_set - mine_set
    merged = [name for name in theirs if name not in removed]
    merged += [name for name in added if name not in merged]
    if list(theirs) == list(mine) or set(theirs) == mine_set:
        status = "unchanged"
    elif mine_set == base_set:
        status = "theirs"
    elif set(theirs) == base_set:
        status = "mine"
    else:
        status = "merged"
    return _field("topics", status, merged)


def merge_value(*, base, theirs, mine) -> dict:
    """Merge a single value (the issue number): whoever changed it wins; both changing it differently is one
    conflict hunk with the three values."""
    if theirs == mine:
        return _field("value", "unchanged", theirs)
    if mine == base:
        return _field("value", "theirs", theirs)
    if theirs == base:
        return _field("value", "mine", mine)

    def side(value) -> dict:
        text = "" if value is None else str(value)
        return {"raw": text, "text": text}

    conflict = {
        "origin": "conflict",
        "index": 0,
        "base": side(base),
        "theirs": side(theirs),
        "mine": side(mine),
        "before": "",
        "after": "",
    }
    return _field("value", "conflict", None, [conflict], conflicts=1)


def _merge_fields(*, kinds: dict, base: dict, theirs: dict, mine: dict) -> dict:
    fields = {}
    for name, kind in kinds.items():
        if name not in mine:
            continue
        b, t, m = base.get(name), theirs.get(name), mine.get(name)
        if kind == "topics":
            fields[name] = merge_topics(base=b or [], theirs=t or [], mine=m or [])
        elif kind == "value":
            fields[name] = merge_value(base=b, theirs=t, mine=m)
        else:
            fields[name] = merge_text(
                base=str(b or ""), theirs=str(t or ""), mine=str(m or ""), markup=kind == "html"
            )
    conflicts = sum(field["conflicts"] for field in fields.values())
    return {
        "clean": conflicts == 0,
        "conflicts": conflicts,
        "fields": fields,
        "values": {name: field["value"] for name, field in fields.items()} if conflicts == 0 else {},
    }


def _two_way_base(theirs: dict, mine: dict, kinds: dict) -> dict:
    """A stand-in base when the real one is unknown: for each text, the words theirs and mine share. A passage
    only one side has then counts as that side's addition and is kept: the merge may re-add a deletion, but it
    never drops words."""
    base = {}
    for name, kind in kinds.items():
        t, m = theirs.get(name), mine.get(name)
        if kind in ("html", "text"):
            markup = kind == "html"
            tt = tokenize(str(t or ""), markup=markup)
            tm = tokenize(sanitize_html(m) if markup else str(m or ""), markup=markup)
            blocks = _Matcher(None, tt, tm).get_matching_blocks()
            base[name] = "".join("".join(tt[a : a + size]) for a, _, size in blocks)
        elif kind == "topics":
            base[name] = [name_ for name_ in (t or []) if name_ in set(m or [])]
        else:
            base[name] = t if t == m else None
    return base


def section_merge(*, section: Section, version: int, theirs: dict, mine: dict) -> dict:
    """Merge a refused section save. `version` is the version the writer started from; its Revision (every
    save writes one, with the version in its snapshot) is the base. `theirs` is the stored snapshot
    (services.section_snapshot), `mine` the refused save's cleaned data.

    Returns `_merge_fields`' dict plus `base_version` (None when no revision of that version exists: then the
    base is what both texts share, see `_two_way_base`) and `version`, theirs, to save the merge on top of."""
    revision = (
        Revision.objects.filter(section=section, data__version=version).order_by("-number").first()
        if version
        else None
    )
    base = revision.data if revision is not None else _two_way_base(theirs, mine, SECTION_KINDS)
    result = _merge_fields(kinds=SECTION_KINDS, base=base, theirs=theirs, mine=mine)
    result["base_version"] = version if revision is not None else None
    result["version"] = theirs.get("version")
    return result


def issue_merge(*, theirs: dict, mine: dict, base: dict | None) -> dict:
    """Merge a refused save of the issue's own fields (headline, summary, number). The issue keeps no
    revisions, so the base is what the browser says it started from (`base`, the values it loaded or last
    saved); without one, the stand-in base of `_two_way_base`. Same shape as `section_merge`."""
    kinds = ISSUE_KINDS
    known = isinstance(base, dict)
    if known:
        base = {name: base.get(name) for name in kinds}
        if base.get("number") not in (None, ""):
            try:
                base["number"] = int(base["number"])
            except (TypeError, ValueError):
                base["number"] = None
        else:
            base["number"] = None
        for name in ("headline", "summary"):
            base[name] = str(base[name] or "").strip()
    result = _merge_fields(
        kinds=kinds, base=base if known else _two_way_base(theirs, mine, kinds), theirs=theirs, mine=mine
    )
    result["base_version"] = None
    result["version"] = theirs.get("version")
    return result
