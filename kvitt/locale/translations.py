"""nb and sv texts for Kvitt's msgids; `python kvitt/locale/translations.py` fills the .po files.

Kept as data so that `makemessages` can be re-run without losing work: run makemessages,
then this script, then compilemessages.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

T = {
    "Clinic company": ("Klinikkforetak", "Klinikföretag"),
    "Insurer": ("Forsikringsselskap", "Försäkringsbolag"),
    "Public payer": ("Offentlig betaler", "Offentlig betalare"),
    "Region": ("Region", "Region"),
    "Collection agency": ("Inkassoselskap", "Inkassobolag"),
    "Network operator": ("Nettverksoperatør", "Nätverksoperatör"),
    "Norway": ("Norge", "Norge"),
    "Sweden": ("Sverige", "Sverige"),
    "Clinic admin": ("Klinikkadministrator", "Klinikadministratör"),
    "Practitioner": ("Behandler", "Behandlare"),
    "Billing clerk": ("Fakturamedarbeider", "Faktureringshandläggare"),
    "Insurer case handler": ("Saksbehandler forsikring", "Skadehandläggare"),
    "Region billing officer": ("Fakturaansvarlig region", "Regionens faktureringshandläggare"),
    "Collection agent": ("Inkassomedarbeider", "Inkassohandläggare"),
    "Auditor": ("Revisor", "Granskare"),
    "When": ("Når", "När"),
    "Who": ("Hvem", "Vem"),
    "Organisation": ("Organisasjon", "Organisation"),
    "Role": ("Rolle", "Roll"),
    "Action": ("Handling", "Åtgärd"),
    "Object": ("Objekt", "Objekt"),
    "Data": ("Data", "Data"),
    "Reason": ("Begrunnelse", "Skäl"),
    "No entries": ("Ingen oppføringer", "Inga poster"),
    "Who has looked at a patient's data": ("Hvem har sett en pasients opplysninger", "Vem har tittat på en patients uppgifter"),
    "National identity number": ("Fødselsnummer / D-nummer", "Personnummer / samordningsnummer"),
    "Show": ("Vis", "Visa"),
    "Audit log": ("Tilgangslogg", "Åtkomstlogg"),
    "Access report for one patient": ("Innsynsrapport for én pasient", "Åtkomstrapport för en patient"),
    "Fødselsnummer": ("Fødselsnummer", "Norskt födelsenummer"),
    "D-number": ("D-nummer", "Norskt D-nummer"),
    "Personnummer": ("Svensk personnummer", "Personnummer"),
    "Samordningsnummer": ("Svensk samordningsnummer", "Samordningsnummer"),
    "Reservnummer": ("Svensk reservenummer", "Reservnummer"),
    "E-mail": ("E-post", "E-post"),
    "SMS": ("SMS", "SMS"),
    "Letter": ("Brev", "Brev"),
    "Phone callback": ("Telefon (vi ringer opp)", "Telefon (vi ringer upp)"),
    "Swedish home county (län) code": ("Svensk hjemlenskode", "Hemlänskod"),
    "Helfo": ("Helfo", "Helfo"),
    "Home region": ("Hjemregion", "Hemregion"),
    "Patient": ("Pasient", "Patient"),
    "Amount in øre/öre per route": ("Beløp i øre per rute", "Belopp i öre per väg"),
    "Insurer SakID": ("Forsikringens SakID", "Försäkringens SakID"),
    "Unknown route: %(r)s": ("Ukjent rute: %(r)s", "Okänd väg: %(r)s"),
    "Amount given for route %(r)s, which the event does not take": (
        "Beløp oppgitt for ruten %(r)s, som hendelsen ikke går",
        "Belopp angivet för vägen %(r)s, som händelsen inte går",
    ),
    "Amounts are whole øre (integers); got %(v)r for %(r)s": (
        "Beløp er hele øre (heltall); fikk %(v)r for %(r)s",
        "Belopp anges i hela öre (heltal); fick %(v)r för %(r)s",
    ),
    "At least one service or tariff code is required": ("Minst én tjeneste- eller takstkode må oppgis", "Minst en tjänste- eller taxekod krävs"),
    "Each diagnosis needs a code system and a code": ("Hver diagnose trenger kodeverk og kode", "Varje diagnos behöver kodverk och kod"),
    "The company belongs to another organisation": ("Foretaket tilhører en annen organisasjon", "Företaget tillhör en annan organisation"),
    "The location belongs to another company": ("Klinikken tilhører et annet foretak", "Mottagningen tillhör ett annat företag"),
    "The practitioner belongs to another company": ("Behandleren tilhører et annet foretak", "Behandlaren tillhör ett annat företag"),
    "The patient record belongs to another organisation": ("Pasienten er registrert hos en annen organisasjon", "Patienten är registrerad hos en annan organisation"),
    "Unknown field": ("Ukjent felt", "Okänt fält"),
    "Not found or not yours": ("Finnes ikke eller tilhører ikke deg", "Finns inte eller tillhör inte dig"),
    "The care event is voided and cannot be changed": ("Behandlingen er annullert og kan ikke endres", "Vårdhändelsen är makulerad och kan inte ändras"),
    "A correction needs a reason": ("En korrigering må ha en begrunnelse", "En rättelse behöver ett skäl"),
    "This field cannot be corrected": ("Dette feltet kan ikke korrigeres", "Detta fält kan inte rättas"),
    "Care event": ("Behandling", "Vårdhändelse"),
    "voided": ("annullert", "makulerad"),
    "Location": ("Klinikk", "Mottagning"),
    "Duration": ("Varighet", "Varaktighet"),
    "Service codes": ("Tjenestekoder", "Tjänstekoder"),
    "Diagnoses": ("Diagnoser", "Diagnoser"),
    "Routes and amounts": ("Ruter og beløp", "Vägar och belopp"),
    "History": ("Historikk", "Historik"),
    "Codes": ("Koder", "Koder"),
    "Amount": ("Beløp", "Belopp"),
    "Care events": ("Behandlinger", "Vårdhändelser"),
    "From": ("Fra", "Från"),
    "To": ("Til", "Till"),
    "Route": ("Rute", "Väg"),
    "all": ("alle", "alla"),
    "Filter": ("Filtrer", "Filtrera"),
    "Time": ("Tidspunkt", "Tidpunkt"),
    "Routes": ("Ruter", "Vägar"),
    "No care events": ("Ingen behandlinger", "Inga vårdhändelser"),
    "Name": ("Navn", "Namn"),
    "Professions": ("Yrker", "Yrken"),
    "HPR number": ("HPR-nummer", "HPR-nummer"),
    "Username": ("Brukernavn", "Användarnamn"),
    "Password": ("Passord", "Lösenord"),
    "Company": ("Foretak", "Företag"),
    "Valid from": ("Gyldig fra", "Giltig från"),
    "Valid to": ("Gyldig til", "Giltig till"),
    "%(value)s is not a valid Norwegian organisation number (9 digits, MOD11)": (
        "%(value)s er ikke et gyldig organisasjonsnummer (9 siffer, MOD11)",
        "%(value)s är inte ett giltigt norskt organisationsnummer (9 siffror, MOD11)",
    ),
    "%(value)s is not a valid Norwegian account number (11 digits, MOD11)": (
        "%(value)s er ikke et gyldig kontonummer (11 siffer, MOD11)",
        "%(value)s är inte ett giltigt norskt kontonummer (11 siffror, MOD11)",
    ),
    "Physiotherapist": ("Fysioterapeut", "Fysioterapeut"),
    "Manual therapist": ("Manuellterapeut", "Manuell terapeut"),
    "Psychologist": ("Psykolog", "Psykolog"),
    "Chiropractor": ("Kiropraktor", "Kiropraktor"),
    "General practitioner": ("Fastlege", "Allmänläkare"),
    "Physician": ("Lege", "Läkare"),
    "Nurse": ("Sykepleier", "Sjuksköterska"),
    "Acupuncturist": ("Akupunktør", "Akupunktör"),
    "Masseur": ("Massør", "Massör"),
    "Naprapath": ("Naprapat", "Naprapat"),
    "Osteopath": ("Osteopat", "Osteopat"),
    "Exempt (merverdiavgiftsloven § 3-2)": ("Unntatt (merverdiavgiftsloven § 3-2)", "Undantagen (norska mervärdesskattelagen § 3-2)"),
    "Outside the scope of VAT": ("Utenfor merverdiavgiftsloven", "Utanför mervärdesskattens tillämpningsområde"),
    "Registered in Foretaksregisteret (AS/ASA/NUF)": ("Registrert i Foretaksregisteret (AS/ASA/NUF)", "Registrerat i Foretaksregisteret (AS/ASA/NUF)"),
    "Where invoice notifications go": ("Adresse for fakturavarsler", "Adress för fakturaaviseringar"),
    "A KID has 2 to 25 digits": ("En KID har 2 til 25 siffer", "Ett KID har 2 till 25 siffror"),
    "Unknown profession: %(p)s": ("Ukjent yrke: %(p)s", "Okänt yrke: %(p)s"),
    "At least one profession is required": ("Minst ett yrke må oppgis", "Minst ett yrke krävs"),
    "An HPR number is required for authorised professions": ("Autoriserte yrker må ha HPR-nummer", "Legitimerade yrken måste ha HPR-nummer"),
    "%(v)s is not a valid HPR number": ("%(v)s er ikke et gyldig HPR-nummer", "%(v)s är inte ett giltigt HPR-nummer"),
    "Sent": ("Sendt", "Skickad"),
    "Accepted": ("Akseptert", "Accepterad"),
    "Revoked": ("Trukket tilbake", "Återkallad"),
    "e.g. 0192:123456785": ("f.eks. 0192:123456785", "t.ex. 0192:123456785"),
    "The approval cannot end before it starts": ("Godkjenningen kan ikke slutte før den begynner", "Godkännandet kan inte sluta innan det börjar"),
    "Län code of the region, e.g. 01 Stockholm": ("Regionens lenskode, f.eks. 01 Stockholm", "Regionens länskod, t.ex. 01 Stockholm"),
    "Only the company's clinic admin may change it": ("Bare foretakets klinikkadministrator kan endre dette", "Endast företagets klinikadministratör får ändra detta"),
    "This field cannot be changed here": ("Dette feltet kan ikke endres her", "Detta fält kan inte ändras här"),
    "%(email)s already has an open invitation to this location": (
        "%(email)s har allerede en åpen invitasjon til denne klinikken",
        "%(email)s har redan en öppen inbjudan till denna mottagning",
    ),
    "Invitation to %(location)s on Kvitt": ("Invitasjon til %(location)s i Kvitt", "Inbjudan till %(location)s i Kvitt"),
    "Hello %(name)s,\n\n%(company)s invites you to work at %(location)s through Kvitt.\nAccept the invitation and choose your password here:\n%(url)s\n": (
        "Hei %(name)s,\n\n%(company)s inviterer deg til å jobbe ved %(location)s gjennom Kvitt.\nTakk ja og velg passord her:\n%(url)s\n",
        "Hej %(name)s,\n\n%(company)s bjuder in dig att arbeta vid %(location)s via Kvitt.\nTacka ja och välj lösenord här:\n%(url)s\n",
    ),
    "This invitation is not valid any more": ("Denne invitasjonen er ikke lenger gyldig", "Inbjudan är inte längre giltig"),
    "That username is taken": ("Brukernavnet er opptatt", "Användarnamnet är upptaget"),
    "Only a payer's case handler may approve partners": ("Bare en betalers saksbehandler kan godkjenne partnere", "Endast en betalares handläggare får godkänna partner"),
    "The approval belongs to another payer": ("Godkjenningen tilhører en annen betaler", "Godkännandet tillhör en annan betalare"),
    "Join %(location)s": ("Bli med i %(location)s", "Gå med i %(location)s"),
    "Accept invitation": ("Takk ja", "Tacka ja"),
    "Partner approvals": ("Partnergodkjenninger", "Partnergodkännanden"),
    "Partner": ("Partner", "Partner"),
    "Revoke": ("Trekk tilbake", "Återkalla"),
    "None": ("Ingen", "Inga"),
    "Approve a company": ("Godkjenn et foretak", "Godkänn ett företag"),
    "Approve": ("Godkjenn", "Godkänn"),
    "Org. number": ("Org.nr.", "Org.nr"),
    "VAT": ("MVA", "Moms"),
    "Invoice notifications": ("Fakturavarsler", "Fakturaaviseringar"),
    "Account": ("Konto", "Konto"),
    "Locations and approvals": ("Klinikker og godkjenninger", "Mottagningar och godkännanden"),
    "Visible to insurers": ("Synlig for forsikringsselskaper", "Synlig för försäkringsbolag"),
    "Approvals": ("Godkjenninger", "Godkännanden"),
    "Visible": ("Synlig", "Synlig"),
    "Not visible": ("Ikke synlig", "Inte synlig"),
    "approved": ("godkjent", "godkänd"),
    "revoked": ("trukket tilbake", "återkallad"),
    "not active": ("ikke aktiv", "inte aktiv"),
    "Invite a practitioner to": ("Inviter en behandler til", "Bjud in en behandlare till"),
    "Send invitation": ("Send invitasjon", "Skicka inbjudan"),
    "Approval status": ("Godkjenningsstatus", "Godkännandestatus"),
    "Visible to insurers and patients": ("Synlig for forsikringsselskaper og pasienter", "Synlig för försäkringsbolag och patienter"),
    "Not visible: no partner approves this location today": (
        "Ikke synlig: ingen partner godkjenner klinikken i dag",
        "Inte synlig: ingen partner godkänner mottagningen i dag",
    ),
    "Status": ("Status", "Status"),
    "Approved": ("Godkjent", "Godkänd"),
    "Not active": ("Ikke aktiv", "Inte aktiv"),
    "No partner has approved this location yet": ("Ingen partner har godkjent klinikken ennå", "Ingen partner har godkänt mottagningen ännu"),
    "Practitioners": ("Behandlere", "Behandlare"),
    "None yet": ("Ingen ennå", "Inga ännu"),
    "Invitations": ("Invitasjoner", "Inbjudningar"),
    "Invite a practitioner": ("Inviter en behandler", "Bjud in en behandlare"),
    "Network": ("Nettverk", "Nätverk"),
    "Companies": ("Foretak", "Företag"),
    "Locations": ("Klinikker", "Mottagningar"),
    "City": ("Sted", "Ort"),
    "Invitation sent to %(email)s": ("Invitasjon sendt til %(email)s", "Inbjudan skickad till %(email)s"),
    "Approval registered": ("Godkjenning registrert", "Godkännande registrerat"),
    "Approval revoked": ("Godkjenning trukket tilbake", "Godkännande återkallat"),
    "Welcome! You can log in now.": ("Velkommen! Du kan logge inn nå.", "Välkommen! Du kan logga in nu."),
    "Norwegian Bokmål": ("Norsk bokmål", "Norska (bokmål)"),
    "Swedish": ("Svensk", "Svenska"),
    "English": ("Engelsk", "Engelska"),
    "%(n)s visible to insurers": ("%(n)s synlige for forsikringsselskaper", "%(n)s synliga för försäkringsbolag"),
    "Care events this month": ("Behandlinger denne måneden", "Vårdhändelser denna månad"),
    "Open invitations": ("Åpne invitasjoner", "Öppna inbjudningar"),
    "Route %(route)s this month": ("Rute %(route)s denne måneden", "Väg %(route)s denna månad"),
    "Active approvals": ("Aktive godkjenninger", "Aktiva godkännanden"),
    "Approved companies": ("Godkjente foretak", "Godkända företag"),
    "Visible locations in the network": ("Synlige klinikker i nettverket", "Synliga mottagningar i nätverket"),
    "Reads of patient data, last 24 h": ("Oppslag i pasientdata, siste døgn", "Läsningar av patientdata, senaste dygnet"),
    "Changes of patient data, last 24 h": ("Endringer i pasientdata, siste døgn", "Ändringar av patientdata, senaste dygnet"),
    "Payers": ("Betalere", "Betalare"),
    "Collection workspace": ("Inkassoarbeidsflate", "Inkassoarbetsyta"),
    "Open claims, agreements and contact log": ("Åpne krav, avtaler og kontaktlogg", "Öppna krav, avtal och kontaktlogg"),
    "Dashboard": ("Oversikt", "Översikt"),
    "Acting as": ("Opptrer som", "Agerar som"),
    "Log out": ("Logg ut", "Logga ut"),
    "Language": ("Språk", "Språk"),
    "Too many failed log-in attempts": ("For mange mislykkede innloggingsforsøk", "För många misslyckade inloggningsförsök"),
    "This account is locked for a while. Try again later or ask your administrator.": (
        "Kontoen er låst en stund. Prøv igjen senere eller spør administratoren.",
        "Kontot är låst en stund. Försök igen senare eller fråga din administratör.",
    ),
    "Log in": ("Logg inn", "Logga in"),
    # receivables: what patients read
    "Frikort covers the patient share for treatment, not medical materials.": (
        "Frikort dekker egenandelen for behandling, ikke medisinsk forbruksmateriell.",
        "Frikort täcker patientavgiften för behandling, inte medicinskt material.",
    ),
    "Copies of records sent by post cost money.": ("Kopi av journal sendt i posten koster penger.", "Kopior av journalen som skickas per post kostar pengar."),
    "If you pay at the terminal before the treatment is registered, it may show zero: pay this invoice instead.": (
        "Betaler du i terminalen før behandlingen er registrert, kan den vise null: betal heller denne fakturaen.",
        "Betalar du i terminalen innan behandlingen registrerats kan den visa noll: betala hellre denna faktura.",
    ),
    "Lab work and the consultation may be billed separately; both belong to this invoice.": (
        "Laboratorieprøver og konsultasjon kan komme hver for seg; begge hører til denne fakturaen.",
        "Provtagning och besök kan komma var för sig; båda hör till denna faktura.",
    ),
    "Reminder: invoice %(number)s": ("Purring: faktura %(number)s", "Påminnelse: faktura %(number)s"),
    "Debt collection notice: invoice %(number)s": ("Inkassovarsel: faktura %(number)s", "Inkassokrav: faktura %(number)s"),
    "Invoice %(number)s handed over to debt collection": ("Faktura %(number)s er sendt til inkasso", "Faktura %(number)s har lämnats till inkasso"),
    "Invoice %(number)s of %(date)s, due %(due)s, is not paid.": (
        "Faktura %(number)s av %(date)s med forfall %(due)s er ikke betalt.",
        "Faktura %(number)s daterad %(date)s med förfallodag %(due)s är inte betald.",
    ),
    "Fee for this letter: %(fee)s.": ("Gebyr for dette brevet: %(fee)s.", "Avgift för detta brev: %(fee)s."),
    "Late interest to date: %(interest)s.": ("Forsinkelsesrente hittil: %(interest)s.", "Dröjsmålsränta hittills: %(interest)s."),
    "Amount to pay: %(open)s.": ("Å betale: %(open)s.", "Att betala: %(open)s."),
    "Pay by %(day)s to account %(account)s with reference %(ref)s.": (
        "Betal innen %(day)s til konto %(account)s med KID %(ref)s.",
        "Betala senast %(day)s till bankgiro %(account)s med OCR-nummer %(ref)s.",
    ),
    "If the amount is not paid by then, the claim will be sent to debt collection, which adds costs.": (
        "Betales ikke beløpet innen fristen, sendes kravet til inkasso, og det påløper flere kostnader.",
        "Betalas inte beloppet i tid lämnas fordran till inkasso, vilket medför ytterligare kostnader.",
    ),
    "The claim has been handed over to our collection service, which will contact you.": (
        "Kravet er overlevert til vår inkassotjeneste, som vil kontakte deg.",
        "Fordran har lämnats till vår inkassotjänst, som kommer att kontakta dig.",
    ),
    "If you disagree with the invoice, tell us before the deadline: a disputed claim is not sent to collection.": (
        "Er du uenig i fakturaen, si fra før fristen: et omtvistet krav sendes ikke til inkasso.",
        "Om du inte håller med om fakturan, hör av dig före förfallodagen: en bestridd fordran lämnas inte till inkasso.",
    ),
    "Total: %(total)s": ("Sum: %(total)s", "Summa: %(total)s"),
    "Due date: %(due)s": ("Forfallsdato: %(due)s", "Förfallodag: %(due)s"),
    "Account: %(account)s, reference: %(ref)s": ("Konto: %(account)s, KID: %(ref)s", "Bankgiro: %(account)s, OCR-nummer: %(ref)s"),
    "Invoice %(number)s from %(creditor)s": ("Faktura %(number)s fra %(creditor)s", "Faktura %(number)s från %(creditor)s"),
    "Patient share for your appointment on %(day)s": ("Egenandel for timen din %(day)s", "Patientavgift för ditt besök %(day)s"),
    "Appointment on %(day)s": ("Time %(day)s", "Besök %(day)s"),
    "Thank you. We have received your message.": ("Takk. Vi har mottatt meldingen din.", "Tack. Vi har tagit emot ditt meddelande."),
    "Invoice": ("Faktura", "Faktura"),
    "To pay": ("Å betale", "Att betala"),
    "not due": ("ikke forfalt", "ej förfallen"),
    "due": ("forfall", "förfallodag"),
    "reference": ("KID", "OCR-nummer"),
    "Questions and requests": ("Spørsmål og ønsker", "Frågor och önskemål"),
    "What is it about?": ("Hva gjelder det?", "Vad gäller det?"),
    "Ask for a deferral or an instalment plan": ("Be om utsettelse eller avdragsordning", "Be om anstånd eller avbetalningsplan"),
    "A question about payment": ("Et spørsmål om betaling", "En fråga om betalning"),
    "A question about what was treated (goes to the clinic)": ("Et spørsmål om behandlingen (går til klinikken)", "En fråga om behandlingen (går till mottagningen)"),
    "I disagree with the invoice": ("Jeg er uenig i fakturaen", "Jag bestrider fakturan"),
    "Message": ("Melding", "Meddelande"),
    "Send": ("Send", "Skicka"),
    "Contact me by": ("Kontakt meg på", "Kontakta mig via"),
    "Save": ("Lagre", "Spara"),
    "Patient invoices": ("Pasientfakturaer", "Patientfakturor"),
    "Open": ("Åpen", "Öppen"),
    "In dunning": ("Under purring", "Under påminnelse"),
    "In collection": ("Til inkasso", "Hos inkasso"),
    "On plans": ("Avdragsordninger", "Avbetalningsplaner"),
    "Disputed": ("Omtvistet", "Bestridd"),
    "Aging": ("Aldersfordeling", "Åldersanalys"),
    "Days past due": ("Dager etter forfall", "Dagar efter förfallodag"),
    "Invoices": ("Fakturaer", "Fakturor"),
    "Issued": ("Utstedt", "Utfärdad"),
    "Due": ("Forfall", "Förfallodag"),
    "Dunning": ("Purring", "Påminnelser"),
    "Invoice uninvoiced patient shares": ("Fakturer egenandeler som ikke er fakturert", "Fakturera ej fakturerade patientavgifter"),
    "Debtor": ("Skyldner", "Gäldenär"),
    "Creditor": ("Kreditor", "Borgenär"),
    "Claim": ("Krav", "Fordran"),
    "No claims": ("Ingen krav", "Inga fordringar"),
    "Principal": ("Hovedstol", "Kapitalbelopp"),
    "Movements": ("Bevegelser", "Transaktioner"),
    "Letters": ("Brev", "Brev"),
    "Agreements": ("Avtaler", "Överenskommelser"),
    "Contact log": ("Kontaktlogg", "Kontaktlogg"),
    "Payment deferral": ("Betalingsutsettelse", "Anstånd"),
    "Instalment plan": ("Avdragsordning", "Avbetalningsplan"),
    "Open claims, agreements and contact log": ("Åpne krav, avtaler og kontaktlogg", "Öppna krav, avtal och kontaktlogg"),

    "Your user does not belong to any organisation yet. Ask your administrator.": (
        "Brukeren din hører ikke til noen organisasjon ennå. Spør administratoren.",
        "Din användare tillhör ingen organisation ännu. Fråga din administratör.",
    ),
}

LANGS = {"nb": 0, "sv": 1}
ENTRY = re.compile(r'(?P<pre>(?:#[^\n]*\n)*)msgid (?P<id>"(?:[^"\\]|\\.)*"(?:\nmsgid_plural[^\n]*)?(?:\n"(?:[^"\\]|\\.)*")*)\nmsgstr (?P<str>"(?:[^"\\]|\\.)*"(?:\n"(?:[^"\\]|\\.)*")*)', re.M)


def _unquote(block: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
    joined = "".join(parts)
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), joined)


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    lines = escaped.split("\n")
    if len(lines) == 1:
        return f'"{escaped}"'
    chunks = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    return '""\n' + "\n".join(f'"{c}"' for c in chunks)


def fill(po_path: Path, index: int) -> int:
    text = po_path.read_text(encoding="utf-8")
    filled = 0

    def replace(match: re.Match) -> str:
        nonlocal filled
        msgid = _unquote(match.group("id"))
        if not msgid or msgid not in T or _unquote(match.group("str")):
            return match.group(0)
        filled += 1
        pre = match.group("pre").replace("#, fuzzy\n", "")
        return f"{pre}msgid {match.group('id')}\nmsgstr {_quote(T[msgid][index])}"

    po_path.write_text(ENTRY.sub(replace, text), encoding="utf-8")
    return filled


def app_texts(kvitt_dir: Path) -> dict:
    """Apps may keep their own texts in ``kvitt/<app>/locale_texts.py`` or ``kvitt/locale/texts/<app>.py``
    (a dict ``T`` of the same shape)."""
    import importlib.util

    merged = {}
    for path in [*sorted(kvitt_dir.glob("*/locale_texts.py")), *sorted((kvitt_dir / "locale" / "texts").glob("*.py"))]:
        spec = importlib.util.spec_from_file_location(f"_texts_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        merged.update(module.T)
    return merged


if __name__ == "__main__":
    root = Path(__file__).resolve().parent
    for msgid, texts in app_texts(root.parent).items():
        T.setdefault(msgid, texts)
    for lang, index in LANGS.items():
        po = root / lang / "LC_MESSAGES" / "django.po"
        print(f"{lang}: filled {fill(po, index)}", file=sys.stderr)
