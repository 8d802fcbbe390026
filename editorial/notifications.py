"""Emails about the workflow: reviewers hear of a submission, writers of a return (with its reason) or an
approval.

Connected to `issue_transitioned` in EditorialConfig.ready(); that signal is sent after the transition's
transaction has committed, so nobody is told about a state that was rolled back. The receiver only queues the
sending (editorial.tasks): a slow or unreachable mail server then neither delays the click that made the
transition nor loses the email, which the worker retries.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from editorial.models import Issue, IssueEvent
from editorial.roles import REVIEWER

logger = logging.getLogger(__name__)

# transition -> (who is told, subject template, body template)
TEMPLATES = {
    "submit": ("reviewers", "editorial/email/submitted_subject.txt", "editorial/email/submitted_body.txt"),
    "return": ("writers", "editorial/email/returned_subject.txt", "editorial/email/returned_body.txt"),
    "approve": ("writers", "editorial/email/approved_subject.txt", "editorial/email/approved_body.txt"),
}


def reviewers() -> list:
    User = get_user_model()
    return list(User.objects.filter(is_active=True, groups__name=REVIEWER).exclude(email="").distinct())


def writers_of(issue: Issue) -> list:
    """Everyone who wrote the issue: its creator, the authors of its sections and of their revisions."""
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(pk=issue.created_by_id)
            | Q(sections__issue=issue)
            | Q(pk__in=issue.sections.values("revisions__author"))
        )
        .exclude(email="")
        .distinct()
    )


def notify_transition(
    *, issue: Issue, transition: str, actor_id: int | None, event: IssueEvent | None
) -> int:
    """Send the emails for one transition; returns how many were sent."""
    if transition not in TEMPLATES:
        return 0
    audience, subject_template, body_template = TEMPLATES[transition]
    recipients = reviewers() if audience == "reviewers" else writers_of(issue)
    recipients = [user for user in recipients if user.pk != actor_id]
    if not recipients:
        return 0
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    path = reverse("newsroom:review" if audience == "reviewers" else "newsroom:editor", args=[issue.pk])
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "issue": issue,
            "series": issue.series,
            "actor": actor,
            "actor_name": (actor.get_full_name() or actor.get_username()) if actor else "",
            "reason": event.comment if event else "",
            "url": settings.SITE_URL + path,
        }
        subject = " ".join(render_to_string(subject_template, context).split())
        messages = [
            EmailMessage(
                subject=subject,
                body=render_to_string(body_template, context | {"recipient": user}),
                from_email=settings.DEFAULT_FROM_EMAIL,
                # One message per person: recipients do not see each other's addresses.
                to=[user.email],
            )
            for user in recipients
        ]
    return get_connection().send_messages(messages) or 0


def send_transition_emails(
    *, issue_id: int, transition: str, actor_id: int | None, event_id: int | None
) -> int:
    """What the task runs: the emails for one transition of one issue, from the rows as they are now."""
    issue = Issue.objects.select_related("series").filter(pk=issue_id).first()
    if issue is None:
        return 0
    event = IssueEvent.objects.filter(pk=event_id).first() if event_id else None
    return notify_transition(issue=issue, transition=transition, actor_id=actor_id, event=event)


def on_issue_transitioned(sender, *, issue_id, transition, actor_id=None, event_id=None, **kwargs) -> None:
    """Receiver of `issue_transitioned`: queue the emails. A broker that is down (or, with tasks run in-process,
    a mail server that is down) must not turn a committed transition into an error page, so failures are
    logged, not raised."""
    if transition not in TEMPLATES:
        return
    from editorial.tasks import send_transition_emails as task

    try:
        task.delay(issue_id=issue_id, transition=transition, actor_id=actor_id, event_id=event_id)
    except Exception:
        logger.exception("Could not send the notification for issue %s (%s)", issue_id, transition)
