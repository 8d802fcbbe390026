"""The newsroom's URLs, mounted at /newsroom/ (namespace `newsroom`). Everything that changes data is POST."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from editorial.views import citations, comments, dashboard, footer, issues, presence, sections, uploads

app_name = "newsroom"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("issues/new/", issues.issue_create, name="issue_create"),
    path("issues/<int:pk>/", issues.editor, name="editor"),
    path("issues/<int:pk>/meta/", issues.issue_meta_save, name="issue_meta_save"),
    path("issues/<int:pk>/presence/", presence.heartbeat, name="presence"),
    path("issues/<int:pk>/review/", issues.review, name="review"),
    path("issues/<int:pk>/submit/", issues.transition, {"action": "submit"}, name="submit"),
    path("issues/<int:pk>/approve/", issues.transition, {"action": "approve"}, name="approve"),
    path("issues/<int:pk>/return/", issues.transition, {"action": "return"}, name="return"),
    path("issues/<int:pk>/reopen/", issues.transition, {"action": "reopen"}, name="reopen"),
    path("issues/<int:pk>/schedule/", issues.transition, {"action": "schedule"}, name="schedule"),
    path("issues/<int:pk>/publish/", issues.transition, {"action": "publish"}, name="publish"),
    path("issues/<int:pk>/preview/web/", issues.preview_web, name="preview_web"),
    path("issues/<int:pk>/preview/pdf/", issues.preview_pdf, name="preview_pdf"),
    path("issues/<int:pk>/preview/wechat/", issues.preview_wechat, name="preview_wechat"),
    path("issues/<int:pk>/sections/", sections.section_create, name="section_create"),
    path("issues/<int:pk>/sections/order/", sections.sections_reorder, name="sections_reorder"),
    path("sections/<int:pk>/save/", sections.section_save, name="section_save"),
    path("sections/<int:pk>/delete/", sections.section_delete, name="section_delete"),
    path("sections/<int:pk>/history/", sections.section_history, name="section_history"),
    path(
        "sections/<int:pk>/revisions/<int:number>/restore/",
        sections.section_restore,
        name="section_restore",
    ),
    path("issues/<int:pk>/comments/", comments.comment_add, name="comment_add"),
    path("comments/<int:pk>/resolve/", comments.comment_resolve, name="comment_resolve"),
    path("sources/search/", citations.source_search, name="source_search"),
    path("issues/<int:pk>/citations/", citations.citation_add, name="citation_add"),
    path("issues/<int:pk>/citations/order/", citations.citations_reorder, name="citations_reorder"),
    path("citations/<int:pk>/", citations.citation_update, name="citation_update"),
    path("citations/<int:pk>/remove/", citations.citation_remove, name="citation_remove"),
    path("footer/", footer.footer_index, name="footer"),
    path("series/<int:pk>/footer/", footer.footer_edit, name="footer_edit"),
    path("upload/", uploads.image_upload, name="upload"),
    path("upload/import/", uploads.image_import, name="image_import"),
    # The strings of the newsroom's scripts, for gettext() in the browser; public like any static file.
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["editorial"]), name="jsi18n"),
]
