"""A small HTTP server on 127.0.0.1 in the test process, serving what outside image hosts serve: photos with EXIF,
redirects, pages that are not images, oversized and slow answers. Image imports in tests reach it because the tests
allow the host 127.0.0.1 (settings.IMAGE_FETCH_ALLOW_HOSTS); nothing else is ever contacted."""

from __future__ import annotations

import contextlib
import io
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import ExifTags, Image

BIG = 6 * 1024 * 1024


def photo_with_gps(size=(3000, 1000)) -> bytes:
    """A JPEG as a phone writes it: camera make and a GPS position in EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0),
    }
    buffer = io.BytesIO()
    Image.new("RGB", size, (31, 95, 153)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


class ImageServer:
    """`url(path)` gives the address of a route; `requests` lists the paths asked for."""

    def __init__(self, *, certificate: tuple[str, str] | None = None):
        """`certificate` (certificate file, key file) makes it an https server."""
        self.photo = photo_with_gps()
        self.scheme = "https" if certificate else "http"
        self.requests: list[str] = []
        self.redirects: dict[str, str] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep the test output quiet
                pass

            def do_GET(self):
                server.requests.append(self.path)
                server.answer(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def origin(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, path: str) -> str:
        return self.origin + path

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        if path in self.redirects:
            return self._send(handler, 302, b"", "text/plain", {"Location": self.redirects[path]})
        if path in ("/photo.jpg", "/photo"):
            return self._send(handler, 200, self.photo, "image/jpeg")
        if path == "/page.html":
            return self._send(handler, 200, "<html><body>不是图片</body></html>".encode(), "text/html")
        if path == "/big-declared.jpg":
            return self._send(handler, 200, b"\xff" * BIG, "image/jpeg")
        if path == "/big-streamed.jpg":
            # No Content-Length: the size shows only while reading.
            handler.send_response(200)
            handler.send_header("Content-Type", "image/jpeg")
            handler.send_header("Connection", "close")
            handler.end_headers()
            chunk = b"\xff" * 65536
            try:
                for _ in range(BIG // len(chunk) + 1):
                    handler.wfile.write(chunk)
            except OSError:
                pass
            handler.close_connection = True
            return None
        if path == "/slow.jpg":
            time.sleep(3)
            return self._send(handler, 200, self.photo, "image/jpeg")
        if path == "/drip.jpg":
            handler.send_response(200)
            handler.send_header("Content-Type", "image/jpeg")
            handler.send_header("Content-Length", str(len(self.photo)))
            handler.end_headers()
            try:
                for byte in self.photo[:40]:
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            handler.close_connection = True
            return None
        return self._send(handler, 404, b"not found", "text/plain")

    @staticmethod
    def _send(handler, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        with contextlib.suppress(OSError):  # the client gave up: nothing more to send
            handler.wfile.write(body)

    def __enter__(self) -> ImageServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
