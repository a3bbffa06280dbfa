"""Applying: a seeker (from the app) or its station applies to a vacancy; a family applies as one."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.auth import Caller
from app.errors import Conflict, ValidationFailed
from app.models.application import (
    Application,
    ApplicationCreate,
    ApplicationEvent,
    ApplicationEventPublic,
    ApplicationGroup,
    ApplicationPublic,
    FamilyApplicationCreate,
)
from app.models.employer import Employer
from app.models.family import Family
from app.models.placement import Placement
from app.models.seeker import Seeker
from app.models.vacancy import Vacancy
from app.notify.outbox import record_event
from app.services.seekers import employer_view
from app.services.workflow import ACTIVE, allowed_for, event_data

FAMILY_POST_KINDS = ("couple", "father_son", "brothers")


def apply(session: Session, caller: Caller, data: ApplicationCreate) -> Application:
    if caller.role == "seeker":
        if data.seeker_id not in (None, caller.seeker_id):
            raise ValidationFailed("seeker_id：只能为自己申请", "seeker_id: a seeker applies for itself only",
                                   field="seeker_id", rule="read_only")
        seeker_id = caller.seeker_id
    elif data.seeker_id is None:
        raise ValidationFailed("seeker_id：工作站代为申请须指定求职者", "seeker_id: required",
                               field="seeker_id", rule="missing")
    else:
        seeker_id = data.seeker_id
    assert seeker_id is not None
    seeker = _own_seeker(session, caller, seeker_id, "seeker_id")
    vacancy = _open_vacancy(session, data.vacancy_id, "vacancy_id")
    _check_can_apply(session, seeker, vacancy)
    application = _new_application(session, caller, seeker, vacancy, None)
    session.flush()
    return application


def apply_as_family(session: Session, caller: Caller, data: FamilyApplicationCreate) -> list[Application]:
    """All or nothing: every check runs before the first row is written, and any failure leaves none."""
    family = _own_family(session, caller, data.family_id)
    members = {int(s.id or 0): s for s in session.exec(select(Seeker).where(Seeker.family_id == family.id)).all()}
    chosen = [m.seeker_id for m in data.members]
    if sorted(chosen) != sorted(members):
        raise ValidationFailed("members：须为家庭的每位成员各选一个岗位", "members: one vacancy for every member",
                               field="members", rule="family_members", extra={"member_ids": sorted(members)})
    if caller.role == "seeker":
        _check_member_may_act(family, list(members.values()))
    vacancies = [_open_vacancy(session, m.vacancy_id, "members.vacancy_id") for m in data.members]
    if len({v.employer_id for v in vacancies}) != 1:
        raise ValidationFailed("members：全家须应聘同一家企业的岗位", "members: all vacancies at one employer",
                               field="members", rule="same_employer")
    for choice, vacancy in zip(data.members, vacancies, strict=True):
        _check_can_apply(session, members[choice.seeker_id], vacancy, for_family=True)
    kind = family.kind if family.kind in FAMILY_POST_KINDS else None
    post_vacancy = next((v for v in vacancies if kind and v.family_posts.get(kind, 0) > 0), None)
    employer = session.get(Employer, vacancies[0].employer_id)
    assert employer is not None
    if family.needs_couple_dormitory and employer.couple_dormitories == 0:
        raise Conflict("该企业没有夫妻宿舍", "This employer has no couple dormitories", field="family_id",
                       rule="no_couple_dormitory")
    group = ApplicationGroup(
        family_id=family.id, employer_id=employer.id, station_id=family.station_id,  # type: ignore[arg-type]
        family_post_kind=kind if post_vacancy else None,
        family_post_vacancy_id=post_vacancy.id if post_vacancy else None,
        needs_couple_dormitory=family.needs_couple_dormitory,
    )
    session.add(group)
    session.flush()
    applications = [_new_application(session, caller, members[c.seeker_id], v, group)
                    for c, v in zip(data.members, vacancies, strict=True)]
    session.flush()
    return applications


def _new_application(session: Session, caller: Caller, seeker: Seeker, vacancy: Vacancy,
                     group: ApplicationGroup | None) -> Application:
    if caller.role == "seeker":
        # A member applying from the phone for the whole family applied for the others, they did not.
        source = "seeker" if seeker.id == caller.seeker_id else "relative"
    else:
        source = "station" if caller.role == "station" else "admin"
    application = Application(
        seeker_id=seeker.id, vacancy_id=vacancy.id, employer_id=vacancy.employer_id,  # type: ignore[arg-type]
        station_id=seeker.station_id, group_id=group.id if group else None, status="applied", source=source,
    )
    session.add(application)
    session.flush()
    session.add(ApplicationEvent(application_id=application.id, from_status=None,  # type: ignore[arg-type]
                                 to_status="applied", actor_role=caller.role, actor_id=caller.actor_id))
    record_event(session, "application.changed", "application", application.id,  # type: ignore[arg-type]
                 event_data(application))
    return application


def _own_family(session: Session, caller: Caller, family_id: int) -> Family:
    family = session.get(Family, family_id)
    if family is not None and caller.role == "seeker":
        me = session.get(Seeker, caller.seeker_id)
        visible = me is not None and me.family_id == family.id
    else:
        visible = family is not None and (caller.is_admin or caller.station_id == family.station_id)
    if family is None or not visible:
        # Another family (another station's, or one the seeker is not in) is reported exactly like a missing one.
        raise ValidationFailed(f"family_id：未找到家庭 {family_id}", f"family_id: family {family_id} not found",
                               field="family_id", rule="family_not_found")
    return family


def _check_member_may_act(family: Family, members: list[Seeker]) -> None:
    """A member applies for the others only where the family agreed to be placed together, and only for
    relatives who consented to matching: the phone must not do for them what they did not agree to."""
    if not family.must_stay_together:
        raise Conflict("你们的家庭登记为可以分开就业：请各自申请，或请工作站为全家申请",
                       "This family is not registered to stay together: members apply on their own, or the "
                       "station applies for the family", field="family_id", rule="family_not_together")
    without = sorted(int(m.id or 0) for m in members if not m.consent_matching)
    if without:
        raise Conflict("有家庭成员尚未同意参与岗位匹配，不能由他人代为申请：请该成员到工作站确认同意",
                       "A family member has not consented to matching, so nobody else may apply for them; "
                       "they can give consent at their station", field="members", rule="member_consent",
                       extra={"seeker_ids": without})


def _own_seeker(session: Session, caller: Caller, seeker_id: int, field: str) -> Seeker:
    seeker = session.get(Seeker, seeker_id)
    visible = seeker is not None and (
        caller.is_admin or (caller.role == "station" and caller.station_id == seeker.station_id)
        or (caller.role == "seeker" and caller.seeker_id == seeker.id)
    )
    if seeker is None or not visible:
        # Another station's seeker is reported exactly like a missing one.
        raise ValidationFailed(f"{field}：未找到求职者 {seeker_id}", f"{field}: seeker {seeker_id} not found",
                               field=field, rule="seeker_not_found")
    return seeker


def _open_vacancy(session: Session, vacancy_id: int, field: str) -> Vacancy:
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None or vacancy.status in ("draft", "closed"):
        raise ValidationFailed(f"{field}：未找到岗位 {vacancy_id}", f"{field}: vacancy {vacancy_id} not found",
                               field=field, rule="vacancy_not_found")
    if vacancy.status != "open":
        raise Conflict(f"岗位 {vacancy_id} 当前不接受申请（{vacancy.status}）",
                       f"Vacancy {vacancy_id} is not open for applications ({vacancy.status})",
                       field=field, rule="vacancy_not_open", extra={"vacancy_id": vacancy_id})
    return vacancy


def _existing_application(session: Session, seeker: Seeker, vacancy: Vacancy) -> tuple[int, int | None] | None:
    """The seeker's application to the vacancy still under way, as (id, group_id), if there is one."""
    row = session.exec(
        select(col(Application.id), col(Application.group_id))
        .where(Application.seeker_id == seeker.id, Application.vacancy_id == vacancy.id,
               col(Application.status).in_(ACTIVE))
    ).first()
    if row is None:
        return None
    application_id, group_id = row
    assert application_id is not None  # a stored row's primary key
    return application_id, group_id


def _check_can_apply(session: Session, seeker: Seeker, vacancy: Vacancy, *, for_family: bool = False) -> None:
    """``for_family``: the seeker is one member of a family application, so a problem names what the family
    must do about it rather than a bare duplicate."""
    if seeker.status != "active":
        raise Conflict(f"求职者 {seeker.id} 当前不在求职状态（{seeker.status}）",
                       f"Seeker {seeker.id} is not looking for work ({seeker.status})",
                       field="seeker_id", rule="seeker_not_active", extra={"seeker_id": seeker.id})
    existing = _existing_application(session, seeker, vacancy)
    if existing is None:
        return
    application_id, group_id = existing
    extra = {"seeker_id": seeker.id, "vacancy_id": vacancy.id, "application_id": application_id}
    if group_id is not None:
        # Applied for already as a family (the same tap twice, or from a second phone): nothing to withdraw.
        raise Conflict(f"全家已一起申请过岗位 {vacancy.id}（求职者 {seeker.id}，家庭申请 {group_id}），无需再次申请",
                       f"The family already applied together to vacancy {vacancy.id} (seeker {seeker.id}, "
                       f"group {group_id}); there is nothing more to do",
                       field="family_id" if for_family else "vacancy_id", rule="family_already_applied",
                       extra={**extra, "group_id": group_id})
    if for_family:
        # Applied alone first (from the phone, before the family did): say who, which application, what to do.
        raise Conflict(f"家庭成员（求职者 {seeker.id}）已单独申请岗位 {vacancy.id}（申请 {application_id}）："
                       "请先撤回这份申请，再为全家一起申请",
                       f"Family member {seeker.id} already applied on their own to vacancy {vacancy.id} "
                       f"(application {application_id}): withdraw it, then apply as a family",
                       field="members", rule="member_already_applied", extra=extra)
    raise Conflict(f"求职者 {seeker.id} 已申请过岗位 {vacancy.id}",
                   f"Seeker {seeker.id} already applied to vacancy {vacancy.id}",
                   field="vacancy_id", rule="duplicate_application", extra={"application_id": application_id})


def applications_query(caller: Caller, status: str | None, vacancy_id: int | None,
                       seeker_id: int | None) -> SelectOfScalar[Application]:
    query = select(Application)
    if caller.role == "station":
        query = query.where(Application.station_id == caller.station_id)
    elif caller.role == "employer":
        query = query.where(Application.employer_id == caller.employer_id)
    elif caller.role == "seeker":
        query = query.where(Application.seeker_id == caller.seeker_id)
    if status:
        query = query.where(Application.status == status)
    if vacancy_id is not None:
        query = query.where(Application.vacancy_id == vacancy_id)
    if seeker_id is not None:
        query = query.where(Application.seeker_id == seeker_id)
    return query


def application_public(session: Session, caller: Caller, application: Application) -> ApplicationPublic:
    vacancy = session.get(Vacancy, application.vacancy_id)
    employer = session.get(Employer, application.employer_id)
    group = session.get(ApplicationGroup, application.group_id) if application.group_id else None
    history = session.exec(select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)
                           .order_by(col(ApplicationEvent.id))).all()
    placement_id = session.exec(select(Placement.id).where(Placement.application_id == application.id)).first()
    public = ApplicationPublic.model_validate(application)
    public.family_id = group.family_id if group else None
    public.vacancy_title = vacancy.title if vacancy else None
    public.employer_name = employer.name if employer else None
    public.placement_id = placement_id
    # A seeker sees its relatives' applications (in the family's answer and moves) but may act only on its
    # own: any move on a relative's answers 404, so offer none.
    others = caller.role == "seeker" and application.seeker_id != caller.seeker_id
    public.allowed = [] if others else allowed_for(caller, application.status)
    public.history = [ApplicationEventPublic.model_validate(e) for e in history]
    if caller.role == "employer":
        seeker = session.get(Seeker, application.seeker_id)
        public.candidate = employer_view(session, seeker) if seeker else None
    return public


def public_list(session: Session, caller: Caller, rows: Sequence[Application]) -> list[ApplicationPublic]:
    return [application_public(session, caller, a) for a in rows]
