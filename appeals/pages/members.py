"""View-model of the member list organisers work through: one page of members with what each did
in the rounds."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page

from appeals.queries.members import round_activity
from coalition.models import Membership

PAGE_SIZE = 50


@dataclass
class MemberRow:
    membership: Membership
    signed_rounds: list[int] = field(default_factory=list)
    filed: bool = False


def member_rows(page: Page) -> list[MemberRow]:
    members = list(page.object_list)
    signed, filed = round_activity([m.pk for m in members])
    return [MemberRow(m, signed.get(m.pk, []), m.pk in filed) for m in members]
