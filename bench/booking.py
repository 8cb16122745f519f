"""Benchmark: clinic search over a national network, and concurrent booking, on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres kvitt_bench_booking
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvitt_bench_booking .venv/bin/python bench/booking.py

Builds (once; --rebuild to start over) 5 000 locations x 20 practitioners x 30 days of slots
(``--slots-per-day`` each), spread over Norway around the postcode-area towns, with one insurer
approving most companies (some approvals lapsed or revoked). Then it measures

* search: ``kvitt.booking.search.search_locations`` from random places, random profession,
  sorted by distance or by earliest availability; prints p50/p95/max in ms (target p95 < 100 ms);
* booking: ``--threads`` workers each booking random free slots of one city for ``--seconds``
  through ``kvitt.booking.services.book_slot`` (conditional UPDATE claim, coverage reservation,
  outbox row, task enqueue); prints bookings/s and how many lost a race cleanly.

``--scale 0.1`` shrinks the network (locations) for a quick run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kvitt_bench_booking")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvitt.settings")
os.environ.setdefault("KVITT_LOG_LEVEL", "WARNING")
# The booking notices are composed and handed to a backend that drops them.
os.environ.setdefault("KVITT_EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402
from stdnum.no import orgnr  # noqa: E402

from kvitt.booking import geo, sealing, search, services  # noqa: E402
from kvitt.booking.models import (  # noqa: E402
    AppointmentType,
    Calendar,
    IntegrationStatus,
    JournalIntegration,
    Slot,
    SlotStatus,
)
from kvitt.cases import services as case_services  # noqa: E402
from kvitt.core.models import Organisation, OrganisationKind, Role  # noqa: E402
from kvitt.core.permissions import Actor  # noqa: E402
from kvitt.ledger.models import IdType, Patient  # noqa: E402
from kvitt.network.models import Company, Location, PartnerApproval, Payer, PayerKind, Practitioner  # noqa: E402

PROFESSIONS = ["physiotherapist", "manual_therapist", "psychologist", "chiropractor"]
MARKER = "bench-booking"
# Bigger towns get more clinics.
WEIGHTS = {"Oslo": 12, "Bergen": 5, "Trondheim": 4, "Stavanger": 4, "Sandvika": 3, "Lillestrøm": 3, "Drammen": 2,
           "Kristiansand": 2, "Tromsø": 2, "Fredrikstad": 2}


def valid_org_numbers(start: int):
    body = start
    while True:
        for digit in "0123456789":
            candidate = f"{body:08d}{digit}"
            if orgnr.is_valid(candidate):
                yield candidate
                break
        body += 1


def build(locations_n: int, practitioners_per_location: int, days: int, slots_per_day: int, seed: int) -> None:
    rng = random.Random(seed)
    t0 = time.perf_counter()
    payer_org = Organisation.objects.create(name="Bench Forsikring ASA", kind=OrganisationKind.INSURER, org_number="995568217")
    payer = Payer.objects.create(organisation=payer_org, name="Bench Forsikring ASA", kind=PayerKind.INSURER, org_number="995568217",
                                 email="bench@forsikring.example")
    companies_n = max(1, locations_n // 5)
    numbers = valid_org_numbers(91_000_000)
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"{MARKER} {i}", kind=OrganisationKind.CLINIC_COMPANY, org_number=next(numbers)) for i in range(companies_n)]
    )
    companies = Company.objects.bulk_create(
        [Company(organisation=o, name=o.name, org_number=o.org_number, email="post@clinic.example") for o in orgs]
    )
    towns = [(name, lat, lon) for _a, _b, name, lat, lon in geo.POSTCODE_AREAS]
    town_weights = [WEIGHTS.get(name, 1) for name, _lat, _lon in towns]
    locations = []
    for i in range(locations_n):
        name, lat, lon = rng.choices(towns, town_weights)[0]
        locations.append(Location(
            company=companies[i % companies_n], name=f"{name} klinikk {i}", city=name,
            latitude=round(lat + rng.gauss(0, 0.12), 6), longitude=round(lon + rng.gauss(0, 0.22), 6),
        ))
    locations = Location.objects.bulk_create(locations, batch_size=2000)
    today = timezone.localdate()
    approvals = []
    for c in companies:
        roll = rng.random()
        if roll < 0.8:
            approvals.append(PartnerApproval(payer=payer, company=c, valid_from=today - datetime.timedelta(days=400)))
        elif roll < 0.9:
            approvals.append(PartnerApproval(payer=payer, company=c, valid_from=today - datetime.timedelta(days=400),
                                             valid_to=today - datetime.timedelta(days=1)))
        else:
            approvals.append(PartnerApproval(payer=payer, company=c, valid_from=today - datetime.timedelta(days=400),
                                             revoked_at=timezone.now()))
    PartnerApproval.objects.bulk_create(approvals)
    key = sealing.seal(sealing.new_webhook_key())
    JournalIntegration.objects.bulk_create(
        [JournalIntegration(location=loc, system="kvitt-http-v1", base_url="http://127.0.0.1:9/kvitt/v1", webhook_key_sealed=key,
                            status=IntegrationStatus.ACTIVE, activated_at=timezone.now()) for loc in locations],
        batch_size=2000,
    )
    types = AppointmentType.objects.bulk_create(
        [AppointmentType(location=loc, external_id="t30", name="Behandling 30 min", duration_minutes=30, online_bookable=True,
                         service_codes=["B1010"]) for loc in locations],
        batch_size=2000,
    )
    practitioners = []
    for loc in locations:
        for j in range(practitioners_per_location):
            practitioners.append(Practitioner(company_id=loc.company_id, name=f"Behandler {loc.pk}-{j}", hpr_number=str(1_000_000 + len(practitioners)),
                                              professions=[rng.choice(PROFESSIONS)], competences=[]))
    practitioners = Practitioner.objects.bulk_create(practitioners, batch_size=5000)
    through = Practitioner.locations.through
    links, calendars = [], []
    for idx, p in enumerate(practitioners):
        loc = locations[idx // practitioners_per_location]
        links.append(through(practitioner_id=p.pk, location_id=loc.pk))
        calendars.append(Calendar(practitioner=p, location=loc, external_id=f"cal-{p.pk}"))
    through.objects.bulk_create(links, batch_size=5000)
    calendars = Calendar.objects.bulk_create(calendars, batch_size=5000)
    print(f"network built in {time.perf_counter() - t0:.1f} s; generating slots ...", flush=True)
    tz = timezone.get_current_timezone()
    first = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(8, 0), tz)
    step = max(1, 16 // slots_per_day)  # slots_per_day half-hours out of a 08:00-16:00 day
    t1 = time.perf_counter()
    with connection.cursor() as cursor:
        # Generated in the database: a Python loop would spend minutes on twelve million rows.
        # The rows are consistent by construction, so the deferred foreign-key triggers (one
        # queued event per row and key) are skipped for the load (needs a superuser, as in CI).
        cursor.execute("SET session_replication_role = replica")
        saved = _drop_slot_indexes(cursor)
        cursor.execute(
            """
            INSERT INTO booking_slot (calendar_id, location_id, practitioner_id, appointment_type_id, start, "end",
                                      status, external_id, updated_at)
            SELECT c.id, c.location_id, c.practitioner_id, t.id, s.start, s.start + interval '30 minutes',
                   CASE WHEN random() < 0.7 THEN 'free' ELSE 'blocked' END, '', now()
            FROM booking_calendar c
            JOIN booking_appointmenttype t ON t.location_id = c.location_id
            CROSS JOIN LATERAL (
                SELECT %s::timestamptz + d * interval '1 day' + ((k * %s + c.id %% %s) * interval '30 minutes') AS start
                FROM generate_series(0, %s - 1) d, generate_series(0, %s - 1) k
            ) s
            WHERE c.location_id IN (SELECT id FROM network_location WHERE name LIKE '%%klinikk%%')
            """,
            [first, step, step, days, slots_per_day],
        )
        total = cursor.rowcount
        print(f"{total} slots inserted in {time.perf_counter() - t1:.1f} s; rebuilding indexes ...", flush=True)
        _restore_slot_indexes(cursor, saved)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
    print(f"{total} slots generated in {time.perf_counter() - t1:.1f} s", flush=True)


def _drop_slot_indexes(cursor) -> tuple[list[str], list[tuple[str, str]]]:
    """Drop the slot table's secondary indexes and unique constraints for the bulk load; building
    them once afterwards is many times faster than maintaining eight of them row by row."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'booking_slot'::regclass AND contype = 'u'"
    )
    constraints = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE booking_slot DROP CONSTRAINT "{name}"')
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'booking_slot' AND indexname NOT LIKE '%%_pkey'"
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in indexes], constraints


def _restore_slot_indexes(cursor, saved) -> None:
    indexes, constraints = saved
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE booking_slot ADD CONSTRAINT "{name}" {definition}')


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def bench_search(actor: Actor, queries: int, seed: int) -> dict:
    rng = random.Random(seed)
    towns = [(name, lat, lon) for _a, _b, name, lat, lon in geo.POSTCODE_AREAS]
    weights = [WEIGHTS.get(name, 1) for name, _lat, _lon in towns]
    for _ in range(10):  # warm the caches and connection
        search.search_locations(actor, latitude=59.91, longitude=10.75, profession="physiotherapist")
    timings, hits = [], []
    for i in range(queries):
        _name, lat, lon = rng.choices(towns, weights)[0]
        sort = search.SORT_AVAILABILITY if i % 2 else search.SORT_DISTANCE
        t = time.perf_counter()
        _origin, results = search.search_locations(
            actor, latitude=lat + rng.gauss(0, 0.05), longitude=lon + rng.gauss(0, 0.1), radius_km=rng.choice([10, 25, 50]),
            profession=rng.choice(PROFESSIONS), sort=sort, limit=20,
        )
        timings.append((time.perf_counter() - t) * 1000)
        hits.append(len(results))
    return {
        "queries": queries, "p50_ms": percentile(timings, 0.5), "p95_ms": percentile(timings, 0.95), "max_ms": max(timings),
        "mean_hits": statistics.mean(hits),
    }


def bench_booking(actor: Actor, payer: Payer, threads: int, seconds: float, seed: int) -> dict:
    """Threads work in pairs; both threads of a pair walk the same list of free slots of one
    approved company in the same order, so every slot is a real race that exactly one wins."""
    today = timezone.localdate()
    pairs = max(1, threads // 2)
    approved = list(
        PartnerApproval.objects.active_on(today).filter(payer=payer, company__name__startswith=MARKER)
        .values_list("company_id", flat=True)[: pairs]
    )
    pools = []
    for company_id in approved:
        pools.append(list(
            Slot.objects.filter(location__company_id=company_id, status=SlotStatus.FREE, start__gt=timezone.now())
            .order_by("start", "id").values_list("pk", flat=True)[:5000]
        ))
    stamp = f"{seed % 10**6:06d}"
    assignments = []
    for i in range(2 * len(pools)):
        patient, _ = Patient.objects.get_or_create(
            organisation=payer.organisation, national_id=f"B{stamp}{i:04d}",
            defaults={"id_type": IdType.FNR, "name": f"Bench {i}"},
        )
        assignments.append(case_services.open_assignment(
            actor, patient=patient, professions=PROFESSIONS, max_treatments=100_000, max_amount=10**12,
            valid_from=today, valid_to=today + datetime.timedelta(days=365),
        ))
    stop_at = time.perf_counter() + seconds
    counts = {"booked": 0, "lost_race": 0, "other": 0}
    errors: dict[str, int] = {}
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(assignment, pool):
        try:
            for slot_id in pool:
                if time.perf_counter() >= stop_at:
                    break
                started = time.perf_counter()
                try:
                    services.book_slot(actor, assignment, slot_id)
                    outcome = "booked"
                except services.SlotUnavailable:
                    outcome = "lost_race"
                except Exception as exc:  # counted and shown: the bench must not hide failures
                    outcome = "other"
                    with lock:
                        errors[f"{type(exc).__name__}: {exc}"[:120]] = errors.get(f"{type(exc).__name__}: {exc}"[:120], 0) + 1
                with lock:
                    counts[outcome] += 1
                    latencies.append((time.perf_counter() - started) * 1000)
        finally:
            connections.close_all()

    t0 = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(assignments[i], pools[i // 2])) for i in range(len(assignments))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - t0
    return {
        **counts, "threads": len(workers), "seconds": elapsed, "bookings_per_s": counts["booked"] / elapsed, "errors": errors,
        "p50_ms": percentile(latencies, 0.5) if latencies else 0.0, "p95_ms": percentile(latencies, 0.95) if latencies else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 5 000 locations")
    parser.add_argument("--practitioners", type=int, default=20)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--slots-per-day", type=int, default=4)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/booking.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    locations_n = max(10, int(5000 * args.scale))
    existing = Location.objects.filter(company__name__startswith=MARKER).count()
    if args.rebuild or existing != locations_n:
        if existing:
            sys.exit(f"the database holds a network of {existing} locations; dropdb/createdb it (or use that --scale)")
        build(locations_n, args.practitioners, args.days, args.slots_per_day, args.seed)
    payer = Payer.objects.get(name="Bench Forsikring ASA")
    actor = Actor(user=None, organisation=payer.organisation, role=Role.INSURER_CASE_HANDLER, label="bench")
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    print(f"network: {Location.objects.count()} locations, {Practitioner.objects.count()} practitioners, "
          f"{Slot.objects.count()} slots ({Slot.objects.filter(status=SlotStatus.FREE).count()} free)", flush=True)
    s = bench_search(actor, args.queries, args.seed)
    print(f"search: {s['queries']} queries, p50 {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms, max {s['max_ms']:.1f} ms, "
          f"mean {s['mean_hits']:.1f} results  (target p95 < 100 ms: {'met' if s['p95_ms'] < 100 else 'NOT met'})", flush=True)
    b = bench_booking(actor, payer, args.threads, args.seconds, args.seed + int(time.time()))
    print(f"booking: {b['threads']} threads for {b['seconds']:.1f} s: {b['booked']} booked ({b['bookings_per_s']:.1f}/s), "
          f"{b['lost_race']} lost a race cleanly, {b['other']} other errors; attempt latency p50 {b['p50_ms']:.1f} ms, "
          f"p95 {b['p95_ms']:.1f} ms", flush=True)
    for message, n in b["errors"].items():
        print(f"  {n} x {message}")


if __name__ == "__main__":
    main()
