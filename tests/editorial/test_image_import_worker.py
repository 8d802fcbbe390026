"""With a real Celery worker on Redis (second CI pass): the newsroom's import endpoint enqueues the fetch, the
worker fetches and stores the image, and the endpoint answers with the stored URL within its wait."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from tests.publishing.test_worker import media, queue, start_worker  # noqa: F401 (fixtures, asked for by name)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_worker_imports_an_outside_image_for_the_endpoint(client, writer, image_server, request):
    # The worker is another process: the test host is allowed through its environment (DJANGO_DEBUG=1 there).
    media_root = request.getfixturevalue("media")
    request.getfixturevalue("start_worker")(XINZHI_IMAGE_FETCH_ALLOW_HOSTS="127.0.0.1")
    client.force_login(writer)

    response = client.post(
        "/newsroom/upload/import/",
        json.dumps({"url": image_server.url("/photo.jpg")}),
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    url = response.json()["url"]
    [stored] = [p for p in media_root.rglob("*") if p.is_file()]
    assert url.endswith(stored.name)
    with Image.open(stored) as image:
        assert image.size == (2000, 667)
        assert dict(image.getexif()) == {}


def test_a_worker_refuses_an_internal_address_for_the_endpoint(client, writer, image_server, request):
    # No allowed host in the worker: the local server counts as internal there.
    request.getfixturevalue("start_worker")()
    client.force_login(writer)

    response = client.post(
        "/newsroom/upload/import/",
        json.dumps({"url": image_server.url("/photo.jpg")}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "该地址指向内部网络" in response.json()["error"]
    assert image_server.requests == []
