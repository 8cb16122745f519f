"""The world of the access-control matrix: one user per role in organisations "A", and
organisations "B" holding one object of every kind the API and the pages address.

Built on the demo data (``kvitt demo``): Fjordbyen Fysioterapi is clinic B (patients, care
events, patient invoices in collection, Helfo practice, bill cards, settlements), Nordlys
Forsikring is insurer B (assignment, inbound claims), Trygg Inkasso is collection agency B,
Region Stockholm and Region Uppsala are regions B. What the demo lacks (a booking, an EHF
invoice, invoice bases, a dispute, saved reports, an export, an invitation) is added here with
the apps' own services. The acting users sit in Bergen Psykologsenter (clinic A), Vidde
Helseforsikring (insurer A), Region Skåne (region A), a collection agency of their own and the
network operator.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from kvitt.core.models import Membership, Organisation, OrganisationKind, Role
from kvitt.core.permissions import Actor
from kvitt.web.demo import load_demo

ROLES: tuple[str, ...] = tuple(Role.values)

# Which organisation of side A each role's user acts for (demo keys, or "agency_a").
HOME_OF_ROLE = {
    Role.CLINIC_ADMIN: "psyk",
    Role.PRACTITIONER: "psyk",
    Role.BILLING_CLERK: "psyk",
    Role.AUDITOR: "psyk",
    Role.INSURER_CASE_HANDLER: "insurer2",
    Role.REGION_BILLING_OFFICER: "region_skane",
    Role.COLLECTION_AGENT: "agency_a",
    Role.NETWORK_OPERATOR: "operator",
}

UPPSALA = "2321000024"
SKANE = "2321000255"
STOCKHOLM = "2321000016"


@dataclass
class World:
    users: dict[str, object]  # role -> user of side A
    b: dict[str, object]  # object kind -> an object of another organisation
    a: dict[str, object] = field(default_factory=dict)  # object kind -> an object of clinic/insurer A
    a_overrides: dict[str, dict[str, object]] = field(default_factory=dict)  # role -> its own objects instead
    b_organisations: list[Organisation] = field(default_factory=list)
    markers: set[str] = field(default_factory=set)  # strings only B may ever see
    ctx: object = None


# --- B's objects that the demo does not have ---------------------------------------------------


def _booking(assignment, admin: Actor, handler: Actor, *, profession: str = "physiotherapist"):
    """A journal integration with free slots at the assignment's location, and one booking."""
    from kvitt.booking import services
    from kvitt.booking.models import IntegrationStatus
    from tests.booking.helpers import snapshot

    location = assignment.location
    integration, _ = services.configure_integration(
        admin, location, system="kvitt-http-v1", base_url="http://127.0.0.1:9/kvitt/v1", api_key="matrix-key-1"
    )
    integration.status = IntegrationStatus.ACTIVE
    integration.save(update_fields=["status"])
    hpr = location.practitioners.filter(hpr_number__gt="").order_by("pk").first().hpr_number
    data = snapshot(hpr, first_day=timezone.localdate() + datetime.timedelta(days=2))
    data["appointment_types"][0]["professions"] = [profession]
    data["appointment_types"][0]["service_codes"] = []
    services.receive_availability(admin, integration, data)
    slot = integration.location.slots.filter(status="free").order_by("start").first()
    booking = services.book_slot(handler, assignment, slot.pk)
    return integration, booking


def _ehf_invoice(ctx, company_key: str, clerk_name: str, handler):
    """The insurer opens an assignment; the clinic files one patient's insurer events under it and invoices."""
    from kvitt.cases import services as case_services
    from kvitt.einvoice import services as einvoice
    from kvitt.ledger import services as ledger_services
    from kvitt.ledger.models import CareEvent
    from kvitt.web.demo import valid_fnr

    company = ctx.companies[company_key]
    clerk = Actor.for_membership(ctx.users[clerk_name].memberships.get())
    events = CareEvent.objects.filter(company=company, is_current=True, routes=["insurer"]).order_by("start")
    patient_id, _ = Counter(e.patient_id for e in events).most_common(1)[0]
    chosen = [e for e in events if e.patient_id == patient_id][:2]
    professions = sorted({p for e in chosen for p in e.practitioner.professions})
    insured = case_services.register_insured(
        handler, national_id=valid_fnr(datetime.date(1970, 3, 3), 77 + len(company_key)), name=f"Forsikret {company_key}"
    )
    today = timezone.localdate()
    case = case_services.open_assignment(
        handler, patient=insured, professions=professions, service_codes=[], max_treatments=10, max_amount=1_000_000,
        valid_from=today - datetime.timedelta(days=120), valid_to=today + datetime.timedelta(days=120),
        location=company.locations.order_by("pk").first(),
    )
    for event in chosen:
        ledger_services.correct_care_event(clerk, event, reason="filed under the insurer's SakID", case_ref=case.sakid)
    return case, einvoice.build_case_invoice(clerk, case.sakid)


def _region(name: str, org_number: str) -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.REGION, country="SE", org_number=org_number, defaults={"name": name}
    )
    return org


def _invoice_bases():
    """Region Uppsala receives a basis from Region Stockholm; Stockholm keeps its sent copy."""
    from kvitt.interregion import services, soap
    from kvitt.interregion.directory import load_region_directory
    from kvitt.interregion.models import ClaimSpecification, Direction, SpecStatus
    from tests.interregion.factories import specification

    load_region_directory()
    _region("Region Uppsala", UPPSALA)
    response = services.receive_claim(soap.ClaimRequest(UPPSALA, specification()), f"SE{STOCKHOLM}-F0001")
    assert response.result_code == "OK", response
    received = ClaimSpecification.objects.get(direction=Direction.RECEIVED, organisation__org_number=UPPSALA)
    stockholm = Organisation.objects.get(kind=OrganisationKind.REGION, org_number=STOCKHOLM)
    sent = ClaimSpecification.objects.create(
        organisation=stockholm, direction=Direction.SENT, basis_id=received.basis_id,
        supplier_org_number=STOCKHOLM, customer_org_number=UPPSALA, issue_date=received.issue_date,
        payable_amount=received.payable_amount, status=SpecStatus.READY, request_xml=received.request_xml,
    )
    return sent, received


def _dispute(ctx):
    from kvitt.receivables import services
    from kvitt.receivables.models import DunningStage, PatientInvoice

    invoice = (
        PatientInvoice.objects.filter(organisation=ctx.companies["fysio"].organisation)
        .exclude(dunning_stage=DunningStage.COLLECTION).order_by("pk").first()
    )
    return services.raise_dispute(None, invoice, reason="Matrix: I was never there", label="patient")


def _reports(ctx):
    from kvitt.reconciliation.models import Export, ReportDefinition

    fysio_org = ctx.companies["fysio"].organisation
    owner = ctx.users["billing"]
    definition = ReportDefinition.objects.create(owner=owner, organisation=fysio_org, name="Matrix B report", columns=["event"])
    export = Export.objects.create(organisation=fysio_org, user=owner, role=Role.BILLING_CLERK, title="Matrix B export",
                                   state=Export.State.DONE)
    return definition, export


def _invitation(ctx):
    from kvitt.network import services

    fysio = ctx.companies["fysio"]
    admin = Actor(user=ctx.users["clinicadmin"], organisation=fysio.organisation, role=Role.CLINIC_ADMIN)
    return services.invite_practitioner(admin, fysio.locations.order_by("pk").first(), email="ny@example.no",
                                        name="Matrix Invitert", professions=["naprapath"])


def _inbound_claim(ctx, company_key: str, payer_key: str, handler: Actor, sakid: str):
    """The clinic's EHF invoice as the payer's access point delivers it."""
    from decimal import Decimal

    from kvitt.claims import services
    from kvitt.claims.models import Source
    from kvitt.einvoice import sbdh
    from kvitt.einvoice.builder import BuyerInput, InvoiceInput, LineInput, build_invoice
    from kvitt.einvoice.services import seller_input

    company, payer = ctx.companies[company_key], ctx.payers[payer_key]
    practitioner = company.practitioners.filter(hpr_number__gt="").order_by("pk").first()
    today = timezone.localdate()
    moment = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time(9)))
    line = LineInput(
        treatment_id="201b", description="Psykologbehandling", quantity=Decimal("1"), unit_price=Decimal("900.00"),
        treatment_datetime=moment, duration_minutes=45, therapist_hpr=practitioner.hpr_number,
        therapist_name=practitioner.name, profession="Psykolog", diagnose="F41.1 Generalisert angstlidelse",
    )
    data = build_invoice(InvoiceInput(
        number="77001", issue_date=today - datetime.timedelta(days=3), due_date=today + datetime.timedelta(days=11),
        sak_id=sakid, seller=seller_input(company),
        buyer=BuyerInput(name=payer.name, org_number=payer.org_number, peppol_id=payer.peppol_id), lines=(line,),
    ))
    invoice, _ = services.receive(handler, sbdh.wrap(data), Source.WEBHOOK)
    return invoice


def _patient_invoices(ctx, company_key: str, clerk: Actor, agency: Organisation):
    """Patient invoices of the clinic's patient-route events, dunned until the oldest reach ``agency``."""
    from kvitt.ledger.models import CareEvent
    from kvitt.receivables import services
    from kvitt.receivables.models import CreditorSettings, DunningStage, PatientInvoice

    company = ctx.companies[company_key]
    CreditorSettings.objects.update_or_create(
        organisation=company.organisation,
        defaults={"country": "NO", "currency": "NOK", "account": company.bank_account, "reference_scheme": "kid_mod10",
                  "reference_length": 10, "collection_agency": agency},
    )
    cutoff = ctx.today - datetime.timedelta(days=20)
    events = CareEvent.objects.filter(organisation=company.organisation, is_current=True).select_related("patient").order_by("start")
    for event in events:
        if "patient" in event.routes and timezone.localtime(event.start).date() <= cutoff:
            services.issue_invoice(clerk, event.patient, services.lines_from_care_events([event]),
                                   issue_date=timezone.localtime(event.start).date())
    for offset in range(70, -1, -7):
        services.run_dunning(ctx.today - datetime.timedelta(days=offset), organisation=company.organisation)
    invoices = PatientInvoice.objects.filter(organisation=company.organisation)
    in_collection = invoices.filter(dunning_stage=DunningStage.COLLECTION).order_by("pk").first()
    other = invoices.exclude(dunning_stage=DunningStage.COLLECTION).order_by("pk").first()
    dispute = services.raise_dispute(None, other, reason="Matrix: wrong amount", label="patient")
    return other, in_collection, dispute


def _skane_bases():
    """Region Skåne receives a basis and keeps a sent one of its own."""
    from kvitt.interregion import services, soap
    from kvitt.interregion.model import make_basis_id, org_party
    from kvitt.interregion.models import ClaimSpecification, Direction, SpecStatus
    from tests.interregion.factories import specification

    spec = specification(id=make_basis_id(STOCKHOLM, 2026, 9, 2), customer=org_party(SKANE))
    response = services.receive_claim(soap.ClaimRequest(SKANE, spec), f"SE{STOCKHOLM}-F0001")
    assert response.result_code == "OK", response
    received = ClaimSpecification.objects.get(direction=Direction.RECEIVED, organisation__org_number=SKANE)
    sent = ClaimSpecification.objects.create(
        organisation=received.organisation, direction=Direction.SENT, basis_id=make_basis_id(SKANE, 2026, 9, 1),
        supplier_org_number=SKANE, customer_org_number=UPPSALA, issue_date=received.issue_date,
        payable_amount=received.payable_amount, status=SpecStatus.READY, request_xml=received.request_xml,
    )
    return sent, received


def _own_reports(organisation: Organisation, owner):
    from kvitt.reconciliation.models import Export, ReportDefinition

    definition = ReportDefinition.objects.create(owner=owner, organisation=organisation, name="Matrix A report", columns=["event"])
    export = Export.objects.create(organisation=organisation, user=owner, role=Role.BILLING_CLERK, title="Matrix A export",
                                   state=Export.State.DONE)
    return definition, export


# --- users of side A ---------------------------------------------------------------------------


def _side_a_users(ctx, agency: Organisation) -> dict[str, object]:
    homes = {**ctx.organisations, "agency_a": agency}
    users = {}
    for role in ROLES:
        user = get_user_model().objects.create_user(username=f"matrix-{role}", password="matrix-password-1")
        Membership.objects.create(user=user, organisation=homes[HOME_OF_ROLE[role]], role=role)
        users[role] = user
    return users


# --- strings that only B may see -----------------------------------------------------------------


def _markers(b_orgs: list[Organisation], a_orgs: list[Organisation], b: dict) -> set[str]:
    """B's patients' national ids, B's SakIDs, bill card and settlement ids: never in an A response."""
    from kvitt.cases.models import Assignment
    from kvitt.helfo.models import BillCard, Settlement
    from kvitt.interregion.models import ClaimLine
    from kvitt.ledger.models import Patient

    ours = set(Patient.objects.filter(organisation__in=a_orgs).values_list("national_id", flat=True))
    ours |= set(ClaimLine.objects.filter(specification__organisation__in=a_orgs).values_list("patient_national_id", flat=True))
    theirs = set(Patient.objects.filter(organisation__in=b_orgs).values_list("national_id", flat=True))
    theirs |= set(ClaimLine.objects.filter(specification__organisation__in=b_orgs).values_list("patient_national_id", flat=True))
    markers = {n for n in theirs - ours if n}
    markers |= set(Assignment.objects.filter(payer__organisation__in=b_orgs).values_list("sakid", flat=True))
    markers |= {str(g) for g in BillCard.objects.filter(practice__organisation__in=b_orgs).values_list("guid", flat=True)}
    markers |= {str(g) for g in Settlement.objects.filter(practice__organisation__in=b_orgs).values_list("msg_id", flat=True)}
    return markers


def build_world() -> World:
    from kvitt.cases.models import Assignment
    from kvitt.claims.models import InboundInvoice
    from kvitt.helfo.models import BillCard, Practice, Settlement
    from kvitt.ledger.models import CareEvent, Patient
    from kvitt.network.models import PartnerApproval
    from kvitt.receivables.models import DunningStage, PatientInvoice

    ctx = load_demo()
    fysio, psyk = ctx.companies["fysio"], ctx.companies["psyk"]
    nordlys = ctx.payers["insurer1"]
    handler_b = Actor.for_membership(ctx.users["casehandler"].memberships.get())

    demo_assignment = Assignment.objects.filter(payer=nordlys).order_by("pk").first()
    b_case, ehf = _ehf_invoice(ctx, "fysio", "billing", handler_b)
    fysio_admin = Actor(user=ctx.users["clinicadmin"], organisation=fysio.organisation, role=Role.CLINIC_ADMIN)
    integration, booking = _booking(b_case, fysio_admin, handler_b)
    sent, received = _invoice_bases()
    definition, export = _reports(ctx)
    collection_invoice = PatientInvoice.objects.filter(
        organisation=fysio.organisation, dunning_stage=DunningStage.COLLECTION
    ).order_by("pk").first()
    event = CareEvent.objects.filter(organisation=fysio.organisation, is_current=True).order_by("pk").first()
    b = {
        "company": fysio,
        "location": fysio.locations.order_by("pk").first(),
        "approval": PartnerApproval.objects.filter(payer=nordlys).order_by("pk").first(),
        "invitation": _invitation(ctx),
        "patient": event.patient,
        "care_event": event,
        "care_event_uuid": event,
        "assignment": demo_assignment,
        "booking": booking,
        "integration": integration,
        "inbound_invoice": InboundInvoice.objects.filter(payer=nordlys).order_by("pk").first(),
        "ehf_invoice": ehf,
        "ehf_case": ehf,
        "practice": Practice.objects.get(organisation=fysio.organisation),
        "bill_card": BillCard.objects.filter(practice__organisation=fysio.organisation).order_by("pk").first(),
        "settlement": Settlement.objects.filter(practice__organisation=fysio.organisation).order_by("pk").first(),
        "sent_basis": sent,
        "received_basis": received,
        "patient_invoice": PatientInvoice.objects.filter(organisation=fysio.organisation).order_by("pk").first(),
        "collection_claim": collection_invoice,
        "dispute": _dispute(ctx),
        "report_definition": definition,
        "export": export,
    }
    # Side A's own objects, for the "allowed in its own organisation" cells.
    agency = Organisation.objects.create(name="Matrix Inkasso A AS", kind=OrganisationKind.COLLECTION_AGENCY)
    users = _side_a_users(ctx, agency)
    vidde = ctx.payers["insurer2"]
    vidde_handler = Actor.for_membership(users[Role.INSURER_CASE_HANDLER].memberships.get())
    psyk_admin = Actor.for_membership(users[Role.CLINIC_ADMIN].memberships.get())
    psyk_clerk = Actor.for_membership(users[Role.BILLING_CLERK].memberships.get())
    PartnerApproval.objects.get_or_create(
        payer=vidde, company=psyk, location=None,
        defaults={"professions": [], "valid_from": timezone.localdate() - datetime.timedelta(days=365)},
    )
    a_case, a_ehf = _ehf_invoice(ctx, "psyk", "psyadmin", vidde_handler)
    a_integration, a_booking = _booking(a_case, psyk_admin, vidde_handler, profession="psychologist")
    a_invoice, a_collection, a_dispute = _patient_invoices(ctx, "psyk", psyk_clerk, agency)
    a_sent, a_received = _skane_bases()
    a_definition, a_export = _own_reports(psyk.organisation, users[Role.BILLING_CLERK])
    a_event = CareEvent.objects.filter(organisation=psyk.organisation, is_current=True).order_by("pk").first()
    a = {
        "company": psyk,
        "location": psyk.locations.order_by("pk").first(),
        "approval": PartnerApproval.objects.filter(payer=vidde, company=psyk).first(),
        "patient": a_event.patient,
        "care_event": a_event,
        "care_event_uuid": a_event,
        "assignment": a_case,
        "booking": a_booking,
        "integration": a_integration,
        "inbound_invoice": _inbound_claim(ctx, "psyk", "insurer2", vidde_handler, a_case.sakid),
        "ehf_invoice": a_ehf,
        "ehf_case": a_ehf,
        "practice": Practice.objects.get(organisation=psyk.organisation),
        "bill_card": BillCard.objects.filter(practice__organisation=psyk.organisation).order_by("pk").first(),
        "settlement": Settlement.objects.filter(practice__organisation=psyk.organisation).order_by("pk").first(),
        "sent_basis": a_sent,
        "received_basis": a_received,
        "patient_invoice": a_invoice,
        "collection_claim": a_collection,
        "dispute": a_dispute,
        "report_definition": a_definition,
        "export": a_export,
    }
    b_orgs = [fysio.organisation, nordlys.organisation, ctx.organisations["collection"],
              ctx.organisations["region_sthlm"], received.organisation]
    a_orgs = [psyk.organisation, vidde.organisation, ctx.organisations["region_skane"], agency]
    skane_event = CareEvent.objects.filter(organisation=ctx.organisations["region_skane"], is_current=True).order_by("pk").first()
    region_own = {"patient": skane_event.patient, "care_event": skane_event, "care_event_uuid": skane_event}
    # Saved reports and exports are the billing clerk's own: other users have none.
    not_theirs = {"report_definition": None, "export": None}
    overrides = {role: dict(not_theirs) for role in ROLES if role != Role.BILLING_CLERK}
    overrides[Role.REGION_BILLING_OFFICER].update(region_own)
    world = World(users=users, b=b, a=a, b_organisations=b_orgs, ctx=ctx, a_overrides=overrides)
    world.markers = _markers(b_orgs, a_orgs, b)
    assert Patient.objects.filter(organisation=fysio.organisation).exists() and world.markers
    return world


def own_objects(world: World, role: str) -> dict:
    """Side A's objects as the role meets them: its organisation's own, or those addressed to it."""
    return {**world.a, **world.a_overrides.get(role, {})}


# --- clinical text -----------------------------------------------------------------------------


def clinical_strings() -> set[str]:
    """Every diagnosis code and text, service/tariff/procedure code, clinical note and assignment
    diagnosis of the world. Purely numeric codes are left out (as bare numbers they
    cannot be told from amounts and dates on a page); their texts stand for them."""
    from kvitt.cases.models import Assignment
    from kvitt.helfo.models import BillCard
    from kvitt.interregion.models import ClaimLine
    from kvitt.ledger.models import CareEvent

    found: set[str] = set()
    codes: set[str] = set()
    for service_codes, diagnoses, notes in CareEvent.objects.values_list("service_codes", "diagnoses", "notes"):
        codes.update(service_codes)
        for d in diagnoses:
            found.update(v for v in (d.get("code"), d.get("text")) if v)
        if notes:
            found.add(notes)
    for lines, diagnoses in BillCard.objects.values_list("lines", "diagnoses"):
        codes.update(str(line.get("code", "")) for line in lines if line.get("code"))
        for d in diagnoses:
            found.update(str(v) for v in (d.get("code"), d.get("text")) if v)
    for diagnoses, procedures in ClaimLine.objects.values_list("diagnoses", "procedures"):
        for d in diagnoses:
            found.update(str(v) for v in (d.values() if isinstance(d, dict) else [d]) if v)
        codes.update(str(p) for p in procedures)
    found.update(c for c in codes if c and not c.isdigit())
    found.update(t for t in Assignment.objects.values_list("diagnosis_text", flat=True) if t and len(t) >= 6)
    return found


def leaks(body: str, strings: set[str]) -> list[str]:
    """The strings that stand as whole words in ``body``."""
    return sorted(s for s in strings if s in body and re.search(rf"(?<![\w.]){re.escape(s)}(?![\w])", body))
