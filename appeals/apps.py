from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Timeline labels for the events appeals/actions.py writes ("<actor> <label>", subject "round:<n>").
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
}


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        from coalition.timeline import register_verbs

        register_verbs(VERB_LABELS)
        from appeals import packets  # noqa: F401  (registers the packet verbs)

        # The rounds section of the grievance page (coalition never imports appeals).
        from appeals.views import register_grievance_sections

        register_grievance_sections()
