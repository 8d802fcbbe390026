"""Security headers Django does not set itself: Content-Security-Policy, Permissions-Policy and private caching.

Content-Security-Policy for every HTML page (Django 5.2 has no built-in CSP).
The policy allows what the newsroom and CKEditor 5 need and nothing more: scripts only from our own origin
(no inline script, no eval: CKEditor 5 runs without them), styles from our origin plus inline styles (CKEditor
positions its balloons and panels with style attributes), images from our origin, data:/blob: (pasted images)
and the media origin when files live in object storage, fetch/XHR only to our origin (autosave, uploads).
A view that allows being framed by our own pages (`@xframe_options_sameorigin`, the review page's preview)
gets `frame-ancestors 'self'`; everything else `'none'`, matching X-Frame-Options: DENY.

Permissions-Policy on every response turns off the powerful browser features the site never uses, so a script
that got in anyway cannot ask for the camera or a payment. Clipboard and fullscreen are not listed: CKEditor's
paste works from the paste event, which needs no permission.

`Cache-Control: private, no-store` on every response whose content depends on who asks: whatever read the
session (request.user included), showed the visitor's messages or put a CSRF token in the page, which covers
the newsroom, its JSON answers, the admin and /accounts/. `Vary: Cookie` alone is no sign of that: the public
archive's pages vary by the language cookie, read none of these, and keep their public caching
(publishing/cache.py).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.cache import patch_cache_control


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def media_origins() -> list[str]:
    """Where uploaded images are served from when that is not this site (S3-compatible storage)."""
    origins = []
    candidates = [settings.MEDIA_URL]
    options = settings.STORAGES.get("default", {}).get("OPTIONS") or {}
    candidates += [
        options.get("custom_domain") and f"https://{options['custom_domain']}",
        options.get("endpoint_url"),
    ]
    for candidate in candidates:
        origin = _origin(candidate)
        if origin and origin not in origins:
            origins.append(origin)
    return origins + list(getattr(settings, "CSP_EXTRA_IMG_SRC", []))


def build_policy(*, frame_ancestors: str) -> str:
    img = " ".join(["'self'", "data:", "blob:", *media_origins()])
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {img}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ]
    return "; ".join(directives)


# Features a page may use nowhere (https://www.w3.org/TR/permissions-policy/, names Chromium knows: an unknown
# name is an error in the browser console).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def depends_on_visitor(request) -> bool:
    """Whether the answer was made from this visitor's session, shows their messages or holds their CSRF token."""
    session = getattr(request, "session", None)
    messages = getattr(request, "_messages", None)  # django.contrib.messages' storage, `used` once shown
    return bool(
        (session is not None and session.accessed)
        or (messages is not None and messages.used)
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def keep_private(response) -> None:
    """Make a response for one visitor only and never stored: no shared cache may show one user's newsroom, or
    CSRF token, to the next, and no browser keeps it on disk after signing out."""
    # A lifetime meant for everyone (a view's own public caching) goes with `public`.
    kept = [
        directive.strip()
        for directive in response.get("Cache-Control", "").split(",")
        if directive.strip()
        and directive.split("=")[0].strip().lower() not in ("public", "max-age", "s-maxage")
    ]
    response["Cache-Control"] = ", ".join(kept)
    patch_cache_control(response, private=True, no_store=True)


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy to HTML responses that do not set their own, Permissions-Policy to every
    response, and private no-store caching to responses made for one visitor.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policies = {
            "DENY": build_policy(frame_ancestors="'none'"),
            "SAMEORIGIN": build_policy(frame_ancestors="'self'"),
        }

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if depends_on_visitor(request):
            keep_private(response)
        if "Content-Security-Policy" in response:
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        # XFrameOptionsMiddleware runs before us on the way out (it is listed after us), so the header it set,
        # or a view's @xframe_options_sameorigin, tells which framing this page allows.
        framing = response.get("X-Frame-Options", "DENY").upper()
        response["Content-Security-Policy"] = self.policies.get(framing, self.policies["DENY"])
        return response
