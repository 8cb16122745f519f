"""Helfo tariff tables (takster): dated rows per code and professional area.

Tariff values change every year (usually 1 July or 1 January), so every row carries its
own validity period and every lookup names the treatment date. Money is integer øre.

The reader understands Helfo's open-data JSON (``GET /v1/takstkoder`` on
opne-data-api.helserefusjon.no): ``{"takstkoder": [{"takst_id", "takstkode",
"fagomraade", "fradato", "tildato", "honorar", "refusjon", "egenandel",
"pasient_egenbetaling", "maks_repetisjoner", "ugyldig_kombinasjon", "krever_diagnose",
"beskrivelse", ...}]}``. The field names are public; the value types are not, so the
reader accepts the plausible spellings (numbers or decimal strings with comma or point,
J/N or true/false, dates with or without a time) and refuses anything else, naming the
row and the field. See docs/integrations/helfo.md for the exact grammar.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Iterable, Mapping

# fagomraade codes from Helfo's open data (the areas Kvitt's clinics bill in).
AREAS = {
    "FY": "Fysioterapi",
    "KI": "Kiropraktor",
    "LE": "Lege",
    "PS": "Psykolog",
    "LOGO": "Logoped",
    "JO": "Jordmor",
    "AP": "Audiopedagog",
    "OR": "Ortoptist",
}

# Kvitt's professions -> the tariff area they bill in.
PROFESSION_AREA = {
    "physiotherapist": "FY",
    "manual_therapist": "FY",
    "chiropractor": "KI",
    "gp": "LE",
    "physician": "LE",
    "psychologist": "PS",
}

OPEN_END = datetime.date(9999, 12, 31)


class TariffFormatError(ValueError):
    """A tariff file that cannot be read; the message names the row and the field."""


@dataclass(frozen=True)
class InvalidCombination:
    """Which other codes a tariff may not share a bill with.

    ``all_codes`` with ``except_codes`` is Helfo's "Alle unntatt X, Y"; ``codes`` lists the
    forbidden partners otherwise.
    """

    all_codes: bool = False
    codes: frozenset[str] = frozenset()
    except_codes: frozenset[str] = frozenset()

    def forbids(self, other_code: str) -> bool:
        if self.all_codes:
            return other_code not in self.except_codes
        return other_code in self.codes

    @property
    def empty(self) -> bool:
        return not self.all_codes and not self.codes

    def to_text(self) -> str:
        if self.all_codes:
            return "Alle unntatt " + ", ".join(sorted(self.except_codes)) if self.except_codes else "Alle"
        return ", ".join(sorted(self.codes))


@dataclass(frozen=True)
class TariffRow:
    code: str
    area: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    honorar: int  # øre
    refusjon: int  # øre
    egenandel: int  # øre
    patient_payment: int = 0  # øre, pasient_egenbetaling (not covered by the egenandel cap)
    max_repetitions: int | None = None
    invalid_combination: InvalidCombination = field(default_factory=InvalidCombination)
    requires_diagnosis: bool = False
    requires_referral: bool = False
    requires_tariff: tuple[str, ...] = ()
    description: str = ""
    external_id: str = ""

    def valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def is_pure_patient_share(self) -> bool:
        """No refund is claimed for it: only reported to the egenandel register."""
        return self.refusjon == 0 and self.egenandel > 0


class TariffTable:
    """Rows indexed by (area, code); lookups by treatment date."""

    def __init__(self, rows: Iterable[TariffRow] = ()):
        self._rows: dict[tuple[str, str], list[TariffRow]] = {}
        for row in rows:
            self.add(row)

    def add(self, row: TariffRow) -> None:
        bucket = self._rows.setdefault((row.area, row.code), [])
        for other in bucket:
            if _overlaps(other, row):
                raise TariffFormatError(
                    f"tariff {row.code} ({row.area}): period {row.valid_from}..{row.valid_to or ''} overlaps "
                    f"{other.valid_from}..{other.valid_to or ''}"
                )
        bucket.append(row)
        bucket.sort(key=lambda r: r.valid_from)

    def __iter__(self):
        for bucket in self._rows.values():
            yield from bucket

    def __len__(self) -> int:
        return sum(len(b) for b in self._rows.values())

    def lookup(self, area: str, code: str, day: datetime.date) -> TariffRow | None:
        for row in self._rows.get((area, code), ()):
            if row.valid_on(day):
                return row
        return None

    def periods(self, area: str, code: str) -> list[TariffRow]:
        return list(self._rows.get((area, code), ()))

    def codes(self, area: str | None = None) -> list[str]:
        return sorted({c for (a, c) in self._rows if area is None or a == area})


def _overlaps(a: TariffRow, b: TariffRow) -> bool:
    a_end = a.valid_to or OPEN_END
    b_end = b.valid_to or OPEN_END
    return a.valid_from <= b_end and b.valid_from <= a_end


# --- reading Helfo's open-data JSON ---------------------------------------------------------

_TRUE = {"true", "j", "ja", "1", "y", "yes"}
_FALSE = {"false", "n", "nei", "0", "no", ""}


def parse_money(value, where: str) -> int:
    """NOK as number or decimal string ("309", "309.00", "309,00") -> øre."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise TariffFormatError(f"{where}: expected an amount, got {value!r}")
    if isinstance(value, (int, Decimal)):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            return 0
        if re.fullmatch(r"-?\d+(,\d+)?", text):
            text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise TariffFormatError(f"{where}: {value!r} is not an amount") from None
    else:
        raise TariffFormatError(f"{where}: expected an amount, got {type(value).__name__}")
    ore = amount * 100
    if ore != ore.to_integral_value():
        raise TariffFormatError(f"{where}: {value!r} has more than two decimals")
    return int(ore)


def parse_bool(value, where: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise TariffFormatError(f"{where}: {value!r} is not a yes/no value")


def parse_date(value, where: str, *, required: bool) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise TariffFormatError(f"{where}: a date is required")
        return None
    if not isinstance(value, str):
        raise TariffFormatError(f"{where}: expected a date string, got {type(value).__name__}")
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", value.strip())
    if not match:
        raise TariffFormatError(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
    try:
        day = datetime.date.fromisoformat(match.group(1))
    except ValueError:
        raise TariffFormatError(f"{where}: {value!r} is not a real date") from None
    return None if day == OPEN_END else day


def parse_int(value, where: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise TariffFormatError(f"{where}: expected a whole number, got {value!r}")
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise TariffFormatError(f"{where}: {value} is not a whole number")
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d+", value.strip()):
        return int(value.strip())
    raise TariffFormatError(f"{where}: {value!r} is not a whole number")


_CODE_SPLIT = re.compile(r"[,;\s]+")


def parse_invalid_combination(value, where: str) -> InvalidCombination:
    """"", "Alle", "Alle unntatt 2ad, 2cd" or a list of codes ("1bd, 1be" or a JSON list)."""
    if value in (None, ""):
        return InvalidCombination()
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise TariffFormatError(f"{where}: list of codes expected")
        return InvalidCombination(codes=frozenset(v.strip() for v in value if v.strip()))
    if not isinstance(value, str):
        raise TariffFormatError(f"{where}: expected text, got {type(value).__name__}")
    text = value.strip()
    match = re.fullmatch(r"(?i)alle(?:\s+unntatt\s*:?\s*(.*))?", text)
    if match:
        rest = match.group(1) or ""
        return InvalidCombination(all_codes=True, except_codes=frozenset(c for c in _CODE_SPLIT.split(rest) if c))
    return InvalidCombination(codes=frozenset(c for c in _CODE_SPLIT.split(text) if c))


# Fields Kvitt reads; everything else in a row (statistics fields etc.) is carried over silently.
_REQUIRED = ("takstkode", "fagomraade", "fradato")


def row_from_open_data(item: Mapping, index: int) -> TariffRow:
    if not isinstance(item, Mapping):
        raise TariffFormatError(f"takstkoder[{index}]: expected an object")
    for name in _REQUIRED:
        if item.get(name) in (None, ""):
            raise TariffFormatError(f"takstkoder[{index}]: field {name!r} is missing")
    code = str(item["takstkode"]).strip()
    where = f"takstkoder[{index}] ({code})"
    area = str(item["fagomraade"]).strip().upper()
    valid_from = parse_date(item.get("fradato"), f"{where} fradato", required=True)
    valid_to = parse_date(item.get("tildato"), f"{where} tildato", required=False)
    if valid_to is not None and valid_to < valid_from:
        raise TariffFormatError(f"{where}: tildato {valid_to} is before fradato {valid_from}")
    honorar = parse_money(item.get("honorar"), f"{where} honorar")
    refusjon = parse_money(item.get("refusjon"), f"{where} refusjon")
    egenandel = parse_money(item.get("egenandel"), f"{where} egenandel")
    if min(honorar, refusjon, egenandel) < 0:
        raise TariffFormatError(f"{where}: negative amount")
    requires_tariff = item.get("krever_takst") or ""
    if isinstance(requires_tariff, list):
        if not all(isinstance(c, str) for c in requires_tariff):
            raise TariffFormatError(f"{where} krever_takst: list of codes expected")
        requires_tariff = ",".join(requires_tariff)
    return TariffRow(
        code=code,
        area=area,
        valid_from=valid_from,
        valid_to=valid_to,
        honorar=honorar,
        refusjon=refusjon,
        egenandel=egenandel,
        patient_payment=parse_money(item.get("pasient_egenbetaling"), f"{where} pasient_egenbetaling"),
        max_repetitions=parse_int(item.get("maks_repetisjoner"), f"{where} maks_repetisjoner"),
        invalid_combination=parse_invalid_combination(item.get("ugyldig_kombinasjon"), f"{where} ugyldig_kombinasjon"),
        requires_diagnosis=parse_bool(item.get("krever_diagnose"), f"{where} krever_diagnose"),
        # Not in Helfo's open data: Kvitt's own extension field (see docs/integrations/helfo.md).
        requires_referral=parse_bool(item.get("krever_henvisning"), f"{where} krever_henvisning"),
        requires_tariff=tuple(c for c in _CODE_SPLIT.split(str(requires_tariff)) if c),
        description=str(item.get("beskrivelse") or "").strip(),
        external_id=str(item.get("takst_id") or ""),
    )


def read_open_data(data: bytes | str) -> list[TariffRow]:
    """Parse Helfo's open-data tariff JSON; raise TariffFormatError naming row and field."""
    try:
        document = json.loads(data, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise TariffFormatError(f"not JSON: {exc}") from None
    if isinstance(document, Mapping):
        if "takstkoder" not in document:
            raise TariffFormatError("top-level object has no 'takstkoder' list")
        items = document["takstkoder"]
    else:
        items = document
    if not isinstance(items, list):
        raise TariffFormatError("'takstkoder' must be a list")
    rows = [row_from_open_data(item, i) for i, item in enumerate(items)]
    TariffTable(rows)  # refuses overlapping periods for the same code and area
    return rows


def row_to_open_data(row: TariffRow) -> dict:
    """The inverse of ``row_from_open_data`` (amounts as decimal strings)."""

    def nok(ore: int) -> str:
        return f"{Decimal(ore) / 100:.2f}"

    return {
        "takst_id": row.external_id,
        "takstkode": row.code,
        "fagomraade": row.area,
        "fradato": row.valid_from.isoformat(),
        "tildato": row.valid_to.isoformat() if row.valid_to else None,
        "honorar": nok(row.honorar),
        "refusjon": nok(row.refusjon),
        "egenandel": nok(row.egenandel),
        "pasient_egenbetaling": nok(row.patient_payment),
        "maks_repetisjoner": row.max_repetitions,
        "ugyldig_kombinasjon": row.invalid_combination.to_text(),
        "krever_takst": ", ".join(row.requires_tariff),
        "krever_diagnose": "J" if row.requires_diagnosis else "N",
        "krever_henvisning": "J" if row.requires_referral else "N",
        "beskrivelse": row.description,
    }


def demo_table_bytes() -> bytes:
    return resources.files("kvitt.helfo").joinpath("data/takstkoder_demo.json").read_bytes()


def load_demo_table() -> TariffTable:
    return TariffTable(read_open_data(demo_table_bytes()))
