"""Hearing the platform: replies to the emails Coalition sends come back into their round.

- `parsing` turns one raw message into plain values (addresses, text, attachments, whether it is an
  auto-reply, what was wrong with it); it is pure and never raises, whatever bytes arrive.
- `rules` ties a message to its round (plus-address token, case reference) and suggests a
  classification from plain English and Chinese phrases; pure too.
- `sources` lists new messages from an IMAP mailbox or, for the embedded default, from a local
  folder (`var/inbox/`), and takes a message out of the way only once the caller has committed it.
"""
