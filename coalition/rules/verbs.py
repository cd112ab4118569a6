"""The timeline's verbs and how they read ("joined", "brought evidence"). Appeals registers its
own labels here at start-up; coalition registers its evidence and report verbs from
CoalitionConfig.ready(). No model imports: describe() takes any object with a `verb`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

VERB_LABELS: dict[str, Any] = {
    "grievance.created": _("registered the grievance"),
    "grievance.edited": _("edited the grievance"),
    "grievance.hidden": _("hid the grievance"),
    "grievance.unhidden": _("made the grievance visible again"),
    "grievance.state_changed": _("changed the grievance's state"),
    "grievance.merged_into": _("merged this grievance into another"),
    "grievance.merged_from": _("merged another grievance into this one"),
    "membership.joined": _("joined"),
    "membership.rejoined": _("joined again"),
    "membership.updated": _("updated their case details"),
    "membership.left": _("left"),
    "membership.verified": _("verified a member"),
    "membership.promoted": _("made a member co-organiser"),
    "membership.stepped_down": _("stepped down as organiser"),
    "membership.bulk_verified": _("verified members"),
    "export.members": _("exported the member list"),
    "export.signers": _("exported the signers of an appeal round"),
    "export.outcomes": _("exported the outcomes of members' own appeals"),
}


# The evidence custody log: registered as private (below), because it belongs to the evidence
# page (owner and organisers), not the public timeline: views and downloads would flood it, and
# file names are private.
EVIDENCE_VERBS: dict[str, Any] = {
    "evidence.uploaded": _("brought evidence"),
    "evidence.viewed": _("viewed evidence"),
    "evidence.downloaded": _("downloaded evidence"),
    "evidence.withdrawn": _("withdrew evidence"),
    "evidence.visibility_changed": _("changed who can see evidence"),
}
CUSTODY_VERBS = frozenset(EVIDENCE_VERBS)

# Reports, coupons and health checks.
REPORT_VERBS: dict[str, Any] = {
    "report.received": _("received an infringement report"),
    "report.confirmed": _("confirmed an infringement report"),
    "report.rejected": _("rejected an infringement report"),
    "coupons.offered": _("offered coupon rewards for watchers"),
    "coupons.withdrawn": _("withdrew a coupon offer"),
    "coupon.issued": _("sent a watcher a coupon"),
    "health.recorded": _("saved a store health check"),
    "health.deleted": _("deleted a store health check"),
}


# Verbs kept off the grievance's shared timeline: the evidence custody log (views, downloads, file
# names) is shown per file, to its owner and the organisers only.
PRIVATE_VERBS: set[str] = set()


def register_verbs(labels: dict[str, Any], *, private: bool = False) -> None:
    VERB_LABELS.update(labels)
    if private:
        PRIVATE_VERBS.update(labels)


def describe(event: Any) -> str:
    return str(VERB_LABELS.get(event.verb, event.verb))


# What the timeline can be filtered by: a verb's kind is the part before the dot.
VERB_KINDS: dict[str, Any] = {
    "grievance": _("The grievance"),
    "membership": _("Members"),
    "round": _("Rounds"),
    "submission": _("Members' own appeals"),
    "report": _("Reports"),
    "export": _("Exports"),
}


def kind_of(verb: str) -> str:
    return verb.split(".", 1)[0]


def round_number(subject: str) -> int | None:
    """The round an event is about: rounds' events carry the subject "round:<n>"."""
    prefix, _sep, rest = subject.partition(":")
    if prefix == "round" and rest.isdigit():
        return int(rest)
    return None
