"""Every write of the appeals app, one module per domain (docs/architecture.md):

- drafting: draft a round, edit it, re-draft its letter, withdraw it;
- signing: open and close signing, sign, withdraw a signature;
- submitting: mark a round submitted (and email it to the platform when it goes by email);
- responses: record what the platform said, mark requested information as sent;
- member_cases: members log their own portal appeals and report how they ended;
- packets: choose a round's evidence, fix its packet's fingerprint, record downloads;
- notifications: unsubscribe and resubscribe;
- organising: remind chosen members, assign a round, organisers' notes, exports, calendar feeds;
- operations: staff cancel, reschedule or run follow-ups now, retry or suppress emails.

Each action takes the acting user keyword-only, runs in one transaction, locks the round row when
it changes the round's state, saves with update_fields, writes a timeline event with subject
"round:<n>", then tells appeals/schedule.py so reminders and chases follow the round.

`actor=None` means the system (a follow-up job: automatic submission, automatic next round). Views
and the API always pass `request.user`, so an anonymous visitor is refused, never mistaken for the
system. Member actions (sign, log a submission, report an outcome) need a real user.
"""
