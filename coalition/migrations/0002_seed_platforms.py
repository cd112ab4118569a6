"""Real marketplace profiles (docs/domain.md); the list lives in coalition/platform_profiles.py."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from coalition.platform_profiles import seed_platforms


def seed(apps, schema_editor):
    seed_platforms(apps.get_model("coalition", "Platform"))


class Migration(migrations.Migration):
    dependencies = [("coalition", "0001_initial")]

    operations = [
        TrigramExtension(),  # no-op outside PostgreSQL
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
