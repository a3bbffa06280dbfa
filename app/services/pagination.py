"""Keyset (cursor) pagination by id: stable under concurrent inserts, cheap at any depth."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from app.errors import ValidationFailed
from app.settings import get_settings

T = TypeVar("T")


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
        if not isinstance(value, int):
            raise TypeError
        return value
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed("分页游标无效", "The cursor is not valid", field="cursor", rule="cursor") from exc


def clamp_limit(limit: int | None) -> int:
    settings = get_settings()
    if limit is None:
        return settings.page_limit_default
    if limit < 1 or limit > settings.page_limit_max:
        raise ValidationFailed(
            f"limit 须在 1 到 {settings.page_limit_max} 之间",
            f"limit must be between 1 and {settings.page_limit_max}",
            field="limit",
            rule="limit_range",
        )
    return limit


def paginate(
    session: Session, query: SelectOfScalar[Any], id_column: Any, limit: int | None, cursor: str | None
) -> tuple[Sequence[Any], str | None]:
    size = clamp_limit(limit)
    if cursor:
        query = query.where(col(id_column) > decode_cursor(cursor))
    rows = session.exec(query.order_by(col(id_column)).limit(size + 1)).all()
    if len(rows) > size:
        rows = rows[:size]
        return rows, encode_cursor(rows[-1].id)
    return rows, None
