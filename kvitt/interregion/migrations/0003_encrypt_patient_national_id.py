"""ClaimLine.patient_national_id encrypted at rest; RegionLink key paths validated as paths.

As in ledger 0002: the column becomes plain TEXT, the rows are encrypted in batches, then
the field becomes encrypted. Backwards decrypts (needs the keys that encrypted).
"""

from django.db import migrations, models

import kvitt.core.fieldcrypto
import kvitt.core.secretfiles

BATCH = 500


def _convert(apps, change):
    ClaimLine = apps.get_model("interregion", "ClaimLine")
    batch = []
    for line in ClaimLine.objects.only("pk", "patient_national_id").order_by("pk").iterator(chunk_size=BATCH):
        if not line.patient_national_id:
            continue
        line.patient_national_id = change(line)
        batch.append(line)
        if len(batch) == BATCH:
            ClaimLine.objects.bulk_update(batch, ["patient_national_id"])
            batch = []
    ClaimLine.objects.bulk_update(batch, ["patient_national_id"])


def encrypt_lines(apps, schema_editor):
    from kvitt.core import fieldcrypto

    _convert(apps, lambda line: fieldcrypto.encrypt(line.patient_national_id))


def decrypt_lines(apps, schema_editor):
    from kvitt.core import fieldcrypto

    _convert(apps, lambda line: fieldcrypto.decrypt(
        line.patient_national_id, where=f"interregion.ClaimLine.patient_national_id of row {line.pk}"))


class Migration(migrations.Migration):

    dependencies = [("interregion", "0002_region_directory")]

    operations = [
        migrations.AlterField(model_name="claimline", name="patient_national_id", field=models.TextField()),
        migrations.RunPython(encrypt_lines, decrypt_lines, elidable=False),
        migrations.AlterField(
            model_name="claimline",
            name="patient_national_id",
            field=kvitt.core.fieldcrypto.EncryptedCharField(max_length=20),
        ),
        migrations.AlterField(
            model_name="regionlink",
            name="ca_file",
            field=models.CharField(max_length=300, validators=[kvitt.core.secretfiles.validate_key_path]),
        ),
        migrations.AlterField(
            model_name="regionlink",
            name="cert_file",
            field=models.CharField(max_length=300, validators=[kvitt.core.secretfiles.validate_key_path]),
        ),
        migrations.AlterField(
            model_name="regionlink",
            name="key_file",
            field=models.CharField(max_length=300, validators=[kvitt.core.secretfiles.validate_key_path]),
        ),
    ]
