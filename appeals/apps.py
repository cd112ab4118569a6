from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Timeline labels for the events the actions write ("<actor> <label>", subject "round:<n>").
VERB_LABELS = {
    "round.drafted": _("drafted an appeal round"),
    "round.edited": _("edited an appeal round"),
    "round.letter_regenerated": _("re-drafted the letter of an appeal round"),
    "round.signing_opened": _("opened an appeal round for signing"),
    "round.signing_closed": _("closed signing of an appeal round"),
    "round.signed": _("co-signed an appeal round"),
    "round.signature_withdrawn": _("withdrew their signature from an appeal round"),
    "round.submitted": _("submitted an appeal round to the platform"),
    "round.response_recorded": _("recorded the platform's response to an appeal round"),
    "round.information_sent": _("sent the information the platform asked for"),
    "round.withdrawn": _("withdrew an appeal round"),
    "submission.logged": _("logged their own appeal to the platform"),
    "submission.updated": _("updated their own appeal's details"),
    "submission.outcome_reported": _("reported the outcome of their own appeal"),
    "round.packet_evidence_selected": _("chose the evidence for an appeal round's packet"),
    "round.packet_recorded": _("recorded the fingerprint of an appeal round's packet"),
    "grievance.announced": _("wrote an announcement to the members"),
    "round.reminder_requested": _("asked to remind the members who have not signed yet"),
    "ladder.climbed": _("took the grievance to the next step of the escalation ladder"),
}
# What the follow-up jobs record (actor: the system).
JOB_VERB_LABELS = {
    "round.reminded_to_sign": _("reminded members who had not signed yet"),
    "round.reminded_to_file": _("reminded signers to file their own appeals"),
    "round.chased": _("chased the platform for an answer"),
    "round.chase_due": _("reminded the organisers to chase the platform"),
    "round.overdue": _("noted that the platform's answer is overdue"),
    "round.very_overdue": _("noted that the platform's answer is very overdue"),
    "round.next_round_prompted": _("asked the organisers to prepare the next round"),
    "round.next_round_drafted": _("drafted the next round for the organisers to review"),
    "submission.outcome_asked": _("asked a member how their own appeal ended"),
    "round.members_summoned": _("summoned the members to sign an appeal round"),
    "round.members_informed": _("told the members what the platform answered"),
}
# Downloads are recorded but kept off the grievance's shared timeline.
PRIVATE_VERB_LABELS = {
    "round.packet_downloaded": _("downloaded an appeal round's packet"),
    "membership.case_packet_downloaded": _("downloaded their case packet"),
}


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        # Start-up wiring, in Django's hook for it (apps are loaded by now): coalition never
        # imports appeals, so appeals plugs itself into coalition's registries and mail port.
        from appeals.actions.inbound import INBOUND_VERB_LABELS
        from appeals.actions.operations import OPERATIONS_VERB_LABELS
        from appeals.actions.organising import ORGANISING_VERB_LABELS
        from appeals.outbox import service as outbox
        from appeals.views.sections import register_grievance_sections
        from coalition.mail import plug_in
        from coalition.rules.verbs import register_verbs

        register_verbs(VERB_LABELS)
        register_verbs(JOB_VERB_LABELS)
        register_verbs(PRIVATE_VERB_LABELS, private=True)
        register_verbs(ORGANISING_VERB_LABELS)
        register_verbs(INBOUND_VERB_LABELS, private=True)
        register_verbs(OPERATIONS_VERB_LABELS, private=True)
        # Every email of the project becomes an outbox row (docs/outbox.md).
        plug_in(outbox)
        # The rounds section of the grievance page.
        register_grievance_sections()
