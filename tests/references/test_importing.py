"""The import of published bulletins: parsing the sample exactly, storing it once, and refusing bad files."""

from __future__ import annotations

import datetime as dt

from editorial.models import Issue, IssueEvent, IssueState, Section
from references.importing import import_bulletin, parse_bulletin
from references.models import Citation, Source
from tests.conftest import SAMPLE


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def test_the_sample_parses_to_its_date_and_six_sections():
    parsed = parse_bulletin(sample_text())
    assert parsed.date == dt.date(2026, 6, 28)
    assert len(parsed.sections) == 6
    assert len(parsed.references) == 10


def test_importing_the_sample_as_published_stores_everything(db):
    result = import_bulletin(text=sample_text(), publish=True)
    issue = result.issue
    assert issue.state == IssueState.PUBLISHED
    assert Section.objects.filter(issue=issue).count() == 6
    assert Citation.objects.filter(issue=issue).count() == 10
    assert Source.objects.count() == 10
    assert IssueEvent.objects.get(issue=issue).transition == "import"
    assert Issue.objects.count() == 1
