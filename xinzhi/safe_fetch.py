"""Fetch one http(s) resource from the public internet for a user, and nothing else (no SSRF).

A URL a user supplies (a pasted `<img src>`) must not make the server reach what only the server can reach: its
own loopback, the private network, the cloud's metadata service (169.254.169.254, fd00:ec2::254), Redis, the
database. The rules, the same ones the PDF renderer applies by never opening a socket at all
(publishing/render/fetcher.py), adapted to a fetch that does go out:

- Only `http` and `https`, on any port.
- The host name is resolved once; every address it resolves to must be public (`_refusal`: loopback, private
  RFC 1918 and ULA, link-local including metadata, CGNAT 100.64.0.0/10 (Alibaba's metadata is 100.100.100.200),
  multicast, reserved, unspecified, documentation and benchmarking ranges; IPv4 addresses embedded in IPv6 as
  IPv4-mapped, 6to4, NAT64 and Teredo are checked as the IPv4 address they carry). The connection is then opened
  to the vetted address itself, with the original host name kept for the Host header and TLS (SNI and certificate
  check), so a DNS answer that changes between check and connect (DNS rebinding) cannot redirect it.
- Redirects are followed by this code, not by a library, and every hop goes through the same checks; at most
  `max_redirects` hops.
- The body is read in chunks and refused as soon as it passes `max_bytes` (a Content-Length over it is refused
  before reading).
- Time: `connect_timeout` bounds each connect, `total_timeout` bounds the whole fetch including redirects and a
  server that sends one byte a second; a timer shuts the socket at the deadline.
- No proxy from the environment is used, no cookies are sent, no credentials in the URL are accepted.

`allow_hosts` names hosts that may resolve to non-public addresses: only for tests (a local HTTP server on
127.0.0.1); the setting that fills it is refused by production settings (xinzhi/settings.py).
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024
USER_AGENT = "xinzhi-image-import/1.0"

# Not public, though Python's is_global says otherwise or does not look into them.
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """The resource was not fetched. `message` is for the user (active language); `detail` is for the log."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail or message


@dataclass(frozen=True)
class Fetched:
    """What a fetch returned: the final URL after redirects, the Content-Type header, and the body."""

    url: str
    content_type: str
    body: bytes


def address_refusal(address: IPAddress) -> str | None:
    """Why `address` must not be connected to ("loopback", "private", …), or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            reason = address_refusal(embedded)
            return f"{reason} (embedded in {address})" if reason else None
        if address.teredo or address in _NAT64_LOCAL:
            return "tunnel"
        if address.scope_id:
            return "link-local"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified:
        return "unspecified"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return "shared (CGNAT)"
    if not address.is_global:
        return "not global"
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to for a TCP connection (tests replace this to simulate DNS answers)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to `address`, whatever the host name resolves to by now."""

    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((str(self.address), self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to `address`; the certificate is checked against the host name of the URL."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        address: IPAddress,
        timeout: float,
        context: ssl.SSLContext | None = None,
    ):
        super().__init__(host, port, timeout=timeout, context=context or ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((str(self.address), self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _vetted(url: str, allow_hosts: Collection[str]) -> tuple[str, int, str, IPAddress]:
    """(scheme, port, host, address to connect to) for `url`, or FetchError."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError(_("地址格式不正确"), f"malformed URL {url[:200]!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(_("只能导入 http 或 https 地址的图片"), f"scheme {scheme!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError(_("地址格式不正确"), "no host")
    if parts.username is not None or parts.password is not None:
        raise FetchError(_("地址中不能包含用户名或密码"), "credentials in URL")
    port = port or (443 if scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise FetchError(_("找不到该网站"), f"cannot resolve {host}: {exc}") from None
    if not addresses:
        raise FetchError(_("找不到该网站"), f"{host} resolves to nothing")
    if host.lower() not in {h.lower() for h in allow_hosts}:
        for address in addresses:
            reason = address_refusal(address)
            if reason:
                raise FetchError(
                    _("该地址指向内部网络，不允许访问"), f"{host} resolves to {address}: {reason}"
                )
    return scheme, port, host, addresses[0]


def fetch(
    *,
    url: str,
    max_bytes: int,
    connect_timeout: float = 5.0,
    total_timeout: float = 20.0,
    max_redirects: int = 3,
    allow_hosts: Collection[str] = (),
    accept: str = "*/*",
    ssl_context: ssl.SSLContext | None = None,
) -> Fetched:
    """GET `url` under the rules of the module docstring; return the final URL, Content-Type and body.

    Raises FetchError (a user message in the active language and a detail for the log) for a refused URL or
    address, a network error, an HTTP status other than 200, too many redirects, a body over `max_bytes` bytes,
    and time over `connect_timeout` (per connection, seconds) or `total_timeout` (the whole fetch, seconds).
    `ssl_context` replaces the system's trust store for https (tests trust their own certificate with it); the
    certificate is always checked against the URL's host name.
    """
    deadline = time.monotonic() + total_timeout
    current = url
    for _hop in range(max_redirects + 1):
        scheme, port, host, address = _vetted(current, allow_hosts)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(_("连接超时"), "total time used up before connecting")
        timeout = min(connect_timeout, remaining)
        if scheme == "https":
            connection = _PinnedHTTPSConnection(
                host, port, address=address, timeout=timeout, context=ssl_context
            )
        else:
            connection = _PinnedHTTPConnection(host, port, address=address, timeout=timeout)
        expired = threading.Event()
        timer = threading.Timer(remaining, _shut, args=(connection, expired))
        timer.daemon = True
        timer.start()
        try:
            status, location, content_type, body = _get(connection, current, max_bytes, deadline, accept)
        except FetchError:
            raise
        except TimeoutError:
            raise FetchError(_("连接超时"), f"timeout fetching {current[:200]}") from None
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            if expired.is_set():
                raise FetchError(_("连接超时"), f"total timeout fetching {current[:200]}") from None
            raise FetchError(_("无法连接该网站"), f"{type(exc).__name__}: {exc}") from None
        finally:
            timer.cancel()
            connection.close()
        if status in REDIRECT_STATUSES:
            if not location:
                raise FetchError(_("服务器返回了无效的跳转"), f"{status} without Location")
            current = urljoin(current, location)
            continue
        if status != 200:
            raise FetchError(_("服务器返回错误 %(status)d") % {"status": status}, f"HTTP {status}")
        return Fetched(url=current, content_type=content_type, body=body)
    raise FetchError(_("跳转次数过多"), f"more than {max_redirects} redirects")


def _shut(connection: http.client.HTTPConnection, expired: threading.Event) -> None:
    """At the deadline: unblock a read that is still waiting (a server dripping bytes)."""
    expired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing to unblock
            sock.shutdown(socket.SHUT_RDWR)


def _get(connection, url: str, max_bytes: int, deadline: float, accept: str) -> tuple[int, str, str, bytes]:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection.request(
        "GET", target, headers={"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": "identity"}
    )
    response = connection.getresponse()
    status = response.status
    if status in REDIRECT_STATUSES or status != 200:
        return status, response.getheader("Location", ""), "", b""
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise _too_large(max_bytes, f"Content-Length {length}")
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError(_("连接超时"), "total timeout while reading")
        chunk = response.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes, f"body over {max_bytes} bytes")
        chunks.append(chunk)
    return status, "", response.getheader("Content-Type", ""), b"".join(chunks)


def _too_large(max_bytes: int, detail: str) -> FetchError:
    return FetchError(_("文件超过 %(limit)d MB") % {"limit": max_bytes // 1024 // 1024}, detail)
