"""Server-side sanitizing of rich text with nh3.

The allow-list is what CKEditor 5's toolbar (settings.CKEDITOR_5_CONFIGS) can produce, and nothing more:
no script, style, event handler, SVG, iframe, form, or URL scheme beyond http(s) and mailto survives.
"""

from __future__ import annotations

import nh3
from django.db import models

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "figure",
    "figcaption",
    "img",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value: str | None) -> str:
    """Return `value` with everything outside the allow-list removed; idempotent."""
    if not value:
        return ""
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned.strip()


class SanitizedHTMLField(models.TextField):
    """A TextField whose value is sanitized on every write path.

    `pre_save` cleans the instance attribute on save() and bulk_create(); `get_db_prep_save` also covers
    QuerySet.update(), which never calls pre_save. Sanitizing is idempotent, so doing both is harmless.
    """

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value, connection):
        if isinstance(value, str):
            value = sanitize_html(value)
        return super().get_db_prep_save(value, connection)
