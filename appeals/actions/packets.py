"""What is written about packets: the evidence organisers choose for a round's packet, the packet's
fingerprint fixed at submission (with its bytes kept for the email that carries it), and who
downloaded which packet. Building the ZIP itself is read-only (appeals/documents/packets.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from appeals.actions._common import event, lock, require_organiser
from appeals.documents import packets, storage
from appeals.models import Appeal
from coalition.actions.timeline import record_event
from coalition.errors import ActionRefused
from coalition.models import Evidence, Membership


def record_packet_hash(appeal: Appeal, *, actor=None) -> str:
    """Build the round's packet — once — and keep its SHA-256 on the round. Call it from the
    submit action (inside its transaction, after the state change), manual or automatic. A packet
    that cannot be built refuses the submission with the reason (PacketError is an ActionRefused).

    A round that goes by email also keeps the packet's bytes under that fingerprint when they are
    small enough to attach, so the outbox attaches exactly these bytes (appeals/documents/storage.py)."""
    path, sha256 = packets.build_round_packet(appeal)
    try:
        emailed = appeal.channel == Appeal.Channel.EMAIL
        if emailed and path.stat().st_size <= storage.email_limit():
            storage.keep(path, sha256)
    finally:
        path.unlink(missing_ok=True)
    with transaction.atomic():
        appeal.packet_sha256 = sha256
        appeal.save(update_fields=["packet_sha256", "updated_at"])
        event(appeal, "round.packet_recorded", actor, sha256=sha256)
    return sha256


@transaction.atomic
def select_packet_evidence(appeal: Appeal, evidence_ids: Iterable[int], *, actor) -> Appeal:
    """Organisers choose which files go into the round's packet, until the round is submitted."""
    appeal = lock(appeal)
    require_organiser(appeal.grievance, actor)
    if appeal.state not in packets.SELECTABLE_STATES:
        raise ActionRefused(
            _("This round was sent; its packet can no longer change."), field="evidence"
        )
    wanted = {int(pk) for pk in evidence_ids}
    live = Evidence.objects.filter(
        grievance_id=appeal.grievance_id, withdrawn_at__isnull=True, pk__in=wanted
    )
    found = set(live.values_list("pk", flat=True))
    if found != wanted:
        raise ActionRefused(
            _("Choose files of this grievance that have not been withdrawn."), field="evidence"
        )
    current = set(appeal.packet_evidence.values_list("pk", flat=True))
    added, removed = sorted(found - current), sorted(current - found)
    if added or removed:
        appeal.packet_evidence.remove(*removed)
        appeal.packet_evidence.add(*added)
        event(
            appeal,
            "round.packet_evidence_selected",
            actor,
            added=added,
            removed=removed,
            count=len(found),
        )
    return appeal


def record_packet_download(appeal: Appeal, *, actor, sha256: str, via: str = "page") -> None:
    with transaction.atomic():
        event(
            appeal,
            "round.packet_downloaded",
            actor,
            sha256=sha256,
            via=via,
            evidence=[e.pk for e in packets.packet_evidence(appeal)],
        )


def record_case_packet_download(membership: Membership, *, actor, sha256: str) -> None:
    with transaction.atomic():
        record_event(
            membership.grievance,
            "membership.case_packet_downloaded",
            actor=actor,
            subject=f"membership:{membership.pk}",
            sha256=sha256,
        )
