"""Two people edit the same section at once, each in their own browser. The first save wins; the second is
refused and answered with the three-way merge of both texts: edits that do not overlap are merged and saved on
top of the first one with nothing lost; where both changed the same words, both texts are shown and the writer's
choice is stored. While one has a section open, the other sees 某某 正在编辑 on it."""

from __future__ import annotations

import re
import threading
import time

import pytest
from playwright.sync_api import expect

from editorial import services
from editorial.models import Section
from tests.browser.conftest import SAVED, sign_in, type_into_editor

# serialized_rollback: the flush after a transactional test would drop the role groups made by a migration.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FIRST = "第一位撰稿人补充：方案自七月一日起施行。"
SECOND = "第二位撰稿人补充：配套细则将分批出台。"
SENTENCE_ONE = "国家数据局发布方案，推动算力网络建设"
PARAGRAPH = f"<p>{SENTENCE_ONE}。数据中心绿电消纳比例提升。</p>"
HUBS = "，首批 8 个枢纽节点上线"


@pytest.fixture
def quick_heartbeat(settings):
    # The live server reads the same settings: a heartbeat a second keeps the presence test short.
    settings.PRESENCE_HEARTBEAT_SECONDS = 1


def leave_and_settle(*pages) -> None:
    """Navigate `pages` away (each sends its leave beacon), close their browsers and wait until the live server
    has answered every request, so that none reaches it while the test database is flushed. Playwright does not
    report beacons; the server's request threads end with their (keep-alive) connections."""
    for page in pages:
        page.goto("about:blank")
    time.sleep(0.3)  # the beacons are on their way by then
    for page in pages:
        page.context.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not any("process_request_thread" in t.name for t in threading.enumerate() if t.is_alive()):
            return
        time.sleep(0.05)
    raise AssertionError("the live server is still answering requests")


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
    """Both writers open the section at the same version and add a sentence at the same place (the end); the
    first saves, the second's save is refused with both texts in one hunk."""
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
    assert refused["merge"]["clean"] is False
    conflict = second_card.locator('[data-test="conflict"]')
    expect(conflict).to_be_visible()
    expect(second_card.locator('[data-test="save-status"]')).to_have_text("冲突：对方已保存")
    expect(conflict.locator('[data-test="conflict-who"]')).to_contain_text("writer")
    # The hunk both changed, side by side: their words and mine, each readable in full.
    hunk = conflict.locator('[data-test="merge-hunk"]')
    expect(hunk).to_have_count(1)
    expect(hunk.locator('[data-test="hunk-theirs"]')).to_contain_text(FIRST)
    expect(hunk.locator('[data-test="hunk-mine"]')).to_contain_text(SECOND)
    expect(hunk.locator('[data-test="hunk-mine"]')).not_to_contain_text(FIRST)
    expect(conflict.locator('[data-test="take-theirs"]')).to_be_visible()
    expect(conflict.locator('[data-test="keep-mine"]')).to_have_count(0)
    shots(second, "second writer sees the conflict")

    # Nothing was overwritten: the database holds the first writer's text, at the version of their save.
    section.refresh_from_db()
    assert FIRST in section.body and SECOND not in section.body
    assert section.version == saved_version
    return second, second_card, saved_version


def test_edits_to_different_sentences_of_one_paragraph_are_merged_with_nothing_lost(
    new_page, shots, browser_errors, shared_section, writer, admin_user
):
    browser_errors.allow(r"status of 409")
    section = services.section_save(
        section=shared_section, user=writer, data={"body": PARAGRAPH}, version=shared_section.version
    )
    first, first_card = open_section(new_page, writer, section)
    second, second_card = open_section(new_page, admin_user, section)

    # Writer A adds 首批 8 个枢纽节点上线 to the first sentence ...
    type_into_editor(
        first,
        first_card.locator(".ck-editor__editable").first,
        HUBS,
        section=section,
        characters=len(SENTENCE_ONE),
    )
    expect(first_card.locator('[data-test="save-status"]')).to_have_text(SAVED)
    # ... while the admin, on the version both opened, adds to the end of the second sentence.
    refused = type_into_editor(
        second, second_card.locator(".ck-editor__editable").first, SECOND, section=section, status=409
    )

    assert refused["merge"]["clean"] is True
    conflict = second_card.locator('[data-test="conflict"]')
    expect(conflict.locator('[data-test="merge-clean"]')).to_be_visible()
    expect(conflict.locator('[data-test="merge-conflicts"]')).to_be_hidden()
    # The other person's addition is shown, marked, before anything is saved.
    expect(conflict.locator('[data-test="merge-theirs"]')).to_have_text(HUBS)
    expect(conflict.locator('[data-test="merge-mine"]')).to_contain_text(SECOND)
    shots(second, "the admin sees the merged text")

    with second.expect_response(re.compile(rf"/sections/{section.pk}/save/$")) as answer:
        conflict.locator('[data-test="save-merge"]').click()
    assert answer.value.status == 200
    expect(second_card.locator('[data-test="save-status"]')).to_have_text(SAVED)
    expect(conflict).to_be_hidden()
    editable = second_card.locator(".ck-editor__editable").first
    expect(editable).to_contain_text(HUBS.lstrip("，"))
    expect(editable).to_contain_text(SECOND)
    shots(second, "the merge is saved")

    section.refresh_from_db()
    assert section.body.startswith(f"<p>{SENTENCE_ONE}{HUBS}。数据中心绿电消纳比例提升。")
    assert SECOND in section.body
    last = section.revisions.order_by("-number").first()
    assert last.author == admin_user and last.data["body"] == section.body
    browser_errors.check()


def test_an_overlapping_edit_shows_both_texts_and_the_chosen_result_is_stored(
    new_page, shots, browser_errors, shared_section, writer, writer2
):
    section = shared_section
    second, card, saved_version = start_conflict(new_page, shots, browser_errors, section, writer, writer2)
    conflict = card.locator('[data-test="conflict"]')

    # No choice yet: nothing is saved.
    conflict.locator('[data-test="save-merge"]').click()
    expect(conflict.locator('[data-test="merge-error"]')).to_be_visible()
    section.refresh_from_db()
    assert section.version == saved_version

    conflict.locator('[data-test="merge-hunk"] [data-test="choose-both"]').check()
    with second.expect_response(re.compile(rf"/sections/{section.pk}/save/$")) as answer:
        conflict.locator('[data-test="save-merge"]').click()
    assert answer.value.status == 200
    expect(card.locator('[data-test="save-status"]')).to_have_text(SAVED)
    expect(conflict).to_be_hidden()
    shots(second, "second writer kept both")

    section.refresh_from_db()
    assert section.version == saved_version + 1
    assert section.body.index(FIRST) < section.body.index(SECOND)
    last_two = list(section.revisions.order_by("-number")[:2])
    assert [r.author for r in last_two] == [writer2, writer]
    assert FIRST in last_two[1].data["body"] and SECOND not in last_two[1].data["body"]
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


def test_the_issue_fields_merge_against_the_values_the_page_started_from(
    new_page, shots, browser_errors, shared_section, writer, writer2
):
    browser_errors.allow(r"status of 409")
    issue = shared_section.issue
    first, _ = open_section(new_page, writer, shared_section)
    second, _ = open_section(new_page, writer2, shared_section)
    meta_url = re.compile(rf"/newsroom/issues/{issue.pk}/meta/$")
    first_form = first.locator('[data-test="issue-meta-form"]')
    second_form = second.locator('[data-test="issue-meta-form"]')

    with first.expect_response(meta_url) as saved:
        first_form.locator('[data-field="headline"]').fill("算力、数据与能源")
    assert saved.value.status == 200
    with second.expect_response(meta_url) as refused:
        second_form.locator('[data-field="summary"]').fill("测试摘要，补充一句。")
    assert refused.value.status == 409
    assert refused.value.json()["merge"]["clean"] is True

    conflict = second_form.locator('[data-test="conflict"]')
    expect(conflict.locator('[data-test="merge-clean"]')).to_be_visible()
    expect(conflict.locator('[data-test="merge-theirs"]')).to_contain_text("、")
    with second.expect_response(meta_url) as merged:
        conflict.locator('[data-test="save-merge"]').click()
    assert merged.value.status == 200
    expect(second_form.locator('[data-field="headline"]')).to_have_value("算力、数据与能源")
    shots(second, "the issue fields merged")

    issue.refresh_from_db()
    assert (issue.headline, issue.summary) == ("算力、数据与能源", "测试摘要，补充一句。")
    browser_errors.check()


def test_someone_editing_a_section_is_shown_to_the_other_until_they_leave(
    new_page, shots, browser_errors, shared_section, writer, writer2, quick_heartbeat
):
    section = shared_section
    first, first_card = open_section(new_page, writer, section)
    second, second_card = open_section(new_page, writer2, section)
    note = second_card.locator('[data-test="presence"]')
    expect(note).to_be_hidden()

    first_card.locator(".ck-editor__editable").first.click()

    expect(note).to_have_text("writer 正在编辑")
    expect(second.locator('[data-test="presence-bar"]')).to_have_text("writer 正在编辑本期")
    delete_form = second.locator(f"#delete-{section.pk}")
    expect(delete_form).to_have_attribute("data-confirm", re.compile("writer 正在编辑这一条"))
    # Nobody is shown their own presence.
    expect(first.locator('[data-test="presence"]:visible')).to_have_count(0)
    shots(second, "the other writer is shown editing")

    # Leaving the editor (here: going to the dashboard) says so at once.
    first.goto("/newsroom/")
    expect(note).to_be_hidden()
    expect(second.locator('[data-test="presence-bar"]')).to_be_hidden()
    expect(delete_form).not_to_have_attribute("data-confirm", re.compile("正在编辑"))
    shots(second, "the other writer has left")
    browser_errors.check()
    leave_and_settle(first, second)
