"""Renditions follow the workflow: approve renders, reopen makes stale, a correction adds new files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import FileSystemStorage, storages
from django.urls import reverse
from django.utils import timezone

from editorial import services, workflow
from publishing import renditions
from publishing.models import Rendition, RenditionKind, RenditionStatus
from references.models import Citation, Source
from tests.publishing import renditions_support
from tests.publishing.renditions_support import sha256_of, stored_files, submit_and_approve

# The shared fixtures of the rendition tests.
media = renditions_support.media
fake_renderers = renditions_support.fake_renderers

KINDS = {"pdf", "wechat", "web"}
S = RenditionStatus


@pytest.fixture
def approved(make_issue, writer, reviewer, media, eager, fake_renderers, django_capture_on_commit_callbacks):
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_approve(issue, writer=writer, reviewer=reviewer)
    return issue


def reopen_edit_and_approve(issue, *, writer, reviewer, callbacks, headline="改过的标题"):
    with callbacks(execute=True):
        workflow.issue_reopen(issue=issue, user=reviewer, reason="需要修改")
    if headline:
        section = issue.sections.get(position=1)
        services.section_save(
            section=section, user=writer, data={"headline": headline}, version=section.version
        )
    with callbacks(execute=True):
        submit_and_approve(issue, writer=writer, reviewer=reviewer)


def test_approving_renders_the_three_kinds_and_stores_their_bytes(approved, media, fake_renderers):
    rows = list(Rendition.objects.filter(issue=approved))
    assert {r.kind for r in rows} == KINDS
    content_hash = renditions.issue_content_hash(approved)
    for rendition in rows:
        assert rendition.status == S.DONE, rendition.error
        assert rendition.content_hash == content_hash
        assert rendition.attempts == 1 and rendition.error == "" and not rendition.stale
        path = media / rendition.file.name
        assert rendition.file.name.startswith("renditions/2026-07-01/")
        assert path.stat().st_size == rendition.size > 0
        assert sha256_of(path) == rendition.sha256
        assert rendition.duration is not None and rendition.finished_at >= rendition.started_at
    assert len(stored_files(media)) == 3
    assert fake_renderers.count() == 3


def test_approving_enqueues_the_renders_only_after_commit(
    make_issue, writer, reviewer, media, monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[list[int]] = []
    monkeypatch.setattr(renditions, "enqueue_renders", lambda ids, **kw: sent.append(list(ids)))
    issue = make_issue()
    workflow.issue_submit(issue=issue, user=writer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.issue_approve(issue=issue, user=reviewer)
    assert not Rendition.objects.exists() and sent == []

    with django_capture_on_commit_callbacks(execute=True):  # the commit: the signal reaches publishing
        for callback in callbacks:
            callback()
    queued = Rendition.objects.filter(issue=issue)
    assert {r.kind: r.status for r in queued} == {k: S.QUEUED for k in KINDS}
    assert sent == [sorted(r.pk for r in queued)]


def test_reopening_marks_the_renditions_stale(approved, writer, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_reopen(issue=approved, user=reviewer, reason="数据有误")
    assert set(Rendition.objects.filter(issue=approved).values_list("stale", flat=True)) == {True}
    status = renditions.rendition_status(issue=approved)
    assert all(entry["stale"] for entry in status["renditions"])
    assert status["all_done"] is False


def test_reapproving_unchanged_content_renders_nothing_new(
    approved, writer, reviewer, fake_renderers, media, django_capture_on_commit_callbacks
):
    before = {r.pk: (r.sha256, r.finished_at) for r in Rendition.objects.all()}
    reopen_edit_and_approve(
        approved, writer=writer, reviewer=reviewer, callbacks=django_capture_on_commit_callbacks, headline=""
    )
    after = Rendition.objects.all()
    assert {r.pk: (r.sha256, r.finished_at) for r in after} == before
    assert not any(r.stale for r in after)
    assert fake_renderers.count() == 3
    assert len(stored_files(media)) == 3


def test_reapproving_changed_content_adds_renditions_and_keeps_the_old_ones_stale(
    approved, writer, reviewer, fake_renderers, media, django_capture_on_commit_callbacks
):
    old = {r.pk: r.file.name for r in Rendition.objects.all()}
    reopen_edit_and_approve(
        approved, writer=writer, reviewer=reviewer, callbacks=django_capture_on_commit_callbacks
    )
    new = Rendition.objects.exclude(pk__in=old)
    assert {r.kind for r in new} == KINDS and all(r.status == S.DONE and not r.stale for r in new)
    assert all(Rendition.objects.get(pk=pk).stale for pk in old)
    assert all(b"\xe6\x94\xb9\xe8\xbf\x87" in (media / r.file.name).read_bytes() for r in new)  # 改过
    assert len(stored_files(media)) == 6


def test_a_correction_keeps_the_published_files_and_adds_new_renditions(
    approved, writer, admin_user, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_publish(issue=approved, user=admin_user)
    published = {r.pk: (r.file.name, r.sha256) for r in Rendition.objects.all()}
    assert len(published) == 3  # publishing found the renditions in place and rendered nothing

    def changes(locked):
        section = locked.sections.get(position=2)
        services.section_save(
            section=section,
            user=admin_user,
            data={"body": "<p>更正后的新闻</p>"},
            version=section.version,
            frozen_ok=True,
        )

    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_correct(issue=approved, user=admin_user, note="更正了第二条的数据", changes=changes)

    for pk, (name, sha) in published.items():
        rendition = Rendition.objects.get(pk=pk)
        assert rendition.stale and rendition.status == S.DONE
        assert sha256_of(media / name) == sha  # the file readers downloaded is still there, unchanged
    corrected = Rendition.objects.exclude(pk__in=published)
    assert {r.kind for r in corrected} == KINDS
    assert all(r.status == S.DONE and not r.stale for r in corrected)
    assert {r.content_hash for r in corrected} == {renditions.issue_content_hash(approved)}
    assert len(stored_files(media)) == 6
    assert renditions.current_rendition(issue=approved, kind="pdf") in corrected


def test_publishing_renders_what_the_approval_could_not(
    make_issue, writer, reviewer, admin_user, media, eager, fake_renderers, django_capture_on_commit_callbacks
):
    issue = make_issue()
    submit_and_approve(issue, writer=writer, reviewer=reviewer)  # its on-commit work was lost
    assert not Rendition.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_publish(issue=issue, user=admin_user)
    assert {r.kind: r.status for r in Rendition.objects.filter(issue=issue)} == {k: S.DONE for k in KINDS}


def test_a_failing_renderer_records_the_failure_and_the_others_still_finish(
    make_issue, writer, reviewer, media, eager, fake_renderers, django_capture_on_commit_callbacks
):
    fake_renderers.fail_always["pdf"] = ValueError("模板错误：缺少刊头")
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_approve(issue, writer=writer, reviewer=reviewer)
    pdf = Rendition.objects.get(issue=issue, kind="pdf")
    assert pdf.status == S.FAILED
    assert pdf.error == "ValueError: 模板错误：缺少刊头"
    assert pdf.attempts == 1 and not pdf.file and pdf.finished_at is not None
    assert set(Rendition.objects.exclude(kind="pdf").values_list("status", flat=True)) == {S.DONE}
    status = renditions.rendition_status(issue=issue)
    assert status["any_failed"] is True
    assert next(e for e in status["renditions"] if e["kind"] == "pdf")["error"] == pdf.error


def test_a_refused_render_shows_the_renderers_own_message(
    make_issue, writer, reviewer, media, eager, fake_renderers, django_capture_on_commit_callbacks
):
    from publishing.render import RenderTimeout

    fake_renderers.fail_always["pdf"] = RenderTimeout("PDF 生成超过 60 秒，已中止。")
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_approve(issue, writer=writer, reviewer=reviewer)
    pdf = Rendition.objects.get(issue=issue, kind="pdf")
    assert pdf.status == S.FAILED and pdf.attempts == 1  # not retried: it would time out again
    assert pdf.error == "PDF 生成超过 60 秒，已中止。"


def test_a_failed_rendition_is_rendered_again_when_the_issue_is_approved_again(
    make_issue, writer, reviewer, media, eager, fake_renderers, django_capture_on_commit_callbacks
):
    fake_renderers.fail_always["wechat"] = ValueError("坏了")
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_approve(issue, writer=writer, reviewer=reviewer)
    failed = Rendition.objects.get(issue=issue, kind="wechat")
    assert failed.status == S.FAILED

    del fake_renderers.fail_always["wechat"]
    reopen_edit_and_approve(
        issue, writer=writer, reviewer=reviewer, callbacks=django_capture_on_commit_callbacks, headline=""
    )
    failed.refresh_from_db()
    assert failed.status == S.DONE and failed.error == "" and failed.attempts == 1
    assert Rendition.objects.filter(issue=issue).count() == 3


def test_content_changed_before_the_render_voids_the_rendition(
    make_issue, writer, reviewer, media, fake_renderers, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(renditions, "enqueue_renders", lambda ids, **kw: None)  # the queue is slow today
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_approve(issue, writer=writer, reviewer=reviewer)
        workflow.issue_reopen(issue=issue, user=reviewer, reason="撤回修改")
    section = issue.sections.get(position=1)
    services.section_save(section=section, user=writer, data={"headline": "新标题"}, version=section.version)

    pdf = Rendition.objects.get(issue=issue, kind="pdf")
    result = renditions.rendition_render(rendition_id=pdf.pk, token="t1")
    assert result.status == S.FAILED and result.stale and "已被修改" in result.error
    assert fake_renderers.count() == 0 and not result.file


def test_the_content_hash_follows_what_the_renderers_print(draft_issue, writer):
    first = renditions.issue_content_hash(draft_issue)
    assert first == renditions.issue_content_hash(draft_issue) and len(first) == 64

    source = Source.objects.create(outlet="国家数据局", title="数据要素行动计划", date=dt.date(2026, 6, 1))
    citation = Citation.objects.create(issue=draft_issue, source=source, position=1, note="用于分析")
    with_citation = renditions.issue_content_hash(draft_issue)
    assert with_citation != first

    citation.sections.add(draft_issue.sections.get(position=1))
    assert renditions.issue_content_hash(draft_issue) != with_citation

    draft_issue.series.title = "新刊名"
    draft_issue.series.save()
    draft_issue.refresh_from_db()
    assert renditions.issue_content_hash(draft_issue) not in {first, with_citation}


def test_rendition_status_reports_each_kind_for_the_newsroom(approved, media):
    status = renditions.rendition_status(issue=approved)
    assert status["all_done"] is True and status["any_failed"] is False
    assert [e["kind"] for e in status["renditions"]] == ["pdf", "wechat", "web"]
    pdf = status["renditions"][0]
    assert pdf["status"] == "done" and pdf["status_label"] == "已完成" and pdf["label"] == "PDF"
    # The newsroom route that checks who asks, never the storage's own address.
    assert pdf["url"] == reverse("renditions:file", args=[pdf["id"]])
    assert pdf["size"] > 0 and pdf["stale"] is False
    assert pdf["finished_at"] and len(pdf["sha256"]) == 64


def test_rendition_files_are_written_to_the_private_renditions_storage(
    make_issue,
    writer,
    reviewer,
    media,
    tmp_path,
    monkeypatch,
    eager,
    fake_renderers,
    django_capture_on_commit_callbacks,
):
    field = Rendition._meta.get_field("file")
    # settings.STORAGES["renditions"]: private S3 objects in production (xinzhi/settings.py).
    assert field.storage is storages["renditions"]
    private = tmp_path / "private"
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=private, base_url=None))
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_approve(issue, writer=writer, reviewer=reviewer)
    rows = list(Rendition.objects.filter(issue=issue, status=S.DONE))
    assert {r.kind for r in rows} == KINDS
    for rendition in rows:
        assert (private / rendition.file.name).stat().st_size == rendition.size > 0
    assert not (media / "renditions").exists()


def test_rendition_status_of_an_issue_never_rendered_is_empty(draft_issue):
    status = renditions.rendition_status(issue=draft_issue)
    assert [e["status"] for e in status["renditions"]] == [None, None, None]
    assert status["all_done"] is False


def test_the_tick_enqueues_again_what_a_broker_outage_left_queued(
    make_issue,
    writer,
    reviewer,
    media,
    monkeypatch,
    fake_renderers,
    eager,
    django_capture_on_commit_callbacks,
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    from publishing import tasks

    issue = make_issue()
    with monkeypatch.context() as patched, django_capture_on_commit_callbacks(execute=True):
        patched.setattr(tasks.render_rendition, "delay", broker_down)
        submit_and_approve(issue, writer=writer, reviewer=reviewer)
    issue.refresh_from_db()
    assert issue.state == "approved"  # the approval stands although nothing could be enqueued
    assert set(Rendition.objects.values_list("status", flat=True)) == {S.QUEUED}

    now = timezone.now()
    assert renditions.renditions_requeue_stuck(now=now) == []  # not waited long enough yet
    requeued = renditions.renditions_requeue_stuck(
        now=now + renditions.REQUEUE_AFTER + dt.timedelta(seconds=1)
    )
    assert len(requeued) == 3
    assert set(Rendition.objects.values_list("status", flat=True)) == {S.DONE}


def test_admins_see_renditions_and_queue_failed_ones_again(
    client,
    make_issue,
    writer,
    reviewer,
    admin_user,
    media,
    eager,
    fake_renderers,
    django_capture_on_commit_callbacks,
):
    fake_renderers.fail_always["web"] = ValueError("坏了")
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_approve(issue, writer=writer, reviewer=reviewer)
    client.force_login(admin_user)
    url = reverse("admin:publishing_rendition_changelist")
    response = client.get(url, {"status__exact": "failed", "q": "坏了"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [Rendition.objects.get(kind="web")]

    del fake_renderers.fail_always["web"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "action": "retry_failed",
                "_selected_action": list(Rendition.objects.values_list("pk", flat=True)),
            },
        )
    assert response.status_code == 302
    assert set(Rendition.objects.values_list("status", flat=True)) == {S.DONE}
    detail = client.get(reverse("admin:publishing_rendition_change", args=[Rendition.objects.first().pk]))
    assert detail.status_code == 200


def test_writers_cannot_open_the_renditions_admin(client, writer):
    writer.is_staff = True
    writer.save()
    client.force_login(User.objects.get(pk=writer.pk))
    assert client.get(reverse("admin:publishing_rendition_changelist")).status_code == 403


# --- with the real renderers ------------------------------------------------------------------------------


def test_approving_renders_the_issue_with_the_real_renderers(
    make_issue, writer, reviewer, media, eager, django_capture_on_commit_callbacks
):
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_approve(issue, writer=writer, reviewer=reviewer)
    rows = {r.kind: r for r in Rendition.objects.filter(issue=issue)}
    assert set(rows) == KINDS
    for rendition in rows.values():
        assert rendition.status == S.DONE, rendition.error
        path = media / rendition.file.name
        assert path.stat().st_size == rendition.size > 0 and sha256_of(path) == rendition.sha256
    assert (media / rows["pdf"].file.name).read_bytes().startswith(b"%PDF")
    for kind in ("web", "wechat"):
        html = (media / rows[kind].file.name).read_text(encoding="utf-8")
        assert "第1条标题" in html and "评析2" in html


@pytest.mark.parametrize("kind", RenditionKind.values)
def test_the_sample_issue_renders_to_each_kind(kind, sample_issue, media, eager):
    rendition = Rendition.objects.create(
        issue=sample_issue, kind=kind, content_hash=renditions.issue_content_hash(sample_issue)
    )
    from publishing.tasks import render_rendition

    render_rendition.delay(rendition.pk)
    rendition.refresh_from_db()
    assert rendition.status == S.DONE, rendition.error
    path = media / rendition.file.name
    data = path.read_bytes()
    assert len(data) == rendition.size > 1000 and sha256_of(path) == rendition.sha256
    if kind == "pdf":
        assert data.startswith(b"%PDF")
    else:
        assert "数据要素".encode() in data
