"""Times no bulletin can have, stored before every date a user gives was range-checked (editorial.dates).

A publication time of 0001-01-01T08:00 in Asia/Shanghai was stored by PostgreSQL as a timestamp before year 1,
which Python cannot read ("DataError: timestamp too small"): the dashboard, the issue's pages, the admin lists
and every publication tick failed on that row. Rows are found and changed in SQL (reading them would fail):

- an approved issue's publish_at out of range goes back to the series' daily time on the issue's date (what
  approval gives), or to NULL when the issue's date is itself out of range: then the tick leaves it alone
  and an admin sets a time or publishes it now (both checked now);
- any other issue's publish_at and published_at out of range become NULL (a draft has no time yet; a
  published issue keeps published_at unless that is the impossible one);
- a review comment's resolved_at out of range becomes NULL: the comment shows as open again.

The bounds are a day wider than the years themselves, for time zones. Reversing it is a no-op.
"""

import datetime as dt
import zoneinfo

from django.db import migrations
from django.db.models import Q

LOW = dt.datetime(1999, 12, 31, tzinfo=dt.UTC)
HIGH = dt.datetime(2101, 1, 2, tzinfo=dt.UTC)
YEARS = range(2000, 2101)


def out_of_range(field: str) -> Q:
    return Q(**{f"{field}__lt": LOW}) | Q(**{f"{field}__gt": HIGH})


def clear(apps, schema_editor):
    Issue = apps.get_model("editorial", "Issue")
    ReviewComment = apps.get_model("editorial", "ReviewComment")
    bad = Issue.objects.filter(out_of_range("publish_at"))
    approved = bad.filter(state="approved").values_list(
        "pk", "date", "series__publish_time", "series__time_zone"
    )
    for pk, date, publish_time, time_zone in list(approved):
        when = None
        if date.year in YEARS:
            when = dt.datetime.combine(date, publish_time, tzinfo=zoneinfo.ZoneInfo(time_zone))
        Issue.objects.filter(pk=pk).update(publish_at=when)
    Issue.objects.filter(out_of_range("publish_at")).update(publish_at=None)
    Issue.objects.filter(out_of_range("published_at")).update(published_at=None)
    ReviewComment.objects.filter(out_of_range("resolved_at")).update(resolved_at=None)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0004_content_change")]

    operations = [migrations.RunPython(clear, migrations.RunPython.noop)]
