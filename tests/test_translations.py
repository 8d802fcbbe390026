"""The English catalogue: complete, compiled, used by the pages, and reachable through the language switch.

The interface is written in Chinese (zh-hans) and translated in locale/en. `make messages` extracts the strings;
the first test extracts them again, the same way, into a scratch folder, so a string added without a translation
fails here with its text named.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from tests.publishing import archive_support

clean_cache = archive_support.clean_cache
published = archive_support.published

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUES = BASE_DIR / "locale" / "en" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# %(name)s, %s, {name}: what a translation must carry over unchanged.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{\w*\}")


def makefile_ignores() -> list[str]:
    """The --ignore patterns of `make messages`, so that this test extracts exactly what the Makefile does."""
    makefile = (BASE_DIR / "Makefile").read_text()
    block = re.search(r"^MESSAGES_IGNORE :=(.*?)(?<!\\)\n", makefile, re.M | re.S)
    assert block, "the Makefile has no MESSAGES_IGNORE"
    return re.findall(r"--ignore '([^']+)'", block.group(1))


def entry_key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def describe(key: tuple[str, str, str]) -> str:
    context, msgid, _plural = key
    return f"{msgid!r}" + (f" (context {context!r})" if context else "")


def is_translated(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags or entry.obsolete:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(value.strip() for value in entry.msgstr_plural.values())
    return bool(entry.msgstr.strip())


def committed(domain: str) -> polib.POFile:
    return polib.pofile(str(CATALOGUES / f"{domain}.po"))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, polib.POFile]:
    """The source strings, extracted now by makemessages into a scratch locale folder.

    makemessages writes next to the nearest locale folder of each source file, so it runs in a scratch tree of
    symbolic links to the checkout's top-level entries (all but locale/) with an empty locale/ of its own.
    """
    root = tmp_path_factory.mktemp("messages")
    for entry in BASE_DIR.iterdir():
        if entry.name != "locale":
            (root / entry.name).symlink_to(entry)
    locale = root / "locale"
    locale.mkdir()
    with contextlib.chdir(root), override_settings(LOCALE_PATHS=[str(locale)]):
        for domain in DOMAINS:
            call_command(
                "makemessages",
                locale=["en"],
                domain=domain,
                ignore_patterns=makefile_ignores(),
                symlinks=True,
                no_obsolete=True,
                verbosity=0,
            )
    return {domain: polib.pofile(str(locale / "en" / "LC_MESSAGES" / f"{domain}.po")) for domain in DOMAINS}


# --- (a) the catalogue is complete ----------------------------------------------------------------------------


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_source_string_has_an_english_translation(extracted, domain):
    source = extracted[domain]
    assert len(source) > (100 if domain == "django" else 10), "makemessages found suspiciously few strings"
    translations = {entry_key(entry): entry for entry in committed(domain)}
    untranslated = [
        describe(entry_key(entry))
        for entry in source
        if entry_key(entry) not in translations or not is_translated(translations[entry_key(entry)])
    ]
    assert not untranslated, (
        f"{len(untranslated)} string(s) have no English translation in locale/en/LC_MESSAGES/{domain}.po "
        "(run `make messages`, then translate them):\n" + "\n".join(untranslated)
    )


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogue_has_no_fuzzy_or_empty_entries(domain):
    catalogue = committed(domain)
    assert not catalogue.metadata_is_fuzzy
    bad = [
        describe(entry_key(entry)) for entry in catalogue if not entry.obsolete and not is_translated(entry)
    ]
    assert not bad, "fuzzy or empty: " + ", ".join(bad)


@pytest.mark.parametrize("domain", DOMAINS)
def test_translations_keep_every_placeholder(domain):
    wrong = []
    for entry in committed(domain):
        if entry.obsolete:
            continue
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for translated in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            if sorted(PLACEHOLDER.findall(translated)) != expected:
                wrong.append(f"{entry.msgid!r} -> {translated!r}")
    assert not wrong, "placeholders changed:\n" + "\n".join(wrong)


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_english_plural_forms_are_declared(domain):
    assert committed(domain).metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


# --- (b) the compiled catalogue matches its source ------------------------------------------------------------


def mo_messages(path: Path) -> dict:
    messages = {}
    for entry in polib.mofile(str(path)):
        key = entry_key(entry)
        messages[key] = dict(entry.msgstr_plural) if entry.msgid_plural else entry.msgstr
    return messages


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalogue_is_up_to_date(tmp_path, domain):
    compiled = tmp_path / f"{domain}.mo"
    # What compilemessages runs; --check-format also refuses a translation whose placeholders differ.
    result = subprocess.run(
        [
            shutil.which("msgfmt") or "msgfmt",
            "--check-format",
            "-o",
            str(compiled),
            str(CATALOGUES / f"{domain}.po"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert mo_messages(CATALOGUES / f"{domain}.mo") == mo_messages(compiled), (
        f"locale/en/LC_MESSAGES/{domain}.mo is older than its .po: run `make messages`"
    )


# --- (c) pages in English -------------------------------------------------------------------------------------


def without_own_language_names(page: str) -> str:
    """The page less the elements marked as another language (the switch names each language in itself)."""
    return re.sub(r'<(\w+)\b[^>]*\blang="zh-hans"[^>]*>.*?</\1>', "", page, flags=re.S)


def chinese_in(page: str) -> list[str]:
    text = without_own_language_names(page)
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in CJK.finditer(text)][:5]


def get(client: Client, url: str, language: str | None = None):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response, response.content.decode()


@pytest.mark.django_db
def test_the_login_page_is_in_english_when_the_browser_asks_for_it(client):
    response, page = get(client, reverse("login"), "en-GB,en;q=0.9")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in page
    for label in ("Sign in to the newsroom", "Username", "Password", "Forgot your password?", "Sign in"):
        assert label in page
    assert not chinese_in(page), chinese_in(page)


@pytest.mark.django_db
def test_the_login_page_is_in_chinese_by_default(client):
    response, page = get(client, reverse("login"))
    assert response["Content-Language"] == "zh-hans"
    for label in ("登录编辑部", "用户名", "密码", "忘记密码？"):
        assert label in page
    assert "Username" not in page


@pytest.mark.django_db
def test_the_archive_index_is_in_english_for_an_english_reader(client, published):
    response, page = get(client, reverse("archive:index"), "en")
    assert response["Content-Language"] == "en"
    for label in ("Archive", "Search the archive", "1 issue", "July", "Skip to content", "Topics", "Sources"):
        assert label in page
    for chinese_label in ("往期目录", "搜索往期", "7 月", "共 1 期", "跳到正文"):
        assert chinese_label not in page
    # The series title is a UI label in the chrome; the index lists months, not issue text: nothing is left.
    assert not chinese_in(page), chinese_in(page)


@pytest.mark.django_db
def test_the_archive_index_is_in_chinese_by_default_and_cached_per_language(client, published):
    _response, english = get(client, reverse("archive:index"), "en")
    response, page = get(client, reverse("archive:index"))
    assert response["Content-Language"] == "zh-hans"
    for label in ("往期目录", "搜索往期", "7 月", "跳到正文"):
        assert label in page
    assert "Search the archive" not in page
    vary = {value.strip() for value in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    assert english != page


@pytest.mark.django_db
def test_an_archive_issue_page_has_english_chrome_around_the_chinese_issue(client, published):
    _response, page = get(client, reverse("archive:issue", kwargs={"date": "2026-07-01"}), "en")
    # The page around the issue follows the reader, and says so.
    for label in ("Download PDF", "WeChat HTML", "Archive", "Skip to content", "Search the archive"):
        assert label in page
    assert '<header class="site-bar" id="site-bar" lang="en">' in page
    assert '<p class="downloads" id="downloads" lang="en">' in page
    # The issue is in its own language, its labels and masthead date included, as in the PDF.
    assert '<html lang="zh-Hans">' in page
    assert "公开词标题" in page
    for label in ("摘要", "目录", "2026 年 7 月 1 日"):
        assert label in page
    for english in ("Summary", "Contents", "2026-07-01</time>"):
        assert english not in page


@pytest.mark.django_db
def test_the_newsroom_dashboard_follows_the_language_cookie(client, writer):
    client.force_login(writer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _response, page = get(client, reverse("newsroom:dashboard"))
    for label in ("Dashboard", "My sections", "Sign out", "Writer"):
        assert label in page
    for chinese_label in ("工作台", "我负责的条目", "退出"):
        assert chinese_label not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "editor_language", "label"), [("en", "en", "News text"), ("zh-hans", "zh-cn", "新闻正文")]
)
def test_the_rich_text_editor_speaks_the_readers_language(
    client, writer, draft_issue, language, editor_language, label
):
    client.force_login(writer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    _response, page = get(client, reverse("newsroom:editor", args=[draft_issue.pk]))
    configs = re.findall(r'<script id="[^"]*_script" type="application/json">(.*?)</script>', page)
    assert len(configs) == 4  # body and analysis of two sections
    assert all(f'"language": "{editor_language}"' in config for config in configs)
    assert label in page


@pytest.mark.django_db
def test_the_script_catalogue_is_english_for_an_english_reader(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _response, script = get(client, reverse("newsroom:jsi18n"))
    assert "Unsaved changes" in script
    assert "Could not check the outputs" in script  # publishing's script shares the project catalogue


@pytest.mark.django_db
def test_an_error_message_reaches_an_english_reader_in_english(client, published):
    _response, page = get(client, reverse("archive:search") + "?q=x&start=2026-07-02&end=2026-07-01", "en")
    assert "The end date cannot be before the start date." in page


def test_issue_outputs_stay_in_the_issues_language_for_an_english_reader(draft_issue):
    from publishing.render import render_web, render_wechat

    with translation.override("en"):
        web = render_web(draft_issue)
        wechat = render_wechat(draft_issue)
        assert translation.get_language() == "en"
    for output in (web, wechat):
        assert "摘要" in output and "目录" in output
        assert "Summary" not in output and "Contents" not in output
    assert "2026 年 7 月 1 日" in web


def test_the_pdf_stays_in_the_issues_language_for_an_english_reader(draft_issue):
    import io

    from pypdf import PdfReader

    from publishing.render import render_pdf

    with translation.override("en"):
        data = render_pdf(draft_issue)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "摘要" in text and "第 1 页" in text
    assert "Summary" not in text and "Page 1" not in text


# --- (d) the language switch ----------------------------------------------------------------------------------


SWITCH = re.compile(
    r'<form class="language-switch"[^>]*action="/i18n/setlang/"[^>]*method="post".*?</form>', re.S
)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["login", "archive:index"])
def test_newsroom_and_archive_pages_offer_the_other_language(client, published, url_name):
    _response, page = get(client, reverse(url_name))
    switch = SWITCH.search(page)
    assert switch, "no language switch"
    assert 'name="language" value="en"' in switch.group(0)
    assert f'name="next" value="{reverse(url_name)}"' in switch.group(0)
    _response, english = get(client, reverse(url_name), "en")
    assert 'name="language" value="zh-hans"' in SWITCH.search(english).group(0)


@pytest.mark.django_db
def test_switching_to_english_sets_the_cookie_and_returns_to_the_page(published):
    # A cached archive page carries no CSRF token: the switch must work without one.
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("archive:index")})
    assert response.status_code == 302
    assert response["Location"] == reverse("archive:index")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    _response, page = get(client, reverse("archive:index"))
    assert "Search the archive" in page

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("login")})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    _response, page = get(client, reverse("login"))
    assert "登录编辑部" in page


@pytest.mark.django_db
def test_the_switch_ignores_an_unknown_language(client):
    response = client.post(reverse("set_language"), {"language": "xx", "next": reverse("login")})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    _response, page = get(client, reverse("login"))
    assert "登录编辑部" in page


@pytest.mark.django_db
def test_the_switch_does_not_redirect_to_another_site(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_switch_does_not_change_the_language_on_a_get(client):
    response = client.get(reverse("set_language") + "?language=en&next=/")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
