import datetime
import json
import threading

import pytest

from kvitt.einvoice import sbdh, transports
from kvitt.einvoice.builder import build_invoice
from kvitt.einvoice.transports import (
    DirectoryTransport,
    HttpAccessPointTransport,
    PermanentTransportError,
    TransientTransportError,
)
from tests.einvoice.ap_server import AccessPointServer, free_port
from tests.einvoice.builders_data import INVOICE_E


@pytest.fixture(scope="module")
def envelope():
    return sbdh.wrap(build_invoice(INVOICE_E), created=datetime.datetime(2026, 3, 20, tzinfo=datetime.timezone.utc))


MESSAGE_ID = "4d7e1c2a-0000-5000-8000-000000000001"


# --- directory ---------------------------------------------------------------------------------


def test_directory_drop_is_atomic_and_idempotent(tmp_path, envelope):
    transport = DirectoryTransport(tmp_path / "ap")
    receipt = transport.send(MESSAGE_ID, envelope)
    assert receipt.status == "accepted" and not receipt.duplicate
    dropped = tmp_path / "ap" / f"{MESSAGE_ID}.xml"
    assert dropped.read_bytes() == envelope
    again = transport.send(MESSAGE_ID, b"<changed/>")
    assert again.duplicate and dropped.read_bytes() == envelope
    assert sorted(p.name for p in (tmp_path / "ap").iterdir()) == [".dropped", dropped.name]  # no temp files left
    dropped.unlink()  # the pickup side took it
    assert transport.send(MESSAGE_ID, envelope).duplicate and not dropped.exists()
    assert transport.status(MESSAGE_ID).status == "accepted"


def test_directory_status_follows_the_pickup_side(tmp_path, envelope):
    transport = DirectoryTransport(tmp_path)
    with pytest.raises(PermanentTransportError):
        transport.status(MESSAGE_ID)
    transport.send(MESSAGE_ID, envelope)
    assert transport.status(MESSAGE_ID).status == "accepted"
    (tmp_path / "status").mkdir()
    (tmp_path / "status" / f"{MESSAGE_ID}.json").write_text(json.dumps({"status": "delivered", "detail": "ok"}))
    receipt = transport.status(MESSAGE_ID)
    assert receipt.status == "delivered" and receipt.is_final and receipt.detail == "ok"


def test_directory_concurrent_sends_drop_once(tmp_path, envelope):
    transport = DirectoryTransport(tmp_path)
    results = []
    threads = [threading.Thread(target=lambda: results.append(transport.send(MESSAGE_ID, envelope))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(not r.duplicate for r in results) == 1 and len(results) == 8


def test_directory_unwritable_is_transient(tmp_path, envelope):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(TransientTransportError):
        DirectoryTransport(blocker / "sub").send(MESSAGE_ID, envelope)


@pytest.mark.parametrize("bad", ["../escape", "a/b", "", "x" * 201, "id with space"])
def test_message_ids_cannot_escape_the_folder(tmp_path, envelope, bad):
    with pytest.raises(ValueError):
        DirectoryTransport(tmp_path).send(bad, envelope)


# --- HTTP --------------------------------------------------------------------------------------


def test_http_down_then_up_delivers_exactly_once(envelope):
    port = free_port()
    server = AccessPointServer(port)
    transport = HttpAccessPointTransport(server.base_url, token=server.token, timeout=5)
    with pytest.raises(TransientTransportError) as exc:
        transport.send(MESSAGE_ID, envelope)  # nothing listens: connection refused
    assert exc.value.transient and "unreachable" in str(exc.value)
    server.start()
    try:
        first = transport.send(MESSAGE_ID, envelope)
        assert first.status == "accepted" and first.remote_id == f"ap-{MESSAGE_ID}" and not first.duplicate
        retry = transport.send(MESSAGE_ID, envelope)  # e.g. the worker died before recording the receipt
        assert retry.duplicate and retry.status == "accepted"
        assert list(server.documents) == [MESSAGE_ID] and server.documents[MESSAGE_ID] == envelope
        assert transport.status(MESSAGE_ID).status == "accepted"
        delivered = transport.status(MESSAGE_ID)
        assert delivered.status == "delivered" and delivered.is_final
        with pytest.raises(PermanentTransportError):
            transport.status("unknown-id")
    finally:
        server.stop()


@pytest.fixture
def server():
    s = AccessPointServer(free_port()).start()
    yield s
    s.stop()


def test_http_server_errors_are_transient_client_errors_permanent(server, envelope):
    transport = HttpAccessPointTransport(server.base_url, token=server.token, timeout=5)
    server.script = [(503, "maintenance", {"Retry-After": "120"}), (429, "slow down", {}), (500, "boom", {})]
    for expected_retry_after in (120.0, None, None):
        with pytest.raises(TransientTransportError) as exc:
            transport.send(MESSAGE_ID, envelope)
        assert exc.value.retry_after == expected_retry_after
    server.script = [(422, {"error": "schematron BR-01"}, {})]
    with pytest.raises(PermanentTransportError) as exc:
        transport.send(MESSAGE_ID, envelope)
    assert "422" in str(exc.value) and "BR-01" in str(exc.value) and not exc.value.transient
    assert server.documents == {}


def test_http_wrong_token_is_permanent(server, envelope):
    with pytest.raises(PermanentTransportError) as exc:
        HttpAccessPointTransport(server.base_url, token="wrong", timeout=5).send(MESSAGE_ID, envelope)
    assert "401" in str(exc.value)


def test_http_refuses_what_is_not_an_envelope(server):
    with pytest.raises(PermanentTransportError):
        HttpAccessPointTransport(server.base_url, token=server.token, timeout=5).send(MESSAGE_ID, build_invoice(INVOICE_E))


# --- configuration and helpers -------------------------------------------------------------------


def test_transport_chosen_by_settings(settings, tmp_path):
    settings.KVITT_ACCESS_POINT = {"transport": "directory", "directory": str(tmp_path)}
    assert isinstance(transports.get_transport(), DirectoryTransport)
    settings.KVITT_ACCESS_POINT = {"transport": "http", "base_url": "http://127.0.0.1:9/api", "token": "t", "timeout": "3"}
    transport = transports.get_transport()
    assert isinstance(transport, HttpAccessPointTransport) and transport.timeout == 3.0 and transport.token == "t"
    with pytest.raises(ValueError):
        transports.get_transport({"transport": "as4"})
    with pytest.raises(ValueError):
        transports.get_transport({"transport": "http"})


def test_default_is_a_directory_under_var(settings):
    del settings.KVITT_ACCESS_POINT
    transport = transports.get_transport()
    assert isinstance(transport, DirectoryTransport) and transport.directory.name == "access-point"


def test_retry_delays_default_six_attempts_over_two_days():
    delays = transports.retry_delays()
    assert len(delays) == 5  # waits between 6 attempts
    assert sum(delays, datetime.timedelta()) == datetime.timedelta(days=2)
    assert delays == sorted(delays) and delays[0] < datetime.timedelta(minutes=10)
    assert transports.retry_delays(1) == []


def test_status_words_of_providers_map_to_three_states():
    assert transports.normalise_status("Queued") == "accepted"
    assert transports.normalise_status("SENT") == "delivered"
    assert transports.normalise_status("rejected") == "failed"
    with pytest.raises(ValueError):
        transports.normalise_status("maybe")
