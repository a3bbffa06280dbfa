"""Unified social credit codes (统一社会信用代码, GB 32100-2015) of employers.

Layout of the 18 characters:

    9 1 330200 MA2XXXXXX X
    ^ ^ ^area  ^organisation code (9 chars, GB 11714)
    | kind of organisation        ^check character over the first 17 (this module enforces it)
    registering authority

The alphabet leaves out I, O, Z, S and V, which are easily confused with 1, 0, 2, 5 and U.

The organisation-code part has a GB 11714 check character of its own (its 9th character). It is
exposed here for information only and never rejected on: codes issued to organisations that had no
earlier organisation code, and many real codes issued since 2015, are valid credit codes whatever
that inner character is. Only the 18th character is the check that GB 32100 defines.
"""

from __future__ import annotations

from app.validation.identity import InvalidValue, normalize_text

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: index for index, char in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_MODULUS = 31

# GB 11714 organisation code: 8 body characters (digits, or letters valued A=10 ... Z=35) + check.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {char: index for index, char in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def credit_code_check_char(first17: str) -> str:
    first17 = first17.upper()
    if len(first17) != 17 or any(char not in _VALUE for char in first17):
        raise ValueError(f"the check character is computed from exactly 17 characters of {ALPHABET}")
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(_MODULUS - total % _MODULUS) % _MODULUS]


def validate_credit_code(value: str) -> str:
    """The code upper-cased and stripped, or InvalidValue naming the broken rule."""
    code = normalize_text(value).upper()
    if len(code) != 18:
        raise InvalidValue(
            "credit_code_length",
            f"统一社会信用代码应为18位，实际为{len(code)}位",
            f"a unified social credit code has 18 characters, got {len(code)}",
        )
    bad = sorted({char for char in code if char not in _VALUE})
    if bad:
        raise InvalidValue(
            "credit_code_charset",
            f"统一社会信用代码含有不允许的字符：{''.join(bad)}（不使用I、O、Z、S、V）",
            f"characters not allowed in a unified social credit code: {''.join(bad)} "
            "(I, O, Z, S and V are never used)",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise InvalidValue(
            "credit_code_check",
            "统一社会信用代码校验位不正确，请核对是否输错",
            "the check character does not match; the code was probably mistyped",
        )
    return code


def make_credit_code(body17_prefix: str) -> str:
    """The 18-character code whose first 17 characters are ``body17_prefix``; for tests and demo data."""
    body = body17_prefix.upper()
    return body + credit_code_check_char(body)


def organization_code_check_char(first8: str) -> str:
    """GB 11714 check character of an organisation code (informational, see the module docstring)."""
    first8 = first8.upper()
    if len(first8) != 8 or any(char not in _ORG_VALUE for char in first8):
        raise ValueError("the organisation code check is computed from exactly 8 digits or letters")
    remainder = 11 - sum(_ORG_VALUE[char] * w for char, w in zip(first8, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def organization_code_consistent(credit_code: str) -> bool:
    """Whether the embedded organisation code (characters 9-17) carries a matching GB 11714 check.

    A False here is not an error; it may feed a data-quality report, never a rejection.
    """
    org = normalize_text(credit_code).upper()[8:17]
    if len(org) != 9 or any(char not in _ORG_VALUE for char in org[:8]):
        return False
    return organization_code_check_char(org[:8]) == org[8]
