"""The dashboard banner for issues that missed their review cutoff or their publication time.

A template tag of publishing's, used by the newsroom dashboard, so that editorial's views need not import
publishing (imports flow publishing -> references -> editorial)."""

from django import template

from publishing.scheduling import overdue_issues

register = template.Library()


@register.inclusion_tag("publishing/newsroom/_overdue_banner.html")
def overdue_banner() -> dict:
    return {"overdue": overdue_issues()}
