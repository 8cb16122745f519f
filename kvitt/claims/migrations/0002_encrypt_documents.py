"""InboundInvoice.original and InboundInvoice.document encrypted at rest (issue #11 point 5).

Both hold the received EHF with the patient's national id (the PatientId line property). The
columns keep their type (BLOB/bytea); the rows are encrypted in batches while the fields are
still plain, then the fields become encrypted. ``sha256`` (of the untouched original) is not
touched: the field reads back the identical bytes. Backwards decrypts (needs the keys that
encrypted). NoticeOutbox.payload stays plain: the Invoice Response carries no patient identity.
"""

from django.db import migrations

import kvitt.core.fieldcrypto

DOCUMENTS = [("InboundInvoice", ["original", "document"])]


def _convert(apps, change):
    from kvitt.core import fieldcrypto

    for model_name, field_names in DOCUMENTS:
        fieldcrypto.convert_stored_values(apps.get_model("claims", model_name), field_names, change)


def encrypt_documents(apps, schema_editor):
    from kvitt.core import fieldcrypto

    _convert(apps, fieldcrypto.encrypt_stored)


def decrypt_documents(apps, schema_editor):
    from kvitt.core import fieldcrypto

    _convert(apps, fieldcrypto.decrypt_stored)


class Migration(migrations.Migration):

    dependencies = [("claims", "0001_initial")]

    operations = [
        migrations.RunPython(encrypt_documents, decrypt_documents, elidable=False),
        migrations.AlterField(
            model_name="inboundinvoice",
            name="original",
            field=kvitt.core.fieldcrypto.EncryptedBinaryField(help_text="The bytes as received (SBDH envelope or bare UBL)"),
        ),
        migrations.AlterField(
            model_name="inboundinvoice",
            name="document",
            field=kvitt.core.fieldcrypto.EncryptedBinaryField(help_text="The UBL document inside"),
        ),
    ]
