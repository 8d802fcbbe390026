from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from xinzhi import media

# A request too large to read gets a JSON answer when the editor sent it (see the view).
handler400 = "xinzhi.error_views.bad_request"

admin.site.site_header = _("新质生产力每日动态 · 编辑系统")
admin.site.site_title = "xinzhi"

urlpatterns = [
    path("admin/", admin.site.urls),
    # The archive's pages are cached for every reader and cannot carry a CSRF token, and a forged request could
    # only change the display language: the switch is CSRF-exempt.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # CKEditor uploads go to newsroom:upload (settings.CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME), which checks the
    # role, the size and the image itself; django_ckeditor_5's own upload view is deliberately not routed.
    path("newsroom/", include("editorial.urls")),
    path("newsroom/", include("publishing.newsroom")),
    path("accounts/", include("django.contrib.auth.urls")),
    # The public archive (/, /archive/, /issues/…, /search/, feeds, sitemap): last, it owns the root.
    path("", include("publishing.urls")),
]

if not settings.S3_BUCKET:
    # Without object storage the app serves the images writers upload (random names under newsroom/), in
    # development and in production alike, through a view that keeps every request inside that folder (see
    # xinzhi/media.py); rendition files are not served here: they go out through views that check who may
    # have them. Django's static() helper is not used even with DEBUG: it would serve all of MEDIA_ROOT.
    urlpatterns.insert(
        0,
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/{media.UPLOADS_DIR}/(?P<name>.+)$",
            media.upload,
            name="upload",
        ),
    )
