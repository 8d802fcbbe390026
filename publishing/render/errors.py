"""What a render can fail with. Each error carries a message for the admin who watches renders."""

from __future__ import annotations

from django.utils.translation import gettext as _


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


class MissingGlyphs(RenderError):
    """Characters of the issue that no font of the PDF can draw: printed, they would be empty boxes."""

    def __init__(self, characters: list[str], *, limit: int = 20):
        self.characters = characters
        named = "、".join(f"U+{ord(char):04X}（{char}）" for char in characters[:limit])
        if len(characters) > limit:
            named += _("等 %(count)s 个字符") % {"count": len(characters)}
        super().__init__(
            _("以下字符没有可用的字体，印在 PDF 中会是空框：%(characters)s。请改用常用字或删去后再生成。")
            % {"characters": named}
        )
