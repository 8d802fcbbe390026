"""Server-rendered SVG charts: no script, no external service, readable without JavaScript and in print."""

from __future__ import annotations

import datetime as dt

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 640
HEIGHT = 200
PAD_LEFT = 40
PAD_RIGHT = 8
PAD_TOP = 12
PAD_BOTTOM = 30
# Bars never wider than this, so that a topic seen in three months does not look like a wall.
MAX_BAR = 36


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... at least `value`: a round top for the axis."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _axis_label(index: int, month: dt.date, *, few: bool) -> str:
    """With a few months, every month (the year at the first and at January); with many, the year at every
    January, and at the first month when it is not so close to January that the labels would collide."""
    if few:
        return f"{month.year}.{month.month}" if index == 0 or month.month == 1 else f"{month.month}"
    if month.month == 1 or (index == 0 and month.month <= 6):
        return f"{month.year}"
    return ""


def monthly_bars(months: list[tuple[dt.date, int]], *, title: str, chart_id: str = "chart") -> SafeString:
    """A bar per month (`months`: first day of month, count, consecutive), a year label under each January
    (under every month when there are a few), the maximum on the axis, and a <title> per bar for tooltips."""
    if not months:
        return mark_safe("")
    top = _nice_ceiling(max(count for _, count in months) or 1)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / len(months)
    bar = min(max(slot * 0.8, 0.6), MAX_BAR)
    few = len(months) <= 18
    parts = [
        f'<svg id="{escape(chart_id)}" class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="{escape(chart_id)}-title">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{WIDTH - PAD_RIGHT}" y2="{PAD_TOP + plot_h}" '
        f'class="chart-axis"/>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{WIDTH - PAD_RIGHT}" y2="{PAD_TOP}" class="chart-grid"/>',
        f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + 6}" text-anchor="end" class="chart-label">{top}</text>',
        f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + plot_h}" text-anchor="end" class="chart-label">0</text>',
    ]
    for index, (month, count) in enumerate(months):
        x = PAD_LEFT + index * slot + (slot - bar) / 2
        height = plot_h * count / top
        label = _("%(year)d 年 %(month)d 月：%(count)d 条") % {
            "year": month.year,
            "month": month.month,
            "count": count,
        }
        if count:
            parts.append(
                f'<rect x="{x:.1f}" y="{PAD_TOP + plot_h - height:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                f'class="chart-bar"><title>{escape(label)}</title></rect>'
            )
        text = _axis_label(index, month, few=few)
        if text:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" class="chart-label">'
                f"{escape(text)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text part escaped above
