from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoalitionConfig(AppConfig):
    name = "coalition"
    verbose_name = _("Coalition")

    def ready(self) -> None:
        # Registers the evidence verbs' timeline labels before any timeline is shown.
        from coalition import evidence, reports  # noqa: F401  (timeline labels)
        from coalition.evidence_views import grievance_section
        from coalition.reports_views import grievance_section as reports_section
        from coalition.views import register_grievance_section

        # The evidence checklist with done / missing per kind replaces the plain list of kinds.
        register_grievance_section(
            "coalition/evidence/_section.html",
            grievance_section,
            order=20,
            slot="side",
            replaces="checklist",
        )
        # Counterfeit grievances: confirmed listings, "report a listing", coupons left.
        register_grievance_section(
            "coalition/reports/_grievance_section.html", reports_section, order=40
        )
