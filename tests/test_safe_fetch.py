"""xinzhi.safe_fetch: only public addresses, also after redirects; bounded in size and time.

Refused addresses are simulated by replacing DNS resolution; a guard fails the test if a connection to anything
but 127.0.0.1 is ever attempted, so no traffic leaves the machine."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import subprocess
import time

import pytest

from tests.image_server import BIG
from xinzhi import safe_fetch
from xinzhi.safe_fetch import FetchError, address_refusal, fetch

MB5 = 5 * 1024 * 1024


@pytest.fixture(autouse=True)
def only_local_connections(monkeypatch):
    real = socket.create_connection

    def guarded(address, *args, **kwargs):
        assert address[0] == "127.0.0.1", f"a connection to {address} was attempted"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(safe_fetch.socket, "create_connection", guarded)


@pytest.fixture
def dns(monkeypatch):
    """Answer DNS for made-up names with the addresses given; real names still resolve normally."""
    answers: dict[str, list[str]] = {}
    real = safe_fetch.resolve

    def resolve(host, port):
        if host in answers:
            return [ipaddress.ip_address(a) for a in answers[host]]
        return real(host, port)

    monkeypatch.setattr(safe_fetch, "resolve", resolve)
    return answers


@pytest.fixture
def server():
    from tests.image_server import ImageServer

    with ImageServer() as running:
        yield running


def local(url: str, **options):
    return fetch(url=url, max_bytes=MB5, allow_hosts=["127.0.0.1"], **options)


REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # AWS, GCP, Azure metadata
    "100.100.100.200",  # Alibaba Cloud metadata (CGNAT range)
    "100.64.0.1",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.10",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2001:db8::1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_a_host_resolving_to_a_non_public_address_is_refused_without_connecting(dns, address):
    dns["images.example.com"] = [address]

    with pytest.raises(FetchError) as refused:
        fetch(url="http://images.example.com/a.jpg", max_bytes=MB5)

    assert refused.value.message == "该地址指向内部网络，不允许访问"
    assert str(ipaddress.ip_address(address)) in refused.value.detail


@pytest.mark.parametrize("address", REFUSED)
def test_the_address_itself_in_the_url_is_refused_too(address):
    host = f"[{address}]" if ":" in address else address

    with pytest.raises(FetchError, match="内部网络"):
        fetch(url=f"http://{host}/latest/meta-data/", max_bytes=MB5)


def test_one_private_address_among_public_ones_is_enough_to_refuse(dns):
    dns["mixed.example.com"] = ["93.184.216.34", "10.0.0.1"]

    with pytest.raises(FetchError, match="内部网络"):
        fetch(url="https://mixed.example.com/a.png", max_bytes=MB5)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_pass_the_check(address):
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/a.jpg",
        "gopher://127.0.0.1:6379/_INFO",
        "javascript:alert(1)",
        "//x",
    ],
)
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(FetchError, match="http 或 https"):
        fetch(url=url, max_bytes=MB5)


def test_credentials_in_the_url_are_refused(dns):
    dns["images.example.com"] = ["93.184.216.34"]

    with pytest.raises(FetchError, match="用户名或密码"):
        fetch(url="http://user:secret@images.example.com/a.jpg", max_bytes=MB5)


def test_the_connection_goes_to_the_vetted_address_not_a_second_dns_answer(server, dns, monkeypatch):
    # The name is checked once and the socket opened to that address: a rebinding DNS that answers
    # 169.254.169.254 the second time is never asked again.
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])
    monkeypatch.setattr(
        safe_fetch, "resolve", lambda host, port: [ipaddress.ip_address(a) for a in next(answers)]
    )

    result = fetch(
        url=f"http://rebind.test:{server.httpd.server_address[1]}/photo.jpg",
        max_bytes=MB5,
        allow_hosts=["rebind.test"],
    )

    assert result.body == server.photo


def test_an_allowed_local_host_is_fetched(server):
    result = local(server.url("/photo.jpg?size=large"))

    assert result.body == server.photo
    assert result.content_type == "image/jpeg"
    assert server.requests == ["/photo.jpg?size=large"]


def test_the_local_test_server_is_refused_unless_allowed(server):
    with pytest.raises(FetchError, match="内部网络"):
        fetch(url=server.url("/photo.jpg"), max_bytes=MB5)

    assert server.requests == []


def test_redirects_are_followed_and_each_hop_is_checked(server):
    server.redirects["/a"] = "/b"
    server.redirects["/b"] = server.url("/photo.jpg")

    result = local(server.url("/a"))

    assert result.body == server.photo
    assert result.url == server.url("/photo.jpg")


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]/", "file:///etc/passwd"],
)
def test_a_redirect_to_a_refused_address_is_refused(server, target):
    server.redirects["/go"] = target

    with pytest.raises(FetchError):
        local(server.url("/go"))

    assert server.requests == ["/go"]


def test_a_redirect_to_a_name_resolving_to_a_private_address_is_refused(server, dns):
    dns["intranet.example.com"] = ["192.168.0.10"]
    server.redirects["/go"] = "http://intranet.example.com/secret.png"

    with pytest.raises(FetchError, match="内部网络"):
        local(server.url("/go"))


def test_more_than_three_redirects_are_refused(server):
    for n in range(5):
        server.redirects[f"/r{n}"] = f"/r{n + 1}"
    server.redirects["/r5"] = "/photo.jpg"

    with pytest.raises(FetchError, match="跳转次数过多"):
        local(server.url("/r0"))

    assert len(server.requests) == 4


def test_a_declared_oversize_body_is_refused_before_reading(server):
    with pytest.raises(FetchError, match="超过 5 MB") as refused:
        local(server.url("/big-declared.jpg"))

    assert "Content-Length" in refused.value.detail
    assert str(BIG) in refused.value.detail


def test_an_undeclared_oversize_body_stops_at_the_limit(server):
    with pytest.raises(FetchError, match="超过 5 MB") as refused:
        local(server.url("/big-streamed.jpg"))

    assert "body over" in refused.value.detail


def test_an_http_error_status_is_reported(server):
    with pytest.raises(FetchError, match=r"^服务器返回错误 404$"):
        local(server.url("/missing.jpg"))


def test_a_server_that_does_not_answer_in_time_is_given_up(server):
    started = time.monotonic()

    with pytest.raises(FetchError, match="连接超时"):
        local(server.url("/slow.jpg"), connect_timeout=1, total_timeout=1)

    assert time.monotonic() - started < 2.5


def test_a_server_dripping_bytes_is_given_up_at_the_total_deadline(server):
    started = time.monotonic()

    with pytest.raises(FetchError, match="连接超时"):
        local(server.url("/drip.jpg"), connect_timeout=1, total_timeout=1.5)

    assert time.monotonic() - started < 3


def test_a_name_that_does_not_resolve_is_reported(dns, monkeypatch):
    def fail(host, port):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(safe_fetch, "resolve", fail)

    with pytest.raises(FetchError, match="找不到该网站"):
        fetch(url="http://no-such-host.invalid/a.jpg", max_bytes=MB5)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for the name images.test (openssl, as any Debian machine has it)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=images.test"
    command += " -addext subjectAltName=DNS:images.test"
    subprocess.run([*command.split(), "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def tls_server(certificate):
    from tests.image_server import ImageServer

    with ImageServer(certificate=certificate) as running:
        yield running


def test_https_goes_to_the_vetted_address_and_checks_the_certificate_against_the_urls_name(
    tls_server, certificate, dns
):
    dns["images.test"] = ["127.0.0.1"]

    result = fetch(
        url=f"https://images.test:{tls_server.port}/photo.jpg",
        max_bytes=MB5,
        allow_hosts=["images.test"],
        ssl_context=ssl.create_default_context(cafile=certificate[0]),
    )

    assert result.body == tls_server.photo


def test_https_with_a_certificate_for_another_name_is_refused(tls_server, certificate, dns):
    dns["other.test"] = ["127.0.0.1"]

    with pytest.raises(FetchError, match="无法连接该网站") as refused:
        fetch(
            url=f"https://other.test:{tls_server.port}/photo.jpg",
            max_bytes=MB5,
            allow_hosts=["other.test"],
            ssl_context=ssl.create_default_context(cafile=certificate[0]),
        )

    assert "CERTIFICATE_VERIFY_FAILED" in refused.value.detail or "hostname" in refused.value.detail
    assert tls_server.requests == []
