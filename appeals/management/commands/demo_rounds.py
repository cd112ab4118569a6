"""`manage.py demo_rounds`: the demo's appeal rounds, after `manage.py demo_data` (`make run` calls
both, in that order), loaded idempotently.

The appeals part of the demo lives here, not in coalition's demo_data, because coalition never
imports appeals (docs/architecture.md): this command reads the demo grievances coalition made and
adds, through appeals.actions as the site would, a round open for signing (the Amazon
linked-account coalition) and a submitted round with the platform's answer (the Wish payouts
coalition). A grievance that has any round already is left as it is.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from appeals.actions.drafting import draft_round
from appeals.actions.responses import record_response
from appeals.actions.signing import close_signing, open_signing, sign
from appeals.actions.submitting import submit_round
from appeals.models import Appeal, PlatformResponse
from coalition.management.commands.demo_data import GRIEVANCES
from coalition.models import Grievance, Membership

SIGNING_TITLE = "Amazon US linked-account suspensions of Shenzhen sellers"
ANSWERED_TITLE = "Wish withheld payouts after the 2026 policy change"
WISH_ANSWER = (
    "Thank you for contacting Wish Merchant Support. After review, the payout hold applied to "
    "your stores follows the updated Merchant Policy and remains in place for 90 days from "
    "delivery confirmation. We are unable to release these funds early."
)


class Command(BaseCommand):
    help = "Load the demo's appeal rounds (after demo_data; creates only what is missing)."

    def handle(self, *args, **options) -> None:
        titles = {spec.title for spec in GRIEVANCES}
        found = {
            g.title: g
            for g in Grievance.objects.filter(title__in=titles).select_related("platform")
        }
        missing = {SIGNING_TITLE, ANSWERED_TITLE} - found.keys()
        if missing:
            raise CommandError(f"Run `manage.py demo_data` first: {sorted(missing)} are missing.")
        made = []
        with transaction.atomic():
            if not found[ANSWERED_TITLE].rounds.exists():
                self._answered(found[ANSWERED_TITLE])
                made.append("a submitted round with its answer")
            if not found[SIGNING_TITLE].rounds.exists():
                self._signing(found[SIGNING_TITLE])
                made.append("a round open for signing")
        if made:
            self.stdout.write(f"Demo rounds: created {' and '.join(made)}.")
        else:
            self.stdout.write("Demo rounds: already loaded, nothing changed.")

    @staticmethod
    def _organiser(grievance: Grievance):
        return Membership.objects.organisers().get(grievance=grievance).seller.user

    @staticmethod
    def _sign_all(appeal: Appeal, grievance: Grievance, organiser, *, leave: str = "") -> None:
        members = Membership.objects.active().filter(grievance=grievance).select_related("seller")
        for m in members:
            if m.seller.user_id != organiser.pk and m.seller.user.email != leave:
                sign(appeal, actor=m.seller.user)

    def _signing(self, grievance: Grievance) -> None:
        organiser = self._organiser(grievance)
        appeal = draft_round(grievance, actor=organiser, signature_goal=5)
        appeal = open_signing(appeal, actor=organiser, deadline=timezone.now() + timedelta(days=10))
        # Mei (the demo's Chinese seller) is left to sign it herself, from "my cases" or the
        # summons in var/mail/.
        self._sign_all(appeal, grievance, organiser, leave="mei@demo.coalition.test")

    def _answered(self, grievance: Grievance) -> None:
        organiser = self._organiser(grievance)
        appeal = draft_round(grievance, actor=organiser, signature_goal=2)
        appeal = open_signing(appeal, actor=organiser)
        self._sign_all(appeal, grievance, organiser)
        appeal = close_signing(appeal, actor=organiser)
        now = timezone.now()
        appeal = submit_round(
            appeal,
            actor=organiser,
            case_reference="WISH-MS-2026-104387",
            submitted_at=now - timedelta(days=12),
        )
        record_response(
            appeal,
            actor=organiser,
            received_at=now - timedelta(days=3),
            channel=PlatformResponse.Channel.EMAIL,
            text=WISH_ANSWER,
            classification=PlatformResponse.Classification.REJECTED,
        )
