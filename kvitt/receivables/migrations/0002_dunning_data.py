import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "dunning.json"


def load(apps, schema_editor):
    DunningStep = apps.get_model("receivables", "DunningStep")
    Rate = apps.get_model("receivables", "Rate")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for step in data["steps"]:
        DunningStep.objects.get_or_create(
            country=step["country"], code=step["code"], valid_from=datetime.date.fromisoformat(step["valid_from"]),
            defaults={
                "order": step["order"], "days_after": step["days_after"], "days_to_pay": step["days_to_pay"],
                "fee_rule": step["fee_rule"], "fee_minor": step.get("fee_minor", 0),
                "requires_agreement": step.get("requires_agreement", False), "max_fees": step["max_fees"],
                "note": step["note"],
            },
        )
    for rate in data["rates"]:
        Rate.objects.get_or_create(
            country=rate["country"], kind=rate["kind"], valid_from=datetime.date.fromisoformat(rate["valid_from"]),
            defaults={"value": Decimal(rate["value"]), "verified": rate["verified"], "source": rate["source"]},
        )


class Migration(migrations.Migration):
    dependencies = [("receivables", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
