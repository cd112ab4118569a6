"""The dispatcher (docs/domain.md "Follow-ups and reminders"): `service` claims due follow-ups and
runs each once through appeals/jobs.py; `tasks` are the beat's Celery tasks, beside it."""
