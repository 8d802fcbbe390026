"""Images pasted from outside addresses: the editor posts the address, a task fetches it through
xinzhi.safe_fetch and stores it like an upload, and the answer is the stored URL or a message naming the image."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
from PIL import Image

from xinzhi import safe_fetch

URL = "/newsroom/upload/import/"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def post(client, url):
    return client.post(URL, json.dumps({"url": url}), content_type="application/json")


def test_an_outside_photo_is_stored_as_our_upload_downscaled_and_without_exif(
    client, writer, media, image_server, eager
):
    client.force_login(writer)

    response = post(client, image_server.url("/photo.jpg"))

    assert response.status_code == 200, response.content
    [stored] = stored_files(media)
    assert response.json() == {"url": f"/media/{stored.relative_to(media).as_posix()}"}
    assert stored.relative_to(media).parts[0] == "newsroom"
    with Image.open(stored) as image:
        assert (image.format, image.size) == ("JPEG", (2000, 667))
        assert dict(image.getexif()) == {}
    assert b"Canon" not in stored.read_bytes()


def test_a_page_that_is_not_an_image_is_refused_naming_the_address(
    client, writer, media, image_server, eager
):
    client.force_login(writer)
    address = image_server.url("/page.html")

    response = post(client, address)

    assert response.status_code == 400
    assert response.json() == {
        "error": f"无法导入图片 {address}：只能上传 JPEG、PNG、WebP 或 GIF 图片，该文件不是有效的图片"
    }
    assert stored_files(media) == []


def test_an_oversize_image_is_refused(client, writer, media, image_server, eager):
    client.force_login(writer)

    response = post(client, image_server.url("/big-streamed.jpg"))

    assert response.status_code == 400
    assert response.json()["error"].endswith("：文件超过 5 MB")
    assert stored_files(media) == []


def test_an_unreachable_address_is_refused(client, writer, media, image_server, eager):
    client.force_login(writer)

    response = post(client, image_server.url("/missing.jpg"))

    assert response.status_code == 400
    assert response.json()["error"].endswith("：服务器返回错误 404")


def test_a_slow_server_is_given_up(client, writer, media, image_server, eager, settings):
    settings.IMAGE_FETCH_TIMEOUT = 1
    settings.IMAGE_FETCH_CONNECT_TIMEOUT = 1
    client.force_login(writer)

    response = post(client, image_server.url("/slow.jpg"))

    assert response.status_code == 400
    assert response.json()["error"].endswith("：连接超时")
    assert stored_files(media) == []


@pytest.mark.parametrize(
    "address", ["10.0.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1", "100.100.100.200"]
)
def test_a_host_resolving_to_an_internal_address_is_refused(
    client, writer, media, eager, monkeypatch, address
):
    monkeypatch.setattr(safe_fetch, "resolve", lambda host, port: [ipaddress.ip_address(address)])
    client.force_login(writer)

    response = post(client, "https://images.example.com/photo.jpg")

    assert response.status_code == 400
    assert response.json() == {
        "error": "无法导入图片 https://images.example.com/photo.jpg：该地址指向内部网络，不允许访问"
    }


def test_the_local_test_host_is_refused_unless_the_setting_allows_it(
    client, writer, media, image_server, eager, settings
):
    settings.IMAGE_FETCH_ALLOW_HOSTS = []
    client.force_login(writer)

    response = post(client, image_server.url("/photo.jpg"))

    assert response.status_code == 400
    assert "内部网络" in response.json()["error"]
    assert image_server.requests == []


def test_a_long_address_is_cut_in_the_message(client, writer, media, eager):
    client.force_login(writer)
    address = "ftp://example.com/" + "a" * 200

    response = post(client, address)

    message = response.json()["error"]
    assert message.startswith("无法导入图片 ftp://example.com/aaa")
    assert "…：只能导入 http 或 https 地址的图片" in message
    assert len(message) < 130


def test_a_request_without_an_address_is_refused(client, writer, media):
    client.force_login(writer)

    assert client.post(URL, "{}", content_type="application/json").status_code == 400
    assert client.post(URL, "not json", content_type="application/json").status_code == 400
    assert post(client, ["http://x"]).status_code == 400


def test_anonymous_and_users_without_a_newsroom_role_are_refused(
    client, stranger, media, image_server, eager
):
    assert post(client, image_server.url("/photo.jpg")).status_code == 403
    client.force_login(stranger)

    response = post(client, image_server.url("/photo.jpg"))

    assert response.status_code == 403
    assert "撰稿人和审核人" in response.json()["error"]
    assert image_server.requests == []
    assert stored_files(media) == []


def test_a_get_is_refused(client, writer):
    client.force_login(writer)

    assert client.get(URL).status_code == 405


def test_the_import_needs_the_csrf_token(writer, media, image_server, eager):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)

    response = post(client, image_server.url("/photo.jpg"))

    assert response.status_code == 403
    assert image_server.requests == []


def test_the_task_takes_and_returns_plain_json(media, image_server, eager):
    from editorial.tasks import import_outside_image

    # Waited on as the endpoint waits: eager tasks run on live-server threads earlier in the session may have left
    # Celery's process-wide "inside a task" flag set (the race the endpoint is immune to).
    answer = import_outside_image.delay(image_server.url("/photo.jpg"), "zh-hans").get(
        disable_sync_subtasks=False
    )

    assert json.loads(json.dumps(answer)) == answer
    assert answer["url"].startswith("/media/newsroom/")
    assert len(stored_files(media)) == 1


class _Pending:
    """What apply_async returns when no worker answers in time."""

    def get(self, timeout, propagate, disable_sync_subtasks=True):
        from celery.exceptions import TimeoutError as ResultTimeout

        raise ResultTimeout("The operation timed out.")


def test_a_worker_that_does_not_answer_in_time_gives_a_message(client, writer, media, monkeypatch):
    from editorial import tasks

    monkeypatch.setattr(tasks.import_outside_image, "apply_async", lambda args: _Pending())
    client.force_login(writer)

    response = post(client, "https://images.example.com/a.jpg")

    assert response.status_code == 400
    assert response.json() == {
        "error": "无法导入图片 https://images.example.com/a.jpg：导入超时，请稍后重新粘贴"
    }


def test_a_failing_task_gives_a_message_not_a_500(client, writer, media, eager, monkeypatch):
    def broken(*, url):
        raise OSError("disk full")

    monkeypatch.setattr("editorial.images.import_image", broken)
    client.force_login(writer)

    response = post(client, "https://images.example.com/a.jpg")

    assert response.status_code == 400
    assert response.json() == {"error": "无法导入图片 https://images.example.com/a.jpg：服务器内部错误"}


def test_an_import_works_while_another_eager_task_holds_celerys_join_guard(
    client, writer, media, image_server, eager
):
    """With eager tasks (the embedded default) each task runs inside Celery's process-wide "never wait on a result
    within a task" flag; a second import on another runserver thread saw it set and answered 服务器内部错误 for
    every later import. The view is no task: it waits regardless of the flag."""
    from celery.result import _set_task_join_will_block, task_join_will_block

    client.force_login(writer)
    before = task_join_will_block()
    _set_task_join_will_block(True)
    try:
        response = post(client, image_server.url("/photo.jpg"))
    finally:
        _set_task_join_will_block(before)

    assert response.status_code == 200, response.content
    assert len(stored_files(media)) == 1
