"""nb and sv for the notify app. Shape: ``T = {msgid: (nb, sv)}``.

Nothing of this app was untranslated in kvitt/locale when this file was made
(its texts are in kvitt/locale/translations.py or the app's own locale)."""

T: dict = {}
