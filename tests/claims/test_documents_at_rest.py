"""The received EHF (InboundInvoice.original and .document) is encrypted at rest: the columns
hold Fernet tokens without the patient's national id, the code reads the identical bytes, so
the hash of the untouched original still matches; the migration encrypts and reverses."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kvitt.claims import services
from kvitt.claims.models import InboundInvoice, NoticeOutbox, OutboxKind
from kvitt.core import fieldcrypto
from kvitt.einvoice import sbdh
from tests.cases.factories import FNR
from tests.claims import invoices as f
from tests.claims.world import at, make_world

COLUMNS = ("original", "document")


@pytest.fixture
def field_key(settings):
    key = fieldcrypto.generate_key()
    settings.KVITT_FIELD_KEYS = [key]
    settings.KVITT_SEARCH_KEY = fieldcrypto.generate_key()
    return key


def raw_column(column: str, pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM claims_inboundinvoice WHERE id = %s", [pk])
        return bytes(cursor.fetchone()[0])


def envelope_with_patient(world, **kw) -> bytes:
    """An invoice whose line carries the PatientId property, as clinics send it."""
    return world.envelope(dataclasses.replace(f.line(at(2)), patient_id=FNR), **kw)


@pytest.mark.django_db
def test_the_received_invoice_is_stored_as_tokens_and_read_back_identical(field_key):
    world = make_world()
    data = envelope_with_patient(world)
    assert FNR.encode() in data
    invoice, created = services.receive(world.handler, data)
    assert created
    for column in COLUMNS:
        stored = raw_column(column, invoice.pk)
        assert FNR.encode() not in stored and b"Invoice" not in stored
        Fernet(field_key).decrypt(stored)  # a token under the configured key
    loaded = InboundInvoice.objects.get(pk=invoice.pk)
    assert bytes(loaded.original) == data
    assert bytes(loaded.document) == sbdh.unwrap(data)[1] and FNR.encode() in bytes(loaded.document)
    assert hashlib.sha256(bytes(loaded.original)).hexdigest() == loaded.sha256
    again, created_again = services.receive(world.handler, data)  # the same bytes: found by the hash
    assert again.pk == invoice.pk and not created_again


@pytest.mark.django_db
def test_the_documents_cannot_be_queried_and_the_invoice_response_has_no_national_id(field_key):
    world = make_world()
    invoice, _ = services.receive(world.handler, envelope_with_patient(world, sak_id="NOSUCH"))
    for column in COLUMNS:
        with pytest.raises(FieldError, match=f"InboundInvoice.{column} is encrypted"):
            InboundInvoice.objects.filter(**{f"{column}__contains": FNR.encode()}).exists()
    services.validate_invoice(world.handler, invoice)  # rejected (unknown SakID): parsed from the decrypted document
    response = NoticeOutbox.objects.get(invoice=invoice, kind=OutboxKind.INVOICE_RESPONSE)
    assert b"NOSUCH" in bytes(response.payload) and FNR.encode() not in bytes(response.payload)


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_stored_invoices_and_reverses(field_key):
    world = make_world()
    data = envelope_with_patient(world)
    invoice, _ = services.receive(world.handler, data)
    document = bytes(InboundInvoice.objects.get(pk=invoice.pk).document)
    executor = MigrationExecutor(connection)
    executor.migrate([("claims", "0001_initial")])
    assert raw_column("original", invoice.pk) == data and raw_column("document", invoice.pk) == document
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Fernet(field_key).decrypt(raw_column("original", invoice.pk)) == data
    assert Fernet(field_key).decrypt(raw_column("document", invoice.pk)) == document
    loaded = InboundInvoice.objects.get(pk=invoice.pk)
    assert bytes(loaded.original) == data and hashlib.sha256(bytes(loaded.original)).hexdigest() == loaded.sha256
