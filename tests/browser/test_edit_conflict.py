"""Two writers edit the same section at once, each in their own browser. The first save wins; the second is
refused with the other writer's text shown beside their own, and nothing is overwritten until they choose."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from editorial.models import Section
from tests.browser.conftest import SAVED, sign_in, type_into_editor

# serialized_rollback: the flush after a transactional test would drop the role groups made by a migration.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIRST = "第一位撰稿人补充：方案自七月一日起施行。"
SECOND = "第二位撰稿人补充：配套细则将分批出台。"


@pytest.fixture
def shared_section(make_issue) -> Section:
    return make_issue(sections=1).sections.get()


def open_section(new_page, user, section: Section):
    """Sign `user` in, in a browser of their own, and open the editor at the section; return the page and
    the section's card."""
    page = new_page()
    page.goto(f"/newsroom/issues/{section.issue_id}/")
    sign_in(page, user)
    card = page.locator(f'[data-test="section"][data-section="{section.pk}"]')
    expect(card.locator(".ck-editor__editable")).to_have_count(2)
    return page, card


def start_conflict(new_page, shots, browser_errors, section, writer, writer2):
    """Both writers open the section at the same version; the first saves, the second's save is refused."""
    # The refused save is an answered 409, which Chromium also logs as a failed resource load.
    browser_errors.allow(r"status of 409")
    first, first_card = open_section(new_page, writer, section)
    second, second_card = open_section(new_page, writer2, section)
    shots(second, "both writers have the section open")

    type_into_editor(first, first_card.locator(".ck-editor__editable").first, FIRST, section=section)
    expect(first_card.locator('[data-test="save-status"]')).to_have_text(SAVED)
    shots(first, "first writer saved")
    section.refresh_from_db()
    assert FIRST in section.body
    saved_version = section.version

    refused = type_into_editor(
        second, second_card.locator(".ck-editor__editable").first, SECOND, section=section, status=409
    )
    assert FIRST in refused["current"]["body"]
    conflict = second_card.locator('[data-test="conflict"]')
    expect(conflict).to_be_visible()
    expect(second_card.locator('[data-test="save-status"]')).to_have_text("冲突：对方已保存")
    # Their change, named, beside mine: enough to merge by hand.
    expect(conflict.locator('[data-test="conflict-theirs"]')).to_contain_text("writer")
    expect(conflict.locator('[data-test="conflict-theirs"]')).to_contain_text(FIRST)
    expect(conflict.locator('[data-test="conflict-mine"]')).to_contain_text(SECOND)
    expect(conflict.locator('[data-test="conflict-mine"]')).not_to_contain_text(FIRST)
    expect(conflict.locator('[data-test="take-theirs"]')).to_be_visible()
    expect(conflict.locator('[data-test="keep-mine"]')).to_be_visible()
    shots(second, "second writer sees the conflict")

    # Nothing was overwritten: the database holds the first writer's text, at the version of their save.
    section.refresh_from_db()
    assert FIRST in section.body and SECOND not in section.body
    assert section.version == saved_version
    return second, second_card, saved_version


def test_the_second_save_is_refused_and_keeping_mine_saves_on_top(
    new_page, shots, browser_errors, shared_section, writer, writer2
):
    section = shared_section
    second, card, saved_version = start_conflict(new_page, shots, browser_errors, section, writer, writer2)

    with second.expect_response(re.compile(rf"/sections/{section.pk}/save/$")) as answer:
        card.locator('[data-test="keep-mine"]').click()
    assert answer.value.status == 200
    expect(card.locator('[data-test="save-status"]')).to_have_text(SAVED)
    expect(card.locator('[data-test="conflict"]')).to_be_hidden()
    shots(second, "second writer kept their text")

    section.refresh_from_db()
    assert SECOND in section.body and FIRST not in section.body
    assert section.version == saved_version + 1
    # The first writer's text is not lost: it is the revision the second one was saved on top of.
    last_two = list(section.revisions.order_by("-number")[:2])
    assert [r.author for r in last_two] == [writer2, writer]
    assert FIRST in last_two[1].data["body"] and SECOND in last_two[0].data["body"]
    browser_errors.check()


def test_taking_theirs_saves_nothing_and_keeps_my_text_on_the_page(
    new_page, shots, browser_errors, shared_section, writer, writer2
):
    section = shared_section
    second, card, saved_version = start_conflict(new_page, shots, browser_errors, section, writer, writer2)
    revisions = section.revisions.count()

    card.locator('[data-test="take-theirs"]').click()
    expect(card.locator('[data-test="save-status"]')).to_have_text("已采用对方的版本")
    editable = card.locator(".ck-editor__editable").first
    expect(editable).to_contain_text(FIRST)
    expect(editable).not_to_contain_text(SECOND)
    # What the second writer typed stays on the page to copy from.
    backup = card.locator("[data-mine-backup]")
    expect(backup).to_be_visible()
    backup.locator("summary").click()
    expect(backup).to_contain_text(SECOND)
    shots(second, "second writer took the other version")

    section.refresh_from_db()
    assert FIRST in section.body and SECOND not in section.body
    assert section.version == saved_version and section.revisions.count() == revisions

    # Their next edit is saved on top of the version they took, without a conflict.
    type_into_editor(second, editable, "合并后补充。", section=section)
    expect(card.locator('[data-test="save-status"]')).to_have_text(SAVED)
    section.refresh_from_db()
    assert FIRST in section.body and "合并后补充。" in section.body
    assert section.version == saved_version + 1
    browser_errors.check()
