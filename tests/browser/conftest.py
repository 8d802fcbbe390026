"""Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by Playwright.

Every test here is marked `browser`. Screenshots of each step go to test-artifacts/browser/<test name>/.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

CHROMIUM = os.environ.get("XINZHI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
# Without the background-networking flags Chromium keeps trying to reach Google's hosts.
# The autosave status once a save was answered: 已保存 10:42:03.
SAVED = re.compile(r"^已保存 \d{2}:\d{2}:\d{2}$")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (make test does).")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests themselves are
    # ordinary synchronous code, so Django's async-safety guard does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait for the page up to this long (Playwright's 5 s is short on a busy two-core machine).
    expect.set_options(timeout=10_000)

    from django.db import connections

    # The sync API runs the rest of the session in a greenlet with a contextvars context of its own, where
    # Django's `connections` would hand out new database wrappers: without the serialized contents that
    # `serialized_rollback` restores (the role groups made by a migration), and not the ones the test framework
    # flushes. Keep using the wrappers already open.
    opened = list(connections.all(initialized_only=True))
    with sync_playwright() as playwright:
        for connection in opened:
            connections[connection.alias] = connection
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Shots:
    """Numbered screenshots of one test's steps."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower()).strip('-')}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(request) -> Shots:
    return Shots(ARTIFACTS / request.node.name)


class BrowserErrors:
    """Uncaught exceptions and console errors of every page a test opens: a button that throws, a script the
    Content-Security-Policy blocks, a failed request. Tests end with `check()`; expected ones (a 409 the page
    handles) are allowed by pattern first."""

    def __init__(self):
        self.seen: list[str] = []
        self.allowed: list[re.Pattern] = []

    def watch(self, page) -> None:
        page.on("pageerror", lambda error: self.seen.append(f"uncaught error on {page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                message.type == "error" and self.seen.append(f"console error on {page.url}: {message.text}")
            ),
        )

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [item for item in self.seen if not any(p.search(item) for p in self.allowed)]

    def check(self) -> None:
        unexpected = self.unexpected()
        assert not unexpected, "errors in the browser:\n" + "\n".join(unexpected)


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def new_page(browser, live_server, browser_errors):
    """Open a page in a fresh context (its own cookies), with the live server as base URL. Every page's errors
    are collected in `browser_errors`."""
    contexts = []

    def open_page(
        *,
        width: int = 1280,
        height: int = 900,
        locale: str = "zh-CN",
        java_script_enabled: bool = True,
        accept_downloads: bool = True,
    ):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale=locale,
            java_script_enabled=java_script_enabled,
            accept_downloads=accept_downloads,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        browser_errors.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, user, password: str | None = None) -> None:
    """Sign in through the login form (the test users' password is `pw-<username>`, see tests/conftest.py)."""
    form = page.locator('[data-test="login-form"]')
    form.locator('input[name="username"]').fill(user.get_username())
    form.locator('input[name="password"]').fill(password or f"pw-{user.get_username()}")
    form.locator('[data-test="login-submit"]').click()
    page.locator('[data-test="current-user"]').wait_for()


@pytest.fixture(autouse=True)
def clean_page_cache():
    """The archive's page cache lives in this process's memory and outlives the database flush between tests."""
    from django.core.cache import cache

    from publishing.cache import reset_local_cache

    cache.clear()
    reset_local_cache()
    yield
    cache.clear()
    reset_local_cache()


@pytest.fixture(autouse=True)
def no_presence_heartbeat(settings):
    # The editor's presence heartbeat and the beacon of a closing page would reach the live server while the test
    # database is flushed; only the presence test (tests/browser/test_edit_conflict.py) turns it on.
    settings.PRESENCE_HEARTBEAT_SECONDS = 0


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every sign-in checks a password and the journeys sign in several people; PBKDF2's work factor would be most
    # of the run. The live server thread reads the same settings object.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def accept_dialogs(page) -> None:
    # Submitting and approving ask for confirmation; Playwright dismisses dialogs unless told otherwise.
    page.on("dialog", lambda dialog: dialog.accept())


def type_into_editor(
    page, editable, text: str, *, section, status: int = 200, characters: int | None = None
) -> dict:
    """Type `text` at the end of a CKEditor 5 editable (or after its first `characters` characters); wait until
    the autosave carrying it has been answered with `status`, and return the answer's JSON."""
    save_url = f"/newsroom/sections/{section.pk}/save/"
    with page.expect_response(
        lambda r: (
            r.url.endswith(save_url) and r.request.method == "POST" and text in (r.request.post_data or "")
        ),
        timeout=15_000,
    ) as saved:
        editable.click()
        if characters is None:
            page.keyboard.press("Control+End")
        else:
            page.keyboard.press("Control+Home")
            for _ in range(characters):
                page.keyboard.press("ArrowRight")
        page.keyboard.type(text)
    assert saved.value.status == status, saved.value.text()
    return saved.value.json()


def paste(page, editor_id: str, html: str) -> None:
    """A real paste event at the end of a CKEditor 5 editable (`editor_id`: its textarea's id), carrying `html`
    as the clipboard's text/html."""
    page.evaluate(
        """([id, html]) => {
            const editor = window.editors[id];
            editor.editing.view.focus();
            editor.model.change((writer) => writer.setSelection(editor.model.document.getRoot(), 'end'));
            const data = new DataTransfer();
            data.setData('text/html', html);
            data.setData('text/plain', html.replace(/<[^>]+>/g, ''));
            const event = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
            editor.ui.getEditableElement().dispatchEvent(event);
        }""",
        [editor_id, html],
    )


def poll(page, script: str, arg=None, *, timeout: float = 20.0):
    """Evaluate `script` (a JS function) until it returns something truthy (the pages' CSP forbids the string
    evaluation Playwright's wait_for_function uses)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script, arg)
        if value or time.monotonic() > deadline:
            assert value, f"timed out waiting for {script}"
            return value
        time.sleep(0.1)


def get_data(page, editor_id: str) -> str:
    return page.evaluate("(id) => window.editors[id].getData()", editor_id)


@pytest.fixture
def remove_uploads():
    """Names of files the test made through the newsroom; deleted afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        default_storage.delete(name)


def open_editor(page, writer, section) -> str:
    """Sign in, open the section's issue in the editor, wait for its editors; return the body editor's id."""
    page.goto("/accounts/login/")
    sign_in(page, writer)
    page.goto(f"/newsroom/issues/{section.issue_id}/")
    editor_id = f"id_s{section.pk}-body"
    poll(page, "(id) => !!(window.editors && window.editors[id])", editor_id)
    return editor_id
