import pytest
from django.test import Client
from django.urls import path


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken)]


def test_an_unknown_page_answers_404_in_the_sites_own_page(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert body.count("<h1") == 1
    assert 'href="/archive/"' in body


@pytest.mark.urls("tests.test_error_pages")
def test_a_server_error_answers_500_with_a_page_that_needs_nothing(db, settings):
    settings.DEBUG = False

    response = Client(raise_request_exception=False).get("/broken/")

    assert response.status_code == 500
    assert "服务暂时不可用" in response.content.decode()
