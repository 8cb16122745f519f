"""Plain data for one behandlerkravmelding (BKM): what the JSON and XML builders read.

These are independent of Django so that the builders, the benchmark and the local KUHR
server can use them without a database. Money is integer øre; a credit bill carries
negative amounts (the KUHR documentation asks for a minus amount on credit bills).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

# OIDs of the diagnosis code systems as the BKM names them (Volven kodeverk).
ICPC2_OID = "2.16.578.1.12.4.1.1.7170"
ICD10_OID = "2.16.578.1.12.4.1.1.7110"
DIAGNOSIS_SYSTEMS = {
    "ICPC-2": ICPC2_OID,
    "ICPC2": ICPC2_OID,
    "ICPC-2B": ICPC2_OID,
    "ICD-10": ICD10_OID,
    "ICD10": ICD10_OID,
}
# Patient id types (subset the BKM accepts) and practitioner id types.
PATIENT_ID_TYPES = {"FNR", "DNR", "HNR", "PNR", "UID", "DUF"}
PRACTITIONER_ID_TYPES = {"FNR", "DNR", "HPR"}
# Kodeverk 7461: reasons the patient pays no egenandel (subset commonly used by clinics).
EXEMPTION_CODES = {
    "A": "Smittefarlig sykdom",
    "B": "Barn under 16 år",
    "F": "Frikort",
    "G": "HIV-infeksjon",
    "H": "Pasientens tilstand til hinder for avkreving av egenandel",
}


@dataclass(frozen=True)
class Ident:
    id: str
    type: str  # FNR, DNR, HNR, HPR, ...


@dataclass(frozen=True)
class Diagnosis:
    system: str  # "ICPC-2", "ICD-10" or an OID
    code: str

    @property
    def oid(self) -> str:
        if self.system.startswith("2.16."):
            return self.system
        try:
            return DIAGNOSIS_SYSTEMS[self.system.upper()]
        except KeyError:
            raise ValueError(f"unknown diagnosis code system {self.system!r}") from None


@dataclass(frozen=True)
class Referral:
    date: datetime.date | None = None
    id: str | None = None
    diagnoses: tuple[Diagnosis, ...] = ()
    referred_by: Ident | None = None


@dataclass(frozen=True)
class TariffLine:
    code: str
    amount: int  # øre: the code's refund value for its first occurrence
    count: int = 1
    teeth: tuple[str, ...] = ()


@dataclass(frozen=True)
class EeaDocument:
    """European health insurance card details for patients insured in another EEA state."""

    document: str = ""
    card_id: str = ""
    id: str = ""
    office_name: str = ""
    office_number: str = ""
    valid_from: str = ""
    valid_to: str = ""


@dataclass(frozen=True)
class PatientInfo:
    ident: Ident | None = None
    family_name: str | None = None
    given_name: str | None = None
    sex: str | None = None  # kodeverk 3101: 1, 2, 9
    nationality: str | None = None  # only when not NO
    birth_date: datetime.date | None = None
    eea: EeaDocument | None = None


@dataclass(frozen=True)
class ProcedureCode:
    system: str  # kodeverk 8410: K, M, R, Q
    code: str


@dataclass
class Bill:
    """One enkeltregning. ``None`` means "not stated" and leaves the field out."""

    guid: str
    bill_number: str
    time: datetime.datetime | None = None
    patient: PatientInfo | None = None
    tariffs: tuple[TariffLine, ...] = ()
    amount: int | None = None  # øre claimed for the bill; default: sum of tariff lines
    egenandel_paid: bool | None = None
    egenandel_correction: bool | None = None
    credit: bool | None = None
    remark: str | None = None
    exemption_code: str | None = None
    diagnoses: tuple[Diagnosis, ...] = ()
    rare_condition: str | None = None
    referral: Referral | None = None
    performing_practitioner: Ident | None = None
    related_practitioner: Ident | None = None
    moderation_code: str | None = None
    benefit_point: str | None = None  # stonadspunkt (dentists)
    procedure_codes: tuple[ProcedureCode, ...] = ()
    egenandel_amount: int | None = None  # øre the patient paid (XML SumKrav/EgenandelHonorar)

    @property
    def claimed(self) -> int:
        if self.amount is not None:
            return self.amount
        return sum(line.amount * line.count for line in self.tariffs)


@dataclass
class Claim:
    """One behandlerkravmelding: the bills of one practice sent together."""

    practice_id: str
    bills: list[Bill] = field(default_factory=list)
    epj_name: str | None = None
    epj_version: str | None = None
    resh_id: str | None = None
    department: str | None = None
    account: str | None = None  # XML BehandlerKrav/Konto

    @property
    def total(self) -> int:
        return sum(bill.claimed for bill in self.bills)
