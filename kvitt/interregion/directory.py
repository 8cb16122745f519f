"""The county -> home region directory shipped with Kvitt (kvitt/interregion/data/regions.json)."""

from __future__ import annotations

import json
from pathlib import Path

from stdnum.se import orgnr

DATA = Path(__file__).resolve().parent / "data" / "regions.json"


def regions() -> list[tuple[str, str, str]]:
    """(county code, region name, organisation number) for every county, each number checked."""
    rows = [tuple(row) for row in json.loads(DATA.read_text(encoding="utf-8"))["regions"]]
    for code, name, number in rows:
        if not orgnr.is_valid(number):
            raise ValueError(f"{DATA.name}: {name} ({code}) has an invalid organisation number {number}")
    return rows


def load_region_directory(model=None) -> int:
    """Create or update the directory rows; ``model`` lets a migration pass its historical model."""
    if model is None:
        from kvitt.interregion.models import RegionDirectory as model
    count = 0
    for code, name, number in regions():
        model.objects.update_or_create(county_code=code, defaults={"name": name, "org_number": number})
        count += 1
    return count
