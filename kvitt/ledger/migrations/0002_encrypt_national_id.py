"""Patient.national_id encrypted at rest; uniqueness and lookups move to its keyed hash.

The column first becomes plain TEXT (a Fernet token does not fit in 13 characters), the
rows are encrypted and hashed in batches, and only then does the field become encrypted,
so the data step reads and writes raw column values. Reversible: backwards decrypts (with
the keys that encrypted, still in KVITT_FIELD_KEYS) and restores the 13-character column.
"""

from django.db import migrations, models

import kvitt.core.fieldcrypto

BATCH = 500


def encrypt_national_ids(apps, schema_editor):
    from kvitt.core import fieldcrypto

    Patient = apps.get_model("ledger", "Patient")
    batch = []
    for patient in Patient.objects.only("pk", "national_id").order_by("pk").iterator(chunk_size=BATCH):
        patient.national_id_hash = fieldcrypto.search_hash(patient.national_id)
        patient.national_id = fieldcrypto.encrypt(patient.national_id)
        batch.append(patient)
        if len(batch) == BATCH:
            Patient.objects.bulk_update(batch, ["national_id", "national_id_hash"])
            batch = []
    Patient.objects.bulk_update(batch, ["national_id", "national_id_hash"])


def decrypt_national_ids(apps, schema_editor):
    from kvitt.core import fieldcrypto

    Patient = apps.get_model("ledger", "Patient")
    batch = []
    for patient in Patient.objects.only("pk", "national_id").order_by("pk").iterator(chunk_size=BATCH):
        patient.national_id = fieldcrypto.decrypt(patient.national_id, where=f"ledger.Patient.national_id of row {patient.pk}")
        batch.append(patient)
        if len(batch) == BATCH:
            Patient.objects.bulk_update(batch, ["national_id"])
            batch = []
    Patient.objects.bulk_update(batch, ["national_id"])


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="patient", name="patient_unique_per_organisation"),
        migrations.AddField(
            model_name="patient",
            name="national_id_hash",
            field=models.CharField(db_index=True, default="", editable=False, max_length=64),
        ),
        migrations.AlterField(model_name="patient", name="national_id", field=models.TextField()),
        migrations.RunPython(encrypt_national_ids, decrypt_national_ids, elidable=False),
        migrations.AlterField(
            model_name="patient",
            name="national_id",
            field=kvitt.core.fieldcrypto.EncryptedCharField(hash_field="national_id_hash", max_length=13),
        ),
        migrations.AddConstraint(
            model_name="patient",
            constraint=models.UniqueConstraint(fields=("organisation", "national_id_hash"), name="patient_unique_per_organisation"),
        ),
    ]
