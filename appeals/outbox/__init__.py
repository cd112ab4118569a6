"""The email outbox (docs/outbox.md): `service` writes, claims, sends and sweeps Notification rows
and implements coalition.mail's port; `smtp` speaks SMTP and classifies failures; `tasks` are its
Celery send tasks, beside it."""
