"""Every change to reconciliation state: systems, statuses, imports, report definitions.

For the other apps (Kvitt's own routes) the entry point is :func:`record_status`::

    from kvitt.reconciliation.services import record_status
    record_status(actor, care_event, "HELFO", "error", code="MANGLER_PRAKSISID",
                  text="...", status_time=when, source="kuhr:<id>")

It takes a ledger ``CareEvent`` (any version), a system code (or ``DownstreamSystem``), a
status (``OK``, ``BeEj``, ``error``, ``remark``, ``pending``; Swedish/Norwegian spellings are
accepted) and returns the ``EventStatus`` now current. Calling it again with the same content
changes nothing. Systems of Kvitt's own routes (``HELFO``, ``PATIENT``, ``COLLECTION``,
``INS-<payer org number>``; see :func:`insurer_system_code`) are registered on first use.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from itertools import islice
from typing import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kvitt.core import audit
from kvitt.core.models import Role
from kvitt.core.permissions import Actor, PermissionDenied, require_role
from kvitt.reconciliation.feeds import file_kind, read_care_event_file, read_status_file
from kvitt.reconciliation.formats.records import CareEventRecord, FeedError, StatusRecord
from kvitt.reconciliation.models import (
    DownstreamSystem,
    EventStatus,
    ImportRun,
    ReportDefinition,
    ScheduledReport,
    StatusHistory,
    TrackedEvent,
)
from kvitt.reconciliation.statuses import Status, parse_status

WRITERS = (Role.CLINIC_ADMIN, Role.BILLING_CLERK, Role.REGION_BILLING_OFFICER, "system")
READERS = (*WRITERS, Role.PRACTITIONER, Role.AUDITOR)
CHUNK = 2000

# The Swedish regional chain (domain.md): GVR -> Ersmo -> HEJ -> Vårdfaktura.
SWEDISH_REGION_CHAIN = (
    ("GVR", "GVR – Gemensamt vårdregister", "home_region", False),
    ("ERSMO", "Ersmo – ersättningsmodell", "home_region", False),
    ("HEJ", "HEJ – prissättning och fakturaunderlag", "home_region", False),
    ("VF", "Vårdfaktura", "home_region", True),
)
# Kvitt's own routes report these themselves.
KVITT_ROUTE_SYSTEMS = {
    "HELFO": ("Helfo direkte oppgjør", "helfo", True),
    "PATIENT": ("Pasientfaktura", "patient", True),
    "COLLECTION": ("Inkasso", "patient", False),
}


def insurer_system_code(payer) -> str:
    """The system code of one insurer's route: ``INS-`` and its organisation number."""
    return f"INS-{payer.org_number}"


def _require_writer(actor: Actor) -> None:
    require_role(actor, *WRITERS)


# --- systems -------------------------------------------------------------------------------


@transaction.atomic
def register_system(
    actor: Actor, *, code: str, name: str, position: int | None = None, route: str = "", payer=None,
    kvitt_route: bool = False, invoicing: bool = False,
) -> DownstreamSystem:
    """Add a downstream system to the organisation's registry, or update its description."""
    _require_writer(actor)
    code = code.strip().upper()
    if not code or len(code) > 32 or any(c.isspace() for c in code):
        raise ValidationError({"code": "a system code is 1-32 characters without spaces"})
    if position is None:
        position = DownstreamSystem.objects.filter(organisation=actor.organisation).count() + 1
    system, _created = DownstreamSystem.objects.update_or_create(
        organisation=actor.organisation, code=code,
        defaults={"name": name, "position": position, "route": route, "payer": payer,
                  "kvitt_route": kvitt_route, "invoicing": invoicing, "active": True},
    )
    return system


def register_default_systems(actor: Actor) -> list[DownstreamSystem]:
    """The usual systems for the organisation's country: the regional chain in Sweden,
    Helfo, patient invoicing, collection and each approving insurer in Norway."""
    if actor.organisation.country == "SE":
        return [
            register_system(actor, code=code, name=name, position=i, route=route, invoicing=invoicing)
            for i, (code, name, route, invoicing) in enumerate(SWEDISH_REGION_CHAIN, start=1)
        ]
    systems = [
        register_system(actor, code=code, name=name, position=i, route=route, kvitt_route=True, invoicing=invoicing)
        for i, (code, (name, route, invoicing)) in enumerate(KVITT_ROUTE_SYSTEMS.items(), start=1)
    ]
    company = getattr(actor.organisation, "company", None)
    if company is not None:
        from kvitt.network.models import Payer

        for payer in Payer.objects.filter(approvals__company=company, kind="insurer").distinct():
            systems.append(_insurer_system(actor, payer))
    return systems


def _insurer_system(actor: Actor, payer) -> DownstreamSystem:
    return register_system(
        actor, code=insurer_system_code(payer), name=payer.name, route="insurer", payer=payer,
        kvitt_route=True, invoicing=True,
    )


def _kvitt_route_system(actor: Actor, code: str) -> DownstreamSystem:
    system = DownstreamSystem.objects.filter(organisation=actor.organisation, code=code.upper()).first()
    if system is not None:
        return system
    if code.upper() in KVITT_ROUTE_SYSTEMS:
        name, route, invoicing = KVITT_ROUTE_SYSTEMS[code.upper()]
        return register_system(actor, code=code, name=name, route=route, kvitt_route=True, invoicing=invoicing)
    if code.upper().startswith("INS-"):
        from kvitt.network.models import Payer

        payer = Payer.objects.filter(org_number=code[4:], kind="insurer").first()
        if payer is not None:
            return _insurer_system(actor, payer)
    raise ValidationError({"system": f"system {code!r} is not registered for {actor.organisation}"})


# --- tracked events --------------------------------------------------------------------------


def _period(moment: datetime.datetime) -> datetime.date:
    local = timezone.localtime(moment, timezone.get_default_timezone()) if timezone.is_aware(moment) else moment
    return local.date().replace(day=1)


def event_number(care_event) -> str:
    """The number a ledger care event is known by downstream: its external id, else its id."""
    return care_event.external_id or str(care_event.event_id)


def track_care_event(actor: Actor, care_event) -> TrackedEvent:
    """Create or refresh the reconciliation row of a ledger care event (current version)."""
    if care_event.organisation_id != actor.organisation.id:
        raise PermissionDenied("the care event belongs to another organisation")
    from kvitt.ledger.models import CareEvent

    current = CareEvent.objects.filter(event_id=care_event.event_id, is_current=True).first() or care_event
    location = current.location if current.location_id else None
    care_unit = current.care_unit if current.care_unit_id else None
    practitioner = current.practitioner if current.practitioner_id else None
    amounts = {route: int(v) for route, v in (current.amounts or {}).items()}
    fields = {
        "care_event_id": current.event_id,
        "start": current.start,
        "period": _period(current.start),
        "unit_code": care_unit.hsa_id if care_unit else (location.her_id or str(location.pk) if location else ""),
        "unit_name": care_unit.name if care_unit else (location.name if location else ""),
        "practitioner_code": (practitioner.hpr_number or str(practitioner.pk)) if practitioner else "",
        "practitioner_name": practitioner.name if practitioner else "",
        "product_code": (current.service_codes or [""])[0][:32],
        "product_codes": list(current.service_codes or []),
        "amounts": amounts,
        "amount_ore": sum(amounts.values()),
        "voided": current.voided,
        "updated_at": timezone.now(),
    }
    tracked, created = TrackedEvent.objects.get_or_create(
        organisation=actor.organisation, number=event_number(current), defaults={**fields, "origin": "ledger"}
    )
    if not created and tracked.origin == "ersmo":
        return tracked  # the region's file is the authority on events it delivered
    if not created:
        changed = [name for name, value in fields.items() if name != "updated_at" and getattr(tracked, name) != value]
        if changed:
            for name in changed + ["updated_at"]:
                setattr(tracked, name, fields[name])
            tracked.save(update_fields=changed + ["updated_at"])
    return tracked


# --- statuses --------------------------------------------------------------------------------

_COMPARED = ("status", "code", "text", "status_time", "product_code", "amount_ore")


@dataclass
class _Tally:
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    stale: int = 0

    def __post_init__(self):
        self.changes: dict[str, dict[str, int]] = {}

    def count_change(self, system_code: str, status: str) -> None:
        per_system = self.changes.setdefault(system_code, {})
        per_system[status] = per_system.get(status, 0) + 1


def _insert_sql(model, columns: tuple[str, ...]) -> str:
    from django.db import connection

    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    return f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"


def _update_sql(model, columns: tuple[str, ...]) -> str:
    from django.db import connection

    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(model._meta.get_field(c).column)} = %s" for c in columns)
    return f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote('id')} = %s"


_ROW_FIELDS = ("status", "code", "text", "status_time", "product_code", "amount_ore", "source", "recorded_at", "import_run")
_STATUS_INSERT = ("event", "system", *_ROW_FIELDS)
_HISTORY_INSERT = (*_STATUS_INSERT, "recorded_by")


def _record_values(record: StatusRecord) -> tuple:
    return (record.status.value, record.code, record.text, record.status_time, record.product_code, record.amount_ore)


def _apply_chunk(actor, chunk, systems, run, tally, column) -> None:
    """Write one chunk of records: new and changed statuses plus their history.

    Plain parameterised INSERT/UPDATE statements through Django's connection (executemany)
    instead of model instances: at millions of rows the ORM's per-object work is most of the
    cost, and these rows need no signals or model logic."""
    from django.db import connection

    numbers = {r.event_number for r in chunk}
    events = dict(
        TrackedEvent.objects.filter(organisation=actor.organisation, number__in=numbers).values_list("number", "id")
    )
    resolved = []
    for record in chunk:
        system = systems.get(record.system.casefold())
        if system is None:
            known = ", ".join(sorted({s.code for s in systems.values()}))
            raise FeedError(f"system {record.system!r} is not registered; known: {known}",
                            line=record.line, column=column("system"))
        event_id = events.get(record.event_number)
        if event_id is None:
            raise FeedError(f"care event {record.event_number} is not known; import its care event file first",
                            line=record.line, column=column("event_number"))
        resolved.append((record, event_id, system))
    existing = {
        (row[0], row[1]): row[2:]
        for row in EventStatus.objects.filter(
            event_id__in=[e for _, e, _ in resolved], system_id__in={s.id for _, _, s in resolved}
        ).values_list("event_id", "system_id", "id", *_COMPARED)
    }
    adapt = connection.ops.adapt_datetimefield_value
    now = timezone.now()
    now_db = adapt(now)
    run_id = run.pk if run is not None else None
    inserts, updates, history = [], [], []
    pending: dict[tuple, int] = {}
    for record, event_id, system in resolved:
        tally.rows += 1
        values = _record_values(record)
        current = existing.get((event_id, system.id))
        if current is not None and tuple(current[1:]) == values:
            tally.unchanged += 1
            continue
        if current is not None and current[4] > record.status_time:
            tally.stale += 1
            continue
        source = record.source[:120]
        row = (values[0], values[1], values[2], adapt(values[3]), values[4], values[5], source, now_db, run_id)
        if current is None:
            pending[(event_id, system.id)] = len(inserts)
            inserts.append((event_id, system.id, *row))
        elif current[0] is None:  # inserted earlier in this chunk: the newer record replaces it
            inserts[pending[(event_id, system.id)]] = (event_id, system.id, *row)
        else:
            updates.append((*row, current[0]))
        history.append((event_id, system.id, *row, actor.name[:200]))
        existing[(event_id, system.id)] = (current[0] if current else None, *values)
        tally.count_change(system.code, values[0])
    inserts.sort(key=lambda row: (row[0], row[1]))  # a stable lock order within the chunk
    updates.sort(key=lambda row: row[-1])
    with connection.cursor() as cursor:
        if inserts:
            cursor.executemany(_insert_sql(EventStatus, _STATUS_INSERT), inserts)
        if updates:
            cursor.executemany(_update_sql(EventStatus, _ROW_FIELDS), updates)
        if history:
            cursor.executemany(_insert_sql(StatusHistory, _HISTORY_INSERT), history)
    tally.created += len(inserts)
    tally.changed += len(updates)


def _chunks(records: Iterable[StatusRecord], size: int) -> Iterator[list[StatusRecord]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _systems_by_code(actor: Actor) -> dict[str, DownstreamSystem]:
    systems = {}
    for system in DownstreamSystem.objects.filter(organisation=actor.organisation, active=True):
        systems[system.code.casefold()] = system
        systems[system.name.casefold()] = system
    return systems


def _start_run(actor: Actor, kind: str, file_name: str, data: bytes | None) -> ImportRun:
    return ImportRun(
        organisation=actor.organisation, kind=kind, file_name=file_name[:255],
        file_hash=hashlib.sha256(data).hexdigest() if data is not None else "",
        size=len(data) if data is not None else 0,
        user=actor.user if getattr(actor.user, "pk", None) else None, actor_label=actor.name[:200],
    )


def _finish(run: ImportRun, tally: _Tally) -> ImportRun:
    run.rows, run.created, run.changed, run.unchanged, run.stale = (
        tally.rows, tally.created, tally.changed, tally.unchanged, tally.stale)
    run.changes = tally.changes
    run.outcome = ImportRun.Outcome.APPLIED if (tally.created or tally.changed) else ImportRun.Outcome.UNCHANGED
    run.finished_at = timezone.now()
    run.save()
    return run


def _record_failure(run: ImportRun, error: Exception) -> None:
    """The failed attempt is logged after the rollback, so nothing of the file itself is kept."""
    run.pk = None
    run.outcome = ImportRun.Outcome.FAILED
    run.error = str(error)[:2000]
    run.rows = run.created = run.changed = run.unchanged = run.stale = 0
    run.changes = {}
    run.finished_at = timezone.now()
    run.save()


def _serialise_feeds(actor: Actor) -> None:
    """One status feed at a time per organisation: two feeds touching the same events in a
    different order deadlocked on PostgreSQL (seen in the load test). FOR NO KEY UPDATE on the
    organisation row does not block the rows that merely reference the organisation."""
    from kvitt.core.models import Organisation

    list(Organisation.objects.select_for_update(no_key=True).filter(pk=actor.organisation.pk).values_list("pk"))


def import_statuses(
    actor: Actor, records: Iterable[StatusRecord], *, kind: str, file_name: str = "", data: bytes | None = None,
    column=lambda name: name,
) -> ImportRun:
    """Apply status records in one transaction: all rows or none. Re-applying the same
    records changes nothing. Raises ``FeedError`` (line and column) on the first bad row."""
    _require_writer(actor)
    run = _start_run(actor, kind, file_name, data)
    try:
        with transaction.atomic():
            _serialise_feeds(actor)
            run.save()
            tally = _Tally()
            systems = _systems_by_code(actor)
            for chunk in _chunks(records, CHUNK):
                _apply_chunk(actor, chunk, systems, run, tally, column)
            return _finish(run, tally)
    except (FeedError, ValidationError) as exc:
        _record_failure(run, exc)
        raise


def import_status_file(actor: Actor, name: str, data: bytes, *, default_tz: str | None = None) -> ImportRun:
    """Import a CSV or XLSX status list (layout: docs/integrations/reconciliation-files.md)."""
    tz = default_tz or ("Europe/Stockholm" if actor.organisation.country == "SE" else "Europe/Oslo")
    kind = file_kind(name, data[:64])
    try:
        rows = read_status_file(name, data, default_tz=tz)
    except FeedError as exc:
        _record_failure(_start_run(actor, kind, name, data), exc)
        raise
    return import_statuses(actor, rows, kind=kind, file_name=name, data=data, column=rows.column)


@transaction.atomic
def record_status(
    actor: Actor,
    care_event,
    system,
    status: str | Status,
    *,
    code: str = "",
    text: str = "",
    status_time: datetime.datetime | None = None,
    source: str = "",
    product_code: str = "",
    amount_ore: int | None = None,
) -> EventStatus:
    """Record what one of Kvitt's own routes learnt about a ledger care event (see module doc)."""
    _require_writer(actor)
    if not isinstance(system, DownstreamSystem):
        system = _kvitt_route_system(actor, str(system))
    elif system.organisation_id != actor.organisation.id:
        raise PermissionDenied("the system belongs to another organisation")
    tracked = track_care_event(actor, care_event)
    try:
        status = status if isinstance(status, Status) else parse_status(str(status))
    except ValueError as exc:
        raise ValidationError({"status": str(exc)}) from None
    if status is Status.ERROR and not code:
        raise ValidationError({"code": "an error status needs an error code"})
    if amount_ore is not None and (not isinstance(amount_ore, int) or isinstance(amount_ore, bool)):
        raise ValidationError({"amount_ore": "amounts are whole öre (int)"})
    record = StatusRecord(
        line=0, event_number=tracked.number, system=system.code, status=status,
        status_time=status_time or timezone.now(), code=code[:32], text=text[:500],
        source=(source or "kvitt")[:120], product_code=product_code[:32], amount_ore=amount_ore,
    )
    tally = _Tally()
    _apply_chunk(actor, [record], {system.code.casefold(): system}, None, tally, lambda name: name)
    return EventStatus.objects.get(event=tracked, system=system)


# --- care events from ERSMO-style files ------------------------------------------------------


def _ledger_fields(record: CareEventRecord, care_unit) -> dict:
    service_codes = record.product_codes or [p.code for p in record.procedures]
    return {
        "start": record.start,
        "duration_minutes": record.duration_minutes or 30,
        "service_codes": service_codes,
        "diagnoses": [{"system": d.system, "code": d.code, "text": d.text} for d in record.diagnoses],
        "routes": ["home_region"],
        "amounts": {"home_region": record.amount_ore},
        "care_unit": care_unit,
        "external_id": record.event_number,
    }


def _upsert_ledger_event(actor: Actor, record: CareEventRecord, care_units: dict) -> tuple[object, str]:
    """Create, correct or void the ledger's care event for one file record; returns (event, what)."""
    from kvitt.ledger import services as ledger
    from kvitt.ledger.models import CareEvent

    current = CareEvent.objects.filter(
        organisation=actor.organisation, external_id=record.event_number, is_current=True
    ).first()
    care_unit = care_units.get(record.unit_hsa_id)
    fields = _ledger_fields(record, care_unit)
    if current is None:
        patient = ledger.register_patient(
            actor, national_id=record.patient_id, name=record.patient_name or record.patient_id,
            county_code=record.county_code, country="SE",
        )
        create = {k: v for k, v in fields.items() if k != "start"}
        if care_unit is None:
            create.pop("care_unit")
        event = ledger.record_care_event(actor, patient=patient, start=record.start, **create)
        if record.voided:
            event = ledger.void_care_event(actor, event, reason="makulerad i GVR")
        return event, "created"
    if current.voided:
        if not record.voided:
            raise ValidationError(
                f"care event {record.event_number} is voided in Kvitt and cannot be reinstated; report it under a new number"
            )
        return current, "unchanged"
    if record.voided:
        return ledger.void_care_event(actor, current, reason="makulerad i GVR"), "voided"
    changes = {
        k: v for k, v in fields.items()
        if k not in ("care_unit", "external_id") and getattr(current, k) != v
    }
    if not changes:
        return current, "unchanged"
    return ledger.correct_care_event(actor, current, reason="ändrad i GVR-leverans", **changes), "corrected"


def _apply_ersmo_record(actor: Actor, record: CareEventRecord, care_unit) -> bool:
    """Refresh the tracked event from the file record (unit, practitioner, products); True if changed."""
    amounts = {"home_region": record.amount_ore}
    fields = {
        "unit_code": record.unit_hsa_id, "unit_name": record.unit_name[:200],
        "practitioner_code": record.practitioner_id, "practitioner_name": record.practitioner_name[:200],
        "product_code": (record.product_codes or [""])[0][:32], "product_codes": record.product_codes,
        "amounts": amounts, "amount_ore": record.amount_ore, "voided": record.voided,
        "start": record.start, "period": _period(record.start),
    }
    tracked = TrackedEvent.objects.get(organisation=actor.organisation, number=record.event_number)
    changed = [name for name, value in fields.items() if getattr(tracked, name) != value]
    if tracked.origin != "ersmo":
        tracked.origin = "ersmo"
        changed.append("origin")
    if changed:
        for name in changed:
            if name in fields:
                setattr(tracked, name, fields[name])
        tracked.updated_at = timezone.now()
        tracked.save(update_fields=[*changed, "updated_at"])
    return bool(changed)


def import_care_event_file(actor: Actor, name: str, data: bytes) -> ImportRun:
    """Import an ERSMO-style XML file: each care event goes into the ledger (created,
    corrected or voided as the file says) and into the reconciliation. One transaction;
    the same file again changes nothing."""
    _require_writer(actor)
    run = _start_run(actor, "ersmo-xml", name, data)
    try:
        parsed = read_care_event_file(name, data)
        org_number = (actor.organisation.org_number or "").replace("-", "")
        if org_number and parsed.provider_org_number != org_number:
            raise FeedError(
                f"the file is for organisation number {parsed.provider_org_number}, not {org_number}",
                column="Vardhandelser/Huvud/Vardgivare/@orgnr",
            )
        from kvitt.network.models import CareUnit

        care_units = {u.hsa_id: u for u in CareUnit.objects.filter(organisation=actor.organisation)}
        tally = _Tally()
        with transaction.atomic():
            run.save()
            for record in parsed.events:
                tally.rows += 1
                try:
                    event, what = _upsert_ledger_event(actor, record, care_units)
                    track_care_event(actor, event)
                    refreshed = _apply_ersmo_record(actor, record, care_units.get(record.unit_hsa_id))
                except ValidationError as exc:
                    raise FeedError(f"care event {record.event_number}: {'; '.join(exc.messages)}", line=record.line,
                                    column="Vardhandelse") from None
                if what == "created":
                    tally.created += 1
                    tally.count_change("events", "created")
                elif what != "unchanged" or refreshed:
                    tally.changed += 1
                    tally.count_change("events", what if what != "unchanged" else "refreshed")
                else:
                    tally.unchanged += 1
            audit.record(actor, "import", run, privacy=["identity", "clinical"],
                         fields=["patient", "diagnoses", "service_codes"], reason=f"care-event file {name}")
            return _finish(run, tally)
    except (FeedError, ValidationError) as exc:
        _record_failure(run, exc)
        raise


# --- report definitions and schedules -------------------------------------------------------


@transaction.atomic
def save_report_definition(
    actor: Actor, *, name: str, columns: list[str], filters: dict | None = None,
    group_by: list[str] | None = None, sort: list[str] | None = None,
) -> ReportDefinition:
    """Save (or overwrite) the acting user's report definition of that name."""
    require_role(actor, *READERS)
    if not getattr(actor.user, "pk", None):
        raise PermissionDenied("report definitions belong to a user")
    from kvitt.reconciliation.reports import clean_definition

    cleaned = clean_definition(actor, columns=columns, filters=filters or {}, group_by=group_by or [], sort=sort or [])
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "a report needs a name of at most 100 characters"})
    definition, _ = ReportDefinition.objects.update_or_create(
        owner=actor.user, organisation=actor.organisation, name=name,
        defaults={**cleaned, "updated_at": timezone.now()},
    )
    return definition


def delete_report_definition(actor: Actor, definition: ReportDefinition) -> None:
    if definition.owner_id != getattr(actor.user, "pk", None) or definition.organisation_id != actor.organisation.id:
        raise PermissionDenied("not your report")
    definition.delete()


@transaction.atomic
def schedule_daily_report(
    actor: Actor, definitions: list[ReportDefinition], *, email: str = "", hour: int = 6
) -> ScheduledReport:
    require_role(actor, *READERS)
    if not definitions:
        raise ValidationError({"definitions": "choose at least one report"})
    for definition in definitions:
        if definition.owner_id != getattr(actor.user, "pk", None) or definition.organisation_id != actor.organisation.id:
            raise PermissionDenied("not your report")
    if not 0 <= hour <= 23:
        raise ValidationError({"hour": "an hour of the day, 0-23"})
    email = email or getattr(actor.user, "email", "")
    if not email:
        raise ValidationError({"email": "an e-mail address is needed"})
    schedule = ScheduledReport.objects.create(owner=actor.user, organisation=actor.organisation, email=email, hour=hour)
    schedule.definitions.set(definitions)
    return schedule
