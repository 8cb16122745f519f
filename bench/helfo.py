"""Benchmark: build, sign and encrypt Helfo settlements for 20 000 bill cards.

    .venv/bin/python bench/helfo.py [--bills 20000] [--per-settlement 500]

Each settlement is built twice, as the two channels need: BKM JSON encrypted as a
compact JWE (RSA-OAEP-256 + A256GCM) for the KUHR Krav API, and BKM XML in MsgHead
signed with XML-DSig (rsa-sha256, enveloped) with a PKCS#12 key. Prints bills/s.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from joserfc.jwk import RSAKey  # noqa: E402

from kvitt.helfo import bkm_json, bkm_xml, jwe  # noqa: E402
from kvitt.helfo.devcerts import make_p12  # noqa: E402
from kvitt.helfo.model import Bill, Claim, Diagnosis, Ident, PatientInfo, TariffLine  # noqa: E402
from kvitt.helfo.signing import Pkcs12Signer  # noqa: E402

CET = datetime.timezone(datetime.timedelta(hours=1))
MIXES = [
    (("A1a", 16700, 1), ("A2a", 6700, 2)),
    (("201b", 37500, 1),),
    (("2ad", 1500, 1), ("2cd", 25500, 1), ("L1", 2600, 1)),
    (("1i", 6400, 1),),
]


def make_bills(n: int) -> list[Bill]:
    start = datetime.datetime(2026, 1, 5, 8, 0, tzinfo=CET)
    bills = []
    for i in range(n):
        lines = MIXES[i % len(MIXES)]
        bills.append(
            Bill(
                guid=str(uuid.uuid4()),
                bill_number=str(i + 1),
                time=start + datetime.timedelta(minutes=20 * i),
                patient=PatientInfo(ident=Ident(f"{10000000000 + i * 7919:011d}", "FNR")),
                tariffs=tuple(TariffLine(code, ore, count) for code, ore, count in lines),
                egenandel_paid=True,
                egenandel_correction=False,
                diagnoses=(Diagnosis("ICPC-2", "L92"),),
                performing_practitioner=Ident("9144900", "HPR"),
            )
        )
    return bills


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=20000)
    parser.add_argument("--per-settlement", type=int, default=500)
    args = parser.parse_args()

    signer = Pkcs12Signer(make_p12("Bench Behandler", "bench"), "bench")
    kuhr_key = RSAKey.generate_key(2048, parameters={"kid": "bench"})
    public = jwe.select_key(kuhr_key.as_dict(private=False))
    sender = bkm_xml.Party("Bench Klinikk AS", "923609016", practitioner_name="Bench Behandler", practitioner_hpr="9144900")
    bills = make_bills(args.bills)

    timings = {"json+jwe": 0.0, "xml build": 0.0, "xml sign": 0.0}
    json_bytes = xml_bytes = 0
    settlements = 0
    began = time.perf_counter()
    began_cpu = time.process_time()
    for offset in range(0, len(bills), args.per_settlement):
        claim = Claim(practice_id="1004326178", epj_name="Kvitt", bills=bills[offset:offset + args.per_settlement])
        t0 = time.perf_counter()
        token = jwe.encrypt(bkm_json.to_bytes(claim), public)
        t1 = time.perf_counter()
        head = bkm_xml.build_msghead(claim, sender=sender)
        t2 = time.perf_counter()
        signed = bkm_xml.to_bytes(signer.sign(head))
        t3 = time.perf_counter()
        timings["json+jwe"] += t1 - t0
        timings["xml build"] += t2 - t1
        timings["xml sign"] += t3 - t2
        json_bytes += len(token)
        xml_bytes += len(signed)
        settlements += 1
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - began_cpu

    # One round trip proves the output is real: decrypt the last JWE with KUHR's key.
    _, plaintext = jwe.decrypt(token, kuhr_key)
    assert bkm_json.loads(plaintext)["behandlerkrav"]["antallRegninger"] == len(claim.bills)

    print(f"bills: {len(bills)} in {settlements} settlements of up to {args.per_settlement}")
    for name, seconds in timings.items():
        print(f"  {name:10} {seconds:7.2f} s")
    print(f"total: {elapsed:.2f} s; JWE {json_bytes / 1e6:.1f} MB, signed XML {xml_bytes / 1e6:.1f} MB")
    print(f"bills/s: {len(bills) / elapsed:,.0f} (wall clock); {len(bills) / cpu:,.0f} per CPU-second of this process ({cpu:.2f} s CPU)")


if __name__ == "__main__":
    main()
