"""What is sent to the platform and what comes back, one module per domain: rounds and signatures
(rounds), members' own submissions (submissions), platform responses (responses), the mail that came back (inbound), the durable
schedule (schedule: FollowUp) and the email outbox (outbox: Notification, Unsubscribe).

Models hold data and its constraints only; every write goes through appeals/actions.
"""

from appeals.models.announcements import Announcement
from appeals.models.inbound import InboundAttachment, InboundMessage
from appeals.models.ladder import Climb
from appeals.models.organising import CalendarFeed, RoundAssignment, RoundNote
from appeals.models.outbox import Notification, Unsubscribe
from appeals.models.responses import PlatformResponse
from appeals.models.rounds import Appeal, Signature, SignatureQuerySet
from appeals.models.schedule import FollowUp
from appeals.models.submissions import Submission

__all__ = [
    "Announcement",
    "Appeal",
    "CalendarFeed",
    "Climb",
    "FollowUp",
    "InboundAttachment",
    "InboundMessage",
    "Notification",
    "PlatformResponse",
    "RoundAssignment",
    "RoundNote",
    "Signature",
    "SignatureQuerySet",
    "Submission",
    "Unsubscribe",
]
