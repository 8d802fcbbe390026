"""The XSS corpus (tests/hostile/xss_payloads.py) through every text field a user can write, checked in every
output with a spec HTML parser: nothing a browser or a feed reader would run or load from outside.

Fields a writer, reviewer or admin reaches in the newsroom go by direct POST to the real endpoints, alternately
as a form and as the editor's JSON; the masthead (刊物: title, publisher, producers, website, contact heading,
footer blocks and QR targets, JSON strings included), user names, correction notes and withdrawal reasons, which
only an admin gives (in the Django admin, or with no form yet), go through the model and the workflow service.
Each payload either is refused with a Chinese message or is stored; then every output is read: the newsroom's
pages (dashboard, editor, review, history and its diff, previews), every public page the sitemap lists and a
search for each payload, the WeChat HTML, the PDF (no JavaScript, no launch or javascript: link) and both feeds,
whose HTML is taken out of the XML as a feed reader takes it and parsed.

All payloads share a few issues (one per payload for the issue's own headline, summary and masthead, one that
holds a section, citations, comments, reasons and corrections for each payload), so a PDF is rendered once.
"""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from editorial import services, workflow
from editorial.cleaning import clean_text
from editorial.errors import EditorialError
from editorial.models import (
    Issue,
    IssueEvent,
    ReviewComment,
    Section,
    Series,
    SeriesFooterBlock,
    SeriesQRCode,
    Topic,
)
from editorial.roles import REVIEWER
from editorial.sanitize import absolute_html, sanitize_html
from publishing import feeds
from publishing.feeds import item_html
from publishing.render import build_context, lint_wechat, render_pdf, render_web, render_wechat
from publishing.render.context import LANGUAGE
from publishing.render.lint import content_limit_problems
from publishing.render.wechat import wechat_html
from references.models import Citation, Source
from tests.hostile.xss_payloads import INERT_RAW, PAYLOAD_IDS, PAYLOADS, active_markup, text_of
from tests.publishing import archive_support
from tests.publishing.archive_support import S, set_state
from tests.test_dirty_input import CHINESE, ERROR_LIST, post

clean_cache = archive_support.clean_cache

SITE = "https://bulletin.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
FORM, JSON = "form", "json"
MAIN_DATE = dt.date(2026, 7, 1)
# The issues of single payloads follow, one a day.
FIRST_DATE = dt.date(2026, 7, 2)


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- The checker and the sanitizer, payload by payload ------------------------------------------------------


@pytest.mark.parametrize("name", [name for name in PAYLOAD_IDS if name not in INERT_RAW])
def test_the_checker_finds_every_live_payload_in_its_raw_form(name):
    assert active_markup(PAYLOADS[name]) != []


def test_the_checker_lets_a_pages_own_markup_pass():
    page = (
        '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/static/site.css">'
        '<link rel="icon" href="data:image/svg+xml,%3Csvg%3E%3C/svg%3E"><style>p{color:red}</style>'
        '<script src="/static/editorial/editor.js" defer></script>'
        '<script id="data" type="application/json">{"a": "<b>"}</script></head>'
        '<body><form action="/search/" method="get"><input name="q"></form><iframe src="/newsroom/issues/1/preview/web/">'
        '</iframe><svg width="9" height="9"><path d="M0 0h9"/></svg><a href="#ref-1">1</a><img src="data:image/png;base64,AA">'
        "</body></html>"
    )

    assert active_markup(page) == []


def test_the_corpus_is_at_least_as_large_as_the_probes():
    assert len(PAYLOADS) >= 65


@pytest.mark.parametrize("name", PAYLOAD_IDS)
def test_a_payload_sanitized_as_rich_text_is_inert_once_and_again(name):
    html = sanitize_html(PAYLOADS[name])

    assert active_markup(html) == []
    assert sanitize_html(html) == html
    assert active_markup(absolute_html(html, base_url=f"{SITE}/issues/2026-07-01/")) == []


@pytest.mark.parametrize("name", PAYLOAD_IDS)
def test_a_payload_as_plain_text_in_a_feed_item_reaches_a_feed_reader_as_its_text(name):
    payload = PAYLOADS[name]
    context = {"summary_paragraphs": [payload], "sections": [{"heading": f"一、{payload}"}]}

    html = item_html(context, page_url=f"{SITE}/issues/2026-07-01/")

    assert active_markup(html) == []
    assert text_of(html) == f"{payload}一、{payload}"


def wechat_fragment(context: dict) -> str:
    """The WeChat fragment of an issue carrying the whole corpus: longer than WeChat's draft API takes, so the lint
    refuses it for its length, and for nothing else; what is checked here is that nothing in it is active."""
    with translation.override(LANGUAGE):
        html, _links = wechat_html(context)
    assert lint_wechat(html) == content_limit_problems(html)
    return html


def test_rows_written_around_the_models_are_sanitized_again_by_every_renderer(make_issue):
    """The renderers' own pass (publishing.render.context cleans stored HTML again): every payload written into
    a section's body and analysis by raw SQL, as rows stored before sanitizing existed, renders inert, and a
    protocol-relative link comes out as https."""
    issue = make_issue(MAIN_DATE, sections=len(PAYLOADS))
    sections = Section.objects.filter(issue=issue).order_by("position").select_related("analysis")
    with connection.cursor() as cursor:
        for section, payload in zip(sections, PAYLOADS.values(), strict=True):
            cursor.execute("UPDATE editorial_section SET body = %s WHERE id = %s", [payload, section.pk])
            cursor.execute(
                "UPDATE editorial_analysis SET body = %s WHERE id = %s", [payload, section.analysis.pk]
            )
    issue = set_state(issue, S.PUBLISHED)

    context = build_context(issue)
    outputs = {"web": render_web(issue, context=context), "wechat": wechat_fragment(context)}

    assert {name: active_markup(html) for name, html in outputs.items()} == {"web": [], "wechat": []}
    position = PAYLOAD_IDS.index("a-protocol-relative")
    assert 'href="https://evil.example/"' in context["sections"][position]["news_html"]
    assert pdf_problems(render_pdf(issue, context=context)) == []


# --- Every field, every output ----------------------------------------------------------------------------


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Probe:
    """Sends the corpus through every field and collects what went wrong, one line each."""

    def __init__(self, *, writer: User, reviewer: User, admin: User):
        self.problems: list[str] = []
        self.users = {"writer": writer, "reviewer": reviewer, "admin": admin}
        self.clients = {name: signed_in(user) for name, user in self.users.items()}

    def send(self, where: str, actor: str | Client, url: str, data: dict, transport: str, prefix: str = ""):
        """POST `data`; True when it was stored, False when refused (with a Chinese message, or a problem)."""
        client = self.clients[actor] if isinstance(actor, str) else actor
        response = post(client, url, data, transport, prefix=prefix)
        if response.status_code >= 500:
            self.problems.append(f"{where}: HTTP {response.status_code}")
            return False
        if response.get("Content-Type", "").startswith("application/json"):
            payload = response.json()
            ok = response.status_code < 400 and payload.get("ok", True) and "error" not in payload
            message = payload.get("error", "")
        else:  # the new-issue page: a redirect when created, itself with the form's errors when refused
            ok = response.status_code == 302
            message = " ".join(ERROR_LIST.findall(response.content.decode()))
        if not ok and not CHINESE.search(message):
            self.problems.append(f"{where}: refused without a Chinese message: {message[:100]!r}")
        return ok

    def check(self, where: str, html: str) -> None:
        self.problems += [f"{where}: {problem}" for problem in active_markup(html)]

    def get(self, where: str, actor: str | Client, url: str, *, statuses: tuple[int, ...] = (200,)) -> str:
        client = self.clients[actor] if isinstance(actor, str) else actor
        response = client.get(url)
        if response.status_code not in statuses:
            self.problems.append(f"{where} {url}: HTTP {response.status_code}")
            return ""
        html = response.content.decode()
        self.check(f"{where} {url[:80]}", html)
        return html


def transport_of(index: int) -> str:
    return JSON if index % 2 else FORM


def masthead_series(index: int, payload: str) -> Series:
    """A series whose every masthead field holds `payload`, as an admin saves it (full_clean, as the Django
    admin's form validates); a field that refuses the payload keeps a plain value."""
    fields = {
        "title": payload,
        "publisher": payload,
        "producers": payload,
        "contact_heading": payload,
        "website": payload,
    }
    plain = {
        "title": f"刊物{index}",
        "publisher": "主办",
        "producers": "",
        "contact_heading": "",
        "website": "",
    }
    series = Series(slug=f"p{index}", **fields)
    for _attempt in range(3):
        try:
            series.full_clean()
            break
        except ValidationError as error:
            for name in error.error_dict:
                setattr(series, name, plain[name])
    series.save()
    add_footer_row(SeriesFooterBlock(series=series, title=payload, body=payload), body="正文")
    add_footer_row(SeriesQRCode(series=series, label=payload, url=payload), url="https://example.org/")
    return series


def add_footer_row(row, **plain):
    """Store the footer `row` as the admin's validation lets it be: fields it refuses get the `plain` values (the
    label or title, if still refused, a plain word)."""
    for fallback in (plain, {**plain, "label": "标签", "title": "标题"}):
        try:
            row.full_clean()
            break
        except ValidationError as error:
            for name in error.error_dict:
                if name in fallback and hasattr(row, name):
                    setattr(row, name, fallback[name])
    row.full_clean()
    row.save()


def fill_payload_issue(probe: Probe, index: int, payload: str) -> Issue:
    """An issue of its own masthead whose headline and summary are `payload`: created through the new-issue
    form, then saved again through the editor's JSON."""
    series = masthead_series(index, payload)
    date = FIRST_DATE + dt.timedelta(days=index)
    where = f"[{index}] new issue"
    data = {"series": series.pk, "date": date.isoformat(), "headline": payload, "summary": payload}
    probe.send(where, "writer", reverse("newsroom:issue_create"), data, FORM)
    issue = Issue.objects.filter(series=series, date=date).first()
    if issue is None:
        issue = services.issue_create(series=series, date=date, user=probe.users["writer"], headline="标题")
    data = {"headline": payload, "summary": f"{payload}\n{payload}", "version": issue.version}
    url = reverse("newsroom:issue_meta_save", args=[issue.pk])
    probe.send(f"[{index}] issue meta", "writer", url, data, JSON)
    services.section_create(issue=issue, user=probe.users["writer"], headline="条目", body="<p>正文</p>")
    return issue


def fill_sections_and_citations(probe: Probe, issue: Issue, index: int, payload: str) -> None:
    transport = transport_of(index)
    where = f"[{index}] ({transport})"
    url = reverse("newsroom:section_create", args=[issue.pk])
    if probe.send(f"{where} new section", "writer", url, {"headline": payload}, transport):
        section = Section.objects.filter(issue=issue).order_by("-position").first()
    else:
        section = services.section_create(issue=issue, user=probe.users["writer"], headline=f"条目{index}")
    save = reverse("newsroom:section_save", args=[section.pk])
    data = {
        "headline": payload,
        "body": payload,
        "analysis": payload,
        "topics": "",
        "version": section.version,
    }
    probe.send(f"{where} section", "writer", save, data, transport, prefix=f"s{section.pk}-")
    section.refresh_from_db()
    data = {
        "headline": section.headline,
        "body": section.body,
        "analysis": getattr(getattr(section, "analysis", None), "body", ""),
        "topics": payload,
        "version": section.version,
    }
    probe.send(f"{where} topics", "writer", save, data, transport, prefix=f"s{section.pk}-")

    add = reverse("newsroom:citation_add", args=[issue.pk])
    probe.send(
        f"{where} citation", "writer", add, {"outlet": payload, "title": payload, "note": payload}, transport
    )
    for field in ("url", "date"):
        data = {
            "outlet": f"机构{index}{field}",
            "title": f"来源{index}{field}",
            "note": "用于",
            field: payload,
        }
        if probe.send(f"{where} citation {field}", "writer", add, data, transport):
            citation = Citation.objects.filter(issue=issue).order_by("-pk").first()
            update = reverse("newsroom:citation_update", args=[citation.pk])
            probe.send(f"{where} citation note", "writer", update, {"note": payload}, transport)


def reviewer_named(index: int, payload: str) -> User:
    """A reviewer whose display name (first name, as an admin sets it) is the payload."""
    user = User.objects.create_user(username=f"rev{index}", password="pw", first_name=payload[:150])
    user.groups.add(Group.objects.get(name=REVIEWER))
    return user


def review_and_reopen(probe: Probe, issue: Issue, index: int, payload: str) -> None:
    transport = transport_of(index)
    where = f"[{index}] ({transport})"
    reviewer = signed_in(reviewer_named(index, payload))
    Issue.objects.filter(pk=issue.pk).update(state=S.IN_REVIEW)
    probe.send(
        f"{where} comment",
        reviewer,
        reverse("newsroom:comment_add", args=[issue.pk]),
        {"body": payload},
        transport,
    )
    probe.send(
        f"{where} return",
        reviewer,
        reverse("newsroom:return", args=[issue.pk]),
        {"reason": payload},
        transport,
    )
    Issue.objects.filter(pk=issue.pk).update(
        state=S.APPROVED, publish_at=issue.series.publish_at_for(issue.date)
    )
    probe.send(
        f"{where} reopen",
        "admin",
        reverse("newsroom:reopen", args=[issue.pk]),
        {"reason": payload},
        transport,
    )
    Issue.objects.filter(pk=issue.pk).update(state=S.DRAFT, publish_at=None)


def correct_and_withdraw(probe: Probe, published: Issue, withdrawn: Issue, index: int, payload: str) -> None:
    """A correction note on `published` and a withdrawal reason on `withdrawn` (published again each time):
    admin-only transitions with no newsroom form yet, through the workflow service."""
    Issue.objects.filter(pk=withdrawn.pk).update(state=S.PUBLISHED)
    for name, transition in (
        (
            "correction",
            lambda: workflow.issue_correct(issue=published, user=probe.users["admin"], note=payload),
        ),
        (
            "withdrawal",
            lambda: workflow.issue_withdraw(issue=withdrawn, user=probe.users["admin"], reason=payload),
        ),
    ):
        try:
            transition()
        except EditorialError as error:
            if not CHINESE.search(error.message):
                probe.problems.append(f"[{index}] {name}: refused with {error.message!r}")


def main_series(series: Series) -> Series:
    """The main issue's masthead: every payload as a footer block and a QR label, and as a QR target where the
    admin's validation accepts it as an address."""
    for position, payload in enumerate(PAYLOADS.values(), start=1):
        add_footer_row(
            SeriesFooterBlock(series=series, position=position, title=payload, body=payload), body="正文"
        )
    series.qr_codes.create(position=0, label="官方网站", url="https://gyznswn.cn")
    for position, payload in enumerate(PAYLOADS.values(), start=1):
        add_footer_row(
            SeriesQRCode(series=series, position=position, label=payload, url=payload),
            url="https://example.org/",
        )
    series.full_clean()
    series.save()
    return series


PDF_FORBIDDEN_KEYS = {"/JS", "/JavaScript", "/AA", "/OpenAction", "/Launch", "/SubmitForm", "/ImportData"}


def pdf_problems(pdf: bytes) -> list[str]:
    """JavaScript, automatic or launch actions anywhere in the PDF's object graph, and links whose address is
    not http(s), mailto or an in-document destination."""
    reader = PdfReader(io.BytesIO(pdf))
    problems: list[str] = []
    seen: set[int] = set()

    def walk(value) -> None:
        if isinstance(value, IndirectObject):
            if value.idnum in seen:
                return
            seen.add(value.idnum)
            value = value.get_object()
        if isinstance(value, DictionaryObject):
            problems.extend(f"PDF {key}" for key in PDF_FORBIDDEN_KEYS & set(value.keys()))
            if value.get("/S") in ("/JavaScript", "/Launch", "/SubmitForm"):
                problems.append(f"PDF action {value.get('/S')}")
            uri = value.get("/URI")
            if uri is not None and urlsplit(str(uri).strip()).scheme.lower() not in (
                "http",
                "https",
                "mailto",
            ):
                problems.append(f"PDF link {str(uri)[:60]!r}")
            for item in value.values():
                walk(item)
        elif isinstance(value, ArrayObject):
            for item in value:
                walk(item)

    walk(reader.trailer)
    return problems


def feed_problems(probe: Probe, client: Client) -> None:
    """Both feeds parsed as XML, each item's HTML taken out as a feed reader takes it and parsed as HTML."""
    rss = ET.fromstring(client.get("/feed/").content)
    items = rss.find("channel").findall("item")
    for item in items:
        probe.check(f"RSS {item.findtext('link')}", item.findtext("description") or "")
    atom = ET.fromstring(client.get("/feed/atom/").content)
    entries = atom.findall(f"{ATOM}entry")
    for entry in entries:
        for part in ("summary", "content"):
            element = entry.find(f"{ATOM}{part}")
            if element is None:
                continue
            if element.get("type") == "html":
                probe.check(f"Atom {part}", element.text or "")
            elif element.get("type") not in (None, "text"):
                probe.problems.append(f"Atom {part}: type {element.get('type')}")
        title = entry.find(f"{ATOM}title")
        if title.get("type") not in (None, "text"):
            probe.problems.append(f"Atom title: type {title.get('type')}")
    if len(items) != len(entries) or len(items) < len(PAYLOADS):
        probe.problems.append(f"feeds: {len(items)} RSS items, {len(entries)} Atom entries")


def stored_counts(main: Issue, singles: list[Issue]) -> dict[str, int]:
    """How many payloads each field stored as they were sent (cleaned as plain text): refusals are allowed,
    but most of the corpus must get through, or the outputs would show nothing."""
    payloads = {clean_text(p) for p in PAYLOADS.values()}
    sections = Section.objects.filter(issue=main)
    return {
        "issue headline": sum(
            i.headline in payloads for i in Issue.objects.filter(pk__in=[s.pk for s in singles])
        ),
        "section headline": sections.filter(headline__in=payloads).count(),
        "section body": sections.exclude(body="").count(),
        "topics": Topic.objects.filter(name__in=payloads).count(),
        "citation outlet": Source.objects.filter(outlet__in=payloads).count(),
        "citation url": Source.objects.exclude(url="").count(),
        "citation note": Citation.objects.filter(issue=main, note__in=payloads).count(),
        "comment": ReviewComment.objects.filter(issue=main, body__in=payloads).count(),
        "reason": IssueEvent.objects.filter(issue=main, comment__in=payloads).count(),
        "series title": Series.objects.filter(title__in=payloads).count(),
    }


def test_the_corpus_through_every_field_leaves_nothing_active_in_any_output(
    writer, reviewer, admin_user, series, monkeypatch
):
    probe = Probe(writer=writer, reviewer=reviewer, admin=admin_user)
    main = services.issue_create(series=main_series(series), date=MAIN_DATE, user=writer, headline="主期")
    # The main issue's headline and summary hold payloads too (the headline within its 200 characters).
    probe.send(
        "main issue meta",
        "writer",
        reverse("newsroom:issue_meta_save", args=[main.pk]),
        {
            "headline": PAYLOADS["svg-style-img"],
            "summary": "\n".join(PAYLOADS.values()),
            "version": main.version,
        },
        JSON,
    )
    singles = []
    for index, payload in enumerate(PAYLOADS.values()):
        singles.append(fill_payload_issue(probe, index, payload))
        fill_sections_and_citations(probe, main, index, payload)
        review_and_reopen(probe, main, index, payload)

    stored = stored_counts(main, singles)
    # The newsroom, while the main issue is a draft.
    for actor in ("writer", "reviewer", "admin"):
        probe.get("dashboard", actor, reverse("newsroom:dashboard"))
    probe.get("editor", "writer", reverse("newsroom:editor", args=[main.pk]))
    probe.get("review", "reviewer", reverse("newsroom:review", args=[main.pk]))
    probe.get("preview", "reviewer", reverse("newsroom:preview_web", args=[main.pk]))
    # The corpus makes the main issue too long for WeChat: its preview is the page that says so (422).
    probe.get("preview", "reviewer", reverse("newsroom:preview_wechat", args=[main.pk]), statuses=(200, 422))
    for section in Section.objects.filter(issue=main):
        # The history page with the diff of the first revision against the last, the payload on both sides.
        history = reverse("newsroom:section_history", args=[section.pk])
        probe.get("history", "writer", f"{history}?a=1&b={section.revisions.count()}")
    for issue in singles:
        probe.get("editor", "writer", reverse("newsroom:editor", args=[issue.pk]))

    # Published: every public page and every output.
    for issue in [main, *singles]:
        set_state(issue, S.PUBLISHED)
    withdrawn = services.issue_create(series=series, date=MAIN_DATE - dt.timedelta(days=1), user=writer)
    for index, payload in enumerate(PAYLOADS.values()):
        correct_and_withdraw(probe, main, withdrawn, index, payload)
    probe.get("editor", "admin", reverse("newsroom:editor", args=[withdrawn.pk]))
    probe.get("review", "admin", reverse("newsroom:review", args=[withdrawn.pk]))
    probe.get("dashboard", "admin", reverse("newsroom:dashboard"))
    archive_support.expire_pages()
    reader = Client()
    sitemap = ET.fromstring(reader.get("/sitemap.xml").content)
    locations = [url.findtext(f"{SITEMAP}loc") for url in sitemap.iter(f"{SITEMAP}url")]
    for location in locations:
        if not location.startswith(f"{SITE}/"):
            probe.problems.append(f"sitemap: {location[:80]!r}")
            continue
        probe.get("public", reader, location.removeprefix(SITE))
    for payload in PAYLOADS.values():
        probe.get("search", reader, "/search/?" + urlencode({"q": payload}))
    monkeypatch.setattr(feeds, "FEED_SIZE", len(PAYLOADS) + 10)
    feed_problems(probe, reader)

    probe.check("wechat main", wechat_fragment(build_context(main)))
    for index, issue in enumerate(singles):
        probe.check(f"[{index}] wechat", render_wechat(issue))
    probe.problems += pdf_problems(render_pdf(main))

    # Nearly every payload is stored as sent by the plain-text fields; script-only payloads leave a body empty,
    # long ones are too long for a topic's 50 characters, and few are addresses a URL field takes.
    most = len(PAYLOADS) - 2
    at_least = {"section body": len(PAYLOADS) // 3, "topics": len(PAYLOADS) // 3, "citation url": 2}
    at_least |= {"reason": 2 * most} | {
        name: most for name in stored if name not in at_least and name != "reason"
    }
    assert {name: count for name, count in stored.items() if count < at_least[name]} == {}
    payloads = {clean_text(p) for p in PAYLOADS.values()}
    assert withdrawn.events.filter(to_state=S.WITHDRAWN, comment__in=payloads).count() >= most
    assert main.corrections.filter(note__in=payloads).count() >= most
    assert len(locations) > len(PAYLOADS)
    assert not probe.problems, "\n".join(probe.problems)
