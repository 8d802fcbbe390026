"""What a render can fail with. Each error carries a message for the admin who watches renders."""

from __future__ import annotations


class RenderError(Exception):
    """A render could not produce its output; the message says why, in the user's language."""


class RenderTooLarge(RenderError):
    """The input or the output exceeds the configured bounds of one render."""


class RenderTimeout(RenderError):
    """The render took longer than its time budget."""


class WeChatLintError(RenderError):
    """The WeChat HTML still contains something the WeChat editor would drop or refuse."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))
