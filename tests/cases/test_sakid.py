import pytest
from hypothesis import given, settings, strategies as st
from stdnum.exceptions import InvalidFormat, InvalidLength

from kvitt.cases import sakid

LOOK_ALIKES = set("0O1IL")


def test_alphabet_has_no_look_alike_characters():
    assert not LOOK_ALIKES & set(sakid.ALPHABET)
    assert len(set(sakid.ALPHABET)) == len(sakid.ALPHABET) == 30


def test_generated_ids_are_valid_and_not_sequential():
    ids = {sakid.generate() for _ in range(2000)}
    assert len(ids) == 2000  # 30**6 ids: a collision in 2000 draws has probability ~0.3 %
    assert all(sakid.is_valid(i) for i in ids)
    # Every character position takes many values: the ids are spread, not counted up.
    for position in range(sakid.LENGTH):
        assert len({i[position] for i in ids}) == len(sakid.ALPHABET)


@given(st.text(alphabet=sakid.ALPHABET, min_size=sakid.LENGTH, max_size=sakid.LENGTH))
@settings(max_examples=100, deadline=None)
def test_compact_accepts_what_people_type(value):
    typed = f" {value[:3].lower()}-{value[3:]} "
    assert sakid.validate(typed) == value


def test_validate_names_the_problem():
    with pytest.raises(InvalidLength):
        sakid.validate("6QPTR")
    with pytest.raises(InvalidFormat, match="0"):
        sakid.validate("6QPT0R")
