"""Domain errors of the editorial workflow. Views turn them into a clear message with `status`."""

from __future__ import annotations


class EditorialError(Exception):
    """Base: a user action that cannot be carried out. `message` is translated text for the user."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(EditorialError):
    """Something the user typed is missing or malformed (a return without a reason, an empty issue)."""

    status = 400


class TransitionForbidden(EditorialError):
    """The user's role does not allow this action (a writer approving, the four-eyes rule)."""

    status = 403


class TransitionNotAllowed(EditorialError):
    """The issue's state does not allow this action (approving a draft, editing an approved issue)."""

    status = 409


class StaleVersion(EditorialError):
    """Someone else saved in between; `current` holds what is stored now and `submitted` what the refused
    save carried, so the user can merge the two and neither text is lost. Views add `merge`, the three-way
    merge of the two (editorial.merging), before answering."""

    status = 409

    def __init__(self, message: str, *, current: dict, submitted: dict | None = None):
        super().__init__(message)
        self.current = current
        self.submitted = submitted or {}
        self.merge: dict | None = None


class DuplicateIssue(EditorialError):
    status = 409
