import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from kvitt.cases import sakid as sakid_module
from kvitt.cases import selectors, services
from kvitt.cases.models import Assignment, AssignmentState, UsageEntry
from kvitt.core.models import AuditEntry, Role
from kvitt.core.permissions import Actor, PermissionDenied
from tests.cases import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    payer = f.payer()
    company = f.company()
    location = f.location(company)
    handler = f.case_handler(payer)
    return payer, company, location, handler


def test_open_assignment_gets_sakid_state_history_and_audit(world):
    payer, company, location, handler = world
    a = f.assignment(handler, location=location)
    assert mail.outbox == []  # queued with the assignment, sent by the worker
    assert f.run_queued_tasks() == 1
    assert sakid_module.is_valid(a.sakid)
    assert a.state == AssignmentState.OPEN
    assert a.company == company
    change = a.state_changes.get()
    assert (change.from_state, change.to_state, change.by) == ("", "open", handler.user)
    assert AuditEntry.objects.filter(object_type="cases.Assignment", object_id=str(a.pk), action="create").exists()
    recipients = sorted(addr for m in mail.outbox for addr in m.to)
    assert recipients == ["kari@example.no", "post@fysio.example"]
    patient_mail = next(m for m in mail.outbox if m.to == ["kari@example.no"])
    assert a.sakid in patient_mail.subject
    assert "Skulder" not in patient_mail.body  # no health data by e-mail


def test_sakid_collision_is_retried(world, monkeypatch):
    _payer, _company, _location, handler = world
    first = f.assignment(handler)
    draws = iter([first.sakid, first.sakid, "ABCDEF"])
    monkeypatch.setattr(services, "_new_sakid", lambda: next(draws))
    second = f.assignment(handler, patient_=first.patient)
    assert second.sakid == "ABCDEF"
    assert Assignment.objects.count() == 2


def test_only_case_handlers_of_a_payer_open_assignments(world):
    _payer, company, _location, handler = world
    admin = f.clinic_admin(company)
    with pytest.raises(PermissionDenied):
        f.assignment(admin, patient_=f.patient(handler.organisation))


def test_register_insured_validates_fodselsnummer(world):
    handler = world[3]
    with pytest.raises(ValidationError, match="fødselsnummer"):
        services.register_insured(handler, national_id="15108695077", name="X")
    p = services.register_insured(handler, national_id="151086 95088", name="Kari")
    assert p.national_id == "15108695088" and p.birth_date == datetime.date(1986, 10, 15)
    assert services.register_insured(handler, national_id="15108695088", name="Kari N") == p


def test_transition_table_and_history(world):
    handler = world[3]
    a = f.assignment(handler)
    with pytest.raises(services.InvalidTransition):
        services.transition(handler, a, AssignmentState.COMPLETED)
    services.transition(handler, a, AssignmentState.BOOKED, "booked by phone")
    services.transition(handler, a, AssignmentState.IN_TREATMENT)
    services.transition(handler, a, AssignmentState.COMPLETED)
    assert [c.to_state for c in a.state_changes.all()] == ["open", "booked", "in_treatment", "completed"]
    with pytest.raises(services.InvalidTransition):
        services.transition(handler, a, AssignmentState.OPEN)


def test_visibility_insurer_own_clinic_own_company(world):
    payer, company, location, handler = world
    mine = f.assignment(handler, location=location)
    other_payer = f.payer(name="Annen Forsikring")
    other_handler = f.case_handler(other_payer)
    theirs = f.assignment(other_handler)
    assert list(selectors.assignments_for(handler)) == [mine]
    assert list(selectors.assignments_for(other_handler)) == [theirs]
    admin = f.clinic_admin(company)
    assert list(selectors.assignments_for(admin)) == [mine]
    other_clinic = f.clinic_admin(f.company(name="Annen Klinikk AS"))
    assert list(selectors.assignments_for(other_clinic)) == []
    with pytest.raises(PermissionDenied):
        selectors.get_assignment(other_handler, mine.sakid)


def test_reading_patient_identity_is_audited(world):
    payer, company, location, handler = world
    a = f.assignment(handler, location=location)
    admin = f.clinic_admin(company)
    before = AuditEntry.objects.filter(patient=a.patient, action="read").count()
    patient = selectors.patient_identity(admin, a)
    assert patient.name == "Kari Nordmann"
    row = AuditEntry.objects.filter(patient=a.patient, action="read").latest("id")
    assert AuditEntry.objects.filter(patient=a.patient, action="read").count() == before + 1
    assert row.organisation == company.organisation and row.privacy == ["identity"]
    auditor = f.member(company.organisation, Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        selectors.patient_identity(auditor, a)


def test_usage_ledger_reserve_consume_reverse(world):
    payer, company, location, handler = world
    a = f.assignment(handler, max_treatments=3, max_amount=150_000)
    services.reserve_coverage(handler, a, "booking:1")
    services.reserve_coverage(handler, a, "booking:2")
    services.reserve_coverage(handler, a, "booking:2")  # replay: no second reservation
    left = selectors.remaining_coverage(a)
    assert (left.reserved_treatments, left.remaining_treatments) == (2, 1)
    worker = Actor.system(payer.organisation, label="claims")
    entry = services.consume_coverage(worker, a, 1, 50_000, "invoice:INV-1#1", on_date=datetime.date(2026, 3, 2))
    assert services.consume_coverage(worker, a, 1, 50_000, "invoice:INV-1#1") == entry  # idempotent
    left = selectors.remaining_coverage(a)
    # The consumption used the oldest reservation: one reservation and one consumption remain.
    assert (left.reserved_treatments, left.consumed_treatments, left.remaining_treatments) == (1, 1, 1)
    assert left.remaining_amount == 100_000
    a.refresh_from_db()
    assert a.state == AssignmentState.IN_TREATMENT
    with pytest.raises(services.CoverageExceeded, match="øre"):
        services.consume_coverage(worker, a, 1, 100_001, "invoice:INV-2#1")
    with pytest.raises(services.CoverageExceeded, match="not 2028"):
        services.consume_coverage(worker, a, 1, 10, "invoice:INV-3#1", on_date=datetime.date(2028, 1, 1))
    with pytest.raises(services.CoverageExceeded, match="B9999"):
        services.consume_coverage(worker, a, 1, 10, "invoice:INV-3#1", service_code="B9999")
    services.reverse_consumption(worker, a, "invoice:INV-1#1")
    left = selectors.remaining_coverage(a)
    assert (left.consumed_treatments, left.consumed_amount) == (0, 0)
    clinic = f.clinic_admin(company)
    with pytest.raises(PermissionDenied):
        services.consume_coverage(clinic, a, 1, 1, "invoice:x")
    with pytest.raises(ValidationError):
        services.consume_coverage(worker, a, 1, 12.5, "invoice:float")


def test_consume_rejects_more_treatments_than_left(world):
    handler = world[3]
    a = f.assignment(handler, max_treatments=2)
    services.consume_coverage(handler, a, 2, 0, "inv:1")
    with pytest.raises(services.CoverageExceeded, match="0 treatments left"):
        services.consume_coverage(handler, a, 1, 0, "inv:2")


@pytest.mark.django_db(transaction=True)
def test_concurrent_consumption_never_overdraws():
    """Eight invoice lines race for the last three treatments: exactly three win."""
    payer = f.payer()
    handler = f.case_handler(payer)
    a = f.assignment(handler, max_treatments=3)
    barrier = threading.Barrier(8)
    outcomes = []

    def consume(i):
        try:
            barrier.wait()
            services.consume_coverage(handler, a, 1, 1000, f"invoice:race#{i}")
            outcomes.append("ok")
        except services.CoverageExceeded:
            outcomes.append("exceeded")
        finally:
            connection.close()

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["exceeded"] * 5 + ["ok"] * 3
    assert UsageEntry.objects.filter(assignment=a, kind="consume").count() == 3


def test_confirmation_token_is_signed(world):
    handler = world[3]
    a = f.assignment(handler)
    token = services.confirmation_token(a)
    assert services.assignment_for_token(token) == a
    with pytest.raises(PermissionDenied):
        services.assignment_for_token(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])


@pytest.mark.parametrize("language, title, left", [("nb", "Dekningsbekreftelse", "igjen"), ("sv", "Täckningsbekräftelse", "kvar"),
                                                   ("en", "Coverage confirmation", "left")])
def test_confirmation_speaks_the_readers_language(world, language, title, left):
    from kvitt.cases import confirmation

    a = f.assignment(world[3])
    html = confirmation.render_html(a, a.patient, language=language)
    assert title in html and left in html and a.sakid in html
