"""The 参考文献 entry as the bulletin prints it: `outlet | title | date | note`, and its inverse."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from editorial.dates import typed_year_out_of_range
from references.models import Citation, DatePrecision, format_date

SEPARATOR = " | "
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_LIST_MARK = re.compile(r"^(?:[-*•·]\s+|\d{1,3}[.、)]\s*|\[\d{1,3}\]\s*)")


class EntryError(ValueError):
    """A reference line that does not have the form `outlet | title | date | note`.

    `code` says what is wrong, for callers that explain it to users: `fields` (fewer than three fields),
    `empty` (no outlet or title), `date` (no date field), `bad_date` (a date that does not exist),
    `date_range` (a year outside editorial.dates.BULLETIN_YEARS).
    """

    def __init__(self, message: str, *, code: str = "fields"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ParsedEntry:
    outlet: str
    title: str
    date: dt.date | None
    precision: str
    note: str


def format_fields(*, outlet: str, title: str, date: dt.date | None, precision: str, note: str) -> str:
    parts = [outlet, title, format_date(date, precision), note]
    return SEPARATOR.join(part for part in parts if part)


def format_entry(citation: Citation) -> str:
    source = citation.source
    return format_fields(
        outlet=source.outlet,
        title=source.title,
        date=source.date,
        precision=source.date_precision,
        note=citation.note,
    )


def format_parsed_entry(entry: ParsedEntry) -> str:
    """The inverse of parse_entry, for an entry not (yet) stored."""
    return format_fields(
        outlet=entry.outlet, title=entry.title, date=entry.date, precision=entry.precision, note=entry.note
    )


def parse_date(value: str) -> tuple[dt.date, str]:
    """`2026-06-27` -> (date, day); `2026-06` -> (first of month, month). Raises EntryError, with code
    `date_range` for a year outside editorial.dates.BULLETIN_YEARS (year 0 and huge years included)."""
    value = value.strip()
    if typed_year_out_of_range(value):
        raise EntryError(f"year out of range: {value!r}", code="date_range")
    try:
        if m := _DAY.match(value):
            return dt.date(int(m[1]), int(m[2]), int(m[3])), DatePrecision.DAY
        if m := _MONTH.match(value):
            return dt.date(int(m[1]), int(m[2]), 1), DatePrecision.MONTH
    except ValueError:
        raise EntryError(f"not a real date: {value!r}", code="bad_date") from None
    raise EntryError(f"date must be YYYY-MM-DD or YYYY-MM, got {value!r}", code="date")


def parse_entry(line: str) -> ParsedEntry:
    """Parse one printed entry. The title may itself contain ' | ' only if the outlet, date and note are
    unambiguous, so the date is located as the last field that parses as a date."""
    # PDF extraction may keep the list's bullet or number, and may turn `|` into the full-width `｜`.
    text = _LIST_MARK.sub("", line.strip(), count=1).replace("｜", "|")
    fields = [field.strip() for field in text.split("|")]
    if len(fields) < 3:
        raise EntryError("expected `outlet | title | date | note`")
    for index in range(len(fields) - 1, 1, -1):
        try:
            date, precision = parse_date(fields[index])
        except EntryError as error:
            if error.code in ("bad_date", "date_range"):
                raise
            continue
        outlet, title = fields[0], " | ".join(fields[1:index])
        note = " | ".join(fields[index + 1 :])
        if not outlet or not title:
            raise EntryError("outlet and title must not be empty", code="empty")
        return ParsedEntry(outlet=outlet, title=title, date=date, precision=precision, note=note)
    raise EntryError("no date (YYYY-MM-DD or YYYY-MM) found in the entry", code="date")
