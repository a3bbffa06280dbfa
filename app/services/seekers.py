"""Seekers: registration with checked identity, masked views, audited full reads, consent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.auth import Caller
from app.clock import today_shanghai, utcnow
from app.errors import DuplicatePerson, NotFound, ValidationFailed
from app.models.family import Family
from app.models.region import Region
from app.models.seeker import (
    Seeker,
    SeekerCreate,
    SeekerForEmployer,
    SeekerIdentity,
    SeekerSelfUpdate,
    SeekerUpdate,
)
from app.models.station import Station
from app.pii import Vault
from app.services.access import audit
from app.services.rules import check_region, check_workplaces, invalid, require_region, require_workplaces
from app.validation.identity import InvalidValue, age_on, mask_resident_id, parse_resident_id
from app.validation.mobile import mask_mobile, validate_mobile


def register_seeker(session: Session, vault: Vault, station: Station, data: SeekerCreate) -> Seeker:
    codes = [data.origin_code, *data.preferred_districts]
    regions = {r.code: r for r in session.exec(select(Region).where(col(Region.code).in_(codes))).all()}
    values = prepare_seeker(data, vault, regions, check_new=lambda fp: _check_not_registered(session, fp))
    assert station.id is not None
    seeker = Seeker(station_id=station.id, **values)
    session.add(seeker)
    session.flush()
    return seeker


def prepare_seeker(
    data: SeekerCreate,
    vault: Vault,
    regions: Mapping[str, Region],
    *,
    check_new: Callable[[str], None],
    today: date | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Every rule of a registration, in order, and the column values of the new seeker (without station_id).

    Pure apart from `check_new(fingerprint)`, which raises when the person is already registered: the API
    asks the database row by row, the bulk import asks one IN query per chunk. `regions` must hold the
    origin and the preferred districts if they exist.
    """
    try:
        identity = parse_resident_id(data.id_number, today=today or today_shanghai())
    except InvalidValue as exc:
        raise invalid("id_number", exc) from exc
    phone = _checked_phone(data.phone)
    check_region(regions.get(data.origin_code), data.origin_code, "origin_code")
    districts = check_workplaces(regions, data.preferred_districts, "preferred_districts")
    fingerprint = vault.fingerprint(identity.number)
    check_new(fingerprint)
    _check_poverty(data.registered_poor, data.poverty_evidence_ref)
    if data.consent_push and not data.consent_matching:
        # Said out loud rather than dropped quietly, exactly as an update would.
        raise ValidationFailed("需先同意参与匹配，才能接收推送", "Pushes need consent to matching first",
                               field="consent_push", rule="consent_order")
    now = now or utcnow()
    return {
        "name": data.name,
        "id_number_enc": vault.encrypt(identity.number),
        "id_fingerprint": fingerprint,
        "id_masked": mask_resident_id(identity.number),
        "phone_enc": vault.encrypt(phone),
        "phone_masked": mask_mobile(phone),
        "birth_date": identity.birth_date,
        "sex": identity.sex,
        "origin_code": data.origin_code,
        "registered_poor": data.registered_poor,
        "poverty_evidence_ref": data.poverty_evidence_ref,
        "poverty_verified_on": data.poverty_verified_on,
        "skills": [s.model_dump() for s in data.skills],
        "certificates": list(dict.fromkeys(data.certificates)),
        "preferred_districts": districts,
        "expected_pay": data.expected_pay,
        "available_from": data.available_from,
        "consent_matching": data.consent_matching,
        "consent_matching_at": now if data.consent_matching else None,
        "consent_push": data.consent_push,
        "consent_push_at": now if data.consent_push else None,
    }


def duplicate_person() -> DuplicatePerson:
    # Says only that the person exists somewhere: which station holds them is not this caller's business.
    return DuplicatePerson(
        "此身份证号已登记，不能重复登记", "A person with this ID number is already registered",
        field="id_number", rule="duplicate_person",
    )


def _check_not_registered(session: Session, fingerprint: str) -> None:
    if session.exec(select(Seeker.id).where(Seeker.id_fingerprint == fingerprint)).first() is not None:
        raise duplicate_person()


def update_seeker(session: Session, vault: Vault, seeker: Seeker, data: SeekerUpdate | SeekerSelfUpdate) -> Seeker:
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if "phone" in changes:
        phone = _checked_phone(changes.pop("phone"))
        seeker.phone_enc = vault.encrypt(phone)
        seeker.phone_masked = mask_mobile(phone)
    if "origin_code" in changes:
        require_region(session, changes["origin_code"], "origin_code")
    if "preferred_districts" in changes:
        changes["preferred_districts"] = require_workplaces(session, changes["preferred_districts"],
                                                            "preferred_districts")
    if "skills" in changes:
        changes["skills"] = [dict(s) for s in changes["skills"]]
    if "certificates" in changes:
        changes["certificates"] = list(dict.fromkeys(changes["certificates"]))
    _apply_consent(seeker, changes)
    for field, value in changes.items():
        setattr(seeker, field, value)
    _check_poverty(seeker.registered_poor, seeker.poverty_evidence_ref)
    seeker.updated_at = utcnow()
    session.add(seeker)
    session.flush()
    return seeker


def _apply_consent(seeker: Seeker, changes: dict[str, Any]) -> None:
    now = utcnow()
    if "consent_matching" in changes:
        value = changes.pop("consent_matching")
        if value != seeker.consent_matching:
            seeker.consent_matching, seeker.consent_matching_at = value, now
        # Withdrawing consent to matching stops pushes too: a push is a match.
        if not value and seeker.consent_push:
            seeker.consent_push, seeker.consent_push_at = False, now
    if "consent_push" in changes:
        value = changes.pop("consent_push")
        if value and not seeker.consent_matching:
            raise ValidationFailed("需先同意参与匹配，才能接收推送", "Pushes need consent to matching first",
                                   field="consent_push", rule="consent_order")
        if value != seeker.consent_push:
            seeker.consent_push, seeker.consent_push_at = value, now


def _checked_phone(value: str) -> str:
    try:
        return validate_mobile(value)
    except InvalidValue as exc:
        raise invalid("phone", exc) from exc


def _check_poverty(registered_poor: bool, evidence: str | None) -> None:
    if registered_poor and not evidence:
        raise ValidationFailed(
            "poverty_evidence_ref：建档立卡身份须注明证明材料编号",
            "poverty_evidence_ref: registered-poor status needs an evidence reference",
            field="poverty_evidence_ref", rule="evidence_required",
        )


def get_seeker(session: Session, seeker_id: int) -> Seeker:
    seeker = session.get(Seeker, seeker_id)
    if seeker is None:
        raise NotFound(f"未找到求职者 {seeker_id}", f"Seeker {seeker_id} not found")
    return seeker


def seekers_query(
    station_id: int | None,
    origin_code: str | None,
    status: str | None,
    registered_poor: bool | None,
    occupation: str | None,
    in_family: bool | None,
) -> SelectOfScalar[Seeker]:
    query = select(Seeker)
    if station_id is not None:
        query = query.where(Seeker.station_id == station_id)
    if origin_code:
        # A prefecture code finds the people of all its counties, a province code those of its prefectures'.
        children = select(Region.code).where(Region.parent_code == origin_code)
        grandchildren = select(Region.code).where(col(Region.parent_code).in_(children))
        query = query.where(
            (col(Seeker.origin_code) == origin_code)
            | col(Seeker.origin_code).in_(children)
            | col(Seeker.origin_code).in_(grandchildren)
        )
    if status:
        query = query.where(Seeker.status == status)
    if registered_poor is not None:
        query = query.where(Seeker.registered_poor == registered_poor)
    if occupation:
        query = query.where(cast(Seeker.skills, String).contains(occupation))
    if in_family is not None:
        query = query.where(col(Seeker.family_id).is_not(None) if in_family else col(Seeker.family_id).is_(None))
    return query


def read_identity(session: Session, vault: Vault, caller: Caller, seeker: Seeker) -> SeekerIdentity:
    audit(session, caller, "seeker.identity_read", "seeker", seeker.id, "full ID and phone number")
    assert seeker.id is not None
    return SeekerIdentity(
        id=seeker.id, name=seeker.name, id_number=vault.decrypt(seeker.id_number_enc),
        phone=vault.decrypt(seeker.phone_enc),
    )


def mask_name(name: str) -> str:
    """张三丰 → 张*: the surname stays so a clerk can greet the person; not even the length of the rest shows."""
    return name[:1] + "*"


def employer_view(session: Session, seeker: Seeker, *, on: date | None = None) -> SeekerForEmployer:
    origin = session.get(Region, seeker.origin_code)
    family_kind = None
    if seeker.family_id is not None:
        family = session.get(Family, seeker.family_id)
        family_kind = family.kind if family else None
    assert seeker.id is not None
    return SeekerForEmployer(
        id=seeker.id,
        display_name=mask_name(seeker.name),
        age=age_on(seeker.birth_date, on or today_shanghai()),
        origin_code=seeker.origin_code,
        origin_name=origin.name if origin else None,
        skills=seeker.skills,  # type: ignore[arg-type]
        certificates=seeker.certificates,
        family_kind=family_kind,
    )
