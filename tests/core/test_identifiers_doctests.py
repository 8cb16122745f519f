"""The examples in the identifier modules' docstrings are run, so the docs stay true."""

import doctest
import importlib

import pytest

MODULES = [
    "kvitt.core.identifiers.no.kid",
    "kvitt.core.identifiers.no.hpr",
    "kvitt.core.identifiers.no.herid",
    "kvitt.core.identifiers.se.bankgiro",
    "kvitt.core.identifiers.se.plusgiro",
    "kvitt.core.identifiers.se.ocr",
    "kvitt.core.identifiers.se.samordningsnummer",
    "kvitt.core.identifiers.se.reservnummer",
    "kvitt.core.identifiers.se.hsaid",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0
    assert result.failed == 0
