from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.validation.identity import InvalidValue
from app.validation.mobile import mask_mobile, validate_mobile


@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        " 13800138000 ",
        "138 0013 8000",
        "138-0013-8000",
        "+8613800138000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "8613800138000",
        "86 138 0013 8000",
        "0086 138 0013 8000",
        "１３８００１３８０００",
        "138\u30000013\u30008000",
    ],
)
def test_accepted_forms(value: str) -> None:
    assert validate_mobile(value) == "13800138000"


@pytest.mark.parametrize("second", "3456789")
def test_second_digit_three_to_nine(second: str) -> None:
    assert validate_mobile(f"1{second}012345678") == f"1{second}012345678"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12800138000",
        "11800138000",
        "10800138000",
        "23800138000",
        "1380013800",
        "138001380000",
        "1380013800a",
        "+85213800138000",
        "+86 1380013800",
        "(138)00138000",
        "861380013800",
        "021-12345678",
        "\u0661\u0663\u0668\u0660\u0660\u0661\u0663\u0668\u0660\u0660\u0660",
    ],
)
def test_rejected_forms(value: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        validate_mobile(value)
    assert caught.value.rule == "mobile_format"
    assert caught.value.message_zh and caught.value.message_en


def test_mask() -> None:
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("+86 138-1234-5678") == "138****5678"


@pytest.mark.parametrize("value", ["", "12345", "12800138000", "not a number"])
def test_mask_never_echoes_invalid_values(value: str) -> None:
    masked = mask_mobile(value)
    assert set(masked) <= {"*"}
    assert len(masked) == len(value.strip())


numbers = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)


@given(
    number=numbers,
    prefix=st.sampled_from(["", "+86", "+86 ", "86", "86-", "0086 "]),
    sep=st.sampled_from(["", " ", "-"]),
)
def test_formatted_numbers_normalise(number: str, prefix: str, sep: str) -> None:
    formatted = prefix + number[:3] + sep + number[3:7] + sep + number[7:]
    assert validate_mobile(formatted) == number
    assert mask_mobile(formatted) == number[:3] + "****" + number[7:]
