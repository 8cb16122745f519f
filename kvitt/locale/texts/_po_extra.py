"""Two steps ``kvitt/locale/translations.py`` leaves out; run this between ``makemessages`` and it.

1. msgmerge guesses a translation for a new msgid from a similar old one and marks it fuzzy
   ("Invoice inbox" -> "Faktura"). Those guesses are wrong more often than right, gettext skips
   them anyway, and ``fill()`` never overwrites a non-empty msgstr, so the data here could never
   replace them. They are cleared (the header entry is kept as it is).
2. ``fill()`` only knows singular entries. Plural entries (``msgid_plural`` / ``msgstr[n]``) are
   filled from the ``PLURALS`` dicts of the modules in this folder:
   ``{(singular, plural): ((nb_one, nb_other), (sv_one, sv_other))}``.

    python kvitt/locale/texts/_po_extra.py          # both catalogues under kvitt/locale

The loader in translations.py reads every module here for ``T``; this one has none to give.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

T: dict = {}

LANGS = {"nb": 0, "sv": 1}
TEXTS = Path(__file__).resolve().parent
LOCALE = TEXTS.parent
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def plural_texts(folder: Path = TEXTS) -> dict:
    merged = {}
    for path in sorted(folder.glob("*.py")):
        if path.name == Path(__file__).name:
            continue
        spec = importlib.util.spec_from_file_location(f"_plurals_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        merged.update(getattr(module, "PLURALS", {}))
    return merged


def _unquote(lines: list[str]) -> str:
    joined = "".join(m.group(1) for line in lines for m in _STRING.finditer(line))
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), joined)


def _quote(text: str) -> list[str]:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    parts = escaped.split("\n")
    if len(parts) == 1:
        return [f'"{escaped}"']
    chunks = [part + "\\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return ['""', *(f'"{chunk}"' for chunk in chunks)]


def _fields(block: list[str]) -> list[tuple[str, list[str]]]:
    """The keyword lines of one entry with their continuation lines: [(keyword, lines)]."""
    fields: list[tuple[str, list[str]]] = []
    for line in block:
        if line.startswith('"') and fields:
            fields[-1][1].append(line)
        elif not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            fields.append((keyword, [rest]))
    return fields


def _rebuild(comments: list[str], fields: list[tuple[str, list[str]]]) -> list[str]:
    out = list(comments)
    for keyword, lines in fields:
        out.append(f"{keyword} {lines[0]}")
        out.extend(lines[1:])
    return out


def _clear_fuzzy(comments: list[str], fields) -> tuple[list[str], list]:
    kept = []
    for line in comments:
        if line.startswith("#|"):
            continue  # the previous msgid the guess came from
        if line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
            if not flags:
                continue
            line = "#, " + ", ".join(flags)
        kept.append(line)
    cleared = [(k, ['""'] if k.startswith("msgstr") else lines) for k, lines in fields]
    return kept, cleared


def process(po_text: str, index: int, plurals: dict) -> tuple[str, int, int]:
    """Returns the new text, how many fuzzy guesses were cleared, how many plurals filled."""
    blocks = po_text.split("\n\n")
    cleared = filled = 0
    for n, raw in enumerate(blocks):
        block = raw.split("\n")
        comments = [line for line in block if line.startswith("#")]
        if any(line.startswith("#~") for line in comments):
            continue  # obsolete entries stay as msgmerge left them
        fields = _fields(block)
        values = {k: _unquote(lines) for k, lines in fields}
        if "msgid" not in values:
            continue
        if values["msgid"] and any(line.startswith("#,") and "fuzzy" in line for line in comments):
            comments, fields = _clear_fuzzy(comments, fields)
            values = {k: _unquote(lines) for k, lines in fields}
            cleared += 1
        key = (values["msgid"], values.get("msgid_plural"))
        if key[1] is not None and key in plurals and not any(values.get(f"msgstr[{i}]") for i in range(2)):
            forms = plurals[key][index]
            fields = [(k, lines) for k, lines in fields if not k.startswith("msgstr")]
            fields += [(f"msgstr[{i}]", _quote(form)) for i, form in enumerate(forms)]
            filled += 1
        blocks[n] = "\n".join(_rebuild(comments, fields) if fields else block)
    return "\n\n".join(blocks), cleared, filled


def main() -> int:
    plurals = plural_texts()
    for lang, index in LANGS.items():
        po = LOCALE / lang / "LC_MESSAGES" / "django.po"
        text, cleared, filled = process(po.read_text(encoding="utf-8"), index, plurals)
        po.write_text(text, encoding="utf-8")
        print(f"{lang}: cleared {cleared} fuzzy guesses, filled {filled} plurals", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
