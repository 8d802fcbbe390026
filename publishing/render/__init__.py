"""Pure renderers: an issue in, web HTML, PDF bytes or WeChat HTML out, all from one context.

Importing this package is cheap; WeasyPrint is loaded on the first PDF render.
"""

from __future__ import annotations

from publishing.render.context import build_context
from publishing.render.errors import RenderError, RenderTimeout, RenderTooLarge, WeChatLintError
from publishing.render.lint import lint_wechat
from publishing.render.web import render_web
from publishing.render.wechat import render_wechat


def render_pdf(issue, **options) -> bytes:
    from publishing.render.pdf import render_pdf as _render_pdf

    return _render_pdf(issue, **options)


__all__ = [
    "RenderError",
    "RenderTimeout",
    "RenderTooLarge",
    "WeChatLintError",
    "build_context",
    "lint_wechat",
    "render_pdf",
    "render_web",
    "render_wechat",
]
