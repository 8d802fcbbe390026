"""The corpus of dirty and hostile input (tests/corpus.py) through every newsroom endpoint that stores text, by
direct POST (form and JSON), through the correction service and through `manage.py import_bulletin`; then every
output is checked.

Each input is either refused with a clear Chinese message and nothing changed, or stored clean; never a 500.
Afterwards the issue, published, renders everywhere: the archive page answers 200 with the text readable, the
WeChat HTML passes its lint with no active markup, both feeds and the sitemap parse as XML, and the PDF text
(rendered once for a few cases together, a PDF render being the slow part) holds the cleaned text.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from editorial import workflow
from editorial.errors import EditorialError
from editorial.models import Analysis, Issue, IssueEvent, IssueState, ReviewComment, Revision, Section, Topic
from publishing.render import WeChatLintError, render_pdf, render_wechat
from references.models import Citation, Source
from tests import corpus
from tests.conftest import SAMPLE
from tests.corpus import CORPUS, CORPUS_IDS, FORM, JSON, Dirty
from tests.publishing import archive_support
from tests.publishing.archive_support import S, set_state

clean_cache = archive_support.clean_cache

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ERROR_LIST = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.DOTALL)
# A request with 1 MB of text must answer well within this (seconds): a message or a save, never a hang.
SLOW = 3.0
DATE = dt.date(2026, 7, 1)


def snapshot() -> tuple:
    """Everything an endpoint of the newsroom may write, to show that a refused input changed nothing."""
    return (
        list(
            Issue.objects.order_by("pk").values_list(
                "pk", "headline", "summary", "number", "version", "state"
            )
        ),
        list(Section.objects.order_by("pk").values_list("pk", "headline", "body", "version", "position")),
        list(Analysis.objects.order_by("pk").values_list("pk", "body")),
        list(Topic.objects.order_by("pk").values_list("pk", "name", "slug")),
        list(Section.topics.through.objects.order_by("pk").values_list("section_id", "topic_id")),
        list(Source.objects.order_by("pk").values_list("pk", "outlet", "title", "url")),
        list(Citation.objects.order_by("pk").values_list("pk", "note", "position")),
        list(ReviewComment.objects.order_by("pk").values_list("pk", "body")),
        list(IssueEvent.objects.order_by("pk").values_list("pk", "comment")),
        Revision.objects.count(),
    )


@dataclass(frozen=True)
class Field:
    """One stored text reachable by POST: how to send a value, who sends it, the state the issue must be in,
    and where the value lands (`stored` reads it back; `rich` says it is HTML)."""

    name: str
    actor: str
    state: str
    send: Callable[[Client, Issue, str, str], object]
    stored: Callable[[Issue], str]
    rich: bool = False
    transports: tuple[str, ...] = (FORM, JSON)
    # Topics are split at commas and line breaks, so a case's fragments may land in different topics.
    keeps_fragments: bool = True


def post(client: Client, url: str, data: dict, transport: str, *, prefix: str = ""):
    """POST as the editor's scripts do (JSON, bare names) or as a plain form (multipart, the form's prefix);
    both ask for a JSON answer, so a refusal comes back as {"error": message}."""
    if transport == JSON:
        # ensure_ascii: a lone surrogate travels as the escape "\ud800", as a browser's JSON.stringify sends it.
        body = json.dumps(data, ensure_ascii=True)
        return client.post(url, body, content_type="application/json", HTTP_ACCEPT="application/json")
    form = {f"{prefix}{key}" if prefix else key: value for key, value in data.items()}
    return client.post(url, form, HTTP_ACCEPT="application/json")


def _meta(field: str):
    def send(client, issue, value, transport):
        issue.refresh_from_db()
        data = {"headline": issue.headline, "summary": issue.summary, "version": issue.version, field: value}
        return post(
            client, reverse("newsroom:issue_meta_save", args=[issue.pk]), data, transport, prefix="issue-"
        )

    return send


def _section(field: str, position: int):
    def send(client, issue, value, transport):
        section = Section.objects.select_related("analysis").get(issue=issue, position=position)
        analysis = getattr(section, "analysis", None)
        data = {
            "headline": section.headline,
            "body": section.body,
            "analysis": analysis.body if analysis else "",
            "topics": "，".join(section.topics.values_list("name", flat=True)),
            "version": section.version,
            field: value,
        }
        url = reverse("newsroom:section_save", args=[section.pk])
        return post(client, url, data, transport, prefix=f"s{section.pk}-")

    return send


def _section_stored(field: str, position: int):
    def stored(issue):
        section = Section.objects.get(issue=issue, position=position)
        if field == "analysis":
            return Analysis.objects.filter(section=section).values_list("body", flat=True).first() or ""
        if field == "topics":
            return "\n".join(section.topics.values_list("name", flat=True))
        return getattr(section, field)

    return stored


def _new_section(client, issue, value, transport):
    return post(client, reverse("newsroom:section_create", args=[issue.pk]), {"headline": value}, transport)


def _last_section_headline(issue):
    return Section.objects.filter(issue=issue).order_by("-position").values_list("headline", flat=True)[0]


def _citation_add(field: str):
    def send(client, issue, value, transport):
        # A new source each time (outlet and title differ by field and transport), so none is a duplicate.
        data = {"outlet": f"机构{field}{transport}", "title": f"来源{field}{transport}", "note": "用于测试"}
        data[field] = value
        return post(client, reverse("newsroom:citation_add", args=[issue.pk]), data, transport)

    return send


def _citation_stored(field: str):
    def stored(issue):
        citation = Citation.objects.filter(issue=issue).select_related("source").order_by("-pk").first()
        return citation.note if field == "note" else getattr(citation.source, field)

    return stored


def _citation_update(client, issue, value, transport):
    citation = Citation.objects.filter(issue=issue).order_by("position").first()
    return post(client, reverse("newsroom:citation_update", args=[citation.pk]), {"note": value}, transport)


def _comment(client, issue, value, transport):
    return post(client, reverse("newsroom:comment_add", args=[issue.pk]), {"body": value}, transport)


def _transition(action: str):
    def send(client, issue, value, transport):
        return post(client, reverse(f"newsroom:{action}", args=[issue.pk]), {"reason": value}, transport)

    return send


def _issue_create(field: str):
    def send(client, issue, value, transport):
        # A new issue each time, on the first free day after the test issue.
        taken = set(Issue.objects.values_list("date", flat=True))
        date = next(
            DATE + dt.timedelta(days=n) for n in range(1, 400) if DATE + dt.timedelta(days=n) not in taken
        )
        data = {"series": issue.series_id, "date": date.isoformat(), "headline": "新期", "summary": ""}
        data[field] = value
        return post(client, reverse("newsroom:issue_create"), data, transport)

    return send


def _new_issue_stored(field: str):
    def stored(issue):
        return getattr(Issue.objects.exclude(pk=issue.pk).order_by("-pk").first(), field)

    return stored


def _last_event_comment(issue):
    return IssueEvent.objects.filter(issue=issue).order_by("-pk").values_list("comment", flat=True)[0]


FIELDS = (
    Field(
        "issue headline", "writer", S.DRAFT, _meta("headline"), lambda i: Issue.objects.get(pk=i.pk).headline
    ),
    Field("issue summary", "writer", S.DRAFT, _meta("summary"), lambda i: Issue.objects.get(pk=i.pk).summary),
    Field("section headline", "writer", S.DRAFT, _section("headline", 1), _section_stored("headline", 1)),
    Field("section body", "writer", S.DRAFT, _section("body", 1), _section_stored("body", 1), rich=True),
    Field(
        "section analysis",
        "writer",
        S.DRAFT,
        _section("analysis", 2),
        _section_stored("analysis", 2),
        rich=True,
    ),
    Field(
        "section topics",
        "writer",
        S.DRAFT,
        _section("topics", 2),
        _section_stored("topics", 2),
        keeps_fragments=False,
    ),
    Field("new section headline", "writer", S.DRAFT, _new_section, _last_section_headline),
    Field("citation outlet", "writer", S.DRAFT, _citation_add("outlet"), _citation_stored("outlet")),
    Field("citation title", "writer", S.DRAFT, _citation_add("title"), _citation_stored("title")),
    Field("citation url", "writer", S.DRAFT, _citation_add("url"), _citation_stored("url")),
    Field("citation note", "writer", S.DRAFT, _citation_add("note"), _citation_stored("note")),
    Field(
        "citation note (edit)",
        "writer",
        S.DRAFT,
        _citation_update,
        lambda i: Citation.objects.filter(issue=i).order_by("position").first().note,
    ),
    Field(
        "review comment",
        "reviewer",
        S.IN_REVIEW,
        _comment,
        lambda i: ReviewComment.objects.filter(issue=i).order_by("-pk").values_list("body", flat=True)[0],
    ),
    # The new-issue page posts a plain form only (no JSON endpoint).
    Field(
        "new issue headline",
        "writer",
        S.DRAFT,
        _issue_create("headline"),
        _new_issue_stored("headline"),
        transports=(FORM,),
    ),
    Field(
        "new issue summary",
        "writer",
        S.DRAFT,
        _issue_create("summary"),
        _new_issue_stored("summary"),
        transports=(FORM,),
    ),
    Field("return reason", "reviewer", S.IN_REVIEW, _transition("return"), _last_event_comment),
    Field("reopen reason", "admin", S.APPROVED, _transition("reopen"), _last_event_comment),
)


def force_state(issue: Issue, state: str) -> None:
    fields: dict = {"state": state}
    if state == S.APPROVED:
        fields["publish_at"] = issue.series.publish_at_for(issue.date)
    Issue.objects.filter(pk=issue.pk).update(**fields)


def send_everywhere(case: Dirty, issue: Issue, clients: dict[str, Client]) -> list[str]:
    """Send `case` through every field and transport; the problems found, one line each."""
    problems = []
    for field in FIELDS:
        for transport in field.transports:
            if transport not in case.transports:
                continue
            where = f"{field.name} ({transport})"
            force_state(issue, field.state)
            before = snapshot()
            started = time.monotonic()
            response = field.send(clients[field.actor], issue, case.text, transport)
            elapsed = time.monotonic() - started
            if elapsed > SLOW:
                problems.append(f"{where}: answered in {elapsed:.1f} s")
            if response.status_code >= 500:
                problems.append(f"{where}: HTTP {response.status_code}")
                continue
            if response.get("Content-Type", "").startswith("application/json"):
                payload = response.json()
            else:  # the new-issue page answers a refused form with itself and the form's errors
                payload = {"error": " ".join(ERROR_LIST.findall(response.content.decode()))}
                payload["ok"] = response.status_code < 400
            if response.status_code >= 400 or not payload.get("ok"):
                message = payload.get("error", "")
                if not CHINESE.search(message):
                    problems.append(f"{where}: refused without a Chinese message: {message!r}")
                if snapshot() != before:
                    problems.append(f"{where}: refused ({message}) but the database changed")
                continue
            value = field.stored(issue)
            found = corpus.rich_text_problems(value) if field.rich else corpus.plain_text_problems(value)
            if found:
                problems.append(f"{where}: stored unclean ({', '.join(found)}): {value[:120]!r}")
            lost = corpus.missing(case.visible, corpus.html_text(value) if field.rich else value)
            if lost and field.keeps_fragments and not case.oversized:
                problems.append(f"{where}: stored without {lost}: {value[:120]!r}")
    force_state(issue, S.DRAFT)
    return problems


def newsroom_problems(issue: Issue, clients: dict[str, Client]) -> list[str]:
    """The newsroom's pages that show what was stored (sections, citations, comments, reasons) still open."""
    problems = []
    for name, url in (
        ("writer", reverse("newsroom:editor", args=[issue.pk])),
        ("reviewer", reverse("newsroom:review", args=[issue.pk])),
        ("writer", reverse("newsroom:dashboard")),
        ("writer", reverse("newsroom:preview_wechat", args=[issue.pk])),
    ):
        response = clients[name].get(url)
        if response.status_code != 200:
            problems.append(f"{url}: HTTP {response.status_code}")
            continue
        # The newsroom has scripts and a preview frame of its own: look for what the corpus would inject.
        page = response.content.decode()
        markup = [p for p in corpus.markup_problems(page) if p not in ("<script>", "<iframe>")]
        if "<script>alert" in page or "<svg onload" in page or markup:
            problems.append(f"{url}: active markup from the input {markup}")
    return problems


def correct(case: Dirty, issue: Issue, admin) -> list[str]:
    """The correction note (admin only, no newsroom form): through the workflow service, as the admin does."""
    set_state(issue, S.PUBLISHED)
    before = snapshot()
    try:
        workflow.issue_correct(issue=issue, user=admin, note=case.text)
    except EditorialError as error:
        if not CHINESE.search(error.message) or snapshot() != before:
            return [f"correction: refused with {error.message!r}, database changed: {snapshot() != before}"]
        return []
    note = issue.corrections.order_by("-pk").first().note
    found = corpus.plain_text_problems(note)
    return [f"correction: stored unclean ({', '.join(found)})"] if found else []


def output_problems(case: Dirty, issue: Issue, client: Client) -> list[str]:
    """Publish `issue` and check every output."""
    set_state(issue, S.PUBLISHED)
    problems = []
    page = client.get(f"/issues/{issue.date.isoformat()}/")
    if page.status_code != 200:
        return [f"archive page: HTTP {page.status_code}"]
    html = page.content.decode()
    problems += [f"archive page: {p}" for p in corpus.markup_problems(html) + corpus.forbidden_chars(html)]
    if not case.oversized and (lost := corpus.missing(case.visible, corpus.html_text(html))):
        problems.append(f"archive page: without {lost}")

    try:
        wechat = render_wechat(issue)  # raises WeChatLintError if the lint finds anything
    except WeChatLintError as error:
        # Over WeChat's 20,000 characters (markup included): refused with the length message and nothing else.
        if not all(problem.startswith("微信版正文共") for problem in error.problems):
            raise
        wechat = None
    if wechat is not None:
        problems += [f"wechat: {p}" for p in corpus.markup_problems(wechat) + corpus.forbidden_chars(wechat)]
        if not case.oversized and (lost := corpus.missing(case.visible, corpus.html_text(wechat))):
            problems.append(f"wechat: without {lost}")

    for url in ("/feed/", "/feed/atom/", "/sitemap.xml"):
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"{url}: HTTP {response.status_code}")
            continue
        try:
            ET.fromstring(response.content)
        except ET.ParseError as error:
            problems.append(f"{url}: not XML: {error}")
    return problems


@pytest.fixture
def clients(writer, reviewer, admin_user) -> dict[str, Client]:
    signed_in = {}
    for name, user in (("writer", writer), ("reviewer", reviewer), ("admin", admin_user)):
        signed_in[name] = Client()
        signed_in[name].force_login(user)
    return signed_in


@pytest.fixture
def issue(make_issue) -> Issue:
    issue = make_issue(DATE)
    Citation.objects.create(
        issue=issue,
        source=Source.objects.create(outlet="国家能源局", title="已有来源", fingerprint="existing"),
        position=1,
        note="用于已有来源",
    )
    return issue


@pytest.mark.parametrize("case", CORPUS, ids=CORPUS_IDS)
def test_dirty_input_is_refused_clearly_or_stored_clean_and_every_output_stays_valid(
    case, issue, clients, admin_user, client
):
    problems = send_everywhere(case, issue, clients)
    problems += newsroom_problems(issue, clients)
    problems += correct(case, issue, admin_user)
    problems += output_problems(case, issue, client)

    assert not problems, "\n".join(problems)


PDF_CASES = [
    c for c in CORPUS if not c.oversized and corpus.JSON in c.transports and corpus.FORM in c.transports
]


def test_the_pdf_of_an_issue_full_of_dirty_input_holds_the_cleaned_text(issue, clients):
    """One PDF for every case at once: each case in its own section, headline and body, sent as the editor
    does (JSON autosave)."""
    writer = clients["writer"]
    stored = []
    for index, case in enumerate(PDF_CASES):
        created = post(
            writer, reverse("newsroom:section_create", args=[issue.pk]), {"headline": f"条目{index}"}, JSON
        )
        section = Section.objects.get(pk=created.json()["id"])
        response = post(
            writer,
            reverse("newsroom:section_save", args=[section.pk]),
            {
                "headline": case.text[:200],
                "body": case.text,
                "analysis": case.text,
                "version": section.version,
            },
            JSON,
        )
        if response.status_code == 200:
            stored.append(case)
        else:  # refused (NUL): with a message, and the section as it was
            assert CHINESE.search(response.json()["error"]), case.id
            assert Section.objects.get(pk=section.pk).headline == f"条目{index}"
    set_state(issue, S.PUBLISHED)

    pdf = render_pdf(issue)

    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    assert corpus.forbidden_chars(text) == []
    lost = {case.id: corpus.missing(case.visible, text) for case in stored}
    assert {key: value for key, value in lost.items() if value} == {}
    assert len(stored) >= len(PDF_CASES) - 1


def test_a_plain_form_post_too_large_to_read_answers_a_chinese_page_and_changes_nothing(
    issue, clients, settings
):
    """1 MB of Chinese in a form post without the editor's scripts: percent-encoded, it is 9 MB, over Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE, and Django refuses it before any view runs (templates/400.html)."""
    settings.DEBUG = False
    before = snapshot()
    body = urlencode(
        {"issue-headline": "标题", "issue-summary": "长" * (corpus.MEGABYTE // 3), "issue-version": 1}
    )

    started = time.monotonic()
    response = clients["writer"].post(
        reverse("newsroom:issue_meta_save", args=[issue.pk]),
        body,
        content_type="application/x-www-form-urlencoded",
    )

    assert time.monotonic() - started < SLOW
    assert response.status_code == 400
    assert "提交的内容太长，没有保存任何内容" in response.content.decode()
    assert snapshot() == before


def test_an_autosave_too_large_to_read_answers_json_the_editor_can_show_and_changes_nothing(
    issue, clients, settings
):
    """The editor's JSON autosave of 1 MB of Chinese is 3 MB of UTF-8, over DATA_UPLOAD_MAX_MEMORY_SIZE: the
    answer is JSON with a Chinese message (xinzhi.error_views.bad_request), which the editor's status line shows."""
    settings.DEBUG = False
    section = issue.sections.get(position=1)
    before = snapshot()
    body = json.dumps(
        {"headline": "标题", "body": "<p>" + "长" * corpus.MEGABYTE + "</p>", "version": section.version},
        ensure_ascii=False,
    )

    response = clients["writer"].post(
        reverse("newsroom:section_save", args=[section.pk]),
        body.encode(),
        content_type="application/json",
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "内容太长" in response.json()["error"]
    assert snapshot() == before


# --- The importer -----------------------------------------------------------------------------------------


def dirty_bulletin(text: str) -> str:
    """The sample bulletin with `text` in its summary, the first section's headline, news and analysis, and the
    first reference's title and note (a line break of the case kept as a space, so the structure still parses)."""
    sample = SAMPLE.read_text(encoding="utf-8")
    inline = text.replace("\n", " ").replace("\r", " ")
    sample = sample.replace("今日新质生产力动态集中在", f"今日{inline}新质生产力动态集中在", 1)
    sample = sample.replace(
        "## 一、国家数据局专题研究专家意见，",
        f"## 一、国家数据局专题研究专家意见{inline[:60]}，",
        1,
    )
    sample = sample.replace(
        "国家数据局 6 月 27 日发布消息称，", f"国家数据局 6 月 27 日{inline}发布消息称，", 1
    )
    sample = sample.replace("这表明数据要素改革", f"这表明{inline}数据要素改革", 1)
    sample = sample.replace(
        "- 国家数据局 | 国家数据局专题研究国家数据专家咨询委员会委员意见建议 | 2026-06-27 | 用于",
        f"- 国家数据局 | 国家数据局专题研究{inline[:200]}委员会委员意见建议 | 2026-06-27 | 用于{inline[:200]}",
        1,
    )
    return sample


@pytest.mark.parametrize("case", [c for c in CORPUS if corpus.FILE in c.transports], ids=lambda c: c.id)
def test_an_imported_file_full_of_dirty_input_is_refused_clearly_or_stored_clean(case, db, tmp_path, client):
    path = tmp_path / "dirty.md"
    path.write_text(dirty_bulletin(case.text), encoding="utf-8")
    before = snapshot()
    stdout, stderr = io.StringIO(), io.StringIO()

    started = time.monotonic()
    try:
        call_command("import_bulletin", str(path), "--publish", stdout=stdout, stderr=stderr)
    except CommandError:
        assert CHINESE.search(stderr.getvalue()), stderr.getvalue()
        assert snapshot() == before
        return
    assert time.monotonic() - started < SLOW * 2

    issue = Issue.objects.get(date=dt.date(2026, 6, 28))
    assert issue.state == IssueState.PUBLISHED
    problems = []
    for label, value in (("headline", issue.headline), ("summary", issue.summary)):
        problems += [f"{label}: {p}" for p in corpus.plain_text_problems(value)]
    for section in issue.sections.select_related("analysis"):
        problems += [
            f"section {section.position} headline: {p}" for p in corpus.plain_text_problems(section.headline)
        ]
        problems += [f"section {section.position} body: {p}" for p in corpus.rich_text_problems(section.body)]
        analysis = getattr(section, "analysis", None)
        if analysis:
            problems += [
                f"section {section.position} analysis: {p}" for p in corpus.rich_text_problems(analysis.body)
            ]
    for citation in issue.citations.select_related("source"):
        for label in ("outlet", "title"):
            problems += [
                f"citation {label}: {p}" for p in corpus.plain_text_problems(getattr(citation.source, label))
            ]
        problems += [f"citation note: {p}" for p in corpus.plain_text_problems(citation.note)]
    summary_lost = corpus.missing(case.visible, issue.summary)
    if summary_lost and not case.oversized:
        problems.append(f"summary without {summary_lost}")
    problems += output_problems(case, issue, client)

    assert not problems, "\n".join(problems)


def test_the_corpus_covers_every_kind_the_issue_names():
    texts = "".join(case.text for case in CORPUS)
    for needle in ("\x00", "\x1f", "\x7f", "\x9f", "\x0b", "\ufffe", "\ud800", "\u200b", "\u200d", "\u00ad"):
        assert needle in texts
    for needle in (
        "\ufeff",
        "\u2060",
        "\u202e",
        "&nbsp;",
        "\u3000",
        "<script>",
        "<style>",
        "onerror=",
        "javascript:",
    ):
        assert needle in texts
    for needle in ("data:", "vbscript:", "https://example.com/x.jpg", "<svg onload", "<!--"):
        assert needle in texts
    assert max(len(case.text.encode("utf-8", "surrogatepass")) for case in CORPUS) >= corpus.MEGABYTE
