"""Building a bookable clinic for the tests: approved location, practitioner, integration, slots."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from kvitt.booking import sealing, services
from kvitt.booking.models import IntegrationStatus
from tests.cases import factories as f

OSLO = ZoneInfo("Europe/Oslo")


def snapshot(hpr: str, *, first_day: datetime.date, days: int = 3, per_day: int = 4, calendar_id: str = "cal-1",
             type_id: str = "fys30", online: bool = True) -> dict:
    """A contract-shaped availability snapshot: ``per_day`` 30-minute slots from 08:00 Oslo time."""
    start = datetime.datetime.combine(first_day, datetime.time(0, 0), OSLO)
    slots = []
    for d in range(days):
        for i in range(per_day):
            s = datetime.datetime.combine(first_day + datetime.timedelta(days=d), datetime.time(8, 0), OSLO) + datetime.timedelta(minutes=30 * i)
            slots.append({"id": f"{calendar_id}-{s:%Y%m%d%H%M}", "start": s.isoformat(),
                          "end": (s + datetime.timedelta(minutes=30)).isoformat(), "appointment_type": type_id})
    return {
        "window": {"from": start.isoformat(), "to": (start + datetime.timedelta(days=days)).isoformat()},
        "appointment_types": [{"id": type_id, "name": "Fysioterapi 30 min", "duration_minutes": 30,
                               "online_bookable": online, "professions": ["physiotherapist"], "service_codes": ["B1010"]}],
        "calendars": [{"id": calendar_id, "practitioner": {"hpr_number": hpr}, "slots": slots}],
    }


@dataclass
class Clinic:
    company: object
    location: object
    practitioner: object
    admin: object
    integration: object
    webhook_key: str


def clinic(payer, *, place: str = "oslo", base_url: str = "http://127.0.0.1:9/kvitt/v1", api_key: str = "vendor-key-123",
           name: str = "Fysio Sentrum AS", first_day: datetime.date | None = None, days: int = 3, per_day: int = 4,
           approve: bool = True) -> Clinic:
    company = f.company(name=name)
    location = f.location(company, place=place)
    practitioner = f.practitioner(company, [location])
    admin = f.clinic_admin(company)
    if approve:
        f.approval(payer, company)
    integration, key = services.configure_integration(admin, location, system="kvitt-http-v1", base_url=base_url, api_key=api_key)
    # Activation normally follows a successful connection test against the vendor; tests that
    # exercise the test itself do it for real.
    integration.status = IntegrationStatus.ACTIVE
    integration.save(update_fields=["status"])
    first_day = first_day or timezone.localdate() + datetime.timedelta(days=1)
    services.receive_availability(admin, integration, snapshot(practitioner.hpr_number, first_day=first_day, days=days, per_day=per_day))
    return Clinic(company, location, practitioner, admin, integration, key)


def point_at(clinic_: Clinic, server) -> None:
    """Point the clinic's integration at a running journal server and share the webhook key."""
    clinic_.integration.base_url = server.base_url
    clinic_.integration.save(update_fields=["base_url"])
    server.state.webhook_key = sealing.unseal(clinic_.integration.webhook_key_sealed)
