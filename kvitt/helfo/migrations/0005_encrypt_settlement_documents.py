"""Settlement.bkm_json and Settlement.signed_xml (the BKM as sent, patients' fødselsnummer
inside) encrypted at rest (issue #11).

The columns stay TEXT; the rows are encrypted in batches while the fields are still plain,
then the fields become encrypted. Backwards decrypts (needs the keys that encrypted).
"""

from django.db import migrations

import kvitt.core.fieldcrypto

FIELDS = ["bkm_json", "signed_xml"]


def _convert(apps, change):
    from kvitt.core import fieldcrypto

    fieldcrypto.convert_stored_values(apps.get_model("helfo", "Settlement"), FIELDS, change)


def encrypt_documents(apps, schema_editor):
    from kvitt.core import fieldcrypto

    _convert(apps, fieldcrypto.encrypt_stored)


def decrypt_documents(apps, schema_editor):
    from kvitt.core import fieldcrypto

    _convert(apps, fieldcrypto.decrypt_stored)


class Migration(migrations.Migration):

    dependencies = [("helfo", "0004_alter_settlement_status")]

    operations = [
        migrations.RunPython(encrypt_documents, decrypt_documents, elidable=False),
        migrations.AlterField(
            model_name="settlement", name="bkm_json", field=kvitt.core.fieldcrypto.EncryptedTextField(blank=True)
        ),
        migrations.AlterField(
            model_name="settlement", name="signed_xml", field=kvitt.core.fieldcrypto.EncryptedTextField(blank=True)
        ),
    ]
