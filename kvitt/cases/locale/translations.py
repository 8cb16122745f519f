"""nb and sv texts for the cases and booking apps; fills their .po files.

Run makemessages in kvitt/cases and kvitt/booking, then ``python kvitt/cases/locale/translations.py``,
then compilemessages. Kept as data so that makemessages can be re-run without losing work.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

T: dict[str, tuple] = {
    # forms and models
    "At most two decimals (øre)": ("Høyst to desimaler (øre)", "Högst två decimaler (öre)"),
    "Fødselsnummer / D-number": ("Fødselsnummer / D-nummer", "Norskt födelsenummer / D-nummer"),
    "Name": ("Navn", "Namn"),
    "E-mail": ("E-post", "E-post"),
    "Phone": ("Telefon", "Telefon"),
    "Professions": ("Yrker", "Yrken"),
    "Service codes (comma separated, empty = any)": ("Takstkoder (kommaseparert, tom = alle)", "Åtgärdskoder (kommaseparerade, tomt = alla)"),
    "Maximum treatments": ("Maks antall behandlinger", "Högsta antal behandlingar"),
    "Maximum amount (NOK)": ("Maks beløp (NOK)", "Högsta belopp (NOK)"),
    "Valid from": ("Gyldig fra", "Giltig från"),
    "Valid to": ("Gyldig til", "Giltig till"),
    "Referral required": ("Krever henvisning", "Remiss krävs"),
    "Reason for treatment": ("Årsak til behandling", "Orsak till behandling"),
    "Notes for the clinic": ("Merknader til klinikken", "Anteckningar till kliniken"),
    "Not an amount": ("Ikke et beløp", "Inte ett belopp"),
    "The coverage cannot end before it starts": ("Dekningen kan ikke slutte før den begynner", "Täckningen kan inte sluta innan den börjar"),
    "Open": ("Åpen", "Öppen"),
    "Booked": ("Booket", "Bokad"),
    "In treatment": ("Under behandling", "Under behandling"),
    "Completed": ("Fullført", "Avslutad"),
    "Closed": ("Lukket", "Stängd"),
    "Cancelled": ("Avbestilt", "Avbokad"),
    "assignment state\x04Cancelled": ("Avbrutt", "Avbrutet"),
    "Set when the insurer assigns a clinic or a booking is made": (
        "Settes når forsikringen velger klinikk eller det bookes", "Sätts när försäkringen väljer klinik eller en bokning görs"),
    "Professions that may treat under this assignment": ("Yrker som kan behandle under oppdraget", "Yrken som får behandla inom uppdraget"),
    "Allowed service codes; empty means any": ("Tillatte takstkoder; tom betyr alle", "Tillåtna åtgärdskoder; tomt betyder alla"),
    "Maximum amount in øre": ("Maks beløp i øre", "Högsta belopp i öre"),
    "Name at least one profession": ("Oppgi minst ett yrke", "Ange minst ett yrke"),
    "At least one treatment must be covered": ("Minst én behandling må dekkes", "Minst en behandling måste täckas"),
    "Reserved by a booking": ("Reservert av en booking", "Reserverad av en bokning"),
    "Reservation released": ("Reservasjon frigitt", "Reservation släppt"),
    "Consumed by an approved invoice line": ("Brukt av en godkjent fakturalinje", "Förbrukad av en godkänd fakturarad"),
    "Consumption reversed (credit note)": ("Forbruk tilbakeført (kreditnota)", "Förbrukning återförd (kreditnota)"),
    "øre": ("øre", "öre"),
    # e-mail to clinic and patient
    "New treatment assignment %(sakid)s from %(payer)s": ("Nytt behandlingsoppdrag %(sakid)s fra %(payer)s", "Nytt behandlingsuppdrag %(sakid)s från %(payer)s"),
    "%(payer)s has given %(company)s a treatment assignment.\n\nSakID: %(sakid)s\nCovered: %(n)d treatments, %(from)s to %(to)s.\nSee the assignment in Kvitt.\n": (
        "%(payer)s har gitt %(company)s et behandlingsoppdrag.\n\nSakID: %(sakid)s\nDekket: %(n)d behandlinger, %(from)s til %(to)s.\nSe oppdraget i Kvitt.\n",
        "%(payer)s har gett %(company)s ett behandlingsuppdrag.\n\nSakID: %(sakid)s\nTäckt: %(n)d behandlingar, %(from)s till %(to)s.\nSe uppdraget i Kvitt.\n"),
    "Your treatment is covered – SakID %(sakid)s": ("Behandlingen din er dekket – SakID %(sakid)s", "Din behandling är täckt – SakID %(sakid)s"),
    "%(payer)s covers your treatment under SakID %(sakid)s.\nYour coverage confirmation: %(url)s\n": (
        "%(payer)s dekker behandlingen din under SakID %(sakid)s.\nDekningsbekreftelsen din: %(url)s\n",
        "%(payer)s täcker din behandling under SakID %(sakid)s.\nDin täckningsbekräftelse: %(url)s\n"),
    # errors
    "No such assignment, or not yours": ("Oppdraget finnes ikke, eller er ikke ditt", "Uppdraget finns inte, eller är inte ditt"),
    "Only an insurer's case handler may do this": ("Bare forsikringens saksbehandler kan gjøre dette", "Bara försäkringens handläggare får göra detta"),
    "Your organisation is not registered as a payer": ("Organisasjonen din er ikke registrert som betaler", "Din organisation är inte registrerad som betalare"),
    "The assignment belongs to another payer": ("Oppdraget tilhører en annen betaler", "Uppdraget tillhör en annan betalare"),
    "Only the assignment's payer may change its coverage usage": ("Bare oppdragets betaler kan endre forbruket", "Bara uppdragets betalare får ändra förbrukningen"),
    "Not a valid fødselsnummer or D-number: %(e)s": ("Ikke et gyldig fødselsnummer eller D-nummer: %(e)s", "Inte ett giltigt norskt födelsenummer eller D-nummer: %(e)s"),
    "The patient is registered by another organisation": ("Pasienten er registrert av en annen organisasjon", "Patienten är registrerad av en annan organisation"),
    "The amount must be whole øre": ("Beløpet må være hele øre", "Beloppet måste vara hela öre"),
    "Unknown profession: %(p)s": ("Ukjent yrke: %(p)s", "Okänt yrke: %(p)s"),
    "An assignment cannot go from %(a)s to %(b)s": ("Et oppdrag kan ikke gå fra %(a)s til %(b)s", "Ett uppdrag kan inte gå från %(a)s till %(b)s"),
    "The assignment is already with another clinic": ("Oppdraget ligger allerede hos en annen klinikk", "Uppdraget ligger redan hos en annan klinik"),
    "Assignment %(s)s is %(state)s": ("Oppdrag %(s)s er %(state)s", "Uppdrag %(s)s är %(state)s"),
    "Assignment %(s)s has %(n)d treatments left": ("Oppdrag %(s)s har %(n)d behandlinger igjen", "Uppdrag %(s)s har %(n)d behandlingar kvar"),
    "Assignment %(s)s does not cover that amount": ("Oppdrag %(s)s dekker ikke det beløpet", "Uppdrag %(s)s täcker inte det beloppet"),
    "Count and amount must be non-negative whole numbers (øre)": ("Antall og beløp må være hele tall, ikke negative (øre)", "Antal och belopp måste vara icke-negativa heltal (öre)"),
    "Assignment %(s)s covers %(a)s to %(b)s, not %(d)s": ("Oppdrag %(s)s dekker %(a)s til %(b)s, ikke %(d)s", "Uppdrag %(s)s täcker %(a)s till %(b)s, inte %(d)s"),
    "Assignment %(s)s does not cover service code %(c)s": ("Oppdrag %(s)s dekker ikke takstkode %(c)s", "Uppdrag %(s)s täcker inte åtgärdskod %(c)s"),
    "Assignment %(s)s has %(n)s øre left": ("Oppdrag %(s)s har %(n)s øre igjen", "Uppdrag %(s)s har %(n)s öre kvar"),
    "Nothing was consumed under %(r)s": ("Ingenting ble brukt under %(r)s", "Inget förbrukades under %(r)s"),
    "This link is not valid": ("Lenken er ikke gyldig", "Länken är inte giltig"),
    "This link has expired": ("Lenken er utløpt", "Länken har gått ut"),
    # confirmation and pages
    "Coverage confirmation": ("Dekningsbekreftelse", "Täckningsbekräftelse"),
    "SakID": ("SakID", "SakID"),
    "Insurer": ("Forsikringsselskap", "Försäkringsbolag"),
    "Insured": ("Forsikret", "Försäkrad"),
    "Status": ("Status", "Status"),
    "Valid": ("Gyldig", "Giltig"),
    "Service codes": ("Takstkoder", "Åtgärdskoder"),
    "Any": ("Alle", "Alla"),
    "Treatments covered": ("Behandlinger dekket", "Behandlingar som täcks"),
    "%(n)s left": ("%(n)s igjen", "%(n)s kvar"),
    "Maximum amount": ("Maks beløp", "Högsta belopp"),
    "%(a)s left": ("%(a)s igjen", "%(a)s kvar"),
    "Yes": ("Ja", "Ja"),
    "No": ("Nei", "Nej"),
    "Clinic": ("Klinikk", "Klinik"),
    "Appointments": ("Timer", "Tider"),
    "Issued through Kvitt %(at)s. Show the SakID to the clinic.": (
        "Utstedt gjennom Kvitt %(at)s. Vis SakID til klinikken.", "Utfärdad genom Kvitt %(at)s. Visa SakID för kliniken."),
    "Assignment": ("Oppdrag", "Uppdrag"),
    "Coverage": ("Dekning", "Täckning"),
    "Treatments": ("Behandlinger", "Behandlingar"),
    "%(max)s covered: %(reserved)s booked, %(used)s invoiced, %(left)s left": (
        "%(max)s dekket: %(reserved)s booket, %(used)s fakturert, %(left)s igjen",
        "%(max)s täckta: %(reserved)s bokade, %(used)s fakturerade, %(left)s kvar"),
    "Amount": ("Beløp", "Belopp"),
    "%(left)s left": ("%(left)s igjen", "%(left)s kvar"),
    "Bookings": ("Bookinger", "Bokningar"),
    "Move": ("Flytt", "Flytta"),
    "Cancel": ("Avbestill", "Avboka"),
    "No bookings yet.": ("Ingen bookinger ennå.", "Inga bokningar än."),
    "History": ("Historikk", "Historik"),
    "New status": ("Ny status", "Ny status"),
    "Reason": ("Begrunnelse", "Skäl"),
    "Change status": ("Endre status", "Ändra status"),
    "Find a clinic and book": ("Finn klinikk og book", "Hitta klinik och boka"),
    "Postcode": ("Postnummer", "Postnummer"),
    "Radius (km)": ("Radius (km)", "Radie (km)"),
    "Profession": ("Yrke", "Yrke"),
    "Competence": ("Kompetanse", "Kompetens"),
    "Sort by": ("Sorter etter", "Sortera efter"),
    "Distance": ("Avstand", "Avstånd"),
    "Earliest free time": ("Første ledige time", "Första lediga tid"),
    "Search": ("Søk", "Sök"),
    "Assignments": ("Oppdrag", "Uppdrag"),
    "Treatment assignments": ("Behandlingsoppdrag", "Behandlingsuppdrag"),
    "Open an assignment": ("Opprett oppdrag", "Skapa uppdrag"),
    "SakID or fødselsnummer": ("SakID eller fødselsnummer", "SakID eller födelsenummer"),
    "Find": ("Finn", "Hitta"),
    "Opened": ("Opprettet", "Skapad"),
    "No assignments.": ("Ingen oppdrag.", "Inga uppdrag."),
    "Open a treatment assignment": ("Opprett behandlingsoppdrag", "Skapa behandlingsuppdrag"),
    "The insured": ("Den forsikrede", "Den försäkrade"),
    "Open assignment": ("Opprett oppdrag", "Skapa uppdrag"),
    "Download PDF": ("Last ned PDF", "Ladda ner PDF"),
    "Back to the assignment": ("Tilbake til oppdraget", "Tillbaka till uppdraget"),
    "The patient's link": ("Pasientens lenke", "Patientens länk"),
    "You are not a member of any organisation": ("Du er ikke medlem av noen organisasjon", "Du är inte medlem i någon organisation"),
    "Not allowed": ("Ikke tillatt", "Inte tillåtet"),
    "Assignment %(sakid)s opened": ("Oppdrag %(sakid)s opprettet", "Uppdrag %(sakid)s skapat"),
    # booking models
    "Not yet tested": ("Ikke testet ennå", "Inte testad än"),
    "Active": ("Aktiv", "Aktiv"),
    "Connection failing": ("Tilkoblingen feiler", "Anslutningen fungerar inte"),
    "Disabled": ("Deaktivert", "Avstängd"),
    "Which connector talks to the journal system": ("Hvilken kobling som snakker med journalsystemet", "Vilken koppling som talar med journalsystemet"),
    "The journal system's Kvitt endpoint, from the vendor": ("Journalsystemets Kvitt-adresse, fra leverandøren", "Journalsystemets Kvitt-adress, från leverantören"),
    "The vendor's API key, encrypted": ("Leverandørens API-nøkkel, kryptert", "Leverantörens API-nyckel, krypterad"),
    "HMAC-SHA256 key for X-Kvitt-Signature, encrypted": ("HMAC-SHA256-nøkkel for X-Kvitt-Signature, kryptert", "HMAC-SHA256-nyckel för X-Kvitt-Signature, krypterad"),
    "Free": ("Ledig", "Ledig"),
    "Blocked": ("Sperret", "Spärrad"),
    "Sent to the clinic's journal system": ("Sendt til klinikkens journalsystem", "Skickad till klinikens journalsystem"),
    "Confirmed by the clinic": ("Bekreftet av klinikken", "Bekräftad av kliniken"),
    "Refused by the clinic": ("Avvist av klinikken", "Avvisad av kliniken"),
    "Could not be delivered": ("Kunne ikke leveres", "Kunde inte levereras"),
    "The journal system's appointment id": ("Journalsystemets time-id", "Journalsystemets tids-id"),
    "Waiting to be sent": ("Venter på sending", "Väntar på att skickas"),
    "Being sent": ("Sendes", "Skickas"),
    "Delivered": ("Levert", "Levererad"),
    "Gave up": ("Gitt opp", "Gav upp"),
    # booking e-mails
    "New booking %(sakid)s: %(when)s": ("Ny booking %(sakid)s: %(when)s", "Ny bokning %(sakid)s: %(when)s"),
    "%(payer)s booked %(when)s with %(practitioner)s at %(location)s under SakID %(sakid)s.\n": (
        "%(payer)s har booket %(when)s hos %(practitioner)s på %(location)s under SakID %(sakid)s.\n",
        "%(payer)s har bokat %(when)s hos %(practitioner)s på %(location)s under SakID %(sakid)s.\n"),
    "Your appointment %(when)s": ("Timen din %(when)s", "Din tid %(when)s"),
    "You have an appointment %(when)s at %(location)s, %(street)s, %(city)s.\nBring your SakID: %(sakid)s\n": (
        "Du har time %(when)s på %(location)s, %(street)s, %(city)s.\nTa med SakID: %(sakid)s\n",
        "Du har en tid %(when)s på %(location)s, %(street)s, %(city)s.\nTa med ditt SakID: %(sakid)s\n"),
    "Booking cancelled %(sakid)s: %(when)s": ("Booking avbestilt %(sakid)s: %(when)s", "Bokning avbokad %(sakid)s: %(when)s"),
    "The booking %(when)s with %(practitioner)s under SakID %(sakid)s is cancelled. %(reason)s\n": (
        "Bookingen %(when)s hos %(practitioner)s under SakID %(sakid)s er avbestilt. %(reason)s\n",
        "Bokningen %(when)s hos %(practitioner)s under SakID %(sakid)s är avbokad. %(reason)s\n"),
    "Your appointment %(when)s is cancelled": ("Timen din %(when)s er avbestilt", "Din tid %(when)s är avbokad"),
    "Your appointment %(when)s at %(location)s is cancelled.\n": ("Timen din %(when)s på %(location)s er avbestilt.\n", "Din tid %(when)s på %(location)s är avbokad.\n"),
    "Booking not confirmed %(sakid)s": ("Booking ikke bekreftet %(sakid)s", "Bokning inte bekräftad %(sakid)s"),
    "The clinic's journal system did not take the booking %(when)s under SakID %(sakid)s: %(reason)s\nBook another time.\n": (
        "Klinikkens journalsystem tok ikke imot bookingen %(when)s under SakID %(sakid)s: %(reason)s\nBook en annen time.\n",
        "Klinikens journalsystem tog inte emot bokningen %(when)s under SakID %(sakid)s: %(reason)s\nBoka en annan tid.\n"),
    # search and booking errors
    "Coordinates out of range": ("Koordinatene er utenfor gyldig område", "Koordinaterna ligger utanför giltigt område"),
    "Give coordinates or a postcode": ("Oppgi koordinater eller postnummer", "Ange koordinater eller postnummer"),
    "Only a payer searches its network": ("Bare en betaler søker i nettverket sitt", "Bara en betalare söker i sitt nätverk"),
    "Sort by distance or availability": ("Sorter etter avstand eller ledig tid", "Sortera efter avstånd eller ledig tid"),
    "Only the clinic's admin may set up its journal system": ("Bare klinikkens administrator kan sette opp journalsystemet", "Bara klinikens administratör får konfigurera journalsystemet"),
    "Unknown booking system %(s)s": ("Ukjent bookingsystem %(s)s", "Okänt bokningssystem %(s)s"),
    "This integration belongs to another company": ("Integrasjonen tilhører et annet foretak", "Integrationen tillhör ett annat företag"),
    "Assignment %(s)s does not cover %(d)s": ("Oppdrag %(s)s dekker ikke %(d)s", "Uppdrag %(s)s täcker inte %(d)s"),
    "That time has passed": ("Den tiden er passert", "Den tiden har passerat"),
    "The assignment does not cover the practitioner's profession": ("Oppdraget dekker ikke behandlerens yrke", "Uppdraget täcker inte behandlarens yrke"),
    "This appointment type cannot be booked online": ("Denne timetypen kan ikke bookes på nett", "Den här tidstypen kan inte bokas på nätet"),
    "%(payer)s does not approve this clinic for that day": ("%(payer)s har ikke godkjent klinikken for den dagen", "%(payer)s har inte godkänt kliniken för den dagen"),
    "This clinic does not take online bookings": ("Klinikken tar ikke imot nettbooking", "Kliniken tar inte emot bokningar på nätet"),
    "The assignment has live bookings at another clinic": ("Oppdraget har aktive bookinger på en annen klinikk", "Uppdraget har aktiva bokningar på en annan klinik"),
    "The time was just taken. Choose another.": ("Timen ble nettopp tatt. Velg en annen.", "Tiden togs nyss. Välj en annan."),
    "Only the assignment's insurer may book under it": ("Bare oppdragets forsikringsselskap kan booke under det", "Bara uppdragets försäkringsbolag får boka inom det"),
    "The assignment does not cover %(c)s": ("Oppdraget dekker ikke %(c)s", "Uppdraget täcker inte %(c)s"),
    "Not your booking": ("Ikke din booking", "Inte din bokning"),
    "The booking is already %(s)s": ("Bookingen er allerede %(s)s", "Bokningen är redan %(s)s"),
    "Moved to another time": ("Flyttet til en annen time", "Flyttad till en annan tid"),
    "No reason given": ("Ingen begrunnelse oppgitt", "Inget skäl angivet"),
    "accepted or refused": ("accepted eller refused", "accepted eller refused"),
    "Choose a new time for the booking %(when)s.": ("Velg ny time for bookingen %(when)s.", "Välj ny tid för bokningen %(when)s."),
    ("%(n)s approved clinic near %(place)s", "%(n)s approved clinics near %(place)s"): (
        ("%(n)s godkjent klinikk nær %(place)s", "%(n)s godkjente klinikker nær %(place)s"),
        ("%(n)s godkänd klinik nära %(place)s", "%(n)s godkända kliniker nära %(place)s"),
    ),
    "Move here": ("Flytt hit", "Flytta hit"),
    "Book": ("Book", "Boka"),
    "No free times online in the next 90 days.": ("Ingen ledige nettimer de neste 90 dagene.", "Inga lediga tider på nätet de närmaste 90 dagarna."),
    "No approved clinic matches. Widen the radius.": ("Ingen godkjent klinikk passer. Øk radiusen.", "Ingen godkänd klinik passar. Öka radien."),
    "Journal-system integration": ("Journalsystemintegrasjon", "Journalsystemintegration"),
    "Time": ("Tid", "Tid"),
    "Practitioner": ("Behandler", "Behandlare"),
    "Location": ("Klinikk", "Mottagning"),
    "Type": ("Type", "Typ"),
    "No bookings.": ("Ingen bookinger.", "Inga bokningar."),
    "booking system": ("bookingsystem", "bokningssystem"),
    "Webhook key (give it to the vendor; it is shown only now)": (
        "Webhook-nøkkel (gi den til leverandøren; den vises bare nå)", "Webhook-nyckel (ge den till leverantören; den visas bara nu)"),
    "API token for the journal system (shown only now)": ("API-token for journalsystemet (vises bare nå)", "API-token för journalsystemet (visas bara nu)"),
    "An API key is stored.": ("En API-nøkkel er lagret.", "En API-nyckel är sparad."),
    "Save": ("Lagre", "Spara"),
    "Test connection": ("Test tilkoblingen", "Testa anslutningen"),
    "Request details from the vendor": ("Be leverandøren om opplysninger", "Begär uppgifter från leverantören"),
    "New API token for the journal system": ("Ny API-token for journalsystemet", "Ny API-token för journalsystemet"),
    "New webhook key": ("Ny webhook-nøkkel", "Ny webhook-nyckel"),
    "Availability push endpoint": ("Adresse for å sende ledige timer", "Adress för att skicka lediga tider"),
    "Copy this text into an e-mail to your journal-system vendor.": (
        "Kopier teksten inn i en e-post til leverandøren av journalsystemet.", "Kopiera texten till ett e-postmeddelande till journalsystemets leverantör."),
    "Back": ("Tilbake", "Tillbaka"),
    "Online booking: journal-system integration": ("Nettbooking: journalsystemintegrasjon", "Bokning på nätet: journalsystemintegration"),
    "Booking system": ("Bookingsystem", "Bokningssystem"),
    "Last test": ("Siste test", "Senaste test"),
    "Not set up": ("Ikke satt opp", "Inte konfigurerad"),
    "Change": ("Endre", "Ändra"),
    "Activate": ("Aktiver", "Aktivera"),
    "No locations.": ("Ingen klinikker.", "Inga mottagningar."),
    "Subject: Kvitt online booking for %(location)s (%(company)s, org. no. %(orgnr)s)\n\nHello %(vendor)s,\n\nWe, %(company)s (organisation number %(orgnr)s), want to connect our calendar at %(location)s to Kvitt so that insurers can book treatment assignments directly into our practitioners' calendars.\n\nPlease activate the Kvitt journal-system contract (kvitt-journal/1) for our account and send us:\n\n1. The base URL of your Kvitt endpoint for our clinic.\n2. A client id and an API key for Kvitt to use (Authorization: Bearer).\n3. Confirmation that your system verifies the X-Kvitt-Signature header (HMAC-SHA256) on bookings from Kvitt. We will send you the webhook key separately through a secure channel.\n": (
        "Emne: Kvitt nettbooking for %(location)s (%(company)s, org.nr. %(orgnr)s)\n\nHei %(vendor)s,\n\nVi, %(company)s (organisasjonsnummer %(orgnr)s), vil koble kalenderen vår på %(location)s til Kvitt, slik at forsikringsselskaper kan booke behandlingsoppdrag rett inn i behandlernes kalendere.\n\nVennligst aktiver Kvitts journalsystemkontrakt (kvitt-journal/1) for kontoen vår og send oss:\n\n1. Grunnadressen (URL) til Kvitt-endepunktet deres for klinikken vår.\n2. En klient-id og en API-nøkkel som Kvitt skal bruke (Authorization: Bearer).\n3. Bekreftelse på at systemet deres kontrollerer X-Kvitt-Signature-headeren (HMAC-SHA256) på bookinger fra Kvitt. Webhook-nøkkelen sender vi separat gjennom en sikker kanal.\n",
        "Ämne: Kvitt bokning på nätet för %(location)s (%(company)s, org.nr %(orgnr)s)\n\nHej %(vendor)s,\n\nVi, %(company)s (organisationsnummer %(orgnr)s), vill koppla vår kalender på %(location)s till Kvitt så att försäkringsbolag kan boka behandlingsuppdrag direkt i våra behandlares kalendrar.\n\nAktivera Kvitts journalsystemkontrakt (kvitt-journal/1) för vårt konto och skicka oss:\n\n1. Basadressen (URL) till er Kvitt-ändpunkt för vår klinik.\n2. Ett klient-id och en API-nyckel som Kvitt ska använda (Authorization: Bearer).\n3. Bekräftelse på att ert system kontrollerar X-Kvitt-Signature-huvudet (HMAC-SHA256) på bokningar från Kvitt. Webhook-nyckeln skickar vi separat via en säker kanal.\n"),
    "Our details": ("Våre opplysninger", "Våra uppgifter"),
    "Company": ("Foretak", "Företag"),
    "Kvitt endpoint for availability (push)": ("Kvitt-endepunkt for ledige timer (push)", "Kvitt-ändpunkt för lediga tider (push)"),
    "Kvitt endpoint for booking answers": ("Kvitt-endepunkt for svar på bookinger", "Kvitt-ändpunkt för svar på bokningar"),
    "The contract": ("Kontrakten", "Kontraktet"),
    "Contact": ("Kontakt", "Kontakt"),
    "Kind regards": ("Vennlig hilsen", "Vänliga hälsningar"),
    "The assignment does not cover that profession": ("Oppdraget dekker ikke det yrket", "Uppdraget täcker inte det yrket"),
    "Booked. The clinic's journal system is being told.": ("Booket. Klinikkens journalsystem får beskjed.", "Bokad. Klinikens journalsystem meddelas."),
    "No such booking, or not yours": ("Bookingen finnes ikke, eller er ikke din", "Bokningen finns inte, eller är inte din"),
    "The booking is cancelled.": ("Bookingen er avbestilt.", "Bokningen är avbokad."),
    "Endpoint URL from the vendor": ("Endepunkt-URL fra leverandøren", "Ändpunkts-URL från leverantören"),
    "Client id": ("Klient-id", "Klient-id"),
    "API key": ("API-nøkkel", "API-nyckel"),
    "Leave empty to keep the stored key. A stored key is never shown.": (
        "La stå tom for å beholde den lagrede nøkkelen. En lagret nøkkel vises aldri.", "Lämna tomt för att behålla den sparade nyckeln. En sparad nyckel visas aldrig."),
    "Only a clinic sets up journal systems": ("Bare en klinikk setter opp journalsystem", "Bara en klinik konfigurerar journalsystem"),
    "Saved. Test the connection to activate it.": ("Lagret. Test tilkoblingen for å aktivere den.", "Sparat. Testa anslutningen för att aktivera den."),
    "No such integration, or not yours": ("Integrasjonen finnes ikke, eller er ikke din", "Integrationen finns inte, eller är inte din"),
    "Unknown secret": ("Ukjent hemmelighet", "Okänd hemlighet"),
}

LANGS = {"nb": 0, "sv": 1}
APPS = ("cases", "booking")


def po_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def po_unquote(lines: list[str]) -> str:
    # A PO string segment uses the same escapes as a Python string literal.
    return "".join(ast.literal_eval(seg) for seg in re.findall(r'"(?:[^"\\]|\\.)*"', "\n".join(lines)))


def _field(block: list[str], name: str) -> list[str] | None:
    for i, line in enumerate(block):
        if line.startswith(name + " "):
            out = [line[len(name) + 1:]]
            for more in block[i + 1:]:
                if more.startswith('"'):
                    out.append(more)
                else:
                    break
            return out
    return None


def fill(path: Path, index: int) -> int:
    text = path.read_text(encoding="utf-8")
    # Every entry starts after a blank line (an earlier run could have glued one to the header).
    text = re.sub(r'(\n"[^\n]*")\n(#)', r"\1\n\n\2", text)
    blocks = text.split("\n\n")
    missing = 0
    for n, raw in enumerate(blocks):
        block = raw.split("\n")
        msgid_lines = _field(block, "msgid")
        if msgid_lines is None:
            continue
        msgid = po_unquote(msgid_lines)
        if not msgid:  # the header: no longer a draft
            blocks[n] = "\n".join(line for line in block if line != "#, fuzzy")
            continue
        plural_lines = _field(block, "msgid_plural")
        context_lines = _field(block, "msgctxt")
        head = [line for line in block if line.startswith("#") and "fuzzy" not in line and not line.startswith("#|")]
        key = (msgid, po_unquote(plural_lines)) if plural_lines else msgid
        if context_lines and f"{po_unquote(context_lines)}\x04{msgid}" in T:
            key = f"{po_unquote(context_lines)}\x04{msgid}"  # gettext's context separator
        if key not in T:
            missing += 1
            continue
        text = T[key][index]
        body = [f"msgctxt {po_quote(po_unquote(context_lines))}"] if context_lines else []
        body.append(f"msgid {po_quote(msgid)}")
        if plural_lines:
            body.append(f"msgid_plural {po_quote(key[1])}")
            body += [f"msgstr[{i}] {po_quote(form)}" for i, form in enumerate(text)]
        else:
            body.append(f"msgstr {po_quote(text)}")
        blocks[n] = "\n".join(head + body)
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return missing


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    total_missing = 0
    for app in APPS:
        for lang, index in LANGS.items():
            po = root / app / "locale" / lang / "LC_MESSAGES" / "django.po"
            if po.exists():
                missing = fill(po, index)
                total_missing += missing
                print(f"{po.relative_to(root)}: {missing} msgids without a text here")
    sys.exit(0)


if __name__ == "__main__":
    main()
