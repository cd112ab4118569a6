"""An organiser's iCalendar feed: the signing deadlines, the platform's response due dates and
the ladder's windows (open legal windows, escalation decisions due) of the grievances they
organise, for a calendar app to subscribe to."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from appeals.models import Appeal, Climb
from appeals.pages.rounds import round_url
from appeals.queries.clocks import legal_windows_for
from appeals.queries.rounds import organised_grievances

S = Appeal.State
PRODID = "-//Coalition//Organiser calendar//EN"


def feed_ics(user, request: HttpRequest | None = None) -> bytes:
    """The feed as bytes: one event per date, each with a stable UID so a calendar app updates
    an event in place when a date moves."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Coalition: rounds and deadlines"))
    grievances = [g for g in organised_grievances(user) if g.state == g.State.OPEN]
    ids = [g.pk for g in grievances]
    stamp = timezone.now()
    rounds = Appeal.objects.filter(grievance__in=ids).select_related("grievance__platform")
    for appeal in rounds.order_by("grievance_id", "number"):
        for event in _round_events(appeal, request):
            cal.add_component(_stamped(event, stamp))
    today = timezone.localdate()
    for grievance in grievances:
        for window in legal_windows_for(grievance):
            if window.closes >= today:
                cal.add_component(_stamped(_window_event(grievance, window), stamp))
    climbs = Climb.objects.filter(grievance__in=ids, state=Climb.State.OPEN).select_related(
        "grievance"
    )
    for climb in climbs:
        if climb.decision_due:
            cal.add_component(_stamped(_climb_event(climb), stamp))
    return cal.to_ical()


def _stamped(event: Event, stamp: datetime) -> Event:
    event.add("dtstamp", stamp)
    return event


def _url(appeal: Appeal, request: HttpRequest | None) -> str:
    url = round_url(appeal)
    return request.build_absolute_uri(url) if request is not None else url


def _round_events(appeal: Appeal, request: HttpRequest | None) -> list[Event]:
    events = []
    title = appeal.grievance.title
    if appeal.state == S.SIGNING and appeal.signing_deadline:
        summary = _("Signing closes: round %(n)s of “%(title)s”") % {
            "n": appeal.number,
            "title": title,
        }
        events.append(_moment(f"signing-{appeal.pk}", summary, appeal.signing_deadline))
    if appeal.state == S.SUBMITTED and appeal.response_due_at:
        summary = _("%(platform)s's answer due: round %(n)s of “%(title)s”") % {
            "platform": appeal.grievance.platform.name,
            "n": appeal.number,
            "title": title,
        }
        events.append(_moment(f"response-{appeal.pk}", summary, appeal.response_due_at))
    for event in events:
        event.add("url", _url(appeal, request))
    return events


def _moment(key: str, summary: str, when: datetime) -> Event:
    event = Event()
    event.add("uid", f"{key}@coalition")
    event.add("summary", summary)
    event.add("dtstart", when)
    event.add("dtend", when + timedelta(minutes=30))
    return event


def _day(key: str, summary: str, day: date) -> Event:
    event = Event()
    event.add("uid", f"{key}@coalition")
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    return event


def _window_event(grievance, window) -> Event:
    summary = _("Window closes: %(label)s (“%(title)s”)") % {
        "label": window.label,
        "title": grievance.title,
    }
    return _day(f"window-{grievance.pk}-{window.key}", summary, window.closes)


def _climb_event(climb: Climb) -> Event:
    summary = _("Decision due: %(rung)s (“%(title)s”)") % {
        "rung": climb.get_rung_display(),
        "title": climb.grievance.title,
    }
    return _day(f"climb-{climb.pk}", summary, climb.decision_due)
