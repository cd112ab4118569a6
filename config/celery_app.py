from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("coalition")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks that live beside their service rather than in an app's tasks.py (the task names are
# explicit, so the beat schedule and queued messages do not depend on where they live).
app.autodiscover_tasks(["appeals.outbox", "appeals.dispatch", "appeals.inbound"])
