import csv
import datetime
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from kvitt.reconciliation.feeds import read_status_file
from kvitt.reconciliation.statuses import Status

TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40).map(str.strip)
ROW = st.fixed_dictionaries({
    "event_number": st.text("ABCVH-0123456789", min_size=1, max_size=20).filter(lambda s: s.strip() == s and s),
    "system": st.sampled_from(["GVR", "ERSMO", "HEJ", "VF"]),
    "status": st.sampled_from(list(Status)),
    "minute": st.integers(0, 60 * 24 * 60),
    "code": st.text("ABCDE0123456789-", min_size=1, max_size=10),
    "text": TEXT,
    "amount_ore": st.none() | st.integers(-10**9, 10**9),
})


def kronor(ore):
    sign = "-" if ore < 0 else ""
    return f"{sign}{abs(ore) // 100},{abs(ore) % 100:02d}"


@settings(max_examples=100, deadline=None)
@given(st.lists(ROW, max_size=15, unique_by=lambda r: (r["event_number"], r["system"])), st.sampled_from([";", ",", "\t"]))
def test_any_valid_rows_survive_a_csv_round_trip(rows, delimiter):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["event_number", "system", "status", "status_time", "code", "text", "amount"])
    start = datetime.datetime(2026, 10, 1, tzinfo=datetime.timezone.utc)
    for row in rows:
        moment = start + datetime.timedelta(minutes=row["minute"])
        amount = "" if row["amount_ore"] is None else kronor(row["amount_ore"])
        writer.writerow([row["event_number"], row["system"], row["status"].value, moment.isoformat(), row["code"], row["text"], amount])
    records = list(read_status_file("x.csv", out.getvalue().encode()))
    assert [(r.event_number, r.system, r.status, r.code, r.text, r.amount_ore) for r in records] == [
        (row["event_number"], row["system"], row["status"], row["code"], row["text"], row["amount_ore"]) for row in rows
    ]
    assert [r.status_time for r in records] == [start + datetime.timedelta(minutes=row["minute"]) for row in rows]
