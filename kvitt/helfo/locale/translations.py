"""nb and sv texts for the Helfo app's msgids.

The texts live in kvitt/helfo/locale_texts.py. Run after ``makemessages`` in kvitt/helfo:
``python kvitt/helfo/locale/translations.py`` fills the .po files and writes the .mo files
(with babel, so no gettext tools are needed).
"""

from __future__ import annotations

from pathlib import Path


def _texts():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "locale_texts.py"
    spec = importlib.util.spec_from_file_location("_helfo_locale_texts", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.T, module.PLURALS


def main() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    T, PLURALS = _texts()
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
