"""Care events: recorded with validation, corrected as new versions, never deleted."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kvitt.core.models import AuditEntry, Role
from kvitt.core.permissions import PermissionDenied
from kvitt.ledger import selectors, services
from kvitt.ledger.models import CareEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    company = f.company()
    return {"company": company, "location": f.location(company), "actor": f.actor(company.organisation, Role.PRACTITIONER)}


def test_register_patient_validates_and_classifies_the_national_id(clinic):
    actor = clinic["actor"]
    patient = services.register_patient(actor, national_id="151086 95088", name="Sigrid Test")
    assert patient.national_id == "15108695088" and patient.id_type == "fnr"
    again = services.register_patient(actor, national_id="15108695088", name="Sigrid Test")
    assert again.pk == patient.pk
    with pytest.raises(ValidationError) as exc:
        services.register_patient(actor, national_id="15108695089", name="Wrong")
    assert "national_id" in exc.value.message_dict


def test_record_correct_and_void_keep_every_version(clinic):
    actor = clinic["actor"]
    patient = services.register_patient(actor, national_id="15108695088", name="Sigrid Test")
    start = timezone.now() - datetime.timedelta(days=1)
    event = services.record_care_event(
        actor, patient=patient, start=start, location=clinic["location"], service_codes=["A1a"],
        diagnoses=[{"system": "ICPC-2", "code": "L92", "text": "Skulder"}], routes=["helfo", "patient"],
        amounts={"helfo": 13600, "patient": 17300},
    )
    assert event.version == 1 and event.total_amount == 30900
    corrected = services.correct_care_event(actor, event, reason="wrong code", service_codes=["A2a"])
    assert corrected.version == 2 and corrected.event_id == event.event_id
    voided = services.void_care_event(actor, corrected, reason="patient did not show")
    versions = list(CareEvent.objects.filter(event_id=event.event_id).order_by("version"))
    assert [(v.version, v.is_current, v.voided) for v in versions] == [(1, False, False), (2, False, False), (3, True, True)]
    assert versions[0].service_codes == ["A1a"] and versions[1].service_codes == ["A2a"]
    assert voided.correction_reason == "patient did not show"
    with pytest.raises(ValidationError):
        services.correct_care_event(actor, voided, reason="too late", notes="x")
    assert AuditEntry.objects.filter(action__in=["create", "correct", "void"], object_type="ledger.CareEvent").count() == 3


def test_invalid_events_are_refused_with_the_field_named(clinic):
    actor = clinic["actor"]
    patient = services.register_patient(actor, national_id="15108695088", name="Sigrid Test")
    cases = [
        ({"service_codes": [], "routes": ["insurer"]}, "service_codes"),
        ({"service_codes": ["A1a"], "routes": ["lottery"]}, "routes"),
        ({"service_codes": ["A1a"], "routes": ["insurer"], "amounts": {"insurer": 10.5}}, "amounts"),
        ({"service_codes": ["A1a"], "routes": ["insurer"], "amounts": {"helfo": 100}}, "amounts"),
        ({"service_codes": ["A1a"], "routes": ["insurer"], "diagnoses": [{"code": "L92"}]}, "diagnoses"),
    ]
    for fields, bad in cases:
        with pytest.raises(ValidationError) as exc:
            services.record_care_event(actor, patient=patient, start=timezone.now(), **fields)
        assert bad in exc.value.message_dict, fields
    assert CareEvent.objects.count() == 0


def test_a_correction_needs_a_reason_and_the_right_organisation(clinic):
    actor = clinic["actor"]
    patient = services.register_patient(actor, national_id="15108695088", name="Sigrid Test")
    event = services.record_care_event(actor, patient=patient, start=timezone.now(), service_codes=["A1a"], routes=["patient"])
    with pytest.raises(ValidationError):
        services.correct_care_event(actor, event, reason="  ", notes="x")
    other = f.actor(f.company().organisation, Role.CLINIC_ADMIN)
    with pytest.raises(PermissionDenied):
        services.correct_care_event(other, event, reason="mine now", notes="x")
    assert CareEvent.objects.filter(event_id=event.event_id).count() == 1


def test_history_lists_versions_in_order(clinic):
    actor = clinic["actor"]
    patient = services.register_patient(actor, national_id="15108695088", name="Sigrid Test")
    event = services.record_care_event(actor, patient=patient, start=timezone.now(), service_codes=["A1a"], routes=["patient"])
    new = services.correct_care_event(actor, event, reason="duration", duration_minutes=45)
    history = selectors.care_event_history(actor, new)
    assert [h.version for h in history] == [1, 2] and history[1].duration_minutes == 45
