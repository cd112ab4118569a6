"""Grievance categories and the evidence each one needs (docs/domain.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    IP_CLAIM_AGAINST_SELLER = "ip_claim_against_seller", _("Wrongful IP claim against sellers")
    COUNTERFEIT_INFRINGER = "counterfeit_infringer", _("Counterfeiters infringing our IP")
    REFUND_DISPUTE = "refund_dispute", _("Unjust refunds")
    FUNDS_WITHHELD = "funds_withheld", _("Funds withheld")
    DUPLICATE_LISTING = "duplicate_listing", _("Duplicate listing suspension")
    ACCOUNT_LINKING = "account_linking", _("Linked-account suspension")
    FULFILMENT_PERFORMANCE = "fulfilment_performance", _("Fulfilment performance suspension")
    OFF_PLATFORM = "off_platform", _("Off-platform steering accusation")
    MISLEADING_AUTHORIZATION = "misleading_authorization", _("Brand authorisation dispute")
    POLICY_CHANGE = "policy_change", _("Unfair policy change")
    OTHER = "other", _("Something else")


class EvidenceKind(models.TextChoices):
    ORDER_RECORD = "order_record", _("Order record")
    CHAT_LOG = "chat_log", _("Chat log with the buyer")
    SCREENSHOT = "screenshot", _("Screenshot")
    IP_CERTIFICATE = "ip_certificate", _("IP registration certificate")
    INVOICE = "invoice", _("Supplier invoice")
    TRACKING = "tracking", _("Tracking with proof of delivery")
    AUTHORISATION_LETTER = "authorisation_letter", _("Licence or authorisation letter")
    PLATFORM_NOTICE = "platform_notice", _("Platform notice")
    SETTLEMENT_REPORT = "settlement_report", _("Settlement report")
    DESIGN_FILE = "design_file", _("Dated design files")
    OTHER = "other", _("Other")


K = EvidenceKind
CHECKLISTS: dict[str, tuple[str, ...]] = {
    Category.IP_CLAIM_AGAINST_SELLER: (
        K.IP_CERTIFICATE,
        K.AUTHORISATION_LETTER,
        K.DESIGN_FILE,
        K.PLATFORM_NOTICE,
    ),
    Category.COUNTERFEIT_INFRINGER: (K.IP_CERTIFICATE, K.SCREENSHOT, K.DESIGN_FILE),
    Category.REFUND_DISPUTE: (K.ORDER_RECORD, K.CHAT_LOG, K.TRACKING),
    Category.FUNDS_WITHHELD: (K.SETTLEMENT_REPORT, K.PLATFORM_NOTICE),
    Category.DUPLICATE_LISTING: (K.PLATFORM_NOTICE, K.SCREENSHOT),
    Category.ACCOUNT_LINKING: (K.PLATFORM_NOTICE, K.INVOICE),
    Category.FULFILMENT_PERFORMANCE: (K.ORDER_RECORD, K.TRACKING, K.PLATFORM_NOTICE),
    Category.OFF_PLATFORM: (K.CHAT_LOG, K.PLATFORM_NOTICE),
    Category.MISLEADING_AUTHORIZATION: (K.AUTHORISATION_LETTER, K.INVOICE, K.PLATFORM_NOTICE),
    Category.POLICY_CHANGE: (K.PLATFORM_NOTICE, K.SETTLEMENT_REPORT),
    Category.OTHER: (K.PLATFORM_NOTICE,),
}


def checklist_for(category: str) -> list[tuple[str, str]]:
    """The (kind, label) pairs a grievance of this category should collect."""
    return [(kind, EvidenceKind(kind).label) for kind in CHECKLISTS.get(category, ())]
