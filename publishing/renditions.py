"""Renditions: storing the outputs of the pure renderers (publishing.render) as files with their content hash.

The lifecycle of a rendition row: queued -> running -> done | failed. A row is claimed by one task at a time
(a state check under a row lock, and on PostgreSQL an advisory lock held for the whole render, which tells a
dead worker's render from a live one); the file name is derived from the issue, the kind and the content hash, so
a task that is redelivered after its worker died overwrites the same name instead of adding a second file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from editorial.models import Issue
from publishing.models import Rendition, RenditionKind, RenditionStatus
from references.models import Citation

logger = logging.getLogger(__name__)

K = RenditionKind
S = RenditionStatus

# Errors worth retrying with backoff: storage and network hiccups, a database that went away for a moment.
# Anything else (a template error, a render that was refused) fails the rendition at once.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OSError, OperationalError, InterfaceError)

RENDERER_NAMES = {K.PDF: "render_pdf", K.WECHAT: "render_wechat", K.WEB: "render_web"}
EXTENSIONS = {K.PDF: "pdf", K.WECHAT: "html", K.WEB: "html"}

# A running rendition whose task has not finished after this long is assumed lost (its worker died and the broker
# did not redeliver): another task may take it over. Renders are bounded far below this by the task time limit.
LEASE = dt.timedelta(minutes=15)
# A queued rendition whose message has not been picked up after this long is enqueued again (a broker that was
# down when the issue was approved); duplicate messages are harmless because claiming is idempotent.
REQUEUE_AFTER = dt.timedelta(minutes=10)
# A message that keeps killing its worker (reject_on_worker_lost requeues it) must not loop forever.
MAX_ATTEMPTS = 8
# Only tests set this: it makes a render slow enough to kill its worker in the middle.
TEST_DELAY_VARIABLE = "XINZHI_TEST_RENDER_DELAY"


# --- Content hash ---------------------------------------------------------------------------------------


def issue_content(issue: Issue) -> dict:
    """Everything the renderers print, as plain data: the masthead, the issue's fields, its sections with their
    analyses and topics, its citations and its public corrections. Its hash says which content a file shows."""
    series = issue.series
    sections = issue.sections.select_related("analysis").prefetch_related("topics").order_by("position")
    citations = (
        Citation.objects.filter(issue=issue)
        .select_related("source")
        .prefetch_related("sections")
        .order_by("position")
    )
    return {
        "series": {
            "title": series.title,
            "publisher": series.publisher,
            "producers": series.producers,
            "website": series.website,
            "contact_heading": series.contact_heading,
            # The image's digest, not its name: a new picture changes the hash, a re-upload of the same one not.
            "qr_codes": [
                {"label": code.label, "url": code.url, "image_sha256": code.image_sha256}
                for code in series.qr_codes.order_by("position", "pk")
            ],
            "footer_blocks": [
                {"title": block.title, "body": block.body}
                for block in series.footer_blocks.order_by("position", "pk")
            ],
        },
        "issue": {
            "date": issue.date.isoformat(),
            "number": issue.number,
            "headline": issue.headline,
            "summary": issue.summary,
        },
        "sections": [
            {
                "position": section.position,
                "headline": section.headline,
                "body": section.body,
                "analysis": getattr(getattr(section, "analysis", None), "body", ""),
                "topics": sorted(topic.name for topic in section.topics.all()),
            }
            for section in sections
        ],
        "citations": [
            {
                "position": citation.position,
                "outlet": citation.source.outlet,
                "title": citation.source.title,
                "url": citation.source.url,
                "date": citation.source.date_display,
                "note": citation.note,
                "sections": sorted(section.position for section in citation.sections.all()),
            }
            for citation in citations
        ],
        "corrections": list(issue.corrections.order_by("created_at", "pk").values_list("note", flat=True)),
    }


def issue_content_hash(issue: Issue) -> str:
    payload = json.dumps(issue_content(issue), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


# --- Requesting and enqueueing ----------------------------------------------------------------------------


def enqueue_renders(rendition_ids: Iterable[int], *, now: dt.datetime | None = None) -> None:
    """Send one render task per rendition. Call it after commit: the worker must find the rows."""
    from publishing.tasks import render_rendition

    ids = list(rendition_ids)
    if not ids:
        return
    Rendition.objects.filter(pk__in=ids).update(enqueued_at=now or timezone.now())
    for pk in ids:
        try:
            render_rendition.delay(pk)
        except Exception:
            # The transition that asked for the render has committed; a broker outage (or, with eager tasks, an
            # error of the render itself) must not undo or fail it. The row stays queued or records its error,
            # and the publication tick enqueues queued rows again (renditions_requeue_stuck).
            logger.exception("The render of rendition %s was not completed; the tick will retry it.", pk)


def renditions_request(*, issue: Issue) -> list[Rendition]:
    """Make sure the issue's current content has a rendition of every kind, and enqueue those that need work.

    A rendition that is queued, running or done for the same content is left alone (the same content is never
    rendered twice); a failed one is queued again. Renditions of other content are marked stale.
    """
    content_hash = issue_content_hash(issue)
    to_enqueue: list[int] = []
    renditions: list[Rendition] = []
    with transaction.atomic():
        Rendition.objects.filter(issue=issue).exclude(content_hash=content_hash).update(stale=True)
        Rendition.objects.filter(issue=issue, content_hash=content_hash, stale=True).update(stale=False)
        for kind in RenditionKind.values:
            rendition, created = Rendition.objects.get_or_create(
                issue=issue, kind=kind, content_hash=content_hash
            )
            if not created and rendition.status == S.FAILED:
                created = bool(
                    Rendition.objects.filter(pk=rendition.pk, status=S.FAILED).update(
                        status=S.QUEUED, error="", finished_at=None, attempts=0
                    )
                )
            if created:
                to_enqueue.append(rendition.pk)
            renditions.append(rendition)
        transaction.on_commit(lambda: enqueue_renders(to_enqueue))
    return renditions


def renditions_mark_stale(*, issue: Issue) -> int:
    """The issue was reopened: what was rendered no longer stands for approved content."""
    return Rendition.objects.filter(issue=issue, stale=False).update(stale=True)


def rendition_retry(*, rendition: Rendition) -> bool:
    """Queue a failed rendition again (the admin's 重新生成). Returns whether it was queued."""
    with transaction.atomic():
        queued = Rendition.objects.filter(pk=rendition.pk, status=S.FAILED).update(
            status=S.QUEUED, error="", finished_at=None, attempts=0
        )
        if queued:
            transaction.on_commit(lambda: enqueue_renders([rendition.pk]))
    return bool(queued)


def renditions_requeue_stuck(*, now: dt.datetime) -> list[int]:
    """Enqueue again what a broker outage or a lost worker left behind (called by the publication tick)."""
    waited = now - REQUEUE_AFTER
    stuck = Rendition.objects.filter(
        Q(status=S.QUEUED, enqueued_at__lt=waited)
        | Q(status=S.QUEUED, enqueued_at__isnull=True, created_at__lt=waited)
        | Q(status=S.RUNNING, started_at__lt=now - LEASE)
    ).order_by("pk")
    ids = list(stuck.values_list("pk", flat=True)[:100])
    enqueue_renders(ids, now=now)
    return ids


# --- Rendering --------------------------------------------------------------------------------------------


def get_renderer(kind: str) -> Callable[[Issue], str | bytes]:
    # Imported when used: the renderers pull in WeasyPrint, which the web process does not need at start-up.
    module = importlib.import_module("publishing.render")
    return getattr(module, RENDERER_NAMES[kind])


def rendition_filename(rendition: Rendition) -> str:
    issue = rendition.issue
    return (
        f"{issue.series.slug}-{issue.date:%Y-%m-%d}-{rendition.kind}-{rendition.content_hash[:12]}"
        f".{EXTENSIONS[rendition.kind]}"
    )


def _store(rendition: Rendition, data: bytes) -> str:
    field = rendition.file.field
    name = field.generate_filename(rendition, rendition_filename(rendition))
    storage = field.storage
    # The name belongs to this rendition alone; whatever is there is a leftover of an attempt that died.
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(data))


# The namespace of the PostgreSQL advisory locks held while a rendition renders (the first key of the pair).
RENDER_LOCK_NAMESPACE = 0x52454E44 & 0x7FFFFFFF


@contextmanager
def _render_lock(rendition_id: int) -> Iterator[bool | None]:
    """Hold a session-level advisory lock on the rendition while it renders (PostgreSQL only).

    The lock belongs to the worker's database session, so it is released the moment the worker dies: whoever can
    take it knows that nobody alive is rendering the rendition, whatever the row says. Yields True (held), False
    (someone alive holds it) or None (no advisory locks on this database: the embedded single-process default).
    """
    if connection.vendor != "postgresql":
        yield None
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RENDER_LOCK_NAMESPACE, rendition_id])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RENDER_LOCK_NAMESPACE, rendition_id])
            except DatabaseError:
                logger.warning(
                    "Could not release the render lock of rendition %s.", rendition_id, exc_info=True
                )


def _claim(*, rendition_id: int, token: str, now: dt.datetime, holder_gone: bool) -> Rendition | None:
    with transaction.atomic():
        rendition = (
            Rendition.objects.select_for_update()
            .select_related("issue__series")
            .filter(pk=rendition_id)
            .first()
        )
        if rendition is None:
            logger.warning("Rendition %s no longer exists; nothing to render.", rendition_id)
            return None
        # A running rendition is taken over only when its task is known to be gone: its render lock is free
        # (PostgreSQL), or, without advisory locks, the same message came back (the broker redelivers only what was
        # never acknowledged) or its lease ran out.
        taken_over = rendition.status == S.RUNNING and (
            holder_gone
            or rendition.claimed_by == token
            or (rendition.started_at is not None and rendition.started_at < now - LEASE)
        )
        if rendition.status != S.QUEUED and not taken_over:
            return None
        if rendition.attempts >= MAX_ATTEMPTS:
            rendition.status = S.FAILED
            rendition.error = _("已尝试 %(n)s 次仍未完成，已停止重试。") % {"n": rendition.attempts}
            rendition.finished_at = now
            rendition.save(update_fields=["status", "error", "finished_at"])
            return None
        rendition.status = S.RUNNING
        rendition.claimed_by = token
        rendition.attempts += 1
        rendition.started_at = now
        rendition.finished_at = None
        rendition.save(update_fields=["status", "claimed_by", "attempts", "started_at", "finished_at"])
    return rendition


def _record(*, rendition: Rendition, token: str, **fields) -> bool:
    """Write the outcome only if this task still holds the rendition (nobody took it over meanwhile)."""
    return bool(
        Rendition.objects.filter(pk=rendition.pk, status=S.RUNNING, claimed_by=token).update(**fields)
    )


def _error_text(exc: BaseException) -> str:
    # The renderers' own errors are written for the newsroom; anything else gets its type for the admin.
    if type(exc).__module__.startswith("publishing.render") and str(exc):
        return str(exc)[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


def rendition_render(
    *, rendition_id: int, token: str = "", now: dt.datetime | None = None
) -> Rendition | None:
    """Render one rendition if it is this caller's to render, and store the file.

    Returns the rendition as stored afterwards, or None if there was nothing to do (done already, taken by
    another live task, or deleted). Transient errors are re-raised, with the row queued again, so that the task
    retries; any other error marks the rendition failed with the error text.
    """
    token = token or uuid.uuid4().hex
    with _render_lock(rendition_id) as locked:
        if locked is False:
            return None  # a live task is rendering it right now and will record the outcome
        rendition = _claim(
            rendition_id=rendition_id, token=token, now=now or timezone.now(), holder_gone=bool(locked)
        )
        if rendition is None:
            return None
        return _render_claimed(rendition=rendition, token=token)


def _render_claimed(*, rendition: Rendition, token: str) -> Rendition | None:
    issue = rendition.issue
    started = time.monotonic()
    try:
        delay = float(os.environ.get(TEST_DELAY_VARIABLE) or 0)
        if delay:
            time.sleep(delay)
        if issue_content_hash(issue) == rendition.content_hash:
            output = get_renderer(rendition.kind)(issue)
            data = output.encode() if isinstance(output, str) else bytes(output)
            changed = issue_content_hash(issue) != rendition.content_hash
        else:
            changed = True
        if changed:
            # Rendering now would label other content with this rendition's hash.
            _record(
                rendition=rendition,
                token=token,
                status=S.FAILED,
                stale=True,
                error=_("生成前期刊内容已被修改，此成品已作废；重新批准后会按新内容生成。"),
                duration=time.monotonic() - started,
                finished_at=timezone.now(),
            )
            return Rendition.objects.filter(pk=rendition.pk).first()
        if not data:
            raise ValueError(_("渲染结果为空。"))
        name = _store(rendition, data)
    except TRANSIENT_ERRORS as exc:
        logger.warning("Rendition %s hit a transient error, will retry: %s", rendition.pk, exc)
        _record(
            rendition=rendition,
            token=token,
            status=S.QUEUED,
            error=_error_text(exc),
            duration=time.monotonic() - started,
        )
        raise
    except Exception as exc:
        logger.exception("Rendition %s failed.", rendition.pk)
        _record(
            rendition=rendition,
            token=token,
            status=S.FAILED,
            error=_error_text(exc),
            duration=time.monotonic() - started,
            finished_at=timezone.now(),
        )
        return Rendition.objects.filter(pk=rendition.pk).first()

    finished = _record(
        rendition=rendition,
        token=token,
        status=S.DONE,
        file=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        error="",
        duration=time.monotonic() - started,
        finished_at=timezone.now(),
    )
    if not finished:
        # Another task took the rendition over (our lease ran out); keep only the file it records.
        recorded = Rendition.objects.filter(pk=rendition.pk).values_list("file", flat=True).first()
        if recorded != name:
            rendition.file.field.storage.delete(name)
    return Rendition.objects.filter(pk=rendition.pk).first()


def rendition_fail(*, rendition_id: int, error: str) -> bool:
    """Retries are exhausted: record the failure where the newsroom shows it."""
    return bool(
        Rendition.objects.filter(pk=rendition_id, status__in=[S.QUEUED, S.RUNNING]).update(
            status=S.FAILED, error=error[:2000], finished_at=timezone.now()
        )
    )


# --- Selectors --------------------------------------------------------------------------------------------


def current_rendition(*, issue: Issue, kind: str) -> Rendition | None:
    """The file to offer for `kind`: the newest done rendition that is not stale, else the newest done one."""
    done = Rendition.objects.filter(issue=issue, kind=kind, status=S.DONE).order_by("-finished_at", "-pk")
    return done.filter(stale=False).first() or done.first()


def rendition_status(*, issue: Issue) -> dict:
    """What the newsroom shows live: for every kind, the rendition of the current content (or the newest one),
    its status, error, link and timings. Plain JSON-ready data."""
    content_hash = issue_content_hash(issue)
    rows = list(issue.renditions.order_by("-created_at", "-pk"))
    kinds = []
    for kind, label in RenditionKind.choices:
        of_kind = [r for r in rows if r.kind == kind]
        rendition = next((r for r in of_kind if r.content_hash == content_hash), None) or next(
            iter(of_kind), None
        )
        entry = {"kind": kind, "label": str(label), "id": None, "status": None, "status_label": ""}
        if rendition is not None:
            entry.update(
                id=rendition.pk,
                status=rendition.status,
                status_label=str(rendition.get_status_display()),
                stale=rendition.stale or rendition.content_hash != content_hash,
                error=rendition.error,
                # Never the storage's URL: the file goes out through the view that checks who asks.
                url=reverse("renditions:file", args=[rendition.pk])
                if rendition.status == S.DONE and rendition.file
                else None,
                size=rendition.size,
                sha256=rendition.sha256,
                duration=rendition.duration,
                attempts=rendition.attempts,
                started_at=rendition.started_at.isoformat() if rendition.started_at else None,
                finished_at=rendition.finished_at.isoformat() if rendition.finished_at else None,
            )
        kinds.append(entry)
    return {
        "issue": issue.pk,
        "content_hash": content_hash,
        "renditions": kinds,
        "all_done": all(k["status"] == S.DONE and not k.get("stale") for k in kinds),
        "any_failed": any(k["status"] == S.FAILED for k in kinds),
    }
