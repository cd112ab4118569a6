"""The embedded default used by `make run`."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# Emails to sellers wait for 09:00 in their time zone when they fall due at night — except here:
# someone trying Coalition with `make run` reads every email in var/mail/ at once.
OUTBOX_DAYTIME_HOLD = env.bool("OUTBOX_DAYTIME_HOLD", default=False)
