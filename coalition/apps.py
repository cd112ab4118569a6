from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoalitionConfig(AppConfig):
    name = "coalition"
    verbose_name = _("Coalition")

    def ready(self) -> None:
        # Imported here, not at the top: the app registry must be ready before views and models load.
        from coalition.pages import evidence, reports
        from coalition.pages.sections import register_grievance_section
        from coalition.rules.verbs import EVIDENCE_VERBS, REPORT_VERBS, register_verbs

        # The timeline's labels for evidence (the private custody log) and for reports.
        register_verbs(EVIDENCE_VERBS, private=True)
        register_verbs(REPORT_VERBS)
        # The evidence checklist with done / missing per kind replaces the plain list of kinds.
        register_grievance_section(
            "coalition/evidence/_section.html",
            evidence.grievance_section,
            order=20,
            slot="side",
            replaces="checklist",
        )
        # Counterfeit grievances: confirmed listings, "report a listing", coupons left.
        register_grievance_section(
            "coalition/reports/_grievance_section.html", reports.grievance_section, order=40
        )
