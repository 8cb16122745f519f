"""`kvitt helfo ...`: Helfo direct settlement from the command line."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kvitt.helfo import services
from kvitt.helfo.tariffs import TariffFormatError, demo_table_bytes, read_open_data


class Command(BaseCommand):
    help = "Helfo direct settlement: import tariff tables (kvitt helfo tariffs import FILE)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="area", required=True)
        tariffs = sub.add_parser("tariffs", help="Tariff tables (takster)")
        tariff_sub = tariffs.add_subparsers(dest="action", required=True)
        importer = tariff_sub.add_parser("import", help="Import Helfo's open-data takstkoder JSON")
        importer.add_argument("file", help="JSON file as served by opne-data-api.helserefusjon.no/v1/takstkoder, or 'demo'")
        tariff_sub.add_parser("list", help="List the stored tariffs")
        server = sub.add_parser("testserver", help="Run the local KUHR Krav API (demo and development only)")
        server.add_argument("--port", type=int, default=8089)
        server.add_argument("--client-id", default="kvitt-demo")
        server.add_argument("--client-key", default="", help="PEM file of the client's private key (made if missing)")
        server.add_argument("--advance-every", type=float, default=10.0,
                            help="seconds between control and payout runs (0: never)")
        statuses = sub.add_parser("statuses", help="Fetch KUHR statuses for every open settlement now")
        statuses.add_argument("--practice", default="", help="only this praksisId")

    def handle(self, *args, **options):
        if options["area"] == "tariffs" and options["action"] == "import":
            return self._import(options["file"])
        if options["area"] == "tariffs" and options["action"] == "list":
            for row in services.tariff_table():
                self.stdout.write(
                    f"{row.area:4} {row.code:6} {row.valid_from} {row.valid_to or '':10} "
                    f"honorar {row.honorar / 100:8.2f} refusjon {row.refusjon / 100:8.2f} egenandel {row.egenandel / 100:8.2f}"
                )
            return None
        if options["area"] == "testserver":
            return self._testserver(options)
        if options["area"] == "statuses":
            return self._statuses(options["practice"])
        raise CommandError("unknown command")

    def _statuses(self, practice_id: str) -> None:
        from kvitt.core.permissions import Actor
        from kvitt.helfo.models import Channel, Practice

        practices = Practice.objects.filter(active=True, channel=Channel.KUHR_API)
        if practice_id:
            practices = practices.filter(practice_id=practice_id)
        for practice in practices.select_related("organisation"):
            count = services.import_statuses(Actor.system(practice.organisation, label="kvitt helfo statuses"), practice)
            self.stdout.write(f"{practice.practice_id}: {count} settlement(s) checked")

    def _testserver(self, options) -> None:
        import datetime
        import time

        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from django.conf import settings
        from joserfc.jwk import RSAKey

        from kvitt.helfo.models import Practice
        from kvitt.helfo.testserver import KuhrTestServer

        key_path = Path(options["client_key"] or settings.VAR_DIR / "helfo" / "kuhr-demo-client.pem")
        if key_path.exists():
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        else:
            key_path.parent.mkdir(parents=True, exist_ok=True)
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            key_path.write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        practices = [
            {"praksisId": p.practice_id, "navn": p.name, "orgnr": p.company.org_number, "type": p.practice_type,
             "status": "ok", "gyldigePerioder": [{"fraOgMedDato": "2020-01-01", "tilOgMedDato": None}]}
            for p in Practice.objects.select_related("company")
        ] or None
        server = KuhrTestServer(practices, port=options["port"])
        public = RSAKey.import_key(key.public_key()).as_dict()
        server.register_client(options["client_id"], public, "maskinporten")
        server.register_client(options["client_id"] + "-helseid", public, "helseid")
        server.start()
        self.stdout.write(f"Local KUHR Krav API on {server.url} (not Helfo; for demo and development)")
        self.stdout.write("settings.KVITT_HELFO = " + repr({
            "KUHR_BASE_URL": server.url, "TOKEN_ENDPOINT": server.token_endpoint, "AUDIENCE": server.issuer,
            "CLIENT_ID": options["client_id"], "CLIENT_KEY_FILE": str(key_path),
        }))
        self.stdout.flush()
        try:
            while True:
                time.sleep(options["advance_every"] or 3600)
                if options["advance_every"]:
                    server.run_control()
                    server.run_payout(paid_on=datetime.date.today())
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()

    def _import(self, name: str) -> None:
        if name == "demo":
            data, source = demo_table_bytes(), "kvitt demo table"
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            data, source = path.read_bytes(), path.name
        try:
            rows = read_open_data(data)
            created, updated = services.import_tariffs(rows, source=source)
        except TariffFormatError as exc:
            raise CommandError(f"{name}: {exc}") from None
        self.stdout.write(f"{len(rows)} tariff rows read: {created} new, {updated} changed, {len(rows) - created - updated} unchanged")
