"""A readable diff between two revisions of a section: paragraphs first, then characters within a changed
paragraph (Chinese has no spaces, so words are not a useful unit). Everything is HTML-escaped; the only
markup in the output is our own <ins>/<del>."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import zip_longest

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

_BLOCK_END = re.compile(r"<\s*(?:br|/p|/h[1-6]|/li|/blockquote|/tr|/figcaption|/caption)\b[^>]*>", re.I)
# Character diffs are quadratic; past this product of lengths a changed paragraph is shown whole.
INLINE_LIMIT = 4_000_000


def html_to_paragraphs(value: str) -> list[str]:
    text = html.unescape(strip_tags(_BLOCK_END.sub("\n", value or "")))
    return [line.strip() for line in text.splitlines() if line.strip()]


def inline_diff(old: str, new: str) -> SafeString:
    if len(old) * len(new) > INLINE_LIMIT:
        return mark_safe(f"<del>{escape(old)}</del><ins>{escape(new)}</ins>")
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(escape(old[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            out.append(f"<del>{escape(old[i1:i2])}</del>")
        if tag in ("insert", "replace"):
            out.append(f"<ins>{escape(new[j1:j2])}</ins>")
    return mark_safe("".join(out))


@dataclass(frozen=True)
class DiffLine:
    kind: str  # equal, insert, delete, change
    html: SafeString


def diff_paragraphs(old: list[str], new: list[str]) -> list[DiffLine]:
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("equal", escape(p)) for p in old[i1:i2])
        elif tag == "delete":
            lines.extend(DiffLine("delete", mark_safe(f"<del>{escape(p)}</del>")) for p in old[i1:i2])
        elif tag == "insert":
            lines.extend(DiffLine("insert", mark_safe(f"<ins>{escape(p)}</ins>")) for p in new[j1:j2])
        else:
            for a, b in zip_longest(old[i1:i2], new[j1:j2]):
                if a is None:
                    lines.append(DiffLine("insert", mark_safe(f"<ins>{escape(b)}</ins>")))
                elif b is None:
                    lines.append(DiffLine("delete", mark_safe(f"<del>{escape(a)}</del>")))
                else:
                    lines.append(DiffLine("change", inline_diff(a, b)))
    return lines


@dataclass(frozen=True)
class FieldDiff:
    label: str
    lines: list[DiffLine]

    @property
    def changed(self) -> bool:
        return any(line.kind != "equal" for line in self.lines)


def revision_diff(old: dict, new: dict, labels: dict[str, str]) -> list[FieldDiff]:
    """Field by field: headline, body, analysis, topics of two revision snapshots."""
    diffs = []
    for field, label in labels.items():
        if field == "topics":
            before, after = ["，".join(old.get(field) or [])], ["，".join(new.get(field) or [])]
        elif field == "headline":
            before, after = [old.get(field) or ""], [new.get(field) or ""]
        else:
            before, after = html_to_paragraphs(old.get(field) or ""), html_to_paragraphs(new.get(field) or "")
        diffs.append(FieldDiff(label, diff_paragraphs([p for p in before if p], [p for p in after if p])))
    return diffs
