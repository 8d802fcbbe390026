"""Changes to an issue's 参考文献: add, update, remove and reorder citations; find or create their sources.

Keyword-only, one transaction each, like editorial.services: the issue row is locked, the user's role and the
issue's state are checked on the server (content is editable only in a draft), and refusals raise an
EditorialError subclass the views turn into a clear message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from editorial import dates
from editorial.cleaning import clean_text
from editorial.errors import InvalidInput, TransitionForbidden, TransitionNotAllowed
from editorial.models import ContentPart, Issue
from editorial.roles import can_edit_content
from editorial.services import content_change_record, renumber
from references.models import Citation, DatePrecision, Source, SourceKind, source_fingerprint

MAX_NOTE_LENGTH = 500


def _lock_editable(*, issue: Issue, user, permission: str) -> Issue:
    """Lock the issue row and check that `user` may change its citations now. Call inside atomic()."""
    # A reviewer whose series lets reviewers edit content may fix the references too.
    allowed = user.has_perm(permission) or (
        issue.series.reviewers_may_edit and user.has_perm("editorial.review_issue")
    )
    if not (can_edit_content(user, issue) and allowed):
        raise TransitionForbidden(_("您没有权限修改本期参考文献。"))
    locked = Issue.objects.select_for_update().select_related("series").get(pk=issue.pk)
    if not locked.is_editable:
        raise TransitionNotAllowed(
            _("本期状态为“%(state)s”，参考文献已冻结；如需修改请先重新打开。")
            % {"state": locked.get_state_display()}
        )
    return locked


def _clean_note(note: str | None) -> str:
    text = clean_text(note)
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidInput(_("用途说明太长（最多 500 字）。"))
    return text


def _sections_of(issue: Issue, section_ids: Iterable[int]) -> list[int]:
    wanted = {int(pk) for pk in section_ids}
    found = set(issue.sections.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise InvalidInput(_("所选条目不属于本期。"))
    return sorted(found)


def _guess_kind(outlet: str) -> str:
    try:
        from references.kinds import guess_kind
    except ImportError:
        return SourceKind.OTHER
    return guess_kind(outlet)


def source_find_or_create(
    *,
    user,
    outlet: str,
    title: str,
    url: str = "",
    date: dt.date | None = None,
    precision: str = DatePrecision.DAY,
    kind: str = "",
) -> Source:
    """The source with this outlet, title and date, created if no spelling of it exists yet. `date`, when
    given, lies in editorial.dates.BULLETIN_YEARS (InvalidInput otherwise)."""
    if not user.has_perm("references.add_source"):
        raise TransitionForbidden(_("您没有权限新建来源。"))
    # Cleaned before the checks, so that a title of invisible characters is missing, not present.
    outlet, title, url = clean_text(outlet), clean_text(title), clean_text(url)
    if not outlet or not title:
        raise InvalidInput(_("新建来源需要填写发布机构和标题。"))
    if len(outlet) > 200 or len(title) > 500:
        raise InvalidInput(_("发布机构（最多 200 字）或标题（最多 500 字）太长。"))
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise InvalidInput(_("链接必须是以 http:// 或 https:// 开头的网址。")) from None
    if date is not None:
        dates.check_date(date)
    if precision not in DatePrecision.values:
        raise InvalidInput(_("日期精度无效。"))
    if kind and kind not in SourceKind.values:
        raise InvalidInput(_("来源类型无效。"))
    if date and precision == DatePrecision.MONTH:
        date = date.replace(day=1)
    fingerprint = source_fingerprint(outlet=outlet, title=title, date=date, precision=precision)
    existing = Source.objects.filter(fingerprint=fingerprint).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Source.objects.create(
                outlet=outlet,
                title=title,
                url=url,
                date=date,
                date_precision=precision,
                kind=kind or _guess_kind(outlet),
            )
    except IntegrityError:
        # Someone created the same source between the lookup and the insert.
        return Source.objects.get(fingerprint=fingerprint)


def citation_add(
    *, issue: Issue, user, source: Source, note: str = "", section_ids: Iterable[int] = ()
) -> Citation:
    """Cite `source` in `issue`, at the end of its 参考文献."""
    note = _clean_note(note)
    with transaction.atomic():
        locked = _lock_editable(issue=issue, user=user, permission="references.add_citation")
        if Citation.objects.filter(issue=locked, source=source).exists():
            raise InvalidInput(_("该来源已在本期参考文献中。"))
        sections = _sections_of(locked, section_ids)
        position = (locked.citations.aggregate(n=Max("position"))["n"] or 0) + 1
        citation = Citation.objects.create(issue=locked, source=source, position=position, note=note)
        citation.sections.set(sections)
        content_change_record(issue=locked, user=user, part=ContentPart.CITATIONS)
    return citation


def citation_update(*, citation: Citation, user, note: str, section_ids: Iterable[int]) -> Citation:
    """Change what a citation was used for (用于…) and the sections it supports."""
    note = _clean_note(note)
    with transaction.atomic():
        locked = _lock_editable(issue=citation.issue, user=user, permission="references.change_citation")
        sections = _sections_of(locked, section_ids)
        Citation.objects.filter(pk=citation.pk).update(note=note)
        citation.refresh_from_db()
        citation.sections.set(sections)
        content_change_record(issue=locked, user=user, part=ContentPart.CITATIONS)
    return citation


def citation_remove(*, citation: Citation, user) -> None:
    with transaction.atomic():
        locked = _lock_editable(issue=citation.issue, user=user, permission="references.delete_citation")
        citation.delete()
        order = list(locked.citations.order_by("position").values_list("pk", flat=True))
        renumber(model=Citation, issue=locked, order=order)
        content_change_record(issue=locked, user=user, part=ContentPart.CITATIONS)


def citations_reorder(*, issue: Issue, user, order: list[int]) -> None:
    """Put the citations of `issue` in the order of the citation ids in `order`."""
    with transaction.atomic():
        locked = _lock_editable(issue=issue, user=user, permission="references.change_citation")
        existing = set(locked.citations.values_list("pk", flat=True))
        if set(order) != existing or len(order) != len(existing):
            raise InvalidInput(_("排序必须恰好包含本期的全部参考文献。"))
        renumber(model=Citation, issue=locked, order=order)
        content_change_record(issue=locked, user=user, part=ContentPart.CITATIONS)
