"""Workbook exports: a station's seekers, families, applications and placements; an employer's applicants.

Streamed into the workbook from rows fetched in batches, so a station with a hundred
thousand seekers exports in bounded memory. ID and phone numbers (and registered-poor evidence) are
masked unless the owning station asks for the full export, which is audited. An employer's sheet holds
only what an employer may know of a seeker (张*, age, origin, skills): never numbers or poverty status.
The seekers sheet uses the import's column headers, so an export can be edited and imported elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO, Any

from sqlalchemy import Table, select
from sqlmodel import Session

from app.auth import Caller
from app.clock import today_shanghai
from app.db import metadata
from app.imports.columns import FAMILY_KIND_ZH
from app.imports.xlsx import STYLE_BOLD, WorkbookWriter
from app.models.employer import Employer
from app.models.station import Station
from app.pii import Vault
from app.services.access import audit
from app.services.seekers import mask_name
from app.validation.identity import age_on

_BATCH = 1000
_SEX_ZH = {"male": "男", "female": "女"}
_STATUS_ZH = {"active": "求职中", "placed": "已就业", "inactive": "停用"}
SEEKER_HEADER = ("编号", "姓名", "身份证号", "手机号", "性别", "出生日期", "户籍地", "户籍地名称", "是否建档立卡",
                 "建档立卡证明编号", "技能", "证书", "意向区域", "期望月薪", "可到岗日期", "同意匹配", "同意推送",
                 "状态", "家庭编号", "亲情岗位", "登记时间")


def _table(name: str) -> Table | None:
    return metadata.tables.get(name)


def station_workbook(session: Session, vault: Vault, caller: Caller, station: Station, *, full: bool,
                     out: IO[bytes]) -> list[str]:
    """Write the station's workbook to `out`; returns the sheet names written."""
    if full:
        audit(session, caller, "station.export_full", "station", station.id,
              "full export: ID and phone numbers of all the station's seekers")
    workbook = WorkbookWriter(out)
    _sheet(workbook, "求职者", SEEKER_HEADER, _seeker_rows(session, vault, station, full))
    _sheet(workbook, "家庭", ("家庭编号", "亲情岗位", "成员编号", "成员姓名", "必须同企业", "需要夫妻宿舍", "登记时间"),
           _family_rows(session, station))
    sheets = ["求职者", "家庭"]
    if _table("application") is not None:
        _sheet(workbook, "求职申请", ("申请编号", "求职者编号", "姓名", "岗位编号", "岗位名称", "企业", "状态",
                                   "到岗日期", "申请时间"), _application_rows(session, station))
        sheets.append("求职申请")
    if _table("placement") is not None:
        _sheet(workbook, "安置记录", ("安置编号", "求职者编号", "姓名", "企业", "岗位名称", "到岗日期", "状态",
                                   "离职日期", "离职原因"), _placement_rows(session, station))
        sheets.append("安置记录")
    workbook.close()
    return sheets


def applicants_workbook(session: Session, employer: Employer, out: IO[bytes]) -> None:
    application, seeker, vacancy, region = (_table(n) for n in ("application", "seeker", "vacancy", "region"))
    workbook = WorkbookWriter(out)
    header = ("申请编号", "岗位编号", "岗位名称", "求职者编号", "称呼", "年龄", "户籍地", "技能", "证书", "亲情岗位",
              "状态", "到岗日期", "申请时间")
    rows: Iterator[Sequence[Any]] = iter(())
    if application is not None and seeker is not None and vacancy is not None and region is not None:
        family = _table("family")
        assert family is not None
        query = (
            select(application.c.id, vacancy.c.id, vacancy.c.title, seeker.c.id, seeker.c.name, seeker.c.birth_date,
                   region.c.name, seeker.c.skills, seeker.c.certificates, family.c.kind, application.c.status,
                   application.c.start_date, application.c.created_at)
            .join(vacancy, vacancy.c.id == application.c.vacancy_id)
            .join(seeker, seeker.c.id == application.c.seeker_id)
            .join(region, region.c.code == seeker.c.origin_code)
            .outerjoin(family, family.c.id == seeker.c.family_id)
            .where(vacancy.c.employer_id == employer.id)
            .order_by(application.c.id)
        )
        today = today_shanghai()

        def applicant_rows() -> Iterator[Sequence[Any]]:
            for r in _stream(session, query):
                yield (r[0], r[1], r[2], r[3], mask_name(r[4]), age_on(r[5], today), r[6], _skills(r[7]),
                       "、".join(r[8] or []), FAMILY_KIND_ZH.get(r[9] or "", ""), r[10], r[11], _naive(r[12]))

        rows = applicant_rows()
    _sheet(workbook, "应聘者", header, rows)
    workbook.close()


def _seeker_rows(session: Session, vault: Vault, station: Station, full: bool) -> Iterator[Sequence[Any]]:
    seeker, region, family = _table("seeker"), _table("region"), _table("family")
    assert seeker is not None and region is not None and family is not None
    query = (
        select(seeker, region.c.name.label("origin_name"), family.c.kind.label("family_kind"))
        .join(region, region.c.code == seeker.c.origin_code)
        .outerjoin(family, family.c.id == seeker.c.family_id)
        .where(seeker.c.station_id == station.id)
        .order_by(seeker.c.id)
    )
    names = {code: name for code, name in session.execute(select(region.c.code, region.c.name))}
    for s in _stream(session, query):
        id_number = vault.decrypt(s.id_number_enc) if full else s.id_masked
        phone = vault.decrypt(s.phone_enc) if full else s.phone_masked
        evidence = s.poverty_evidence_ref if full else ("***" if s.poverty_evidence_ref else None)
        yield (s.id, s.name, id_number, phone, _SEX_ZH.get(s.sex, s.sex), s.birth_date, s.origin_code, s.origin_name,
               _yes(s.registered_poor), evidence, _skills(s.skills), "、".join(s.certificates or []),
               "、".join(names.get(c, c) for c in s.preferred_districts or []), s.expected_pay, s.available_from,
               _yes(s.consent_matching), _yes(s.consent_push), _STATUS_ZH.get(s.status, s.status), s.family_id,
               FAMILY_KIND_ZH.get(s.family_kind or "", None), _naive(s.created_at))


def _family_rows(session: Session, station: Station) -> Iterator[Sequence[Any]]:
    seeker, family = _table("seeker"), _table("family")
    assert seeker is not None and family is not None
    query = (
        select(family.c.id, family.c.kind, seeker.c.id, seeker.c.name, family.c.must_stay_together,
               family.c.needs_couple_dormitory, family.c.created_at)
        .join(seeker, seeker.c.family_id == family.c.id)
        .where(family.c.station_id == station.id)
        .order_by(family.c.id, seeker.c.id)
    )
    for r in _stream(session, query):
        yield (r[0], FAMILY_KIND_ZH.get(r[1], r[1]), r[2], r[3], _yes(r[4]), _yes(r[5]), _naive(r[6]))


def _application_rows(session: Session, station: Station) -> Iterator[Sequence[Any]]:
    application, seeker, vacancy, employer = (_table(n) for n in ("application", "seeker", "vacancy", "employer"))
    assert application is not None and seeker is not None and vacancy is not None and employer is not None
    query = (
        select(application.c.id, seeker.c.id, seeker.c.name, vacancy.c.id, vacancy.c.title, employer.c.name,
               application.c.status, application.c.start_date, application.c.created_at)
        .join(seeker, seeker.c.id == application.c.seeker_id)
        .join(vacancy, vacancy.c.id == application.c.vacancy_id)
        .join(employer, employer.c.id == vacancy.c.employer_id)
        .where(seeker.c.station_id == station.id)
        .order_by(application.c.id)
    )
    for r in _stream(session, query):
        yield (*r[:8], _naive(r[8]))


def _placement_rows(session: Session, station: Station) -> Iterator[Sequence[Any]]:
    placement, seeker, vacancy, employer = (_table(n) for n in ("placement", "seeker", "vacancy", "employer"))
    assert placement is not None and seeker is not None and vacancy is not None and employer is not None
    query = (
        select(placement.c.id, seeker.c.id, seeker.c.name, employer.c.name, vacancy.c.title, placement.c.arrived_on,
               placement.c.status, placement.c.left_on, placement.c.left_reason)
        .join(seeker, seeker.c.id == placement.c.seeker_id)
        .join(vacancy, vacancy.c.id == placement.c.vacancy_id)
        .join(employer, employer.c.id == vacancy.c.employer_id)
        .where(seeker.c.station_id == station.id)
        .order_by(placement.c.id)
    )
    for r in _stream(session, query):
        yield tuple(r)


def _stream(session: Session, query: Any) -> Iterator[Any]:
    """Rows in batches by id, not all at once: SQLite and PostgreSQL cursors alike stay small."""
    yield from session.execute(query.execution_options(yield_per=_BATCH))


def _sheet(workbook: WorkbookWriter, title: str, header: Sequence[str], rows: Iterator[Sequence[Any]]) -> None:
    with workbook.sheet(title, widths=[14] * len(header)) as sheet:
        sheet.append(list(header), dict.fromkeys(range(len(header)), STYLE_BOLD))
        for row in rows:
            sheet.append(list(row))


def _skills(skills: list[dict[str, Any]] | None) -> str:
    return "、".join(f"{s['name']}（{s['level']}）" if s.get("level") else s["name"] for s in skills or [])


def _yes(value: bool | None) -> str:
    return "是" if value else "否"


def _naive(value: Any) -> Any:
    # Excel has no time zones: show China time, as the clerks read it.
    from app.clock import SHANGHAI

    return value.astimezone(SHANGHAI).replace(tzinfo=None) if value is not None else None
