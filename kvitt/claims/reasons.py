"""The numbered reason codes of the automatic invoice validation, with their texts in nb/sv/en.

One code names one cause, so a clinic (and a test) can tell exactly why an invoice or a line was
not approved. ``docs/claims-reason-codes.md`` lists the same table for people; a test keeps the
two in step. Texts use ``{name}`` placeholders filled from the finding's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

REJECT = "reject"
DEVIATION = "deviation"
WARNING = "warning"
SEVERITIES = (REJECT, DEVIATION, WARNING)

INVOICE_LEVEL = "invoice"
LINE_LEVEL = "line"

LANGUAGES = ("nb", "sv", "en")

NOT_WAIVABLE = frozenset({"CLM-101", "CLM-102", "CLM-104", "CLM-105", "CLM-108", "CLM-209", "CLM-210", "CLM-211"})


@dataclass(frozen=True)
class Reason:
    code: str
    severity: str
    level: str
    title: str  # English, for the documentation table and logs
    texts: dict  # language -> template

    @property
    def waivable(self) -> bool:
        """Whether a case handler may override it. Without a known assignment nothing else can be
        checked, and coverage is a hard limit the assignment itself must be changed for."""
        return self.code not in NOT_WAIVABLE

    def message(self, language: str, params: dict) -> str:
        template = self.texts.get(language) or self.texts["en"]
        return template.format(**params)


def _reason(code, severity, level, title, nb, sv, en) -> Reason:
    return Reason(code, severity, level, title, {"nb": nb, "sv": sv, "en": en})


_ALL = [
    # --- the invoice as a whole -----------------------------------------------------------------
    _reason(
        "CLM-100", REJECT, INVOICE_LEVEL, "Breaks the EHF/Peppol rules",
        "Dokumentet bryter EHF/Peppol-reglene: {rules}.",
        "Dokumentet bryter mot EHF/Peppol-reglerna: {rules}.",
        "The document breaks the EHF/Peppol rules: {rules}.",
    ),
    _reason(
        "CLM-101", REJECT, INVOICE_LEVEL, "SakID missing",
        "Fakturaen mangler SakID (OrderReference/ID).",
        "Fakturan saknar SakID (OrderReference/ID).",
        "The invoice has no SakID (OrderReference/ID).",
    ),
    _reason(
        "CLM-102", REJECT, INVOICE_LEVEL, "SakID unknown",
        "SakID {sakid} finnes ikke hos oss.",
        "SakID {sakid} finns inte hos oss.",
        "SakID {sakid} is not known to us.",
    ),
    _reason(
        "CLM-103", REJECT, INVOICE_LEVEL, "Invoice addressed to another buyer",
        "Fakturaen er adressert til organisasjonsnummer {buyer}, ikke til oss ({insurer}).",
        "Fakturan är adresserad till organisationsnummer {buyer}, inte till oss ({insurer}).",
        "The invoice is addressed to organisation number {buyer}, not to us ({insurer}).",
    ),
    _reason(
        "CLM-104", REJECT, INVOICE_LEVEL, "Assignment belongs to another insurer",
        "SakID {sakid} tilhører et annet forsikringsselskap.",
        "SakID {sakid} tillhör ett annat försäkringsbolag.",
        "SakID {sakid} belongs to another insurer.",
    ),
    _reason(
        "CLM-105", REJECT, INVOICE_LEVEL, "Assignment cannot be invoiced in its state",
        "Behandlingsoppdraget {sakid} har status «{state}» og kan ikke faktureres.",
        "Behandlingsuppdraget {sakid} har status \u201d{state}\u201d och kan inte faktureras.",
        "Treatment assignment {sakid} is {state} and cannot be invoiced.",
    ),
    _reason(
        "CLM-106", REJECT, INVOICE_LEVEL, "Supplier is not in the provider network",
        "Leverandøren med organisasjonsnummer {supplier} er ikke registrert i behandlernettverket.",
        "Leverantören med organisationsnummer {supplier} är inte registrerad i vårdgivarnätverket.",
        "The supplier with organisation number {supplier} is not registered in the provider network.",
    ),
    _reason(
        "CLM-107", REJECT, INVOICE_LEVEL, "Assignment given to another company",
        "Behandlingsoppdraget {sakid} er gitt til et annet foretak.",
        "Behandlingsuppdraget {sakid} är tilldelat ett annat företag.",
        "Treatment assignment {sakid} was given to another company.",
    ),
    _reason(
        "CLM-108", REJECT, INVOICE_LEVEL, "Duplicate invoice number",
        "Faktura {number} fra {supplier} er allerede mottatt.",
        "Faktura {number} från {supplier} är redan mottagen.",
        "Invoice {number} from {supplier} has already been received.",
    ),
    _reason(
        "CLM-109", REJECT, INVOICE_LEVEL, "Credit note without invoice reference",
        "Kreditnotaen viser ikke til noen faktura (BillingReference).",
        "Kreditnotan hänvisar inte till någon faktura (BillingReference).",
        "The credit note does not reference an invoice (BillingReference).",
    ),
    _reason(
        "CLM-110", REJECT, INVOICE_LEVEL, "Credit note references an unknown invoice",
        "Kreditnotaen viser til faktura {number}, som vi ikke har mottatt fra {supplier}.",
        "Kreditnotan hänvisar till faktura {number}, som vi inte har tagit emot från {supplier}.",
        "The credit note references invoice {number}, which we have not received from {supplier}.",
    ),
    _reason(
        "CLM-111", REJECT, INVOICE_LEVEL, "Currency not NOK",
        "Fakturaen er i {currency}; vi betaler bare fakturaer i NOK.",
        "Fakturan är i {currency}; vi betalar bara fakturor i NOK.",
        "The invoice is in {currency}; we pay invoices in NOK only.",
    ),
    _reason(
        "CLM-112", REJECT, INVOICE_LEVEL, "No account to pay to",
        "Fakturaen mangler kontonummer for betaling (PayeeFinancialAccount).",
        "Fakturan saknar kontonummer för betalning (PayeeFinancialAccount).",
        "The invoice has no account to pay to (PayeeFinancialAccount).",
    ),
    _reason(
        "CLM-113", WARNING, INVOICE_LEVEL, "No KID",
        "Fakturaen har ingen KID; betalingen merkes med fakturanummeret.",
        "Fakturan har inget KID; betalningen märks med fakturanumret.",
        "The invoice has no KID; the payment will carry the invoice number.",
    ),
    # --- one line ---------------------------------------------------------------------------------
    _reason(
        "CLM-201", REJECT, LINE_LEVEL, "Required line property missing",
        "Linje {line}: {property} mangler.",
        "Rad {line}: {property} saknas.",
        "Line {line}: {property} is missing.",
    ),
    _reason(
        "CLM-202", REJECT, LINE_LEVEL, "Line property malformed",
        "Linje {line}: {property} har ugyldig verdi «{value}».",
        "Rad {line}: {property} har ogiltigt värde \u201d{value}\u201d.",
        "Line {line}: {property} has an invalid value '{value}'.",
    ),
    _reason(
        "CLM-203", REJECT, LINE_LEVEL, "Treatment not covered",
        "Linje {line}: behandling {treatment} dekkes ikke av SakID {sakid}.",
        "Rad {line}: behandling {treatment} täcks inte av SakID {sakid}.",
        "Line {line}: treatment {treatment} is not covered by SakID {sakid}.",
    ),
    _reason(
        "CLM-204", REJECT, LINE_LEVEL, "Treatment date outside the coverage period",
        "Linje {line}: behandlingsdato {date} er utenfor dekningsperioden {valid_from}–{valid_to}.",
        "Rad {line}: behandlingsdatum {date} ligger utanför täckningsperioden {valid_from}–{valid_to}.",
        "Line {line}: treatment date {date} is outside the coverage period {valid_from} to {valid_to}.",
    ),
    _reason(
        "CLM-205", REJECT, LINE_LEVEL, "Treatment in the future",
        "Linje {line}: behandlingstidspunktet {moment} er frem i tid.",
        "Rad {line}: behandlingstidpunkten {moment} ligger i framtiden.",
        "Line {line}: the treatment time {moment} is in the future.",
    ),
    _reason(
        "CLM-206", REJECT, LINE_LEVEL, "Company not approved on the treatment date",
        "Linje {line}: foretaket var ikke godkjent av oss for {profession} den {date}.",
        "Rad {line}: företaget var inte godkänt av oss för {profession} den {date}.",
        "Line {line}: the company was not approved by us for {profession} on {date}.",
    ),
    _reason(
        "CLM-207", REJECT, LINE_LEVEL, "Practitioner not registered at the company",
        "Linje {line}: behandler med HPR-nummer {hpr} er ikke registrert hos foretaket.",
        "Rad {line}: behandlare med HPR-nummer {hpr} är inte registrerad hos företaget.",
        "Line {line}: the practitioner with HPR number {hpr} is not registered at the company.",
    ),
    _reason(
        "CLM-208", REJECT, LINE_LEVEL, "Profession not covered",
        "Linje {line}: yrket {profession} dekkes ikke av SakID {sakid}.",
        "Rad {line}: yrket {profession} täcks inte av SakID {sakid}.",
        "Line {line}: profession {profession} is not covered by SakID {sakid}.",
    ),
    _reason(
        "CLM-209", REJECT, LINE_LEVEL, "No treatments left on the assignment",
        "Linje {line}: SakID {sakid} har {left} behandling(er) igjen, linjen gjelder {count}.",
        "Rad {line}: SakID {sakid} har {left} behandling(ar) kvar, raden gäller {count}.",
        "Line {line}: SakID {sakid} has {left} treatment(s) left; the line bills {count}.",
    ),
    _reason(
        "CLM-210", DEVIATION, LINE_LEVEL, "Amount beyond the remaining coverage: reduced",
        "Linje {line}: beløpet {amount} overstiger gjenstående dekning; godkjent {approved}.",
        "Rad {line}: beloppet {amount} överstiger återstående täckning; godkänt {approved}.",
        "Line {line}: the amount {amount} exceeds the remaining coverage; approved {approved}.",
    ),
    _reason(
        "CLM-211", REJECT, LINE_LEVEL, "No amount left on the assignment",
        "Linje {line}: SakID {sakid} har ikke noe beløp igjen å dekke.",
        "Rad {line}: SakID {sakid} har inget belopp kvar att täcka.",
        "Line {line}: SakID {sakid} has no amount left to cover.",
    ),
    _reason(
        "CLM-212", REJECT, LINE_LEVEL, "Treatment time billed twice",
        "Linje {line}: behandlingen {moment} på SakID {sakid} er allerede fakturert ({where}).",
        "Rad {line}: behandlingen {moment} på SakID {sakid} är redan fakturerad ({where}).",
        "Line {line}: the treatment at {moment} on SakID {sakid} has already been billed ({where}).",
    ),
    _reason(
        "CLM-213", WARNING, LINE_LEVEL, "No diagnosis",
        "Linje {line}: diagnose (Diagnose) er ikke oppgitt.",
        "Rad {line}: diagnos (Diagnose) är inte angiven.",
        "Line {line}: no diagnosis (Diagnose) is given.",
    ),
]

REASONS: dict[str, Reason] = {r.code: r for r in _ALL}


def reason(code: str) -> Reason:
    try:
        return REASONS[code]
    except KeyError:
        raise KeyError(f"unknown claims reason code {code!r}") from None
