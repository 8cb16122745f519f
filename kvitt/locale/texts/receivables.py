"""nb and sv for the receivables app (patient invoices, purring/påminnelse, inkasso, disputes).
Shape: ``T = {msgid: (nb, sv)}``.

Left out on purpose: "none | inkassosats_20 | fixed" and "clinic | collection" (help texts that
list the stored values, which must stay as they are)."""

T = {
    # Payment reference schemes
    "KID, MOD10": ("KID, MOD10", "KID, MOD10"),
    "KID, MOD11": ("KID, MOD11", "KID, MOD11"),
    "OCR reference (Luhn)": ("OCR-referanse (Luhn)", "OCR-nummer (Luhn)"),
    "OCR reference with length digit": ("OCR-referanse med lengdesiffer", "OCR-nummer med längdsiffra"),
    "NO account number or SE bankgiro": (
        "Norsk kontonummer eller svensk bankgiro",
        "Norskt kontonummer eller svenskt bankgironummer",
    ),
    "SE: a reminder fee may only be charged when agreed when the debt arose": (
        "SE: purregebyr kan bare kreves når det ble avtalt da gjelden oppsto",
        "SE: påminnelseavgift får bara tas ut om den avtalades när skulden uppkom",
    ),
    # Invoice status and dunning stage
    "Written off": ("Avskrevet", "Avskriven"),
    "Not in dunning": ("Ikke purret", "Ingen påminnelse"),
    "Reminder sent": ("Purring sendt", "Påminnelse skickad"),
    "Collection notice sent": ("Inkassovarsel sendt", "Inkassokrav skickat"),
    "Handed over to collection": ("Oversendt til inkasso", "Överlämnad till inkasso"),
    "What the patient owes now: principal, fees and interest": (
        "Det pasienten skylder nå: hovedstol, gebyrer og renter",
        "Vad patienten är skyldig nu: kapitalbelopp, avgifter och ränta",
    ),
    # Invoice lines and ledger entries
    "Treatment not covered": ("Behandling som ikke dekkes", "Behandling som inte täcks"),
    "Materials": ("Materiell", "Material"),
    "Copy of records sent by post": ("Journalkopi sendt i posten", "Journalkopia skickad per post"),
    "Fees": ("Gebyrer", "Avgifter"),
    "Interest": ("Renter", "Ränta"),
    "Credit balance": ("Tilgodehavende", "Tillgodohavande"),
    "Fee": ("Gebyr", "Avgift"),
    "Payment": ("Innbetaling", "Inbetalning"),
    "Payment reversed": ("Innbetaling tilbakeført", "Inbetalning återförd"),
    "Overpayment (credit balance)": ("Overbetaling (tilgodehavende)", "Överbetalning (tillgodohavande)"),
    "Refunded": ("Tilbakebetalt", "Återbetald"),
    "Days after the due date (first step) or the previous letter's deadline": (
        "Dager etter forfall (første trinn) eller etter fristen i forrige brev",
        "Dagar efter förfallodagen (första steget) eller efter sista betalningsdag i föregående brev",
    ),
    # Instalment plans
    "Active": ("Aktiv", "Aktiv"),
    "Breached": ("Misligholdt", "Bruten"),
    "Completed": ("Fullført", "Fullföljd"),
    # Contact log
    "Phone call": ("Telefonsamtale", "Telefonsamtal"),
    "Callback task": ("Ring tilbake", "Återuppringning"),
    "Note": ("Notat", "Anteckning"),
    "Deferral granted": ("Utsettelse innvilget", "Anstånd beviljat"),
    "Contact preference": ("Ønsket kontaktmåte", "Önskat kontaktsätt"),
    "Question about the basis (to the clinic)": (
        "Spørsmål om kravets grunnlag (til klinikken)",
        "Fråga om fordringens grund (till mottagningen)",
    ),
    "Question about payment (to collection)": ("Spørsmål om betaling (til inkasso)", "Fråga om betalning (till inkasso)"),
    "Patient request": ("Henvendelse fra pasient", "Begäran från patient"),
    "Where the signed written authorisation is kept": (
        "Hvor den signerte skriftlige fullmakten oppbevares",
        "Var den undertecknade skriftliga fullmakten förvaras",
    ),
    # Disputes (the clinic decides: credit, or the conciliation board)
    "Sent to the conciliation board": ("Sendt til forliksrådet", "Hänskjuten till tvistlösning"),
    "Claim upheld": ("Kravet opprettholdt", "Fordran kvarstår"),
    # Services
    "%(org)s has no patient invoicing settings yet": (
        "%(org)s har ikke satt opp pasientfakturering ennå",
        "%(org)s har inte ställt in patientfakturering ännu",
    ),
    "An invoice needs at least one line": ("En faktura må ha minst én linje", "En faktura måste ha minst en rad"),
    "Line %(n)s: unknown kind %(k)s": ("Linje %(n)s: ukjent type %(k)s", "Rad %(n)s: okänd typ %(k)s"),
    "Line %(n)s: the amount must be a positive whole number of øre": (
        "Linje %(n)s: beløpet må være et positivt helt antall øre",
        "Rad %(n)s: beloppet måste vara ett positivt helt antal öre",
    ),
    "Line %(n)s: the text is empty": ("Linje %(n)s: teksten er tom", "Rad %(n)s: texten är tom"),
    "Only the clinic can credit its invoice": (
        "Bare klinikken kan kreditere sin egen faktura",
        "Endast mottagningen kan kreditera sin faktura",
    ),
    "A credit must be positive and at most the open principal": (
        "En kreditering må være positiv og høyst lik gjenstående hovedstol",
        "En kreditering måste vara positiv och högst lika med återstående kapitalbelopp",
    ),
    "There is no credit balance to refund": (
        "Det finnes ikke noe tilgodehavende å betale tilbake",
        "Det finns inget tillgodohavande att återbetala",
    ),
    "Only an open invoice can be paid by instalments": (
        "Bare en åpen faktura kan betales med avdrag",
        "Endast en öppen faktura kan delbetalas",
    ),
    "A plan has 2 to 24 instalments": (
        "En avdragsordning har 2 til 24 avdrag",
        "En avbetalningsplan har 2 till 24 delbetalningar",
    ),
    "The invoice already has an active plan": (
        "Fakturaen har allerede en aktiv avdragsordning",
        "Fakturan har redan en aktiv avbetalningsplan",
    ),
    "A deferral must end in the future": ("En utsettelse må slutte frem i tid", "Ett anstånd måste sluta i framtiden"),
    "Unknown contact kind": ("Ukjent kontakttype", "Okänd kontakttyp"),
    "Unknown channel": ("Ukjent kanal", "Okänd kanal"),
    "Register where the signed written authorisation is kept": (
        "Registrer hvor den signerte skriftlige fullmakten oppbevares",
        "Ange var den undertecknade skriftliga fullmakten förvaras",
    ),
    "The dispute is already decided": ("Innsigelsen er allerede avgjort", "Tvisten är redan avgjord"),
    "Unknown decision": ("Ukjent avgjørelse", "Okänt beslut"),
    "The claim is above the small-claim threshold; decide it in full": (
        "Kravet er over grensen for småkrav; det må avgjøres fullt ut",
        "Fordran överstiger gränsen för småfordringar; den måste avgöras i sin helhet",
    ),
    "Unknown request": ("Ukjent henvendelse", "Okänd begäran"),
    "Write your question or request": ("Skriv spørsmålet eller ønsket ditt", "Skriv din fråga eller ditt önskemål"),
    # Collection workspace and invoice pages
    "Phone": ("Telefon", "Telefon"),
    "Address": ("Adresse", "Adress"),
    "Contact by": ("Kontaktes via", "Kontaktas via"),
    # The payment reference on the invoice, as "reference" in translations.py
    "Reference": ("KID", "OCR-nummer"),
    "Third-party authorisations": ("Fullmakter til tredjepart", "Fullmakter för tredje part"),
    "Record a call": ("Registrer en samtale", "Registrera ett samtal"),
    "Third-party authorisation": ("Fullmakt til tredjepart", "Fullmakt för tredje part"),
    "Dispute (to the clinic)": ("Innsigelse (til klinikken)", "Bestridande (till mottagningen)"),
    "Text": ("Tekst", "Text"),
    "Until / due": ("Til / forfall", "Till / förfallodag"),
    "Instalments": ("Avdrag", "Delbetalningar"),
    "first due": ("første forfall", "första förfallodag"),
    "Authorised person": ("Fullmektig", "Ombud"),
    "Patient page": ("Pasientside", "Patientsida"),
    "Send to the patient": ("Send til pasienten", "Skicka till patienten"),
    "Credit (small claim)": ("Krediter (småkrav)", "Kreditera (småfordran)"),
    "Send to the conciliation board": ("Send til forliksrådet", "Hänskjut till tvistlösning"),
    "Case summary": ("Saksoppsummering", "Ärendesammanfattning"),
    "Uphold the claim": ("Oppretthold kravet", "Vidhåll fordran"),
    "Questions and contact": ("Spørsmål og kontakt", "Frågor och kontakt"),
    "%(n)s invoices created": ("%(n)s fakturaer opprettet", "%(n)s fakturor skapade"),
    "Invoice sent by %(channel)s": ("Faktura sendt via %(channel)s", "Faktura skickad via %(channel)s"),
    "Unknown action": ("Ukjent handling", "Okänd åtgärd"),
    "Saved": ("Lagret", "Sparat"),
}
