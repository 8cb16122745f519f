"""One delivery thread per receiving region: a region that does not answer holds up only itself."""

import threading

import pytest

from kvitt.interregion import services, transport
from kvitt.interregion.models import AuthorisedCaller, ClaimSpecification, Delivery, RegionLink, SpecStatus

from .conftest import A_HSA, B_ORG, INPATIENT, OUTPATIENT, add_event, add_patient

pytestmark = pytest.mark.django_db(transaction=True)
SORMLAND = "2321000032"


def test_unreachable_region_does_not_hold_up_another(regions, pki):
    a, unit = regions["a"], regions["unit"]
    # Sörmland's patient was treated first, so its basis is queued first.
    add_event(a, unit, add_patient(a, "198112189876", "Sara Sörmländsk", "04", municipality="0480"), 3, pricing=OUTPATIENT)
    add_event(a, unit, add_patient(a, "191212121212", "Anna Andersson", "03"), 9, pricing=INPATIENT, diagnoses=("K35.8",))
    report = services.build_month(a.actor, 2026, 9)
    by_receiver = {row.customer_org_number: row for row in report.specifications}
    assert set(by_receiver) == {SORMLAND, B_ORG}

    uppsala_received = threading.Event()

    def uppsala(request, caller):
        answer = services.receive_claim(request, caller)
        uppsala_received.set()
        return answer

    AuthorisedCaller.objects.create(organisation=regions["b"].organisation, hsa_id=A_HSA, logical_address=B_ORG)
    context = transport.server_ssl_context(pki["ca"], str(pki["server"].cert), str(pki["server"].key))
    server = transport.MutualTlsServer(("127.0.0.1", 0), context, transport.ProducerEndpoint(services.DatabaseAuthoriser(), uppsala))
    server.start()
    try:
        common = dict(organisation=a.organisation, ca_file=pki["ca"], cert_file=str(pki["a"].cert), key_file=str(pki["a"].key),
                      pause_ms=5000, max_attempts=2, timeout_s=5)
        RegionLink.objects.create(receiver_org_number=SORMLAND, url=f"https://127.0.0.1:{transport.free_port()}/", **common)
        RegionLink.objects.create(receiver_org_number=B_ORG, url=server.url, **common)
        for row in (by_receiver[SORMLAND], by_receiver[B_ORG]):
            services.queue_for_delivery(a.actor, row)
        waited = []

        def sleep(seconds):
            # Sörmland's resend pause lasts until Uppsala got its basis: only separate threads get there.
            me = threading.current_thread().name
            if me != f"interregion-to-{SORMLAND}":
                return
            got_there = uppsala_received.wait(timeout=10)
            # then let Uppsala's thread finish its writes (SQLite's shared in-memory test database
            # refuses concurrent writers instead of waiting)
            for thread in threading.enumerate():
                if thread.name == f"interregion-to-{B_ORG}":
                    thread.join(timeout=10)
            waited.append((me, seconds, got_there))

        assert services.deliver_pending(sleep=sleep) == 2
    finally:
        server.stop()
    assert waited == [(f"interregion-to-{SORMLAND}", 5.0, True)]
    statuses = {row.customer_org_number: row.status for row in ClaimSpecification.objects.filter(direction="sent")}
    assert statuses == {SORMLAND: SpecStatus.UNDELIVERED, B_ORG: SpecStatus.SENT}
    assert Delivery.objects.get(specification__customer_org_number=SORMLAND).attempts == 2
