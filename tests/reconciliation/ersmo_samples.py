"""Builders of ERSMO-style test files shared by the tests (valid Swedish identifiers)."""

from __future__ import annotations

import datetime
import zoneinfo

from kvitt.reconciliation.formats.ersmo_xml import ErsmoFile, build_ersmo_xml
from kvitt.reconciliation.formats.records import CareEventRecord, CodedValue, ProductLine

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
PROVIDER_ORGNR = "5560360793"
UNIT_A = "SE5560360793-1ABC"
UNIT_B = "SE5560360793-2DEF"
PRACTITIONER = "SE5560360793-P001"
# Valid personnummer (Luhn) for test patients.
PATIENTS = ["198112189876", "194001079120", "199001012385", "200012312385"]


def event(number: str, *, day: int = 5, month: int = 10, unit: str = UNIT_A, products=(("A100", 45000),),
          voided: bool = False, patient: str = PATIENTS[0]) -> CareEventRecord:
    return CareEventRecord(
        line=0,
        event_number=number,
        voided=voided,
        patient_id=patient,
        patient_id_type="personnummer",
        patient_name="Test Testsson",
        county_code="01",
        start=datetime.datetime(2026, month, day, 9, 30, tzinfo=STOCKHOLM),
        contact_id=f"K-{number}",
        contact_type="besok",
        duration_minutes=30,
        unit_hsa_id=unit,
        unit_name="Vårdcentral Söder" if unit == UNIT_A else "Vårdcentral Norr",
        practitioner_id=PRACTITIONER,
        practitioner_name="Dr Lind",
        profession_code="LK",
        diagnoses=[CodedValue("ICD-10-SE", "J06.9", "Akut övre luftvägsinfektion")],
        procedures=[CodedValue("KVÅ", "XS007", "")],
        products=[ProductLine(code, amount) for code, amount in products],
    )


def ersmo_file(events, *, period: str = "2026-10", delivery: str = "GVR-2026-10-01") -> bytes:
    return build_ersmo_xml(
        ErsmoFile(
            provider_org_number=PROVIDER_ORGNR,
            provider_name="Vårdbolaget AB",
            period=period,
            created=datetime.datetime(2026, 11, 3, 6, 0, tzinfo=STOCKHOLM),
            delivery_id=delivery,
            events=list(events),
        )
    )
