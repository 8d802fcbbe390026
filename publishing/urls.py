"""URLs of the public archive, included at the root of the site.

Dates and months are matched by shape here and checked as dates in the views, so `/issues/2026-02-30/` is a 404
rather than an error. Topic and outlet slugs may be Chinese (`/topics/数据要素/`).
"""

from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path

from publishing import views
from publishing.cache import cached_page
from publishing.feeds import LatestIssuesAtomFeed, LatestIssuesFeed
from publishing.sitemaps import SITEMAPS
from xinzhi.env import env_bool

app_name = "archive"

DATE = r"(?P<date>\d{4}-\d{2}-\d{2})"

urlpatterns = [
    path("", views.home, name="home"),
    path("archive/", views.archive_index, name="index"),
    re_path(r"^archive/(?P<year>\d{4})/$", views.archive_year, name="year"),
    re_path(r"^archive/(?P<year>\d{4})/(?P<month>\d{2})/$", views.archive_month, name="month"),
    re_path(rf"^issues/{DATE}/$", views.issue_detail, name="issue"),
    re_path(rf"^issues/{DATE}/pdf/$", views.issue_download, {"kind": "pdf"}, name="issue_pdf"),
    re_path(rf"^issues/{DATE}/wechat/$", views.issue_download, {"kind": "wechat"}, name="issue_wechat"),
    # The QR codes of the WeChat article, as PNG (publishing.render.context.qr_png_url): a signed token, no text.
    re_path(
        r"^qr/(?P<token>[-A-Za-z0-9_]{1,2000}\.[-A-Za-z0-9_]{20,100})\.png$", views.qr_code_png, name="qr_png"
    ),
    path("topics/", views.topic_index, name="topics"),
    re_path(r"^topics/(?P<slug>[-\w]{1,80})/$", views.topic_detail, name="topic"),
    path("sources/", views.source_index, name="sources"),
    re_path(r"^sources/(?P<slug>[-\w]{1,200})/$", views.source_detail, name="source"),
    path("search/", views.search_view, name="search"),
    path("feed/", cached_page(LatestIssuesFeed()), name="feed"),
    path("feed/atom/", cached_page(LatestIssuesAtomFeed()), name="feed_atom"),
    path("sitemap.xml", cached_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]

# The benchmark's ceiling (bench/archive.py): a fixed page through the whole middleware stack, no database.
if env_bool("XINZHI_BENCH", False):
    urlpatterns.append(path("bench/ceiling/", views.bench_ceiling, name="bench_ceiling"))
