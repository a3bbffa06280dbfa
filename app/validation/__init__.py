"""Checks for the identifiers people type into the service: resident ID, credit code, mobile number.

Pure functions over strings, stdlib only, so the API layer, bulk uploads and tests share one rule set.
"""

from app.validation.credit_code import credit_code_check_char, make_credit_code, validate_credit_code
from app.validation.identity import (
    PROVINCES,
    InvalidValue,
    ResidentId,
    age_on,
    make_resident_id,
    mask_resident_id,
    parse_resident_id,
    resident_id_check_char,
)
from app.validation.mobile import mask_mobile, validate_mobile

__all__ = [
    "PROVINCES",
    "InvalidValue",
    "ResidentId",
    "age_on",
    "credit_code_check_char",
    "make_credit_code",
    "make_resident_id",
    "mask_mobile",
    "mask_resident_id",
    "parse_resident_id",
    "resident_id_check_char",
    "validate_credit_code",
    "validate_mobile",
]
