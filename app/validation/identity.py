"""Resident ID numbers (居民身份证号, GB 11643-1999).

Layout of the 18 characters:

    522301 19900101 123 4
    ^area  ^birth   ^order (odd = male, even = female)
                        ^check character, ISO 7064 MOD 11-2 ('X' stands for 10)

The six-digit area code is the one in force when the number was issued, so a county code that has since
been abolished (兴仁县 522322 became 兴仁市 522302 in 2018) is still a valid ID: only the province
prefix is checked. An ID number is sensitive personal information under PIPL; log it only through
``mask_resident_id``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

Sex = Literal["male", "female"]

MIN_WORKING_AGE = 16
# Nobody registering for work was born before this; an earlier year is a typo, not a person.
EARLIEST_BIRTH = date(1900, 1, 1)

# Province-level codes of GB/T 2260 (first two digits of an administrative code).
PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}

# Residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证, since 2018) use the
# same 18-character format and checksum; Taiwan residents' permits start with 83, which is not a GB/T
# 2260 province code. Rejecting them would lock those workers out, so they are accepted too.
RESIDENCE_PERMIT_PREFIXES: dict[str, str] = {
    "83": "台湾居民居住证",
}

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Index is (weighted sum mod 11); the value is the character that makes the full sum ≡ 1 (mod 11).
_CHECK_CHARS = "10X98765432"
_DIGITS = frozenset("0123456789")


class InvalidValue(ValueError):
    """A value that breaks a documented rule; ``rule`` is a stable snake_case code for clients."""

    def __init__(self, rule: str, message_zh: str, message_en: str) -> None:
        super().__init__(f"{rule}: {message_en}")
        self.rule = rule
        self.message_zh = message_zh
        self.message_en = message_en

    def __reduce__(self) -> tuple[type[InvalidValue], tuple[str, str, str]]:
        # Keeps the exception picklable (multiprocessing, task queues) despite the custom signature.
        return (type(self), (self.rule, self.message_zh, self.message_en))


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    birth_date: date
    sex: Sex
    province_code: str
    area_code: str

    @property
    def masked(self) -> str:
        return mask_resident_id(self.number)


def normalize_text(value: str) -> str:
    """Full-width forms (１２３, Ｘ) come from Chinese input methods; NFKC folds them to ASCII."""
    return unicodedata.normalize("NFKC", value).strip()


def resident_id_check_char(first17: str) -> str:
    if len(first17) != 17 or not set(first17) <= _DIGITS:
        raise ValueError("the check character is computed from exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def age_on(birth: date, day: date) -> int:
    """Completed years on ``day``; someone born on 29 February turns a year older on 1 March."""
    had_birthday = (day.month, day.day) >= (birth.month, birth.day)
    return day.year - birth.year - (0 if had_birthday else 1)


def parse_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    number = normalize_text(value).upper()
    _check_shape(number)
    province_code = number[:2]
    _check_province(province_code)
    birth = _check_birth_date(number[6:14], today or date.today())
    _check_check_char(number)
    order = int(number[14:17])
    return ResidentId(
        number=number,
        birth_date=birth,
        sex="male" if order % 2 == 1 else "female",
        province_code=province_code,
        area_code=number[:6],
    )


def mask_resident_id(number: str) -> str:
    """'522301********1234'. Anything not 18 characters long is masked entirely, never echoed."""
    text = normalize_text(number).upper()
    if len(text) != 18:
        return "*" * len(text)
    return text[:6] + "*" * 8 + text[-4:]


def make_resident_id(area_code: str, birth: date, sequence: int, sex: str) -> str:
    """A valid ID for tests and demo data. ``sequence`` 0-999 picks the order code; its last bit is
    flipped when needed so that the parity matches ``sex`` (odd male, even female)."""
    if len(area_code) != 6 or not set(area_code) <= _DIGITS:
        raise ValueError("area_code must be 6 digits")
    if area_code[:2] not in PROVINCES and area_code[:2] not in RESIDENCE_PERMIT_PREFIXES:
        raise ValueError(f"unknown province prefix {area_code[:2]!r}")
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be within 0-999")
    if sex not in ("male", "female"):
        raise ValueError("sex must be 'male' or 'female'")
    if birth < EARLIEST_BIRTH:
        raise ValueError(f"birth date before {EARLIEST_BIRTH} is out of range")
    wanted_parity = 1 if sex == "male" else 0
    order = sequence if sequence % 2 == wanted_parity else sequence ^ 1
    first17 = f"{area_code}{birth:%Y%m%d}{order:03d}"
    return first17 + resident_id_check_char(first17)


def _check_shape(number: str) -> None:
    if len(number) != 18:
        raise InvalidValue(
            "id_length",
            f"身份证号应为18位，实际为{len(number)}位",
            f"a resident ID number has 18 characters, got {len(number)}",
        )
    if not set(number[:17]) <= _DIGITS or not (number[17] in _DIGITS or number[17] == "X"):
        raise InvalidValue(
            "id_format",
            "身份证号前17位应为数字，最后一位应为数字或X",
            "a resident ID number is 17 digits followed by a digit or X",
        )


def _check_province(code: str) -> None:
    if code not in PROVINCES and code not in RESIDENCE_PERMIT_PREFIXES:
        raise InvalidValue(
            "id_province",
            f"身份证号前两位{code}不是有效的省级行政区划代码",
            f"the first two digits {code} are not a province-level code",
        )


def _check_birth_date(digits: str, today: date) -> date:
    birth: date | None
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        birth = None
    if birth is None or birth < EARLIEST_BIRTH:
        raise InvalidValue(
            "id_birth_date",
            f"身份证号中的出生日期{digits}不是有效日期",
            f"the birth date {digits} in the ID number is not a valid date",
        )
    if birth > today:
        raise InvalidValue(
            "id_birth_future",
            "身份证号中的出生日期晚于今天",
            "the birth date in the ID number is in the future",
        )
    if age_on(birth, today) < MIN_WORKING_AGE:
        raise InvalidValue(
            "id_too_young",
            f"未满{MIN_WORKING_AGE}周岁，不能登记求职",
            f"a job seeker must be at least {MIN_WORKING_AGE} years old",
        )
    return birth


def _check_check_char(number: str) -> None:
    if resident_id_check_char(number[:17]) != number[17]:
        raise InvalidValue(
            "id_check_digit",
            "身份证号校验位不正确，请核对是否输错",
            "the check character does not match; the number was probably mistyped",
        )
