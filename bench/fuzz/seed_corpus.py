"""Write valid seed files (OCR giro, camt.054, BgMax, an EHF invoice) into a corpus folder.

    .venv/bin/python bench/fuzz/seed_corpus.py var/fuzz-corpus/bank
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvitt.settings")

import django  # noqa: E402

django.setup()

from tests.hardening.test_fuzz_einvoice import CREDIT_NOTE, INVOICE  # noqa: E402
from tests.hardening.test_fuzz_payments import BGMAX, CAMT, OCR  # noqa: E402


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for seed in (OCR, CAMT, BGMAX, INVOICE, CREDIT_NOTE):
        path = out / (seed.name.replace(" ", "-").replace(".", "") + ".seed")
        path.write_bytes(bytes(seed))
        print(path)


if __name__ == "__main__":
    main(sys.argv[1])
