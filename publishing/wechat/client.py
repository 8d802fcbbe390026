"""The HTTP client of the WeChat Official Account API: the access token, image uploads, the draft box (草稿箱) and
publishing (发布). Request and answer shapes follow https://developers.weixin.qq.com/doc/subscription/api/
(getStableAccessToken, uploadImage, addMaterial, draft_*, getDraft, freepublish_*).

Usage::

    client = WeChatClient.from_settings(app_id=series.wechat_app_id or None)
    url = client.upload_image(data=png, filename="fig1.png", content_type="image/png")
    media_id = client.draft_add(article={"title": ..., "content": ..., "thumb_media_id": ...})

Errors: every failure is a `WeChatError` whose str() is a Chinese message for the admin:
- `WeChatNotConfigured`: the AppID or AppSecret (or the base URL) is missing or unusable;
- `WeChatAPIError`: WeChat answered errcode != 0 (`errcode`, `errmsg`; `transient` from errors.TRANSIENT_ERRCODES);
- `WeChatNetworkError`: no usable answer (refused, timeout, reset, HTTP 5xx, not JSON, a redirect, too large).
  `ambiguous` is True when the request was sent but no answer came back: WeChat may have carried it out.

Secrets: the AppSecret and access tokens never appear in a message, a repr, a log line or a chained exception
(every WeChatError is raised outside the `except` block that caught the cause, so it has no __context__ either).

Outbound: only the scheme, host and port of `base_url` are ever contacted (http.client, which reads no proxy from
the environment and follows no redirect); every request has the connect and read timeouts; answers are capped at
MAX_ANSWER_BYTES.

Retries: calls that are safe to repeat (the token, uploads, draft_update, draft_delete, every *get/*batchget) are
tried up to 3 times, after RETRY_DELAYS, on network errors and errcode -1. draft_add and freepublish_submit are
tried once: a timeout may mean WeChat did it, and the push service reconciles. A refused token (TOKEN_ERRCODES) is
renewed once and the call repeated once, for every call.

Token: POST cgi-bin/stable_token, shared by every web and worker node through the Django cache under a key naming
the AppID, and renewed TOKEN_MARGIN seconds before it expires (WeChat itself renews 5 minutes early in the normal
mode; force_refresh invalidates the previous token and is limited to 20 a day, so it is used only when WeChat
hands back the very token it just refused).
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import socket
import ssl
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.cache import cache as default_cache
from django.utils.translation import gettext as _

from .errors import TOKEN_ERRCODES, TRANSIENT_ERRCODES, clean_errmsg, describe

logger = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 2 * 1024 * 1024
# Seconds to wait before the 2nd and 3rd attempt of a call that is safe to repeat.
RETRY_DELAYS = (0.5, 1.0)
# A token is renewed this many seconds before WeChat says it expires (WeChat renews 5 minutes early itself).
TOKEN_MARGIN = 300
TOKEN_CACHE_PREFIX = "wechat:access_token:"

# Looked up when a client is made, so the tests' fixture can make time and waiting its own.
_clock: Callable[[], float] = time.time
_sleep: Callable[[float], None] = time.sleep


class WeChatError(Exception):
    """A failure talking to WeChat. str(error) == error.message, in Chinese, for the admin."""

    def __init__(self, message: str, *, errcode: int | None = None, transient: bool = False):
        super().__init__(message)
        self.message = message
        self.errcode = errcode
        self.transient = transient

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(errcode={self.errcode!r}, transient={self.transient!r}, {self.message!r})"
        )


class WeChatNotConfigured(WeChatError):
    """The AppID, the AppSecret or the API base URL is missing or unusable; the message names what to set."""


class WeChatAPIError(WeChatError):
    """WeChat answered errcode != 0. `errmsg` is WeChat's own text, trimmed; `endpoint` e.g. "draft/add"."""

    def __init__(self, *, errcode: int, errmsg: str, endpoint: str):
        super().__init__(describe(errcode, errmsg), errcode=errcode, transient=errcode in TRANSIENT_ERRCODES)
        self.errmsg = clean_errmsg(errmsg)
        self.endpoint = endpoint


class WeChatNetworkError(WeChatError):
    """No usable answer. `ambiguous`: the request was sent and may have been carried out. `transient` is False
    only for answers that trying again cannot fix (a redirect, an answer over MAX_ANSWER_BYTES)."""

    def __init__(self, message: str, *, endpoint: str, ambiguous: bool, transient: bool = True):
        super().__init__(message, transient=transient)
        self.ambiguous = ambiguous
        self.endpoint = endpoint


def _reason(exc: BaseException) -> str:
    """What went wrong with the connection, in Chinese, without the exception's own text (it may quote a URL)."""
    if isinstance(exc, TimeoutError | socket.timeout):
        return _("超时")
    if isinstance(exc, ConnectionRefusedError):
        return _("连接被拒绝")
    if isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError):
        return _("连接被对方断开")
    if isinstance(exc, socket.gaierror):
        return _("域名解析失败")
    if isinstance(exc, ssl.SSLError):
        return _("TLS 握手或证书校验失败")
    return type(exc).__name__


def app_secret_from_settings() -> str:
    """settings.WECHAT_APP_SECRET, or the content of the file settings.WECHAT_APP_SECRET_FILE names (a Docker or
    Kubernetes secret, read at each use so that a rotated secret needs no restart), stripped; "" when neither is
    set. Raises WeChatNotConfigured when both are set, or the file cannot be read or is empty; the message names
    the variable and the file, never the secret."""
    direct, file_name = settings.WECHAT_APP_SECRET, settings.WECHAT_APP_SECRET_FILE
    if direct and file_name:
        raise WeChatNotConfigured(_("WECHAT_APP_SECRET 和 WECHAT_APP_SECRET_FILE 只能设置其一，请删去一个。"))
    if not file_name:
        return direct
    try:
        with open(file_name, encoding="utf-8") as handle:
            secret = handle.read().strip()
    except (OSError, UnicodeDecodeError):
        raise WeChatNotConfigured(
            _("WECHAT_APP_SECRET_FILE 指向的文件 %(file)s 无法读取：请检查路径和权限。") % {"file": file_name}
        ) from None
    if not secret:
        raise WeChatNotConfigured(
            _("WECHAT_APP_SECRET_FILE 指向的文件 %(file)s 是空的：请写入公众号的 AppSecret。")
            % {"file": file_name}
        )
    return secret


class WeChatClient:
    """One official account's API client. Keyword-only; see the module docstring for errors and retries.

    `cache`: where the access token is shared (the Django cache: Redis in production). `clock` (seconds since the
    epoch) and `sleep` are for tests.
    """

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        base_url: str,
        connect_timeout: float,
        read_timeout: float,
        cache=default_cache,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ):
        if not app_id and not app_secret:
            raise WeChatNotConfigured(
                _(
                    "微信推送尚未配置：请设置公众号的 AppID（WECHAT_APP_ID，或在该刊物的设置中填写）"
                    "和 AppSecret（WECHAT_APP_SECRET，或用 WECHAT_APP_SECRET_FILE 指向存放它的文件）。"
                )
            )
        if not app_id:
            raise WeChatNotConfigured(
                _("微信推送尚未配置公众号 AppID：请设置 WECHAT_APP_ID，或在该刊物的设置中填写 AppID。")
            )
        if not app_secret:
            raise WeChatNotConfigured(
                _(
                    "微信推送尚未配置公众号 AppSecret：请设置 WECHAT_APP_SECRET，"
                    "或用 WECHAT_APP_SECRET_FILE 指向存放它的文件。"
                )
            )
        parts = urlsplit(base_url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.username:
            raise WeChatNotConfigured(
                _(
                    "WECHAT_API_BASE_URL 不是可用的接口地址：请设置为 https://api.weixin.qq.com（测试环境可指向本地假服务）。"
                )
            )
        self.app_id = app_id
        self._secret = app_secret
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._cache = cache
        self._clock = clock or _clock
        self._sleep = sleep or _sleep
        # Every token this client has seen, to scrub from WeChat's errmsg (defence in depth).
        self._tokens: set[str] = set()

    def __repr__(self) -> str:
        return f"WeChatClient(app_id={self.app_id!r}, host={self._host!r})"

    @classmethod
    def from_settings(cls, *, app_id: str | None = None) -> WeChatClient:
        """A client from settings: `app_id` (a series' own AppID) or settings.WECHAT_APP_ID, the AppSecret
        (`app_secret_from_settings`), WECHAT_API_BASE_URL and the timeouts. Raises WeChatNotConfigured naming
        what to set."""
        return cls(
            app_id=app_id or settings.WECHAT_APP_ID,
            app_secret=app_secret_from_settings(),
            base_url=settings.WECHAT_API_BASE_URL,
            connect_timeout=settings.WECHAT_CONNECT_TIMEOUT,
            read_timeout=settings.WECHAT_READ_TIMEOUT,
        )

    # --- the token ---------------------------------------------------------------------------------------

    @property
    def _cache_key(self) -> str:
        return TOKEN_CACHE_PREFIX + self.app_id

    def access_token(self, *, refresh: bool = False) -> str:
        """The account's access token, from the shared cache or from stable_token. `refresh` drops the cached
        one first and asks WeChat again (normal mode: WeChat hands back its current token if still valid)."""
        if not refresh:
            cached = self._cache.get(self._cache_key)
            if cached and cached.get("renew_at", 0) > self._clock():
                self._tokens.add(cached["token"])
                return cached["token"]
        self._cache.delete(self._cache_key)
        return self._fetch_token(force_refresh=False)

    def _fetch_token(self, *, force_refresh: bool) -> str:
        body = {
            "grant_type": "client_credential",
            "appid": self.app_id,
            "secret": self._secret,
            "force_refresh": force_refresh,
        }
        answer = self._call("stable_token", json_body=body, repeatable=True, with_token=False)
        token, expires_in = answer.get("access_token"), answer.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise self._unusable("stable_token", ambiguous=False)
        self._tokens.add(token)
        # Renew TOKEN_MARGIN seconds early; a token with less left than that is kept for half of what it has.
        keep = expires_in - TOKEN_MARGIN if expires_in > 2 * TOKEN_MARGIN else expires_in // 2
        if keep > 0:
            self._cache.set(self._cache_key, {"token": token, "renew_at": self._clock() + keep}, timeout=keep)
        return token

    def _renewed_token(self, refused: str) -> str:
        """A token other than `refused`: another node's renewal from the cache, else stable_token in normal mode,
        else (WeChat handed back the refused token) stable_token with force_refresh."""
        cached = self._cache.get(self._cache_key)
        if cached and cached.get("token") != refused and cached.get("renew_at", 0) > self._clock():
            return cached["token"]
        self._cache.delete(self._cache_key)
        token = self._fetch_token(force_refresh=False)
        if token == refused:
            token = self._fetch_token(force_refresh=True)
        return token

    # --- the endpoints -----------------------------------------------------------------------------------

    def upload_image(self, *, data: bytes, filename: str, content_type: str) -> str:
        """An image for the article's body (cgi-bin/media/uploadimg; JPG/PNG under 1 MB): its mmbiz.qpic.cn URL,
        the only kind of <img src> WeChat keeps in a draft's content."""
        answer = self._call(
            "media/uploadimg", upload=(data, filename, content_type), repeatable=True, with_token=True
        )
        return self._field(answer, "url", "media/uploadimg")

    def add_image_material(self, *, data: bytes, filename: str, content_type: str) -> tuple[str, str]:
        """A permanent image material (cgi-bin/material/add_material?type=image; up to 10 MB), for a draft's
        thumb_media_id: (media_id, url)."""
        answer = self._call(
            "material/add_material",
            upload=(data, filename, content_type),
            query={"type": "image"},
            repeatable=True,
            with_token=True,
        )
        return self._field(answer, "media_id", "material/add_material"), str(answer.get("url") or "")

    def draft_add(self, *, article: dict) -> str:
        """A new draft holding one article (cgi-bin/draft/add {"articles": [article]}): its media_id. Tried once:
        a WeChatNetworkError with ambiguous=True means the draft may exist."""
        answer = self._call("draft/add", json_body={"articles": [article]}, repeatable=False, with_token=True)
        return self._field(answer, "media_id", "draft/add")

    def draft_update(self, *, media_id: str, article: dict) -> None:
        """Replace the draft's first article (cgi-bin/draft/update, index 0)."""
        body = {"media_id": media_id, "index": 0, "articles": article}
        self._call("draft/update", json_body=body, repeatable=True, with_token=True)

    def draft_get(self, *, media_id: str) -> dict:
        """The draft (cgi-bin/draft/get): {"news_item": [{"title", "content", "content_source_url", "url", ...}]}."""
        return self._call("draft/get", json_body={"media_id": media_id}, repeatable=True, with_token=True)

    def draft_batchget(self, *, offset: int, count: int) -> dict:
        """Drafts from `offset`, `count` of them (1-20), with their content (no_content=0), so that a draft can be
        recognised by its content_source_url: {"total_count", "item_count", "item": [{"media_id", "update_time",
        "content": {"news_item": [...]}}]}."""
        body = {"offset": offset, "count": count, "no_content": 0}
        return self._call("draft/batchget", json_body=body, repeatable=True, with_token=True)

    def draft_delete(self, *, media_id: str) -> None:
        """Delete a draft (cgi-bin/draft/delete); cannot be undone."""
        self._call("draft/delete", json_body={"media_id": media_id}, repeatable=True, with_token=True)

    def freepublish_submit(self, *, media_id: str) -> str:
        """Submit the draft for publication (cgi-bin/freepublish/submit): the publish_id to poll with
        freepublish_get. Tried once: a WeChatNetworkError with ambiguous=True means it may have been submitted."""
        answer = self._call(
            "freepublish/submit", json_body={"media_id": media_id}, repeatable=False, with_token=True
        )
        return self._field(answer, "publish_id", "freepublish/submit")

    def freepublish_get(self, *, publish_id: str) -> dict:
        """The publication's state (cgi-bin/freepublish/get): {"publish_id", "publish_status" (0 done, 1 running,
        2 原创失败, 3 常规失败, 4 审核不通过, 5 deleted by the user, 6 banned), "article_id", "article_detail":
        {"count", "item": [{"idx", "article_url"}]}, "fail_idx": [1-based article numbers]}."""
        return self._call(
            "freepublish/get", json_body={"publish_id": publish_id}, repeatable=True, with_token=True
        )

    def freepublish_batchget(self, *, offset: int, count: int) -> dict:
        """Published articles (cgi-bin/freepublish/batchget, with content): {"total_count", "item_count",
        "item": [{"article_id", "update_time", "content": {"news_item": [{..., "url", "is_deleted"}]}}]}."""
        body = {"offset": offset, "count": count, "no_content": 0}
        return self._call("freepublish/batchget", json_body=body, repeatable=True, with_token=True)

    # --- the call: token, retries ------------------------------------------------------------------------

    def _call(
        self,
        endpoint: str,
        *,
        json_body: dict | None = None,
        upload: tuple[bytes, str, str] | None = None,
        query: dict[str, str] | None = None,
        repeatable: bool,
        with_token: bool,
    ) -> dict:
        attempts = 1 + len(RETRY_DELAYS) if repeatable else 1
        for attempt in range(attempts):
            try:
                if not with_token:
                    return self._exchange(
                        endpoint, json_body=json_body, upload=upload, query=query, token=None
                    )
                token = self.access_token()
                try:
                    return self._exchange(
                        endpoint, json_body=json_body, upload=upload, query=query, token=token
                    )
                except WeChatAPIError as error:
                    if error.errcode not in TOKEN_ERRCODES:
                        raise
                # Outside the except block: the repeated call's own error must not chain the first one.
                token = self._renewed_token(token)
                return self._exchange(endpoint, json_body=json_body, upload=upload, query=query, token=token)
            except (WeChatNetworkError, WeChatAPIError) as error:
                # A token that could not be had was already retried by its own call (stable_token).
                retry = error.endpoint == endpoint and (
                    (isinstance(error, WeChatNetworkError) and error.transient) or error.errcode == -1
                )
                if not retry or attempt == attempts - 1:
                    raise
            self._sleep(RETRY_DELAYS[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    # --- one HTTP exchange -------------------------------------------------------------------------------

    def _exchange(
        self,
        endpoint: str,
        *,
        json_body: dict | None,
        upload: tuple[bytes, str, str] | None,
        query: dict[str, str] | None,
        token: str | None,
    ) -> dict:
        """POST once to the endpoint and return the parsed JSON answer, or raise. Logs one INFO line."""
        params = dict(query or {})
        if token is not None:
            params = {"access_token": token, **params}
        path = f"{self._prefix}/cgi-bin/{endpoint}"
        if params:
            path += "?" + "&".join(f"{key}={quote(value, safe='')}" for key, value in params.items())
        if upload is not None:
            body, content_type = _multipart(*upload)
        else:
            # WeChat shows \uXXXX escapes literally (draft_add docs: "注意不要使用Unicode转义格式"): UTF-8 as is.
            body = json.dumps(json_body or {}, ensure_ascii=False).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        headers = {"Content-Type": content_type, "Accept": "application/json", "User-Agent": "xinzhi"}

        started = time.monotonic()
        status, data, failure, sent = None, b"", None, False
        if self._https:
            connection = http.client.HTTPSConnection(
                self._host, self._port, timeout=self._connect_timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=self._connect_timeout)
        try:
            connection.connect()
            connection.sock.settimeout(self._read_timeout)
            # From here on WeChat may receive the request: a failure leaves it unknown whether it was done.
            sent = True
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            status = response.status
            data = _read_capped(response, deadline=time.monotonic() + self._read_timeout)
        except (OSError, http.client.HTTPException, _TooLarge, _TooSlow) as exc:
            failure = exc
        finally:
            connection.close()
        elapsed = (time.monotonic() - started) * 1000

        if failure is not None:
            if isinstance(failure, _TooLarge):
                self._log(endpoint, "answer too large", elapsed)
                raise WeChatNetworkError(
                    _("微信接口（%(endpoint)s）的回答超过 %(limit)s MB，已拒收：请检查 WECHAT_API_BASE_URL。")
                    % {"endpoint": endpoint, "limit": MAX_ANSWER_BYTES // (1024 * 1024)},
                    endpoint=endpoint,
                    ambiguous=True,
                    transient=False,
                )
            reason = _("超时") if isinstance(failure, _TooSlow) else _reason(failure)
            self._log(
                endpoint,
                f"network error ({type(failure).__name__}, {'sent' if sent else 'not sent'})",
                elapsed,
            )
            if sent:
                message = _(
                    "已向微信接口（%(endpoint)s）发出请求，但没有收到回答（%(reason)s）：微信可能已经处理了这个请求。"
                    "稍后再试；若持续出现，请检查服务器到 api.weixin.qq.com 的网络。"
                )
            else:
                message = _(
                    "无法连接微信接口（%(endpoint)s，%(reason)s）：请求没有发出。"
                    "稍后再试；若持续出现，请检查服务器的网络、DNS 和防火墙。"
                )
            raise WeChatNetworkError(
                message % {"endpoint": endpoint, "reason": reason}, endpoint=endpoint, ambiguous=sent
            )

        if 300 <= status < 400:
            self._log(endpoint, f"HTTP {status} (redirect refused)", elapsed)
            raise WeChatNetworkError(
                _(
                    "微信接口（%(endpoint)s）返回了跳转（HTTP %(status)s），系统不跟随跳转："
                    "请检查 WECHAT_API_BASE_URL 是否为 https://api.weixin.qq.com。"
                )
                % {"endpoint": endpoint, "status": status},
                endpoint=endpoint,
                ambiguous=False,
                transient=False,
            )
        if status >= 500:
            self._log(endpoint, f"HTTP {status}", elapsed)
            raise WeChatNetworkError(
                _("微信接口（%(endpoint)s）暂时出错（HTTP %(status)s）：稍后再试。")
                % {"endpoint": endpoint, "status": status},
                endpoint=endpoint,
                ambiguous=True,
            )
        try:
            answer = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            answer = None
        if not isinstance(answer, dict):
            self._log(endpoint, f"HTTP {status}, not JSON", elapsed)
            raise self._unusable(endpoint, ambiguous=True)
        errcode = answer.get("errcode", 0)
        if errcode not in (0, None):
            self._log(endpoint, f"errcode {errcode}", elapsed)
            errmsg = self._scrub(str(answer.get("errmsg", "")))
            raise WeChatAPIError(errcode=_int(errcode), errmsg=errmsg, endpoint=endpoint)
        if status != 200:
            self._log(endpoint, f"HTTP {status}", elapsed)
            raise self._unusable(endpoint, ambiguous=False)
        self._log(endpoint, "ok", elapsed)
        return answer

    # --- helpers -----------------------------------------------------------------------------------------

    def _log(self, endpoint: str, outcome: str, elapsed_ms: float) -> None:
        logger.info("wechat %s: %s in %.0f ms", endpoint, outcome, elapsed_ms)

    def _scrub(self, text: str) -> str:
        for secret in (self._secret, *self._tokens):
            if secret:
                text = text.replace(secret, "***")
        return text

    def _unusable(self, endpoint: str, *, ambiguous: bool) -> WeChatNetworkError:
        return WeChatNetworkError(
            _(
                "微信接口（%(endpoint)s）的回答无法识别：稍后再试；"
                "若持续出现，请检查 WECHAT_API_BASE_URL 是否指向微信接口。"
            )
            % {"endpoint": endpoint},
            endpoint=endpoint,
            ambiguous=ambiguous,
        )

    def _field(self, answer: dict, name: str, endpoint: str) -> str:
        value = answer.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value:
            self._log(endpoint, f"answer without {name}", 0)
            raise self._unusable(endpoint, ambiguous=True)
        return value


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


def _read_capped(response: http.client.HTTPResponse, *, deadline: float) -> bytes:
    """The answer's body, refusing more than MAX_ANSWER_BYTES and an answer trickling in past `deadline`."""
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > MAX_ANSWER_BYTES:
        raise _TooLarge
    chunks, size = [], 0
    while chunk := response.read(64 * 1024):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise _TooLarge
        if time.monotonic() > deadline:
            raise _TooSlow
        chunks.append(chunk)
    return b"".join(chunks)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -2


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _multipart(data: bytes, filename: str, content_type: str) -> tuple[bytes, str]:
    """A multipart/form-data body with one file field "media" (what uploadimg and add_material read)."""
    boundary = uuid.uuid4().hex
    # WeChat reads the type from the file name's extension; an ASCII name keeps the header simple.
    safe_name = _UNSAFE_FILENAME.sub("_", filename).strip("._") or "image"
    if "." not in safe_name:
        safe_name += {"image/png": ".png", "image/gif": ".gif", "image/bmp": ".bmp"}.get(content_type, ".jpg")
    safe_type = (
        content_type if re.fullmatch(r"[\w.+-]+/[\w.+-]+", content_type or "") else "application/octet-stream"
    )
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="media"; filename="{safe_name}"\r\n'
        f"Content-Type: {safe_type}\r\n\r\n"
    ).encode("ascii")
    tail = f"\r\n--{boundary}--\r\n".encode("ascii")
    return head + data + tail, f"multipart/form-data; boundary={boundary}"
