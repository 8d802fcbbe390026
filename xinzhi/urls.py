from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

admin.site.site_header = "新质生产力每日动态 · 编辑系统"
admin.site.site_title = "xinzhi"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # CKEditor uploads go to newsroom:upload (settings.CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME), which checks the
    # role, the size and the image itself; django_ckeditor_5's own upload view is deliberately not routed.
    path("newsroom/", include("editorial.urls")),
    path("newsroom/", include("publishing.newsroom")),
    path("accounts/", include("django.contrib.auth.urls")),
    # The public archive (/, /archive/, /issues/…, /search/, feeds, sitemap): last, it owns the root.
    path("", include("publishing.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif not settings.S3_BUCKET:
    # On one machine without object storage, the images writers upload (random names under newsroom/) are
    # served by the app; rendition files are not: they go out through views that check who may have them.
    urlpatterns.insert(
        0,
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>newsroom/.+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    )
