"""Bank payments benchmark: parse + match a million transactions against a million open items.

    python bench/payments.py [--count 1000000] [--format bgmax|ocr_giro|camt054] [--per-file 50000]
    python bench/payments.py --db            # import + match through the Django service
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvitt_bench python bench/payments.py --db

Inputs are generated here (not timed): open items with MOD10 KIDs, invoice numbers and
debtor names, and bank files whose payments are a realistic mix: most pay a KID in full,
some partly, some too much, some name the invoice number in free text instead of a KID,
some pay an invoice already paid, some are reversals/deductions, some match nothing and
go to the manual queue with suggestions.

Timed, pure: parse every file (the format's real parser) and match every transaction
(``kvitt.payments.matching``). Timed, ``--db``: ``import_bank_files`` end to end on the
configured database (file hash and transaction-id checks, matching, bulk inserts of
transactions and allocations, ledger postings, audit), one database transaction per file.
The receivable ledger in ``--db`` runs is the in-memory one below, because the open items
are generated, not stored; the figures therefore measure the payments app's own work.
Without DATABASE_URL, ``--db`` uses a separate SQLite file, var/bench-payments.sqlite3.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST_NAMES = ["Kari", "Ola", "Ingrid", "Lars", "Åse", "Øyvind", "Sigrid", "Per", "Anna", "Erik", "Märta", "Björn",
               "Astrid", "Nils", "Liv", "Tor", "Hanne", "Jonas", "Elin", "Magnus"]
LAST_NAMES = ["Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersson", "Johansson", "Karlsson", "Nilsson",
              "Berg", "Haugen", "Dahl", "Lund", "Solberg", "Bakken", "Lindqvist", "Strand", "Moen", "Eriksen", "Vik"]
DAY = datetime.date(2026, 3, 2)
MIX = (  # share of transactions per kind
    ("kid_full", 0.80), ("kid_partial", 0.05), ("kid_over", 0.03), ("text_invoice", 0.04),
    ("closed", 0.02), ("reversal", 0.01), ("unmatched", 0.05),
)


def open_items(count: int, rng: random.Random):
    from kvitt.core.identifiers.no import kid
    from kvitt.payments.matching import Receivable

    items = []
    for i in range(1, count + 1):
        amount = rng.randrange(5000, 500000, 50)
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        items.append(Receivable(i, kid.make(str(1000000 + i), "MOD10"), f"F{i}", amount, name, total_minor=amount))
    return items


def payment_plan(items, count: int, rng: random.Random):
    """(kind, amount, reference, text, payer) per transaction, each open item used at most once."""
    kinds = [k for k, share in MIX for _ in range(int(round(share * 1000)))]
    order = list(range(len(items)))
    rng.shuffle(order)
    plan = []
    paid: list = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        item = items[order[n % len(order)]]
        if kind == "kid_full":
            plan.append((kind, item.open_minor, item.reference, "", item.debtor_name))
            paid.append(item)
        elif kind == "kid_partial":
            plan.append((kind, item.open_minor // 2, item.reference, "", item.debtor_name))
        elif kind == "kid_over":
            plan.append((kind, item.open_minor + 10000, item.reference, "", item.debtor_name))
        elif kind == "text_invoice":
            plan.append((kind, item.open_minor, None, f"Faktura {item.invoice_number}", item.debtor_name))
        elif kind == "closed" and paid:
            again = paid[rng.randrange(len(paid))]
            plan.append((kind, again.open_minor, again.reference, "", again.debtor_name))
        elif kind == "reversal" and paid:
            again = paid.pop(rng.randrange(len(paid)))
            plan.append((kind, -again.open_minor, again.reference, "", again.debtor_name))
        else:
            plan.append(("unmatched", item.open_minor + 1, None, "Takk for hjelpen", item.debtor_name))
    return plan


def write_bgmax(plan, run: int, first_serial: int = 1) -> bytes:
    from kvitt.payments.bgmax_writer import BgMaxDeposit, BgMaxPayment, write

    payments = []
    for kind, amount, reference, text, payer in plan:
        if amount < 0:
            payments.append(BgMaxPayment(-amount, reference or "", reference_code="2", deduction=True, payer_name=payer))
        elif reference:
            payments.append(BgMaxPayment(amount, reference, payer_name=payer, sender_bankgiro="3783511"))
        else:
            payments.append(BgMaxPayment(amount, text, reference_code="4", payer_name=payer, channel="3"))
    deposits = [BgMaxDeposit("9912346", DAY, payments[i:i + 5000]) for i in range(0, len(payments), 5000)]
    return write(deposits, created=datetime.datetime(2026, 3, 2, 6, 0, 0, run % 1000000), first_serial=first_serial)


def write_ocr_giro(plan, run: int, first_serial: int = 1) -> bytes:
    """OCR giro through netsgiro's writer. Every OCR giro payment carries a KID; a payment
    meant for an invoice number carries an unknown KID (zeros) and the text in record 32."""
    import netsgiro

    sending = netsgiro.Transmission(number=f"{run % 10**7:07d}", data_transmitter="00008080",
                                    data_recipient="00012345", date=DAY)
    assignment = sending.add_assignment(service_code=netsgiro.ServiceCode.OCR_GIRO,
                                        assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
                                        agreement_id="000000001", number=f"{run % 10**7:07d}",
                                        account="15032080000", date=DAY)
    for number, (kind, amount, reference, text, payer) in enumerate(plan, start=1):
        reversal = amount < 0
        kind_code = 18 if reversal else (21 if text else 10)
        assignment.transactions.append(netsgiro.Transaction(
            service_code=netsgiro.ServiceCode.OCR_GIRO, type=kind_code, number=number, date=DAY,
            amount=Decimal(abs(amount)) / 100, kid=reference or "0000000000", reference="099038562", text=text or None,
            centre_id="13", day_code=2, partial_settlement_number=1, partial_settlement_serial_number="01800",
            sign="0", form_number="9636827194", bank_date=DAY, debit_account="99990512341", filler="0000000"))
    return (sending.to_ocr() + "\n").encode("latin-1")


def write_camt054(plan, run: int, first_serial: int = 1) -> bytes:
    from xml.sax.saxutils import escape

    parts = []
    for n, (kind, amount, reference, text, payer) in enumerate(plan, start=1):
        remittance = ""
        if reference:
            remittance = f"<RmtInf><Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd></RmtInf>"
        elif text:
            remittance = f"<RmtInf><Ustrd>{escape(text)}</Ustrd></RmtInf>"
        value = Decimal(abs(amount)).scaleb(-2)
        indicator = "DBIT" if amount < 0 else "CRDT"
        reversal = "<RvslInd>true</RvslInd>" if amount < 0 else ""
        parts.append(
            f'<Ntry><Amt Ccy="NOK">{value}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>{reversal}<Sts><Cd>BOOK</Cd></Sts>'
            f"<BookgDt><Dt>{DAY}</Dt></BookgDt><ValDt><Dt>{DAY}</Dt></ValDt>"
            f"<NtryDtls><TxDtls><Refs><AcctSvcrRef>R{run}-{n}</AcctSvcrRef></Refs>"
            f'<Amt Ccy="NOK">{value}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
            f"<RltdPties><Dbtr><Pty><Nm>{escape(payer)}</Nm></Pty></Dbtr></RltdPties>{remittance}</TxDtls></NtryDtls></Ntry>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">'
        f"<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>BENCH-{run}</MsgId><CreDtTm>2026-03-02T06:00:00</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>N{run}</Id><Acct><Id><IBAN>NO9386011117947</IBAN></Id></Acct>\n{''.join(parts)}</Ntfctn>"
        "</BkToCstmrDbtCdtNtfctn></Document>\n"
    ).encode("utf-8")


WRITERS = {"bgmax": write_bgmax, "ocr_giro": write_ocr_giro, "camt054": write_camt054}


class BenchLedger:
    """In-memory receivable ledger implementing kvitt.payments.ports.ReceivableLedger."""

    label = "bench.memory"

    def __init__(self, items):
        self.items = items
        self.open = {r.id: r.open_minor for r in items}

    def open_items(self, organisation):
        return self.items

    def apply(self, organisation, postings):
        for posting in postings:
            key = int(posting.receivable_id)
            self.open[key] -= posting.amount_minor


def make_files(items, count: int, per_file: int, fmt: str, seed: int, run: int):
    rng = random.Random(seed)
    plan = payment_plan(items, count, rng)
    return [WRITERS[fmt](plan[i:i + per_file], run * 1000 + i // per_file, first_serial=i + 1)
            for i in range(0, len(plan), per_file)]


def run_pure(files, items) -> dict:
    from kvitt.payments import detect
    from kvitt.payments.bulk import collector_paused
    from kvitt.payments.matching import Matcher, summarise

    cpu = time.process_time()
    started = time.perf_counter()
    parsed = [detect.parse(data) for data in files]
    parsed_at = time.perf_counter()
    with collector_paused():
        matcher = Matcher(items)
    indexed_at = time.perf_counter()
    results = matcher.match_many(t for p in parsed for t in p.transactions)
    done = time.perf_counter()
    return {"transactions": len(results), "parse_s": parsed_at - started, "index_s": indexed_at - parsed_at,
            "match_s": done - indexed_at, "total_s": done - started, "cpu_s": time.process_time() - cpu,
            "outcomes": summarise(results)}


def _server_cpu_seconds(connection) -> float:
    """CPU seconds the PostgreSQL backend serving this connection has used (same host only)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_db(files, items) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvitt.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-payments.sqlite3'}")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from kvitt.core.models import Organisation
    from kvitt.core.permissions import Actor
    from kvitt.payments.models import BankFile, BankTransaction, Payment
    from kvitt.payments.services import import_bank_files

    call_command("migrate", verbosity=0)
    clinic, _ = Organisation.objects.get_or_create(name="Benchmark clinic", kind="clinic_company", country="NO",
                                                   defaults={"org_number": "999999999"})
    Payment.objects.filter(organisation=clinic)._raw_delete(Payment.objects.db)
    BankTransaction.objects.filter(organisation=clinic)._raw_delete(BankTransaction.objects.db)
    BankFile.objects.filter(organisation=clinic).delete()
    ledger = BenchLedger(items)
    server_before = _server_cpu_seconds(connection)
    cpu = time.process_time()
    started = time.perf_counter()
    reports = import_bank_files(Actor.system(clinic, label="bench"), [(f"bench-{i}", d) for i, d in enumerate(files)],
                                ledger=ledger)
    done = time.perf_counter()
    outcomes: dict = {}
    for report in reports:
        for key, value in report.outcomes.items():
            outcomes[key] = outcomes.get(key, 0) + value
    cpu_s = time.process_time() - cpu
    server_s = _server_cpu_seconds(connection) - server_before
    return {"transactions": sum(r.new for r in reports), "total_s": done - started, "outcomes": outcomes,
            "cpu_s": cpu_s, "server_cpu_s": server_s,
            "database": connection.vendor, "stored": BankTransaction.objects.filter(organisation=clinic).count()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="transactions (and as many open items)")
    parser.add_argument("--format", choices=sorted(WRITERS), default="bgmax")
    parser.add_argument("--per-file", type=int, default=50_000, help="transactions per bank file")
    parser.add_argument("--db", action="store_true", help="import + match through the Django service")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    if not args.db:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvitt.settings")
        import django

        django.setup()  # the identifier modules read Django's settings lazily
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    items = open_items(args.count, rng)
    files = make_files(items, args.count, args.per_file, args.format, args.seed, run=int(time.time()) % 100000)
    size = sum(len(f) for f in files)
    print(f"generated {args.count} open items and {len(files)} {args.format} files "
          f"({size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s (not timed)")
    # The generated inputs are long-lived; keep the cyclic collector from walking them again
    # and again, as a server process would after start-up.
    gc.collect()
    gc.freeze()
    result = run_db(files, items) if args.db else run_pure(files, items)
    rate = result["transactions"] / result["total_s"]
    label = f"import+match via Django on {result['database']}" if args.db else "parse+match (pure)"
    print(f"{label}: {result['transactions']} transactions in {result['total_s']:.1f} s = {rate:,.0f} transactions/s")
    print(f"  this process's CPU time {result['cpu_s']:.1f} s = {result['transactions'] / result['cpu_s']:,.0f} "
          f"transactions per CPU-second (the rest is waiting: database, other processes); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if not args.db:
        print(f"  parse {result['parse_s']:.1f} s, index {result['index_s']:.1f} s, match {result['match_s']:.1f} s")
    else:
        print(f"  stored {result['stored']} transactions")
        if result.get("server_cpu_s"):
            both = result["cpu_s"] + result["server_cpu_s"]
            print(f"  PostgreSQL backend CPU {result['server_cpu_s']:.1f} s; client + server CPU {both:.1f} s = "
                  f"{result['transactions'] / both:,.0f} transactions per CPU-second")
    print(f"  outcomes: {result['outcomes']}")


if __name__ == "__main__":
    main()
