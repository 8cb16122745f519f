"""Demo Helfo data: tariffs, practices, test certificates, bill cards and two settlements.

The physiotherapy clinic sends through the KUHR Krav API (a settlement waits for signing);
the psychology clinic uploads BKM XML files (one is signed and written for upload).
Demo certificates are self-signed; their password is the demo password.
"""

from __future__ import annotations

from kvitt.core.models import Role
from kvitt.core.permissions import Actor
from kvitt.helfo import services
from kvitt.helfo.devcerts import make_p12
from kvitt.helfo.models import Channel, Practice
from kvitt.helfo.tariffs import load_demo_table


def load(ctx) -> None:
    from kvitt.web.demo import DEMO_PASSWORD

    services.import_tariffs(list(load_demo_table()), source="kvitt demo table")
    fysio, psyk = ctx.companies["fysio"], ctx.companies["psyk"]
    if Practice.objects.filter(organisation=fysio.organisation).exists():
        return
    fysio_admin = Actor(user=ctx.users["clinicadmin"], organisation=fysio.organisation, role=Role.CLINIC_ADMIN)
    fysio_clerk = Actor(user=ctx.users["billing"], organisation=fysio.organisation, role=Role.BILLING_CLERK)
    psyk_admin = Actor(user=ctx.users["psyadmin"], organisation=psyk.organisation, role=Role.CLINIC_ADMIN)

    fysio_practice = services.create_practice(
        fysio_admin, company=fysio, practice_id="1004326178", name="Fjordbyen Fysioterapi", area="FY",
        practice_type="FYNO", channel=Channel.KUHR_API, account=fysio.bank_account, message_type="LOM",
    )
    psyk_practice = services.create_practice(
        psyk_admin, company=psyk, practice_id="1004326468", name="Bergen Psykologsenter", area="PS",
        practice_type="PSNO", channel=Channel.BKM_XML, account=psyk.bank_account, auth="helseid",
    )
    credentials = {}
    for company, actor in ((fysio, fysio_admin), (psyk, psyk_admin)):
        for practitioner in company.practitioners.filter(hpr_number__gt=""):
            credentials[practitioner.pk] = services.add_signing_credential(
                actor, label=f"{practitioner.name} (demo test certificate)", practitioner=practitioner,
                p12=make_p12(practitioner.name, DEMO_PASSWORD, serial_number=f"HPR-{practitioner.hpr_number}"),
                password=DEMO_PASSWORD,
            )

    services.create_bill_cards(fysio_clerk, fysio_practice)
    cards = list(services.order_list(fysio_practice))
    clean = [c for c in cards if not c.has_errors]
    if clean:
        first = clean[0].practitioner
        mine = [c for c in clean if c.practitioner_id == first.pk][:10]
        services.create_settlement(fysio_clerk, fysio_practice, mine, practitioner=first)

    services.create_bill_cards(psyk_admin, psyk_practice)
    cards = [c for c in services.order_list(psyk_practice) if not c.has_errors]
    cards = [c for c in cards if c.practitioner_id == cards[0].practitioner_id][:8] if cards else []
    if cards:
        settlement = services.create_settlement(psyk_admin, psyk_practice, cards, practitioner=cards[0].practitioner)
        credential = credentials[cards[0].practitioner_id]
        settlement = services.sign_settlement(psyk_admin, settlement, services.signer_for(credential, DEMO_PASSWORD))
        services.send_settlement(psyk_admin, settlement)
