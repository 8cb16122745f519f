"""The invoice basis for inter-regional care (fakturaunderlag vård) as plain data.

This mirrors ProcessClaimSpecification 1.1 (service domain riv.financial.billing.claim):
one ``ClaimSpecification`` per basis, one ``PatientLine`` per patient
(healthCareServicesSpecificationLine) and one ``CarePerformed`` per care contact
(healthcarePerformed). Amounts are integer öre; the XML carries kronor with at most two
decimals. Patients are identified by number only: the contract has no place for a name or
an address, and neither has this model.

Values that the contract's rules check (invoice type, reason for credit, code lists) are
kept as the strings that were sent, so that ``rules.py`` can report them instead of the
parser throwing them away.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from stdnum.se import orgnr as se_orgnr
from stdnum.se import personnummer as se_personnummer

from kvitt.core.identifiers.se import samordningsnummer as se_samordningsnummer

# Object identifiers the contract names.
OID_PERSONNUMMER = "1.2.752.129.2.1.3.1"
OID_SAMORDNINGSNUMMER = "1.2.752.129.2.1.3.3"
OID_ORGNR = "1.3.7"
OID_GLN = "2.51.1.6"
OID_HSA_ID = "1.2.752.129.2.1.4.1"
OID_CURRENCY = "1.0.4217"
OID_COUNTY = "1.2.752.129.2.2.1.18"
OID_MUNICIPALITY = "1.2.752.129.2.2.1.17"
OID_GENDER = "1.2.752.129.2.2.1.1"
OID_TYPE_OF_CARE = "1.2.752.29.4.16"
OID_ICD10_SE = "1.2.752.116.1.1.1.1.3"
OID_KVA = "1.2.752.116.1.3.2.1.4"
OID_ATC = "1.2.752.129.2.2.3.1.1"
OID_BUSINESS_CLASSIFICATION = "1.2.752.129.2.2.1.3"

# A region without its own reserve-number OID uses its organisation number's OID.
PATIENT_ID_ROOTS = {
    "personnummer": OID_PERSONNUMMER,
    "samordningsnummer": OID_SAMORDNINGSNUMMER,
}

INVOICE = "380"
CREDIT_NOTE = "381"
OUTPATIENT = "01"
INPATIENT = "02"

BASIS_PREFIX = "ZVF"
BASIS_ID_LENGTH = 23
# [0-9], not \d (which takes any script's digits), and \Z, not $ (which allows a final newline).
_BASIS_ID_RE = re.compile(r"^ZVF([0-9]{10})([0-9]{2})(0[1-9]|1[0-2])([0-9]{6})\Z")


class ModelError(ValueError):
    """A value that cannot be represented in a claim specification."""


# ---------------------------------------------------------------------------- money


def ore_from_text(text: str, where: str = "amount") -> int:
    """'1123.40' -> 112340. At most two decimals, as the contract's amount format says."""
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise ModelError(f"{where}: {text!r} is not a decimal amount") from None
    if not value.is_finite():
        raise ModelError(f"{where}: {text!r} is not a decimal amount")
    if value.as_tuple().exponent < -2:
        raise ModelError(f"{where}: {text!r} has more than two decimals")
    return int(value * 100)


def ore_to_text(ore: int) -> str:
    """112340 -> '1123.40'; amounts are written positive with two decimals."""
    if not isinstance(ore, int):
        raise ModelError(f"amount {ore!r} must be integer öre")
    sign = "-" if ore < 0 else ""
    ore = abs(ore)
    return f"{sign}{ore // 100}.{ore % 100:02d}"


# ---------------------------------------------------------------------------- ids


def make_basis_id(org_number: str, year: int, month: int, counter: int) -> str:
    """``ZVF`` + 10-digit organisation number + YYMM + 6-digit counter (23 characters)."""
    org = se_orgnr.compact(org_number)
    if not se_orgnr.is_valid(org):
        raise ModelError(f"{org_number!r} is not a Swedish organisation number")
    if not 1 <= month <= 12:
        raise ModelError(f"month {month} is not 1-12")
    if not 1 <= counter <= 999_999:
        raise ModelError(f"counter {counter} is outside 1-999999")
    return f"{BASIS_PREFIX}{org}{year % 100:02d}{month:02d}{counter:06d}"


def parse_basis_id(basis_id: str) -> tuple[str, int, int, int]:
    """Return (org number, year 20YY, month, counter) of a well-formed basis id."""
    match = _BASIS_ID_RE.match(basis_id or "")
    if not match:
        raise ModelError(f"{basis_id!r} is not a basis id (ZVF + org number + YYMM + 6 digits)")
    org, yy, mm, counter = match.groups()
    # The same checks as make_basis_id: what parses is what Kvitt could have issued.
    if not se_orgnr.is_valid(org):
        raise ModelError(f"{basis_id!r}: {org} is not a Swedish organisation number")
    if int(counter) == 0:
        raise ModelError(f"{basis_id!r}: the counter starts at 000001")
    return org, 2000 + int(yy), int(mm), int(counter)


def is_samordningsnummer(number: str) -> bool:
    """12 digits (the contract's ÅÅÅÅMMDDNNNN), day of birth + 60, Luhn check digit."""
    return bool(re.fullmatch(r"\d{12}", number or "")) and se_samordningsnummer.is_valid(number)


def is_personnummer(number: str) -> bool:
    """12 digits (ÅÅÅÅMMDDNNNN) and a valid personnummer."""
    return bool(re.fullmatch(r"\d{12}", number or "")) and se_personnummer.is_valid(number)


def classify_patient_number(number: str) -> str:
    """'personnummer' | 'samordningsnummer' | 'reservnummer' for a 12-character number."""
    compact = (number or "").replace("-", "").replace("+", "")
    if is_samordningsnummer(compact):
        return "samordningsnummer"
    if is_personnummer(compact):
        return "personnummer"
    return "reservnummer"


# ---------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class Code:
    """A CVType: code with its code system; DRG codes travel in ``original_text`` only."""

    code: str | None = None
    code_system: str | None = None
    display_name: str | None = None
    original_text: str | None = None


@dataclass(frozen=True)
class PartyId:
    """An IIType: root OID + extension."""

    root: str
    extension: str


@dataclass
class PaymentCommitment:
    remittance_number: str | None = None
    payment_commitment_number: str | None = None
    type_of_agreement: str | None = None  # 1 Riksavtal, 2 Regionavtal, 3 Mellanlänsavtal
    type_of_chapter: str | None = None
    agreement_in_riksavtalet: str | None = None
    type_of_reimbursement: str | None = None


@dataclass
class PatientSpecificItem:
    code: str | None
    name: str | None
    quantity: int | None
    unit_price: int | None  # öre
    total: int | None  # öre


@dataclass
class CarePerformed:
    """One healthcarePerformed: a care contact with its price and codes."""

    line_id: int
    type_of_care: str  # "01" outpatient, "02" inpatient
    planned: bool
    visit_date: dt.date
    care_unit_name: str
    medical_field_code: str
    gross: int  # öre
    net: int  # öre
    care_contact_id: str | None = None
    reference_to_line_id: int | None = None
    reason_for_credit: str | None = None
    payment_commitment: PaymentCommitment | None = None
    public_care: bool | None = None
    type_of_visit: str | None = None
    visit_time: str | None = None  # hhmmss
    discharge_date: dt.date | None = None
    invoice_period_start: dt.date | None = None
    invoice_period_end: dt.date | None = None
    invoice_period_present: bool = False
    days_on_leave: int | None = None
    days_in_care: int | None = None
    care_unit_hsa_id: str | None = None
    profession_code: str | None = None
    product_category: str | None = None
    price_list: str | None = None
    drg_present: bool = False
    drg_code: str | None = None
    drg_price: int | None = None
    outlier_care_time: int | None = None
    outlier_cost: int | None = None
    patient_specific: list[PatientSpecificItem] = field(default_factory=list)
    allowance: int | None = None
    discount: int | None = None
    charge: int | None = None
    outpatient_fee: int | None = None
    outpatient_fee_paid: int | None = None
    patient_fee_reduced_category: str | None = None
    free_pass_indicator: bool | None = None
    inpatient_fee: int | None = None
    business_classification: str | None = None
    care_level: str | None = None
    main_diagnosis: str | None = None  # ICD-10-SE
    bi_diagnoses: list[str] = field(default_factory=list)
    procedures: list[str] = field(default_factory=list)  # KVÅ
    atc_codes: list[str] = field(default_factory=list)
    currencies: list[Code] = field(default_factory=list, compare=False, repr=False)  # seen when read, for ÖR35

    @property
    def is_inpatient(self) -> bool:
        return self.type_of_care == INPATIENT

    @property
    def has_categorisation(self) -> bool:
        return self.drg_present or bool(self.patient_specific)

    def expected_gross(self) -> int:
        """DRG price + outlier amounts + every patient-specific total − patient fee paid."""
        return (
            (self.drg_price or 0)
            + (self.outlier_care_time or 0)
            + (self.outlier_cost or 0)
            + sum(item.total or 0 for item in self.patient_specific)
            - (self.outpatient_fee_paid or 0)
        )

    def expected_net(self) -> int:
        """Gross + charge − 6 % VAT compensation allowance − discount."""
        return self.gross + (self.charge or 0) - (self.allowance or 0) - (self.discount or 0)


@dataclass
class PatientLine:
    """One patient (healthCareServicesSpecificationLine): number and residence, never name."""

    patient_id: PartyId
    county: Code
    municipality: Code
    care: list[CarePerformed]
    gender: Code | None = None
    listing_region_hsa_id: PartyId | None = None
    lma_card_number: str | None = None

    @property
    def id_kind(self) -> str:
        for kind, root in PATIENT_ID_ROOTS.items():
            if self.patient_id.root == root:
                return kind
        return "reservnummer"


@dataclass
class ClaimSpecification:
    id: str
    issue_date: dt.date
    type_of_invoice: str
    payable_amount: int  # öre
    supplier: list[PartyId]
    customer: list[PartyId]
    lines: list[PatientLine] = field(default_factory=list)
    issue_time: str | None = None
    invoice_id: str | None = None
    invoice_date: dt.date | None = None
    reference_to_invoice: str | None = None
    reference_to_specification_id: str | None = None
    payable_currency: Code = field(default_factory=lambda: Code("SEK", OID_CURRENCY))

    @property
    def is_credit(self) -> bool:
        return self.type_of_invoice == CREDIT_NOTE

    @property
    def supplier_org_number(self) -> str | None:
        return _org_number(self.supplier)

    @property
    def customer_org_number(self) -> str | None:
        return _org_number(self.customer)

    def care_lines(self):
        """(patient line index, care index, patient line, care) for every care contact."""
        for p_index, patient in enumerate(self.lines, start=1):
            for c_index, care in enumerate(patient.care, start=1):
                yield p_index, c_index, patient, care

    def net_total(self) -> int:
        return sum(care.net for _, _, _, care in self.care_lines())


def _org_number(ids: list[PartyId]) -> str | None:
    for party in ids:
        if party.root == OID_ORGNR:
            return party.extension
    return None


def org_party(org_number: str) -> list[PartyId]:
    return [PartyId(OID_ORGNR, se_orgnr.compact(org_number))]


def patient_identity(number: str, reserve_root: str | None = None) -> PartyId:
    """The IIType for a patient number; reserve numbers need the issuing region's OID."""
    kind = classify_patient_number(number)
    compact = number.replace("-", "").replace("+", "") if kind != "reservnummer" else number
    if kind == "reservnummer":
        if not reserve_root:
            raise ModelError("a reserve number needs the issuing region's OID (or organisation number)")
        return PartyId(reserve_root, compact)
    return PartyId(PATIENT_ID_ROOTS[kind], compact)


def with_payable_from_lines(spec: ClaimSpecification) -> ClaimSpecification:
    """Set payableAmount to the sum of the net amounts (what the invoice must say)."""
    spec.payable_amount = spec.net_total()
    return spec
