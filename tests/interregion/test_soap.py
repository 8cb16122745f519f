import pytest
from lxml import etree

from kvitt.interregion import soap

from .factories import HOME_REGION, specification


def test_request_round_trips_through_the_soap_envelope():
    spec = specification()
    data = soap.build_request(spec, HOME_REGION)
    request = soap.parse_request(data)
    assert request.logical_address == HOME_REGION
    assert request.specification == spec


def test_request_uses_the_contract_namespaces_and_header():
    data = soap.build_request(specification(), HOME_REGION)
    root = etree.fromstring(data)  # our own output, not outside input
    ns = {"s": soap.NS_SOAP, "itr": soap.NS_REGISTRY, "r": soap.NS_RESPONDER, "c": soap.NS_CORE}
    assert root.xpath("string(/s:Envelope/s:Header/itr:LogicalAddress)", namespaces=ns) == HOME_REGION
    claim = root.xpath("/s:Envelope/s:Body/r:ProcessClaimSpecification/r:claimSpecification", namespaces=ns)[0]
    assert claim.xpath("string(c:id)", namespaces=ns).startswith("ZVF")
    assert claim.xpath("string(c:payableAmount/c:amount)", namespaces=ns) == "47473.00"
    assert claim.xpath("string(c:payableAmount/c:currency/c:codeSystem)", namespaces=ns) == "1.0.4217"
    line = claim.xpath("c:healthCareServicesSpecificationLine", namespaces=ns)[0]
    assert line.xpath("string(c:patientInformation/c:patientIdentity/c:root)", namespaces=ns) == "1.2.752.129.2.1.3.1"
    assert claim.xpath("string(.//c:DRGCode/c:originalText)", namespaces=ns) == "470C"
    assert claim.xpath("count(.//c:inpatientCareDiagnosis/c:biDiagnosis)", namespaces=ns) == 1


def _mutate(xpath: str, action):
    data = soap.build_request(specification(), HOME_REGION)
    root = etree.fromstring(data)
    ns = {"c": soap.NS_CORE, "r": soap.NS_RESPONDER, "s": soap.NS_SOAP, "itr": soap.NS_REGISTRY}
    action(root.xpath(xpath, namespaces=ns)[0])
    return etree.tostring(root)


def test_missing_required_element_names_its_path():
    data = _mutate("//c:healthcarePerformed[1]/c:activity/c:medicalFieldCode", lambda e: e.getparent().remove(e))
    with pytest.raises(soap.SoapError, match=r"healthcarePerformed\[1\]/activity/medicalFieldCode: required"):
        soap.parse_request(data)


def test_bad_date_and_wrong_order_are_refused():
    def bad_date(e):
        e.text = "2026-09-14"

    with pytest.raises(soap.SoapError, match="careVisitDate: '2026-09-14' is not a date"):
        soap.parse_request(_mutate("//c:careVisitDate", bad_date))

    def swap(e):
        parent = e.getparent()
        parent.remove(e)
        parent.append(e)

    with pytest.raises(soap.SoapError, match=r"claimSpecification/id: required element is missing \(found issueDate"):
        soap.parse_request(_mutate("/s:Envelope/s:Body/r:ProcessClaimSpecification/r:claimSpecification/c:id", swap))

    def unknown(e):
        etree.SubElement(e, f"{{{soap.NS_CORE}}}patientName").text = "x"

    with pytest.raises(soap.SoapError, match="patientName: element not allowed here"):
        soap.parse_request(_mutate("//c:patientOtherInformation", unknown))


def test_three_decimals_are_refused():
    def three(e):
        e.text = "1.005"

    with pytest.raises(soap.SoapError, match="more than two decimals"):
        soap.parse_request(_mutate("//c:payableAmount/c:amount", three))


def test_missing_logical_address_is_refused():
    with pytest.raises(soap.SoapError, match="LogicalAddress"):
        soap.parse_request(_mutate("//itr:LogicalAddress", lambda e: e.getparent().remove(e)))


def test_other_namespace_extensions_are_skipped():
    def extend(e):
        etree.SubElement(e, "{urn:example:ext}note").text = "x"

    request = soap.parse_request(_mutate("//c:healthcarePerformed[1]", extend))
    assert request.specification == specification()


def test_hostile_xml_is_refused_by_the_safe_parser():
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(soap.SoapError, match="DTD"):
        soap.parse_request(evil)


def test_response_and_fault_round_trip():
    assert soap.parse_response(soap.build_response("OK")) == soap.ClaimResponse("OK", "")
    answer = soap.parse_response(soap.build_response("ERROR", "Id: ÖR5"))
    assert answer == soap.ClaimResponse("ERROR", "Id: ÖR5")
    fault = soap.parse_response(soap.build_fault("database deadlock"))
    assert isinstance(fault, soap.SoapFault) and fault.message == "database deadlock"
    with pytest.raises(ValueError):
        soap.build_response("MAYBE")
