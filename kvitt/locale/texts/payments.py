"""nb and sv for the payments app (bank files in, payments matched to receivables).
Shape: ``T = {msgid: (nb, sv)}``."""

T = {
    # Bank file formats: names of the formats themselves
    "Nets OCR giro": ("Nets OCR giro", "Nets OCR-giro"),
    "ISO 20022 camt.054": ("ISO 20022 camt.054", "ISO 20022 camt.054"),
    "Bankgirot BgMax": ("Bankgirot BgMax", "Bankgirot BgMax"),
    # How a payment was matched
    "Paid in full": ("Betalt fullt ut", "Helt betald"),
    "Partly paid": ("Delvis betalt", "Delvis betald"),
    "Overpaid (credit balance)": ("Overbetalt (tilgodehavende)", "Överbetald (tillgodohavande)"),
    "Reversed": ("Tilbakeført", "Återförd"),
    "Paid to a closed invoice (credit balance)": (
        "Betalt til en avsluttet faktura (tilgodehavende)",
        "Betald till en stängd faktura (tillgodohavande)",
    ),
    "Unmatched (manual queue)": ("Ikke avstemt (manuell kø)", "Ej matchad (manuell kö)"),
    "KID / OCR reference": ("KID / OCR-referanse", "KID / OCR-nummer"),
    "Invoice number or KID in the payment text": (
        "Fakturanummer eller KID i betalingsteksten",
        "Fakturanummer eller OCR-nummer i betalningsmeddelandet",
    ),
    "By hand": ("Manuelt", "Manuellt"),
    "Not matched": ("Ikke avstemt", "Ej matchad"),
    # Field help
    "the file's own id: Nets transmission, camt MsgId, BgMax timestamp": (
        "filens egen id: Nets-forsendelse, camt MsgId, BgMax-tidsstempel",
        "filens eget id: Nets-försändelse, camt MsgId, BgMax-tidsstämpel",
    ),
    "signed: negative for reversals and deductions": (
        "med fortegn: negativt for tilbakeføringer og fradrag",
        "med tecken: negativt för återföringar och avdrag",
    ),
    "not allocated to any receivable: a credit balance": (
        "ikke fordelt på noen fordring: et tilgodehavende",
        "inte fördelat på någon fordran: ett tillgodohavande",
    ),
    "which receivable ledger the id belongs to": ("hvilken reskontro id-en hører til", "vilken reskontra id:t hör till"),
}
