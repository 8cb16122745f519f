"""Fuzz the small readers: money amounts, journal-system availability snapshots and booking
answers, and the insurer's inbound claims (which keep whatever arrives, readable or not).

Domain errors: ``ValueError`` (``money.parse_amount`` documents exactly that), ``AvailabilityError``
(snapshots); ``parse_answer`` never raises (an odd answer means "verdict follows by callback");
``claims.services.receive`` raises only ``ClaimRefused`` and otherwise stores exactly one row.
"""

import datetime
import re

import httpx
import pytest
from hypothesis import given, strategies as st

from kvitt.booking.availability import AvailabilityError, Snapshot, parse_snapshot
from kvitt.booking.connectors import Answer, parse_answer
from kvitt.claims.models import InboundInvoice, InboundStatus
from kvitt.claims.services import ClaimRefused, receive
from kvitt.core.money import format_amount, parse_amount
from kvitt.einvoice import sbdh
from tests.booking.helpers import snapshot
from tests.claims import invoices as f
from tests.hardening.strategies import (
    FUZZ, JsonSeed, Seed, any_mutation, any_xml_mutation, dumps, expect, json_value, mutated_json, tried,
)

# --- money ------------------------------------------------------------------------------------

AMOUNT_TEXT = st.one_of(
    st.text(alphabet="0123456789 ,.-\u2212\u00a0+kr", max_size=14),
    st.text(max_size=10),
    st.builds(lambda n: f"{n // 100},{n % 100:02d}", st.integers(0, 10**12)),
    any_mutation(Seed("amount", b"1 234,50")).map(lambda b: b.decode("latin-1")),
)


@FUZZ
@given(AMOUNT_TEXT)
def test_parse_amount_gives_ore_or_value_error(text):
    ore = expect(parse_amount, text, ValueError, name="core.money.parse_amount")
    if ore is not None:
        assert isinstance(ore, int)


@FUZZ
@given(st.integers(-(10**13), 10**13))
def test_parse_amount_reads_every_amount_kvitt_writes(ore):
    tried("core.money.parse_amount (round trip)")
    # format_amount writes a currency and grouping for people; the plain kroner text is what files carry.
    plain = f"{'-' if ore < 0 else ''}{abs(ore) // 100},{abs(ore) % 100:02d}"
    assert parse_amount(plain) == ore
    assert re.search(r"\d", format_amount(ore))


# --- booking ----------------------------------------------------------------------------------

SNAPSHOT = JsonSeed("availability snapshot", snapshot("9144889", first_day=datetime.date(2026, 3, 2), days=2, per_day=3))


def test_the_seeds_are_valid():
    assert isinstance(parse_snapshot(dict(SNAPSHOT)), Snapshot)
    assert parse_answer(httpx.Response(200, json={"status": "accepted", "appointment_id": "A1"})) == Answer("accepted", "A1", "")


@FUZZ
@given(st.one_of(mutated_json(SNAPSHOT), mutated_json(SNAPSHOT, max_edits=8), json_value))
def test_availability_snapshot_parses_or_gives_availability_error(data):
    expect(parse_snapshot, data, AvailabilityError, name="booking.parse_snapshot")


ANSWER = JsonSeed("booking answer", {"status": "refused", "appointment_id": "A-17", "reason": "slot taken"})


@FUZZ
@given(st.one_of(mutated_json(ANSWER).map(dumps), any_mutation(Seed("booking answer bytes", dumps(dict(ANSWER)))), json_value.map(dumps)))
def test_connector_answer_is_a_verdict_or_none(body):
    tried("booking.connectors.parse_answer")
    answer = parse_answer(httpx.Response(200, content=body, headers={"Content-Type": "application/json"}))
    assert answer is None or (answer.status in ("accepted", "refused") and len(answer.appointment_id) <= 64)


# --- inbound claims (the insurer's side) -----------------------------------------------------


@pytest.fixture
def world(db):
    from tests.claims.world import make_world

    return make_world()


@FUZZ
@given(data=st.data())
def test_inbound_claim_is_kept_whole_or_refused(world, data):
    invoice = world.invoice_bytes(f.line(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=f.OSLO)))
    seed = Seed("inbound EHF", invoice) if data.draw(st.booleans()) else Seed("inbound EHF in SBDH", sbdh.wrap(invoice))
    document = data.draw(any_xml_mutation(seed))
    before = InboundInvoice.objects.count()
    tried("claims.receive (inbound EHF)")
    try:
        row, created = receive(world.handler, document)
    except ClaimRefused as exc:
        assert str(exc) and InboundInvoice.objects.count() == before
        return
    assert InboundInvoice.objects.count() == before + (1 if created else 0)
    assert row.status == InboundStatus.UNREADABLE or row.status != InboundStatus.UNREADABLE and row.parse_error == ""
    assert bytes(row.original) == document
