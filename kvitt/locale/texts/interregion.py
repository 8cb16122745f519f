"""nb and sv for the interregion app (Swedish utomlänsfakturering: fakturaunderlag between regions).

nb calls the basis "fakturagrunnlag" and the process "fakturering mellom regioner".
Shape: ``T = {msgid: (nb, sv)}``; ``PLURALS = {(singular, plural): ((nb, nb_pl), (sv, sv_pl))}``.
"""

T = {
    # Patient registration and pricing
    "SCB kommunkod, e.g. 0380": ("SCB-kommunekode, f.eks. 0380", "SCB-kommunkod, t.ex. 0380"),
    "0 unknown, 1 man, 2 woman, 9 undetermined": (
        "0 ukjent, 1 mann, 2 kvinne, 9 ubestemt",
        "0 okänt, 1 man, 2 kvinna, 9 obestämt",
    ),
    "OID of the region's reserve numbers": ("OID for regionens reservenumre", "OID för regionens reservnummer"),
    "Outpatient care": ("Poliklinisk behandling", "Öppen vård"),
    "Inpatient care": ("Døgnbehandling", "Sluten vård"),
    '[{"code","name","quantity","unit_price"}], öre': (
        '[{"code","name","quantity","unit_price"}], øre',
        '[{"code","name","quantity","unit_price"}], öre',
    ),
    # Basis statuses
    "Failed the contract rules": ("Brøt kontraktets regler", "Underkänd mot kontraktets regler"),
    "Checked, ready to send": ("Kontrollert, klar til sending", "Kontrollerad, klar att skicka"),
    "Sent, accepted": ("Sendt, akseptert", "Skickad, accepterad"),
    "Rejected by the home region, back for correction": (
        "Avvist av hjemregionen, tilbake til retting",
        "Avvisad av hemregionen, åter för rättelse",
    ),
    "Not delivered": ("Ikke levert", "Inte levererad"),
    "Withdrawn (replaced by a corrected basis)": (
        "Trukket tilbake (erstattet av et rettet grunnlag)",
        "Återkallad (ersatt av ett rättat underlag)",
    ),
    "First day of the billed month": ("Første dag i den fakturerte måneden", "Första dagen i den fakturerade månaden"),
    "Failed": ("Feilet", "Misslyckades"),
    "Matches its basis": ("Stemmer med grunnlaget", "Stämmer med underlaget"),
    "Differs from its basis by more than 1 kr": (
        "Avviker fra grunnlaget med mer enn 1 kr",
        "Avviker från underlaget med mer än 1 kr",
    ),
    "No basis with this id received": (
        "Ikke noe grunnlag med denne id-en er mottatt",
        "Inget underlag med detta id har tagits emot",
    ),
    "Withdrawn": ("Trukket tilbake", "Återkallad"),
    "Suggested reasonForCredit 1-9": (
        "Foreslått kreditårsak (reasonForCredit) 1-9",
        "Föreslagen krediteringsorsak (reasonForCredit) 1-9",
    ),
    # Access
    "Inter-regional billing is for the region's billing officers": (
        "Fakturering mellom regioner er for regionens fakturaansvarlige",
        "Utomlänsfakturering är till för regionens faktureringshandläggare",
    ),
    "Only the home region's billing officers may see the patients of a received basis": (
        "Bare hjemregionens fakturaansvarlige kan se pasientene i et mottatt grunnlag",
        "Endast hemregionens faktureringshandläggare får se patienterna i ett mottaget underlag",
    ),
    "Not a received basis": ("Ikke et mottatt grunnlag", "Inte ett mottaget underlag"),
    "Only Swedish regions bill each other for care": (
        "Bare svenske regioner fakturerer hverandre for behandling",
        "Endast svenska regioner fakturerar varandra för vård",
    ),
    # Why a care event was left out of a basis (lower case: shown after the event id)
    "no care unit (HSA-id) on the care event": (
        "behandlingen har ingen behandlingsenhet (HSA-id)",
        "vårdhändelsen saknar vårdenhet (HSA-id)",
    ),
    "the patient's home county is unknown": ("pasientens hjemlen er ukjent", "patientens hemlän är okänt"),
    "the care event is not priced for inter-regional billing": (
        "behandlingen er ikke priset for fakturering mellom regioner",
        "vårdhändelsen är inte prissatt för utomlänsfakturering",
    ),
    "the patient's municipality (folkbokföring) is unknown": (
        "pasientens bostedskommune (folkbokföring) er ukjent",
        "patientens folkbokföringskommun är okänd",
    ),
    "no region is known for county %(c)s": ("ingen kjent region for len %(c)s", "ingen region är känd för län %(c)s"),
    # Sending, invoicing, disputes, credits
    "This basis is not one of your sent bases": (
        "Dette grunnlaget er ikke blant grunnlagene dere har sendt",
        "Underlaget är inte ett av era skickade underlag",
    ),
    "Only a checked basis without findings can be sent (status: %(s)s)": (
        "Bare et kontrollert grunnlag uten funn kan sendes (status: %(s)s)",
        "Endast ett kontrollerat underlag utan anmärkningar kan skickas (status: %(s)s)",
    ),
    "Invoice a basis only after the home region accepted it": (
        "Fakturer et grunnlag først når hjemregionen har akseptert det",
        "Fakturera ett underlag först när hemregionen har accepterat det",
    ),
    "This basis has already been invoiced": ("Dette grunnlaget er allerede fakturert", "Underlaget är redan fakturerat"),
    "The invoice is addressed to %(o)s, not to this region": (
        "Fakturaen er adressert til %(o)s, ikke til denne regionen",
        "Fakturan är ställd till %(o)s, inte till denna region",
    ),
    "Only the receiving region can dispute a basis": (
        "Bare mottakerregionen kan bestride et grunnlag",
        "Endast den mottagande regionen kan bestrida ett underlag",
    ),
    "A credit basis is not disputed; dispute the line of the debit basis": (
        "Et kreditgrunnlag bestrides ikke; bestrid linjen i debetgrunnlaget",
        "Ett kreditunderlag bestrids inte; bestrid raden i debetunderlaget",
    ),
    "The basis has no line %(n)s": ("Grunnlaget har ingen linje %(n)s", "Underlaget har ingen rad %(n)s"),
    "Reason must be one of the contract's credit reasons 1-9": (
        "Årsaken må være en av kontraktens kreditårsaker 1-9",
        "Orsaken måste vara en av kontraktets krediteringsorsaker 1-9",
    ),
    "Only an accepted debit basis can be credited or re-billed": (
        "Bare et akseptert debetgrunnlag kan krediteres eller faktureres på nytt",
        "Endast ett accepterat debetunderlag kan krediteras eller faktureras på nytt",
    ),
    "Unknown line(s): %(l)s": ("Ukjent(e) linje(r): %(l)s", "Okänd(a) rad(er): %(l)s"),
    "Line(s) already credited: %(l)s": ("Linje(r) som allerede er kreditert: %(l)s", "Rad(er) som redan är krediterade: %(l)s"),
    "Unknown line(s)": ("Ukjent(e) linje(r)", "Okänd(a) rad(er)"),
    "Nothing to re-bill: %(r)s": ("Ingenting å fakturere på nytt: %(r)s", "Inget att fakturera om: %(r)s"),
    "Item %(n)s lacks %(f)s": ("Post %(n)s mangler %(f)s", "Post %(n)s saknar %(f)s"),
    "Item %(n)s: %(k)s must be a whole number (öre for prices)": (
        "Post %(n)s: %(k)s må være et heltall (øre for priser)",
        "Post %(n)s: %(k)s måste vara ett heltal (öre för priser)",
    ),
    "No such care event in your organisation": (
        "Behandlingen finnes ikke i organisasjonen din",
        "Vårdhändelsen finns inte i din organisation",
    ),
    "A municipality code is four digits (SCB kommunkod)": (
        "En kommunekode har fire sifre (SCB kommunkod)",
        "En kommunkod består av fyra siffror (SCB)",
    ),
    "Gender is 0, 1, 2 or 9 (ISO 5218)": ("Kjønn er 0, 1, 2 eller 9 (ISO 5218)", "Kön anges som 0, 1, 2 eller 9 (ISO 5218)"),
    # Pages
    "Sent bases": ("Sendte grunnlag", "Skickade underlag"),
    "Received bases": ("Mottatte grunnlag", "Mottagna underlag"),
    "Invoice match": ("Fakturaavstemming", "Fakturamatchning"),
    "Invoices matched to their bases": ("Fakturaer avstemt mot grunnlagene", "Fakturor matchade mot sina underlag"),
    "Basis id": ("Grunnlags-id", "Underlags-id"),
    "Type": ("Type", "Typ"),
    "Care region": ("Behandlende region", "Vårdgivande region"),
    "Basis": ("Grunnlag", "Underlag"),
    "Difference": ("Differanse", "Differens"),
    "check": ("kontroller", "kontrollera"),
    "Nothing received yet": ("Ingenting mottatt ennå", "Inget mottaget ännu"),
    "balanced": ("i balanse", "i balans"),
    "not balanced": ("ikke i balanse", "inte i balans"),
    "Invoice basis": ("Fakturagrunnlag", "Fakturaunderlag"),
    "credits": ("krediterer", "krediterar"),
    "Patient numbers and clinical codes are shown to billing officers only; this view is recorded in the audit log.": (
        "Pasientnumre og kliniske koder vises bare for fakturaansvarlige; visningen registreres i tilgangsloggen.",
        "Patientnummer och kliniska koder visas endast för faktureringshandläggare; visningen registreras i åtkomstloggen.",
    ),
    "Patient number": ("Personnummer", "Personnummer"),
    "Care contact": ("Behandlingskontakt", "Vårdkontakt"),
    # Column that shows "inpatient" or "outpatient"
    "Care": ("Behandlingsform", "Vårdform"),
    "Gross": ("Brutto", "Brutto"),
    "Net": ("Netto", "Netto"),
    "Credit of line": ("Kreditering av linje", "Kreditering av rad"),
    "inpatient": ("døgnbehandling", "sluten vård"),
    "outpatient": ("poliklinisk", "öppen vård"),
    "Dispute a line": ("Bestrid en linje", "Bestrid en rad"),
    "Reason code (1-9)": ("Årsakskode (1-9)", "Orsakskod (1-9)"),
    "Dispute": ("Bestrid", "Bestrid"),
    "Disputes": ("Innsigelser", "Tvister"),
    "Chain": ("Kjede", "Kedja"),
    "Received invoice bases": ("Mottatte fakturagrunnlag", "Mottagna fakturaunderlag"),
    "No bases received": ("Ingen grunnlag mottatt", "Inga underlag mottagna"),
    "Sent invoice bases": ("Sendte fakturagrunnlag", "Skickade fakturaunderlag"),
    "Month": ("Måned", "Månad"),
    "Answer / findings": ("Svar / funn", "Svar / anmärkningar"),
    "No bases yet. Build them with: kvitt interregion build --month YYYY-MM": (
        "Ingen grunnlag ennå. Lag dem med: kvitt interregion build --month YYYY-MM",
        "Inga underlag ännu. Skapa dem med: kvitt interregion build --month YYYY-MM",
    ),
    "Disputed lines": ("Bestridte linjer", "Bestridda rader"),
    "Credit / new basis": ("Kreditering / nytt grunnlag", "Kreditering / nytt underlag"),
    "Basis %(id)s is queued for delivery": ("Grunnlag %(id)s står i kø for sending", "Underlag %(id)s står i kö för sändning"),
    "Invoice %(n)s issued for %(id)s": ("Faktura %(n)s utstedt for %(id)s", "Faktura %(n)s utfärdad för %(id)s"),
    "The line is marked as disputed": ("Linjen er merket som bestridt", "Raden är markerad som bestridd"),
}

PLURALS = {
    ("%(n)s open dispute", "%(n)s open disputes"): (
        ("%(n)s åpen innsigelse", "%(n)s åpne innsigelser"),
        ("%(n)s öppen tvist", "%(n)s öppna tvister"),
    ),
    ("%(n)s attempt", "%(n)s attempts"): (
        ("%(n)s forsøk", "%(n)s forsøk"),
        ("%(n)s försök", "%(n)s försök"),
    ),
}

# Ready, but held back from T: tests/interregion/test_scenario.py (match="before billing them
# again") and tests/interregion/test_command_and_views.py ("no address configured" in the
# command output) read these messages in English while LANGUAGE_CODE is nb. Move them into T
# once those tests pin English (translation.override("en")).
HELD = {
    "Credit line(s) %(l)s before billing them again": (
        "Krediter linje(r) %(l)s før de faktureres på nytt",
        "Kreditera rad(er) %(l)s innan de faktureras igen",
    ),
    "no address configured for region %(r)s": (
        "ingen adresse satt opp for region %(r)s",
        "ingen adress konfigurerad för region %(r)s",
    ),
}


# The tests that read these in English now pin English, so they are translated like the rest.
T.update(HELD)
