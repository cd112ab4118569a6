"""The coalition API, one module per domain (serializers and viewsets together), registered on
the project's one router in config/api_router.py. Querysets are scoped to what the caller may
see (a 404 otherwise), input serializers only validate, and every write is a coalition action
whose refusals the exception handler (coalition/api/errors.py) turns into 400 JSON."""
