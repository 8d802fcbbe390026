"""Reading what a client sends, for every URL: one place that refuses a request it cannot read with a 400.

`RequestParsingMiddleware` reads the query string and the body before CSRF checks, sessions' users or any view
touch them, and answers 400 with a message (JSON `{"error": message}` for JSON callers, templates/400.html
otherwise) when they are not what this site accepts:

- text in UTF-8 only: a `charset` other than UTF-8 on any request (latin-1, utf-16, an unknown name), and
  bytes that are not UTF-8 once percent-decoded in a query string or a form-encoded body (RFC 1866 and the
  WHATWG URL standard make form encoding UTF-8; Django would otherwise replace them with U+FFFD, or, for a
  form body with another charset, raise from inside CsrfViewMiddleware, and Django's own 400 view, which runs
  the CSRF check again to offer a token, raises the same error until the server gives up with a bare 500);
- bodies over DATA_UPLOAD_MAX_MEMORY_SIZE, more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (or files than
  DATA_UPLOAD_MAX_NUMBER_FILES), multipart bodies Django cannot split;
- JSON bodies (`Content-Type: application/json`) that do not parse under `parse_json`'s rules.

Views read JSON through `json_body` (the newsroom's `editorial.views.base.request_data`), which returns what the
middleware already parsed, so there is one set of JSON rules. Multipart field values stay as Django decodes them
(invalid bytes become U+FFFD): uploads are checked as images, not as text.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# Deeper than any body the newsroom's scripts send (an object of fields, the meta form's `base` one level down).
MAX_JSON_DEPTH = 8


class MalformedRequest(Exception):
    """A request this site cannot read; `message` is translated text for the user (the answer is a 400)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def wants_json(request: HttpRequest) -> bool:
    """Whether the caller reads JSON answers (the newsroom's fetch calls): it accepts or sends JSON."""
    return (
        "application/json" in request.headers.get("Accept", "") or request.content_type == "application/json"
    )


def _json_constant(name: str):
    # NaN, Infinity and -Infinity are not JSON (RFC 8259 section 6) and no field holds them.
    raise MalformedRequest(_("请求格式错误：数字超出范围。"))


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400
        raise MalformedRequest(_("请求格式错误：数字超出范围。"))
    return value


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_json_value(value, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise MalformedRequest(_("请求格式错误：不是有效的 JSON。"))
    if isinstance(value, str):
        if _has_surrogate(value):
            raise MalformedRequest(_("请求格式错误：文本中有无效的字符（单独的 UTF-16 代理码位）。"))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_json_value(key, depth + 1)
            _check_json_value(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json_value(item, depth + 1)


def parse_json(body: bytes):
    """A JSON body (UTF-8 bytes, RFC 8259) -> the Python value; an empty body is `{}`.

    Raises MalformedRequest for bytes that are not UTF-8 (no UTF-16 or UTF-32 guessing), text that does not
    parse, numbers Python refuses (an integer over 4300 digits) or that are not finite (NaN, Infinity, 1e400),
    strings or keys holding a lone surrogate such as "\\ud800" (it cannot become text in the database), and
    nesting deeper than MAX_JSON_DEPTH (Python's parser recurses and would raise RecursionError a thousand
    levels down)."""
    try:
        text = body.decode("utf-8") if body else "{}"
    except UnicodeDecodeError:
        raise MalformedRequest(_("只接受 UTF-8 编码的提交内容，没有保存任何内容。")) from None
    try:
        value = json.loads(text, parse_constant=_json_constant, parse_float=_json_float)
    except (ValueError, RecursionError):
        raise MalformedRequest(_("请求格式错误：不是有效的 JSON。")) from None
    _check_json_value(value)
    return value


def json_body(request: HttpRequest):
    """The request's JSON body parsed by `parse_json`, once per request (the middleware parses it first).

    Raises MalformedRequest as `parse_json` does, or for a body too large to read."""
    if not hasattr(request, "_parsed_json"):
        try:
            request._parsed_json = parse_json(request.body)
        except RequestDataTooBig:
            raise MalformedRequest(message_for(RequestDataTooBig())) from None
    return request._parsed_json


def message_for(error: Exception) -> str:
    """The user's message for an error Django raises while reading a request (see bad_request too)."""
    if isinstance(error, MalformedRequest):
        return error.message
    if isinstance(error, RequestDataTooBig):
        return _("提交的内容太长，没有保存任何内容。请缩短内容（例如分成几段分别保存）后重试。")
    if isinstance(error, TooManyFieldsSent | TooManyFilesSent):
        return _("提交的字段或文件太多，没有保存任何内容。")
    return _("提交的内容格式有误，无法读取，没有保存任何内容。")


def _check_charset(request: HttpRequest) -> None:
    charset = request.content_params.get("charset")
    if charset is None:
        return
    try:
        utf8 = codecs.lookup(charset).name == "utf-8"
    except LookupError:
        utf8 = False
    if not utf8:
        raise MalformedRequest(_("只接受 UTF-8 编码的提交内容，没有保存任何内容。"))
    # Django reads a form body only under the exact name "utf-8" and refuses "UTF8" or "utf_8" as another charset.
    request.encoding = "utf-8"


# A run of percent-escaped bytes outside ASCII: the escaped UTF-8 sequences of a form field or query value. UTF-8
# never puts an ASCII byte inside a character, so each run must decode on its own.
_ESCAPED_HIGH_BYTES = re.compile(rb"(?:%[89A-Fa-f][0-9A-Fa-f])+")


def _check_percent_encoded_utf8(raw: bytes) -> None:
    """Refuse form-encoded bytes that are not UTF-8, raw or once percent-decoded (a lone surrogate's %ED%A0%80,
    latin-1's %E9). A regular expression and bytes.decode rather than a percent-decoder in Python: 2.4 MB of
    escaped Chinese takes about 0.2 s, half of what Django's own parsing of it takes."""
    try:
        raw.decode("utf-8")
        for run in _ESCAPED_HIGH_BYTES.findall(raw):
            bytes.fromhex(run.replace(b"%", b"").decode("ascii")).decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequest(_("只接受 UTF-8 编码的提交内容，没有保存任何内容。")) from None


def _query_bytes(request: HttpRequest) -> bytes:
    # Under WSGI the query string is its bytes as latin-1 (PEP 3333); other callers may hand over text.
    query = request.META.get("QUERY_STRING", "")
    try:
        return query.encode("latin-1")
    except UnicodeEncodeError:
        return query.encode("utf-8", "surrogatepass")


def read_request(request: HttpRequest) -> None:
    """Read the query string and body of `request` as every view later sees them.

    Raises MalformedRequest (see the module docstring for what is refused)."""
    _check_charset(request)
    query = _query_bytes(request)
    # A query string is data as a body is, under the same limit (servers in front usually allow far less).
    if settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None and len(query) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise MalformedRequest(_("地址太长，无法处理。"))
    _check_percent_encoded_utf8(query)
    try:
        request.GET  # noqa: B018 - parsed here so that too many fields is refused here
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return
        if request.content_type == "multipart/form-data":
            request.POST  # noqa: B018
            request.FILES  # noqa: B018
        elif request.content_type == "application/x-www-form-urlencoded":
            _check_percent_encoded_utf8(request.body)
            request.POST  # noqa: B018
        elif request.content_type == "application/json":
            json_body(request)
        else:
            request.body  # noqa: B018 - a body over the size limit is refused for every type
    except (BadRequest, SuspiciousOperation, MultiPartParserError, ValueError) as error:
        # ValueError: a Content-Length that is not a number (a server in front normally refuses it first).
        raise MalformedRequest(message_for(error)) from None


def malformed_response(request: HttpRequest, message: str) -> HttpResponse:
    """400 with `message`: JSON `{"error": message}` for JSON callers, templates/400.html otherwise.

    The page is rendered without the request: no context processor, CSRF token or session may touch a body
    that could not be read."""
    if wants_json(request):
        return JsonResponse({"error": message}, status=400)
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}))


class RequestParsingMiddleware:
    """Refuses unreadable requests with a 400 before anything else reads them (see the module docstring).

    Placed before CsrfViewMiddleware, which reads POST bodies, and after LocaleMiddleware, so the message is
    in the reader's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            read_request(request)
        except MalformedRequest as error:
            return malformed_response(request, error.message)
        return self.get_response(request)
