"""Access control matrix (issue #11, point 4): every role × every API operation and page.

* other organisation: each endpoint is called by a user of every role with the ids (path, known
  query and body fields) of another organisation's objects; it must refuse (403/404) and no
  response may carry that organisation's patients' national ids, SakIDs or Helfo ids, lists
  included;
* own organisation: each endpoint is called with the role's own organisation's objects (writes
  too, rolled back); a role without the clinical privacy class (``ROLE_PRIVACY``) must never
  get clinical text, a role without the identity class never a national id;
* the collection agent (the demo's, with real claims in collection) gets no clinical text from
  any endpoint it can reach.

The endpoints are found in the ninja API's schema and in Django's URL resolver
(``matrix_endpoints``); the cases are generated from them, so a new endpoint is tested (or
fails classification) without editing this file. The matrix of outcomes is written to
``KVITT_MATRIX_OUT`` (default /work/briefs/security-matrix.md) when the whole module ran.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client

from kvitt.core.models import Role
from kvitt.core.permissions import ROLE_PRIVACY

from tests.hardening import matrix_endpoints as ep
from tests.hardening.matrix_world import ROLES, build_world, clinical_strings, leaks, own_objects

pytestmark = pytest.mark.django_db

ENDPOINTS = ep.all_endpoints()
CHECKED = [e for e in ENDPOINTS if not e.public]
READABLE = [e for e in CHECKED if e.method == "GET"]
REFUSED = (403, 404)

# Another organisation's object that a role may see by design, with the reason.
PAYER_DIRECTORY = "payers see the clinics and locations of the partner network (search, approvals)"
INVITE_PAGE = ("the page shows a location of the partner directory; sending the invitation is refused by "
               "invite_practitioner to anyone but the company's clinic admin or the network operator")
OPERATOR_DIRECTORY = "the network operator manages every company, location and practitioner of the network (README)"
NETWORK_READS = ("GET /api/v1/network/companies/{company_id}", "GET /api/v1/network/locations/{location_id}",
                 "web network:company", "web network:location")
NETWORK_WRITES = ("PATCH /api/v1/network/companies/{company_id}", "POST /api/v1/network/companies/{company_id}/locations",
                  "POST /api/v1/network/companies/{company_id}/practitioners",
                  "POST /api/v1/network/locations/{location_id}/invitations", "web network:invite")
SHARED_BY_DESIGN: dict[tuple[str, str], str] = {
    **{(key, role): PAYER_DIRECTORY for key in NETWORK_READS
       for role in (Role.INSURER_CASE_HANDLER, Role.REGION_BILLING_OFFICER)},
    **{("web network:invite", role): INVITE_PAGE for role in (Role.INSURER_CASE_HANDLER, Role.REGION_BILLING_OFFICER)},
    **{(key, Role.NETWORK_OPERATOR): OPERATOR_DIRECTORY for key in NETWORK_READS + NETWORK_WRITES},
}

# A role shown data of a privacy class it lacks, by a decision of the owning app, with the reason.
PRIVACY_EXCEPTIONS: dict[tuple[str, str], str] = {
    (key, Role.AUDITOR): (
        "reconciliation.reports.READ_ROLES lets the auditor read the status matrix, whose rows carry the "
        "product (tariff) code of each care event number, without the patient; to be confirmed by the lead"
    )
    for key in ("GET /api/v1/reconciliation/matrix", "web reconciliation:matrix")
}

RESULTS: dict[tuple[str, str], dict[str, str]] = {}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world is built once for the module inside a transaction that is rolled back at the end;
    each test runs in a savepoint of it (pytest-django's ``db``), so writes never leak across."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            world.clients = {}
            for role, user in world.users.items():
                client = Client()
                client.force_login(user)
                world.clients[role] = client
            world.clinical = clinical_strings()
            from kvitt.ledger.models import Patient

            world.national_ids = {n for n in Patient.objects.values_list("national_id", flat=True) if len(n) >= 10}
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
    _write_matrix()


# --- calling an endpoint -----------------------------------------------------------------------


def _call(client: Client, endpoint: ep.Endpoint, objects: dict):
    """(status, body) of the endpoint with ``objects`` filled in, or None when nothing fits."""
    if endpoint.kind == "api":
        url = ep.api_url(endpoint, objects)
        if url is None:
            return None
        body = ep.api_body(endpoint, objects)
        method = getattr(client, endpoint.method.lower())
        if endpoint.method == "GET":
            response = method(url)
        else:
            response = method(url, data=json.dumps(body or {}), content_type="application/json")
    else:
        filled = ep.web_url(endpoint, objects)
        if filled is None:
            return None
        url, data = filled
        response = client.get(url, data)
        if response.status_code == 405:
            response = client.post(url, data)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, content.decode("utf-8", "replace")


def _cell(status: int | None) -> str:
    if status is None:
        return "·"
    if status in REFUSED:
        return "refused"
    return "allowed" if status < 400 else str(status)


# --- the endpoints are all known ---------------------------------------------------------------


def test_every_endpoint_is_classified():
    """Every path parameter of every API operation and page names an object of the matrix, or
    the endpoint is public for a stated reason; the public list has no stale entries."""
    assert len([e for e in ENDPOINTS if e.kind == "api"]) > 50 and len([e for e in ENDPOINTS if e.kind == "web"]) > 60
    problems = {e.key: ep.unclassified(e) for e in ENDPOINTS if ep.unclassified(e)}
    assert not problems, f"endpoints the access matrix cannot fill (add to matrix_endpoints): {problems}"
    keys = {e.key for e in ENDPOINTS}
    assert set(ep.PUBLIC) <= keys, f"public entries without an endpoint: {set(ep.PUBLIC) - keys}"


# --- another organisation's objects --------------------------------------------------------------


@pytest.mark.parametrize("endpoint", CHECKED, ids=str)
def test_other_organisation_is_refused(world, endpoint):
    """Every role, given another organisation's objects, is refused and sees none of its data."""
    kinds = ep.object_kinds(endpoint)
    foreign = world.markers - ep.sent_values(endpoint, world.b)  # the caller may see what it typed
    problems = []
    for role in ROLES:
        result = _call(world.clients[role], endpoint, world.b)
        assert result is not None, f"{endpoint}: the world has no object of another organisation for it"
        status, body = result
        shared = SHARED_BY_DESIGN.get((endpoint.key, role))
        RESULTS.setdefault((endpoint.key, role), {})["other"] = (
            ("shared" if shared and status not in REFUSED else _cell(status)) if kinds
            else ("list" if status not in REFUSED else "refused")
        )
        if status >= 500:
            problems.append(f"{role}: server error {status}")
        leaked = leaks(body, foreign)
        if leaked:
            problems.append(f"{role}: shows another organisation's data {leaked[:5]}")
        if kinds and not shared and status not in REFUSED:
            problems.append(f"{role}: not refused with another organisation's {sorted(kinds)}: {status} {body[:200]}")
    assert not problems, f"{endpoint}:\n" + "\n".join(problems)


def test_switching_to_another_organisations_membership_is_ignored(world):
    from kvitt.core.models import Membership

    foreign = Membership.objects.filter(organisation=world.b["company"].organisation).first()
    client = world.clients[Role.CLINIC_ADMIN]
    client.post("/acting/", {"membership": foreign.pk})
    me = client.get("/api/v1/core/me").json()
    assert me["organisation_id"] == world.users[Role.CLINIC_ADMIN].memberships.get().organisation_id


def test_django_admin_is_for_staff_only(world):
    for role in ROLES:
        response = world.clients[role].get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.public], ids=str)
def test_public_endpoints_refuse_forged_keys(endpoint):
    """Public endpoints answer anonymous callers; those keyed by a token refuse a forged one."""
    result = _call(Client(), endpoint, {})
    assert result is not None
    status, _ = result
    if endpoint.path_params:
        assert status in (400, *REFUSED), f"{endpoint} with a forged token: {status}"
    else:
        assert status < 500, f"{endpoint}: {status}"


# --- the role's own organisation; roles without business (from the apps' own constants) -------


def _role_rules():
    from kvitt.einvoice.services import RESPONSE_ROLES
    from kvitt.interregion.selectors import LIST_ROLES
    from kvitt.helfo.selectors import CLINIC_ROLES as HELFO_ROLES
    from kvitt.ledger.selectors import CLINICAL_READERS
    from kvitt.receivables.selectors import CLINIC_READERS as INVOICE_READERS
    from kvitt.reconciliation.reports import READ_ROLES

    def api(prefix, method="GET"):
        return lambda e: e.kind == "api" and e.method == method and e.path.startswith(API + prefix)

    def pages(*names):
        return lambda e: e.kind == "web" and e.url_name in names

    def web_app(app):
        return lambda e: e.kind == "web" and e.app == app

    return [
        ("core.selectors: require_role(AUDITOR)", {Role.AUDITOR}, [api("/core/audit"), pages("core:audit", "core:access_report")]),
        ("ledger.selectors.CLINICAL_READERS", set(CLINICAL_READERS), [api("/ledger/care-events"), web_app("ledger")]),
        ("helfo.selectors.CLINIC_ROLES", set(HELFO_ROLES), [api("/helfo/"), web_app("helfo")]),
        ("receivables.selectors.CLINIC_READERS", set(INVOICE_READERS),
         [api("/receivables/invoices"), pages("receivables:overview", "receivables:invoice", "receivables:send",
                                              "receivables:decide", "receivables:invoice_shares")]),
        ("receivables.selectors.collection_claims", {Role.COLLECTION_AGENT},
         [api("/receivables/collection"), pages("receivables:collection", "receivables:collection_case",
                                                "receivables:collection_act")]),
        ("interregion.selectors.LIST_ROLES", set(LIST_ROLES), [api("/interregion/sent"), api("/interregion/received"),
                                                              pages("interregion:sent", "interregion:received")]),
        ("interregion: received patients for the region's officers", {Role.REGION_BILLING_OFFICER},
         [pages("interregion:received_detail")]),
        ("einvoice.services.RESPONSE_ROLES", set(RESPONSE_ROLES),
         [lambda e: e.kind == "api" and e.method == "POST" and e.path == API + "/einvoice/invoices/{invoice_id}/response"]),
        ("reconciliation.reports.READ_ROLES", set(READ_ROLES), [api("/reconciliation/matrix"), pages("reconciliation:matrix")]),
    ]


API = ep.API_PREFIX
ROLE_RULES = [
    (source, allowed, endpoint) for source, allowed, matchers in _role_rules()
    for endpoint in CHECKED if any(match(endpoint) for match in matchers)
]


def test_role_rules_cover_the_apps():
    assert len(ROLE_RULES) >= 30 and {Role.AUDITOR, Role.COLLECTION_AGENT} <= set().union(*(a for _, a, _ in ROLE_RULES))


@pytest.mark.parametrize("endpoint", CHECKED, ids=str)
def test_own_organisation_by_role(world, endpoint):
    """Every role, with its own organisation's objects: never another organisation's data, no
    clinical text without the clinical privacy class, no national id without the identity class;
    where the owning app's permission constant names the roles (``ROLE_RULES``), a role it leaves
    out is refused (403/404) and a role it names is let in."""
    rules = [(source, allowed) for source, allowed, e in ROLE_RULES if e == endpoint]
    problems = []
    exercised = 0
    for role in ROLES:
        own = own_objects(world, role)
        typed = ep.sent_values(endpoint, own)  # what the caller typed may be echoed
        result = _call(world.clients[role], endpoint, own)
        RESULTS.setdefault((endpoint.key, role), {})["own"] = _cell(result[0] if result else None)
        if result is None:
            continue
        exercised += 1
        status, body = result
        if status >= 500:
            problems.append(f"{role}: server error {status}")
        for source, allowed in rules:
            if role not in allowed and status not in REFUSED:
                problems.append(f"{role} is let in ({status}) although {source} leaves it out")
            if role in allowed and status in REFUSED:
                problems.append(f"{role} is refused ({status}) although {source} names it")
        if leaks(body, world.markers):
            problems.append(f"{role}: shows another organisation's data")
        classes = ROLE_PRIVACY[role]
        if (endpoint.key, role) in PRIVACY_EXCEPTIONS:
            continue  # (the role rules above are checked all the same)
        if "clinical" not in classes and (leaked := leaks(body, world.clinical - typed)):
            problems.append(f"{role}: shows clinical data {leaked[:5]}")
        if "identity" not in classes and (leaked := leaks(body, world.national_ids - typed)):
            problems.append(f"{role}: shows national ids {leaked[:3]}")
    assert not problems, f"{endpoint}:\n" + "\n".join(problems)
    if not exercised:
        pytest.skip("side A has no object of this kind")


# --- the collection agent with real claims -------------------------------------------------------


@pytest.mark.parametrize("endpoint", READABLE, ids=str)
def test_collection_agent_never_gets_clinical_text(world, endpoint):
    """The demo's collector (Trygg Inkasso, holding Fjordbyen's claims in collection) opens every
    readable endpoint with its claims and its creditor's other objects: no clinical text."""
    from kvitt.receivables.models import DunningStage, PatientInvoice

    client = Client()
    client.force_login(world.ctx.users["collector"])
    claims = list(PatientInvoice.objects.filter(
        organisation=world.b["company"].organisation, dunning_stage=DunningStage.COLLECTION
    ).order_by("pk"))
    assert claims
    uses_claim = "collection_claim" in ep.object_kinds(endpoint)
    for claim in claims if uses_claim else claims[:1]:
        result = _call(client, endpoint, {**world.b, "collection_claim": claim})
        assert result is not None
        status, body = result
        assert status < 500, f"{endpoint}: server error {status}"
        leaked = leaks(body, world.clinical)
        assert not leaked, f"{endpoint} shows clinical data to the collection agent: {leaked[:5]}"
    if endpoint.key == "web receivables:collection_case":
        assert status == 200 and claims[-1].patient.name in body, "the agent can still do the job"


# --- the printed matrix ------------------------------------------------------------------------


LEGEND = """Each cell: own organisation / other organisation. Each role's user acts for side A: Bergen
Psykologsenter (clinic roles, auditor), Vidde Helseforsikring (case handler), Region Skåne
(region officer), a collection agency of its own (collection agent) and Kvitt Nettverk
(operator). Side B, the other organisations, holds one object of every kind: Fjordbyen
Fysioterapi, Nordlys Forsikring, Trygg Inkasso, Region Stockholm and Region Uppsala (demo data
plus what the matrix adds).

* own: side A's objects as the role meets them (its organisation's, or addressed to it, like
  Vidde's assignment to Bergen Psykologsenter). `allowed` – an answer (2xx/3xx);
  a number – another 4xx, about the request itself (the permission check passed, or was not
  reached because the body was refused first); `refused` – 403/404 (the role has no business
  there); `·` – not exercised: the role's organisation has no object of the kind. Writes are
  exercised too, inside a rolled-back transaction: API operations with the smallest body their
  schema accepts, pages that accept only POST with the form's id fields only.
* other: `refused` – 403/404 with another organisation's object (or, for an endpoint without
  ids, the role is refused outright); `list` – an endpoint without ids (list, search, form)
  answered without any of the other organisation's data; `shared` – visible by design (see the
  reasons below).

Every response, refused or not, is also searched for the other organisation's patients'
national ids, SakIDs and Helfo bill/settlement ids; every own-organisation response of a role
without the clinical privacy class (collection agent, auditor, network operator) for diagnosis
codes and texts, service/procedure codes and clinical notes, and of a role without the identity
class (auditor, network operator) for patients' national ids.
"""


def _write_matrix() -> None:
    expected = len(CHECKED) * len(ROLES)
    done = sum(1 for cell in RESULTS.values() if "other" in cell)
    if done < expected:
        return  # a partial run (-k, -x) writes nothing
    out = Path(os.environ.get("KVITT_MATRIX_OUT", "/work/briefs/security-matrix.md"))
    cases = done + sum(1 for cell in RESULTS.values() if "own" in cell)
    lines = [
        "# Access control matrix (generated by tests/hardening/test_access_matrix.py)",
        "",
        f"{len(CHECKED)} endpoints ({len([e for e in CHECKED if e.kind == 'api'])} API operations, "
        f"{len([e for e in CHECKED if e.kind == 'web'])} pages) × {len(ROLES)} roles; {cases} cases "
        f"({done} other-organisation, {cases - done} own-organisation).",
        "",
        LEGEND,
        "| endpoint | " + " | ".join(ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for endpoint in CHECKED:
        cells = []
        for role in ROLES:
            cell = RESULTS.get((endpoint.key, role), {})
            cells.append(f"{cell.get('own', '·')} / {cell.get('other', '·')}")
        lines.append(f"| `{endpoint.key}` | " + " | ".join(cells) + " |")
    lines += ["", "## Public endpoints", ""] + [f"* `{k}`: {why}" for k, why in sorted(ep.PUBLIC.items())]
    lines += ["", "## Role expectations asserted (from the apps' permission constants)", ""]
    by_source: dict[str, tuple[set, list]] = {}
    for source, allowed, endpoint in ROLE_RULES:
        by_source.setdefault(source, (allowed, []))[1].append(endpoint.key)
    for source, (allowed, keys) in by_source.items():
        lines.append(f"* `{source}`: only {', '.join(sorted(allowed - {'system'}))} – {len(keys)} endpoint{'s' if len(keys) != 1 else ''}")
    lines += ["", "## Path ids that filter the caller's own data", ""]
    lines += [f"* `{k}` ({p}): {why}" for (k, p), why in sorted(ep.FILTER_PATH_PARAMS.items())]
    lines += ["", "## Privacy classes shown by decision of the owning app", ""]
    lines += [f"* `{k}` to {r}: {why}" for (k, r), why in sorted(PRIVACY_EXCEPTIONS.items())]
    lines += ["", "## Visible across organisations by design", ""]
    lines += sorted({f"* `{k}` for {r}: {why}" for (k, r), why in SHARED_BY_DESIGN.items()})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
