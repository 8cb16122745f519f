"""Benchmark: a large insurer's day of EHF invoices validated in batches (SQLite or PostgreSQL).

    .venv/bin/python bench/claims.py                     # SQLite file in var/bench-claims/
    createdb -h 127.0.0.1 -U postgres kvitt_bench_claims
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvitt_bench_claims .venv/bin/python bench/claims.py

Builds (``--rebuild`` to start over) one insurer, ``--companies`` approved clinics with a
practitioner each, ``--assignments`` treatment assignments (4 treatments / NOK 4 000 each) and
``--invoices`` received EHF invoices of one or two lines spread over them, so some run past the
coverage and some bill a treatment time twice. The documents are real EHF built by
``kvitt.einvoice.builder`` (one template per clinic, the number, SakID and treatment times
filled in) and stored as the webhook stores them.

Then ``--workers`` processes (PostgreSQL; SQLite runs one) validate them in batches of ``--batch`` the way ``kvitt.claims.services.run_batch``
does (``validate_many``: one transaction and one ``kvitt.claims.batch.ValidationContext`` per
``--chunk`` — the chunk's assignments locked and their usage, approvals, practitioners, numbers
and billed treatment times read set-wise; per invoice the validators, the verdict and one guarded
coverage statement; findings, lines, verdicts, audit rows and the Invoice Response + e-mail
outbox rows stored per chunk in bulk) and prints invoices/s, the per-invoice p50/p95/max, the
worker processes' CPU time (the machine is shared: wall time depends on the load, CPU time much
less), the SQL statements per invoice and the verdict counts. A sample of ``--receive-sample``
documents also goes through ``services.receive`` (SBDH unwrap, parse, full EHF validation) to
show the cost of intake. Target: 50 000 invoices in under 5 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import multiprocessing
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KVITT_VAR_DIR", str(ROOT / "var" / "bench-claims"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvitt.settings")
os.environ.setdefault("KVITT_LOG_LEVEL", "WARNING")
os.environ.setdefault("KVITT_EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
Path(os.environ["KVITT_VAR_DIR"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.utils import timezone  # noqa: E402
from stdnum.no import orgnr  # noqa: E402

from kvitt.cases import sakid as sakid_module  # noqa: E402
from kvitt.cases.models import Assignment  # noqa: E402
from kvitt.claims import services, sla  # noqa: E402
from kvitt.claims.models import InboundInvoice, InboundStatus, Source  # noqa: E402
from kvitt.core.models import Organisation, OrganisationKind  # noqa: E402
from kvitt.einvoice import sbdh  # noqa: E402
from kvitt.einvoice.builder import BuyerInput, InvoiceInput, LineInput, SellerInput, build_invoice  # noqa: E402
from kvitt.ledger.models import IdType, Patient  # noqa: E402
from kvitt.network.models import Company, Location, PartnerApproval, Payer, PayerKind, Practitioner  # noqa: E402

OSLO = datetime.timezone(datetime.timedelta(hours=1))  # March 2026: CET
NUMBER_TOKEN = "77700001"
SAKID_TOKEN = "SAKIDTOKEN"
MOMENTS = ("2026-03-02 09:00:00", "2026-03-03 09:00:00")
INSURER_ORG = "995568217"
HPR = "9144889"


def _orgnr(seed: int) -> str:
    body = 91000000 + seed * 7
    while True:
        for digit in "0123456789":
            candidate = f"{body:08d}{digit}"
            if orgnr.is_valid(candidate):
                return candidate
        body += 1


def _template(company: Company, payer: Payer, lines: int) -> str:
    seller = SellerInput(name=company.name, org_number=company.org_number, bank_account="86011117947", kid_length=10)
    buyer = BuyerInput(name=payer.name, org_number=payer.org_number)
    items = [
        LineInput(
            treatment_id="B1010", description="Fysioterapi", quantity=Decimal("1"), unit_price=Decimal("850.00"),
            treatment_datetime=datetime.datetime(2026, 3, 2 + i, 9, 0, tzinfo=OSLO),
            duration_minutes=45, therapist_hpr=HPR, therapist_name="Ola Hansen", profession="Fysioterapeut",
            diagnose="L92 Skulder lidelse uspesifisert",
        )
        for i in range(lines)
    ]
    inp = InvoiceInput(number=NUMBER_TOKEN, issue_date=datetime.date(2026, 4, 1), due_date=datetime.date(2026, 4, 15),
                       sak_id=SAKID_TOKEN, seller=seller, buyer=buyer, lines=items)
    return build_invoice(inp).decode()


def build(args) -> None:
    rng = random.Random(2026)
    print(f"building: {args.companies} clinics, {args.assignments} assignments, {args.invoices} invoices ...", flush=True)
    started = time.perf_counter()
    org = Organisation.objects.create(name="Bench Forsikring ASA", kind=OrganisationKind.INSURER, org_number=INSURER_ORG)
    payer = Payer.objects.create(organisation=org, name=org.name, kind=PayerKind.INSURER, org_number=INSURER_ORG,
                                 peppol_id=f"0192:{INSURER_ORG}")
    companies = []
    for i in range(args.companies):
        number = _orgnr(i + 1)
        corg = Organisation.objects.create(name=f"Klinikk {i} AS", kind=OrganisationKind.CLINIC_COMPANY, org_number=number)
        company = Company.objects.create(organisation=corg, name=corg.name, org_number=number,
                                         email=f"post{i}@klinikk.example", bank_account="86011117947")
        Location.objects.create(company=company, name="Sentrum", city="Oslo")
        Practitioner.objects.create(company=company, name=f"Behandler {i}", hpr_number=HPR, professions=["physiotherapist"])
        PartnerApproval.objects.create(payer=payer, company=company, valid_from=datetime.date(2020, 1, 1))
        companies.append(company)
    patients = Patient.objects.bulk_create(
        [Patient(organisation=org, national_id=f"BENCH{i:08d}", id_type=IdType.FNR, name=f"Pasient {i}")
         for i in range(args.assignments)], batch_size=2000,
    )
    sakids: set[str] = set()
    while len(sakids) < args.assignments:
        sakids.add(sakid_module.generate())
    assignments = Assignment.objects.bulk_create(
        [Assignment(sakid=s, payer=payer, patient=p, company=companies[i % len(companies)], state="in_treatment",
                    professions=["physiotherapist"], service_codes=["B1010", "B1020"], max_treatments=4,
                    max_amount=400_000, valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 12, 31),
                    created_by_label="bench")
         for i, (s, p) in enumerate(zip(sorted(sakids), patients))], batch_size=2000,
    )
    templates = {(c.pk, n): _template(c, payer, n) for c in companies for n in (1, 2)}
    now = timezone.now()
    rows = []
    for i in range(args.invoices):
        assignment = assignments[rng.randrange(len(assignments))]
        company = assignment.company
        lines = 1 if rng.random() < 0.6 else 2
        text = templates[(assignment.company_id, lines)].replace(NUMBER_TOKEN, str(10_000_000 + i)).replace(SAKID_TOKEN, assignment.sakid)
        for k, moment in enumerate(MOMENTS[:lines]):
            day = rng.randrange(1, 28)
            text = text.replace(moment, f"2026-0{rng.randrange(2, 10)}-{day:02d} {8 + k + rng.randrange(8):02d}:00:00")
        data = text.encode()
        received = now - datetime.timedelta(seconds=args.invoices - i)
        rows.append(InboundInvoice(
            payer=payer, source=Source.WEBHOOK, original=data, sha256=hashlib.sha256(data).hexdigest(), document=data,
            kind="Invoice", number=str(10_000_000 + i), supplier_org_number=company.org_number, supplier_name=company.name,
            company=company, sak_id=assignment.sakid, assignment=assignment, issue_date=datetime.date(2026, 4, 1),
            currency="NOK", payable_amount=85_000 * lines, account="86011117947", ehf_valid=True, ehf_findings=[],
            received_at=received, due_at=sla.due_at(received),
        ))
        if len(rows) == 2000:
            InboundInvoice.objects.bulk_create(rows)
            rows = []
    InboundInvoice.objects.bulk_create(rows)
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _validate_share(share: tuple[int, int, int, int]) -> tuple[list[float], dict[str, int], float, int]:
    """One worker's part: the waiting invoices whose assignment id falls to it (no lock waits)."""
    index, workers, batch, chunk = share
    connection.close()  # a forked worker opens its own connection
    payer = Payer.objects.get(org_number=INSURER_ORG)
    actor = services.worker_actor(payer)
    timings: list[float] = []
    outcomes: dict[str, int] = {}
    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += len(params) if many else 1  # executemany: one per row, to be fair
        return execute(sql, params, many, context)

    started = time.perf_counter()
    cpu_started = time.process_time()
    with connection.execute_wrapper(count):
        _validate_batches(index, workers, batch, chunk, payer, actor, timings, outcomes, started)
    cpu = time.process_time() - cpu_started
    connection.close()
    return timings, outcomes, cpu, statements[0]


def _validate_batches(index, workers, batch, chunk, payer, actor, timings, outcomes, started) -> None:
    while True:
        pending = InboundInvoice.objects.filter(payer=payer, status=InboundStatus.RECEIVED).order_by("received_at", "id")
        if workers > 1:
            pending = pending.annotate(share=F("assignment_id") % workers).filter(share=index)
        ids = list(pending.values_list("pk", flat=True)[:batch])
        if not ids:
            break
        for _pk, status, seconds in services.validate_many(actor, ids, chunk=chunk):
            timings.append(seconds)
            outcomes[str(status)] = outcomes.get(str(status), 0) + 1
        print(f"  worker {index}: {len(timings)} validated, {len(timings) / (time.perf_counter() - started):.0f}/s", flush=True)


def validate_all(args) -> None:
    workers = args.workers if connection.vendor != "sqlite" else 1  # SQLite has one writer at a time
    started = time.perf_counter()
    shares = [(k, workers, args.batch, args.chunk) for k in range(workers)]
    if workers == 1:
        results = [_validate_share(shares[0])]
    else:
        connection.close()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_validate_share, shares)
    elapsed = time.perf_counter() - started
    timings = [t for part, *_ in results for t in part]
    cpu = sum(r[2] for r in results)
    statements = sum(r[3] for r in results)
    outcomes: dict[str, int] = {}
    for _, part, *_rest in results:
        for key, n in part.items():
            outcomes[key] = outcomes.get(key, 0) + n
    if not timings:
        print("nothing to validate (drop the bench database to build again)")
        return
    print(f"validated {len(timings)} invoices with {workers} worker(s) in {elapsed:.1f} s: {len(timings) / elapsed:.0f} invoices/s")
    print(f"per invoice: p50 {statistics.median(timings) * 1000:.1f} ms, p95 {percentile(timings, 95) * 1000:.1f} ms, "
          f"max {max(timings) * 1000:.1f} ms")
    print(f"CPU time of the worker process(es): {cpu:.1f} s = {len(timings) / cpu:.0f} invoices per CPU-second "
          f"(the database server's own CPU not included); load average {os.getloadavg()[0]:.1f}")
    print(f"SQL statements: {statements / len(timings):.1f} per invoice (executemany counted per row)")
    print("verdicts:", dict(sorted(outcomes.items())))


def receive_sample(args) -> None:
    if not args.receive_sample:
        return
    payer = Payer.objects.get(org_number=INSURER_ORG)
    actor = services.worker_actor(payer)
    sample = list(InboundInvoice.objects.filter(payer=payer).order_by("id").values_list("document", flat=True)[: args.receive_sample])
    timings = []
    with transaction.atomic():
        for i, data in enumerate(sample):
            envelope = sbdh.wrap(bytes(data).replace(b"<cbc:ID>1", f"<cbc:ID>R{i}-1".encode(), 1))
            t0 = time.perf_counter()
            services.receive(actor, envelope, Source.WEBHOOK)
            timings.append(time.perf_counter() - t0)
        transaction.set_rollback(True)  # the sample is measured, not kept
    print(f"receive (SBDH unwrap, parse, EHF XSD+rules, store): {len(timings)} documents, "
          f"p50 {statistics.median(timings) * 1000:.1f} ms, p95 {percentile(timings, 95) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=50_000)
    parser.add_argument("--assignments", type=int, default=20_000)
    parser.add_argument("--companies", type=int, default=50)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (PostgreSQL only)")
    parser.add_argument("--chunk", type=int, default=services.BATCH_CHUNK, help="invoices per transaction")
    parser.add_argument("--receive-sample", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    if Payer.objects.filter(org_number=INSURER_ORG).exists():
        if args.rebuild:
            raise SystemExit("--rebuild: drop the bench database first (rm -r var/bench-claims, or dropdb + createdb)")
    else:
        build(args)
    receive_sample(args)
    validate_all(args)


if __name__ == "__main__":
    main()
