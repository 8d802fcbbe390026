"""Full-text search of the public archive, in Chinese, exact to the character.

What readers expect of a search box over a Chinese bulletin is substring search: 绿电 must find every section
that says 绿电, whether a word segmenter would have cut the text as 绿电/算力 or 绿/电力. So search here *is*
substring search on a normalized copy of the text (NFKC, case folded, whitespace removed, so that 6月27日 finds
“6 月 27 日” and ai finds AI), and the only question is how to make it fast.

The choice for PostgreSQL: a character-bigram index built from tools every PostgreSQL has, no extension.

- jieba-segmented tsvector: misses words the segmenter cut differently (算力 inside 算力网 or 云算力…), so it needs
  a substring scan as a fallback anyway, and the segmentation must then run in Python on every write.
- pg_trgm (a standard contrib extension, present here): indexes three-character grams, so two-character words such
  as 绿电 and 算力, the most common queries, cannot use the index at all and scan every row; and it needs
  CREATE EXTENSION on every database.
- Chosen: every entry's normalized text has a generated `tsvector` column holding its character bigrams (and its
  last character), computed by a small immutable SQL function, with a GIN index. A query of n >= 2 characters
  asks for the AND of its bigrams (a single character: the prefix `'电':*`), which the index answers exactly
  for two-character words and with very few false positives for longer ones (the function, the column and
  the index are created by migration publishing/0003_search_entry); a `LIKE '%query%'` on the same rows
  then keeps exactly the entries that contain the query. PostgreSQL maintains the column itself on every insert
  or update, whoever writes the row. Built-in types and functions only (`array_to_tsvector`, GIN).

SQLite (the embedded default) has no such index: the same `LIKE` runs over the normalized column, which is fine
for one newsroom's archive on one machine.

Ranking is the same on both: how often the query occurs in the entry, with a bonus when it occurs in the
headline; newer first among equals. Snippets and highlighting are computed in Python for the page shown, with
everything escaped and the matches wrapped in <mark>.

A search is two steps, so that a new search costs little more than the page it shows. First the matches of the
word: every entry containing it, with its date and section, read in one query and kept as compact arrays under
the publication version (`matches`, through publishing.cache.remember: in this process and in Redis), so that
they are read once a day or so per word, not once per request; their scores likewise, the first time a ranking
needs them (`scores`). Then the reader's date range (a bisection, the matches being newest first), topic,
ranking and page are applied to those arrays in memory, and one query reads the rows shown. Measured on the
ten-year archive (bench/archive.py): a search never made before, for a word searched before, costs about 3.3 ms
of CPU where reading and ranking the matches each time cost 8.5 ms.

The index holds published issues only (one entry per section, one per issue for its headline and summary), and
the rows shown also require the issue to be published now, so an issue withdrawn a moment ago disappears from
search even before its entries are removed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import re
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    F,
    Func,
    IntegerField,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Left, Replace, StrIndex
from django.db.models.lookups import GreaterThan
from django.urls import get_script_prefix
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from editorial.cleaning import clean_text, drop_invisible
from editorial.models import Issue, IssueState, Section, Topic
from publishing import cache as page_cache

# Separates the fields of an entry's normalized text, so that no match spans a headline and a body. A private-use
# character: normalization removes it from queries, so a query can never contain it.
FIELD_SEPARATOR = "\ue000"
# Longer queries are cut to this many characters (the reader is told): no sentence needs more, and the cost of
# a query grows with its number of bigrams.
MAX_QUERY_LENGTH = 50
# Extra score for a match in the headline: a section about 绿电 usually says so in its title.
HEADLINE_BONUS = 5
# Matches counted and ranked at most; a query with more matches is listed newest first (see `search`).
RANK_LIMIT = 1000
SNIPPET_BEFORE = 30
SNIPPET_LENGTH = 120

_WHITESPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")
# CJK unified ideographs (and extension A): characters that NFKC leaves alone.
_HAN_ONLY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|tr|figcaption|caption)>|<br\s*/?>", re.IGNORECASE)


# --- Normalization ------------------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """What is indexed and what is searched: cleaned as stored text is (editorial.cleaning: no control or
    invisible character: 绿, a zero-width space, 电 is 绿电), NFKC (full-width letters and digits become ASCII), case
    folded, without whitespace and without the field separator."""
    folded = unicodedata.normalize("NFKC", drop_invisible(text)).casefold()
    return _WHITESPACE.sub("", folded).replace(FIELD_SEPARATOR, "")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return normalize(char)


def html_to_text(value: str) -> str:
    """Sanitized rich text -> plain text with one line per paragraph."""
    if not value:
        return ""
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n", value)
    # Without attribute values a tag cannot hide a ">" and a regex removes tags exactly (and far faster).
    stripped = _TAG.sub("", marked) if '"' not in marked else strip_tags(marked)
    text = html.unescape(stripped)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def clean_query(raw: str | None) -> tuple[str, str, bool]:
    """The reader's query -> (the query as shown back, its normalized form, whether it was cut)."""
    # Cleaned as stored text is: a query pasted with a zero-width space or a soft hyphen finds the plain word.
    shown = " ".join(clean_text(raw).split())
    cut = len(shown) > MAX_QUERY_LENGTH
    if cut:
        shown = shown[:MAX_QUERY_LENGTH]
    return shown, normalize(shown), cut


def bigram_tsquery(query: str) -> str:
    """The tsquery text that every entry containing the normalized `query` matches (the AND of its bigrams).

    Lexemes are quoted as tsquery input requires (a quote doubled, a backslash escaped), so any character is safe.
    """

    def quote(lexeme: str) -> str:
        return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"

    if len(query) == 1:
        return quote(query) + ":*"
    grams = dict.fromkeys(query[i : i + 2] for i in range(len(query) - 1))
    return " & ".join(quote(gram) for gram in grams)


# --- The index ------------------------------------------------------------------------------------------


def _entry_fields(*, title: str, parts: Iterable[str]) -> dict:
    """The stored form of an entry: its headline, and its normalized text, headline first, the fields apart."""
    head = normalize(title)
    text = FIELD_SEPARATOR.join([head, *(normalize(part) for part in parts)])
    return {"title": title[:300], "text": text, "head": len(head)}


def section_parts(section: Section) -> tuple[str, str]:
    """A section's news and analysis as plain text."""
    analysis = getattr(section, "analysis", None)
    return html_to_text(section.body), html_to_text(analysis.body if analysis else "")


def section_text(news: str, analysis: str | None) -> str:
    """A section's news and analysis (sanitized HTML) as one plain text, a line each paragraph: what snippets
    are cut from."""
    return "\n".join(part for part in (html_to_text(news), html_to_text(analysis)) if part)


def issue_entries(issue: Issue, sections: Iterable[Section]) -> list:
    """The search entries of one issue: one for its headline and summary, one per section (headline, news and
    analysis). `sections` in order, with `analysis` loaded (or absent)."""
    from publishing.models import SearchEntry

    entries = [
        SearchEntry(
            issue_id=issue.pk,
            section_id=None,
            date=issue.date,
            position=0,
            **_entry_fields(title=issue.headline.strip(), parts=[issue.summary]),
        )
    ]
    for index, section in enumerate(sections, start=1):
        entries.append(
            SearchEntry(
                issue_id=issue.pk,
                section_id=section.pk,
                date=issue.date,
                position=index,
                **_entry_fields(title=section.headline, parts=section_parts(section)),
            )
        )
    return entries


def index_issue(*, issue_id: int) -> int:
    """Bring the entries of one issue in line with it: removed unless it is published, rebuilt if it is.
    Returns the number of entries it now has."""
    from publishing.models import SearchEntry

    with transaction.atomic():
        SearchEntry.objects.filter(issue_id=issue_id).delete()
        issue = Issue.objects.filter(pk=issue_id, state=IssueState.PUBLISHED).first()
        sections = issue.sections.select_related("analysis").order_by("position") if issue else []
        entries = SearchEntry.objects.bulk_create(issue_entries(issue, sections)) if issue else []
    # Pages and the matches remembered for every word were made from what was just replaced.
    page_cache.bump_publication_version()
    return len(entries)


def rebuild_index(*, batch_size: int = 200) -> int:
    """Rebuild every entry from the published issues (after a bulk load, or to repair the index)."""
    from publishing.models import SearchEntry

    count = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        ids = list(
            Issue.objects.filter(state=IssueState.PUBLISHED).order_by("pk").values_list("pk", flat=True)
        )
        for start in range(0, len(ids), batch_size):
            issues = (
                Issue.objects.filter(pk__in=ids[start : start + batch_size])
                .prefetch_related("sections__analysis")
                .order_by("pk")
            )
            batch = []
            for issue in issues:
                sections = sorted(issue.sections.all(), key=lambda s: s.position)
                batch.extend(issue_entries(issue, sections))
            SearchEntry.objects.bulk_create(batch, batch_size=500)
            count += len(batch)
    page_cache.bump_publication_version()
    return count


# --- Querying ---------------------------------------------------------------------------------------------


class OctetLength(Func):
    """The length of a text in bytes: what counting occurrences needs, without PostgreSQL decoding UTF-8 to count
    characters. SQLite has no such function; its LENGTH serves (the ratio is the same in characters)."""

    function = "OCTET_LENGTH"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="LENGTH", **extra_context)


class DayNumber(Func):
    """A date as the number `date.toordinal()` gives, computed by the database: for a word with thousands of
    matches, converting every date in Python was most of the time spent reading them."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="((%(expressions)s - DATE '0001-01-01') + 1)", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # julianday('0001-01-01') is 1721425.5, and that day is ordinal 1.
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 1721424.5 AS INTEGER)",
            **extra_context,
        )


def matching_entries(*, query: str) -> QuerySet:
    """Entries whose text contains the normalized `query`, unordered. An empty query finds nothing. (Entries are
    those of published issues; `search` checks the state of the issues it shows.)"""
    from publishing.models import SearchEntry

    if not query:
        return SearchEntry.objects.none()
    entries = SearchEntry.objects.all()
    if connection.vendor == "postgresql":
        entries = entries.filter(
            RawSQL("publishing_searchentry.bigrams @@ %s::tsquery", [bigram_tsquery(query)], BooleanField())
        )
        # For one or two characters the index is exact (a bigram, or the prefix of one): no row to re-read.
        if len(query) > 2:
            entries = entries.filter(text__contains=query)
    else:
        entries = entries.filter(text__contains=query)
    return entries


def score(query: str):
    """How well an entry answers `query`: how often it occurs, plus a bonus for a match in the headline."""
    needle = Value(query)
    occurrences = (OctetLength("text") - OctetLength(Replace("text", needle, Value("")))) / OctetLength(
        needle
    )
    in_headline = Case(
        When(GreaterThan(StrIndex(Left("text", F("head")), needle), 0), then=Value(HEADLINE_BONUS)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return occurrences + in_headline


@dataclass(frozen=True)
class Matches:
    """Every entry containing one query, newest first (date descending, then position).

    Parallel arrays rather than objects: the commonest words match tens of thousands of entries, and a reader's
    date range, topic and page are then applied to these in memory (see `search`). Scores are read apart, and
    only when a ranking needs them (`scores`): most searches of a common word list its matches newest first."""

    ids: array
    days: array  # minus the date's ordinal, so that the newest-first order is ascending (bisect)
    sections: array  # 0 for an issue's headline-and-summary entry

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def size(self) -> int:
        return sum(column.itemsize * len(column) for column in (self.ids, self.days, self.sections))

    def between(self, date_from: dt.date | None, date_to: dt.date | None) -> range:
        """The indexes of the matches dated within the range (inclusive), newest first."""
        start = bisect.bisect_left(self.days, -date_to.toordinal()) if date_to else 0
        stop = bisect.bisect_right(self.days, -date_from.toordinal()) if date_from else len(self.days)
        return range(start, max(start, stop))


def _index_rows(entries: QuerySet) -> list[tuple]:
    """The rows of a values_list over `matching_entries`, read through the cursor rather than the queryset: for a
    word with tens of thousands of matches, Django's rows took longer than the database."""
    sql, params = entries.query.sql_with_params()
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic() if postgresql else nullcontext(), connection.cursor() as cursor:
        if postgresql:
            # The planner does not count the cost of reading each row's bigrams back from TOAST storage, and so
            # would often scan the table (or the date index) and test every row instead of asking the GIN index,
            # which answers without reading the bigrams at all: several times slower. Hence scans that can use
            # the GIN index only, for this one query (settings local to its transaction).
            cursor.execute(
                "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)"
            )
        cursor.execute(sql, params)
        return cursor.fetchall()


def find_matches(query: str) -> Matches:
    """Read every match of `query` from the index: one query, whatever the filters the reader adds later."""
    rows = _index_rows(
        matching_entries(query=query)
        .annotate(day=-DayNumber("date"), section_or_zero=Coalesce("section_id", 0))
        .order_by("-date", "position")
        .values_list("id", "day", "section_or_zero")
    )
    ids, days, sections = zip(*rows, strict=True) if rows else ((), (), ())
    return Matches(ids=array("q", ids), days=array("l", days), sections=array("q", sections))


def matches(query: str) -> Matches:
    """`find_matches`, remembered under the publication version (which changes whenever the index does)."""
    return page_cache.remember(f"search:matches:{query}", lambda: find_matches(query), size=Matches.size.fget)


def scores(query: str) -> dict[int, int]:
    """The score of every match of `query` by entry id, read when a ranking first needs them and remembered
    under the publication version. By id, so that they can never be paired with the wrong match."""

    def find() -> dict[int, int]:
        return dict(
            _index_rows(matching_entries(query=query).annotate(score=score(query)).values_list("id", "score"))
        )

    return page_cache.remember(f"search:scores:{query}", find, size=lambda by_id: 100 * len(by_id))


def topic_sections(topic: Topic) -> frozenset[int]:
    """The ids of the sections on `topic` (the topic filter), remembered under the publication version."""

    def find() -> frozenset[int]:
        tagged = Section.topics.through.objects.filter(topic_id=topic.pk).values_list("section_id", flat=True)
        return frozenset(tagged)

    return page_cache.remember(f"search:topic:{topic.pk}", find, size=lambda ids: 64 * len(ids))


def topic_choices() -> list[tuple[str, str]]:
    """(name, slug) of every topic of a published section, by name: the choices of the search form's topic
    filter. Not every topic: drafts' topics are not public (and remembered choices expire with the publication
    version, so a topic appears once its first section is published)."""

    def find() -> list[tuple[str, str]]:
        return list(
            Topic.objects.filter(sections__issue__state=IssueState.PUBLISHED)
            .distinct()
            .order_by("name")
            .values_list("name", "slug")
        )

    return page_cache.remember("search:topic-choices", find, size=lambda topics: 200 * len(topics))


def topic_options(selected: str) -> SafeString:
    """The <option>s of the topic filter, `selected` (a slug) marked: built here rather than in the template,
    where the loop over every topic was a fifth of the search page's rendering."""
    return mark_safe(  # every value escaped
        "".join(
            f'<option value="{html.escape(slug)}"{" selected" if slug == selected else ""}>{html.escape(name)}</option>'
            for name, slug in topic_choices()
        )
    )


@dataclass(frozen=True)
class Result:
    """One entry found, with what its result shows: its issue's headline, and the plain text a snippet is cut
    from (the section's news and analysis, or the issue's summary)."""

    date: dt.date
    position: int
    title: str
    issue_headline: str
    text: str


# The rows a page of results shows, with their issue's headline and summary and their section's texts, of
# published issues only. Raw SQL: on the hot path of every new search, the ORM took as long to build this query
# as the database to answer it.
SHOWN_ROWS_SQL = """
SELECT e.id, e.date, e.position, e.title, i.headline, i.summary, s.body, a.body
FROM publishing_searchentry e
JOIN editorial_issue i ON i.id = e.issue_id
LEFT JOIN editorial_section s ON s.id = e.section_id
LEFT JOIN editorial_analysis a ON a.section_id = s.id
WHERE i.state = %s AND e.id IN ({ids})
"""


def _shown_rows(ids: list[int]) -> list[tuple]:
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(SHOWN_ROWS_SQL.format(ids=", ".join(["%s"] * len(ids))), [IssueState.PUBLISHED, *ids])
        return cursor.fetchall()


@dataclass
class SearchPage:
    """One page of results. `count` is exact up to RANK_LIMIT; beyond it the query is one of the archive's
    commonest words, `count` is None (“more than RANK_LIMIT”) and results come newest first."""

    number: int
    per_page: int
    count: int | None
    entries: list
    has_next: bool

    @property
    def capped(self) -> bool:
        return self.count is None

    @property
    def num_pages(self) -> int | None:
        return None if self.count is None else max(1, -(-self.count // self.per_page))

    @property
    def paginator(self) -> SearchPage:
        # The pagination template reads page.paginator.num_pages, as it does on Django's Page.
        return self

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def search(
    *,
    query: str,
    page: int = 1,
    per_page: int = 20,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    topic: Topic | None = None,
) -> SearchPage:
    """One page of the entries containing `query` (normalized), ranked.

    The matches of a query are read once per publication version (`matches`, and `scores` when a ranking needs
    them); the reader's date range, topic and page are applied to them in memory. So a reader who narrows the dates or turns the page,
    or another reader searching the same word, costs the database only the rows shown.

    Ranking a word found in half the archive (数据) would put a few thousand entries in an order nobody reads past
    the first pages; so the matches are ranked only up to RANK_LIMIT, and a query with more is listed newest
    first, with the date and topic filters offered. Either way every match is on some page.
    """

    found = matches(query) if query else Matches(array("q"), array("l"), array("q"))
    chosen: Sequence[int] = found.between(date_from, date_to)
    if topic is not None:
        tagged = topic_sections(topic)
        chosen = [index for index in chosen if found.sections[index] in tagged]
    count: int | None = len(chosen)
    if count > RANK_LIMIT:
        count = None
    else:
        points = scores(query) if count else {}
        # Stable: among equal scores the newest-first order stays.
        chosen = sorted(chosen, key=lambda index: -points.get(found.ids[index], 0))
    start = (page - 1) * per_page
    shown_ids = [found.ids[index] for index in chosen[start : start + per_page + 1]]
    # Entries exist for published issues only (index_issue), and the state is checked again on the rows shown: a
    # withdrawn issue whose entries a failed receiver left behind is still never shown (at worst the count is
    # off by its entries until they are rebuilt). The texts that snippets are cut from come in the same query.
    by_id = {}
    for pk, date, position, title, headline, summary, news, analysis in _shown_rows(shown_ids[:per_page]):
        text = section_text(news, analysis) if position else summary
        by_id[pk] = Result(date=date, position=position, title=title, issue_headline=headline, text=text)
    return SearchPage(
        number=page,
        per_page=per_page,
        count=count,
        entries=[by_id[entry_id] for entry_id in shown_ids[:per_page] if entry_id in by_id],
        has_next=len(shown_ids) > per_page,
    )


# --- Highlighting ---------------------------------------------------------------------------------------


def _folded_map(text: str) -> tuple[str, list[int]]:
    """The normalized text and, for each of its characters, the index of the original character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        chars.append(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin


@lru_cache(maxsize=256)
def _query_pattern(query: str) -> re.Pattern:
    # The query's characters with any whitespace between them, ignoring case: the normalization, minus NFKC.
    return re.compile(r"\s*".join(re.escape(char) for char in query), re.IGNORECASE)


def _match_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the normalized `query` occurs in the original `text`, as (start, end) indexes of `text`."""
    if not query:
        return []
    spans = [match.span() for match in _query_pattern(query).finditer(text)]
    if spans or _HAN_ONLY.fullmatch(query):
        return spans
    # Rare: the text matched only through NFKC (full-width letters and digits, compatibility characters), which
    # a query of Chinese characters alone cannot need. Map the text character by character: exact but slow.
    folded, origin = _folded_map(text)
    start = folded.find(query)
    while start != -1:
        end = start + len(query)
        spans.append((origin[start], origin[end - 1] + 1))
        start = folded.find(query, end)
    return spans


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    # The standard library's escape: Django's calls it too, behind a lazy-string wrapper that costs more than
    # the escaping, for the hundred or so pieces of a page of results.
    out = []
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out.append(html.escape(text[cursor:span_start]))
        out.append("<mark>" + html.escape(text[span_start:span_end]) + "</mark>")
        cursor = span_end
    out.append(html.escape(text[cursor:end]))
    return "".join(out)


def highlight(text: str, query: str) -> SafeString:
    """All of `text`, escaped, with every match of the normalized `query` in <mark>."""
    return mark_safe(_marked(text, _match_spans(text, query), 0, len(text)))  # escaped in _marked


def snippet(
    text: str, query: str, *, before: int = SNIPPET_BEFORE, length: int = SNIPPET_LENGTH
) -> SafeString:
    """About `length` characters of `text` around the first match, escaped, matches in <mark>, with an
    ellipsis where it was cut. Without a match (the query was in the headline) the beginning of the text."""
    text = " ".join(text.split())
    spans = _match_spans(text, query)
    start = max(0, spans[0][0] - before) if spans else 0
    end = min(len(text), start + length)
    if spans and end < spans[0][1]:
        end = spans[0][1]
    body = _marked(text, spans, start, end)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + body + suffix)  # escaped in _marked


def result_url(date: dt.date, position: int) -> str:
    """The archive's URL of a result: its issue (publishing.urls `archive:issue`), at its section. Built here:
    reversing it for every result of every page cost more than the rest of the result."""
    anchor = f"#section-{position}" if position else ""
    return f"{get_script_prefix()}issues/{date.isoformat()}/{anchor}"


def hits(page: SearchPage, query: str) -> list[dict]:
    """The page's results as the template shows them, highlighted. Dicts rather than objects: the template
    engine tries a key before an attribute, and with objects the failed key lookups took a quarter of the time
    spent rendering the results."""
    return [
        {
            "url": result_url(result.date, result.position),
            "date_iso": result.date.isoformat(),
            "position": result.position,
            "title_html": highlight(result.title, query),
            "snippet_html": snippet(result.text, query),
            "issue_headline": result.issue_headline,
        }
        for result in page.entries
    ]
