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
    assert "17 new" in capsys.readouterr().out
    call_command("helfo", "tariffs", "import", str(path))
    assert "0 new, 0 changed, 17 unchanged" in capsys.readouterr().out
    assert Tariff.objects.count() == 17
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
    doc["takstkoder"][5]["honorar"] = "tre hundre"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CommandError, match=r"takstkoder\[5\] \(A9\) honorar"):
        call_command("helfo", "tariffs", "import", str(path))
    assert Tariff.objects.count() == 0
    with pytest.raises(CommandError, match="no such file"):
        call_command("helfo", "tariffs", "import", str(tmp_path / "missing.json"))


def test_demo_and_list(capsys):
    call_command("helfo", "tariffs", "import", "demo")
    call_command("helfo", "tariffs", "list")
    out = capsys.readouterr().out
    assert "A1a" in out and "201b" in out and "2ad" in out
