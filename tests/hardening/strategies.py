"""Shared pieces of the fuzz suite: the settings, the input counter and the mutators.

Every parser is fed two kinds of input: random bytes (the parser's front door) and VALID
documents made by the project's own builders, then mutated (lines deleted, duplicated or
swapped, characters flipped, the file truncated, element text or JSON values replaced) so
that hypothesis gets past the first check and reaches the code deep inside.

Bounds: ``FUZZ`` runs ``KVITT_FUZZ_EXAMPLES`` examples per test (default 100, the CI figure;
set e.g. ``KVITT_FUZZ_EXAMPLES=5000`` for a deep local run), without a deadline, derandomized
and without the example database, so CI is repeatable and never flaky on a slow machine.
"""

from __future__ import annotations

import collections
import copy
import json
import os
import re
from decimal import Decimal

from hypothesis import HealthCheck, settings, strategies as st
from lxml import etree

EXAMPLES = int(os.environ.get("KVITT_FUZZ_EXAMPLES", "100"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # The DB-writing properties use pytest-django's function-scoped ``db``; every example runs
    # in the same test transaction and the property itself compares row counts per example.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# parser name -> number of inputs actually handed to it (including hypothesis' shrinking runs)
TRIED: collections.Counter[str] = collections.Counter()


def tried(name: str) -> None:
    TRIED[name] += 1


def expect(parse, data, *errors: type[BaseException], name: str):
    """Call ``parse(data)``; a result or one of the parser's domain ``errors`` is fine.

    Anything else (KeyError, IndexError, a bare ValueError, UnicodeDecodeError from deep
    inside) propagates and fails the property. A domain error must say something.
    """
    tried(name)
    try:
        return parse(data)
    except errors as exc:
        assert str(exc).strip(), f"{type(exc).__name__} without a message"
        return None


class Seed(bytes):
    """A valid document to mutate; its repr is its name, so failure reports stay readable."""

    def __new__(cls, name: str, data: bytes):
        seed = super().__new__(cls, data)
        seed.name = name
        return seed

    def __repr__(self) -> str:
        return f"<seed {self.name}>"


class JsonSeed(dict):
    """A valid JSON document to mutate, with a short repr."""

    def __init__(self, name: str, data: dict):
        super().__init__(data)
        self.name = name

    def __repr__(self) -> str:
        return f"<json seed {self.name}>"


# --- bytes -----------------------------------------------------------------------------------

# Tokens that matter to the formats under test: XML syntax, digits, signs, separators,
# the bank formats' record prefixes, odd encodings.
TOKENS = [
    b"<", b">", b"&", b"&amp;", b"/>", b"</", b'"', b"'", b"=", b"<!--", b"-->", b"<![CDATA[x]]>",
    b"0", b"1", b"9", b"-", b"+", b".", b",", b";", b"\t", b" ", b"\n", b"\r\n", b"\x00",
    b"1e9", b"NaN", b"Infinity", b"-0", b"99999999999999999999", b"2026-02-30", b"2026-13-01",
    b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3", b"\xe6\xf8\xe5", "æøå".encode(), "\u2212".encode(),
    b"NY00", b"NY09", b"NY21", b"01BGMAX", b"05", b"15", b"20", b"70", b"PK\x03\x04",
    b"true", b"false", b"null", b"[]", b"{}", b'""',
    # Digits to str.isdigit() that int() refuses (superscript two, latin-1 and UTF-8).
    b"\xb2", "²".encode(),
]

token = st.sampled_from(TOKENS)
filler = st.one_of(token, st.binary(max_size=16))


@st.composite
def mutated_bytes(draw, original: bytes, max_edits: int = 4) -> bytes:
    """``original`` with 1..max_edits byte-level edits: replace, insert, delete, duplicate, truncate, flip."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, max_edits))):
        size = len(data)
        op = draw(st.sampled_from(["replace", "insert", "delete", "duplicate", "truncate", "flip"]))
        at = draw(st.integers(0, max(size - 1, 0)))
        if op == "truncate":
            data = data[:at]
        elif op == "flip" and size:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(filler)
        else:
            length = draw(st.integers(1, 40))
            if op == "replace":
                data[at:at + length] = draw(filler)
            elif op == "delete":
                del data[at:at + length]
            elif op == "duplicate":
                data[at:at] = data[at:at + length]
    return bytes(data)


@st.composite
def mutated_lines(draw, original: bytes, max_edits: int = 3, line_end: bytes = b"\n") -> bytes:
    """Record-level edits of a line-based file: delete, duplicate, swap lines; edit inside one."""
    lines = original.split(line_end)
    for _ in range(draw(st.integers(1, max_edits))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "edit", "blank", "shorten", "lengthen"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "edit":
            # Same length keeps fixed-width records aligned, so the field parsers are reached.
            line = lines[i]
            if line:
                at = draw(st.integers(0, len(line) - 1))
                new = draw(st.one_of(st.sampled_from([b"0", b"9", b" ", b"-", b"A", b"\xe5", b"x"]), st.binary(min_size=1, max_size=1)))
                count = draw(st.integers(1, 12))
                lines[i] = line[:at] + new * count + line[at + count:]
        elif op == "blank":
            lines[i] = b""
        elif op == "shorten":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif op == "lengthen":
            lines[i] = lines[i] + draw(filler)
    return line_end.join(lines)


def any_mutation(original: bytes, line_end: bytes = b"\n") -> st.SearchStrategy[bytes]:
    """Random bytes now and then, else byte- or line-level mutations of a valid document."""
    return st.one_of(
        st.binary(max_size=300),
        mutated_bytes(original),
        mutated_lines(original, line_end=line_end),
    )


# --- XML --------------------------------------------------------------------------------------

XML_TEXTS = [
    "", " ", "0", "-1", "1.005", "1e3", "NaN", "Infinity", "-0.00", "99999999999999999999.99",
    "2026-02-30", "2026-13-01", "26-01-01", "2026-01-01T25:00:00", "12:00:00+25:00", "true", "x",
    "NOK", "SEK", "EUR", "ZVF5560360793261000001", "\u00a0", "æøå", "²", "1²", "0192", "380", "381", "AP", "RE",
]
xml_text = st.one_of(st.sampled_from(XML_TEXTS), st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12))


def _xml_safe(text: str) -> str:
    # lxml refuses control characters in text; they are the byte mutators' job, not this one's.
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20 and c not in "\ufffe\uffff")


@st.composite
def mutated_xml(draw, original: bytes, max_edits: int = 3) -> bytes:
    """Element-level edits of a valid XML document: the result is still well-formed, so the
    parser gets past ``parse_xml`` and meets missing, doubled, moved or odd elements."""
    root = etree.fromstring(original)
    for _ in range(draw(st.integers(1, max_edits))):
        elements = [el for el in root.iter() if isinstance(el.tag, str)]
        # Indices, not sampled_from(elements): lxml proxies make hypothesis' strategy cache unreliable.
        el = elements[draw(st.integers(0, len(elements) - 1))]
        parent = el.getparent()
        op = draw(st.sampled_from(["text", "text", "delete", "duplicate", "move", "attribute", "drop_attribute", "empty", "rename"]))
        if op == "text":
            el.text = _xml_safe(draw(xml_text))
        elif op == "delete" and parent is not None:
            parent.remove(el)
        elif op == "duplicate" and parent is not None:
            parent.insert(parent.index(el), copy.deepcopy(el))
        elif op == "move" and parent is not None:
            target = elements[draw(st.integers(0, len(elements) - 1))]
            if el not in target.iterancestors() and target is not el:
                parent.remove(el)
                target.append(el)
        elif op == "attribute":
            name = draw(st.sampled_from(list(el.attrib) or ["currencyID", "schemeID", "V", "listID"]))
            el.set(name, _xml_safe(draw(xml_text)))
        elif op == "drop_attribute" and el.attrib:
            del el.attrib[draw(st.sampled_from(list(el.attrib)))]
        elif op == "empty":
            for child in list(el):
                el.remove(child)
            el.text = None
        elif op == "rename":
            qname = etree.QName(el)
            el.tag = f"{{{qname.namespace}}}{qname.localname}X" if qname.namespace else qname.localname + "X"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@st.composite
def reencoded_xml(draw, original: bytes) -> bytes:
    """The same (possibly mutated) document in another declared encoding: well-formed XML
    that is not UTF-8, which readers that later ``.decode("utf-8")`` the bytes trip over."""
    document = draw(st.one_of(st.just(bytes(original)), mutated_xml(original)))
    root = etree.fromstring(document)
    encoding = draw(st.sampled_from(["ISO-8859-1", "UTF-16", "windows-1252"]))
    return etree.tostring(root, xml_declaration=True, encoding=encoding)


def any_xml_mutation(original: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=200), mutated_bytes(original), mutated_xml(original), mutated_xml(original, max_edits=8),
        reencoded_xml(original),
    )


# --- JSON -------------------------------------------------------------------------------------

json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20),
    st.decimals(allow_nan=False, places=3, min_value=-(10**9), max_value=10**9),
    st.sampled_from(["", "0", "-1", "12.345", "1e400", "NaN", "2026-02-30", "2026-01-05", "2026-01-05T08:00:00+01:00", "x", "ja", "Alle"]),
    st.text(max_size=10),
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, prefix + (i,))


@st.composite
def mutated_json(draw, original, max_edits: int = 3):
    """A deep copy of a valid JSON value with values replaced, keys dropped, items duplicated."""
    value = copy.deepcopy(dict(original) if isinstance(original, dict) else original)
    for _ in range(draw(st.integers(1, max_edits))):
        path = draw(st.sampled_from(list(_paths(value))))
        if not path:
            if draw(st.integers(0, 9)) == 0:
                value = draw(json_value)
            continue
        parent = value
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        op = draw(st.sampled_from(["replace", "replace", "delete", "duplicate", "wrap"]))
        if op == "replace":
            parent[key] = draw(json_value)
        elif op == "delete":
            del parent[key]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "wrap":
            parent[key] = [parent[key]] if draw(st.booleans()) else {"x": parent[key]}
    return value


def dumps(value) -> bytes:
    """JSON text with Decimals written as JSON numbers (as the real files write amounts)."""
    marked = json.dumps(value, default=lambda v: f"\x00D{v}\x00" if isinstance(v, Decimal) else repr(v))
    return re.sub(r'"\\u0000D([^"\\]*)\\u0000"', r"\1", marked).encode()
