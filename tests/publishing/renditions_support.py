"""Helpers shared by the rendition, task, scheduling and worker tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from editorial import workflow
from editorial.models import Issue
from publishing import renditions


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """Rendition files go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class FakeRenderers:
    """Stands in for publishing.render where a test is about the mechanics, not the output; counts calls."""

    def __init__(self):
        self.calls: list[tuple[str, int]] = []
        self.fail_next: dict[str, list[BaseException]] = {}  # raised one per call, then renders normally
        self.fail_always: dict[str, BaseException] = {}

    def __call__(self, kind: str):
        def render(issue: Issue):
            self.calls.append((kind, issue.pk))
            if kind in self.fail_always:
                raise self.fail_always[kind]
            if self.fail_next.get(kind):
                raise self.fail_next[kind].pop(0)
            headline = issue.headline
            sections = "".join(s.headline for s in issue.sections.order_by("position"))
            text = f"{kind}:{headline}:{sections}"
            return b"%PDF-fake " + text.encode() if kind == "pdf" else f"<p>{text}</p>"

        return render

    def count(self, kind: str | None = None) -> int:
        return len([c for c in self.calls if kind is None or c[0] == kind])


@pytest.fixture
def fake_renderers(monkeypatch) -> FakeRenderers:
    fake = FakeRenderers()
    monkeypatch.setattr(renditions, "get_renderer", fake)
    return fake


def submit_and_approve(issue: Issue, *, writer, reviewer) -> Issue:
    workflow.issue_submit(issue=issue, user=writer)
    return workflow.issue_approve(issue=issue, user=reviewer)


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "renditions").rglob("*") if p.is_file()) if root.exists() else []


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
