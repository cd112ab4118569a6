"""The stored search document of a grievance (docs/architecture.md, "Search").

Two text columns hold its terms (coalition/rules/search.py). On PostgreSQL a generated, weighted
tsvector column with a GIN index and a pg_trgm GIN index on the title terms sit beside them; on
SQLite an FTS5 table (rowid = grievance id) holds a copy, written by coalition/actions/search.py.
No triggers: SQLite rebuilds a table on many later schema changes, which would drop them.
"""

from django.db import migrations, models

from coalition.rules.search import document

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE coalition_grievance ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', search_title), 'A')
        || setweight(to_tsvector('simple', search_body), 'B')
    ) STORED""",
    "CREATE INDEX coalition_grievance_search_gin ON coalition_grievance USING gin (search_vector)",
    "CREATE INDEX coalition_grievance_search_trgm ON coalition_grievance "
    "USING gin (search_title gin_trgm_ops)",
]
POSTGRES_UNDO = [
    "DROP INDEX IF EXISTS coalition_grievance_search_trgm",
    "DROP INDEX IF EXISTS coalition_grievance_search_gin",
    "ALTER TABLE coalition_grievance DROP COLUMN IF EXISTS search_vector",
]
SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS coalition_grievance_search "
    "USING fts5(title, body, tokenize = 'unicode61')",
]
SQLITE_UNDO = ["DROP TABLE IF EXISTS coalition_grievance_search"]


def run(schema_editor, statements):
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def create_index(apps, schema_editor):
    run(schema_editor, {"postgresql": POSTGRES, "sqlite": SQLITE})
    Grievance = apps.get_model("coalition", "Grievance")
    merged: dict[int, list[str]] = {}
    for into, title in Grievance.objects.filter(merged_into__isnull=False).values_list(
        "merged_into", "title"
    ):
        merged.setdefault(into, []).append(title)
    sqlite = schema_editor.connection.vendor == "sqlite"
    for g in Grievance.objects.only("pk", "title", "summary", "demands").iterator():
        title = document(g.title)
        body = document(g.summary, g.demands, *merged.get(g.pk, []))
        Grievance.objects.filter(pk=g.pk).update(search_title=title, search_body=body)
        if sqlite:
            schema_editor.execute(
                "INSERT OR REPLACE INTO coalition_grievance_search (rowid, title, body) "
                "VALUES (%s, %s, %s)",
                [g.pk, title, body],
            )


def drop_index(apps, schema_editor):
    run(schema_editor, {"postgresql": POSTGRES_UNDO, "sqlite": SQLITE_UNDO})


class Migration(migrations.Migration):
    dependencies = [
        ("coalition", "0007_legal_regimes"),
    ]

    operations = [
        migrations.AddField(
            model_name="grievance",
            name="search_body",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="grievance",
            name="search_title",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
