"""Encoded path traversal on every route that serves a file, aimed at the embargoed renditions.

The files worth stealing are the PDF and WeChat HTML of an issue that is approved but not yet published, and of a
withdrawn one: they sit in MEDIA_ROOT/renditions/<date>/ beside the uploads folder MEDIA_ROOT/newsroom/ that the
app serves itself (xinzhi/media.py). Every spelling of `..` (percent-encoded once and twice, backslashes, overlong
UTF-8, NUL, absolute paths) on every file route must answer 404 or 400: never the file, never a 500 (the test
client raises on a server error).
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import os
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse
from PIL import Image

import xinzhi.urls
from editorial import workflow
from editorial.models import IssueState
from publishing.models import Rendition, RenditionKind, RenditionStatus
from tests.publishing import renditions_support
from tests.publishing.renditions_support import submit_and_approve

fake_renderers = renditions_support.fake_renderers

APPROVED_DAY = dt.date(2026, 7, 2)
WITHDRAWN_DAY = dt.date(2026, 7, 3)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def embargoed(
    make_issue, writer, reviewer, admin_user, media, eager, fake_renderers, django_capture_on_commit_callbacks
) -> list[Rendition]:
    """Done renditions (PDF and WeChat HTML) of an approved, unpublished issue and of a withdrawn one."""
    approved = make_issue(date=APPROVED_DAY)
    withdrawn = make_issue(date=WITHDRAWN_DAY)
    with django_capture_on_commit_callbacks(execute=True):
        submit_and_approve(approved, writer=writer, reviewer=reviewer)
        submit_and_approve(withdrawn, writer=writer, reviewer=reviewer)
        workflow.issue_publish(issue=withdrawn, user=admin_user)
        workflow.issue_withdraw(issue=withdrawn, user=admin_user, reason="数据有误")
    approved.refresh_from_db()
    withdrawn.refresh_from_db()
    assert (approved.state, withdrawn.state) == (IssueState.APPROVED, IssueState.WITHDRAWN)
    files = list(
        Rendition.objects.filter(
            kind__in=(RenditionKind.PDF, RenditionKind.WECHAT), status=RenditionStatus.DONE
        ).select_related("issue")
    )
    assert len(files) == 4
    for rendition in files:
        assert (media / rendition.file.name).is_file()
        assert rendition.file.name.startswith(f"renditions/{rendition.issue.date:%Y-%m-%d}/")
    return files


@pytest.fixture
def upload(media) -> tuple[str, bytes]:
    """A legitimate upload, as editorial.images.store_image names it: (name under MEDIA_ROOT, bytes)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (31, 95, 153)).save(buffer, "PNG")
    name = "newsroom/2026/07/0123456789abcdef0123456789abcdef.png"
    (media / name).parent.mkdir(parents=True)
    (media / name).write_bytes(buffer.getvalue())
    return name, buffer.getvalue()


@pytest.fixture(params=["DEBUG", "production"])
def urlconf(request, settings, media):
    """The project URLconf as it is built with DJANGO_DEBUG=1 and with DJANGO_DEBUG=0 (no object storage), after
    MEDIA_ROOT is set: a route may capture it when the URLconf is imported."""
    saved = settings.DEBUG, settings.S3_BUCKET
    settings.DEBUG = request.param == "DEBUG"
    settings.S3_BUCKET = ""
    importlib.reload(xinzhi.urls)
    clear_url_caches()
    yield request.param
    with override_settings(DEBUG=saved[0], S3_BUCKET=saved[1]):
        importlib.reload(xinzhi.urls)
    clear_url_caches()


def climbs(media: Path, target: str) -> list[str]:
    """Paths under /media/newsroom/ that try to reach MEDIA_ROOT/<target>, in every spelling of `..`."""
    encoded = target.replace("/", "%2f")
    backslashed = target.replace("/", "\\")
    return [
        f"../{target}",
        f"2026/07/../../../{target}",
        f"%2e%2e/{target}",
        f"%2E%2e/{target}",
        f".%2e/{target}",
        f"..%2f{target}",
        f"..%2f{encoded}",
        f"%2e%2e%2f{encoded}",
        f"%2E%2E%2F{encoded}",
        f"%252e%252e%252f{target}",
        f"%252e%252e/{target}",
        f"%25252e%25252e%25252f{target}",
        f"..\\{backslashed}",
        f"..%5c{target.replace('/', '%5c')}",
        f"%2e%2e%5c{target}",
        f"%c0%ae%c0%ae/{target}",
        f"%c0%ae%c0%ae%c0%af{target}",
        f"..%c0%af{target}",
        f"%e0%80%ae%e0%80%ae/{target}",
        f"....//{target}",
        f"..../{target}",
        f"...//{target}",
        f"..%00/{target}",
        f"%00../{target}",
        f"../{target}%00.png",
        f"../{target}%00",
        # Absolute paths, plain and encoded.
        f"/{media}/{target}",
        f"{media}/{target}".lstrip("/"),
        f"%2f{str(media).lstrip('/').replace('/', '%2f')}%2f{encoded}",
        "/etc/passwd",
        "%2fetc%2fpasswd",
        "../../../../../../../../etc/passwd",
        "%2e%2e/" * 12 + "etc/passwd",
    ]


def media_url(rest: str) -> str:
    return f"/media/newsroom/{rest}"


def assert_refused(response, secret: bytes | None = None) -> None:
    assert response.status_code in (400, 404), (response.status_code, response.get("Location"))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert secret is None or secret not in body
    assert b"root:x:0:0" not in body


def test_every_encoding_of_dot_dot_on_the_uploads_route_is_refused(client, urlconf, media, embargoed, upload):
    attempts = 0
    for rendition in embargoed:
        secret = (media / rendition.file.name).read_bytes()
        for rest in climbs(media, rendition.file.name):
            assert_refused(client.get(media_url(rest)), secret)
            attempts += 1
    assert attempts == 4 * len(climbs(media, "x"))
    # The route itself still serves what it is for.
    assert client.get(media_url(upload[0].removeprefix("newsroom/"))).status_code == 200


def test_a_legitimate_upload_is_served_with_its_type_and_long_caching(client, urlconf, upload):
    name, data = upload

    response = client.get(f"/media/{name}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(data))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.head(f"/media/{name}").status_code == 200
    assert client.post(f"/media/{name}").status_code == 405


def test_symlinks_inside_the_uploads_folder_that_point_out_of_it_are_refused(
    client, urlconf, media, embargoed
):
    pdf = next(r for r in embargoed if r.kind == RenditionKind.PDF)
    uploads = media / "newsroom"
    uploads.mkdir(exist_ok=True)
    os.symlink("/etc/passwd", uploads / "passwd.png")
    os.symlink(media / "renditions", uploads / "renditions")
    os.symlink(media / pdf.file.name, uploads / "embargoed.png")
    os.symlink(media, uploads / "root")
    os.symlink(uploads / "loop.png", uploads / "loop.png")
    secret = (media / pdf.file.name).read_bytes()

    for rest in (
        "passwd.png",
        "embargoed.png",
        pdf.file.name,
        f"root/{pdf.file.name}",
        "root/newsroom/passwd.png",
        "loop.png",
    ):
        assert_refused(client.get(media_url(rest)), secret)


def test_only_images_in_the_uploads_folder_are_served(client, urlconf, media):
    uploads = media / "newsroom"
    uploads.mkdir(parents=True)
    (uploads / "page.html").write_bytes(b"<script>alert(1)</script>")
    (uploads / "notes.txt").write_bytes(b"internal")
    (uploads / "2026").mkdir()

    for rest in ("page.html", "notes.txt", "2026", "2026/", "", "."):
        assert_refused(client.get(media_url(rest)))
    # Outside the uploads folder nothing under /media/ is routed at all.
    (media / "other.png").write_bytes(b"\x89PNG")
    assert_refused(client.get("/media/other.png"))


def test_with_object_storage_the_app_serves_no_media(client, settings, upload):
    saved = settings.S3_BUCKET
    settings.S3_BUCKET = "bulletin-media"
    importlib.reload(xinzhi.urls)
    clear_url_caches()
    try:
        assert client.get(f"/media/{upload[0]}").status_code == 404
    finally:
        with override_settings(S3_BUCKET=saved):
            importlib.reload(xinzhi.urls)
        clear_url_caches()


@pytest.mark.parametrize("who", ["anonymous", "stranger", "writer"])
def test_public_download_routes_give_no_unpublished_or_withdrawn_output(
    client, media, embargoed, who, request
):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for rendition in embargoed:
        secret = (media / rendition.file.name).read_bytes()
        day = f"{rendition.issue.date:%Y-%m-%d}"
        for path in (
            f"/issues/{day}/",
            f"/issues/{day}/pdf/",
            f"/issues/{day}/wechat/",
            f"/issues/{day}/pdf/%2e%2e/%2e%2e/media/{rendition.file.name}",
            f"/issues/{day}/pdf/..%2f..%2fmedia%2f{rendition.file.name.replace('/', '%2f')}",
            f"/issues/{day}%2f..%2f..%2fmedia/{rendition.file.name}/pdf/",
            f"/media/{rendition.file.name}",
            f"/media/%2e%2e/media/{rendition.file.name}",
        ):
            assert_refused(client.get(path), secret)


def test_the_newsroom_rendition_route_hands_files_to_the_newsroom_only(
    client, stranger, writer, media, embargoed
):
    pdf = next(r for r in embargoed if r.kind == RenditionKind.PDF and r.issue.date == APPROVED_DAY)
    url = reverse("renditions:file", args=[pdf.pk])
    secret = (media / pdf.file.name).read_bytes()

    anonymous = client.get(url)
    client.force_login(stranger)
    outsider = client.get(url)
    client.force_login(writer)
    staff = client.get(url)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert outsider.status_code == 403 and secret not in outsider.content
    assert staff.status_code == 200 and b"".join(staff.streaming_content) == secret
    # The file is found by the rendition's id in the database: nothing of the URL becomes a path.
    for rest in (
        f"%2e%2e/{pdf.pk}/",
        f"{pdf.pk}/%2e%2e/",
        f"{pdf.pk}%2f..%2f",
        f"..%2f..%2fmedia%2f{pdf.file.name.replace('/', '%2f')}/",
        f"{pdf.pk}/../../../media/{pdf.file.name}",
    ):
        assert_refused(client.get(f"/newsroom/renditions/{rest}"), secret)


def test_the_download_service_renders_and_hands_out_nothing_for_an_unpublished_or_withdrawn_issue(
    embargoed, fake_renderers
):
    from publishing.downloads import rendition_for_download

    calls = fake_renderers.count()
    for rendition in embargoed:
        with pytest.raises(ValueError, match="only a published issue has downloads"):
            rendition_for_download(issue=rendition.issue, kind=rendition.kind)
    assert fake_renderers.count() == calls
