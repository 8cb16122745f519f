"""Availability from a journal system: the snapshot format (docs/integrations/journal-systems.md),
its strict parser, and how a snapshot replaces the free slots of its window.

The same snapshot arrives two ways: pushed by the journal system to
``POST /api/v1/booking/integrations/{id}/availability`` or pulled by Kvitt's worker from the
journal system's ``GET {base_url}/availability``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kvitt.booking.models import AppointmentType, Calendar, JournalIntegration, Slot, SlotStatus
from kvitt.network.models import Practitioner

MAX_WINDOW_DAYS = 120
MAX_SLOTS = 50_000


class AvailabilityError(ValueError):
    """A snapshot that cannot be used; the message names the field (e.g. calendars[0].slots[3].end)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AppointmentTypeIn(_Strict):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=120)
    duration_minutes: int = Field(gt=0, le=600)
    online_bookable: bool
    professions: list[str] = []
    service_codes: list[str] = []


class PractitionerRef(_Strict):
    hpr_number: str = ""
    email: str = ""

    @model_validator(mode="after")
    def one_key(self):
        if not (self.hpr_number or self.email):
            raise ValueError("give hpr_number or email")
        return self


class SlotIn(_Strict):
    id: str = Field(default="", max_length=64)
    start: datetime.datetime
    end: datetime.datetime
    appointment_type: str = Field(min_length=1, max_length=64)
    status: Literal["free", "busy"] = "free"

    @field_validator("start", "end")
    @classmethod
    def aware(cls, value: datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2026-12-01T08:00:00+01:00")
        return value

    @model_validator(mode="after")
    def ordered(self):
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class CalendarIn(_Strict):
    id: str = Field(min_length=1, max_length=64)
    practitioner: PractitionerRef
    slots: list[SlotIn]


class WindowIn(_Strict):
    from_: datetime.datetime = Field(alias="from")
    to: datetime.datetime

    @model_validator(mode="after")
    def ordered(self):
        if self.from_.tzinfo is None or self.to.tzinfo is None:
            raise ValueError("from and to need a UTC offset")
        if self.to <= self.from_:
            raise ValueError("to must be after from")
        if self.to - self.from_ > datetime.timedelta(days=MAX_WINDOW_DAYS):
            raise ValueError(f"a window is at most {MAX_WINDOW_DAYS} days")
        return self


class Snapshot(_Strict):
    window: WindowIn
    appointment_types: list[AppointmentTypeIn]
    calendars: list[CalendarIn]

    @model_validator(mode="after")
    def consistent(self):
        type_ids = {t.id for t in self.appointment_types}
        total = 0
        for ci, cal in enumerate(self.calendars):
            for si, slot in enumerate(cal.slots):
                total += 1
                where = f"calendars[{ci}].slots[{si}]"
                if slot.appointment_type not in type_ids:
                    raise ValueError(f"{where}.appointment_type {slot.appointment_type!r} is not in appointment_types")
                if not (self.window.from_ <= slot.start < self.window.to):
                    raise ValueError(f"{where}.start {slot.start.isoformat()} is outside the window")
        if total > MAX_SLOTS:
            raise ValueError(f"at most {MAX_SLOTS} slots per snapshot")
        return self


def parse_snapshot(data) -> Snapshot:
    """Strictly parse a snapshot (a dict from JSON). Raises AvailabilityError naming the field."""
    try:
        return Snapshot.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors()[:10]:
            where = ".".join(str(p) for p in err["loc"]) or "snapshot"
            problems.append(f"{where}: {err['msg']}")
        raise AvailabilityError("; ".join(problems)) from exc


@dataclass
class ApplyReport:
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept_booked: int = 0

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "removed": self.removed, "kept_booked": self.kept_booked}


def _practitioner(integration: JournalIntegration, ref: PractitionerRef, where: str) -> Practitioner:
    company_id = integration.location.company_id
    qs = Practitioner.objects.filter(company_id=company_id)
    found = qs.filter(hpr_number=ref.hpr_number).first() if ref.hpr_number else None
    if found is None and ref.email:
        found = qs.filter(email__iexact=ref.email).first()
    if found is None:
        raise AvailabilityError(f"{where}.practitioner: no practitioner of this company has {ref.model_dump(exclude_defaults=True)}")
    return found


@transaction.atomic
def apply_snapshot(integration: JournalIntegration, snapshot: Snapshot) -> ApplyReport:
    """Make Kvitt's free slots in the window equal to the snapshot. Booked slots are Kvitt's own
    and stay as they are; free slots the journal system no longer lists disappear."""
    location = integration.location
    report = ApplyReport()
    now = timezone.now()
    types = {}
    for t in snapshot.appointment_types:
        types[t.id], _ = AppointmentType.objects.update_or_create(
            location=location, external_id=t.id,
            defaults={
                "name": t.name, "duration_minutes": t.duration_minutes, "online_bookable": t.online_bookable,
                "professions": t.professions, "service_codes": t.service_codes,
            },
        )
    for ci, cal_in in enumerate(snapshot.calendars):
        practitioner = _practitioner(integration, cal_in.practitioner, f"calendars[{ci}]")
        calendar, _ = Calendar.objects.update_or_create(
            location=location, practitioner=practitioner, defaults={"integration": integration, "external_id": cal_in.id}
        )
        if not practitioner.locations.filter(pk=location.pk).exists():
            practitioner.locations.add(location)
        _apply_calendar(calendar, cal_in, types, snapshot.window, now, report)
    return report


def _apply_calendar(calendar: Calendar, cal_in: CalendarIn, types: dict, window: WindowIn, now, report: ApplyReport) -> None:
    existing = {
        (s.external_id or s.start.isoformat()): s
        for s in Slot.objects.filter(calendar=calendar, start__gte=window.from_, start__lt=window.to)
    }
    by_start = {s.start: s for s in existing.values()}
    seen: set[int] = set()
    new_slots = []
    for slot_in in cal_in.slots:
        key = slot_in.id or slot_in.start.isoformat()
        slot = existing.get(key) or by_start.get(slot_in.start)
        status = SlotStatus.FREE if slot_in.status == "free" else SlotStatus.BLOCKED
        if slot is None:
            new_slots.append(
                Slot(
                    calendar=calendar, location_id=calendar.location_id, practitioner_id=calendar.practitioner_id,
                    appointment_type=types[slot_in.appointment_type], start=slot_in.start, end=slot_in.end,
                    status=status, external_id=slot_in.id, updated_at=now,
                )
            )
            continue
        seen.add(slot.pk)
        if slot.status == SlotStatus.BOOKED:
            report.kept_booked += 1
            continue
        slot.start, slot.end, slot.status = slot_in.start, slot_in.end, status
        slot.appointment_type = types[slot_in.appointment_type]
        slot.external_id = slot_in.id
        slot.updated_at = now
        slot.save(update_fields=["start", "end", "status", "appointment_type", "external_id", "updated_at"])
        report.updated += 1
    Slot.objects.bulk_create(new_slots)
    report.created += len(new_slots)
    gone = [s for s in existing.values() if s.pk not in seen and s.status != SlotStatus.BOOKED]
    # A slot an old (cancelled) booking points to must stay as history: block it instead.
    with_history = set(Slot.objects.filter(pk__in=[s.pk for s in gone], bookings__isnull=False).values_list("pk", flat=True))
    Slot.objects.filter(pk__in=[s.pk for s in gone if s.pk not in with_history]).delete()
    Slot.objects.filter(pk__in=with_history).filter(~Q(status=SlotStatus.BOOKED)).update(status=SlotStatus.BLOCKED, updated_at=now)
    report.removed += len(gone)
    report.kept_booked += sum(1 for s in existing.values() if s.pk not in seen and s.status == SlotStatus.BOOKED)
