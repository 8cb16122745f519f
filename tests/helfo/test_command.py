import json

import pytest
from django.core.management import CommandError, call_command

from kvitt.helfo.models import Tariff
from kvitt.helfo.tariffs import demo_table_bytes

pytestmark = pytest.mark.django_db


def test_import_file_twice_is_idempotent(tmp_path, capsys):
    path = tmp_path / "takstkoder.json"
    path.write_bytes(demo_table_bytes())
    call_command("helfo", "tariffs", "import", str(path))
    assert "19 new" in capsys.readouterr().out
    call_command("helfo", "tariffs", "import", str(path))
    assert "0 new, 0 changed, 19 unchanged" in capsys.readouterr().out
    assert Tariff.objects.count() == 19
    a1a = Tariff.objects.get(code="A1a", valid_from="2019-07-01")
    assert (a1a.honorar, a1a.refusjon, a1a.egenandel) == (30900, 13600, 17300)


def test_changed_value_is_updated(tmp_path, capsys):
    doc = json.loads(demo_table_bytes())
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    call_command("helfo", "tariffs", "import", str(path))
    doc["takstkoder"][0]["refusjon"] = "140.00"
    path.write_text(json.dumps(doc))
    call_command("helfo", "tariffs", "import", str(path))
    assert "1 changed" in capsys.readouterr().out


def test_bad_file_names_row_and_field_and_imports_nothing(tmp_path):
    doc = json.loads(demo_table_bytes())
    doc["takstkoder"][6]["honorar"] = "tre hundre"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CommandError, match=r"takstkoder\[6\] \(A9\) honorar"):
        call_command("helfo", "tariffs", "import", str(path))
    assert Tariff.objects.count() == 0
    with pytest.raises(CommandError, match="no such file"):
        call_command("helfo", "tariffs", "import", str(tmp_path / "missing.json"))


def test_demo_and_list(capsys):
    call_command("helfo", "tariffs", "import", "demo")
    call_command("helfo", "tariffs", "list")
    out = capsys.readouterr().out
    assert "A1a" in out and "201b" in out and "2ad" in out


def test_demo_loader_makes_practices_cards_and_settlements(settings, tmp_path):
    from kvitt.helfo import demo
    from kvitt.helfo.models import BillCard, Practice, Settlement, SettlementStatus
    from kvitt.web.demo import DemoContext, load_care_events, load_network, load_users

    settings.KVITT_HELFO_OUTBOX = tmp_path
    ctx = DemoContext()
    load_network(ctx)
    load_users(ctx)
    load_care_events(ctx)
    demo.load(ctx)
    assert Practice.objects.count() == 2
    assert BillCard.objects.exists()
    statuses = set(Settlement.objects.values_list("status", flat=True))
    assert SettlementStatus.UNSIGNED in statuses and SettlementStatus.SENT in statuses
    assert list(tmp_path.glob("BKM-1004326468-*.xml"))
    demo.load(ctx)  # a second run adds nothing
    assert Practice.objects.count() == 2
