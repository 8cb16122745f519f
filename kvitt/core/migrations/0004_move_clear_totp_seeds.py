"""Move django-otp's TOTP devices (seed in clear hex) into core.TOTPDevice (seed encrypted).

django-otp's otp_totp app is no longer installed, so its table is read with plain SQL when
it exists (a database from before this change) and skipped when it does not (a new one).
Each row is copied with its state (confirmation, drift, last time step, throttle), the seed
encrypted with the first KVITT_FIELD_KEYS key; then the clear rows are deleted so that a
database dump no longer holds a seed. The emptied table stays (its migration rows say it
exists); see docs/OPERATIONS.md to drop it. Users stay enrolled, but a session verified
before the move names the old device and asks for one code again.

Backwards does nothing: moving seeds back into clear text is not a step to automate (going
back past 0003 drops the devices; their users enrol again).
"""

import datetime

from django.db import migrations
from django.utils.dateparse import parse_datetime

LEGACY_TABLE = "otp_totp_totpdevice"
STATE_COLUMNS = (
    "name", "confirmed", "key", "step", "t0", "digits", "tolerance", "drift", "last_t",
    "throttling_failure_timestamp", "throttling_failure_count", "created_at", "last_used_at",
)
DATETIME_COLUMNS = {"throttling_failure_timestamp", "created_at", "last_used_at"}


def _aware(value):
    """SQLite hands datetimes back naive (stored in UTC) or, without a converter, as text."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def _legacy_rows(connection) -> list[dict]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        present = {c.name for c in connection.introspection.get_table_description(cursor, LEGACY_TABLE)}
        columns = ["user_id", *(c for c in STATE_COLUMNS if c in present)]  # timestamps came in otp_totp 0003
        cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(LEGACY_TABLE)} ORDER BY {quote('id')}")
        rows = [dict(zip(columns, row)) for row in cursor.fetchall()]
    for row in rows:
        for name in DATETIME_COLUMNS & row.keys():
            row[name] = _aware(row[name])
    return rows


def move_devices(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    TOTPDevice = apps.get_model("core", "TOTPDevice")
    for row in _legacy_rows(connection):  # one per enrolled staff member: a loop is fine
        created_at = row.pop("created_at", None)
        # The historical model's key is the EncryptedCharField: saving encrypts the clear hex.
        device = TOTPDevice.objects.create(**row)
        if created_at is not None:  # auto_now_add stamped the insert; keep the enrolment time
            TOTPDevice.objects.filter(pk=device.pk).update(created_at=created_at)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(LEGACY_TABLE)}")


class Migration(migrations.Migration):

    dependencies = [("core", "0003_totpdevice")]

    operations = [migrations.RunPython(move_devices, migrations.RunPython.noop, elidable=False)]
