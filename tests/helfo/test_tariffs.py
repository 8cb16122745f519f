import datetime
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvitt.helfo.tariffs import (
    parse_money,
    TariffFormatError,
    TariffTable,
    load_demo_table,
    parse_invalid_combination,
    read_open_data,
    row_to_open_data,
)


def _doc(**overrides):
    row = {
        "takst_id": "1",
        "takstkode": "A1a",
        "fagomraade": "FY",
        "fradato": "2019-07-01",
        "tildato": "2020-06-30",
        "honorar": 309,
        "refusjon": "136,00",
        "egenandel": 173.0,
        "maks_repetisjoner": None,
        "ugyldig_kombinasjon": "",
        "krever_diagnose": "J",
    }
    row.update(overrides)
    return json.dumps({"takstkoder": [row]})


def test_reads_open_data_row_in_ore():
    (row,) = read_open_data(_doc())
    assert (row.code, row.area) == ("A1a", "FY")
    assert (row.honorar, row.refusjon, row.egenandel) == (30900, 13600, 17300)
    assert row.valid_from == datetime.date(2019, 7, 1) and row.valid_to == datetime.date(2020, 6, 30)
    assert row.requires_diagnosis is True and row.requires_referral is False


def test_accepts_datetime_dates_and_open_end():
    (row,) = read_open_data(_doc(fradato="2025-07-01T00:00:00", tildato="9999-12-31"))
    assert row.valid_from == datetime.date(2025, 7, 1) and row.valid_to is None


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("honorar", "abc", "takstkoder[0] (A1a) honorar"),
        ("refusjon", "1.234", "more than two decimals"),
        ("fradato", "01.07.2019", "fradato"),
        ("krever_diagnose", "kanskje", "krever_diagnose"),
        ("maks_repetisjoner", "tre", "maks_repetisjoner"),
        ("tildato", "2018-01-01", "before fradato"),
    ],
)
def test_bad_values_are_named(field, value, message):
    with pytest.raises(TariffFormatError, match=re.escape(message)):
        read_open_data(_doc(**{field: value}))


def test_missing_required_field():
    with pytest.raises(TariffFormatError, match="'takstkode' is missing"):
        read_open_data(_doc(takstkode=""))


def test_not_json_and_wrong_shape():
    with pytest.raises(TariffFormatError, match="not JSON"):
        read_open_data(b"{nope")
    with pytest.raises(TariffFormatError, match="no 'takstkoder'"):
        read_open_data(b'{"rows": []}')


def test_overlapping_periods_refused():
    rows = json.loads(_doc())["takstkoder"] * 2
    with pytest.raises(TariffFormatError, match="overlaps"):
        read_open_data(json.dumps({"takstkoder": rows}))


def test_invalid_combination_grammar():
    everything = parse_invalid_combination("Alle", "x")
    assert everything.forbids("2ad") and everything.forbids("L1")
    but = parse_invalid_combination("Alle unntatt 2ad, 2cd", "x")
    assert not but.forbids("2ad") and not but.forbids("2cd") and but.forbids("1i")
    listed = parse_invalid_combination("A1a, A1b;A2a", "x")
    assert listed.forbids("A2a") and not listed.forbids("B20")
    assert parse_invalid_combination("", "x").empty


def test_demo_table_lookup_by_date():
    table = load_demo_table()
    old = table.lookup("FY", "A1a", datetime.date(2019, 9, 1))
    assert (old.honorar, old.refusjon, old.egenandel) == (30900, 13600, 17300)
    new = table.lookup("FY", "A1a", datetime.date(2026, 1, 10))
    assert new is not None and new.valid_from == datetime.date(2025, 7, 1)
    assert table.lookup("FY", "A1a", datetime.date(2021, 1, 1)) is None  # gap between periods
    assert table.lookup("PS", "201b", datetime.date(2026, 1, 10)).refusjon == 37500
    assert table.lookup("LE", "2ad", datetime.date(2026, 1, 6)).refusjon == 1500
    assert table.lookup("FY", "A9", datetime.date(2026, 1, 6)).is_pure_patient_share
    for row in table:
        assert row.honorar == row.refusjon + row.egenandel, row.code


def test_round_trip_through_open_data_shape():
    table = load_demo_table()
    again = read_open_data(json.dumps({"takstkoder": [row_to_open_data(r) for r in table]}))
    assert sorted(again, key=lambda r: (r.area, r.code, r.valid_from)) == sorted(
        table, key=lambda r: (r.area, r.code, r.valid_from)
    )
    assert len(TariffTable(again)) == len(table)


@given(st.integers(min_value=0, max_value=10**8), st.sampled_from([".", ","]))
@settings(max_examples=150, deadline=None)
def test_money_text_round_trip(ore, separator):
    kroner, rest = divmod(ore, 100)
    assert parse_money(f"{kroner}{separator}{rest:02d}", "x") == ore
    assert parse_money(str(kroner), "x") == kroner * 100
