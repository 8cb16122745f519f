"""The e-mail a clinic gets on a deviation or rejection, in the company's language (nb/sv/en). Pure."""

from __future__ import annotations

from kvitt.core.money import format_amount

OUTCOME_WORDS = {
    "nb": {"approved": "godkjent", "deviation": "godkjent med avvik", "rejected": "avvist"},
    "sv": {"approved": "godkänd", "deviation": "godkänd med avvikelser", "rejected": "avvisad"},
    "en": {"approved": "approved", "deviation": "approved with deviations", "rejected": "rejected"},
}
KIND_WORDS = {
    "nb": {"Invoice": "Faktura", "CreditNote": "Kreditnota"},
    "sv": {"Invoice": "Faktura", "CreditNote": "Kreditnota"},
    "en": {"Invoice": "Invoice", "CreditNote": "Credit note"},
}
SUBJECT = {
    "nb": "{kind} {number} til {insurer} er {outcome}",
    "sv": "{kind} {number} till {insurer} är {outcome}",
    "en": "{kind} {number} to {insurer} is {outcome}",
}
INTRO = {
    "nb": "{insurer} har kontrollert {kind_lower} {number} (SakID {sakid}) mottatt {received}. Resultat: {outcome}.",
    "sv": "{insurer} har kontrollerat {kind_lower} {number} (SakID {sakid}) mottagen {received}. Resultat: {outcome}.",
    "en": "{insurer} has checked {kind_lower} {number} (SakID {sakid}) received {received}. Outcome: {outcome}.",
}
AMOUNTS = {
    "nb": "Fakturert: {invoiced}. Godkjent: {approved}.",
    "sv": "Fakturerat: {invoiced}. Godkänt: {approved}.",
    "en": "Invoiced: {invoiced}. Approved: {approved}.",
}
FINDINGS_HEADING = {"nb": "Funn:", "sv": "Anmärkningar:", "en": "Findings:"}
OUTRO = {
    "nb": "Reglene er beskrevet under hver kode. Send en ny faktura eller kreditnota ved behov; svar ikke på denne e-posten.",
    "sv": "Reglerna beskrivs under varje kod. Skicka vid behov en ny faktura eller kreditnota; svara inte på detta e-postmeddelande.",
    "en": "Each code is explained in the reason-code list. Send a new invoice or a credit note where needed; do not reply to this e-mail.",
}


def language_of(code: str | None) -> str:
    code = (code or "nb").split("-")[0].lower()
    return code if code in SUBJECT else "nb"


def email_for(*, language: str, insurer: str, kind: str, number: str, sakid: str, received: str, outcome: str,
              invoiced: int, approved: int, findings) -> tuple[str, str]:
    """Subject and plain-text body listing each counting finding with its number and code."""
    lang = language_of(language)
    words = {
        "insurer": insurer, "kind": KIND_WORDS[lang].get(kind, kind), "kind_lower": KIND_WORDS[lang].get(kind, kind).lower(),
        "number": number, "sakid": sakid or "-", "received": received, "outcome": OUTCOME_WORDS[lang][outcome],
    }
    subject = SUBJECT[lang].format(**words)
    lines = [
        INTRO[lang].format(**words),
        AMOUNTS[lang].format(invoiced=format_amount(invoiced, locale=lang), approved=format_amount(approved, locale=lang)),
        "",
        FINDINGS_HEADING[lang],
    ]
    for f in findings:
        if f.waived:
            continue
        lines.append(f"{f.number}. [{f.code}] {f.message(lang)}")
    lines += ["", OUTRO[lang]]
    return subject, "\n".join(lines) + "\n"
