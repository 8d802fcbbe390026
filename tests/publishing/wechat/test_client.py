"""The WeChat API client end to end against the local fake (fake_api.py): token, uploads, drafts, publishing,
retries, timeouts, refusals and secrets."""

from __future__ import annotations

import http.client
import io
import json
import logging
import socket
import subprocess
import time

import pytest
from django.core.cache import cache
from PIL import Image

from publishing.wechat import client as client_module
from publishing.wechat.client import (
    WeChatAPIError,
    WeChatClient,
    WeChatError,
    WeChatNetworkError,
    WeChatNotConfigured,
    app_secret_from_settings,
)
from publishing.wechat.errors import TOKEN_ERRCODES, TRANSIENT_ERRCODES, describe

TITLE = "新质生产力每日动态（2026-07-01）"


def image(fmt: str = "PNG", size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (31, 95, 153)).save(buffer, format=fmt)
    return buffer.getvalue()


def client_for(fake, **overrides) -> WeChatClient:
    options = {
        "app_id": fake.app_id,
        "app_secret": fake.app_secret,
        "base_url": fake.base_url,
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
    }
    return WeChatClient(**{**options, **overrides})


def article(client: WeChatClient, **fields) -> dict:
    """An article as the push service sends it: a body image from uploadimg and a cover material."""
    body_url = client.upload_image(data=image(), filename="fig.png", content_type="image/png")
    thumb, _url = client.add_image_material(
        data=image("JPEG"), filename="cover.jpg", content_type="image/jpeg"
    )
    return {
        "title": TITLE,
        "author": "新质生产力工作委员会",
        "digest": "数据要素落地、算力能源协同与 AI 基础设施约束",
        "content": f'<section><p>一、数据要素</p><img src="{body_url}"></section>',
        "content_source_url": "https://example.org/issues/2026-07-01/",
        "thumb_media_id": thumb,
        **fields,
    }


# --- the token ---------------------------------------------------------------------------------------------


def test_the_token_is_cached_and_shared_between_clients(wechat_api):
    first = WeChatClient.from_settings().access_token()
    second = WeChatClient.from_settings().access_token()

    assert first == second
    assert wechat_api.count("stable_token") == 1
    assert cache.get("wechat:access_token:" + wechat_api.app_id)["token"] == first


def test_the_token_cache_key_names_the_app_id(wechat_api):
    WeChatClient.from_settings().access_token()

    assert cache.get("wechat:access_token:wxanotherapp") is None


def test_the_token_is_renewed_before_it_expires(wechat_api):
    client = WeChatClient.from_settings()
    old = client.access_token()
    wechat_api.advance(7200 - 300 - 60)
    assert client.access_token() == old

    wechat_api.advance(61)  # inside the last 5 minutes: renewed while the old token still works
    new = client.access_token()

    assert new != old
    assert wechat_api.count("stable_token") == 2
    assert wechat_api.token_was_issued(new)


def test_a_refused_token_is_renewed_once_and_the_call_repeated(wechat_api):
    client = WeChatClient.from_settings()
    media_id = client.draft_add(article=article(client))
    first = client.access_token()
    wechat_api.fail_next("draft/get", 40001)

    draft = client.draft_get(media_id=media_id)

    assert draft["news_item"][0]["title"] == TITLE
    # WeChat gave back the same token in normal mode, so the client forced a new one.
    assert wechat_api.calls[-4:] == ["draft/get", "stable_token", "stable_token", "draft/get"]
    assert client.access_token() != first


def test_an_expired_token_is_renewed_without_forcing(wechat_api):
    client = WeChatClient.from_settings()
    before = client.access_token()
    wechat_api.expire_tokens()

    result = client.draft_batchget(offset=0, count=20)

    assert result["total_count"] == 0
    assert wechat_api.calls == ["stable_token", "draft/batchget", "stable_token", "draft/batchget"]
    assert client.access_token() != before


def test_a_second_token_error_raises(wechat_api):
    client = WeChatClient.from_settings()
    wechat_api.fail_next("draft/batchget", 42001, times=2)

    with pytest.raises(WeChatAPIError) as caught:
        client.draft_batchget(offset=0, count=5)

    assert caught.value.errcode == 42001
    assert caught.value.transient is False
    assert "过期" in caught.value.message
    assert wechat_api.count("draft/batchget") == 2


def test_a_wrong_secret_is_refused_with_a_message_naming_the_setting(wechat_api):
    client = client_for(wechat_api, app_secret="not-the-secret")

    with pytest.raises(WeChatAPIError) as caught:
        client.access_token()

    assert caught.value.errcode == 40125
    assert "WECHAT_APP_SECRET" in str(caught.value)
    assert "not-the-secret" not in str(caught.value) + repr(caught.value)
    assert wechat_api.count("stable_token") == 1  # a permanent error is not retried


def test_a_wrong_app_id_is_refused(wechat_api):
    with pytest.raises(WeChatAPIError) as caught:
        client_for(wechat_api, app_id="wxwrong").access_token()

    assert caught.value.errcode == 40013
    assert "AppID" in caught.value.message


# --- the endpoints -----------------------------------------------------------------------------------------


def test_upload_image_returns_a_url_wechat_keeps(wechat_api):
    url = WeChatClient.from_settings().upload_image(
        data=image(), filename="图1.png", content_type="image/png"
    )

    assert url.startswith("http://mmbiz.qpic.cn/mmbiz_png/")
    assert url in wechat_api.images


def test_upload_image_refuses_a_gif_with_a_chinese_message(wechat_api):
    with pytest.raises(WeChatAPIError) as caught:
        WeChatClient.from_settings().upload_image(
            data=image("GIF"), filename="a.gif", content_type="image/gif"
        )

    assert caught.value.errcode == 40005
    assert caught.value.transient is False
    assert "JPG" in str(caught.value)
    assert wechat_api.count("media/uploadimg") == 1


def test_upload_image_refuses_more_than_1_mb(wechat_api):
    big = image() + b"\0" * (1024 * 1024)

    with pytest.raises(WeChatAPIError) as caught:
        WeChatClient.from_settings().upload_image(data=big, filename="big.png", content_type="image/png")

    assert caught.value.errcode == 40009


def test_add_image_material_returns_media_id_and_url(wechat_api):
    media_id, url = WeChatClient.from_settings().add_image_material(
        data=image("JPEG"), filename="cover.jpg", content_type="image/jpeg"
    )

    assert wechat_api.materials[media_id] == url
    assert url.startswith("http://mmbiz.qpic.cn/")


def test_draft_add_get_update_and_batchget(wechat_api):
    client = WeChatClient.from_settings()
    media_id = client.draft_add(article=article(client))

    client.draft_update(media_id=media_id, article=article(client, title="更正：" + TITLE[:20]))
    draft = client.draft_get(media_id=media_id)
    listing = client.draft_batchget(offset=0, count=20)

    assert draft["news_item"][0]["title"] == "更正：" + TITLE[:20]
    assert listing["total_count"] == 1
    assert listing["item"][0]["media_id"] == media_id
    news = listing["item"][0]["content"]["news_item"][0]
    assert news["content_source_url"] == "https://example.org/issues/2026-07-01/"
    assert "<section>" in news["content"]  # no_content=0: the content comes back


def test_json_bodies_are_utf8_not_unicode_escapes(wechat_api):
    client = WeChatClient.from_settings()
    client.draft_add(article=article(client))

    body = wechat_api.last_body("draft/add")
    assert TITLE.encode("utf-8") in body
    assert b"\\u" not in body
    assert json.loads(body)["articles"][0]["author"] == "新质生产力工作委员会"


def test_draft_update_of_an_unknown_draft_is_refused(wechat_api):
    client = WeChatClient.from_settings()

    with pytest.raises(WeChatAPIError) as caught:
        client.draft_update(media_id="DRAFT-gone", article=article(client))

    assert caught.value.errcode == 40007
    assert "media_id" in caught.value.message


@pytest.mark.parametrize(
    ("fields", "errcode"),
    [
        ({"title": "标" * 33}, 45003),
        ({"author": "作" * 17}, 45110),
        ({"digest": "摘" * 129}, 45004),
        ({"content": "<p>" + "字" * 20_000 + "</p>"}, 45002),
        ({"thumb_media_id": "MAT-unknown"}, 40007),
    ],
)
def test_the_fake_enforces_the_documented_limits(wechat_api, fields, errcode):
    client = WeChatClient.from_settings()

    with pytest.raises(WeChatAPIError) as caught:
        client.draft_add(article=article(client, **fields))

    assert caught.value.errcode == errcode
    assert wechat_api.drafts == {}


def test_the_fake_refuses_external_images_and_scripts_that_wechat_would_drop(wechat_api):
    client = WeChatClient.from_settings()
    outside = article(client, content='<p>图</p><img src="https://example.org/photo.jpg">')
    script = article(client, content="<p>文</p><script>alert(1)</script>")

    with pytest.raises(WeChatAPIError) as external_error:
        client.draft_add(article=outside)
    with pytest.raises(WeChatAPIError) as script_error:
        client.draft_add(article=script)

    assert external_error.value.errcode == script_error.value.errcode == 45166
    assert [reason for _endpoint, reason in wechat_api.rejected] == [
        "invalid content: external image https://example.org/photo.jpg",
        "invalid content: <script> (WeChat strips JS)",
    ]


def test_the_fake_refuses_unicode_escaped_json(wechat_api):
    token = WeChatClient.from_settings().access_token()
    connection = http.client.HTTPConnection(
        "127.0.0.1", int(wechat_api.base_url.rsplit(":", 1)[1]), timeout=5
    )
    body = json.dumps({"offset": 0, "count": 1, "note": "新"}).encode()  # ensure_ascii: "\u65b0"
    connection.request("POST", f"/cgi-bin/draft/batchget?access_token={token}", body=body)

    answer = json.loads(connection.getresponse().read())
    connection.close()

    assert answer["errcode"] == 47001
    assert wechat_api.rejected[0][0] == "draft/batchget"


def test_publishing_succeeds_after_polls_and_the_draft_leaves_the_draft_box(wechat_api):
    client = WeChatClient.from_settings()
    media_id = client.draft_add(article=article(client))

    publish_id = client.freepublish_submit(media_id=media_id)
    running = client.freepublish_get(publish_id=publish_id)
    done = client.freepublish_get(publish_id=publish_id)

    assert running["publish_status"] == 1
    assert done["publish_status"] == 0
    assert done["article_detail"]["item"][0]["article_url"].startswith("https://mp.weixin.qq.com/s/")
    assert client.draft_batchget(offset=0, count=20)["total_count"] == 0
    published = client.freepublish_batchget(offset=0, count=10)
    assert published["item"][0]["article_id"] == done["article_id"]
    assert published["item"][0]["content"]["news_item"][0]["title"] == TITLE


def test_a_failed_publication_reports_its_status_and_keeps_the_draft(wechat_api):
    client = WeChatClient.from_settings()
    media_id = client.draft_add(article=article(client))
    wechat_api.publish_polls = 0
    wechat_api.fail_publish(4, (1,))

    result = client.freepublish_get(publish_id=client.freepublish_submit(media_id=media_id))

    assert (result["publish_status"], result["fail_idx"]) == (4, [1])
    assert media_id in wechat_api.drafts


def test_a_draft_that_fails_the_publish_check_raises_a_permanent_error(wechat_api):
    client = WeChatClient.from_settings()
    media_id = client.draft_add(article=article(client))
    wechat_api.fail_next("freepublish/submit", 53503)

    with pytest.raises(WeChatAPIError) as caught:
        client.freepublish_submit(media_id=media_id)

    assert caught.value.errcode == 53503
    assert caught.value.transient is False
    assert "发布检查" in str(caught.value)


# --- retries -----------------------------------------------------------------------------------------------


def test_system_busy_is_retried_with_backoff_for_safe_calls(wechat_api):
    client = WeChatClient.from_settings()
    wechat_api.fail_next("draft/batchget", -1, times=2)

    assert client.draft_batchget(offset=0, count=1)["item_count"] == 0
    assert wechat_api.count("draft/batchget") == 3
    assert wechat_api.sleeps == [0.5, 1.0]


def test_system_busy_three_times_raises_a_transient_error(wechat_api):
    wechat_api.fail_next("draft/get", -1, times=3)

    with pytest.raises(WeChatAPIError) as caught:
        WeChatClient.from_settings().draft_get(media_id="DRAFT1")

    assert caught.value.errcode == -1
    assert caught.value.transient is True
    assert wechat_api.count("draft/get") == 3


def test_a_dropped_connection_is_retried_for_safe_calls(wechat_api):
    client = WeChatClient.from_settings()
    wechat_api.drop_next("media/uploadimg", after_effect=False)

    url = client.upload_image(data=image(), filename="a.png", content_type="image/png")

    assert url in wechat_api.images
    assert wechat_api.count("media/uploadimg") == 2


def test_draft_add_is_not_retried_on_system_busy(wechat_api):
    client = WeChatClient.from_settings()
    body = article(client)
    wechat_api.fail_next("draft/add", -1)

    with pytest.raises(WeChatAPIError) as caught:
        client.draft_add(article=body)

    assert caught.value.transient is True
    assert wechat_api.count("draft/add") == 1
    assert wechat_api.sleeps == []


def test_draft_add_without_an_answer_is_ambiguous_and_not_retried(wechat_api):
    client = WeChatClient.from_settings()
    body = article(client)
    wechat_api.drop_next("draft/add", after_effect=True)

    with pytest.raises(WeChatNetworkError) as caught:
        client.draft_add(article=body)

    assert caught.value.ambiguous is True
    assert caught.value.transient is True
    assert wechat_api.count("draft/add") == 1
    assert len(wechat_api.drafts) == 1  # WeChat did it: the push service must find it before adding again


def test_freepublish_submit_without_an_answer_is_ambiguous_and_not_retried(wechat_api):
    client = WeChatClient.from_settings()
    media_id = client.draft_add(article=article(client))
    wechat_api.drop_next("freepublish/submit", after_effect=False)

    with pytest.raises(WeChatNetworkError) as caught:
        client.freepublish_submit(media_id=media_id)

    assert caught.value.ambiguous is True
    assert wechat_api.count("freepublish/submit") == 1


def test_a_refused_connection_is_not_ambiguous(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = WeChatClient(
        app_id="wxapp",
        app_secret="s3cret-value",
        base_url=f"http://127.0.0.1:{port}",
        connect_timeout=1.0,
        read_timeout=1.0,
        sleep=lambda seconds: None,
    )

    with pytest.raises(WeChatNetworkError) as caught:
        client.access_token()

    assert caught.value.ambiguous is False
    assert caught.value.transient is True
    assert "连接被拒绝" in caught.value.message


def test_a_5xx_answer_is_retried(wechat_api):
    wechat_api.raw_next("draft/batchget", status=502, body=b"<html>Bad Gateway</html>")

    assert WeChatClient.from_settings().draft_batchget(offset=0, count=1)["total_count"] == 0
    assert wechat_api.count("draft/batchget") == 2


def test_an_answer_that_is_not_json_is_ambiguous_for_draft_add(wechat_api):
    client = WeChatClient.from_settings()
    body = article(client)
    wechat_api.raw_next("draft/add", body=b"<html>gateway</html>", headers={"Content-Type": "text/html"})

    with pytest.raises(WeChatNetworkError) as caught:
        client.draft_add(article=body)

    assert caught.value.ambiguous is True
    assert wechat_api.count("draft/add") == 1


# --- the outbound restrictions -----------------------------------------------------------------------------


def test_a_slow_answer_times_out_quickly_and_is_retried(wechat_api):
    client = client_for(wechat_api, read_timeout=0.3)
    client.access_token()
    wechat_api.slow_next("draft/batchget", 30)
    started = time.monotonic()

    assert client.draft_batchget(offset=0, count=1)["total_count"] == 0
    assert time.monotonic() - started < 5
    assert wechat_api.count("draft/batchget") == 2


def test_a_slow_draft_add_times_out_as_ambiguous(wechat_api):
    client = client_for(wechat_api, read_timeout=0.3)
    body = article(client)
    wechat_api.slow_next("draft/add", 30)
    started = time.monotonic()

    with pytest.raises(WeChatNetworkError) as caught:
        client.draft_add(article=body)

    assert time.monotonic() - started < 5
    assert caught.value.ambiguous is True
    assert "超时" in caught.value.message


def test_a_redirect_is_not_followed(wechat_api):
    client = WeChatClient.from_settings()
    client.access_token()
    wechat_api.raw_next("draft/get", status=302, headers={"Location": "http://127.0.0.2/cgi-bin/draft/get"})

    with pytest.raises(WeChatNetworkError) as caught:
        client.draft_get(media_id="DRAFT1")

    assert caught.value.transient is False
    assert "WECHAT_API_BASE_URL" in caught.value.message
    assert wechat_api.calls == ["stable_token", "draft/get"]


def test_an_oversized_answer_is_refused(wechat_api):
    client = WeChatClient.from_settings()
    client.access_token()
    wechat_api.raw_next("draft/get", body=b"{" + b" " * (client_module.MAX_ANSWER_BYTES + 1) + b"}")

    with pytest.raises(WeChatNetworkError) as caught:
        client.draft_get(media_id="DRAFT1")

    assert caught.value.transient is False
    assert wechat_api.count("draft/get") == 1


def test_an_untrusted_certificate_is_refused_before_anything_is_sent(tmp_path):
    from tests.image_server import ImageServer

    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
    subprocess.run([*command.split(), "-keyout", key, "-out", cert], check=True, capture_output=True)
    with ImageServer(certificate=(cert, key)) as server:
        client = WeChatClient(
            app_id="wxapp",
            app_secret="s3cret-value",
            base_url=server.origin,
            connect_timeout=2,
            read_timeout=2,
            sleep=lambda seconds: None,
        )
        with pytest.raises(WeChatNetworkError) as caught:
            client.access_token()

    assert caught.value.ambiguous is False
    assert "TLS" in caught.value.message
    assert server.requests == []


def test_proxies_from_the_environment_are_ignored(wechat_api, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    assert WeChatClient.from_settings().access_token()
    assert wechat_api.count("stable_token") == 1


# --- configuration -----------------------------------------------------------------------------------------


def test_a_missing_app_id_names_what_to_set(settings):
    settings.WECHAT_APP_ID = ""
    settings.WECHAT_APP_SECRET = "s3cret-value"

    with pytest.raises(WeChatNotConfigured) as caught:
        WeChatClient.from_settings()

    assert "WECHAT_APP_ID" in caught.value.message
    assert "AppID" in caught.value.message
    assert "WECHAT_APP_SECRET" not in caught.value.message


def test_a_missing_secret_names_both_ways_to_set_it(settings):
    settings.WECHAT_APP_ID = "wxapp"
    settings.WECHAT_APP_SECRET = ""

    with pytest.raises(WeChatNotConfigured) as caught:
        WeChatClient.from_settings()

    assert "WECHAT_APP_SECRET" in str(caught.value)
    assert "WECHAT_APP_SECRET_FILE" in str(caught.value)


def test_a_series_app_id_overrides_the_setting(wechat_api):
    client = WeChatClient.from_settings(app_id="wxseries")

    assert client.app_id == "wxseries"
    with pytest.raises(WeChatAPIError) as caught:
        client.access_token()
    assert caught.value.errcode == 40013


def test_a_base_url_with_a_query_is_refused():
    with pytest.raises(WeChatNotConfigured) as caught:
        WeChatClient(
            app_id="wxapp",
            app_secret="s3cret-value",
            base_url="https://api.weixin.qq.com/?x=1",
            connect_timeout=1,
            read_timeout=1,
        )

    assert "WECHAT_API_BASE_URL" in caught.value.message


# --- secrets and logs --------------------------------------------------------------------------------------


def test_secrets_appear_in_no_message_repr_chain_or_log(wechat_api, caplog):
    caplog.set_level(logging.DEBUG)
    client = WeChatClient.from_settings()
    errors: list[WeChatError] = []

    def capture(call):
        with pytest.raises(WeChatError) as caught:
            call()
        errors.append(caught.value)

    wechat_api.fail_next("draft/get", 40001, times=2)  # renewed with force_refresh, then refused again
    capture(lambda: client.draft_get(media_id="DRAFT1"))
    wechat_api.drop_next("freepublish/submit", after_effect=False)
    capture(lambda: client.freepublish_submit(media_id="DRAFT1"))
    for _attempt in range(3):
        wechat_api.raw_next("draft/get", status=500)
    capture(lambda: client.draft_get(media_id="DRAFT1"))
    echo = {"errcode": 40003, "errmsg": f"bad {client.access_token()} and {wechat_api.app_secret} rid: 1"}
    wechat_api.raw_next("draft/get", body=json.dumps(echo).encode())
    capture(lambda: client.draft_get(media_id="DRAFT1"))
    capture(lambda: client_for(wechat_api, app_secret=wechat_api.app_secret + "x").access_token(refresh=True))

    secrets_ = [wechat_api.app_secret, *wechat_api.issued_tokens]
    assert len(secrets_) == 3
    assert [error.errcode for error in errors] == [40001, None, None, 40003, 40125]
    texts = [caplog.text]
    for error in errors:
        assert error.__cause__ is None and error.__context__ is None
        texts += [str(error), repr(error), repr(error.args), repr(vars(error))]
    for text in texts:
        assert "access_token=" not in text
        for secret in secrets_:
            assert secret not in text


def test_each_call_logs_one_line_with_endpoint_outcome_and_duration(wechat_api, caplog):
    client = WeChatClient.from_settings()
    caplog.set_level(logging.INFO, logger="publishing.wechat.client")
    client.access_token()
    caplog.clear()

    client.draft_batchget(offset=0, count=1)
    wechat_api.fail_next("draft/get", 40007)
    with pytest.raises(WeChatAPIError):
        client.draft_get(media_id="DRAFT1")

    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("wechat draft/batchget: ok in ") and lines[0].endswith(" ms")
    assert lines[1].startswith("wechat draft/get: errcode 40007 in ")


# --- the errcode table -------------------------------------------------------------------------------------


def test_unknown_errcodes_quote_errcode_and_trimmed_errmsg():
    message = describe(61234, "something odd hint: [abc] rid: 6567-89ab")

    assert "61234" in message
    assert "something odd" in message
    assert "rid" not in message and "hint" not in message


def test_the_ip_whitelist_message_says_where_to_add_the_ip():
    message = describe(40164, "invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist rid: 1")

    assert "IP白名单" in message
    assert "203.0.113.7" in message


def test_token_and_transient_errcodes_have_messages():
    for errcode in TOKEN_ERRCODES | TRANSIENT_ERRCODES | {40013, 40125, 48001, 45009, 53503, 53504, 53505}:
        assert "本系统没有这个错误码的说明" not in describe(errcode)
        assert f"微信错误码 {errcode}" in describe(errcode)


def test_missing_app_id_and_secret_are_named_together(settings):
    settings.WECHAT_APP_ID = ""
    settings.WECHAT_APP_SECRET = ""

    with pytest.raises(WeChatNotConfigured) as caught:
        WeChatClient.from_settings()

    assert "WECHAT_APP_ID" in caught.value.message
    assert "WECHAT_APP_SECRET_FILE" in caught.value.message


def test_the_secret_file_is_read_at_each_use_so_a_rotated_secret_needs_no_restart(settings, tmp_path):
    secret = tmp_path / "wechat_app_secret"
    secret.write_text("first-secret\n")
    settings.WECHAT_APP_ID = "wx0123456789abcdef"
    settings.WECHAT_APP_SECRET = ""
    settings.WECHAT_APP_SECRET_FILE = str(secret)

    assert app_secret_from_settings() == "first-secret"
    secret.write_text("rotated-secret")
    assert app_secret_from_settings() == "rotated-secret"


@pytest.mark.parametrize(
    ("content", "direct", "says"),
    [(None, "", "无法读取"), ("  \n", "", "是空的"), ("file-secret", "env-secret", "只能设置其一")],
    ids=["missing", "empty", "both"],
)
def test_a_bad_secret_file_turns_wechat_off_with_what_to_fix_and_never_the_secret(
    settings, tmp_path, content, direct, says
):
    secret = tmp_path / "wechat_app_secret"
    if content is not None:
        secret.write_text(content)
    settings.WECHAT_APP_SECRET = direct
    settings.WECHAT_APP_SECRET_FILE = str(secret)

    with pytest.raises(WeChatNotConfigured) as caught:
        WeChatClient.from_settings(app_id="wx0123456789abcdef")

    assert says in caught.value.message and "WECHAT_APP_SECRET" in caught.value.message
    assert "file-secret" not in caught.value.message and "env-secret" not in caught.value.message
