"""API keys, seekers' enrolment codes and the audit trail."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlmodel import Session, col, select

from app.auth import Caller, hash_key, new_secret_key
from app.clock import utcnow
from app.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from app.models.access import ApiKey, ApiKeyCreate, ApiKeyIssued, AuditEvent, EnrolmentCode, EnrolmentCodeIssued
from app.models.employer import Employer
from app.models.seeker import Seeker
from app.models.station import Station
from app.settings import get_settings

# No 0/O or 1/I/L: a clerk reads the code aloud over a phone line.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def issue_key(
    session: Session,
    role: str,
    *,
    station_id: int | None = None,
    employer_id: int | None = None,
    seeker_id: int | None = None,
    label: str | None = None,
) -> ApiKeyIssued:
    key = new_secret_key(role)
    row = ApiKey(
        key_hash=hash_key(key),
        prefix=key[:10],
        role=role,
        label=label,
        station_id=station_id,
        employer_id=employer_id,
        seeker_id=seeker_id,
    )
    session.add(row)
    session.flush()
    return ApiKeyIssued.model_validate({**row.model_dump(), "key": key})


def create_key(session: Session, data: ApiKeyCreate) -> ApiKeyIssued:
    owners = {"station": data.station_id, "employer": data.employer_id}
    if data.role == "admin":
        if data.station_id or data.employer_id:
            raise ValidationFailed("管理员密钥不属于工作站或企业", "An admin key has no owner", field="role",
                                   rule="owner_mismatch")
    else:
        other = "employer" if data.role == "station" else "station"
        if owners[data.role] is None or owners[other] is not None:
            raise ValidationFailed(
                f"{data.role} 密钥必须且只能指定 {data.role}_id",
                f"A {data.role} key needs {data.role}_id and nothing else",
                field=f"{data.role}_id",
                rule="owner_required",
            )
        model = Station if data.role == "station" else Employer
        if session.get(model, owners[data.role]) is None:
            raise ValidationFailed(f"{data.role}_id 不存在", f"{data.role}_id does not exist",
                                   field=f"{data.role}_id", rule="not_found")
    return issue_key(session, data.role, station_id=data.station_id, employer_id=data.employer_id, label=data.label)


def list_keys(session: Session) -> Sequence[ApiKey]:
    return session.exec(select(ApiKey).where(ApiKey.role != "seeker").order_by(col(ApiKey.id))).all()


def revoke_key(session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"未找到密钥 {key_id}", f"Key {key_id} not found")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        session.flush()
    return key


def issue_enrolment_code(session: Session, seeker: Seeker) -> EnrolmentCodeIssued:
    # A new code makes every earlier unused one worthless: only the latest paper slip works.
    for old in session.exec(
        select(EnrolmentCode).where(EnrolmentCode.seeker_id == seeker.id, col(EnrolmentCode.used_at).is_(None))
    ).all():
        old.used_at = utcnow()
        session.add(old)
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    expires = utcnow() + timedelta(hours=get_settings().enrolment_code_ttl_hours)
    assert seeker.id is not None
    session.add(EnrolmentCode(seeker_id=seeker.id, code_hash=hash_key(code), expires_at=expires))
    session.flush()
    return EnrolmentCodeIssued(code=code, expires_at=expires)


def enrol(session: Session, code: str) -> ApiKeyIssued:
    normalised = code.strip().upper().replace("-", "").replace(" ", "")
    row = session.exec(select(EnrolmentCode).where(EnrolmentCode.code_hash == hash_key(normalised))).first()
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        raise Unauthorized("注册码无效、已使用或已过期", "The enrolment code is unknown, used or expired")
    seeker = session.get(Seeker, row.seeker_id)
    if seeker is None or seeker.status == "inactive":
        raise Conflict("该求职者已停用", "This seeker is not active", rule="seeker_inactive")
    row.used_at = utcnow()
    session.add(row)
    return issue_key(session, "seeker", seeker_id=seeker.id, label="mobile app")


def audit(session: Session, caller: Caller, action: str, subject_type: str, subject_id: int | None,
          detail: str | None = None) -> None:
    session.add(
        AuditEvent(
            api_key_id=caller.key_id,
            actor_role=caller.role,
            actor_id=caller.actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail,
        )
    )
    session.flush()
