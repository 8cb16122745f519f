"""The API attacked by its own spec (issue #11, point 2).

A real threaded HTTP server (pytest-django's ``live_server``) serves the test database with the
demo network (world A: two clinics, three insurers, Helfo, two regions, a collection agency,
the network operator and every app's demo data) plus a second, unrelated network (world B: a
clinic, an insurer, a region and a collection agency) whose private data carries the marker
``Qzxpriv`` in names, notes and diagnosis texts, and distinctive identity numbers.

* ``test_every_operation_survives_its_own_spec``: schemathesis loads ``/api/v1/openapi.json``
  from the server and, for every operation, hypothesis draws ``KVITT_SCHEMATHESIS_EXAMPLES``
  cases (default 12) together with a bearer token of one of world A's users (every role of
  every kind of organisation), after one valid request per user has shown which users the
  operation lets past its role check. Every response must not be a 5xx, must match the response
  schema the spec declares for its status, and must not contain one of world B's markers.
* ``test_other_organisations_objects_are_refused_by_id``: every operation that takes an object
  id in its path is called with world B's object ids under each of world A's tokens: the answer
  is 403 or 404 (or an empty list) and says nothing of B; B's own users, asked the same, do
  see the markers (the control).

Bounds: derandomized, no example database, no shrinking (a failure is reported with the curl
line that reproduces it), so CI is repeatable; ``KVITT_SCHEMATHESIS_EXAMPLES=200`` for a deep
local run.
"""

from __future__ import annotations

import collections
import datetime
import json
import os
import re
import zoneinfo
from dataclasses import dataclass, field

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, find, given, settings, strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kvitt.cases import services as case_services
from kvitt.claims import services as claim_services
from kvitt.claims.models import Source
from kvitt.core.models import ApiToken, Organisation, OrganisationKind, Role
from kvitt.einvoice import sbdh
from kvitt.einvoice import services as einvoice_services
from kvitt.helfo import services as helfo_services
from kvitt.ledger import services as ledger_services
from kvitt.network.models import CareUnit, Payer, PayerKind
from kvitt.receivables import services as receivable_services
from kvitt.receivables.models import CreditorSettings, DunningStage
from kvitt.web.demo import load_demo, valid_fnr, valid_orgnr, valid_personnummer
from tests import factories

EXAMPLES = int(os.environ.get("KVITT_SCHEMATHESIS_EXAMPLES", "12"))
MARKER = "Qzxpriv"
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: a failure is recorded with its curl line and the run goes on, so one run
    # lists every broken operation and CI time stays bounded.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)

# World A's users: every role of every kind of organisation the demo has (demo keys).
A_TOKENS = [
    ("fysio", Role.CLINIC_ADMIN),
    ("fysio", Role.PRACTITIONER),
    ("fysio", Role.BILLING_CLERK),
    ("fysio", Role.AUDITOR),
    ("psyk", Role.CLINIC_ADMIN),
    ("insurer1", Role.INSURER_CASE_HANDLER),
    ("insurer2", Role.INSURER_CASE_HANDLER),
    ("helfo", Role.INSURER_CASE_HANDLER),
    ("region_sthlm", Role.REGION_BILLING_OFFICER),
    ("region_skane", Role.REGION_BILLING_OFFICER),
    ("collection", Role.COLLECTION_AGENT),
    ("operator", Role.NETWORK_OPERATOR),
]


@dataclass
class WorldB:
    """The other network: its private strings and the ids of its objects, by path parameter."""

    secrets: list[str] = field(default_factory=list)
    ids: dict[str, list] = field(default_factory=lambda: collections.defaultdict(list))
    # Directory data (companies, locations) every payer and the operator may see.
    directory_ids: dict[str, list] = field(default_factory=lambda: collections.defaultdict(list))
    # B's own people, for the control: they do see their markers, so the search for them works.
    own_tokens: dict[str, str] = field(default_factory=dict)

    def ids_for(self, operation, param: str, *, directory: bool) -> list:
        """B's ids for this parameter: the app's own key (``einvoice:invoice_id``) first."""
        app = operation.path.split("/")[3]
        source = self.directory_ids if directory else self.ids
        return source.get(f"{app}:{param}", source.get(param, []))

    def leaks(self, text: str) -> list[str]:
        lowered = text.casefold()
        return [s for s in self.secrets if s.casefold() in lowered]


@dataclass
class Seeded:
    url: str
    tokens: dict[str, str]  # "org:role" -> raw bearer token
    world_b: WorldB


def _build_world_b() -> WorldB:
    b = WorldB()
    # The clinic, its insurer (who approves it) and their people.
    clinic = factories.company("Havbris Fysioterapi AS", bank_account="86011117947", street="Kaia 3", postcode="4006",
                               city="Stavanger", kid_algorithm="MOD10", kid_length=10)
    location = factories.location(clinic, name="Havbris Sentrum", lat="58.970000", lon="5.733000")
    practitioner = factories.practitioner(clinic, location, hpr="9144891")
    insurer = factories.payer("Havbris Forsikring AS")
    approval = factories.approval(insurer, clinic, days_back=200)
    admin = factories.actor(clinic.organisation, Role.CLINIC_ADMIN)
    handler = factories.actor(insurer.organisation, Role.INSURER_CASE_HANDLER)

    # The insured person and the insurer's assignment to the clinic's location.
    insured_fnr = valid_fnr(datetime.date(1931, 7, 13), 17)
    insured = case_services.register_insured(handler, national_id=insured_fnr, name=f"{MARKER} Forsikret Havbris")
    today = datetime.date.today()
    assignment = case_services.open_assignment(
        handler, patient=insured, professions=["physiotherapist"], service_codes=["B1010"], max_treatments=5,
        max_amount=500_000, valid_from=today - datetime.timedelta(days=60), valid_to=today + datetime.timedelta(days=60),
        diagnosis_text=f"{MARKER} skade i kne", notes_for_clinic=f"{MARKER} merknad til klinikken", location=location,
    )

    # The clinic's own patient record of the same person, two care events: one for the insurer,
    # one the patient pays (it goes all the way to the collection agency).
    patient = ledger_services.register_patient(
        admin, national_id=insured_fnr, name=f"{MARKER} Pasient Havbris", email="qzxpriv@havbris.example.no",
        street="Qzxprivveien 1", postcode="4006", city="Stavanger",
    )
    diagnoses = [{"system": "ICPC-2", "code": "L15", "text": f"{MARKER} knesymptomer"}]
    insured_event = ledger_services.record_care_event(
        admin, patient=patient, start=datetime.datetime.combine(today - datetime.timedelta(days=10), datetime.time(9), OSLO),
        duration_minutes=45, service_codes=["B1010"], routes=["insurer"], amounts={"insurer": 85000},
        case_ref=assignment.sakid, practitioner=practitioner, location=location, diagnoses=diagnoses,
        external_id=f"{MARKER}-event-1", notes=f"{MARKER} journalnotat",
    )
    own_event = ledger_services.record_care_event(
        admin, patient=patient, start=datetime.datetime.combine(today - datetime.timedelta(days=120), datetime.time(10), OSLO),
        duration_minutes=30, service_codes=["A1a"], routes=["patient"], amounts={"patient": 45000},
        practitioner=practitioner, location=location, diagnoses=diagnoses, external_id=f"{MARKER}-event-2",
    )

    # The clinic invoices the case (EHF); the insurer receives that very document as a claim.
    outgoing = einvoice_services.build_case_invoice(admin, assignment.sakid, issue_date=today - datetime.timedelta(days=5))
    inbound, _created = claim_services.receive(handler, sbdh.wrap(outgoing.document_xml.encode()), Source.WEBHOOK)

    # The patient's own invoice, dunned until it reaches world B's collection agency.
    agency = Organisation.objects.create(name="Havbris Inkasso AS", kind=OrganisationKind.COLLECTION_AGENCY,
                                         org_number=valid_orgnr("96711111"))
    CreditorSettings.objects.create(organisation=clinic.organisation, country="NO", currency="NOK", account=clinic.bank_account,
                                    reference_scheme="kid_mod10", reference_length=10, collection_agency=agency)
    patient_invoice = receivable_services.issue_invoice(
        admin, patient, receivable_services.lines_from_care_events([own_event]), issue_date=today - datetime.timedelta(days=119),
    )
    for offset in range(118, -1, -1):
        receivable_services.run_dunning(today - datetime.timedelta(days=offset), organisation=clinic.organisation)
    patient_invoice.refresh_from_db()
    assert patient_invoice.dunning_stage == DunningStage.COLLECTION, f"B's invoice stopped at {patient_invoice.dunning_stage}"

    # A region of its own: a care unit, a Swedish patient of its own county and an event.
    region_org = Organisation.objects.create(name="Region Havbris", kind=OrganisationKind.REGION, country="SE",
                                             org_number="2321000999")
    Payer.objects.create(organisation=region_org, name="Region Havbris", kind=PayerKind.REGION, org_number="2321000999",
                         peppol_id="0007:2321000999")
    unit = CareUnit.objects.create(organisation=region_org, name="Havbris vårdcentral", hsa_id="SE2321000999-QZX1", county_code="25")
    officer = factories.actor(region_org, Role.REGION_BILLING_OFFICER)
    se_id = valid_personnummer(datetime.date(1933, 3, 3), 477)
    se_patient = ledger_services.register_patient(officer, national_id=se_id, name=f"{MARKER} Svensson Havbris",
                                                  county_code="25", country="SE")
    region_event = ledger_services.record_care_event(
        officer, patient=se_patient, start=datetime.datetime.combine(today - datetime.timedelta(days=8), datetime.time(11), OSLO),
        duration_minutes=60, service_codes=["NHP09"], routes=["home_region"], amounts={"home_region": 250000}, care_unit=unit,
        diagnoses=[{"system": "ICD-10-SE", "code": "S52.5", "text": f"{MARKER} fraktur"}], external_id=f"{MARKER}-event-3",
    )

    practice = helfo_services.create_practice(admin, company=clinic, practice_id="1004999991", name="Havbris Fysioterapi",
                                              area="FY", practice_type="FYNO", account=clinic.bank_account)

    b.own_tokens = {
        "clinic": factories.token(clinic.organisation, Role.CLINIC_ADMIN),
        "insurer": factories.token(insurer.organisation, Role.INSURER_CASE_HANDLER),
        "collection": factories.token(agency, Role.COLLECTION_AGENT),
    }
    b.secrets = [MARKER, insured_fnr, se_id, assignment.sakid]
    b.ids["patient_id"] += [patient.pk, insured.pk, se_patient.pk]
    b.ids["event_pk"] += [insured_event.pk, own_event.pk, region_event.pk]
    b.ids["event_id"] += [str(region_event.event_id), str(insured_event.event_id)]
    b.ids["sakid"] += [assignment.sakid]
    b.ids["sak_id"] += [assignment.sakid]
    b.ids["approval_id"] += [approval.pk]
    b.ids["einvoice:invoice_id"] += [outgoing.pk]
    b.ids["claims:invoice_id"] += [inbound.pk]
    b.ids["receivables:invoice_id"] += [patient_invoice.pk]
    b.ids["claim_id"] += [patient_invoice.pk]
    b.ids["practice_id"] += [practice.pk]
    b.directory_ids["company_id"] += [clinic.pk]
    b.directory_ids["location_id"] += [location.pk]
    return b


def _restore_reference_data() -> None:
    """The rows the data migrations wrote (dunning ladders, the region directory), again: a
    transactional test earlier in the session flushes them (serialized_rollback clashes with the
    content types the flush re-creates). Both loaders are idempotent."""
    import importlib

    from django.apps import apps

    for module in ("kvitt.receivables.migrations.0002_dunning_data", "kvitt.interregion.migrations.0002_region_directory"):
        importlib.import_module(module).load(apps, None)


@pytest.fixture
def schema_seeded(live_server) -> Seeded:
    _restore_reference_data()
    ctx = load_demo()
    world_b = _build_world_b()
    tokens = {}
    for key, role in A_TOKENS:
        tokens[f"{key}:{role}"] = ApiToken.issue(ctx.organisations[key], f"schemathesis {role}", role)[1]
    return Seeded(url=live_server.url, tokens=tokens, world_b=world_b)


@pytest.fixture
def schema_openapi(schema_seeded):
    return schemathesis.openapi.from_url(f"{schema_seeded.url}/api/v1/openapi.json")


def _operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def _failure_text(exc: BaseException) -> str:
    return re.sub(r"\s+", " ", str(exc))[:500]


# A live server needs committed data: transactional tests (reference data restored in the fixture).
@pytest.mark.django_db(transaction=True)
def test_every_operation_survives_its_own_spec(schema_seeded, schema_openapi):
    operations = _operations(schema_openapi)
    problems: dict[str, str] = {}
    cases: collections.Counter[str] = collections.Counter()
    statuses: collections.Counter[int] = collections.Counter()
    session = requests.Session()

    def send(operation, case, who: str):
        """One request as ``who``, checked: no 5xx, the declared schema, none of B's markers."""
        cases[operation.label] += 1
        headers = {"Authorization": f"Bearer {schema_seeded.tokens[who]}"}
        response = case.call(base_url=schema_seeded.url, headers=headers, session=session)
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance], headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
            problems.setdefault(operation.label, f"{who}: {_failure_text(exc)}")
        leaked = schema_seeded.world_b.leaks(response.text)
        if leaked:
            problems.setdefault(f"{operation.label} LEAK", f"{who} saw {leaked} in {response.text[:300]}")
        return response

    for operation in operations:
        # Every user tries one valid request first; the fuzzing then goes to the users the
        # operation lets in (all of them when it refuses everyone, e.g. for a random path id),
        # so the examples reach the code behind the role check instead of its 403.
        first = _one_positive_case(operation)
        admitted = [who for who in sorted(schema_seeded.tokens) if send(operation, first, who).status_code not in (401, 403)]

        @FUZZ
        @given(case=operation.as_strategy(), who=st.sampled_from(admitted or sorted(schema_seeded.tokens)))
        def attack(case, who):
            send(operation, case, who)

        attack()

    report = "\n".join(f"{label}: {text}" for label, text in sorted(problems.items()))
    print(f"\nschemathesis: {len(operations)} operations, {sum(cases.values())} cases, statuses {dict(sorted(statuses.items()))}")
    assert not problems, f"{len(problems)} operations fail their own spec:\n{report}"
    assert len(operations) >= 80 and all(cases[op.label] > len(schema_seeded.tokens) for op in operations)
    # The run reached the code behind authentication, not only the front door.
    assert statuses[200] + statuses[201] > len(operations)


def _one_positive_case(operation):
    """One valid request for ``operation`` (deterministic, not shrunk); probes swap its path ids."""
    return find(
        operation.as_strategy(), lambda case: True,
        settings=settings(database=None, derandomize=True, max_examples=1, phases=[Phase.generate],
                          suppress_health_check=list(HealthCheck)),
    )


def _path_parameters(operation) -> list[str]:
    return re.findall(r"{(\w+)}", operation.path)


@pytest.mark.django_db(transaction=True)
def test_other_organisations_objects_are_refused_by_id(schema_seeded, schema_openapi):
    world_b = schema_seeded.world_b
    probed, problems = 0, []
    operations = [op for op in _operations(schema_openapi) if _path_parameters(op)]
    unprobed = []
    for operation in operations:
        (param,) = _path_parameters(operation)
        private = world_b.ids_for(operation, param, directory=False)
        directory = world_b.ids_for(operation, param, directory=True)
        if not private and not directory:
            unprobed.append(operation.label)
            continue
        case = _one_positive_case(operation)
        for who, token in sorted(schema_seeded.tokens.items()):
            role = who.split(":")[1]
            # The directory (companies, locations) is open to payers and the operator by design.
            ids = private + ([] if role in (Role.INSURER_CASE_HANDLER, Role.REGION_BILLING_OFFICER, Role.NETWORK_OPERATOR) else directory)
            for value in ids:
                case.path_parameters = {param: value}
                response = case.call(base_url=schema_seeded.url, headers={"Authorization": f"Bearer {token}"})
                probed += 1
                leaked = world_b.leaks(response.text)
                # An empty list is what any unknown id gets from a "mine for this id" list: it says nothing of B.
                refused = response.status_code in (403, 404) or (response.status_code == 200 and response.text.strip() == "[]")
                if not refused or leaked:
                    problems.append(f"{operation.label} {param}={value} as {who}: {response.status_code} {leaked} {response.text[:200]}")
    # Control: B's own people get the same objects, markers and all.
    own = {
        "clinic": f"/api/v1/ledger/patients/{world_b.ids['patient_id'][0]}",
        "insurer": f"/api/v1/cases/assignments/{world_b.ids['sakid'][0]}",
        "collection": f"/api/v1/receivables/collection/claims/{world_b.ids['claim_id'][0]}",
    }
    for who, path in own.items():
        response = requests.get(schema_seeded.url + path, headers={"Authorization": f"Bearer {world_b.own_tokens[who]}"})
        assert response.status_code == 200 and MARKER in world_b.leaks(response.text), (who, path, response.text[:300])
    print(f"\nid probes: {probed} requests over {len(operations) - len(unprobed)} operations; not probed: {unprobed}")
    assert not problems, "\n".join(problems)
    assert probed > 300


# --- regressions of what this run found --------------------------------------------------------


def _api_schema_classes() -> dict[str, set[str]]:
    """Every ninja Schema of every app's api.py, by class name -> the JSON schemas under that name."""
    import importlib
    import inspect

    from django.conf import settings as django_settings
    from ninja import Schema

    found: dict[str, set[str]] = collections.defaultdict(set)
    for app in django_settings.KVITT_APPS:
        try:
            module = importlib.import_module(f"kvitt.{app}.api")
        except ModuleNotFoundError:
            continue
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Schema) and obj.__module__ == module.__name__:
                found[obj.__name__].add(json.dumps(obj.model_json_schema(), sort_keys=True))
    return found


def test_no_two_api_schemas_share_a_name():
    """ninja files components by class name: a second app's ``CreditIn`` silently replaced the
    first in /api/v1/openapi.json, so the einvoice credit endpoint documented interregion's body."""
    clashes = {name: len(shapes) for name, shapes in _api_schema_classes().items() if len(shapes) > 1}
    assert not clashes, f"schema names used for different shapes: {clashes}"


@pytest.mark.django_db
def test_spec_documents_each_endpoints_own_body(client):
    spec = client.get("/api/v1/openapi.json").json()
    components = spec["components"]["schemas"]

    def body_fields(path: str) -> set[str]:
        ref = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return set(components[ref.rsplit("/", 1)[1]]["properties"])

    assert body_fields("/api/v1/einvoice/invoices/{invoice_id}/credit") == {"reason", "event_ids", "issue_date"}
    assert body_fields("/api/v1/interregion/sent/{spec_id}/credit") == {"line_ids", "reason_for_credit"}
    assert body_fields("/api/v1/einvoice/cases/{sak_id}/invoice") == {"issue_date", "due_days", "event_ids"}
    assert body_fields("/api/v1/interregion/build") == {"month"}


@pytest.mark.django_db
def test_negative_limits_are_refused_not_a_server_error(client):
    clinic = factories.company()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {factories.token(clinic.organisation, Role.CLINIC_ADMIN)}"}
    for url in ("/api/v1/ledger/care-events?limit=-7339", "/api/v1/core/audit?limit=-1", "/api/v1/ledger/care-events?limit=0"):
        response = client.get(url, **headers)
        assert response.status_code == 422, (url, response.status_code)
    assert client.get("/api/v1/ledger/care-events?limit=1", **headers).status_code == 200


@pytest.mark.django_db
def test_ninja_validation_errors_match_the_declared_422(client):
    """einvoice declared 422 as ``{"detail": str}``; ninja's own body validation answers a list."""
    clinic = factories.company()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {factories.token(clinic.organisation, Role.BILLING_CLERK)}"}
    response = client.post("/api/v1/einvoice/invoices/1/credit", "{}", content_type="application/json", **headers)
    assert response.status_code == 422 and isinstance(response.json()["detail"], list)
    spec = client.get("/api/v1/openapi.json").json()
    declared = spec["paths"]["/api/v1/einvoice/invoices/{invoice_id}/credit"]["post"]["responses"]["422"]
    ref = declared["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    detail = spec["components"]["schemas"][ref]["properties"]["detail"]
    assert any(option.get("type") == "array" for option in detail["anyOf"])


@pytest.mark.django_db
def test_downstream_system_out_of_the_columns_range_is_a_422(client):
    """A negative position failed the PositiveSmallIntegerField's CHECK: IntegrityError, 500."""
    region = Organisation.objects.create(name="Region Test", kind=OrganisationKind.REGION, country="SE", org_number="2321000888")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {factories.token(region, Role.REGION_BILLING_OFFICER)}"}

    def register(**fields):
        body = json.dumps({"code": "VF", "name": "Vårdfakturering", **fields})
        return client.post("/api/v1/reconciliation/systems", body, content_type="application/json", **headers)

    assert register(position=-1).status_code == 422
    assert register(position=40000).status_code == 422
    assert register(name="x" * 121).status_code == 422
    assert register(route="r" * 17).status_code == 422
    created = register(position=3)
    assert created.status_code == 201 and created.json()["position"] == 3
