"""Coverage-guided fuzzing (atheris/libFuzzer) of the byte-level readers: bank files and UBL.

Not part of the test suite: the hypothesis properties in ``tests/hardening/`` are. This harness
runs for as long as you let it and keeps a corpus, for a long hunt on one parser.

    .venv/bin/pip install atheris==2.3.0
    mkdir -p var/fuzz-corpus/bank && .venv/bin/python bench/fuzz/seed_corpus.py var/fuzz-corpus/bank
    DJANGO_SETTINGS_MODULE=kvitt.settings .venv/bin/python bench/fuzz/fuzz_bank_files.py \
        var/fuzz-corpus/bank -max_total_time=300 -rss_limit_mb=2048

The target is ``kvitt.payments.detect.parse`` (format detection, then OCR giro, camt.054 or
BgMax) and, for anything starting with ``<``, ``kvitt.einvoice.parser.parse_document``. A
result or the reader's domain error is fine; any other exception is a crash libFuzzer saves
as ``crash-<sha1>`` (re-run one with: ``python bench/fuzz/fuzz_bank_files.py crash-<sha1>``).
"""

import os
import sys

import atheris

# Only Kvitt's readers are instrumented (Django and lxml would take minutes and add noise).
with atheris.instrument_imports(include=["kvitt.payments", "kvitt.einvoice", "kvitt.core.xmlsafe", "kvitt.core.money"]):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvitt.settings")
    django.setup()
    from kvitt.einvoice.parser import parse_document
    from kvitt.einvoice.ubl import EInvoiceError
    from kvitt.payments import detect
    from kvitt.payments.model import BankFileError


def test_one_input(data: bytes) -> None:
    try:
        detect.parse(data)
    except BankFileError:
        pass
    if data.lstrip().startswith(b"<"):
        try:
            parse_document(data)
        except EInvoiceError:
            pass


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
