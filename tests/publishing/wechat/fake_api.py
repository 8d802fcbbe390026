"""A local fake of the WeChat Official Account API, served on 127.0.0.1 by a ThreadingHTTPServer in a thread.

It keeps state (tokens, uploaded images, materials, drafts, publications) and checks requests as the real service
documents them (https://developers.weixin.qq.com/doc/subscription/api/), answering with the documented errcodes.
Where the real service silently alters what it gets, the fake refuses instead, so that tests catch it:
- a <script> in a draft's content (WeChat strips JS)                  -> errcode 45166, recorded in `rejected`;
- an <img src> that is not a URL this fake issued through uploadimg  -> errcode 45166, recorded in `rejected`
  (WeChat filters external image URLs out of the content);
- \\uXXXX escapes in a JSON body (WeChat shows them literally)        -> errcode 47001, recorded in `rejected`.

Endpoints (path after /cgi-bin/, also the names in `calls`): stable_token, media/uploadimg, material/add_material,
draft/add, draft/update, draft/get, draft/batchget, draft/delete, freepublish/submit, freepublish/get,
freepublish/batchget.

Knobs:
- fail_next(endpoint, errcode, times=1): answer errcode (without doing the work) to the next `times` calls;
- drop_next(endpoint, after_effect=...): close the next call's connection without an answer, before doing the work
  or after it (the "timeout after WeChat did it" case);
- slow_next(endpoint, seconds): wait that long before handling the next call;
- raw_next(endpoint, status=..., body=..., headers=...): answer the next call with these bytes (redirects, 5xx,
  HTML, oversized answers);
- expire_tokens(): every token issued so far is expired (42001);
- advance(seconds): move the fake's clock (token lifetimes); `now()` reads it;
- publish_polls: how many freepublish/get answers say 1 (publishing) before the outcome (default 1);
- fail_publish(status, fail_idx=(1,)): the next submitted publication ends with this publish_status (2, 3 or 4).
  A publication that succeeds takes the draft out of the draft box at submit, as the real service does once
  published, and lists the article in freepublish/batchget.

Records: `calls` (endpoint names, in order), `count(endpoint)`, `rejected` [(endpoint, reason)],
`last_body(endpoint)` (raw request bytes; never kept for stable_token, which carries the secret), `sleeps` (filled by
the wechat_api fixture). Tokens are kept only in `_tokens` and never printed by repr().
"""

from __future__ import annotations

import collections
import hashlib
import html.parser
import itertools
import json
import re
import secrets
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN_LIFETIME = 7200
# Normal-mode stable_token hands out a new token when the current one has less than this left (docs: "普通模式下
# 平台会提前5分钟更新access_token").
EARLY_RENEWAL = 300
MAX_REQUEST = 12 * 1024 * 1024
UPLOADIMG_MAX = 1024 * 1024
MATERIAL_MAX = 10 * 1024 * 1024
CONTENT_MAX_CHARS = 20_000
CONTENT_MAX_BYTES = 1024 * 1024

JPEG, PNG, GIF, BMP = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8", b"BM"
_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u[0-9a-fA-F]{4}")


class _Images(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources: list[str] = []
        self.script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.script = True
        if tag == "img":
            self.sources.append(dict(attrs).get("src") or "")


def _kind(data: bytes) -> str | None:
    for magic, kind in ((JPEG, "jpeg"), (PNG, "png"), (GIF, "gif"), (BMP, "bmp")):
        if data.startswith(magic):
            return kind
    return None


class FakeWeChat:
    """Start with start() (or use as a context manager); `base_url` is the address to give the client."""

    def __init__(self, *, app_id: str = "wxfake0123456789", app_secret: str | None = None):
        self.app_id = app_id
        self.app_secret = app_secret or "fake-secret-" + secrets.token_hex(12)
        self._lock = threading.RLock()
        self._offset = 0.0
        self._tokens: dict[str, float] = {}  # token -> expires at (fake clock); 0 when invalidated
        self._current: str | None = None
        self.images: set[str] = set()  # URLs issued by uploadimg
        self.materials: dict[str, str] = {}  # media_id -> url
        self.drafts: dict[str, dict] = {}  # media_id -> {"news_item": [...], "update_time": int}
        self.publications: dict[str, dict] = {}  # publish_id -> job
        self.published: list[dict] = []  # freepublish/batchget items, newest last
        self.publish_polls = 1
        self._next_outcome: tuple[int, list[int]] | None = None
        self._ids = itertools.count(1)
        self._faults: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self._slow: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self._stopping = threading.Event()
        self.calls: list[str] = []
        self.rejected: list[tuple[str, str]] = []
        self._bodies: dict[str, bytes] = {}
        self.sleeps: list[float] = []  # the retry waits of clients made under the wechat_api fixture
        self._httpd: ThreadingHTTPServer | None = None

    def __repr__(self) -> str:
        return f"FakeWeChat(base_url={self.base_url!r}, calls={len(self.calls)})"

    # --- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> FakeWeChat:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep the test output quiet
                pass

            def do_POST(self):
                fake._serve(self)

            do_GET = do_POST

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):  # a client that gave up: not the test's business
                pass

        self._httpd = Server(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> FakeWeChat:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}" if self._httpd else "(not started)"

    # --- knobs -------------------------------------------------------------------------------------------

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    def expire_tokens(self) -> None:
        with self._lock:
            for token, expires in self._tokens.items():
                if expires:  # 0: already invalidated by a force_refresh (40001)
                    self._tokens[token] = min(expires, self.now() - 1)

    def fail_next(self, endpoint: str, errcode: int, times: int = 1) -> None:
        for _ in range(times):
            self._faults[endpoint].append(("errcode", errcode))

    def drop_next(self, endpoint: str, *, after_effect: bool) -> None:
        self._faults[endpoint].append(("drop", after_effect))

    def raw_next(
        self, endpoint: str, *, status: int = 200, body: bytes = b"", headers: dict | None = None
    ) -> None:
        self._faults[endpoint].append(("raw", (status, body, headers or {})))

    def slow_next(self, endpoint: str, seconds: float) -> None:
        self._slow[endpoint].append(seconds)

    def stall_next(self, endpoint: str, seconds: float) -> None:
        """Carry out the next call to `endpoint`, then hold its answer back for `seconds` and close the connection
        without one: a worker waiting there can be killed after WeChat did the work."""
        self._faults[endpoint].append(("stall", seconds))

    def fail_publish(self, status: int, fail_idx: tuple[int, ...] = (1,)) -> None:
        self._next_outcome = (status, list(fail_idx))

    # --- records -----------------------------------------------------------------------------------------

    def count(self, endpoint: str) -> int:
        return self.calls.count(endpoint)

    def last_body(self, endpoint: str) -> bytes:
        return self._bodies[endpoint]

    def token_was_issued(self, token: str) -> bool:
        """For the tests that look for tokens where they must not be, without exposing the tokens."""
        return token in self._tokens

    @property
    def issued_tokens(self) -> list[str]:
        return list(self._tokens)

    # --- serving -----------------------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        endpoint = parts.path.removeprefix("/cgi-bin/")
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST:
            return self._answer(handler, 413, b"too large")
        body = handler.rfile.read(length)
        with self._lock:
            self.calls.append(endpoint)
            if endpoint != "stable_token":
                self._bodies[endpoint] = body
            slow = self._slow[endpoint].popleft() if self._slow[endpoint] else 0
            fault = self._faults[endpoint].popleft() if self._faults[endpoint] else None
        if slow:
            self._stopping.wait(slow)
        drop_after = False
        if fault is not None:
            kind, value = fault
            if kind == "drop" and not value:
                handler.close_connection = True
                return
            if kind == "errcode":
                return self._json(
                    handler, {"errcode": value, "errmsg": f"fake failure rid: {secrets.token_hex(4)}"}
                )
            if kind == "raw":
                status, raw, headers = value
                return self._answer(handler, status, raw, headers)
            drop_after = kind in ("drop", "stall")
        with self._lock:
            answer = self._handle(endpoint, query, body, handler.headers.get("Content-Type", ""))
        if drop_after:
            if fault[0] == "stall":
                self._stopping.wait(fault[1])
            handler.close_connection = True
            return
        self._json(handler, answer)

    def _answer(self, handler, status: int, body: bytes, headers: dict | None = None) -> None:
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _json(self, handler, answer: dict) -> None:
        body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        self._answer(handler, 200, body, {"Content-Type": "application/json; encoding=utf-8"})

    def _reject(self, endpoint: str, errcode: int, reason: str) -> dict:
        self.rejected.append((endpoint, reason))
        return {"errcode": errcode, "errmsg": f"{reason} rid: {secrets.token_hex(4)}"}

    # --- the endpoints -----------------------------------------------------------------------------------

    def _handle(self, endpoint: str, query: dict, body: bytes, content_type: str) -> dict:
        if endpoint == "stable_token":
            return self._stable_token(body)
        token = query.get("access_token")
        if not token:
            return {"errcode": 41001, "errmsg": "access_token missing"}
        expires = self._tokens.get(token)
        if expires is None or expires == 0:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if expires <= self.now():
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if endpoint in ("media/uploadimg", "material/add_material"):
            media = self._media(body, content_type)
            if media is None:
                return {"errcode": 41005, "errmsg": "media data missing"}
            return self._uploadimg(media) if endpoint == "media/uploadimg" else self._material(query, media)
        if _ESCAPE.search(body):
            return self._reject(
                endpoint, 47001, "unicode escapes in the JSON body (WeChat shows them literally)"
            )
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return {"errcode": 47001, "errmsg": "data format error"}
        if not isinstance(data, dict):
            return {"errcode": 47001, "errmsg": "data format error"}
        handlers = {
            "draft/add": self._draft_add,
            "draft/update": self._draft_update,
            "draft/get": self._draft_get,
            "draft/batchget": self._draft_batchget,
            "draft/delete": self._draft_delete,
            "freepublish/submit": self._submit,
            "freepublish/get": self._publish_get,
            "freepublish/batchget": self._published,
        }
        if endpoint not in handlers:
            return {"errcode": 40066, "errmsg": "invalid url"}
        return handlers[endpoint](data)

    def _stable_token(self, body: bytes) -> dict:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return {"errcode": 47001, "errmsg": "data format error"}
        if data.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        if not data.get("appid"):
            return {"errcode": 41002, "errmsg": "appid missing"}
        if data.get("appid") != self.app_id:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if not data.get("secret"):
            return {"errcode": 41004, "errmsg": "appsecret missing"}
        if data.get("secret") != self.app_secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        now = self.now()
        if data.get("force_refresh") is True:
            for token in self._tokens:  # "会导致上次获取的 access_token 失效"
                self._tokens[token] = 0
        elif self._current and self._tokens[self._current] - now >= EARLY_RENEWAL:
            return {"access_token": self._current, "expires_in": int(self._tokens[self._current] - now)}
        self._current = "FAKE" + secrets.token_urlsafe(24)
        self._tokens[self._current] = now + TOKEN_LIFETIME
        return {"access_token": self._current, "expires_in": TOKEN_LIFETIME}

    def _media(self, body: bytes, content_type: str) -> bytes | None:
        if not content_type.startswith("multipart/form-data"):
            return None
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
        )
        if not message.is_multipart():
            return None
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") == "media" and part.get_filename():
                return part.get_payload(decode=True)
        return None

    def _uploadimg(self, data: bytes) -> dict:
        kind = _kind(data)
        if kind not in ("jpeg", "png"):  # docs: "图片仅支持jpg/png格式"
            return {"errcode": 40005, "errmsg": "invalid file type"}
        if len(data) > UPLOADIMG_MAX:  # docs: "大小必须在1MB以下"
            return {"errcode": 40009, "errmsg": "invalid image size"}
        digest = hashlib.sha256(data + str(next(self._ids)).encode()).hexdigest()[:40]
        url = f"http://mmbiz.qpic.cn/mmbiz_{'jpg' if kind == 'jpeg' else 'png'}/{digest}/0?from=appmsg"
        self.images.add(url)
        return {"url": url, "errcode": 0, "errmsg": "ok"}

    def _material(self, query: dict, data: bytes) -> dict:
        if query.get("type") != "image":
            return {"errcode": 40004, "errmsg": "invalid media type"}
        kind = _kind(data)
        if kind is None:  # docs: "支持bmp/png/jpeg/jpg/gif格式"
            return {"errcode": 40005, "errmsg": "invalid file type"}
        if len(data) > MATERIAL_MAX:  # docs: "图片（image）: 10M"
            return {"errcode": 40009, "errmsg": "invalid image size"}
        media_id = f"MAT{next(self._ids)}-" + secrets.token_hex(8)
        digest = hashlib.sha256(data).hexdigest()[:40]
        url = f"http://mmbiz.qpic.cn/mmbiz_{kind}/{digest}/0?wx_fmt={kind}"
        self.materials[media_id] = url
        return {"media_id": media_id, "url": url, "item": []}

    def _check_article(self, endpoint: str, article) -> dict | None:
        if not isinstance(article, dict):
            return {"errcode": 47001, "errmsg": "data format error"}
        title, content = article.get("title"), article.get("content")
        if not isinstance(title, str) or not title or not isinstance(content, str) or not content:
            return {"errcode": 44003, "errmsg": "empty news data"}
        if len(title) > 32:
            return {"errcode": 45003, "errmsg": "title size out of limit"}
        if len(article.get("author") or "") > 16:
            return {"errcode": 45110, "errmsg": "author size out of limit"}
        if len(article.get("digest") or "") > 128:
            return {"errcode": 45004, "errmsg": "description size out of limit"}
        if len(content) >= CONTENT_MAX_CHARS or len(content.encode("utf-8")) >= CONTENT_MAX_BYTES:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        source = article.get("content_source_url") or ""
        if source and (len(source.encode("utf-8")) > 1024 or not re.match(r"https?://", source)):
            return {"errcode": 41039, "errmsg": "invalid content_source_url"}
        parser = _Images()
        parser.feed(content)
        parser.close()
        if parser.script:
            return self._reject(endpoint, 45166, "invalid content: <script> (WeChat strips JS)")
        for src in parser.sources:
            if src not in self.images:
                return self._reject(endpoint, 45166, f"invalid content: external image {src[:120]}")
        if (
            article.get("article_type", "news") == "news"
            and article.get("thumb_media_id") not in self.materials
        ):
            return {"errcode": 40007, "errmsg": "invalid media_id"}
        return None

    def _stored(self, media_id: str, article: dict) -> dict:
        item = {
            "article_type": "news",
            "author": "",
            "digest": "",
            "content_source_url": "",
            "need_open_comment": 0,
            "only_fans_can_comment": 0,
            **article,
        }
        item["url"] = f"http://mp.weixin.qq.com/s?__biz=FAKE&mid={media_id}&tempkey={secrets.token_hex(6)}"
        return item

    def _draft_add(self, data: dict) -> dict:
        articles = data.get("articles")
        if not isinstance(articles, list) or not articles:
            return {"errcode": 44003, "errmsg": "empty news data"}
        for article in articles:
            if error := self._check_article("draft/add", article):
                return error
        media_id = f"DRAFT{next(self._ids)}-" + secrets.token_hex(8)
        self.drafts[media_id] = {
            "news_item": [self._stored(media_id, article) for article in articles],
            "update_time": int(self.now()),
        }
        return {"media_id": media_id, "item": []}

    def _draft_update(self, data: dict) -> dict:
        draft = self.drafts.get(data.get("media_id"))
        if draft is None:
            return {"errcode": 40007, "errmsg": "invalid media_id"}
        index = data.get("index")
        if not isinstance(index, int) or not 0 <= index < len(draft["news_item"]):
            return {"errcode": 40114, "errmsg": "invalid index value"}
        if error := self._check_article("draft/update", data.get("articles")):
            return error
        draft["news_item"][index] = self._stored(data["media_id"], data["articles"])
        draft["update_time"] = int(self.now())
        return {"errcode": 0, "errmsg": "ok"}

    def _draft_get(self, data: dict) -> dict:
        draft = self.drafts.get(data.get("media_id"))
        if draft is None:
            return {"errcode": 40007, "errmsg": "invalid media_id"}
        return {"news_item": [dict(item) for item in draft["news_item"]]}

    def _page(self, data: dict) -> tuple[int, int] | None:
        offset, count = data.get("offset"), data.get("count")
        if not isinstance(offset, int) or not isinstance(count, int) or offset < 0 or not 1 <= count <= 20:
            return None
        return offset, count

    def _draft_batchget(self, data: dict) -> dict:
        if (page := self._page(data)) is None:
            return {"errcode": 47001, "errmsg": "data format error"}
        offset, count = page
        newest_first = sorted(self.drafts.items(), key=lambda pair: pair[1]["update_time"], reverse=True)
        items = []
        for media_id, draft in newest_first[offset : offset + count]:
            news = [dict(item) for item in draft["news_item"]]
            if data.get("no_content") == 1:
                for item in news:
                    item.pop("content", None)
            items.append(
                {"media_id": media_id, "content": {"news_item": news}, "update_time": draft["update_time"]}
            )
        return {"total_count": len(self.drafts), "item_count": len(items), "item": items}

    def _draft_delete(self, data: dict) -> dict:
        if self.drafts.pop(data.get("media_id"), None) is None:
            return {"errcode": 40007, "errmsg": "invalid media_id"}
        return {"errcode": 0, "errmsg": "ok"}

    def _submit(self, data: dict) -> dict:
        media_id = data.get("media_id")
        draft = self.drafts.get(media_id)
        if draft is None:
            return {"errcode": 40007, "errmsg": "invalid media_id"}
        publish_id = str(2247503050 + next(self._ids))
        status, fail_idx = self._next_outcome or (0, [])
        self._next_outcome = None
        job = {"polls_left": self.publish_polls, "status": status, "fail_idx": fail_idx, "media_id": media_id}
        if status == 0:
            article_id = "ART" + secrets.token_urlsafe(12)
            job["article_id"] = article_id
            job["urls"] = [
                f"https://mp.weixin.qq.com/s/{article_id}_{i}" for i in range(len(draft["news_item"]))
            ]
            news = [
                {**item, "url": url, "is_deleted": False}
                for item, url in zip(draft["news_item"], job["urls"], strict=True)
            ]
            self.published.append(
                {"article_id": article_id, "content": {"news_item": news}, "update_time": int(self.now())}
            )
            del self.drafts[media_id]  # "上传到草稿箱中的素材被群发或发布后，该素材将从草稿箱中移除"
        self.publications[publish_id] = job
        return {"errcode": 0, "errmsg": "ok", "publish_id": publish_id, "msg_data_id": publish_id}

    def _publish_get(self, data: dict) -> dict:
        publish_id = str(data.get("publish_id"))
        job = self.publications.get(publish_id)
        if job is None:
            return {"errcode": 40007, "errmsg": "invalid publish_id"}
        if job["polls_left"] > 0:
            job["polls_left"] -= 1
            return {"publish_id": publish_id, "publish_status": 1, "fail_idx": []}
        if job["status"] != 0:
            return {"publish_id": publish_id, "publish_status": job["status"], "fail_idx": job["fail_idx"]}
        return {
            "publish_id": publish_id,
            "publish_status": 0,
            "article_id": job["article_id"],
            "article_detail": {
                "count": len(job["urls"]),
                "item": [{"idx": i + 1, "article_url": url} for i, url in enumerate(job["urls"])],
            },
            "fail_idx": [],
        }

    def _published(self, data: dict) -> dict:
        if (page := self._page(data)) is None:
            return {"errcode": 47001, "errmsg": "data format error"}
        offset, count = page
        items = list(reversed(self.published))[offset : offset + count]
        return {"total_count": len(self.published), "item_count": len(items), "item": items}
