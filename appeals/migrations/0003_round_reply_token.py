import secrets

from django.db import migrations, models

import appeals.models.rounds


def fill_tokens(apps, schema_editor):
    Appeal = apps.get_model("appeals", "Appeal")
    for appeal in Appeal.objects.filter(reply_token__isnull=True).only("pk"):
        Appeal.objects.filter(pk=appeal.pk).update(reply_token=secrets.token_hex(10))


class Migration(migrations.Migration):
    dependencies = [("appeals", "0002_packet_evidence")]

    operations = [
        migrations.AddField(
            model_name="appeal",
            name="reply_token",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="appeal",
            name="reply_token",
            field=models.CharField(
                default=appeals.models.rounds.new_reply_token,
                editable=False,
                max_length=32,
                unique=True,
            ),
        ),
    ]
