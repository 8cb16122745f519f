"""Stored documents that carry patient identity are encrypted at rest (issue #11 point 5):
e-invoice XML and its envelope, Helfo's BKM (JSON and signed XML), the inter-regional
basis, the journal-system webhook payload. Same keys and rotation as the national ids."""

import datetime
import hashlib
import io
import json

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kvitt.booking import services as booking_services
from kvitt.booking.models import OutboxMessage, Slot, SlotStatus
from kvitt.core import fieldcrypto
from kvitt.einvoice.models import DeliveryOutbox, OutgoingInvoice
from kvitt.helfo.models import Practice, Settlement
from kvitt.interregion import soap
from kvitt.interregion.models import ClaimSpecification
from tests.booking import helpers as booking_helpers
from tests.cases import factories as f
from tests.interregion import factories as region_factories

FNR = f.FNR  # the patient of tests.cases.factories.patient
SWEDISH_ID = "191212121212"  # region_factories.patient_line's personnummer

# (model, field, table, column): every document column known to hold patient identity.
DOCUMENT_COLUMNS = [
    (OutgoingInvoice, "document_xml", "einvoice_outgoinginvoice", "document_xml"),
    (DeliveryOutbox, "envelope", "einvoice_deliveryoutbox", "envelope"),
    (Settlement, "bkm_json", "helfo_settlement", "bkm_json"),
    (Settlement, "signed_xml", "helfo_settlement", "signed_xml"),
    (ClaimSpecification, "request_xml", "interregion_claimspecification", "request_xml"),
    (OutboxMessage, "payload", "booking_outboxmessage", "payload"),
]


def raw_column(table: str, column: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        value = cursor.fetchone()[0]
    return bytes(value) if isinstance(value, memoryview) else value  # PostgreSQL: bytea as memoryview, jsonb parsed


def as_bytes(value) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


@pytest.fixture
def k1_keys(settings):
    k1, search = fieldcrypto.generate_key(), fieldcrypto.generate_key()
    settings.KVITT_FIELD_KEYS = [k1]
    settings.KVITT_SEARCH_KEY = search
    return {"k1": k1}


def invoice_xml(national_id: str) -> str:
    """An EHF-shaped invoice of ~30 KB with the PatientId line property (non-ASCII included)."""
    lines = "".join(
        f'<cac:InvoiceLine><cbc:ID>{n}</cbc:ID><cbc:Note>Behandling nr. {n}, ø/å/æ</cbc:Note>'
        f'<cac:Item><cac:AdditionalItemProperty><cbc:Name>PatientId</cbc:Name><cbc:Value>{national_id}</cbc:Value>'
        f"</cac:AdditionalItemProperty></cac:Item></cac:InvoiceLine>\n"
        for n in range(1, 120)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">\n{lines}</Invoice>\n'


def stored_documents() -> dict:
    """One row of every encrypted document column, made through the real code where cheap."""
    payer = f.payer()
    handler = f.case_handler(payer)
    clinic = booking_helpers.clinic(payer)
    slot = Slot.objects.filter(location=clinic.location, status=SlotStatus.FREE).order_by("start").first()
    booking = booking_services.book_slot(handler, f.assignment(handler), slot.pk)  # enqueues the webhook
    message = OutboxMessage.objects.get(booking=booking)

    document = invoice_xml(FNR)
    invoice = OutgoingInvoice.objects.create(
        company=clinic.company, payer=payer, number=1, sak_id="SAK-1", issue_date=datetime.date(2026, 11, 1),
        total_amount=120_000, document_xml=document, message_id="msg-1",
    )
    envelope = b"<StandardBusinessDocument>" + document.encode() + b"</StandardBusinessDocument>"
    outbox = DeliveryOutbox.objects.create(invoice=invoice, message_id="msg-1", envelope=envelope)

    practice = Practice.objects.create(
        organisation=clinic.company.organisation, company=clinic.company, practice_id="123456", name="P", area="FY"
    )
    bkm = json.dumps({"pasient": {"fnr": FNR}, "belop": "450.00"}, ensure_ascii=False)
    signed = f'<Message><Patient><Ident><Id>{FNR}</Id></Ident></Patient><Signature>abc=</Signature></Message>'
    settlement = Settlement.objects.create(
        organisation=clinic.company.organisation, practice=practice, channel="bkm_xml", bkm_json=bkm, signed_xml=signed
    )

    request = soap.build_request(region_factories.specification(), region_factories.HOME_REGION).decode("utf-8")
    spec = ClaimSpecification.objects.create(
        organisation=payer.organisation, direction="sent", basis_id="B-1", supplier_org_number=region_factories.CARE_REGION,
        customer_org_number=region_factories.HOME_REGION, issue_date=datetime.date(2026, 10, 1), payable_amount=100,
        status="pending", request_xml=request,
    )
    return {
        (OutgoingInvoice, "document_xml"): (invoice.pk, document, FNR),
        (DeliveryOutbox, "envelope"): (outbox.pk, envelope, FNR),
        (Settlement, "bkm_json"): (settlement.pk, bkm, FNR),
        (Settlement, "signed_xml"): (settlement.pk, signed, FNR),
        (ClaimSpecification, "request_xml"): (spec.pk, request, SWEDISH_ID),
        (OutboxMessage, "payload"): (message.pk, message.payload, FNR),
    }


def read_back(model, field: str, pk: int):
    return getattr(model.objects.get(pk=pk), field)


def assert_encrypted_and_identical(documents: dict, key: str) -> None:
    for model, field, table, column in DOCUMENT_COLUMNS:
        pk, original, identity = documents[(model, field)]
        stored = raw_column(table, column, pk)
        assert identity.encode() not in as_bytes(stored), f"{model.__name__}.{field} holds the id in clear"
        plain = Fernet(key).decrypt(as_bytes(stored))
        value = read_back(model, field, pk)
        if field == "payload":
            assert json.loads(plain) == value == original
            assert value["patient"]["national_id"] == FNR
        else:
            assert value == original and type(value) is type(original)
            assert hashlib.sha256(as_bytes(value)).digest() == hashlib.sha256(as_bytes(original)).digest()
            assert plain == as_bytes(original)


@pytest.mark.django_db
def test_document_columns_hold_tokens_and_read_back_the_identical_text_and_bytes(k1_keys):
    documents = stored_documents()
    assert_encrypted_and_identical(documents, k1_keys["k1"])
    assert len(documents[(OutgoingInvoice, "document_xml")][1]) > 25_000


@pytest.mark.django_db
def test_the_code_that_reads_the_documents_sees_the_originals(k1_keys):
    documents = stored_documents()
    spec_pk, request, _ = documents[(ClaimSpecification, "request_xml")]
    spec = ClaimSpecification.objects.get(pk=spec_pk)
    parsed = soap.parse_request(spec.request_xml.encode("utf-8")).specification  # what services.py does
    assert [line.patient_id.extension for line in parsed.lines] == [SWEDISH_ID]
    outbox_pk, envelope, _ = documents[(DeliveryOutbox, "envelope")]
    assert bytes(DeliveryOutbox.objects.get(pk=outbox_pk).envelope) == envelope
    # update() encrypts too, and the updated value reads back.
    OutgoingInvoice.objects.filter(pk=documents[(OutgoingInvoice, "document_xml")][0]).update(document_xml="<x>" + FNR + "</x>")
    assert FNR not in raw_column("einvoice_outgoinginvoice", "document_xml", documents[(OutgoingInvoice, "document_xml")][0])
    assert OutgoingInvoice.objects.get().document_xml == "<x>" + FNR + "</x>"


@pytest.mark.django_db
@pytest.mark.parametrize("model, field", [(m, fld) for m, fld, _, _ in DOCUMENT_COLUMNS])
def test_document_columns_refuse_queries_on_their_content(k1_keys, model, field):
    with pytest.raises(FieldError, match=f"{model.__name__}.{field} is encrypted"):
        list(model.objects.filter(**{f"{field}__contains": FNR}))
    assert list(model.objects.filter(**{f"{field}__isnull": True})) == []


@pytest.mark.django_db
def test_empty_documents_stay_empty(k1_keys):
    documents = stored_documents()
    settlement = Settlement.objects.get(pk=documents[(Settlement, "bkm_json")][0])
    settlement.signed_xml = ""
    settlement.save()
    assert raw_column("helfo_settlement", "signed_xml", settlement.pk) == ""
    assert Settlement.objects.get(pk=settlement.pk).signed_xml == ""


@pytest.mark.django_db
def test_rotation_re_encrypts_the_documents_and_the_old_key_can_go(k1_keys, settings):
    documents = stored_documents()
    labels = {m._meta.label for m in fieldcrypto.models_with_encrypted_fields()}
    assert {m._meta.label for m, *_ in DOCUMENT_COLUMNS} <= labels
    k2 = fieldcrypto.generate_key()
    settings.KVITT_FIELD_KEYS = [k2, k1_keys["k1"]]
    out = io.StringIO()
    call_command("keys", "rotate", "--batch-size", "1", stdout=out)
    for label in ("einvoice.OutgoingInvoice", "einvoice.DeliveryOutbox", "helfo.Settlement", "interregion.ClaimSpecification",
                  "booking.OutboxMessage"):
        assert f"{label}: 1 row(s), 1 re-encrypted" in out.getvalue()
    again = io.StringIO()
    call_command("keys", "rotate", stdout=again)
    assert "helfo.Settlement: 1 row(s), 0 re-encrypted" in again.getvalue()
    assert "einvoice.DeliveryOutbox: 1 row(s), 0 re-encrypted" in again.getvalue()

    settings.KVITT_FIELD_KEYS = [k2]
    for model, field, table, column in DOCUMENT_COLUMNS:
        with pytest.raises(InvalidToken):
            Fernet(k1_keys["k1"]).decrypt(as_bytes(raw_column(table, column, documents[(model, field)][0])))
    assert_encrypted_and_identical(documents, k2)


@pytest.mark.django_db
def test_a_document_under_a_dropped_key_fails_naming_model_field_and_row(k1_keys, settings):
    documents = stored_documents()
    pk = documents[(ClaimSpecification, "request_xml")][0]
    settings.KVITT_FIELD_KEYS = [fieldcrypto.generate_key()]
    with pytest.raises(fieldcrypto.DecryptionError, match="interregion.ClaimSpecification.request_xml"):
        ClaimSpecification.objects.get(pk=pk)
    with pytest.raises(fieldcrypto.DecryptionError, match=r"einvoice.DeliveryOutbox.envelope of row \d+"):
        fieldcrypto.rotate_model(DeliveryOutbox)


BEFORE = [("einvoice", "0001_initial"), ("helfo", "0004_alter_settlement_status"),
          ("interregion", "0003_encrypt_patient_national_id"), ("booking", "0002_slot_status_start")]


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_existing_documents_and_reverse(k1_keys):
    documents = stored_documents()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    for model, field, table, column in DOCUMENT_COLUMNS:
        pk, original, identity = documents[(model, field)]
        stored = raw_column(table, column, pk)
        if field == "payload":  # back to a JSON column (PostgreSQL: jsonb, parsed by the driver; SQLite: JSON text)
            stored = json.loads(stored) if isinstance(stored, str) else stored
            assert stored == original and stored["patient"]["national_id"] == identity
        else:
            assert as_bytes(stored) == as_bytes(original) and identity.encode() in as_bytes(stored)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert_encrypted_and_identical(documents, k1_keys["k1"])
