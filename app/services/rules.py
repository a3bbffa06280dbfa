"""Turning a broken domain rule into the client-facing error, and lookups every service shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlmodel import Session, col, select

from app.errors import ValidationFailed
from app.models.region import Region
from app.validation.identity import InvalidValue


def invalid(field: str, exc: InvalidValue) -> ValidationFailed:
    return ValidationFailed(f"{field}：{exc.message_zh}", f"{field}: {exc.message_en}", field=field, rule=exc.rule)


def require_region(session: Session, code: str, field: str, *, role: str | None = None) -> Region:
    return check_region(session.get(Region, code), code, field, role=role)


def check_region(region: Region | None, code: str, field: str, *, role: str | None = None) -> Region:
    """The rule behind `require_region`, on a region already looked up (bulk imports preload them all)."""
    if region is None:
        raise ValidationFailed(
            f"{field}：未知的行政区划代码 {code}", f"{field}: unknown region code {code}", field=field,
            rule="region_unknown",
        )
    if role is not None and region.role != role:
        what_zh = "宁波市的区县（用工地）" if role == "workplace" else "劳务输出地"
        raise ValidationFailed(
            f"{field}：{region.name} 不是{what_zh}",
            f"{field}: {region.name} is not a {role} region",
            field=field,
            rule=f"region_not_{role}",
        )
    return region


def require_workplaces(session: Session, codes: Iterable[str], field: str) -> list[str]:
    unique = list(dict.fromkeys(codes))
    if not unique:
        return []
    found = {
        r.code: r for r in session.exec(select(Region).where(col(Region.code).in_(unique))).all()
    }
    return check_workplaces(found, unique, field)


def check_workplaces(found: Mapping[str, Region], codes: Iterable[str], field: str) -> list[str]:
    """The rule behind `require_workplaces`, on regions already looked up."""
    unique = list(dict.fromkeys(codes))
    for code in unique:
        if code not in found:
            raise ValidationFailed(
                f"{field}：未知的行政区划代码 {code}", f"{field}: unknown region code {code}", field=field,
                rule="region_unknown",
            )
        if found[code].role != "workplace":
            raise ValidationFailed(
                f"{field}：{found[code].name} 不是宁波市的区县",
                f"{field}: {found[code].name} is not a Ningbo district",
                field=field,
                rule="region_not_workplace",
            )
    return unique
