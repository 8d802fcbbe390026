"""The sample issue (tests/fixtures/2026-06-28.md), imported as the newsroom would, for the renderer tests."""

from __future__ import annotations

import pytest

from editorial.models import Issue
from references.importing import import_bulletin
from tests.conftest import SAMPLE


def import_sample() -> Issue:
    result = import_bulletin(text=SAMPLE.read_text(encoding="utf-8"))
    return Issue.objects.get(series__slug=result.series_slug, date=result.date)


@pytest.fixture
def sample_issue(db) -> Issue:
    """The sample bulletin of 2026-06-28: 6 sections, 10 citations, the series created from its masthead."""
    return import_sample()
