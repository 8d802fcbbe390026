"""Issue -> the public web page (also the reviewer's preview): a complete, self-contained HTML document."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from editorial.models import Issue
from publishing.render.context import LANGUAGE, build_context

TEMPLATE = "publishing/issue.html"


def render_web(issue: Issue | int, *, context: dict | None = None) -> str:
    # In the issue's language whoever asks (an English-reading editor's preview or publication included).
    with translation.override(LANGUAGE):
        context = context if context is not None else build_context(issue)
        return render_to_string(TEMPLATE, context)
