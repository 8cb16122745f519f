"""Fuzz the reconciliation feeds: status lists (CSV, XLSX), ERSMO-style care-event XML, and
the imports, which apply a whole file or nothing.

Domain error of every reader: ``FeedError`` (names line/row and column). The imports may also
refuse with Django's ``ValidationError``; either way no status, history, tracked event or
ledger row is left behind (the failed ``ImportRun`` itself is recorded on purpose).
"""

import datetime

import pytest
from hypothesis import given, strategies as st

from kvitt.core.models import Membership, Organisation, User
from kvitt.core.permissions import Actor
from kvitt.ledger.models import CareEvent, Patient
from kvitt.reconciliation import services
from kvitt.reconciliation.feeds import read_care_event_file, read_status_file
from kvitt.reconciliation.formats.records import FeedError
from kvitt.reconciliation.models import EventStatus, StatusHistory, TrackedEvent
from tests.hardening.strategies import FUZZ, XML_TEXTS, Seed, any_mutation, any_xml_mutation, expect, mutated_lines, tried
from tests.reconciliation.test_formats import xlsx_bytes
from tests.reconciliation.ersmo_samples import PATIENTS, PROVIDER_ORGNR, UNIT_B, ersmo_file, event

HEADER = ["event_number", "system", "status", "status_time", "code", "text", "product_code", "amount"]
ROWS = [
    ["VH-1", "Vårdfaktura", "OK", "2026-10-06T10:00:00+02:00", "", "", "A100", "450,00"],
    ["VH-2", "Vårdfaktura", "BeEj", "2026-10-06 10:00", "", "Avtal ej aktiverat", "", ""],
    ["VH-3", "HEJ", "Fel", "2026-10-06T10:00:00Z", "E12", "Saknar diagnos", "", ""],
]
CSV = Seed("status CSV", ("\n".join(";".join(row) for row in [HEADER, *ROWS]) + "\n").encode())
ERSMO = Seed("ERSMO care events", ersmo_file([
    event("VH-1"), event("VH-2", unit=UNIT_B, products=(("B200", 120050), ("T1", None)), voided=True, patient=PATIENTS[1]),
    event("VH-3", patient=PATIENTS[2]),
]))


# Cell values of every type openpyxl writes: text, numbers, dates, times, booleans, empty.
cell = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(XML_TEXTS), st.text(max_size=12).map(lambda t: "".join(c for c in t if c.isprintable())),
    st.datetimes(min_value=datetime.datetime(1900, 1, 2), max_value=datetime.datetime(2100, 1, 1)),
    st.dates(min_value=datetime.date(1900, 1, 2)), st.times(),
)


@st.composite
def mutated_sheet(draw) -> bytes:
    """The valid status rows with cells replaced, rows dropped or doubled, written as XLSX."""
    rows = [list(HEADER)] + [list(row) for row in ROWS]
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(rows) - 1))
        op = draw(st.sampled_from(["cell", "cell", "cell", "drop", "double", "short"]))
        if op == "cell" and rows[i]:
            rows[i][draw(st.integers(0, len(rows[i]) - 1))] = draw(cell)
        elif op == "drop" and len(rows) > 1:
            del rows[i]
        elif op == "double":
            rows.insert(i, list(rows[i]))
        elif op == "short":
            rows[i] = rows[i][: draw(st.integers(0, len(rows[i])))]
    return xlsx_bytes(rows)


XLSX = Seed("status XLSX", xlsx_bytes([HEADER, *ROWS]))


def test_the_seeds_are_valid():
    assert len(list(read_status_file("s.csv", CSV))) == 3
    assert len(list(read_status_file("s.xlsx", XLSX))) == 3
    assert len(read_care_event_file("e.xml", ERSMO).events) == 3


def _read_all(name):
    def read(data):
        return list(read_status_file(name, data))
    return read


@FUZZ
@given(st.one_of(any_mutation(CSV), mutated_lines(CSV, max_edits=6)))
def test_status_csv_gives_records_or_feed_error(data):
    expect(_read_all("status.csv"), data, FeedError, name="reconciliation.read_status_file (CSV)")


@FUZZ
@given(st.one_of(mutated_sheet(), any_mutation(XLSX)))
def test_status_xlsx_gives_records_or_feed_error(data):
    expect(_read_all("status.xlsx"), data, FeedError, name="reconciliation.read_status_file (XLSX)")


@FUZZ
@given(any_xml_mutation(ERSMO))
def test_ersmo_file_gives_events_or_feed_error(data):
    expect(lambda d: read_care_event_file("events.xml", d), data, FeedError, name="reconciliation.read_care_event_file (ERSMO)")


@pytest.fixture
def clerk(db):
    provider = Organisation.objects.create(name="Vårdbolaget AB", kind="clinic_company", country="SE", org_number=PROVIDER_ORGNR)
    user = User.objects.create_user("fuzz-clerk", email="clerk@example.se", password="x" * 12)
    actor = Actor.for_membership(Membership.objects.create(user=user, organisation=provider, role="billing_clerk"))
    services.register_default_systems(actor)
    services.import_care_event_file(actor, "seed.xml", ERSMO)
    return actor


def _counts():
    return tuple(m.objects.count() for m in (TrackedEvent, EventStatus, StatusHistory, CareEvent, Patient))


def _refused_import_writes_nothing(do_import, name):
    from django.core.exceptions import ValidationError

    before = _counts()
    tried(name)
    try:
        do_import()
    except (FeedError, ValidationError) as exc:
        assert str(exc)
        assert _counts() == before, "a refused file left rows behind"


@FUZZ
@given(data=st.one_of(any_mutation(CSV), mutated_lines(CSV, max_edits=6), mutated_sheet()))
def test_a_refused_status_file_writes_nothing(clerk, data):
    name = "status.xlsx" if data.startswith(b"PK") else "status.csv"
    _refused_import_writes_nothing(lambda: services.import_status_file(clerk, name, data), "reconciliation.import_status_file")


@FUZZ
@given(data=any_xml_mutation(ERSMO))
def test_a_refused_care_event_file_writes_nothing(clerk, data):
    _refused_import_writes_nothing(lambda: services.import_care_event_file(clerk, "events.xml", data), "reconciliation.import_care_event_file")
