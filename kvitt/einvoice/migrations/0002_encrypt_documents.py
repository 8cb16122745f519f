"""OutgoingInvoice.document_xml and DeliveryOutbox.envelope encrypted at rest (issue #11).

Both hold the patient's national id (the PatientId line property). The columns keep their
type (TEXT, BLOB/bytea); the rows are encrypted in batches while the fields are still plain,
then the fields become encrypted. Backwards decrypts (needs the keys that encrypted).
"""

from django.db import migrations

import kvitt.core.fieldcrypto

DOCUMENTS = [("OutgoingInvoice", ["document_xml"]), ("DeliveryOutbox", ["envelope"])]


def _convert(apps, change):
    from kvitt.core import fieldcrypto

    for model_name, field_names in DOCUMENTS:
        fieldcrypto.convert_stored_values(apps.get_model("einvoice", model_name), field_names, change)


def encrypt_documents(apps, schema_editor):
    from kvitt.core import fieldcrypto

    _convert(apps, fieldcrypto.encrypt_stored)


def decrypt_documents(apps, schema_editor):
    from kvitt.core import fieldcrypto

    _convert(apps, fieldcrypto.decrypt_stored)


class Migration(migrations.Migration):

    dependencies = [("einvoice", "0001_initial")]

    operations = [
        migrations.RunPython(encrypt_documents, decrypt_documents, elidable=False),
        migrations.AlterField(
            model_name="outgoinginvoice", name="document_xml", field=kvitt.core.fieldcrypto.EncryptedTextField()
        ),
        migrations.AlterField(
            model_name="deliveryoutbox", name="envelope", field=kvitt.core.fieldcrypto.EncryptedBinaryField()
        ),
    ]
