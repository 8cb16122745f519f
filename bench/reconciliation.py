"""Reconciliation benchmark: a million care events followed through four systems.

    python bench/reconciliation.py [--events 1000000] [--keep]
    DATABASE_URL=postgres://... python bench/reconciliation.py --events 1000000

Steps (each timed separately):

1. seed: the care events themselves, bulk-inserted as reconciliation rows (``TrackedEvent``)
   spread over one month and 40 units / 400 practitioners / 30 product codes. This stands in
   for the care-event imports and is reported but is not the figure the targets speak of.
2. import: one CSV status list per system (GVR, ERSMO, HEJ, VF; a realistic mix of OK, BeEj,
   error, remark and pending) through ``services.import_status_file``: strict parsing, one
   transaction per file, status + history rows. Then the VF file again (the idempotent
   re-import: nothing may change).
3. matrix: ``selectors.status_matrix`` with 12 different filter sets, each run several times
   (page of 100 rows + totals over every matching event); p50 and p95 wall time.
   ``--matrix-repeats`` sets the runs per filter set (default 5).
4. export: ``export.write_reports`` of the whole month (every event, 13 columns, plus a
   grouped sheet) to an .xlsx file, in a fresh child process so that its peak RSS
   (``resource.getrusage``) measures the export alone (with Python and Django loaded).
   ``--tracemalloc`` also reports Python's own peak allocation (slower).

Targets (issue 8): export under 60 s and under 500 MB peak.
Without DATABASE_URL the benchmark uses its own SQLite file, var/bench-reconciliation.sqlite3.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = ROOT / "var" / "bench-reconciliation.sqlite3"
SYSTEMS = ("GVR", "ERSMO", "HEJ", "VF")
MIX = {  # per system: share of each status; the rest is OK
    "GVR": (("error", 0.004),),
    "ERSMO": (("error", 0.01), ("remark", 0.02)),
    "HEJ": (("remark", 0.02), ("pending", 0.01)),
    "VF": (("BeEj", 0.03), ("error", 0.01), ("pending", 0.02)),
}
PRODUCTS = [f"P{n:03d}" for n in range(30)]


def setup_django(db_path: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{db_path}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvitt.settings")
    os.environ.setdefault("KVITT_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). Not ru_maxrss: Linux keeps that across
    fork+exec, so a child would report its parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def actor_for_bench():
    from kvitt.core.models import Membership, Organisation, User
    from kvitt.core.permissions import Actor

    organisation, _ = Organisation.objects.get_or_create(
        name="Bench Vård AB", kind="clinic_company", country="SE", org_number="5560360793"
    )
    user, _ = User.objects.get_or_create(username="bench", defaults={"email": "bench@example.se"})
    membership, _ = Membership.objects.get_or_create(user=user, organisation=organisation, role="billing_clerk")
    return Actor.for_membership(membership)


def seed_events(actor, count: int, rng: random.Random) -> float:
    """Insert the care events' reconciliation rows with plain executemany (setup, not a product path)."""
    import json as json_module
    import zoneinfo

    from django.db import connection, transaction

    from kvitt.reconciliation.models import TrackedEvent

    tz = zoneinfo.ZoneInfo("Europe/Stockholm")
    fields = ("organisation", "number", "start", "period", "unit_code", "unit_name", "practitioner_code",
              "practitioner_name", "product_code", "product_codes", "amounts", "amount_ore", "voided", "origin", "updated_at")
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(TrackedEvent._meta.db_table)} "
           f"({', '.join(quote(TrackedEvent._meta.get_field(f).column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    adapt_dt, adapt_date = connection.ops.adapt_datetimefield_value, connection.ops.adapt_datefield_value
    period = adapt_date(datetime.date(2026, 10, 1))
    now = adapt_dt(datetime.datetime.now(tz))
    started = time.perf_counter()
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(count):
            product = PRODUCTS[i % len(PRODUCTS)]
            amount = 20000 + (i % 30) * 2500
            unit = i % 40
            practitioner = i % 400
            start = datetime.datetime(2026, 10, 1 + i % 31, 8 + i % 9, (i * 7) % 60, tzinfo=tz)
            batch.append((
                actor.organisation.pk, f"VH{i:09d}", adapt_dt(start), period, f"SE5560360793-U{unit:03d}",
                f"Vårdenhet {unit:03d}", f"SE5560360793-P{practitioner:04d}", f"Behandlare {practitioner:04d}",
                product, json_module.dumps([product]), json_module.dumps({"home_region": amount}), amount, False, "ersmo", now,
            ))
            if len(batch) == 10_000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    return time.perf_counter() - started


def status_file(system: str, count: int, rng: random.Random) -> bytes:
    lines = ["event_number;system;status;status_time;code;text;product_code;amount"]
    mix = MIX[system]
    for i in range(count):
        roll = rng.random()
        status, code, text = "OK", "", ""
        edge = 0.0
        for name, share in mix:
            edge += share
            if roll < edge:
                status = name
                code = {"error": "E12", "remark": "R4"}.get(name, "")
                text = {"error": "Diagnos saknas", "remark": "Pris justerat", "BeEj": "Avtal ej aktiverat"}.get(name, "")
                break
        amount = "" if system != "HEJ" else f"{200 + (i % 30) * 25},00"
        lines.append(f"VH{i:09d};{system};{status};2026-11-0{SYSTEMS.index(system) + 1}T06:00:00+01:00;{code};{text};"
                     f"{PRODUCTS[i % len(PRODUCTS)]};{amount}")
    return ("\n".join(lines) + "\n").encode()


def seed_statuses(actor, count: int, rng: random.Random) -> float:
    """The same statuses the CSV files carry, bulk-inserted without the import (``--statuses
    direct``: for re-measuring the matrix and the export without the 35-minute import)."""
    import zoneinfo

    from django.db import connection, transaction

    from kvitt.reconciliation.models import DownstreamSystem, EventStatus, TrackedEvent
    from kvitt.reconciliation.services import _STATUS_INSERT, _insert_sql

    tz = zoneinfo.ZoneInfo("Europe/Stockholm")
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(datetime.datetime.now(tz))
    ids = dict(TrackedEvent.objects.filter(organisation=actor.organisation).values_list("number", "id"))
    systems = {s.code: s.pk for s in DownstreamSystem.objects.filter(organisation=actor.organisation)}
    sql = _insert_sql(EventStatus, _STATUS_INSERT)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for system in SYSTEMS:
            status_time = adapt(datetime.datetime(2026, 11, 1 + SYSTEMS.index(system), 6, 0, tzinfo=tz))
            batch = []
            for line in status_file(system, count, rng).decode().splitlines()[1:]:
                number, _, status, _, code, text, product, amount = line.split(";")
                amount_ore = int(amount.replace(",", "")) if amount else None
                batch.append((ids[number], systems[system], status, code, text, status_time, product, amount_ore, "bench", now, None))
                if len(batch) == 10_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
    return time.perf_counter() - started


MATRIX_FILTERS = [
    {"period_from": "2026-10", "period_to": "2026-10"},
    {"period_from": "2026-10", "status": ["BeEj"], "system": ["VF"]},
    {"period_from": "2026-10", "status": ["error"], "system": ["VF", "HEJ"]},
    {"status": ["error", "remark"]},
    {"unit": "SE5560360793-U007"},
    {"unit": "Vårdenhet 012", "status": ["pending"], "system": ["VF"]},
    {"practitioner": "SE5560360793-P0123"},
    {"product_code": "P007"},
    {"product_code": "P011", "status": ["BeEj"], "system": ["VF"]},
    {"status": ["none"], "system": ["VF"]},
    {"period_from": "2026-10", "unit": "SE5560360793-U003", "product_code": "P003"},
    {"practitioner": "Behandlare 0042", "status": ["OK"], "system": ["GVR"]},
]


def matrix_times(actor, repeats: int) -> list[float]:
    from kvitt.reconciliation.selectors import status_matrix

    times = []
    for _ in range(repeats):
        for filters in MATRIX_FILTERS:
            started = time.perf_counter()
            matrix = status_matrix(actor, filters, page=2)
            len(matrix.rows)
            times.append(time.perf_counter() - started)
    return times


def export_phase(args) -> dict:
    """Run in a child process: only the export, so its peak RSS is the export's."""
    setup_django(Path(args.db))
    baseline = peak_rss_mb()
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()
    from kvitt.reconciliation.export import write_reports

    actor = actor_for_bench()
    columns = ["number", "date", "unit_name", "practitioner_name", "product_code", "amount",
               *[f"status:{s}" for s in SYSTEMS], "code:VF", "text:VF", "amount:HEJ"]
    definitions = [
        {"name": "Oktober", "columns": columns, "filters": {"period_from": "2026-10", "period_to": "2026-10"}, "group_by": [], "sort": []},
        {"name": "Per enhet och VF-status", "columns": ["number"], "filters": {"period_from": "2026-10"},
         "group_by": ["unit", "status:VF"], "sort": []},
    ]
    path = ROOT / "var" / "bench-reconciliation.xlsx"
    started, cpu_started = time.perf_counter(), time.process_time()
    result = write_reports(actor, definitions, str(path))
    elapsed = time.perf_counter() - started
    out = {"export_s": elapsed, "export_cpu_s": time.process_time() - cpu_started, "rows": result.total_rows, "file_mb": path.stat().st_size / 1e6,
           "peak_rss_mb": peak_rss_mb(), "rss_before_mb": baseline}
    if args.tracemalloc:
        import tracemalloc

        out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    return out


def matrix_percentiles(actor, repeats: int) -> tuple[float, float]:
    times = sorted(matrix_times(actor, repeats))
    p50, p95 = statistics.median(times), times[max(0, int(round(0.95 * len(times))) - 1)]
    print(f"matrix: {len(times)} queries, p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms", flush=True)
    return p50, p95


def run_export_child(args, db) -> dict:
    command = [sys.executable, __file__, "--phase", "export", "--db", str(db)] + (["--tracemalloc"] if args.tracemalloc else [])
    child = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    if child.returncode != 0:
        sys.exit(child.stderr)
    return json.loads(child.stdout.strip().splitlines()[-1])


def direct_tail(args, db, actor, using_sqlite_file) -> None:
    """Matrix and export over directly seeded statuses."""
    from django.db import connection

    matrix_percentiles(actor, args.matrix_repeats)
    connection.close()
    print(f"load average before the export {os.getloadavg()[0]:.1f}", flush=True)
    export = run_export_child(args, db)
    print(f"export: {export['rows']:,} rows in {export['export_s']:.1f} s ({export['export_cpu_s']:.1f} s CPU), "
          f"file {export['file_mb']:.0f} MB, peak RSS {export['peak_rss_mb']:.0f} MB", flush=True)
    ok = export["export_s"] < 60 and export["peak_rss_mb"] < 500
    print(f"targets (export < 60 s, < 500 MB): {'met' if ok else 'NOT met'}")
    print(f"machine: {os.cpu_count()} CPUs, load average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if using_sqlite_file and not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", default=str(DEFAULT_DB))
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file afterwards")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--matrix-repeats", type=int, default=5)
    parser.add_argument("--phase", choices=["all", "export"], default="all")
    parser.add_argument("--statuses", choices=["import", "direct"], default="import",
                        help="direct: bulk-insert the statuses instead of importing the four files (skips the import figures)")
    args = parser.parse_args()
    if args.phase == "export":
        print(json.dumps(export_phase(args)))
        return

    db = Path(args.db)
    using_sqlite_file = "DATABASE_URL" not in os.environ
    if using_sqlite_file:
        db.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    setup_django(db)
    from django.core.management import call_command
    from django.db import connection

    from kvitt.reconciliation import services
    from kvitt.reconciliation.models import EventStatus, StatusHistory, TrackedEvent

    call_command("migrate", verbosity=0)
    if not using_sqlite_file:
        TrackedEvent.objects.filter(organisation__name="Bench Vård AB").delete()
    rng = random.Random(8)
    actor = actor_for_bench()
    services.register_default_systems(actor)
    print(f"database: {connection.vendor}; events: {args.events:,}; load average {os.getloadavg()[0]:.1f}", flush=True)

    seed_s = seed_events(actor, args.events, rng)
    print(f"seed {args.events:,} events: {seed_s:.1f} s", flush=True)

    if args.statuses == "direct":
        seeded = seed_statuses(actor, args.events, rng)
        print(f"statuses bulk-inserted (no import timed): {seeded:.1f} s", flush=True)
        return direct_tail(args, db, actor, using_sqlite_file)
    files = {s: status_file(s, args.events, rng) for s in SYSTEMS}
    import_times = {}
    for system, data in files.items():
        started = time.perf_counter()
        run = services.import_status_file(actor, f"{system.lower()}-2026-10.csv", data)
        import_times[system] = time.perf_counter() - started
        print(f"import {system}: {run.rows:,} rows, {run.created:,} created in {import_times[system]:.1f} s "
              f"({run.rows / import_times[system]:,.0f} rows/s)", flush=True)
    started = time.perf_counter()
    again = services.import_status_file(actor, "vf-2026-10.csv", files["VF"])
    reimport_s = time.perf_counter() - started
    assert again.created == 0 and again.changed == 0, "re-import changed something"
    print(f"re-import VF: {again.unchanged:,} unchanged in {reimport_s:.1f} s", flush=True)
    statuses, history = EventStatus.objects.count(), StatusHistory.objects.count()
    del files

    p50, p95 = matrix_percentiles(actor, args.matrix_repeats)
    connection.close()

    export = run_export_child(args, db)
    print(f"export: {export['rows']:,} rows in {export['export_s']:.1f} s ({export['export_cpu_s']:.1f} s CPU), file {export['file_mb']:.0f} MB, "
          f"peak RSS {export['peak_rss_mb']:.0f} MB (process before export {export['rss_before_mb']:.0f} MB)"
          + (f", tracemalloc peak {export['tracemalloc_peak_mb']:.0f} MB" if "tracemalloc_peak_mb" in export else ""), flush=True)

    total_import = sum(import_times.values())
    print()
    print(f"| events | systems | status rows | import (4 files) | re-import | matrix p50 / p95 | export | export peak RSS |")
    print(f"|---|---|---|---|---|---|---|---|")
    print(f"| {args.events:,} | {len(SYSTEMS)} | {statuses:,} (+{history:,} history) | {total_import:.0f} s "
          f"({statuses / total_import:,.0f} rows/s) | {reimport_s:.0f} s | {p50 * 1000:.0f} / {p95 * 1000:.0f} ms | "
          f"{export['export_s']:.0f} s | {export['peak_rss_mb']:.0f} MB |")
    ok = export["export_s"] < 60 and export["peak_rss_mb"] < 500
    print(f"targets (export < 60 s, < 500 MB): {'met' if ok else 'NOT met'}")
    print(f"machine: {os.cpu_count()} CPUs, load average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if using_sqlite_file and not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
