"""Files members bring to a grievance (docs/domain.md, evidence)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coalition.categories import EvidenceKind
from coalition.models.grievances import Grievance, Membership


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name never comes from the uploader: a random id under the grievance's folder.
    return f"evidence/{instance.grievance_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file a member brings. Never served from a public URL; every view and download is logged
    (AuditEvent with subject "evidence:<id>"). Withdrawing deletes the file but keeps the row."""

    class Visibility(models.TextChoices):
        ORGANISERS = "organisers", _("Organisers only")
        MEMBERS = "members", _("All members")

    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="evidence")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=24, choices=EvidenceKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    file = models.FileField(upload_to=evidence_path, max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    redacted_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="redacted_copies",
        verbose_name=_("redacted copy of"),
    )
    visibility = models.CharField(
        _("who can see it"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.ORGANISERS,
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            # The same file twice in one grievance is recognised, not stored twice.
            models.UniqueConstraint(
                fields=["grievance", "sha256"],
                condition=Q(withdrawn_at__isnull=True),
                name="evidence_unique_file_per_grievance",
            )
        ]
        indexes = [models.Index(fields=["grievance", "kind"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_kind_display()})"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
