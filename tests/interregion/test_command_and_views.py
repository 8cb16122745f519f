"""The CLI and the web pages: who sees what, and the producer behind a TLS-terminating proxy."""

import pytest
from django.core.management import call_command
from django.test import Client

from kvitt.core.models import AuditEntry, Membership, Role, User
from kvitt.interregion import services, soap
from kvitt.interregion.models import AuthorisedCaller, ClaimSpecification, Direction, SpecStatus

from .conftest import A_HSA, B_ORG
from .factories import specification

pytestmark = pytest.mark.django_db


def login(tenant) -> Client:
    client = Client()
    client.force_login(tenant.user)
    return client


def test_build_command_builds_and_checks_the_month(regions, billed_month, capsys):
    call_command("interregion", "build", "--month", "2026-09", "--region", "2321000016")
    out = capsys.readouterr().out
    assert "ZVF2321000016" in out and "-> 2321000024" in out and "2 lines" in out
    row = ClaimSpecification.objects.get(direction=Direction.SENT)
    assert row.status == SpecStatus.READY
    with pytest.raises(Exception, match="YYYY-MM"):
        call_command("interregion", "build", "--month", "2026-9")


@pytest.mark.django_db(transaction=True)  # the delivery thread has its own connection
def test_send_command_queues_ready_bases_and_reports(regions, billed_month, capsys):
    call_command("interregion", "build", "--month", "2026-09", "--region", "2321000016")
    call_command("interregion", "send", "--region", "2321000016")
    out = capsys.readouterr().out
    # no address is configured for the home region: the delivery fails and says why
    # The delivery thread words the refusal in the site's language (nb by default): check the facts.
    assert "1 deliveries handled" in out and "Not delivered" in out
    assert "2321000024" in out.split("Not delivered", 1)[1].splitlines()[0]
    assert ClaimSpecification.objects.get(direction=Direction.SENT).status == SpecStatus.UNDELIVERED


def _received_basis(regions):
    request = soap.ClaimRequest(B_ORG, specification())
    assert services.receive_claim(request, A_HSA).result_code == "OK"
    return ClaimSpecification.objects.get(direction=Direction.RECEIVED)


def test_received_patient_data_only_for_the_home_regions_officers_and_audited(regions):
    row = _received_basis(regions)
    b = regions["b"]
    page = login(b).get(f"/interregion/received/{row.pk}/")
    assert page.status_code == 200 and "191212121212" in page.content.decode()
    assert AuditEntry.objects.filter(user=b.user, action="read", object_type="interregion.ClaimLine").count() == 2
    # the care region cannot open the home region's copy
    assert login(regions["a"]).get(f"/interregion/received/{row.pk}/").status_code == 404
    # an auditor of the home region sees the list but not the patients
    auditor = User.objects.create_user(username="auditor-b")
    Membership.objects.create(user=auditor, organisation=b.organisation, role=Role.AUDITOR)
    client = Client()
    client.force_login(auditor)
    assert client.get("/interregion/received/").status_code == 200
    assert client.get(f"/interregion/received/{row.pk}/").status_code == 403


def test_lists_and_match_view_render(regions, billed_month):
    call_command("interregion", "build", "--month", "2026-09", "--region", "2321000016")
    page = login(regions["a"]).get("/interregion/sent/")
    assert page.status_code == 200 and "ZVF2321000016" in page.content.decode()
    assert "Anna" not in page.content.decode() and "191212121212" not in page.content.decode()
    _received_basis(regions)
    match = login(regions["b"]).get("/interregion/match/")
    assert match.status_code == 200 and "ZVF2321000016" in match.content.decode()


def test_dispute_from_the_web(regions):
    row = _received_basis(regions)
    client = login(regions["b"])
    response = client.post(f"/interregion/received/{row.pk}/", {"line_id": "2", "reason_code": "3", "reason": "fel DRG"})
    assert response.status_code == 302
    page = client.get(f"/interregion/received/{row.pk}/").content.decode()
    assert "fel DRG" in page


SOAP_URL = "/interregion/soap/ProcessClaimSpecification/1/rivtabp21"


def test_proxy_mode_producer_trusts_the_certificate_header_only_from_the_proxy(regions, settings):
    settings.KVITT_INTERREGION_TRUSTED_PROXIES = ["10.0.0.5/32"]
    AuthorisedCaller.objects.create(organisation=regions["b"].organisation, hsa_id=A_HSA, logical_address=B_ORG)
    body = soap.build_request(specification(), B_ORG)
    headers = {"HTTP_X_SSL_CLIENT_VERIFY": "SUCCESS", "HTTP_X_SSL_CLIENT_S_DN": f"CN=Region Stockholm,serialNumber={A_HSA},C=SE"}
    # a plain request straight to Kvitt, even with forged headers, is refused
    forged = Client(REMOTE_ADDR="192.0.2.10").post(SOAP_URL, body, content_type="text/xml", **headers)
    assert forged.status_code == 403
    assert not ClaimSpecification.objects.filter(direction=Direction.RECEIVED).exists()
    # through the proxy, with a verified certificate, it is received
    proxied = Client(REMOTE_ADDR="10.0.0.5").post(SOAP_URL, body, content_type="text/xml", **headers)
    assert proxied.status_code == 200 and soap.parse_response(proxied.content).result_code == "OK"
    # the proxy vouching for an unverified certificate does not help
    unverified = {**headers, "HTTP_X_SSL_CLIENT_VERIFY": "FAILED:unable to verify"}
    assert Client(REMOTE_ADDR="10.0.0.5").post(SOAP_URL, body, content_type="text/xml", **unverified).status_code == 403


def test_received_basis_failing_the_rules_gets_error_naming_rule_and_location(regions):
    spec = specification()
    spec.lines[0].care[1].care_contact_id = None  # inpatient without care contact id
    response = services.receive_claim(soap.ClaimRequest(B_ORG, spec), A_HSA)
    assert response.result_code == "ERROR"
    assert "Id: ÖR11" in response.comment and "healthcarePerformed[2]/careContactId" in response.comment
    assert not ClaimSpecification.objects.filter(direction=Direction.RECEIVED).exists()


def test_resent_basis_is_accepted_once_and_a_changed_one_with_the_same_id_is_refused(regions):
    spec = specification()
    assert services.receive_claim(soap.ClaimRequest(B_ORG, spec), A_HSA).result_code == "OK"
    assert services.receive_claim(soap.ClaimRequest(B_ORG, spec), A_HSA).result_code == "OK"
    spec.lines[0].care[0].care_unit_name = "Annan mottagning"
    again = services.receive_claim(soap.ClaimRequest(B_ORG, spec), A_HSA)
    assert again.result_code == "ERROR" and "already been received" in again.comment
    assert ClaimSpecification.objects.filter(direction=Direction.RECEIVED).count() == 1


def test_list_pages_use_a_fixed_number_of_queries(regions, billed_month, django_assert_max_num_queries):
    from kvitt.interregion.models import ClaimSpecification as Row

    call_command("interregion", "build", "--month", "2026-09", "--region", "2321000016")
    first = Row.objects.get(direction=Direction.SENT)
    for n in range(2, 12):  # ten more bases
        Row.objects.create(organisation=first.organisation, direction=Direction.SENT, basis_id=f"ZVF2321000016260900{n:04d}",
                           supplier_org_number=first.supplier_org_number, customer_org_number=first.customer_org_number,
                           issue_date=first.issue_date, payable_amount=100, status=SpecStatus.READY, request_xml="<x/>")
    client = login(regions["a"])
    client.get("/interregion/sent/")  # warm the URL and template caches
    with django_assert_max_num_queries(12):
        assert client.get("/interregion/sent/").status_code == 200


def test_credit_basis_lines_are_not_disputed(regions):
    from django.core.exceptions import ValidationError

    services.receive_claim(soap.ClaimRequest(B_ORG, specification()), A_HSA)
    credit = specification(id="ZVF23210000162610000001", type_of_invoice="381", reference_to_specification_id="ZVF23210000162609000001")
    for care in credit.lines[0].care:
        care.reason_for_credit = "2"
    assert services.receive_claim(soap.ClaimRequest(B_ORG, credit), A_HSA).result_code == "OK"
    row = ClaimSpecification.objects.get(basis_id="ZVF23210000162610000001")
    assert row.reference_to.basis_id == "ZVF23210000162609000001"
    with pytest.raises(ValidationError):
        services.dispute_line(regions["b"].actor, row, 1, reason_code="7", reason="x")
