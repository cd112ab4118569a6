"""The dossier a rung of the ladder asks for: one ZIP with the latest round's packet and the
history of every round the platform received — each letter as sent (with its annex), each answer
— with a manifest and SHA256SUMS, built like the packets (appeals/documents/packets.py).

Organisers only: it holds the annex and the platform's answers (docs/privacy.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import timezone

from appeals.documents.letters import letter_with_annex, rounds_received_before
from appeals.documents.packets import PacketWriter, build_round_packet
from appeals.models import Appeal
from coalition.models import Grievance

DOSSIER_FORMAT = "coalition-dossier/1"


def sent_rounds(grievance: Grievance) -> list[Appeal]:
    return rounds_received_before(grievance, 10**9)


def history_text(rounds: list[Appeal]) -> str:
    """The rounds as the platform saw them, oldest first (English: the platform's language)."""
    lines = []
    for seen, appeal in enumerate(rounds, start=1):
        sent = timezone.localtime(appeal.submitted_at).date().isoformat()
        outcome = appeal.outcome or (
            "information requested" if appeal.state == "info_requested" else "no decision"
        )
        lines.append(
            f"Round {seen}: submitted {sent} by {appeal.channel}; "
            f"case reference {appeal.case_reference or '-'}; outcome {outcome}"
        )
        for response in appeal.responses.order_by("received_at", "pk"):
            received = timezone.localtime(response.received_at).date().isoformat()
            lines.append(f"  {received} answer ({response.classification or 'unclassified'})")
    return "\n".join(lines) + "\n"


def build_dossier(grievance: Grievance) -> tuple[Path, str]:
    """(path of a temporary ZIP, its SHA-256). The caller deletes the file."""
    rounds = sent_rounds(grievance)
    writer = PacketWriter()
    try:
        head = _fill(writer, grievance, rounds)
        return writer.finish(head)
    except BaseException:
        writer.discard()
        raise


def _fill(writer: PacketWriter, grievance: Grievance, rounds: list[Appeal]) -> dict[str, Any]:
    writer.add_bytes("history.txt", history_text(rounds).encode(), kind="history")
    history = []
    for seen, appeal in enumerate(rounds, start=1):
        folder = f"rounds/{seen:02d}"
        writer.add_bytes(
            f"{folder}/letter.txt", letter_with_annex(appeal).encode(), kind="letter", round=seen
        )
        answers = "\n\n".join(
            f"{r.received_at.isoformat()} ({r.classification or 'unclassified'})\n{r.text}"
            for r in appeal.responses.order_by("received_at", "pk")
        )
        if answers:
            writer.add_bytes(f"{folder}/answers.txt", answers.encode(), kind="answers", round=seen)
        history.append(
            {
                "round": seen,
                "submitted_at": appeal.submitted_at.isoformat(),
                "channel": appeal.channel,
                "case_reference": appeal.case_reference,
                "outcome": appeal.outcome,
                "state": appeal.state,
            }
        )
    if rounds:
        path, sha = build_round_packet(rounds[-1])
        try:
            writer.add_bytes(
                f"packet-round-{len(rounds):02d}.zip",
                path.read_bytes(),
                kind="round_packet",
                packet_sha256=sha,
            )
        finally:
            path.unlink(missing_ok=True)
    return {
        "format": DOSSIER_FORMAT,
        "grievance": {
            "id": grievance.pk,
            "title": grievance.title,
            "platform": grievance.platform.name,
            "category": grievance.category,
            "rung": grievance.rung,
            "legal_regimes": list(grievance.platform.legal_regimes or []),
        },
        "rounds": history,
    }


def dossier_filename(grievance: Grievance) -> str:
    return f"coalition-dossier-{grievance.pk}.zip"
