"""The email outbox (docs/outbox.md): `service` writes, claims, sends and sweeps Notification rows
and implements coalition.mail's port; `tasks` are its Celery send tasks, beside it."""
