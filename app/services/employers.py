"""Employers: registration (with a checked credit code) and self-service updates."""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel import Session, col, select

from app.errors import Conflict, NotFound, ValidationFailed
from app.models.employer import Employer, EmployerCreate, EmployerUpdate
from app.services.rules import invalid, require_region
from app.validation.credit_code import validate_credit_code
from app.validation.identity import InvalidValue


def create_employer(session: Session, data: EmployerCreate) -> Employer:
    try:
        code = validate_credit_code(data.credit_code)
    except InvalidValue as exc:
        raise invalid("credit_code", exc) from exc
    require_region(session, data.district_code, "district_code", role="workplace")
    if session.exec(select(Employer).where(Employer.credit_code == code)).first() is not None:
        raise Conflict("该统一社会信用代码已登记", "An employer with this credit code is registered",
                       field="credit_code", rule="unique")
    if session.exec(select(Employer).where(Employer.name == data.name)).first() is not None:
        raise Conflict("该企业名称已登记", "An employer with this name is registered", field="name", rule="unique")
    employer = Employer(**data.model_dump(exclude={"credit_code"}), credit_code=code)
    session.add(employer)
    session.flush()
    return employer


def check_self_update(data: BaseModel, allowed: type[BaseModel]) -> None:
    """Name, district and the verified flag are the bureau's to set, never the employer's own."""
    for field in sorted(data.model_fields_set - set(allowed.model_fields)):
        raise ValidationFailed(f"{field}：此字段只能由人社局修改", f"{field}: only the bureau may change this",
                               field=field, rule="read_only")


def update_employer(session: Session, employer: Employer, data: EmployerUpdate) -> Employer:
    changes = data.model_dump(exclude_unset=True)
    if "district_code" in changes:
        require_region(session, changes["district_code"], "district_code", role="workplace")
    if "couple_dormitories" in changes and changes["couple_dormitories"] < employer.couple_dormitories_used:
        raise ValidationFailed(
            f"couple_dormitories：已有 {employer.couple_dormitories_used} 间夫妻宿舍在用，不能少于此数",
            f"couple_dormitories: {employer.couple_dormitories_used} are in use",
            field="couple_dormitories", rule="below_used",
        )
    if "name" in changes and changes["name"] != employer.name and session.exec(
        select(Employer).where(Employer.name == changes["name"])
    ).first():
        raise Conflict("该企业名称已登记", "An employer with this name is registered", field="name", rule="unique")
    for field, value in changes.items():
        setattr(employer, field, value)
    session.add(employer)
    session.flush()
    return employer


def get_employer(session: Session, employer_id: int) -> Employer:
    employer = session.get(Employer, employer_id)
    if employer is None:
        raise NotFound(f"未找到企业 {employer_id}", f"Employer {employer_id} not found")
    return employer


def list_employers_query(district_code: str | None, verified: bool | None, has_dormitory: bool | None):  # type: ignore[no-untyped-def]
    query = select(Employer)
    if district_code:
        query = query.where(Employer.district_code == district_code)
    if verified is not None:
        query = query.where(Employer.verified == verified)
    if has_dormitory is not None:
        query = query.where((col(Employer.couple_dormitories) > 0) == has_dormitory)
    return query
