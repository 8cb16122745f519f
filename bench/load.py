"""Load test: Kvitt behind gunicorn on PostgreSQL, driven by locust (headless).

    python bench/load.py [--users 10] [--seconds 30] [--workers 1,2] [--pg postgres://postgres@127.0.0.1:5432]

What it does, in order:
1. ``createdb kvitt_bench_load`` (dropped first if it exists), ``kvitt migrate``, ``kvitt demo``;
2. prepares what the requests need (not timed): API tokens for the demo insurer and clinic, a
   downstream system, the clinic's care events tracked for reconciliation, distinct EHF
   invoices (built with Kvitt's EHF builder) for the inbound webhook, and distinct OCR giro
   bank files (written with netsgiro) paying the demo clinic's open patient invoices by KID;
3. for each worker count: starts ``gunicorn kvitt.wsgi -w N``, runs locust headless for the given
   time at the given number of concurrent users, stops gunicorn;
4. prints requests/s and p50/p95/p99 (ms) per endpoint, for each worker count.

Endpoints (kvitt/*/api.py): booking search (GET /api/v1/booking/search, the insurer's token),
the insurer's inbound invoice webhook (POST /api/v1/claims/inbound, one new EHF invoice a request),
a reconciliation status feed (POST /api/v1/reconciliation/statuses, a batch of 20 statuses from a
downstream system, the clinic's token), the bank import (POST /api/v1/payments/bank-files, one new
OCR giro file of 20 payments a request, the clinic's billing clerk's token) and the Prometheus
scrape (GET /metrics). bench/payments.py measures the import itself at volume.

This same file is the locustfile: locust imports it with KVITT_LOAD_PLAN pointing at the plan
written in step 2, and only the ``KvittApiUser`` class below matters then.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "kvitt_bench_load"
INVOICES_PER_RUN = 1500
BANK_FILES_PER_RUN = 600
PAYMENTS_PER_BANK_FILE = 20
ENDPOINTS = ("booking search", "claims inbound webhook", "reconciliation status feed", "bank import", "metrics scrape")


# --- the locust side ----------------------------------------------------------------------------

if os.environ.get("KVITT_LOAD_PLAN"):
    from locust import HttpUser, between, task

    PLAN = json.loads(Path(os.environ["KVITT_LOAD_PLAN"]).read_text())
    # Each run has invoices of its own, so every webhook request brings a new document.
    RUN_INVOICES = PLAN["invoice_files"][int(os.environ.get("KVITT_LOAD_RUN", "0"))]
    INVOICES = [Path(p).read_bytes() for p in RUN_INVOICES]
    RUN_BANK_FILES = PLAN["bank_files"][int(os.environ.get("KVITT_LOAD_RUN", "0"))]
    BANK_FILES = [Path(p).read_bytes() for p in RUN_BANK_FILES]

    class KvittApiUser(HttpUser):
        wait_time = between(0, 0.05)

        def on_start(self):
            self.insurer = {"Authorization": f"Bearer {PLAN['insurer_token']}"}
            self.clinic = {"Authorization": f"Bearer {PLAN['clinic_token']}"}
            self.clerk = {"Authorization": f"Bearer {PLAN['clerk_token']}"}

        @task(4)
        def booking_search(self):
            postcode = random.choice(["0155", "0366", "5013", "0191"])
            self.client.get(
                f"/api/v1/booking/search?postcode={postcode}&radius_km=500&slots=3", headers=self.insurer, name="booking search"
            )

        @task(2)
        def claims_inbound(self):
            document = INVOICES.pop() if INVOICES else PLAN_FALLBACK_INVOICE()
            with self.client.post(
                "/api/v1/claims/inbound", data=document, headers={**self.insurer, "Content-Type": "application/xml"},
                name="claims inbound webhook", catch_response=True,
            ) as response:
                if response.status_code not in (200, 202):
                    response.failure(f"HTTP {response.status_code}: {response.text[:200]}")

        @task(2)
        def status_feed(self):
            numbers = random.sample(PLAN["event_numbers"], min(20, len(PLAN["event_numbers"])))
            now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
            statuses = []
            for n in numbers:
                status = random.choice(["OK", "pending", "error"])
                statuses.append({"event_number": n, "system": PLAN["system"], "status": status, "status_time": now,
                                 "code": "E42" if status == "error" else "", "text": "bench"})
            self.client.post(
                "/api/v1/reconciliation/statuses", json={"source": "bench", "statuses": statuses}, headers=self.clinic,
                name="reconciliation status feed",
            )

        @task(1)
        def bank_import(self):
            # A new file each time (201); once they run out, a repeat (the idempotent 200 path).
            document = BANK_FILES.pop() if BANK_FILES else Path(random.choice(RUN_BANK_FILES)).read_bytes()
            with self.client.post(
                "/api/v1/payments/bank-files?name=ocr.txt", data=document,
                headers={**self.clerk, "Content-Type": "application/octet-stream"}, name="bank import", catch_response=True,
            ) as response:
                if response.status_code not in (200, 201):
                    response.failure(f"HTTP {response.status_code}: {response.text[:200]}")

        @task(1)
        def metrics(self):
            self.client.get("/metrics", name="metrics scrape")

    def PLAN_FALLBACK_INVOICE() -> bytes:
        # Ran out of prepared invoices: re-send one (the idempotent 200 path).
        return Path(random.choice(RUN_INVOICES)).read_bytes()


# --- the orchestrator ---------------------------------------------------------------------------


def run(command: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    # locust exits 1 when any request failed; the failures are in its figures, so carry on.
    return subprocess.run(command, env=env, check=False, cwd=ROOT, **kw)


def fresh_database(pg: str) -> str:
    host_part = pg.split("://", 1)[1].rsplit("@", 1)
    user = host_part[0].split(":")[0] if len(host_part) == 2 else "postgres"
    host, _, port = host_part[-1].partition(":")
    args = ["-h", host, "-p", port or "5432", "-U", user]
    subprocess.run(["dropdb", "--if-exists", *args, DB_NAME], check=True)
    subprocess.run(["createdb", *args, DB_NAME], check=True)
    return f"{pg}/{DB_NAME}"


def prepare(database_url: str, work: Path, invoices: int, runs: int) -> Path:
    """Migrate, load the demo, and write the plan the load generator reads (untimed)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvitt.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo")
    return write_plan(work, invoices, runs)


def write_plan(work: Path, invoices: int, runs: int) -> Path:
    import datetime
    import zoneinfo
    from decimal import Decimal

    from kvitt.core.models import ApiToken, Role
    from kvitt.core.permissions import Actor
    from kvitt.einvoice.builder import BuyerInput, InvoiceInput, LineInput, SellerInput, build_invoice
    from kvitt.ledger.models import CareEvent
    from kvitt.network.models import Company, Payer
    from kvitt.reconciliation import services as reconciliation

    insurer = Payer.objects.get(name="Nordlys Forsikring ASA")
    company = Company.objects.get(name="Fjordbyen Fysioterapi AS")
    clinic_org = company.organisation
    insurer_token = ApiToken.issue(insurer.organisation, "load test", Role.INSURER_CASE_HANDLER)[1]
    clinic_token = ApiToken.issue(clinic_org, "load test", Role.CLINIC_ADMIN)[1]
    clerk_token = ApiToken.issue(clinic_org, "load test bank robot", Role.BILLING_CLERK)[1]
    clinic = Actor(user=None, organisation=clinic_org, role=Role.CLINIC_ADMIN, label="bench")
    reconciliation.register_system(clinic, code="BENCH", name="Load-test system")
    numbers = []
    for event in CareEvent.objects.filter(organisation=clinic_org, is_current=True):
        numbers.append(reconciliation.track_care_event(clinic, event).number)

    oslo = zoneinfo.ZoneInfo("Europe/Oslo")
    seller = SellerInput(
        name=company.name, org_number=company.org_number, vat_category="E", foretaksregisteret=True,
        bank_account=company.bank_account, kid_algorithm="MOD10", kid_length=10, street=company.street,
        postcode=company.postcode, city=company.city, email=company.invoice_email or company.email,
    )
    buyer = BuyerInput(name=insurer.name, org_number=insurer.org_number, street="Postboks 1", postcode="0101", city="Oslo")
    folder = work / "invoices"
    folder.mkdir(parents=True, exist_ok=True)
    files = [[] for _ in range(runs)]
    for n in range(invoices * runs):
        line = LineInput(
            treatment_id="B1010", description="Fysioterapi", quantity=Decimal("1"), unit_price=Decimal("850.00"),
            treatment_datetime=datetime.datetime(2026, 3, 2, 9, 0, tzinfo=oslo), duration_minutes=45,
            therapist_hpr="9144889", therapist_name="Kari Nordmann", profession="Fysioterapeut",
            diagnose="L92 Skulder lidelse uspesifisert",
        )
        document = build_invoice(InvoiceInput(
            number=f"LOAD{n:06d}", issue_date=datetime.date(2026, 3, 20), due_date=datetime.date(2026, 4, 3),
            sak_id="LOAD1", seller=seller, buyer=buyer, lines=(line,), currency="NOK",
        ))
        path = folder / f"{n:06d}.xml"
        path.write_bytes(document)
        files[n % runs].append(str(path))
    bank_files = write_bank_files(work, company, runs)
    plan = {"insurer_token": insurer_token, "clinic_token": clinic_token, "clerk_token": clerk_token, "system": "BENCH",
            "event_numbers": numbers, "invoice_files": files, "bank_files": bank_files}
    path = work / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def write_bank_files(work: Path, company, runs: int) -> list[list[str]]:
    """OCR giro files to the clinic's own account, each paying 20 of its open invoices a little by KID."""
    import datetime
    from decimal import Decimal

    import netsgiro

    from kvitt.payments.ports import get_ledger

    ledger = get_ledger()
    kids = [item.reference for item in ledger.open_items(company.organisation) if item.reference and not item.closed]
    kids = kids or ["12345678903"]  # no open invoice: the payments wait in the manual queue
    account = "".join(c for c in company.bank_account if c.isdigit()) or "15032080000"
    folder = work / "bank-files"
    folder.mkdir(parents=True, exist_ok=True)
    day = datetime.date(2026, 3, 20)
    files = [[] for _ in range(runs)]
    for n in range(BANK_FILES_PER_RUN * runs):
        sending = netsgiro.Transmission(number=f"{n + 1:07d}", data_transmitter="00008080", data_recipient="00012345", date=day)
        assignment = sending.add_assignment(
            service_code=netsgiro.ServiceCode.OCR_GIRO, assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
            agreement_id="000000001", number=f"{n + 1:07d}", account=account, date=day,
        )
        for k in range(PAYMENTS_PER_BANK_FILE):
            assignment.transactions.append(netsgiro.Transaction(
                service_code=netsgiro.ServiceCode.OCR_GIRO, type=10, number=k + 1, date=day,
                amount=Decimal(100 + k) / 100, kid=kids[(n * PAYMENTS_PER_BANK_FILE + k) % len(kids)],
                reference="099038562", text=None, centre_id="13", day_code=20, partial_settlement_number=1,
                partial_settlement_serial_number="01800", sign="0", form_number="9636827194",
                bank_date=day, debit_account="99990512341", filler="0000000",
            ))
        path = folder / f"{n:06d}.txt"
        path.write_bytes((sending.to_ocr() + "\n").encode("latin-1"))
        files[n % runs].append(str(path))
    return files


def wait_for(url: str, timeout: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def load_run(index: int, workers: int, users: int, seconds: int, env: dict, plan: Path, work: Path, port: int) -> list[dict]:
    server_env = {**env, "KVITT_DEBUG": "false", "KVITT_SECRET_KEY": "bench-load-secret-key-not-for-production",
                  "KVITT_ALLOWED_HOSTS": "127.0.0.1,localhost", "KVITT_LOG_LEVEL": "WARNING"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "kvitt.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=server_env, cwd=ROOT, stdout=(work / f"gunicorn-{workers}.log").open("wb"), stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/readyz")
        prefix = work / f"locust-{workers}w"
        locust = Path(sys.executable).with_name("locust")
        run([str(locust), "-f", __file__, "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            {**env, "KVITT_LOAD_PLAN": str(plan), "KVITT_LOAD_RUN": str(index)}, stdout=subprocess.DEVNULL)
        with open(f"{prefix}_stats.csv", newline="") as handle:
            return list(csv.DictReader(handle))
    finally:
        server.terminate()
        server.wait(20)


def report(rows: list[dict], workers: int, users: int, seconds: int) -> str:
    out = [f"gunicorn -w {workers}, {users} concurrent users, {seconds} s:",
           f"  {'endpoint':<30} {'requests':>9} {'failed':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"]
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        out.append(
            f"  {name:<30} {row['Request Count']:>9} {row['Failure Count']:>7} {float(row['Requests/s']):>8.1f} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
        )
    return "\n".join(out)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10, help="concurrent users (default 10)")
    parser.add_argument("--seconds", type=int, default=30, help="length of each run (default 30)")
    parser.add_argument("--workers", default="1,2", help="gunicorn worker counts to run, comma-separated")
    parser.add_argument("--pg", default=os.environ.get("KVITT_BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
                        help="PostgreSQL server URL without database name")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    work = ROOT / "var" / "bench-load"
    work.mkdir(parents=True, exist_ok=True)
    database_url = fresh_database(args.pg)
    # The web processes run with KVITT_DEBUG=false, which wants real field-encryption keys; the
    # same keys must encrypt the demo data (prepare) and read it (gunicorn).
    from cryptography.fernet import Fernet

    os.environ.setdefault("KVITT_FIELD_KEYS", Fernet.generate_key().decode())
    os.environ.setdefault("KVITT_SEARCH_KEY", Fernet.generate_key().decode())
    worker_counts = [int(n) for n in args.workers.split(",")]
    started = time.monotonic()
    # One new invoice per webhook request in every run: generous for the measured rate.
    plan = prepare(database_url, work, invoices=INVOICES_PER_RUN, runs=len(worker_counts))
    print(f"prepared {DB_NAME} (migrate, demo, tokens, {INVOICES_PER_RUN} invoices a run) in {time.monotonic() - started:.0f} s\n")
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), "KVITT_VAR_DIR": str(work / "var")}
    env.pop("KVITT_LOAD_PLAN", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    for index, workers in enumerate(worker_counts):
        rows = load_run(index, workers, args.users, args.seconds, env, plan, work, args.port)
        print(report(rows, workers, args.users, args.seconds) + "\n")


if __name__ == "__main__":
    main()
