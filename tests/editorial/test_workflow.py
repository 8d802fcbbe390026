"""The issue state machine: every transition from every state by every actor, and the rules around it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from editorial import services, workflow
from editorial.errors import InvalidInput, TransitionForbidden, TransitionNotAllowed
from editorial.models import (
    AppendOnlyError,
    Correction,
    Issue,
    IssueEvent,
    IssueState,
    Revision,
    Section,
)
from editorial.signals import issue_transitioned

S = IssueState
STATES = [S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PUBLISHED, S.WITHDRAWN]
ACTORS = ["writer", "reviewer", "admin", "stranger", "inactive_admin", "system"]
SCHEDULED = dt.datetime(2026, 7, 1, 9, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))

# name -> (call, source states, target state, actors allowed by role, comment written on the event)
TABLE = {
    "submit": (
        lambda issue, user: workflow.issue_submit(issue=issue, user=user),
        {S.DRAFT},
        S.IN_REVIEW,
        {"writer", "admin"},
        "",
    ),
    "return": (
        lambda issue, user: workflow.issue_return(issue=issue, user=user, reason="第二条数据来源不清"),
        {S.IN_REVIEW},
        S.DRAFT,
        {"reviewer", "admin"},
        "第二条数据来源不清",
    ),
    "approve": (
        lambda issue, user: workflow.issue_approve(issue=issue, user=user),
        {S.IN_REVIEW},
        S.APPROVED,
        {"reviewer", "admin"},
        "",
    ),
    "reopen": (
        lambda issue, user: workflow.issue_reopen(issue=issue, user=user, reason="需要补充最新数据"),
        {S.APPROVED},
        S.DRAFT,
        {"reviewer", "admin"},
        "需要补充最新数据",
    ),
    "schedule": (
        lambda issue, user: workflow.issue_schedule(issue=issue, user=user, publish_at=SCHEDULED),
        {S.APPROVED},
        S.APPROVED,
        {"admin"},
        "发布时间调整为 2026-07-01 09:30",
    ),
    "publish": (
        lambda issue, user: workflow.issue_publish(issue=issue, user=user),
        {S.APPROVED},
        S.PUBLISHED,
        {"admin", "system"},
        None,  # "" for a person, 定时发布 for the tick: checked below
    ),
    "correct": (
        lambda issue, user: workflow.issue_correct(issue=issue, user=user, note="更正第三条的日期"),
        {S.PUBLISHED},
        S.PUBLISHED,
        {"admin"},
        "更正第三条的日期",
    ),
    "withdraw": (
        lambda issue, user: workflow.issue_withdraw(issue=issue, user=user, reason="来源已被撤稿"),
        {S.PUBLISHED},
        S.WITHDRAWN,
        {"admin"},
        "来源已被撤稿",
    ),
}

CASES = [(name, state, actor) for name in TABLE for state in STATES for actor in ACTORS]


def snapshot(issue: Issue) -> dict:
    row = Issue.objects.values().get(pk=issue.pk)
    return {
        "row": {k: v for k, v in row.items() if k != "updated_at"},
        "events": IssueEvent.objects.filter(issue=issue).count(),
        "corrections": Correction.objects.filter(issue=issue).count(),
        "revisions": Revision.objects.filter(section__issue=issue).count(),
    }


@pytest.mark.parametrize(("name", "state", "actor"), CASES, ids=["-".join(c) for c in CASES])
def test_every_transition_from_every_state_by_every_actor(name, state, actor, actors, issue_in):
    call, sources, target, allowed, comment = TABLE[name]
    issue = issue_in(state)
    user = actors[actor]
    before = snapshot(issue)

    if actor not in allowed:
        with pytest.raises(TransitionForbidden) as excinfo:
            call(issue, user)
        assert excinfo.value.status == 403
        assert snapshot(issue) == before
    elif state not in sources:
        with pytest.raises(TransitionNotAllowed) as excinfo:
            call(issue, user)
        assert excinfo.value.status == 409
        assert "不能执行" in excinfo.value.message
        assert snapshot(issue) == before
    else:
        returned = call(issue, user)
        stored = Issue.objects.get(pk=issue.pk)
        assert stored.state == target
        assert returned.state == target
        event = IssueEvent.objects.get(issue=issue)  # exactly one: the issue had none before
        assert before["events"] == 0
        assert event.transition == name
        assert event.actor == user
        assert (event.from_state, event.to_state) == (state, target)
        if comment is None:
            comment = "定时发布" if user is None else ""
        assert event.comment == comment
        # A transition never touches the content version: editors keep saving from the version they hold.
        assert stored.version == before["row"]["version"]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda i, u, r: workflow.issue_return(issue=i, user=u, reason=r), id="return"),
        pytest.param(lambda i, u, r: workflow.issue_reopen(issue=i, user=u, reason=r), id="reopen"),
        pytest.param(lambda i, u, r: workflow.issue_withdraw(issue=i, user=u, reason=r), id="withdraw"),
        pytest.param(lambda i, u, r: workflow.issue_correct(issue=i, user=u, note=r), id="correct"),
    ],
)
@pytest.mark.parametrize("blank", ["", "   ", "\n\t ", "\u3000", None])
def test_it_refuses_a_transition_without_a_reason(call, blank, issue_in, admin_user, request):
    state = {
        "return": S.IN_REVIEW,
        "reopen": S.APPROVED,
        "withdraw": S.PUBLISHED,
        "correct": S.PUBLISHED,
    }[request.node.callspec.id.split("-")[-1]]
    issue = issue_in(state)
    before = snapshot(issue)

    with pytest.raises(InvalidInput) as excinfo:
        call(issue, admin_user, blank)

    assert excinfo.value.status == 400
    assert "必须填写" in excinfo.value.message
    assert snapshot(issue) == before


def test_it_refuses_a_reason_longer_than_five_thousand_characters(issue_in, reviewer):
    issue = issue_in(S.IN_REVIEW)

    with pytest.raises(InvalidInput):
        workflow.issue_return(issue=issue, user=reviewer, reason="很" * 5001)

    assert Issue.objects.get(pk=issue.pk).state == S.IN_REVIEW
    assert not IssueEvent.objects.exists()


def test_the_reason_is_stored_without_surrounding_whitespace(issue_in, reviewer):
    issue = issue_in(S.IN_REVIEW)

    workflow.issue_return(issue=issue, user=reviewer, reason="  请补充来源\n")

    assert IssueEvent.objects.get(issue=issue).comment == "请补充来源"


# --- submit: only a complete issue goes to review ---------------------------------------------------------


def test_it_refuses_to_submit_an_issue_without_sections(series, writer):
    issue = services.issue_create(series=series, date=dt.date(2026, 7, 2), user=writer)

    with pytest.raises(InvalidInput) as excinfo:
        workflow.issue_submit(issue=issue, user=writer)

    assert "至少需要一个条目" in excinfo.value.message
    assert Issue.objects.get(pk=issue.pk).state == S.DRAFT
    assert not IssueEvent.objects.exists()


@pytest.mark.parametrize(
    "body", ["", "<p></p>", "<p>&nbsp;</p>", "<p> </p><p><br></p>", "<script>x()</script>"]
)
def test_it_refuses_to_submit_an_issue_with_an_empty_section(draft_issue, writer, body):
    second = draft_issue.sections.get(position=2)
    Section.objects.filter(pk=second.pk).update(body=body)

    with pytest.raises(InvalidInput) as excinfo:
        workflow.issue_submit(issue=draft_issue, user=writer)

    assert "第二条缺少新闻正文" in excinfo.value.message
    assert Issue.objects.get(pk=draft_issue.pk).state == S.DRAFT
    assert not IssueEvent.objects.exists()


def test_it_refuses_to_submit_a_section_without_a_headline(draft_issue, writer):
    Section.objects.filter(issue=draft_issue, position=1).update(headline="  ")

    with pytest.raises(InvalidInput) as excinfo:
        workflow.issue_submit(issue=draft_issue, user=writer)

    assert "第一条缺少标题" in excinfo.value.message
    assert Issue.objects.get(pk=draft_issue.pk).state == S.DRAFT


def test_a_returned_issue_can_be_edited_and_submitted_again(draft_issue, writer, reviewer):
    workflow.issue_submit(issue=draft_issue, user=writer)
    workflow.issue_return(issue=draft_issue, user=reviewer, reason="第一条请补充数据")
    section = draft_issue.sections.get(position=1)
    services.section_save(
        section=section, user=writer, data={"body": "<p>补充后的新闻</p>"}, version=section.version
    )
    workflow.issue_submit(issue=draft_issue, user=writer)

    assert Issue.objects.get(pk=draft_issue.pk).state == S.IN_REVIEW
    assert list(
        IssueEvent.objects.filter(issue=draft_issue)
        .order_by("id")
        .values_list("transition", "from_state", "to_state", "actor__username")
    ) == [
        ("submit", "draft", "in_review", "writer"),
        ("return", "in_review", "draft", "reviewer"),
        ("submit", "draft", "in_review", "writer"),
    ]


# --- the four-eyes rule ------------------------------------------------------------------------------------


def test_a_reviewer_who_wrote_a_section_cannot_approve(series, make_issue, reviewer):
    series.reviewers_may_edit = True
    series.save()
    issue = make_issue()
    services.section_create(issue=issue, user=reviewer, headline="审核人写的条目", body="<p>正文</p>")
    workflow.issue_submit(issue=issue, user=issue.created_by)

    with pytest.raises(TransitionForbidden) as excinfo:
        workflow.issue_approve(issue=issue, user=reviewer)

    assert "四眼原则" in excinfo.value.message
    assert Issue.objects.get(pk=issue.pk).state == S.IN_REVIEW
    assert Issue.objects.get(pk=issue.pk).publish_at is None
    assert IssueEvent.objects.filter(issue=issue).count() == 1  # the submit only


def test_a_reviewer_who_saved_a_revision_cannot_approve(series, draft_issue, writer, reviewer):
    series.reviewers_may_edit = True
    series.save()
    section = draft_issue.sections.get(position=1)
    services.section_save(
        section=section, user=reviewer, data={"body": "<p>审核人改过的正文</p>"}, version=section.version
    )
    assert Section.objects.get(pk=section.pk).author == writer  # not the author: only a revision
    workflow.issue_submit(issue=draft_issue, user=writer)

    with pytest.raises(TransitionForbidden):
        workflow.issue_approve(issue=draft_issue, user=reviewer)

    assert Issue.objects.get(pk=draft_issue.pk).state == S.IN_REVIEW


def test_an_admin_who_wrote_a_section_cannot_approve_either(make_issue, admin_user):
    issue = make_issue(author=admin_user)
    workflow.issue_submit(issue=issue, user=admin_user)

    with pytest.raises(TransitionForbidden):
        workflow.issue_approve(issue=issue, user=admin_user)

    assert Issue.objects.get(pk=issue.pk).state == S.IN_REVIEW


def test_another_reviewer_can_approve_what_the_first_wrote(series, make_issue, reviewer, reviewer2):
    series.reviewers_may_edit = True
    series.save()
    issue = make_issue()
    services.section_create(issue=issue, user=reviewer, headline="审核人写的条目", body="<p>正文</p>")
    workflow.issue_submit(issue=issue, user=issue.created_by)

    workflow.issue_approve(issue=issue, user=reviewer2)

    assert Issue.objects.get(pk=issue.pk).state == S.APPROVED
    assert IssueEvent.objects.get(issue=issue, transition="approve").actor == reviewer2


def test_the_author_can_approve_when_the_series_turns_four_eyes_off(series, make_issue, reviewer):
    series.reviewers_may_edit = True
    series.four_eyes = False
    series.save()
    issue = make_issue()
    services.section_create(issue=issue, user=reviewer, headline="审核人写的条目", body="<p>正文</p>")
    workflow.issue_submit(issue=issue, user=issue.created_by)

    workflow.issue_approve(issue=issue, user=reviewer)

    assert Issue.objects.get(pk=issue.pk).state == S.APPROVED
    assert IssueEvent.objects.get(issue=issue, transition="approve").actor == reviewer


# --- scheduling ------------------------------------------------------------------------------------------


def test_approving_sets_publish_at_from_the_series_time_in_its_time_zone(series, issue_in, reviewer):
    series.publish_time = dt.time(6, 30)
    series.time_zone = "America/New_York"
    series.save()
    issue = issue_in(S.IN_REVIEW)

    workflow.issue_approve(issue=issue, user=reviewer)

    stored = Issue.objects.get(pk=issue.pk)
    # 2026-07-01 06:30 in New York (EDT, UTC-4) is 10:30 UTC.
    assert stored.publish_at == dt.datetime(2026, 7, 1, 10, 30, tzinfo=dt.UTC)
    assert stored.published_at is None


def test_approving_in_the_default_time_zone_publishes_at_eight_in_shanghai(issue_in, reviewer):
    issue = issue_in(S.IN_REVIEW)

    workflow.issue_approve(issue=issue, user=reviewer)

    assert Issue.objects.get(pk=issue.pk).publish_at == dt.datetime(2026, 7, 1, 0, 0, tzinfo=dt.UTC)


def test_reopening_clears_the_publication_time(issue_in, reviewer):
    issue = issue_in(S.APPROVED)
    assert issue.publish_at is not None

    workflow.issue_reopen(issue=issue, user=reviewer, reason="需要更新数据")

    stored = Issue.objects.get(pk=issue.pk)
    assert (stored.state, stored.publish_at) == (S.DRAFT, None)


def test_scheduling_moves_publish_at(issue_in, admin_user):
    issue = issue_in(S.APPROVED)

    workflow.issue_schedule(issue=issue, user=admin_user, publish_at=SCHEDULED)

    assert Issue.objects.get(pk=issue.pk).publish_at == SCHEDULED


def test_it_refuses_a_naive_publication_time(issue_in, admin_user):
    issue = issue_in(S.APPROVED)
    before = snapshot(issue)

    with pytest.raises(InvalidInput):
        workflow.issue_schedule(issue=issue, user=admin_user, publish_at=dt.datetime(2026, 7, 1, 9, 0))

    assert snapshot(issue) == before


def test_the_system_publishing_sets_published_at(issue_in):
    issue = issue_in(S.APPROVED)
    moment = dt.datetime(2026, 7, 1, 0, 0, 5, tzinfo=dt.UTC)

    workflow.issue_publish(issue=issue, user=None, now=moment)

    stored = Issue.objects.get(pk=issue.pk)
    assert stored.state == S.PUBLISHED
    assert stored.published_at == moment
    assert stored.publish_at == dt.datetime(2026, 7, 1, 0, 0, tzinfo=dt.UTC)
    event = IssueEvent.objects.get(issue=issue)
    assert (event.actor, event.comment) == (None, "定时发布")


def test_publishing_early_brings_publish_at_forward(issue_in, admin_user):
    issue = issue_in(S.APPROVED)
    moment = dt.datetime(2026, 6, 30, 15, 0, tzinfo=dt.UTC)

    workflow.issue_publish(issue=issue, user=admin_user, now=moment)

    stored = Issue.objects.get(pk=issue.pk)
    assert (stored.publish_at, stored.published_at) == (moment, moment)


# --- side effects after commit ---------------------------------------------------------------------------


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        kwargs.pop("signal")
        calls.append({"sender": sender, **kwargs})

    issue_transitioned.connect(receiver)
    yield calls
    issue_transitioned.disconnect(receiver)


def test_the_signal_is_sent_only_when_the_transaction_commits(
    issue_in, writer, received, django_capture_on_commit_callbacks
):
    issue = issue_in(S.DRAFT)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.issue_submit(issue=issue, user=writer)

    assert received == []  # nothing before commit
    assert len(callbacks) == 1
    callbacks[0]()
    event = IssueEvent.objects.get(issue=issue)
    assert received == [
        {
            "sender": Issue,
            "issue_id": issue.pk,
            "transition": "submit",
            "from_state": "draft",
            "to_state": "in_review",
            "actor_id": writer.pk,
            "event_id": event.pk,
        }
    ]


def test_the_signal_names_no_actor_for_the_system(issue_in, received, django_capture_on_commit_callbacks):
    issue = issue_in(S.APPROVED)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_publish(issue=issue, user=None)

    assert [(r["transition"], r["from_state"], r["to_state"], r["actor_id"]) for r in received] == [
        ("publish", "approved", "published", None)
    ]


@pytest.mark.parametrize(
    ("state", "actor", "error"),
    [
        (S.IN_REVIEW, "writer", TransitionForbidden),  # role
        (S.DRAFT, "admin", TransitionNotAllowed),  # state
    ],
)
def test_no_signal_is_sent_when_a_transition_fails(
    state, actor, error, actors, issue_in, received, django_capture_on_commit_callbacks
):
    issue = issue_in(state)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(error):
        workflow.issue_approve(issue=issue, user=actors[actor])

    assert callbacks == []
    assert received == []


def test_no_signal_is_sent_when_the_submit_check_fails(
    series, writer, received, django_capture_on_commit_callbacks
):
    issue = services.issue_create(series=series, date=dt.date(2026, 7, 2), user=writer)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(InvalidInput):
        workflow.issue_submit(issue=issue, user=writer)

    assert callbacks == []
    assert received == []


# --- correct: content changes of a published issue -------------------------------------------------------


def test_correcting_changes_content_and_writes_a_revision_a_correction_and_an_event(
    issue_in, admin_user, received, django_capture_on_commit_callbacks
):
    issue = issue_in(S.PUBLISHED)
    section = issue.sections.get(position=2)
    version_before = section.version
    revisions_before = section.revisions.count()

    def changes(locked):
        services.section_save(
            section=section,
            user=admin_user,
            data={"body": "<p>新闻2（已更正：日期为6月27日）</p>"},
            version=section.version,
            frozen_ok=True,
        )

    with django_capture_on_commit_callbacks(execute=True):
        workflow.issue_correct(issue=issue, user=admin_user, note="第二条日期有误，已更正", changes=changes)

    stored = Section.objects.get(pk=section.pk)
    assert stored.body == "<p>新闻2（已更正：日期为6月27日）</p>"
    assert stored.version == version_before + 1
    assert stored.revisions.count() == revisions_before + 1
    latest = stored.revisions.first()
    assert (latest.author, latest.data["body"]) == (admin_user, stored.body)
    correction = Correction.objects.get(issue=issue)
    assert (correction.note, correction.author) == ("第二条日期有误，已更正", admin_user)
    event = IssueEvent.objects.get(issue=issue)
    assert (event.transition, event.from_state, event.to_state, event.comment) == (
        "correct",
        "published",
        "published",
        "第二条日期有误，已更正",
    )
    assert Issue.objects.get(pk=issue.pk).state == S.PUBLISHED
    assert [r["transition"] for r in received] == ["correct"]


def test_a_correction_that_fails_changes_nothing(
    issue_in, admin_user, received, django_capture_on_commit_callbacks
):
    issue = issue_in(S.PUBLISHED)
    section = issue.sections.get(position=1)
    before = snapshot(issue)

    def changes(locked):
        # Without frozen_ok the service refuses: a published issue's content is frozen.
        services.section_save(
            section=section, user=admin_user, data={"body": "<p>偷偷修改</p>"}, version=section.version
        )

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionNotAllowed):
        workflow.issue_correct(issue=issue, user=admin_user, note="更正", changes=changes)

    assert snapshot(issue) == before
    assert Section.objects.get(pk=section.pk).body == "<p>新闻1</p>"
    assert received == []


# --- the audit log ---------------------------------------------------------------------------------------


def test_issue_events_cannot_be_changed_or_deleted(issue_in, writer):
    issue = issue_in(S.DRAFT)
    workflow.issue_submit(issue=issue, user=writer)
    event = IssueEvent.objects.get(issue=issue)

    event.comment = "改写历史"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()

    with pytest.raises(AppendOnlyError):
        IssueEvent.objects.filter(issue=issue).update(comment="改写历史")
    with pytest.raises(AppendOnlyError):
        IssueEvent.objects.filter(issue=issue).delete()
    with pytest.raises(AppendOnlyError):
        IssueEvent.objects.bulk_update([event], ["comment"])

    stored = IssueEvent.objects.get(pk=event.pk)
    assert stored.comment == ""
    assert IssueEvent.objects.filter(issue=issue).count() == 1


def test_deleting_an_actor_keeps_their_events_and_deleting_an_issue_removes_its_own(issue_in, writer):
    kept, removed = issue_in(S.DRAFT), issue_in(S.DRAFT, date=dt.date(2026, 7, 2))
    workflow.issue_submit(issue=kept, user=writer)
    workflow.issue_submit(issue=removed, user=writer)

    writer.delete()
    removed.delete()

    assert list(IssueEvent.objects.values_list("issue_id", "actor_id", "transition")) == [
        (kept.pk, None, "submit")
    ]


def test_available_transitions_follow_role_and_state(issue_in, writer, reviewer, admin_user, stranger):
    issue = issue_in(S.IN_REVIEW)

    def names(user):
        return [t.name for t in workflow.available_transitions(issue=issue, user=user)]

    assert names(writer) == []
    assert names(reviewer) == ["return", "approve"]
    assert names(admin_user) == ["return", "approve"]
    assert names(stranger) == []
