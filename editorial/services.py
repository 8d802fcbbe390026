"""Content changes to issues and sections. Keyword-only, one transaction each, optimistic locking.

Every content save carries the version the user started from; if someone else saved in between, the save is
refused with StaleVersion (holding what is stored now) instead of silently overwriting. Every section save
writes a Revision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Model
from django.utils.text import slugify
from django.utils.translation import gettext as _

from editorial import dates
from editorial.cleaning import clean_text
from editorial.errors import (
    DuplicateIssue,
    InvalidInput,
    StaleVersion,
    TransitionForbidden,
    TransitionNotAllowed,
)
from editorial.models import Analysis, ContentChange, ContentPart, Issue, Revision, Section, Series, Topic
from editorial.roles import can_edit_content

SECTION_FIELDS = ("headline", "body", "analysis", "topics")
ISSUE_FIELDS = ("headline", "summary", "number")


def _require_editable(*, issue: Issue, user, frozen_ok: bool = False) -> None:
    if user is not None and not can_edit_content(user, issue):
        raise TransitionForbidden(_("您没有权限修改本期内容。"))
    if not frozen_ok and not issue.is_editable:
        raise TransitionNotAllowed(
            _("本期状态为“%(state)s”，内容已冻结；如需修改请先重新打开。")
            % {"state": issue.get_state_display()}
        )


def content_change_record(*, issue: Issue, user, part: str) -> None:
    """Record that `user` changed `part` (a ContentPart) of `issue`, for the four-eyes rule. Call inside the
    transaction that makes the change, so the record exists exactly when the change does. Nothing is recorded
    for the system (user None: imports, the daily draft)."""
    if user is not None and user.pk is not None:
        ContentChange.objects.create(issue_id=issue.pk, actor=user, part=part)


def topics_from_names(names: Iterable[str]) -> list[Topic]:
    topics = []
    for raw in names:
        # Cleaned as Topic.name will be, so that the lookup finds what the insert would collide with.
        name = clean_text(raw)
        if not name:
            continue
        if len(name) > 50:
            raise InvalidInput(_("主题“%(name)s”太长（最多 50 字）。") % {"name": name[:20]})
        topic = Topic.objects.filter(name=name).first()
        if topic is None:
            slug = slugify(name, allow_unicode=True) or f"topic-{Topic.objects.count() + 1}"
            while Topic.objects.filter(slug=slug).exists():
                slug = f"{slug}-{Topic.objects.count() + 1}"
            topic = Topic.objects.create(name=name, slug=slug)
        topics.append(topic)
    return topics


def section_snapshot(section: Section) -> dict:
    analysis = getattr(section, "analysis", None)
    return {
        "headline": section.headline,
        "body": section.body,
        "analysis": analysis.body if analysis else "",
        "topics": sorted(section.topics.values_list("name", flat=True)),
        "version": section.version,
    }


def _write_revision(*, section: Section, user) -> Revision:
    last = section.revisions.aggregate(n=Max("number"))["n"] or 0
    data = section_snapshot(section)
    return Revision.objects.create(section=section, number=last + 1, author=user, data=data)


def _clean_section_data(data: dict) -> dict:
    unknown = set(data) - set(SECTION_FIELDS)
    if unknown:
        raise InvalidInput(_("未知字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    cleaned = dict(data)
    if "headline" in cleaned:
        cleaned["headline"] = clean_text(cleaned["headline"])
        if not cleaned["headline"]:
            raise InvalidInput(_("条目标题不能为空。"))
        if len(cleaned["headline"]) > 200:
            raise InvalidInput(_("条目标题太长（最多 200 字）。"))
    for field in ("body", "analysis"):
        if field in cleaned and len(cleaned[field] or "") > 200_000:
            raise InvalidInput(_("正文太长。"))
    return cleaned


def _clean_number(value) -> int | None:
    # The number comes from forms and import files; anything but a positive whole number would reach the
    # database as a type error or a misleading "number taken" message.
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(_("期号必须是正整数。"))
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(_("期号必须是正整数。")) from None
    if number < 1 or number > 2_147_483_647:
        raise InvalidInput(_("期号必须是正整数。"))
    return number


def _clean_issue_headline(value: str | None) -> str:
    headline = clean_text(value)
    if len(headline) > 200:
        raise InvalidInput(_("本期标题太长（最多 200 字）。"))
    return headline


def _apply_section_data(*, section: Section, data: dict) -> None:
    if "headline" in data:
        section.headline = data["headline"]
    if "body" in data:
        section.body = data["body"] or ""
    section.version = F("version") + 1
    section.save()
    section.refresh_from_db(fields=["version", "body", "headline"])
    if "analysis" in data:
        Analysis.objects.update_or_create(section=section, defaults={"body": data["analysis"] or ""})
    if "topics" in data:
        section.topics.set(topics_from_names(data["topics"] or []))


def issue_create(
    *, series: Series, date: dt.date, user, headline: str = "", summary: str = "", number: int | None = None
) -> Issue:
    """Create a draft dated `date` (a date in editorial.dates.BULLETIN_YEARS, else InvalidInput).
    Raises DuplicateIssue when the date or number is taken."""
    if user is not None and not user.has_perm("editorial.add_issue"):
        raise TransitionForbidden(_("您没有权限新建期刊。"))
    dates.check_date(date)
    if isinstance(date, dt.datetime):
        raise InvalidInput(_("日期无效。"))
    headline = _clean_issue_headline(headline)
    number = _clean_number(number)
    with transaction.atomic():
        if Issue.objects.filter(series=series, date=date).exists():
            raise DuplicateIssue(_("%(date)s 的期刊已经存在。") % {"date": date.isoformat()})
        if number is None:
            number = (Issue.objects.filter(series=series).aggregate(n=Max("number"))["n"] or 0) + 1
        try:
            with transaction.atomic():
                issue = Issue.objects.create(
                    series=series,
                    date=date,
                    number=number,
                    headline=headline,
                    summary=summary.strip(),
                    created_by=user,
                )
                if issue.headline or issue.summary:
                    content_change_record(issue=issue, user=user, part=ContentPart.ISSUE)
                return issue
        except IntegrityError:
            raise DuplicateIssue(
                _("%(date)s 的期刊或期号 %(number)s 已经存在。")
                % {
                    "date": date.isoformat(),
                    "number": number,
                }
            ) from None


def issue_update(*, issue: Issue, user, data: dict, version: int) -> Issue:
    """Change the issue's own fields (headline, summary, number)."""
    unknown = set(data) - set(ISSUE_FIELDS)
    if unknown:
        raise InvalidInput(_("未知字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    cleaned = dict(data)
    if "headline" in cleaned:
        cleaned["headline"] = _clean_issue_headline(cleaned["headline"])
    if "number" in cleaned:
        cleaned["number"] = _clean_number(cleaned["number"])
    with transaction.atomic():
        locked = Issue.objects.select_for_update().select_related("series").get(pk=issue.pk)
        _require_editable(issue=locked, user=user)
        if locked.version != version:
            raise StaleVersion(
                _("其他人已在您之后保存了本期信息，请合并后再保存。"),
                current={
                    "headline": locked.headline,
                    "summary": locked.summary,
                    "number": locked.number,
                    "version": locked.version,
                },
                submitted=dict(data),
            )
        if "headline" in cleaned:
            locked.headline = cleaned["headline"]
        if "summary" in cleaned:
            locked.summary = (cleaned["summary"] or "").strip()
        if "number" in cleaned:
            locked.number = cleaned["number"]
        locked.version += 1
        try:
            with transaction.atomic():
                locked.save()
                content_change_record(issue=locked, user=user, part=ContentPart.ISSUE)
        except IntegrityError:
            raise DuplicateIssue(
                _("期号 %(number)s 已被其他期刊使用。") % {"number": cleaned.get("number")}
            ) from None
    issue.refresh_from_db()
    return issue


def section_create(
    *,
    issue: Issue,
    user,
    headline: str,
    body: str = "",
    analysis: str = "",
    topics: Iterable[str] = (),
    frozen_ok: bool = False,
) -> Section:
    data = _clean_section_data(
        {"headline": headline, "body": body, "analysis": analysis, "topics": list(topics)}
    )
    with transaction.atomic():
        locked = Issue.objects.select_for_update().select_related("series").get(pk=issue.pk)
        _require_editable(issue=locked, user=user, frozen_ok=frozen_ok)
        position = (locked.sections.aggregate(n=Max("position"))["n"] or 0) + 1
        section = Section.objects.create(
            issue=locked, position=position, headline=data["headline"], body=data["body"], author=user
        )
        Analysis.objects.create(section=section, body=data["analysis"])
        section.topics.set(topics_from_names(data["topics"]))
        _write_revision(section=section, user=user)
        content_change_record(issue=locked, user=user, part=ContentPart.SECTIONS)
    return section


def section_save(*, section: Section, user, data: dict, version: int, frozen_ok: bool = False) -> Section:
    """Save a section's headline, body, analysis and topics, refusing a stale `version`."""
    data = _clean_section_data(data)
    with transaction.atomic():
        locked = Section.objects.select_for_update().select_related("issue__series").get(pk=section.pk)
        _require_editable(issue=locked.issue, user=user, frozen_ok=frozen_ok)
        if locked.version != version:
            raise StaleVersion(
                _("其他人已在您之后保存了这一条目，请查看对方的修改并合并后再保存。"),
                current=section_snapshot(locked),
                submitted=data,
            )
        _apply_section_data(section=locked, data=data)
        _write_revision(section=locked, user=user)
        content_change_record(issue=locked.issue, user=user, part=ContentPart.SECTIONS)
    section.refresh_from_db()
    return section


def section_restore(*, section: Section, user, revision: Revision, version: int) -> Section:
    """Restore an earlier revision; the restore is itself a new revision."""
    if revision.section_id != section.pk:
        raise InvalidInput(_("该版本不属于这一条目。"))
    data = {key: revision.data.get(key, "") for key in SECTION_FIELDS}
    data["topics"] = revision.data.get("topics", [])
    return section_save(section=section, user=user, data=data, version=version)


def section_delete(*, section: Section, user) -> None:
    with transaction.atomic():
        locked = Issue.objects.select_for_update().select_related("series").get(pk=section.issue_id)
        _require_editable(issue=locked, user=user)
        section.delete()
        renumber(model=Section, issue=locked, order=[s.pk for s in locked.sections.order_by("position")])
        content_change_record(issue=locked, user=user, part=ContentPart.SECTIONS)


def sections_reorder(*, issue: Issue, user, order: list[int]) -> None:
    """Put the sections of `issue` in the order of the section ids in `order`."""
    with transaction.atomic():
        locked = Issue.objects.select_for_update().select_related("series").get(pk=issue.pk)
        _require_editable(issue=locked, user=user)
        existing = set(locked.sections.values_list("pk", flat=True))
        if set(order) != existing or len(order) != len(existing):
            raise InvalidInput(_("排序必须恰好包含本期的全部条目。"))
        renumber(model=Section, issue=locked, order=order)
        content_change_record(issue=locked, user=user, part=ContentPart.SECTIONS)


def renumber(*, model: type[Model], issue: Issue, order: list[int]) -> None:
    """Number the rows of `model` (sections, citations) that belong to `issue` 1, 2, … in the order of the ids
    in `order`. The caller holds the issue's lock."""
    # Two passes so that no intermediate state breaks the unique (issue, position) constraint.
    offset = len(order) + 1000
    model.objects.filter(issue=issue).update(position=F("position") + offset)
    for position, pk in enumerate(order, start=1):
        model.objects.filter(pk=pk, issue=issue).update(position=position)
