from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.validation.credit_code import (
    ALPHABET,
    credit_code_check_char,
    make_credit_code,
    organization_code_check_char,
    organization_code_consistent,
    validate_credit_code,
)
from app.validation.identity import InvalidValue

# Codes of well-known companies, from the public enterprise credit register; each passes the check.
REAL_CODES = {
    "914403001922038216": "华为技术有限公司",
    "91440300708461136T": "深圳市腾讯计算机系统有限公司",
    "91330100716105852F": "阿里巴巴（中国）有限公司",
}

bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


def rule_of(value: str) -> str:
    with pytest.raises(InvalidValue) as caught:
        validate_credit_code(value)
    return caught.value.rule


def test_alphabet_leaves_out_confusable_letters() -> None:
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)


@pytest.mark.parametrize("code", sorted(REAL_CODES))
def test_real_codes_are_valid(code: str) -> None:
    assert validate_credit_code(code) == code
    assert credit_code_check_char(code[:17]) == code[17]


def test_normalisation() -> None:
    assert validate_credit_code("  91440300708461136t ") == "91440300708461136T"
    assert validate_credit_code("９１４４０３００７０８４６１１３６Ｔ") == "91440300708461136T"


@pytest.mark.parametrize("value", ["", "9144030070846113", "91440300708461136", "91440300708461136TT"])
def test_length_rule(value: str) -> None:
    assert rule_of(value) == "credit_code_length"


@pytest.mark.parametrize("bad", ["I", "O", "Z", "S", "V", "i", "-", " ", "中"])
def test_charset_rule(bad: str) -> None:
    assert rule_of("9144030070846113" + bad + "T") == "credit_code_charset"


def test_check_rule() -> None:
    assert rule_of("914403001922038217") == "credit_code_check"


def test_errors_have_both_languages() -> None:
    for value in ("1", "91440300708461136I", "914403001922038217"):
        with pytest.raises(InvalidValue) as caught:
            validate_credit_code(value)
        assert caught.value.message_zh and caught.value.message_en
        assert caught.value.rule.startswith("credit_code_")


def test_check_char_zero_when_sum_is_multiple_of_31() -> None:
    # 17 zeros weigh nothing: 31 - 0 wraps to 0, not to an out-of-range 31.
    assert credit_code_check_char("0" * 17) == "0"


@pytest.mark.parametrize("bad", ["1234", "9144030070846113I", "914403007084611360"])
def test_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        credit_code_check_char(bad)


def test_make_credit_code() -> None:
    assert make_credit_code("91440300708461136") == "91440300708461136T"
    assert make_credit_code("91440300708461136".lower()) == "91440300708461136T"
    with pytest.raises(ValueError):
        make_credit_code("91330200MA2")


def test_organisation_code_check_is_informational_only() -> None:
    # The embedded codes of the real examples carry a matching GB 11714 check ...
    assert organization_code_check_char("19220382") == "1"
    assert organization_code_consistent("914403001922038216")
    assert organization_code_consistent("91440300708461136T")
    # ... but a code whose inner check does not match is still a valid credit code.
    code = make_credit_code("91330200MA2C00000")
    assert not organization_code_consistent(code)
    assert validate_credit_code(code) == code


def test_organisation_check_char_maps_10_and_11() -> None:
    # Remainders 1 and 0 give check values 10 ('X') and 11 ('0').
    results = {organization_code_check_char(f"{n:08d}") for n in range(0, 200)}
    assert {"X", "0"} <= results


@given(body=bodies)
def test_round_trip(body: str) -> None:
    code = make_credit_code(body)
    assert len(code) == 18
    assert validate_credit_code(code) == code
    assert validate_credit_code(code.lower()) == code


@given(body=bodies, position=st.integers(0, 17), replacement=st.sampled_from(ALPHABET))
def test_any_single_substitution_is_rejected(body: str, position: int, replacement: str) -> None:
    code = make_credit_code(body)
    if code[position] == replacement:
        replacement = ALPHABET[(ALPHABET.index(replacement) + 1) % len(ALPHABET)]
    mutated = code[:position] + replacement + code[position + 1 :]
    assert rule_of(mutated) == "credit_code_check"


@given(body=bodies, position=st.integers(0, 16))
def test_any_adjacent_transposition_is_rejected(body: str, position: int) -> None:
    code = make_credit_code(body)
    a, b = code[position], code[position + 1]
    if a == b:
        return
    assert rule_of(code[:position] + b + a + code[position + 2 :]) == "credit_code_check"


def test_mod_31_detects_every_single_substitution_exhaustively() -> None:
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    for weight in (*weights, 1):
        for delta in range(1, 31):
            assert weight * delta % 31 != 0
