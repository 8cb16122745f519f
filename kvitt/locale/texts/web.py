"""nb and sv for the web app (menu, dashboard, base pages). Shape: ``T = {msgid: (nb, sv)}``."""

T = {
    # The menu uses the same words as the cases and booking apps' own catalogues.
    "Assignments": ("Oppdrag", "Uppdrag"),
    "Bookings": ("Bookinger", "Bokningar"),
    "Journal system": ("Journalsystem", "Journalsystem"),
    "Invoice bases sent": ("Sendte fakturagrunnlag", "Skickade fakturaunderlag"),
    "Invoice bases received": ("Mottatte fakturagrunnlag", "Mottagna fakturaunderlag"),
}
