"""The appeals API, one module per resource with its serializers: rounds (with signatures,
submissions and responses as actions on a round), the organiser's board, and "my cases". The
viewsets are registered in config/api_router.py."""
