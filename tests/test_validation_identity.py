from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.validation.identity import (
    EARLIEST_BIRTH,
    PROVINCES,
    InvalidValue,
    ResidentId,
    age_on,
    make_resident_id,
    mask_resident_id,
    parse_resident_id,
    resident_id_check_char,
)

TODAY = date(2024, 6, 1)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHARS = "0123456789X"


def with_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def rule_of(value: str, today: date = TODAY) -> str:
    with pytest.raises(InvalidValue) as caught:
        parse_resident_id(value, today=today)
    return caught.value.rule


# --- known values -------------------------------------------------------------------------------


def test_standard_example_is_valid() -> None:
    parsed = parse_resident_id("11010519491231002X", today=TODAY)
    assert parsed == ResidentId(
        number="11010519491231002X",
        birth_date=date(1949, 12, 31),
        sex="female",
        province_code="11",
        area_code="110105",
    )


def test_check_char_of_standard_example() -> None:
    assert resident_id_check_char("11010519491231002") == "X"


def test_check_char_makes_weighted_sum_one_mod_11() -> None:
    for first17 in ("52230119900101123", "22240119851231001", "33020320000229000"):
        check = resident_id_check_char(first17)
        value = 10 if check == "X" else int(check)
        total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) + value
        assert total % 11 == 1


def test_check_char_rejects_bad_input() -> None:
    for bad in ("1234", "1101051949123100X", "110105194912310021", "１１０１０５１９４９１２３１００２"):
        with pytest.raises(ValueError):
            resident_id_check_char(bad)


def test_sex_from_17th_digit() -> None:
    assert parse_resident_id(with_check("52230119900101123"), today=TODAY).sex == "male"
    assert parse_resident_id(with_check("52230119900101124"), today=TODAY).sex == "female"


# --- normalisation ------------------------------------------------------------------------------


def test_lowercase_x_and_whitespace_are_accepted() -> None:
    parsed = parse_resident_id("  11010519491231002x\n", today=TODAY)
    assert parsed.number == "11010519491231002X"


def test_full_width_input_is_folded() -> None:
    parsed = parse_resident_id("１１０１０５１９４９１２３１００２ｘ\u3000", today=TODAY)
    assert parsed.number == "11010519491231002X"


# --- each rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "1101051949123100", "11010519491231002", "11010519491231002X1"])
def test_length_rule(value: str) -> None:
    assert rule_of(value) == "id_length"


@pytest.mark.parametrize(
    "value",
    [
        "1101051949123100XX",
        "11010519491231A02X",
        "X1010519491231002X",
        "1101051949-231002X",
        "11010519491231002Y",
    ],
)
def test_format_rule(value: str) -> None:
    assert rule_of(value) == "id_format"


def test_non_ascii_digits_are_not_digits() -> None:
    # Arabic-Indic digits pass str.isdigit() but are not ASCII; NFKC leaves them alone.
    assert rule_of("\u0661" + "1010519491231002X") == "id_format"


@pytest.mark.parametrize(
    "prefix", ["00", "10", "16", "20", "24", "30", "38", "47", "55", "60", "66", "72", "80", "99"]
)
def test_province_rule(prefix: str) -> None:
    assert rule_of(with_check(prefix + "010519491231002")) == "id_province"


def test_every_listed_province_is_accepted() -> None:
    north_and_east = (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46)
    south_west_and_beyond = (50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82)
    assert set(PROVINCES) == {str(code) for code in (*north_and_east, *south_west_and_beyond)}
    for code in PROVINCES:
        assert parse_resident_id(with_check(code + "010519491231002"), today=TODAY).province_code == code


def test_taiwan_residence_permit_prefix_is_accepted() -> None:
    assert parse_resident_id(with_check("83000019900101002"), today=TODAY).province_code == "83"


def test_abolished_county_code_is_accepted() -> None:
    # 兴仁县 522322 became 兴仁市 522302 in 2018; IDs issued earlier keep the old code.
    parsed = parse_resident_id(with_check("52232219800515003"), today=TODAY)
    assert parsed.area_code == "522322"


@pytest.mark.parametrize("birth", ["19900230", "19900001", "19901301", "19000229", "18991231", "00000101"])
def test_birth_date_rule(birth: str) -> None:
    assert rule_of(with_check("522301" + birth + "123")) == "id_birth_date"


def test_leap_day_birth_is_a_real_date() -> None:
    assert parse_resident_id(with_check("52230120000229123"), today=TODAY).birth_date == date(2000, 2, 29)


def test_birth_future_rule() -> None:
    tomorrow = TODAY + timedelta(days=1)
    assert rule_of(with_check(f"522301{tomorrow:%Y%m%d}123")) == "id_birth_future"


def test_too_young_rule_is_exact_to_the_day() -> None:
    sixteenth_birthday = date(TODAY.year - 16, TODAY.month, TODAY.day)
    assert parse_resident_id(with_check(f"522301{sixteenth_birthday:%Y%m%d}123"), today=TODAY)
    one_day_short = sixteenth_birthday + timedelta(days=1)
    assert rule_of(with_check(f"522301{one_day_short:%Y%m%d}123")) == "id_too_young"
    assert rule_of(with_check(f"522301{TODAY:%Y%m%d}123")) == "id_too_young"


def test_check_digit_rule() -> None:
    assert rule_of("110105194912310021") == "id_check_digit"


def test_today_defaults_to_the_real_date() -> None:
    assert parse_resident_id("11010519491231002X").birth_date == date(1949, 12, 31)


def test_errors_carry_distinct_rules_and_both_languages() -> None:
    samples = {
        "id_length": "123",
        "id_format": "1101051949123100AX",
        "id_province": with_check("99010519491231002"),
        "id_birth_date": with_check("52230119901301123"),
        "id_birth_future": with_check("52230120990101123"),
        "id_too_young": with_check("52230120200101123"),
        "id_check_digit": "110105194912310021",
    }
    for rule, value in samples.items():
        with pytest.raises(InvalidValue) as caught:
            parse_resident_id(value, today=TODAY)
        error = caught.value
        assert error.rule == rule
        assert isinstance(error, ValueError)
        assert error.message_zh and error.message_en
        assert any("\u4e00" <= char <= "\u9fff" for char in error.message_zh)
        assert error.message_en.isascii()


def test_invalid_value_survives_pickling() -> None:
    error = InvalidValue("id_length", "长度不对", "wrong length")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.rule, copy.message_zh, copy.message_en) == ("id_length", "长度不对", "wrong length")


# --- masking, age, generator --------------------------------------------------------------------


def test_mask() -> None:
    assert mask_resident_id("522301199001011234") == "522301********1234"
    assert mask_resident_id(" 11010519491231002x ") == "110105********002X"
    assert parse_resident_id("11010519491231002X", today=TODAY).masked == "110105********002X"


@pytest.mark.parametrize("value", ["", "12345", "5223011990010112345", "52230119900101123"])
def test_mask_never_echoes_malformed_values(value: str) -> None:
    masked = mask_resident_id(value)
    assert set(masked) <= {"*"}
    assert len(masked) == len(value.strip())


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (date(2000, 6, 1), date(2016, 5, 31), 15),
        (date(2000, 6, 1), date(2016, 6, 1), 16),
        (date(2000, 2, 29), date(2016, 2, 28), 15),
        (date(2000, 2, 29), date(2016, 2, 29), 16),
        (date(2000, 2, 29), date(2017, 2, 28), 16),
        (date(2000, 2, 29), date(2017, 3, 1), 17),
        (date(1990, 12, 31), date(2024, 1, 1), 33),
    ],
)
def test_age_on(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


def test_make_resident_id_matches_parity_to_sex() -> None:
    assert make_resident_id("522325", date(1990, 1, 1), 0, "female")[14:17] == "000"
    assert make_resident_id("522325", date(1990, 1, 1), 0, "male")[14:17] == "001"
    assert make_resident_id("522325", date(1990, 1, 1), 999, "female")[14:17] == "998"
    assert make_resident_id("522325", date(1990, 1, 1), 999, "male")[14:17] == "999"


@pytest.mark.parametrize(
    ("area", "sequence", "sex"),
    [
        ("52232", 1, "male"),
        ("99000", 1, "male"),
        ("990000", 1, "male"),
        ("522301", 1000, "male"),
        ("522301", -1, "male"),
        ("522301", 1, "男"),
        ("52230a", 1, "female"),
    ],
)
def test_make_resident_id_rejects_bad_arguments(area: str, sequence: int, sex: str) -> None:
    with pytest.raises(ValueError):
        make_resident_id(area, date(1990, 1, 1), sequence, sex)


def test_generated_ids_for_seed_origin_counties_parse() -> None:
    from app.seed.places import REGIONS, is_standard_code

    for region in REGIONS:
        if region.role == "origin" and is_standard_code(region.code):
            number = make_resident_id(region.code, date(1995, 7, 15), 42, "male")
            assert parse_resident_id(number, today=TODAY).area_code == region.code


# --- properties ---------------------------------------------------------------------------------

areas = st.builds(
    lambda province, rest: province + rest,
    st.sampled_from(sorted(PROVINCES)),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
)
adult_births = st.dates(min_value=EARLIEST_BIRTH, max_value=date(TODAY.year - 16, TODAY.month, TODAY.day))
sexes = st.sampled_from(["male", "female"])


@given(area=areas, birth=adult_births, sequence=st.integers(0, 999), sex=sexes)
def test_generated_ids_parse_back(area: str, birth: date, sequence: int, sex: str) -> None:
    number = make_resident_id(area, birth, sequence, sex)
    parsed = parse_resident_id(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.sex == sex
    assert parsed.area_code == area
    assert parsed.province_code == area[:2]


@given(
    area=areas,
    birth=adult_births,
    sequence=st.integers(0, 999),
    sex=sexes,
    position=st.integers(0, 17),
    replacement=st.sampled_from(ID_CHARS),
)
def test_any_single_substitution_is_rejected(
    area: str, birth: date, sequence: int, sex: str, position: int, replacement: str
) -> None:
    number = make_resident_id(area, birth, sequence, sex)
    if number[position] == replacement:
        replacement = ID_CHARS[(ID_CHARS.index(replacement) + 1) % len(ID_CHARS)]
    mutated = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(InvalidValue):
        parse_resident_id(mutated, today=TODAY)


@given(area=areas, birth=adult_births, sequence=st.integers(0, 999), sex=sexes, position=st.integers(0, 16))
def test_any_adjacent_transposition_of_distinct_characters_is_rejected(
    area: str, birth: date, sequence: int, sex: str, position: int
) -> None:
    number = make_resident_id(area, birth, sequence, sex)
    a, b = number[position], number[position + 1]
    if a == b:
        return
    swapped = number[:position] + b + a + number[position + 2 :]
    with pytest.raises(InvalidValue):
        parse_resident_id(swapped, today=TODAY)


def test_mod_11_2_detects_every_single_substitution_exhaustively() -> None:
    # Changing digit i by delta shifts the weighted sum by w_i * delta, which is never 0 mod 11 because
    # 11 is prime and no weight or delta (1-9) is a multiple of it; the check position has weight 1.
    for weight in (*WEIGHTS, 1):
        for delta in range(1, 11):
            assert weight * delta % 11 != 0
