"""Prints how many inputs each parser was handed (and writes them to KVITT_FUZZ_REPORT if set)."""

import json
import os
import sys

from tests.hardening.strategies import EXAMPLES, TRIED


def pytest_terminal_summary(terminalreporter):
    if not TRIED:
        return
    terminalreporter.section(f"fuzz: inputs tried per parser (KVITT_FUZZ_EXAMPLES={EXAMPLES})")
    for name, count in sorted(TRIED.items()):
        terminalreporter.write_line(f"{name:45s} {count:8d}")
    api_bodies = sys.modules.get("tests.hardening.test_fuzz_api_bodies")
    statuses = dict(sorted(api_bodies.STATUSES.items())) if api_bodies else {}
    if statuses:
        terminalreporter.write_line(f"API answers by status: {statuses}")
    report = os.environ.get("KVITT_FUZZ_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as out:
            json.dump({"examples_setting": EXAMPLES, "tried": dict(sorted(TRIED.items())), "api_statuses": statuses}, out, indent=1)
