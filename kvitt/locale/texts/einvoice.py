"""nb and sv for the einvoice app, beyond kvitt/einvoice/locale_texts.py. Shape: ``T = {msgid: (nb, sv)}``."""

T = {
    "Payable amount in øre": ("Beløp å betale i øre", "Belopp att betala i öre"),
    "The care event's stable id across versions": (
        "Behandlingens faste id på tvers av versjoner",
        "Vårdhändelsens stabila id över versioner",
    ),
}
