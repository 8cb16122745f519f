"""nb and sv for the core app. Shape: ``T = {msgid: (nb, sv)}``.

Nothing of this app was untranslated in kvitt/locale when this file was made
(its texts are in kvitt/locale/translations.py or the app's own locale)."""

T: dict = {}

# Two-factor log-in (kvitt/core/twofactor_views.py and its templates) and key/certificate paths.
T.update({
    "Set up two-factor authentication": ("Sett opp tofaktorautentisering", "Konfigurera tvåfaktorsautentisering"),
    "Your role gives access to patient data, so Kvitt asks for a code from an authenticator app (for example Microsoft Authenticator, Google Authenticator or FreeOTP) in addition to your password.": (
        "Rollen din gir tilgang til pasientopplysninger, så Kvitt ber om en kode fra en autentiseringsapp (for eksempel Microsoft Authenticator, Google Authenticator eller FreeOTP) i tillegg til passordet.",
        "Din roll ger åtkomst till patientuppgifter, så Kvitt ber om en kod från en autentiseringsapp (till exempel Microsoft Authenticator, Google Authenticator eller FreeOTP) utöver ditt lösenord.",
    ),
    "Scan this QR code with the app:": ("Skann denne QR-koden med appen:", "Skanna den här QR-koden med appen:"),
    "Or type this key into the app by hand:": ("Eller skriv inn denne nøkkelen i appen for hånd:", "Eller skriv in den här nyckeln i appen för hand:"),
    "Enter the 6-digit code the app shows to finish.": ("Skriv inn den sekssifrede koden appen viser for å fullføre.", "Ange den sexsiffriga koden som appen visar för att slutföra."),
    "Confirm": ("Bekreft", "Bekräfta"),
    "Two-factor check": ("Tofaktorkontroll", "Tvåfaktorskontroll"),
    "Your role gives access to patient data. Enter the 6-digit code from your authenticator app.": (
        "Rollen din gir tilgang til pasientopplysninger. Skriv inn den sekssifrede koden fra autentiseringsappen.",
        "Din roll ger åtkomst till patientuppgifter. Ange den sexsiffriga koden från din autentiseringsapp.",
    ),
    "Lost your phone? Ask your administrator to reset your two-factor device.": (
        "Mistet telefonen? Be administratoren din om å tilbakestille tofaktorenheten.",
        "Tappat bort telefonen? Be din administratör att återställa din tvåfaktorsenhet.",
    ),
    "6-digit code": ("Sekssifret kode", "Sexsiffrig kod"),
    "Enter the 6 digits your app shows.": ("Skriv inn de seks sifrene appen viser.", "Ange de sex siffror som appen visar."),
    "Too many wrong codes. Try again in %(seconds)s seconds.": (
        "For mange feil koder. Prøv igjen om %(seconds)s sekunder.",
        "För många felaktiga koder. Försök igen om %(seconds)s sekunder.",
    ),
    "That code is not right. Check the time on your phone and try the newest code.": (
        "Koden er ikke riktig. Sjekk klokken på telefonen og prøv den nyeste koden.",
        "Koden stämmer inte. Kontrollera tiden i telefonen och prova den senaste koden.",
    ),
    "QR code for your authenticator app": ("QR-kode for autentiseringsappen", "QR-kod för din autentiseringsapp"),
    "Enter the path of the file, not the key or certificate itself": (
        "Oppgi stien til filen, ikke selve nøkkelen eller sertifikatet",
        "Ange sökvägen till filen, inte själva nyckeln eller certifikatet",
    ),
    "Enter an absolute path": ("Oppgi en absolutt sti", "Ange en absolut sökväg"),
    "The PKCS#12 file is not protected by a password; export it with one": (
        "PKCS#12-filen er ikke beskyttet med passord; eksporter den med passord",
        "PKCS#12-filen är inte skyddad med lösenord; exportera den med ett lösenord",
    ),
    "SBDH InstanceIdentifier": ("SBDH InstanceIdentifier", "SBDH InstanceIdentifier"),
})
