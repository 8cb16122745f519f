"""ClaimSpecification.request_xml (the basis, every patient's personnummer inside) encrypted
at rest (issue #11).

The column stays TEXT; the rows are encrypted in batches while the field is still plain,
then the field becomes encrypted. Backwards decrypts (needs the keys that encrypted).
"""

from django.db import migrations

import kvitt.core.fieldcrypto


def _convert(apps, change):
    from kvitt.core import fieldcrypto

    fieldcrypto.convert_stored_values(apps.get_model("interregion", "ClaimSpecification"), ["request_xml"], change)


def encrypt_requests(apps, schema_editor):
    from kvitt.core import fieldcrypto

    _convert(apps, fieldcrypto.encrypt_stored)


def decrypt_requests(apps, schema_editor):
    from kvitt.core import fieldcrypto

    _convert(apps, fieldcrypto.decrypt_stored)


class Migration(migrations.Migration):

    dependencies = [("interregion", "0003_encrypt_patient_national_id")]

    operations = [
        migrations.RunPython(encrypt_requests, decrypt_requests, elidable=False),
        migrations.AlterField(
            model_name="claimspecification", name="request_xml", field=kvitt.core.fieldcrypto.EncryptedTextField()
        ),
    ]
