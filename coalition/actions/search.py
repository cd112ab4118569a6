"""Writing a grievance's stored search document, called by every grievance action that changes
what it is found by (create, edit, merge).

The document is its title's terms and, weighted lower, the terms of its summary, its demands and
the titles of the grievances merged into it, so a seller who types a merged duplicate's words
finds the coalition it joined. On PostgreSQL the database derives the tsvector from these
columns; on SQLite the FTS5 table gets a copy here (coalition/migrations/0008_grievance_search.py).
"""

from __future__ import annotations

from django.db import connection

from coalition.models import Grievance
from coalition.queries.search import FTS_TABLE
from coalition.rules.search import document


def index_grievance(grievance: Grievance) -> None:
    """Store the grievance's search document (no AuditEvent: it is derived, not a change)."""
    merged = Grievance.objects.filter(merged_into=grievance).values_list("title", flat=True)
    title = document(grievance.title)
    body = document(grievance.summary, grievance.demands, *merged)
    # update(), not save(): deriving the document is not an edit, so updated_at stays.
    Grievance.objects.filter(pk=grievance.pk).update(search_title=title, search_body=body)
    grievance.search_title, grievance.search_body = title, body
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT OR REPLACE INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",
                [grievance.pk, title, body],
            )
