"""OutboxMessage.payload (the webhook body, with the patient's national id, name and
contact details) encrypted at rest (issue #11).

The column becomes plain TEXT (PostgreSQL: jsonb::text), the rows are encrypted in batches,
then the field becomes encrypted JSON. Backwards decrypts and turns the column back into
JSON (needs the keys that encrypted).
"""

from django.db import migrations, models

import kvitt.core.fieldcrypto


def _convert(apps, change):
    from kvitt.core import fieldcrypto

    fieldcrypto.convert_stored_values(apps.get_model("booking", "OutboxMessage"), ["payload"], change)


def encrypt_payloads(apps, schema_editor):
    from kvitt.core import fieldcrypto

    _convert(apps, fieldcrypto.encrypt_stored)


def decrypt_payloads(apps, schema_editor):
    from kvitt.core import fieldcrypto

    _convert(apps, fieldcrypto.decrypt_stored)


class Migration(migrations.Migration):

    dependencies = [("booking", "0002_slot_status_start")]

    operations = [
        migrations.AlterField(model_name="outboxmessage", name="payload", field=models.TextField()),
        migrations.RunPython(encrypt_payloads, decrypt_payloads, elidable=False),
        migrations.AlterField(
            model_name="outboxmessage", name="payload", field=kvitt.core.fieldcrypto.EncryptedJSONField()
        ),
    ]
