import pytest

from kvitt.payments import camt054
from kvitt.payments.model import BankFileError

from .camt_builder import Entry, Notification, Tx, build, simple


def notification_with_everything() -> list[Notification]:
    return [Notification([
        Entry([Tx("350.00", kid="12345678903", debtor="Kari Nordmann", debtor_account="12345678903", acct_svcr_ref="A1"),
               Tx("100.50", ustrd=("Faktura 1001",), acct_svcr_ref="A2")]),
        Entry([Tx("350.00", kid="12345678903", acct_svcr_ref="R1")], credit=False, reversal=True),
        Entry([Tx("1.00")], status="PDNG"),
    ])]


@pytest.mark.parametrize("version", ["02", "04", "06", "08"])
def test_reads_the_usual_versions_the_same_way(version):
    parsed = camt054.parse(build(notification_with_everything(), version=version))
    assert parsed.totals["version"] == f"001.{version}"
    first, second, reversal = parsed.transactions
    assert (first.amount_minor, first.reference, first.payer_name, first.payer_account) == (
        35000, "12345678903", "Kari Nordmann", "12345678903")
    assert first.transaction_id == "NO9386011117947:A1"
    assert (second.amount_minor, second.reference, second.free_text) == (10050, None, "Faktura 1001")
    assert (reversal.amount_minor, reversal.reversal) == (-35000, True)
    assert parsed.skipped and "PDNG" in parsed.skipped[0]


def test_amounts_convert_to_minor_units_exactly():
    parsed = camt054.parse(simple([("0.10", None), ("1234567.89", None), ("5", None)]))
    assert [t.amount_minor for t in parsed.transactions] == [10, 123456789, 500]


def test_three_decimals_are_refused():
    with pytest.raises(BankFileError) as caught:
        camt054.parse(simple([("1.005", None)]))
    assert "decimals" in caught.value.message


def test_not_a_number_names_the_element_and_line():
    data = build([Notification([Entry([Tx("12,50")], amount="12,50")], summary=False)]).replace(b"<Ntry>", b"\n<Ntry>")
    with pytest.raises(BankFileError) as caught:
        camt054.parse(data)
    assert caught.value.field == "Ntry/Amt"
    assert caught.value.line is not None and caught.value.line > 1


def test_entry_sum_must_equal_its_transactions():
    data = build([Notification([Entry([Tx("10.00"), Tx("20.00")], amount="31.00")], summary=False)])
    with pytest.raises(BankFileError, match="transactions make 3000"):
        camt054.parse(data)


def test_transaction_summary_is_checked():
    data = simple([("10.00", "12345678903")]).replace(b"<Sum>10.00</Sum></TtlNtries>", b"<Sum>11.00</Sum></TtlNtries>")
    with pytest.raises(BankFileError) as caught:
        camt054.parse(data)
    assert caught.value.field == "TxsSummry/TtlNtries/Sum"


def test_bad_credit_debit_indicator():
    data = simple([("10.00", None)]).replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"<CdtDbtInd>CRED</CdtDbtInd>", 1)
    with pytest.raises(BankFileError) as caught:
        camt054.parse(data)
    assert caught.value.field == "Ntry/CdtDbtInd"


def test_entry_without_details_is_one_transaction():
    data = build([Notification([Entry([], amount="42.00", acct_svcr_ref="E1")])])
    (only,) = camt054.parse(data).transactions
    assert (only.amount_minor, only.transaction_id) == (4200, "NO9386011117947:E1")


def test_malformed_xml_and_wrong_documents():
    with pytest.raises(BankFileError) as caught:
        camt054.parse(b"<Document><BkToCstmrDbtCdtNtfctn>")
    assert caught.value.field == "XML"
    with pytest.raises(BankFileError, match="not camt.054"):
        camt054.parse(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt/></Document>')
    with pytest.raises(BankFileError, match="DTD"):
        camt054.parse(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><Document/>')
    with pytest.raises(BankFileError, match="MsgId"):
        camt054.parse(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn/></Document>')


def test_same_reference_twice_gets_distinct_ids():
    data = build([Notification([Entry([Tx("1.00", acct_svcr_ref="X")]), Entry([Tx("2.00", acct_svcr_ref="X")])])])
    ids = [t.transaction_id for t in camt054.parse(data).transactions]
    assert ids == ["NO9386011117947:X", "NO9386011117947:X#2"]


from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**13), min_size=1, max_size=10))
def test_amounts_round_trip_exactly(minor_amounts):
    data = simple([(str(Decimal(m).scaleb(-2)), None) for m in minor_amounts])
    assert [t.amount_minor for t in camt054.parse(data).transactions] == minor_amounts
