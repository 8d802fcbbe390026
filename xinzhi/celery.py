import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinzhi.settings")

app = Celery("xinzhi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Exactly one beat runs these. The tasks catch up by themselves (everything due, every hour from the configured
# one), so a tick that could not run in time is dropped rather than piled up after downtime.
app.conf.beat_schedule = {
    "publication-tick": {
        "task": "publishing.publication_tick",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
    "wechat-publications": {
        "task": "publishing.poll_wechat_publications",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
    "next-draft": {
        "task": "publishing.create_next_draft",
        "schedule": crontab(minute=1),
        "options": {"expires": 3000},
    },
    "prune-login-records": {
        "task": "editorial.prune_login_records",
        "schedule": crontab(hour=4, minute=17),
        "options": {"expires": 3000},
    },
}
