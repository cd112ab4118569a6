from __future__ import annotations


class ActionRefused(Exception):
    """A domain rule refused a write. `message` is shown to the user as is (translated);
    `field` names the form/API field it belongs to, if any."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "refused"):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code
