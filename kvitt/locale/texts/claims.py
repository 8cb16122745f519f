"""nb and sv for the claims app (the insurer's invoice inbox and automatic validation).

Shape as in kvitt/locale/translations.py: ``T = {msgid: (nb, sv)}``; plural entries in
``PLURALS = {(singular, plural): ((nb_one, nb_other), (sv_one, sv_other))}``.
"""

T = {
    # Validation frequency and where an invoice came from
    "Immediately": ("Straks", "Omedelbart"),
    "Hourly": ("Hver time", "Varje timme"),
    "Daily": ("Daglig", "Dagligen"),
    "Validation frequency": ("Valideringsfrekvens", "Valideringsfrekvens"),
    "Validate": ("Valider", "Validera"),
    "Daily at": ("Daglig klokken", "Dagligen klockan"),
    "Validation frequency saved": ("Valideringsfrekvensen er lagret", "Valideringsfrekvensen är sparad"),
    "Choose a frequency": ("Velg en frekvens", "Välj en frekvens"),
    "Access point": ("Aksesspunkt", "Accesspunkt"),
    # Also the upload button, so the action reads right there.
    "Upload": ("Last opp", "Ladda upp"),
    "Directory": ("Mappe", "Mapp"),
    # Statuses and fields of a received invoice
    "Waiting for validation": ("Venter på validering", "Väntar på validering"),
    "Unreadable": ("Uleselig", "Oläslig"),
    "Deviation": ("Avvik", "Avvikelse"),
    "The bytes as received (SBDH envelope or bare UBL)": (
        "Bytene slik de ble mottatt (SBDH-konvolutt eller ren UBL)",
        "Byten som de togs emot (SBDH-kuvert eller ren UBL)",
    ),
    "The UBL document inside": ("UBL-dokumentet inni", "UBL-dokumentet inuti"),
    "YYYY-MM-DD HH:MM, Oslo time": ("ÅÅÅÅ-MM-DD TT:MM, norsk tid", "ÅÅÅÅ-MM-DD TT:MM, norsk tid"),
    "The coverage usage this line consumed": (
        "Forbruket av dekningen som denne linjen står for",
        "Förbrukningen av täckningen som raden står för",
    ),
    "E-mail to the clinic": ("E-post til klinikken", "E-post till kliniken"),
    "Invoice Response": ("Fakturasvar (Invoice Response)", "Fakturasvar (Invoice Response)"),
    "Idempotency: one notice per invoice, run and kind": (
        "Idempotens: ett varsel per faktura, kjøring og type",
        "Idempotens: ett meddelande per faktura, körning och typ",
    ),
    "The SBDH-wrapped Invoice Response": ("Fakturasvaret i SBDH-konvolutt", "Fakturasvaret i SBDH-kuvert"),
    # Inbox and detail pages
    "Invoice inbox": ("Fakturainnboks", "Fakturainkorg"),
    "Clinic": ("Klinikk", "Klinik"),
    "SakID": ("SakID", "SakID"),
    "Invoiced": ("Fakturert", "Fakturerat"),
    "KID / account": ("KID / konto", "KID / konto"),
    "EHF validation": ("EHF-validering", "EHF-validering"),
    "valid": ("gyldig", "giltig"),
    "errors": ("feil", "fel"),
    "Findings": ("Funn", "Anmärkningar"),
    "run %(n)s": ("kjøring %(n)s", "körning %(n)s"),
    "Code": ("Kode", "Kod"),
    "Severity": ("Alvorlighet", "Allvarlighet"),
    "Line": ("Linje", "Rad"),
    "overridden": ("overstyrt", "åsidosatt"),
    "Reason for override": ("Begrunnelse for overstyring", "Skäl för åsidosättande"),
    "Override": ("Overstyr", "Åsidosätt"),
    "No findings.": ("Ingen funn.", "Inga anmärkningar."),
    "Not validated yet.": ("Ikke validert ennå.", "Inte validerad ännu."),
    "Lines": ("Linjer", "Rader"),
    "Treatment": ("Behandling", "Behandling"),
    "Outcome": ("Resultat", "Resultat"),
    "Overrides": ("Overstyringer", "Åsidosättanden"),
    "Validate again": ("Valider på nytt", "Validera igen"),
    "Coverage": ("Dekning", "Täckning"),
    "Assignment": ("Oppdrag", "Uppdrag"),
    "Valid": ("Gyldig", "Giltig"),
    # "3 used, 2 booked, of 10"
    "used": ("brukt", "använda"),
    "booked": ("booket", "bokade"),
    "of": ("av", "av"),
    "Usage": ("Forbruk", "Förbrukning"),
    "No known assignment.": ("Ikke noe kjent oppdrag.", "Inget känt uppdrag."),
    "Notices": ("Varsler", "Meddelanden"),
    "Raise an exception": ("Meld et avvik", "Anmäl en avvikelse"),
    "Notify the clinic": ("Varsle klinikken", "Meddela kliniken"),
    # Inbox tabs: the insurer has two working days to validate an invoice
    "Waiting": ("Venter", "Väntar"),
    "Due today": ("Frist i dag", "Frist i dag"),
    "Overdue": ("Over fristen", "Försenade"),
    "No invoices here.": ("Ingen fakturaer her.", "Inga fakturor här."),
    "Upload a document": ("Last opp et dokument", "Ladda upp ett dokument"),
    # Views
    "You are not a member of any organisation": (
        "Du er ikke medlem av noen organisasjon",
        "Du är inte medlem i någon organisation",
    ),
    "Not allowed": ("Ikke tillatt", "Inte tillåtet"),
    "EHF invoice or credit note (XML, with or without SBDH)": (
        "EHF-faktura eller kreditnota (XML, med eller uten SBDH)",
        "EHF-faktura eller kreditnota (XML, med eller utan SBDH)",
    ),
    "What was found": ("Hva som ble funnet", "Vad som upptäcktes"),
    "Choose a file to upload": ("Velg en fil å laste opp", "Välj en fil att ladda upp"),
    "The file is larger than 5 MB": ("Filen er større enn 5 MB", "Filen är större än 5 MB"),
    "This document was already received": ("Dette dokumentet er allerede mottatt", "Dokumentet har redan tagits emot"),
    "Give a reason of at least 5 characters": ("Oppgi en begrunnelse på minst 5 tegn", "Ange ett skäl på minst 5 tecken"),
    "Finding %(code)s overridden; the invoice was validated again": (
        "Funnet %(code)s er overstyrt; fakturaen er validert på nytt",
        "Anmärkningen %(code)s är åsidosatt; fakturan har validerats igen",
    ),
    "Validated again": ("Validert på nytt", "Validerad igen"),
    "The clinic is notified": ("Klinikken er varslet", "Kliniken har meddelats"),
    "Describe what was found": ("Beskriv hva som ble funnet", "Beskriv vad som upptäcktes"),
}

PLURALS = {
    ("%(n)s invoice is past its two-working-day due time.", "%(n)s invoices are past their two-working-day due time."): (
        (
            "%(n)s faktura har passert fristen på to virkedager.",
            "%(n)s fakturaer har passert fristen på to virkedager.",
        ),
        (
            "%(n)s faktura har passerat tidsfristen på två arbetsdagar.",
            "%(n)s fakturor har passerat tidsfristen på två arbetsdagar.",
        ),
    ),
}
