"""Mainland China mobile numbers: 11 digits, '1' then 3-9 (13x ... 19x).

People write them as '+86 138-0013-8000', '0086 13800138000', '86 13800138000', '138 0013 8000'; all
normalise to '13800138000'. A mobile number is personal information: log it only through ``mask_mobile``.
"""

from __future__ import annotations

import re

from app.validation.identity import InvalidValue, normalize_text

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Separators people type between digit groups; NFKC has already turned full-width ones into these.
_SEPARATORS = re.compile(r"[\s\-]+")


def validate_mobile(value: str) -> str:
    """The bare 11 digits, or InvalidValue with rule ``mobile_format``."""
    digits = _strip_country_code(_SEPARATORS.sub("", normalize_text(value)))
    if not _MOBILE.fullmatch(digits):
        raise InvalidValue(
            "mobile_format",
            "手机号应为11位数字，以1开头、第二位为3至9",
            "a mobile number has 11 digits, starting with 1 and then 3-9",
        )
    return digits


def mask_mobile(n: str) -> str:
    """'138****5678'. A value that is not a mobile number is masked entirely, never echoed."""
    try:
        digits = validate_mobile(n)
    except InvalidValue:
        return "*" * len(normalize_text(n))
    return digits[:3] + "****" + digits[-4:]


def _strip_country_code(text: str) -> str:
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            return text[len(prefix) :]
    # Without '+', '86' is a country code only when 11 digits follow: no mobile number starts with 8.
    if text.startswith("86") and len(text) == 13:
        return text[2:]
    return text
