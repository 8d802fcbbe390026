"""The files readers download from the archive: the PDF and the WeChat HTML of a published issue.

They are the renditions of the issue's current content. Issues approved in the newsroom have them already (the
approve and publish transitions request them); imported back issues were never approved, so nothing was rendered:
the first reader to ask makes the rendition now, through the same service the Celery task calls, and every
later reader gets the stored file.

Readers are anonymous, so only a published issue has downloads: an approved issue's files are embargoed until
publication and a withdrawn issue's are gone for good (the newsroom has its own route for them,
publishing.newsroom.rendition_file). The file is the rendition row's, found from the issue: nothing of the request
URL but the date (matched as digits by publishing.urls) takes part, so no path is ever built from it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from editorial.models import Issue, IssueState
from publishing.models import Rendition, RenditionKind, RenditionStatus
from publishing.renditions import LEASE, issue_content_hash, rendition_render

S = RenditionStatus
DOWNLOAD_KINDS = (RenditionKind.PDF, RenditionKind.WECHAT)
# A render that failed is not tried again for every reader who clicks: a broken render would otherwise turn the
# download link into a way to keep the web processes busy.
RETRY_FAILED_AFTER = dt.timedelta(minutes=5)


def rendition_for_download(*, issue: Issue, kind: str, now: dt.datetime | None = None) -> Rendition | None:
    """The done rendition of `kind` for the issue's current content, rendered now if there is none yet.

    Returns None when the file cannot be had right now: another process is rendering it, or it failed a moment
    ago. The caller tells the reader to try again shortly. Raises ValueError for a kind that is not downloaded
    and for an issue that is not published (the caller finds issues through publishing.selectors).
    """
    if kind not in DOWNLOAD_KINDS:
        raise ValueError(f"Not a download kind: {kind!r}")
    if issue.state != IssueState.PUBLISHED:
        raise ValueError(f"Issue {issue.pk} is {issue.state}: only a published issue has downloads")
    now = now or timezone.now()
    content_hash = issue_content_hash(issue)
    current = Rendition.objects.filter(issue=issue, kind=kind, content_hash=content_hash)
    done = current.filter(status=S.DONE).exclude(file="").first()
    if done is not None:
        return done
    rendition, _ = Rendition.objects.get_or_create(issue=issue, kind=kind, content_hash=content_hash)
    if rendition.status == S.FAILED:
        if rendition.finished_at and rendition.finished_at > now - RETRY_FAILED_AFTER:
            return None
        Rendition.objects.filter(pk=rendition.pk, status=S.FAILED).update(
            status=S.QUEUED, error="", finished_at=None, attempts=0
        )
    elif rendition.status == S.RUNNING and rendition.started_at and rendition.started_at > now - LEASE:
        return None
    # Claiming is atomic: if a worker picks up the same rendition at this moment, one of us renders it.
    rendered = rendition_render(rendition_id=rendition.pk, now=now)
    if rendered is None:
        rendered = Rendition.objects.filter(pk=rendition.pk).first()
    if rendered is not None and rendered.status == S.DONE and rendered.file:
        return rendered
    return None


def download_filename(*, issue: Issue, kind: str) -> str:
    extension = "pdf" if kind == RenditionKind.PDF else "html"
    suffix = "" if kind == RenditionKind.PDF else f"-{kind}"
    return f"{issue.series.title}-{issue.date:%Y-%m-%d}{suffix}.{extension}"
