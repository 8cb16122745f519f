"""nb and sv texts for the Helfo app's msgids.

Run after ``makemessages`` in kvitt/helfo: ``python kvitt/helfo/locale/translations.py``
fills the .po files and writes the .mo files (with babel, so no gettext tools are needed).
"""

from __future__ import annotations

from pathlib import Path

T = {
    "Tariff %(code)s is not valid on %(day)s": ("Takst %(code)s er ikke gyldig %(day)s", "Taxa %(code)s gäller inte %(day)s"),
    "Tariff %(code)s is unknown in area %(area)s": ("Takst %(code)s finnes ikke i fagområde %(area)s", "Taxa %(code)s finns inte i område %(area)s"),
    "Tariff %(code)s: the count must be at least 1": ("Takst %(code)s: antall må være minst 1", "Taxa %(code)s: antalet måste vara minst 1"),
    "Tariff %(code)s may be repeated at most %(max)s times (count %(count)s)": (
        "Takst %(code)s kan repeteres høyst %(max)s ganger (antall %(count)s)", "Taxa %(code)s får upprepas högst %(max)s gånger (antal %(count)s)"),
    "Tariffs %(a)s and %(b)s may not be used on the same bill": (
        "Takst %(a)s og %(b)s kan ikke brukes på samme regning", "Taxorna %(a)s och %(b)s får inte stå på samma räkning"),
    "Tariff %(code)s requires %(req)s on the same bill": ("Takst %(code)s krever %(req)s på samme regning", "Taxa %(code)s kräver %(req)s på samma räkning"),
    "A diagnosis is required for these tariffs": ("Disse takstene krever diagnose", "Dessa taxor kräver diagnos"),
    "Diagnosis %(code)s uses %(system)s; %(expected)s is expected here": (
        "Diagnose %(code)s er kodet i %(system)s; her forventes %(expected)s", "Diagnos %(code)s är kodad i %(system)s; här förväntas %(expected)s"),
    "A referral is required for these tariffs": ("Disse takstene krever henvisning", "Dessa taxor kräver remiss"),
    "The six-month claim deadline passed on %(day)s": ("Fristen på seks måneder gikk ut %(day)s", "Sexmånadersfristen gick ut %(day)s"),
    "Claim before %(day)s (six-month deadline)": ("Send kravet før %(day)s (seksmånedersfrist)", "Skicka kravet före %(day)s (sexmånadersfrist)"),
    "Exemption code %(code)s is not in Kvitt's list of kodeverk 7461": (
        "Fritakskode %(code)s finnes ikke i Kvitts liste over kodeverk 7461", "Befrielsekod %(code)s finns inte i Kvitts lista över kodverk 7461"),
    "Frikort (F) is claimed but the patient's frikort has not been checked": (
        "Frikort (F) er oppgitt, men pasientens frikort er ikke kontrollert", "Frikort (F) anges men patientens frikort är inte kontrollerat"),
    "Exemption B (child under 16) does not fit the patient's age": (
        "Fritak B (barn under 16 år) stemmer ikke med pasientens alder", "Befrielse B (barn under 16 år) stämmer inte med patientens ålder"),
    "The practice is not registered at Helfo on %(day)s": ("Praksisen er ikke registrert hos Helfo %(day)s", "Praktiken är inte registrerad hos Helfo %(day)s"),
    "Helfo fagområde, e.g. FY, PS, LE": ("Helfos fagområde, f.eks. FY, PS, LE", "Helfos fackområde, t.ex. FY, PS, LE"),
    "øre": ("øre", "öre"),
    "KUHR Krav API": ("KUHR Krav API", "KUHR Krav API"),
    "BKM XML file (upload in Helfo's portal)": ("BKM XML-fil (lastes opp i Helfos portal)", "BKM XML-fil (laddas upp i Helfos portal)"),
    "Maskinporten (company)": ("Maskinporten (virksomhet)", "Maskinporten (företag)"),
    "HelseID (practitioner)": ("HelseID (behandler)", "HelseID (behandlare)"),
    "KUHR praksisId": ("KUHR praksisId", "KUHR praksisId"),
    "Praksistype, e.g. FYNO, PSNO, FALE": ("Praksistype, f.eks. FYNO, PSNO, FALE", "Praktiktyp, t.ex. FYNO, PSNO, FALE"),
    "Tariff area (fagområde): FY, PS, LE ...": ("Takstområde (fagområde): FY, PS, LE ...", "Taxeområde (fackområde): FY, PS, LE ..."),
    "MsgHead type (kodeverk 8279)": ("MsgHead-type (kodeverk 8279)", "MsgHead-typ (kodverk 8279)"),
    "[[from, to or null], ...] as registered at Helfo (from KUHR's praksis list)": (
        "[[fra, til eller null], ...] slik de er registrert hos Helfo (fra KUHRs praksisliste)",
        "[[från, till eller null], ...] enligt Helfos register (från KUHRs praktiklista)"),
    "Ready": ("Klar", "Klar"),
    "In a settlement": ("I et oppgjør", "I en avräkning"),
    "Sent": ("Sendt", "Skickad"),
    "Approved": ("Godkjent", "Godkänd"),
    "Rejected": ("Avvist", "Avvisad"),
    "Paid": ("Utbetalt", "Utbetald"),
    "Credited": ("Kreditert", "Krediterad"),
    "Patient share only (reported)": ("Kun egenandel (rapportert)", "Endast patientavgift (rapporterad)"),
    "Withdrawn (care event voided)": ("Trukket (behandlingen er annullert)", "Återkallad (vårdhändelsen makulerad)"),
    "[{code, count, refusjon, egenandel, honorar}] in øre": ("[{kode, antall, refusjon, egenandel, honorar}] i øre", "[{kod, antal, ersättning, patientavgift, arvode}] i öre"),
    "Kodeverk 7461, e.g. B, F": ("Kodeverk 7461, f.eks. B, F", "Kodverk 7461, t.ex. B, F"),
    "øre claimed from Helfo": ("øre krevd fra Helfo", "öre som krävs från Helfo"),
    "øre the patient pays": ("øre pasienten betaler", "öre som patienten betalar"),
    "Helfo was told the patient share was not paid; a later payment needs a report": (
        "Helfo har fått beskjed om at egenandelen ikke er betalt; en senere betaling må rapporteres",
        "Helfo har fått veta att patientavgiften inte är betald; en senare betalning måste rapporteras"),
    "Not signed": ("Ikke signert", "Inte signerad"),
    "Signed, not sent": ("Signert, ikke sendt", "Signerad, inte skickad"),
    "Refused on receipt": ("Avvist ved mottak", "Avvisad vid mottagning"),
    "Being processed": ("Under behandling", "Under behandling"),
    "Controlled": ("Kontrollert", "Kontrollerad"),
    "No payout": ("Ingen utbetaling", "Ingen utbetalning"),
    "Claim": ("Krav", "Krav"),
    "Credit": ("Kreditering", "Kreditering"),
    "Corrected re-send": ("Rettet og sendt på nytt", "Rättad och skickad igen"),
    "Egenandel report": ("Egenandelsrapport", "Rapport om patientavgift"),
    "øre claimed in this settlement": ("øre krevd i dette oppgjøret", "öre som krävs i denna avräkning"),
    "Pure patient-share bill": ("Regning med kun egenandel", "Räkning med endast patientavgift"),
    "Patient paid after the claim": ("Pasienten betalte etter kravet", "Patienten betalade efter kravet"),
    "Unreadable service code %(v)r": ("Uleselig takstkode %(v)r", "Oläslig åtgärdskod %(v)r"),
    "No tariff area for this practice": ("Praksisen har ikke noe takstområde", "Praktiken saknar taxeområde"),
    "Updated from care event version %(v)s": ("Oppdatert fra behandling versjon %(v)s", "Uppdaterad från vårdhändelse version %(v)s"),
    "Created from care event version %(v)s": ("Opprettet fra behandling versjon %(v)s", "Skapad från vårdhändelse version %(v)s"),
    "Patient share queued for the egenandel register": ("Egenandel lagt i kø til egenandelsregisteret", "Patientavgift köad till registret"),
    "Withdrawn: the care event was voided": ("Trukket: behandlingen er annullert", "Återkallad: vårdhändelsen makulerades"),
    "These fields cannot be changed: %(f)s": ("Disse feltene kan ikke endres: %(f)s", "Dessa fält kan inte ändras: %(f)s"),
    "Only a ready or rejected bill card can be changed (this one is %(s)s)": (
        "Bare klare eller avviste regningskort kan endres (dette er %(s)s)", "Endast klara eller avvisade räkningskort kan ändras (detta är %(s)s)"),
    "Corrected after rejection": ("Rettet etter avvisning", "Rättad efter avvisning"),
    "Changed": ("Endret", "Ändrad"),
    "Only a rejected bill card can be corrected": ("Bare avviste regningskort kan rettes", "Endast avvisade räkningskort kan rättas"),
    "Patient paid %(day)s after the claim; reported with the next settlement": (
        "Pasienten betalte %(day)s etter kravet; rapporteres med neste oppgjør", "Patienten betalade %(day)s efter kravet; rapporteras med nästa avräkning"),
    "Patient paid %(day)s": ("Pasienten betalte %(day)s", "Patienten betalade %(day)s"),
    "%(n)s egenandel report(s) have waited more than %(d)s days; send a settlement so they reach Helfo": (
        "%(n)s egenandelsrapport(er) har ventet mer enn %(d)s dager; send et oppgjør så de når Helfo",
        "%(n)s rapport(er) om patientavgift har väntat mer än %(d)s dagar; skicka en avräkning så att de når Helfo"),
    "Some selected bill cards do not exist": ("Noen av de valgte regningskortene finnes ikke", "Några av de valda räkningskorten finns inte"),
    "Bill %(n)s is %(s)s": ("Regning %(n)s er %(s)s", "Räkning %(n)s är %(s)s"),
    "Bill %(n)s has errors: %(e)s": ("Regning %(n)s har feil: %(e)s", "Räkning %(n)s har fel: %(e)s"),
    "Select at least one bill card": ("Velg minst ett regningskort", "Välj minst ett räkningskort"),
    "Re-sent with the same guid and bill number in settlement %(s)s": (
        "Sendt på nytt med samme guid og regningsnummer i oppgjør %(s)s", "Skickad igen med samma guid och räkningsnummer i avräkning %(s)s"),
    "Added to settlement %(s)s": ("Lagt til i oppgjør %(s)s", "Tillagd i avräkning %(s)s"),
    "Late patient payment reported to the egenandel register with settlement %(s)s": (
        "Sen betaling av egenandel rapportert til egenandelsregisteret med oppgjør %(s)s", "Sen betalning av patientavgift rapporterad med avräkning %(s)s"),
    "Patient share reported to the egenandel register with settlement %(s)s": (
        "Egenandel rapportert til egenandelsregisteret med oppgjør %(s)s", "Patientavgift rapporterad med avräkning %(s)s"),
    "This settlement has been sent and cannot be signed again": ("Oppgjøret er sendt og kan ikke signeres på nytt", "Avräkningen är skickad och kan inte signeras igen"),
    "Signed by %(who)s": ("Signert av %(who)s", "Signerad av %(who)s"),
    "The KUHR Krav API is not configured (settings.KVITT_HELFO)": ("KUHR Krav API er ikke satt opp (settings.KVITT_HELFO)", "KUHR Krav API är inte konfigurerat (settings.KVITT_HELFO)"),
    "Only a signed settlement can be sent": ("Bare signerte oppgjør kan sendes", "Endast signerade avräkningar kan skickas"),
    "Refused on receipt: %(e)s": ("Avvist ved mottak: %(e)s", "Avvisad vid mottagning: %(e)s"),
    "Sent to Helfo (KUHR message %(id)s)": ("Sendt til Helfo (KUHR-melding %(id)s)", "Skickad till Helfo (KUHR-meddelande %(id)s)"),
    "Written to %(f)s for upload in Helfo's portal": ("Skrevet til %(f)s for opplasting i Helfos portal", "Skriven till %(f)s för uppladdning i Helfos portal"),
    "approved": ("godkjent", "godkänd"),
    "rejected": ("avvist", "avvisad"),
    "being processed": ("under behandling", "under behandling"),
    "Helfo: %(r)s": ("Helfo: %(r)s", "Helfo: %(r)s"),
    "No settlement has message id %(id)s": ("Ingen oppgjør har meldings-id %(id)s", "Ingen avräkning har meddelande-id %(id)s"),
    "AppRec: rejected – %(e)s": ("AppRec: avvist – %(e)s", "AppRec: avvisad – %(e)s"),
    "AppRec: received": ("AppRec: mottatt", "AppRec: mottagen"),
    "AppRec: received with errors in part – %(e)s": ("AppRec: mottatt med feil i deler – %(e)s", "AppRec: mottagen med fel i delar – %(e)s"),
    "Paid %(day)s (decision %(d)s, account %(a)s, KID %(k)s)": (
        "Utbetalt %(day)s (vedtak %(d)s, konto %(a)s, KID %(k)s)", "Utbetald %(day)s (beslut %(d)s, konto %(a)s, KID %(k)s)"),
    "Only an approved bill can be credited": ("Bare godkjente regninger kan krediteres", "Endast godkända räkningar kan krediteras"),
    "Bills older than three years cannot be credited": ("Regninger eldre enn tre år kan ikke krediteres", "Räkningar äldre än tre år kan inte krediteras"),
    "This bill already has a credit": ("Denne regningen er allerede kreditert", "Räkningen är redan krediterad"),
    "This certificate belongs to another practitioner": ("Sertifikatet tilhører en annen behandler", "Certifikatet tillhör en annan behandlare"),
    "Bill %(n)s belongs to another practitioner": ("Regning %(n)s tilhører en annen behandler", "Räkning %(n)s tillhör en annan behandlare"),
    "Credit requested: %(r)s": ("Kreditering bestilt: %(r)s", "Kreditering begärd: %(r)s"),
    "Bill card": ("Regningskort", "Räkningskort"),
    "Helfo orders": ("Helfo-bestillinger", "Helfo-beställningar"),
    "Status": ("Status", "Status"),
    "Treated": ("Behandlet", "Behandlad"),
    "Patient": ("Pasient", "Patient"),
    "Practitioner": ("Behandler", "Behandlare"),
    "Tariffs": ("Takster", "Taxor"),
    "Diagnoses": ("Diagnoser", "Diagnoser"),
    "Referral": ("Henvisning", "Remiss"),
    "Exemption code": ("Fritakskode", "Befrielsekod"),
    "frikort checked": ("frikort kontrollert", "frikort kontrollerat"),
    "Patient share": ("Egenandel", "Patientavgift"),
    "paid": ("betalt", "betald"),
    "not paid": ("ikke betalt", "inte betald"),
    "History": ("Historikk", "Historik"),
    "Correct and re-send": ("Rett og send på nytt", "Rätta och skicka igen"),
    "Change": ("Endre", "Ändra"),
    "Frikort checked": ("Frikort kontrollert", "Frikort kontrollerat"),
    "Reason": ("Begrunnelse", "Skäl"),
    "Save": ("Lagre", "Spara"),
    "Patient paid on": ("Pasienten betalte", "Patienten betalade"),
    "Register payment": ("Registrer betaling", "Registrera betalning"),
    "Credit the whole bill": ("Krediter hele regningen", "Kreditera hela räkningen"),
    "Settlements": ("Oppgjør", "Avräkningar"),
    "No Helfo practice is registered for this organisation.": ("Ingen Helfo-praksis er registrert for denne virksomheten.", "Ingen Helfo-praktik är registrerad för organisationen."),
    "Accounting unit": ("Regnskapsenhet", "Redovisningsenhet"),
    "Actor": ("Aktør", "Aktör"),
    "All practitioners": ("Alle behandlere", "Alla behandlare"),
    "Date": ("Dato", "Datum"),
    "One day": ("Én dag", "En dag"),
    "Day": ("Dag", "Dag"),
    "Custom period": ("Egendefinert periode", "Egen period"),
    "From": ("Fra", "Från"),
    "To": ("Til", "Till"),
    "Show bill cards": ("Vis regningskort", "Visa räkningskort"),
    "Make bill cards from care events": ("Lag regningskort fra behandlinger", "Skapa räkningskort från vårdhändelser"),
    "Select all": ("Velg alle", "Välj alla"),
    "Clear all": ("Fjern alle", "Avmarkera alla"),
    "Bill no.": ("Regningsnr.", "Räkningsnr"),
    "Refund": ("Refusjon", "Ersättning"),
    "Checks": ("Kontroller", "Kontroller"),
    "Select": ("Velg", "Välj"),
    "No bill cards to send for this choice.": ("Ingen regningskort å sende for dette valget.", "Inga räkningskort att skicka för detta val."),
    "Create settlement": ("Opprett oppgjør", "Skapa avräkning"),
    "Helfo settlement": ("Helfo-oppgjør", "Helfo-avräkning"),
    "All settlements": ("Alle oppgjør", "Alla avräkningar"),
    "Kind": ("Type", "Typ"),
    "Channel": ("Kanal", "Kanal"),
    "Signed": ("Signert", "Signerad"),
    "Receipt errors": ("Mottaksfeil", "Mottagningsfel"),
    "Amount": ("Beløp", "Belopp"),
    "Result": ("Resultat", "Resultat"),
    "Remarks": ("Merknader", "Anmärkningar"),
    "Sign": ("Signer", "Signera"),
    "Certificate": ("Sertifikat", "Certifikat"),
    "Password": ("Passord", "Lösenord"),
    "Sign again": ("Signer på nytt", "Signera igen"),
    "Send to Helfo": ("Send til Helfo", "Skicka till Helfo"),
    "Fetch status from Helfo": ("Hent status fra Helfo", "Hämta status från Helfo"),
    "Download the signed BKM file": ("Last ned den signerte BKM-filen", "Ladda ner den signerade BKM-filen"),
    "AppRec from Helfo": ("AppRec fra Helfo", "AppRec från Helfo"),
    "Import": ("Importer", "Importera"),
    "Payout": ("Utbetaling", "Utbetalning"),
    "Helfo settlements": ("Helfo-oppgjør", "Helfo-avräkningar"),
    "All": ("Alle", "Alla"),
    "Show": ("Vis", "Visa"),
    "Created": ("Opprettet", "Skapad"),
    "Message / control / payout": ("Melding / kontroll / utbetaling", "Meddelande / kontroll / utbetalning"),
    "None": ("Ingen", "Inga"),
    "Fetch statuses for %(name)s": ("Hent status for %(name)s", "Hämta status för %(name)s"),
    "%(n)s bill card(s) made from care events": ("%(n)s regningskort laget fra behandlinger", "%(n)s räkningskort skapade från vårdhändelser"),
    "Settlement created. Sign it to send it.": ("Oppgjøret er opprettet. Signer det for å sende.", "Avräkningen är skapad. Signera den för att skicka."),
    "Choose a certificate to sign with": ("Velg et sertifikat å signere med", "Välj ett certifikat att signera med"),
    "Signed with %(c)s": ("Signert med %(c)s", "Signerad med %(c)s"),
    "Not signed: %(e)s": ("Ikke signert: %(e)s", "Inte signerad: %(e)s"),
    "Helfo refused the message on receipt": ("Helfo avviste meldingen ved mottak", "Helfo avvisade meddelandet vid mottagning"),
    "Not sent: %(e)s": ("Ikke sendt: %(e)s", "Inte skickad: %(e)s"),
    "The settlement is not signed yet": ("Oppgjøret er ikke signert ennå", "Avräkningen är inte signerad än"),
    "Choose the AppRec file": ("Velg AppRec-filen", "Välj AppRec-filen"),
    "AppRec imported": ("AppRec importert", "AppRec importerad"),
    "Statuses fetched for %(n)s settlement(s)": ("Status hentet for %(n)s oppgjør", "Status hämtad för %(n)s avräkning(ar)"),
    "Unreadable treatment time": ("Uleselig behandlingstidspunkt", "Oläslig behandlingstid"),
    "Bill card saved": ("Regningskortet er lagret", "Räkningskortet är sparat"),
    "Payment registered; it will be reported with the next settlement": (
        "Betaling registrert; den rapporteres med neste oppgjør", "Betalning registrerad; den rapporteras med nästa avräkning"),
    "Payment registered": ("Betaling registrert", "Betalning registrerad"),
    "Credit settlement created. Sign it to send it.": ("Krediteringsoppgjør opprettet. Signer det for å sende.", "Krediteringsavräkning skapad. Signera den för att skicka."),
}

PLURALS = {
    "%(n)s settlement waits for signing": (
        ("%(n)s oppgjør venter på signering", "%(n)s oppgjør venter på signering"),
        ("%(n)s avräkning väntar på signering", "%(n)s avräkningar väntar på signering"),
    ),
    "%(n)s egenandel report goes with the next settlement.": (
        ("%(n)s egenandelsrapport sendes med neste oppgjør.", "%(n)s egenandelsrapporter sendes med neste oppgjør."),
        ("%(n)s rapport om patientavgift skickas med nästa avräkning.", "%(n)s rapporter om patientavgift skickas med nästa avräkning."),
    ),
}


def main() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    here = Path(__file__).resolve().parent
    for index, language in enumerate(("nb", "sv")):
        po_path = here / language / "LC_MESSAGES" / "django.po"
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        missing = []
        for message in catalog:
            if not message.id:
                continue
            if isinstance(message.id, tuple):
                forms = PLURALS.get(message.id[0])
                if forms:
                    message.string = forms[index]
                    message.flags.discard("fuzzy")
                else:
                    missing.append(message.id[0])
                continue
            if message.id in T:
                message.string = T[message.id][index]
                message.flags.discard("fuzzy")
            else:
                missing.append(message.id)
        catalog.fuzzy = False
        with po_path.open("wb") as handle:
            write_po(handle, catalog, width=100)
        with (po_path.with_suffix(".mo")).open("wb") as handle:
            write_mo(handle, catalog)
        if missing:
            print(f"{language}: {len(missing)} untranslated:", *missing, sep="\n  ")


if __name__ == "__main__":
    main()
