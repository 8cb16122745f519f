"""Benchmark: inter-regional invoice bases (ProcessClaimSpecification 1.1).

Measures, without a database, for bases of growing size: building the SOAP request, reading
it back with the safe parser, checking the contract rules, and splitting at the contract's
5 MB payload limit; then one round trip of a basis just under 5 MB over mutual TLS on
localhost (Kvitt's producer server, test certificates made here).

Run: ``.venv/bin/python bench/interregion.py [--lines 200 2000 8000]``
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kvitt.interregion import rules, soap, transport  # noqa: E402
from kvitt.interregion.model import make_basis_id  # noqa: E402
from tests.interregion.factories import CARE_REGION, HOME_REGION, inpatient, outpatient, patient_line, specification  # noqa: E402
from tests.interregion.pki import TestPki  # noqa: E402

TODAY = dt.date(2026, 10, 6)


def basis_with(patients: int):
    """``patients`` patient lines, each with one outpatient visit and one inpatient stay."""
    lines = []
    for index in range(patients):
        line = patient_line("191212121212" if index % 2 else "197010632391", care=[outpatient(2 * index + 1), inpatient(2 * index + 2)])
        lines.append(copy.deepcopy(line))
    return specification(lines=lines)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def run_sizes(sizes: list[int]) -> None:
    print(f"{'patients':>8} {'care lines':>10} {'bytes':>10} {'build s':>8} {'parse s':>8} {'rules s':>8} {'findings':>8}")
    for patients in sizes:
        spec = basis_with(patients)
        body, build_s = timed(soap.build_request, spec, HOME_REGION)
        request, parse_s = timed(soap.parse_request, body)
        findings, rules_s = timed(rules.check, request.specification, TODAY)
        print(f"{patients:>8} {2 * patients:>10} {len(body):>10} {build_s:>8.3f} {parse_s:>8.3f} {rules_s:>8.3f} {len(findings):>8}")


def run_split(patients: int) -> None:
    spec = basis_with(patients)
    counter = iter(range(2, 999_999))
    parts, split_s = timed(
        transport.split_for_payload, spec, HOME_REGION, lambda: make_basis_id(CARE_REGION, 2026, 9, next(counter))
    )
    sizes = [transport.request_size(p, HOME_REGION) for p in parts]
    print(f"split {patients} patients ({transport.request_size(spec, HOME_REGION)} bytes) into {len(parts)} bases "
          f"of at most {max(sizes)} bytes (limit {transport.MAX_PAYLOAD_BYTES}) in {split_s:.2f} s")
    return parts[0]


def check_and_answer(request, caller) -> soap.ClaimResponse:
    """What a producer does with a request, minus storing it."""
    findings = rules.check(request.specification, TODAY)
    return soap.ClaimResponse("ERROR", rules.error_comment(findings)) if findings else soap.ClaimResponse("OK")


def run_round_trip(spec) -> None:
    with tempfile.TemporaryDirectory() as folder:
        pki = TestPki(Path(folder))
        server_cert, client_cert = pki.server(), pki.client("bench", "SE2321000016-B001", "Region Stockholm")
        endpoint = transport.ProducerEndpoint(transport.StaticAuthoriser({"SE2321000016-B001": {HOME_REGION}}), check_and_answer)
        server = transport.MutualTlsServer(("127.0.0.1", 0), transport.server_ssl_context(str(pki.ca), str(server_cert.cert), str(server_cert.key)), endpoint)
        server.start()
        try:
            client = transport.ConsumerClient(server.url, transport.client_ssl_context(str(pki.ca), str(client_cert.cert), str(client_cert.key)))
            body = soap.build_request(spec, HOME_REGION)
            answer, seconds = timed(client.post, body)
            print(f"round trip over mutual TLS: {len(body)} bytes, answer {answer.result_code}, {seconds:.2f} s "
                  f"(contract: < 15 s below 5 MB)")
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", nargs="*", type=int, default=[100, 1000, 2500], help="patient lines per basis")
    parser.add_argument("--split", type=int, default=3000, help="patients in the basis to split at 5 MB")
    args = parser.parse_args()
    run_sizes(args.lines)
    first = run_split(args.split)
    run_round_trip(first)


if __name__ == "__main__":
    main()
