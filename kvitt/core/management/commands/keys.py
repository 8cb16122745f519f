"""`kvitt keys generate` prints a new key; `kvitt keys rotate` re-encrypts with the newest key."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kvitt.core import fieldcrypto


class Command(BaseCommand):
    help = "Field-encryption keys: print a new key (generate), re-encrypt stored values with the newest key (rotate)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("generate", help="print a new random key for KVITT_FIELD_KEYS or KVITT_SEARCH_KEY")
        rotate = sub.add_parser(
            "rotate", help="re-encrypt every encrypted value with the first KVITT_FIELD_KEYS key and refresh search hashes"
        )
        rotate.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args, action, **options):
        if action == "generate":
            self.stdout.write(fieldcrypto.generate_key())
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            results = fieldcrypto.rotate_all(batch_size=options["batch_size"])
        except (fieldcrypto.DecryptionError, fieldcrypto.KeyConfigurationError) as exc:
            raise CommandError(str(exc)) from None
        for result in results:
            self.stdout.write(
                f"{result.model}: {result.rows} row(s), {result.reencrypted} re-encrypted, {result.rehashed} re-hashed"
            )
        self.stdout.write(f"keys in use: {len(fieldcrypto.keyring().field_keys)}; every value is now under the first")
