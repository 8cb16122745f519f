import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from kvitt.payments.matching import Matcher, Method, Outcome, Receivable, match_all, name_tokens, summarise
from kvitt.payments.model import BankTransaction

_counter = iter(range(10**9))


def tx(amount, reference=None, *, text="", payer="", currency="NOK", reversal=False, extra=()):
    return BankTransaction(
        format="ocr_giro", file_line=1, transaction_id=str(next(_counter)), booking_date=datetime.date(2026, 1, 5),
        value_date=None, amount_minor=amount, currency=currency, reference=reference, free_text=text,
        payer_name=payer, reversal=reversal, extra_references=extra,
    )


def invoices():
    return [
        Receivable(1, "12345678903", "1001", 35000, "Kari Nordmann", total_minor=35000, currency="NOK"),
        Receivable(2, "00000000017", "1002", 50000, "Ola Nordmann", total_minor=50000),
        Receivable(3, "55555555556", "1003", 0, "Per Hansen", total_minor=20000, closed=True),
        Receivable(4, None, "2026-17", 12000, "Øyvind Åsen", total_minor=12000),
    ]


def test_exact_kid_full_payment():
    (result,) = match_all(invoices(), [tx(35000, "12345678903")])
    assert (result.outcome, result.method) == (Outcome.FULL, Method.REFERENCE)
    assert [(a.receivable_id, a.amount_minor) for a in result.allocations] == [(1, 35000)]
    assert result.credit_minor == 0


def test_two_partial_payments_in_one_batch_settle_the_invoice():
    first, second = match_all(invoices(), [tx(20000, "12345678903"), tx(15000, "12345678903")])
    assert first.outcome == Outcome.PARTIAL and second.outcome == Outcome.FULL


def test_overpayment_leaves_a_credit_balance():
    (result,) = match_all(invoices(), [tx(40000, "12345678903")])
    assert result.outcome == Outcome.OVERPAYMENT
    assert (result.allocated_minor, result.credit_minor) == (35000, 5000)


def test_payment_to_a_closed_invoice_is_all_credit():
    (result,) = match_all(invoices(), [tx(20000, "55555555556")])
    assert result.outcome == Outcome.CLOSED_INVOICE
    assert result.targets == (3,) and result.allocations == () and result.credit_minor == 20000


def test_paying_twice_makes_the_second_a_closed_invoice_payment():
    _, second = match_all(invoices(), [tx(35000, "12345678903"), tx(35000, "12345678903")])
    assert second.outcome == Outcome.CLOSED_INVOICE


def test_reversal_reopens_up_to_the_invoiced_amount():
    matcher = Matcher(invoices())
    matcher.match(tx(40000, "12345678903"))  # 35000 paid, 5000 credit
    result = matcher.match(tx(-40000, "12345678903", reversal=True))
    assert result.outcome == Outcome.REVERSAL
    assert [(a.receivable_id, a.amount_minor) for a in result.allocations] == [(1, -35000)]
    assert result.credit_minor == -5000
    assert matcher.remaining[1] == 35000


def test_invoice_number_in_free_text():
    (result,) = match_all(invoices(), [tx(12000, text="Faktura 2026-17 tannlege")])
    assert (result.outcome, result.method, result.targets) == (Outcome.FULL, Method.FREE_TEXT, (4,))


def test_kid_in_free_text_typed_with_spaces():
    (result,) = match_all(invoices(), [tx(35000, text="KID 1234 5678 903")])
    assert (result.outcome, result.targets) == (Outcome.FULL, (1,))


def test_unknown_structured_reference_that_is_an_invoice_number():
    (result,) = match_all(invoices(), [tx(50000, "1002")])
    assert (result.method, result.targets) == (Method.FREE_TEXT, (2,))


def test_one_payment_for_several_invoices():
    (result,) = match_all(invoices(), [tx(85000, text="Faktura 1001 og 1002")])
    assert result.outcome == Outcome.FULL
    assert [(a.receivable_id, a.amount_minor) for a in result.allocations] == [(1, 35000), (2, 50000)]


def test_several_references_too_little_money_is_partial():
    (result,) = match_all(invoices(), [tx(40000, None, extra=("12345678903", "00000000017"))])
    assert result.outcome == Outcome.PARTIAL
    assert [(a.receivable_id, a.amount_minor) for a in result.allocations] == [(1, 35000), (2, 5000)]


def test_unmatched_gets_amount_and_name_suggestions():
    (result,) = match_all(invoices(), [tx(12000, payer="OYVIND ASEN")])
    assert result.outcome == Outcome.UNMATCHED
    assert result.suggestions[0].receivable_id == 4
    assert result.allocations == ()


def test_unmatched_without_anything_similar_has_no_suggestions():
    (result,) = match_all(invoices(), [tx(99, payer="Nobody")])
    assert result.outcome == Outcome.UNMATCHED and result.suggestions == ()


def test_currency_mismatch_goes_to_the_manual_queue():
    (result,) = match_all(invoices(), [tx(35000, "12345678903", currency="SEK")])
    assert result.outcome == Outcome.UNMATCHED and "SEK" in result.note


def test_name_tokens_fold_nordic_letters():
    assert name_tokens("ØYVIND ÅSEN") == name_tokens("Øyvind Åsen") == {"oyvind", "asen"}


def test_summary_counts_every_outcome():
    results = match_all(invoices(), [tx(35000, "12345678903"), tx(1, payer="x")])
    counts = summarise(results)
    assert counts["full"] == 1 and counts["unmatched"] == 1 and sum(counts.values()) == 2


amounts = st.integers(min_value=-50000, max_value=100000).filter(lambda a: a != 0)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["12345678903", "00000000017", "55555555556", None]), amounts), max_size=12))
def test_money_is_conserved_and_never_over_allocated(payments):
    matcher = Matcher(invoices())
    for reference, amount in payments:
        result = matcher.match(tx(amount, reference, reversal=amount < 0))
        if result.outcome != Outcome.UNMATCHED:
            assert result.allocated_minor + result.credit_minor == amount
        for key, receivable in matcher.receivables.items():
            assert 0 <= matcher.remaining[key] <= (receivable.total_minor or 0)
