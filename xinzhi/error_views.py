"""Error views that Django calls before any of the apps' views run."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from xinzhi.request_parsing import malformed_response, message_for


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 for a request Django refuses to read where RequestParsingMiddleware did not already (a bad host, a
    body read again after the middleware): JSON `{"error": message}` for the editor's autosave and other JSON
    callers, so the editor shows the message in its status line instead of failing to parse an HTML page;
    templates/400.html otherwise.

    Unlike Django's own view it runs no CSRF check: that check reads the body again, and a body Django cannot
    read raised the same error inside this view until the server answered with a bare 500."""
    return malformed_response(request, message_for(exception))
