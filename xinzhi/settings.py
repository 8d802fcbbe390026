"""Settings for xinzhi, read from the environment (see README: Configuration).

Unset variables give the embedded default of DESIGN.md: SQLite under var/, Celery tasks run eagerly,
local-memory cache, console email. Production sets DJANGO_DEBUG=0 and must then give SECRET_KEY and
ALLOWED_HOSTS; anything malformed stops start-up with a message naming the variable.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from xinzhi.env import env_bool, env_int, env_list, env_str, env_time_zone, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("XINZHI_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", True)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-only-for-DJANGO_DEBUG=1")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:  # what `check --deploy` asks for
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long when DJANGO_DEBUG=0.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "xinzhi.error_views.csrf_failure"  # JSON for fetch calls, a Chinese page otherwise
SITE_URL = env_url("SITE_URL", schemes=("http", "https"), default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # django.contrib.admin whose change lists turn garbage lookups into ?e=1, not 500s (xinzhi/admin_site.py).
    "xinzhi.admin_site.XinzhiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_ckeditor_5",
    # django-axes (login throttling) under the admin name 登录保护: xinzhi/login_protection.py.
    "xinzhi.login_protection.LoginProtectionConfig",
    "editorial",
    "references",
    "publishing",
]

MIDDLEWARE = [
    "xinzhi.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "xinzhi.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Unreadable bodies and query strings get a 400 with a message before CSRF or any view reads them.
    "xinzhi.request_parsing.RequestParsingMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the login page with the message (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Static files are served by the app itself in production (no separate web server needed in front).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "xinzhi.urls"
WSGI_APPLICATION = "xinzhi.wsgi.application"
ASGI_APPLICATION = "xinzhi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "publishing.context_processors.archive_links",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------

_database_url = env_url(
    "DATABASE_URL",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
    default=f"sqlite:///{VAR_DIR / 'xinzhi.sqlite3'}",
)
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL could not be parsed: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is the embedded single-machine default; WAL lets the dev server read while a task writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A fresh checkout has no var/ yet; SQLite will not create the folder itself.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": env_str("XINZHI_TEST_SQLITE", "") or None}
else:
    if not DATABASES["default"].get("NAME"):
        raise ImproperlyConfigured(
            "DATABASE_URL must name a database, such as postgres://user:password@host:5432/xinzhi."
        )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["TEST"] = {"NAME": env_str("XINZHI_TEST_DATABASE", "test_xinzhi")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ---------------------------------------------------------------------

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {
        "default": {
            # Django's, keeping its Redis client between calls (see xinzhi/redis_cache.py).
            "BACKEND": "xinzhi.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "xinzhi"),
        }
    }
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "xinzhi"}}

CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# A message whose worker died before acknowledging it (acks_late) is redelivered after this many seconds: longer
# than any task may run (renders stop at 300 s), short enough that a crashed render is finished the same morning.
_visibility_timeout = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_timeout,
    "unacked_restore_interval": min(10, max(1, _visibility_timeout // 2)),
    "unacked_restore_throttle": 1,
}

# --- Publishing -----------------------------------------------------------------------------------------

# From this hour (0-23, in each series' time zone) the hourly task creates tomorrow's draft.
NEXT_DRAFT_HOUR = env_int("NEXT_DRAFT_HOUR", 9, minimum=0)
if NEXT_DRAFT_HOUR > 23:
    raise ImproperlyConfigured(f"NEXT_DRAFT_HOUR must be an hour from 0 to 23; got {NEXT_DRAFT_HOUR}.")

# --- Auth -----------------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# axes' backend goes first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "newsroom:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes; xinzhi/login_protection.py), on both login pages. Failures are counted in the
# database, so every web node counts together. A username, and separately an address, is locked out after
# LOGIN_FAILURE_LIMIT failures until LOGIN_LOCKOUT_MINUTES have passed since the last one (attempts during the
# lockout do not extend it); an admin unlocks earlier by deleting the attempts in the admin (登录保护).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success forgets the user's own failures only (login_protection.forget_failures), not the address's.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# No banner on standard output at every start (manage.py commands, make run); the log keeps its records.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "xinzhi.login_protection.lockout_response"
AXES_CLIENT_IP_CALLABLE = "xinzhi.login_protection.client_ip"
AXES_USERNAME_CALLABLE = "xinzhi.login_protection.username_of"
# How many reverse proxies in front of the app append to X-Forwarded-For (0: clients connect directly, and the
# header, which anyone can send, is ignored). Set it only when the app cannot be reached but through them.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# Days the login records (axes' AccessLog and AccessFailureLog) are kept; a daily beat task removes older ones.
LOGIN_RECORDS_KEEP_DAYS = env_int("LOGIN_RECORDS_KEEP_DAYS", 90, minimum=1)

# --- Language and time ----------------------------------------------------------------------------------

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}; got {LANGUAGE_CODE!r}."
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_time_zone("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Renditions (PDF, WeChat HTML) of an issue not yet published are embargoed, and a withdrawn issue's are
    # gone: they are never served by URL, only through the views that check who asks (publishing.downloads,
    # publishing.newsroom). Under MEDIA_ROOT on disk, outside the newsroom/ folder that xinzhi.media serves.
    "renditions": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Past one machine every node must see the same files: S3-compatible object storage (pip install '.[s3]').
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    try:
        import storages  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured(
            "S3_BUCKET is set but django-storages is not installed: pip install '.[s3]'."
        ) from None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_url("S3_ENDPOINT_URL", schemes=("http", "https")),
            "access_key": env_str("S3_ACCESS_KEY"),
            "secret_key": env_str("S3_SECRET_KEY"),
            "region_name": env_str("S3_REGION", "") or None,
            "default_acl": None,
            # Published pages and renditions link to these files for years: signed URLs would expire.
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
    # Private objects, read by the app with its keys. Never public: a bucket policy may allow public reads on
    # newsroom/* (the uploads pages link to), never on renditions/*.
    STORAGES["renditions"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **STORAGES["default"]["OPTIONS"],
            "bucket_name": env_str("S3_RENDITIONS_BUCKET", "") or S3_BUCKET,
            "default_acl": "private",
            "querystring_auth": True,
        },
    }

# Images pasted from outside addresses are fetched by a worker (editorial.images.import_image) from public
# addresses only. A host listed here may be local: for tests against a server on 127.0.0.1, never in production.
IMAGE_FETCH_ALLOW_HOSTS = env_list("XINZHI_IMAGE_FETCH_ALLOW_HOSTS", [])
if IMAGE_FETCH_ALLOW_HOSTS and not DEBUG:
    raise ImproperlyConfigured(
        "XINZHI_IMAGE_FETCH_ALLOW_HOSTS lets image imports reach local addresses and is for tests only; "
        "unset it when DJANGO_DEBUG=0."
    )
# Seconds: for one connection, and for a whole fetch with its redirects (the writer waits for it).
IMAGE_FETCH_CONNECT_TIMEOUT = 5.0
IMAGE_FETCH_TIMEOUT = 15.0

# --- WeChat Official Account (publishing/wechat) ----------------------------------------------------------

# The AppID is not secret: a series may carry its own (admin), this is the fallback. The AppSecret is, and comes only
# from the environment or a file (a Docker or Kubernetes secret), never from the database or a page. The file is
# read when a push needs it (publishing.wechat.client), so a rotated secret needs no restart, and a missing one
# turns WeChat off with a message saying what to fix instead of stopping the whole site.
WECHAT_APP_ID = env_str("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = env_str("WECHAT_APP_SECRET", "")
WECHAT_APP_SECRET_FILE = env_str("WECHAT_APP_SECRET_FILE", "")
# Staging and the tests point this at a local server; the client reaches this origin and nothing else.
WECHAT_API_BASE_URL = env_url(
    "WECHAT_API_BASE_URL", schemes=("http", "https"), default="https://api.weixin.qq.com"
).rstrip("/")
if WECHAT_API_BASE_URL.startswith("http://") and not DEBUG:
    raise ImproperlyConfigured(
        "WECHAT_API_BASE_URL must use https:// when DJANGO_DEBUG=0 (it carries the AppSecret)."
    )
# Seconds: to connect, and to wait for one answer (an upload of 1 MB included).
WECHAT_CONNECT_TIMEOUT = 5.0
WECHAT_READ_TIMEOUT = 30.0

# Who else has an issue open in the editor (editorial.presence): the editor reports every
# PRESENCE_HEARTBEAT_SECONDS (0: never), an entry lasts PRESENCE_TTL_SECONDS without one (three missed beats).
PRESENCE_HEARTBEAT_SECONDS = 20
PRESENCE_TTL_SECONDS = 60

# --- Email ----------------------------------------------------------------------------------------------

EMAIL_URL = env_url("EMAIL_URL", schemes=("smtp", "smtps", "console"), default="console://")
if EMAIL_URL.startswith("console"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    if not _email.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL must name a host, such as smtp://user:pass@mail.example.org:587; got {EMAIL_URL!r}."
        )
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _email.scheme == "smtp" and EMAIL_PORT == 587
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "xinzhi <noreply@localhost>")

# --- Security -------------------------------------------------------------------------------------------

# Every cookie the site sets is sent on no cross-site subrequest or post (Lax) and only over HTTPS in production;
# scripts cannot read the session or language cookie. The CSRF cookie stays readable: django-ckeditor-5's upload
# adapter takes the token from it.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 30, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # Covering subdomains and preloading commit the whole domain to HTTPS, so they are chosen in the
    # environment; when left off on purpose, `check --deploy` need not warn about it on every run.
    SILENCED_SYSTEM_CHECKS = [
        check
        for check, enabled in (
            ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
            ("security.W021", SECURE_HSTS_PRELOAD),
        )
        if not enabled
    ]

# --- Rich text editor -----------------------------------------------------------------------------------

# CKEditor 5 as django-ckeditor-5's prebuilt bundle ships it loads over 50 plugins, most of which accept content
# the server drops (editorial/sanitize.py): colours, fonts, highlight, alignment, indents, arbitrary HTML, code,
# media, to-do lists, table and image styles. Removing them from the editor's model makes a paste show what will
# be saved. The names are the bundle's (django_ckeditor_5/static/django_ckeditor_5/src/ckeditor.js);
# tests/editorial/test_editor_fixtures.py checks each against it, since an unknown name stops the editor.
# Markdown and FullPage each swap the data processor: without both gone getData() would be Markdown.
CKEDITOR_5_REMOVED_PLUGINS = [
    "Markdown",
    "FullPage",
    "GeneralHtmlSupport",
    "Style",
    "HtmlEmbed",
    "SourceEditing",
    "Font",
    "Highlight",
    "Alignment",
    "IndentBlock",
    "CodeBlock",
    "Code",
    "Underline",
    "Strikethrough",
    "Subscript",
    "Superscript",
    "MediaEmbed",
    "TodoList",
    "TableProperties",
    "TableCellProperties",
    "ImageResize",
    "ImageStyle",
    "LinkImage",
    "Mention",
    "PageBreak",
    "HorizontalLine",
]
CKEDITOR_5_CONFIGS = {
    "default": {
        "toolbar": [
            "heading",
            "|",
            "bold",
            "italic",
            "link",
            "bulletedList",
            "numberedList",
            "outdent",
            "indent",
            "blockQuote",
            "|",
            "insertTable",
            "imageUpload",
            "|",
            "undo",
            "redo",
        ],
        "removePlugins": CKEDITOR_5_REMOVED_PLUGINS,
        # editorial/static/editorial/ckeditor_hooks.js: script/style and unsafe links never enter the editor,
        # the data carries nothing the server changes. Loaded by editorial.forms.RichTextWidget's media.
        "extraPlugins": ["callback:XinzhiEditorRules"],
        # Two heading levels under the section's own headline. Pasted headings of other levels keep being
        # headings (h1/h2 as h3, h5/h6 as h4) instead of turning into paragraphs.
        "heading": {
            "options": [
                {"model": "paragraph", "title": "Paragraph", "class": "ck-heading_paragraph"},
                {
                    "model": "heading3",
                    "view": "h3",
                    "title": "Heading 3",
                    "class": "ck-heading_heading3",
                    "upcastAlso": ["h1", "h2"],
                },
                {
                    "model": "heading4",
                    "view": "h4",
                    "title": "Heading 4",
                    "class": "ck-heading_heading4",
                    "upcastAlso": ["h5", "h6"],
                },
            ]
        },
        # An address typed or pasted without a scheme (www.gov.cn/...) is a web address, not a path on our site.
        "link": {"defaultProtocol": "https://"},
        # Numbered lists may start at any number (<ol start>); no marker styles or reversed order, which the
        # outputs do not print. No class on a list item whose whole text is bold (ck-list-marker-bold).
        "list": {
            "properties": {"styles": False, "startIndex": True, "reversed": False},
            "enableListItemMarkerFormatting": False,
        },
        # Alternative text and captions for images; an uploaded image is a block (it can have a caption).
        "image": {"toolbar": ["imageTextAlternative", "toggleImageCaption"], "insert": {"type": "block"}},
        # New tables start with a header row; row/column tools and the caption (CKEditor warns without them).
        "table": {
            "contentToolbar": ["tableColumn", "tableRow", "mergeTableCells", "toggleTableCaption"],
            "defaultHeadings": {"rows": 1},
        },
        "language": "zh-cn",
    }
}
CKEDITOR_5_FILE_UPLOAD_PERMISSION = "authenticated"
# Uploads go through the newsroom's own view: writers and reviewers only, images verified by Pillow, 5 MB.
CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME = "newsroom:upload"
CKEDITOR_5_ALLOW_ALL_FILE_TYPES = False
CKEDITOR_5_UPLOAD_FILE_TYPES = ["jpeg", "jpg", "png", "gif", "webp"]

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL; got {LOG_LEVEL!r}."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # WeasyPrint logs every rendering step at INFO and fontTools every subset: noise in a worker's log.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
