"""Bulk posting of an employer's vacancies: every row goes through `VacancyCreate` and `create_vacancy`.

An employer posts tens or hundreds of vacancies, not a hundred thousand, so each row is created through
the service in a savepoint of its own (events and `updated_at` stamps come from the usual flush hooks);
`validate` rolls each savepoint back, `atomic` rolls everything back when a row is bad.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from app.errors import AppError, describe_errors
from app.imports.columns import SKILL_LEVELS, Column, ColumnMap, RegionNames, display, read_cells, skills_of
from app.imports.report import ImportReport, RowError
from app.imports.seekers import ImportOptions
from app.models.employer import Employer
from app.models.region import Region
from app.models.vacancy import VacancyCreate
from app.services.vacancies import create_vacancy

_YES_NO = ("是", "否")
_STATUS = {"草稿": "draft", "发布": "open", "招聘中": "open", "开放": "open", "暂停": "paused", "关闭": "closed"}

VACANCY_COLUMNS: tuple[Column, ...] = (
    Column("title", "岗位名称", ("职位名称", "岗位", "职位"), required=True, sample="示例-电焊工",
           note="以“示例”开头的行不会导入"),
    Column("occupation", "工种", ("职业", "岗位工种"), sample="电焊工", note="空则与岗位名称相同"),
    Column("skills", "技能要求", ("所需技能", "技能"), "list", sample="电焊工（中级）", note="多个用顿号分隔"),
    Column("skill_level", "技能等级", ("等级",), "level", choices=SKILL_LEVELS),
    Column("certificates", "证书要求", ("所需证书", "证书"), "list", sample="焊工证"),
    Column("headcount", "招聘人数", ("人数", "需求人数"), "int", required=True, sample="10"),
    Column("district", "工作地点", ("用工区域", "工作区域", "所在区县", "工作区县"), required=True, sample="北仑区",
           note="宁波的区县名称或代码"),
    Column("pay_min", "最低月薪", ("月薪下限", "工资下限"), "int", sample="5000"),
    Column("pay_max", "最高月薪", ("月薪上限", "工资上限"), "int", sample="7000"),
    Column("pay_range", "月薪范围", ("薪资范围", "月薪"), note="如 5000-7000；也可分别填最低、最高月薪"),
    Column("shifts", "班次", ("工作班次",), sample="两班倒"),
    Column("housing", "包住", ("提供住宿", "住宿"), "bool", choices=_YES_NO, sample="是"),
    Column("meals", "包吃", ("提供餐食", "餐食"), "bool", choices=_YES_NO, sample="是"),
    Column("caring_post", "爱心岗位", ("是否爱心岗位",), "bool", choices=_YES_NO, sample="否"),
    Column("couple", "夫妻岗", ("夫妻岗位数",), "int", sample="2"),
    Column("father_son", "父子岗", ("父子岗位数",), "int"),
    Column("brothers", "兄弟岗", ("兄弟岗位数",), "int"),
    Column("start_date", "到岗日期", ("开始日期", "用工开始日期"), "date"),
    Column("valid_until", "有效期至", ("截止日期", "有效期"), "date", note="空则默认30天"),
    Column("status", "状态", ("发布状态",), choices=tuple(_STATUS), note="空为招聘中"),
    Column("description", "岗位描述", ("岗位说明", "备注"), sample="五险一金，夫妻宿舍"),
)
_FIELD_COLUMN = {"district_code": "district", "family_posts": "couple"}


def import_vacancies(session: Session, employer: Employer, cmap: ColumnMap, rows: Iterator[tuple[int, list[Any]]],
                     options: ImportOptions) -> ImportReport:
    report = ImportReport("vacancies", options.mode, options.atomic)
    report.warnings = [f"未识别的列“{h}”已忽略" for h in cmap.unknown]
    names = RegionNames(list(session.exec(select(Region)).all()))
    outer = session.begin_nested() if options.mode == "commit" and options.atomic else None
    for number, cells in rows:
        payload = _payload(number, cells, cmap, names, report)
        if payload is None:
            continue
        try:
            data = VacancyCreate.model_validate(payload)
        except ValidationError as exc:
            for err in describe_errors(exc.errors()):
                _error(report, cmap, number, cells, err["field"], err["rule"], err["message_zh"], err["message"])
            continue
        savepoint = session.begin_nested()
        try:
            vacancy = create_vacancy(session, employer, data)
        except AppError as exc:
            savepoint.rollback()
            _error(report, cmap, number, cells, exc.field or "", exc.rule or exc.code, exc.detail_zh, exc.detail_en)
            continue
        if options.mode == "validate" or (options.atomic and report.errors):
            savepoint.rollback()
            continue
        savepoint.commit()
        assert vacancy.id is not None
        report.created.append({"row": number, "id": vacancy.id})
        report.stored += 1
    if outer is not None:
        if report.errors:
            outer.rollback()
            report.stored, report.created = 0, []
        else:
            outer.commit()
    elif options.mode == "commit" and options.checkpoint:
        options.checkpoint()
    return report


def _payload(number: int, cells: list[Any], cmap: ColumnMap, names: RegionNames,
             report: ImportReport) -> dict[str, Any] | None:
    values, cell_errors = read_cells(cells, cmap)
    if str(values.get("title", "")).startswith("示例"):
        report.skipped += 1
        report.skipped_rows.add(number)
        return None
    report.rows += 1
    for key, exc in cell_errors:
        _error(report, cmap, number, cells, key, exc.rule, exc.message_zh, exc.message_en)
    if cell_errors:
        return None
    payload: dict[str, Any] = {k: values[k] for k in ("title", "occupation", "certificates", "headcount", "pay_min",
                                                      "pay_max", "shifts", "housing", "meals", "caring_post",
                                                      "start_date", "valid_until", "description") if k in values}
    payload.setdefault("occupation", values.get("title"))
    if "district" in values:
        payload["district_code"] = names.resolve(values["district"])
    if "skills" in values:
        payload["skills"] = skills_of(values["skills"], values.get("skill_level"), None)
    posts = {kind: values[kind] for kind in ("couple", "father_son", "brothers") if kind in values}
    if posts:
        payload["family_posts"] = posts
    if "status" in values:
        payload["status"] = _STATUS.get(values["status"], values["status"])
    if "pay_range" in values and ("pay_min" not in payload or "pay_max" not in payload):
        low, sep, high = str(values["pay_range"]).replace("~", "-").replace("—", "-").replace("至", "-").partition("-")
        if not sep or not low.strip().isdigit() or not high.strip().isdigit():
            _error(report, cmap, number, cells, "pay_range", "pay_range_format", "月薪范围应写成 5000-7000",
                   "pay range must look like 5000-7000")
            return None
        payload.setdefault("pay_min", int(low))
        payload.setdefault("pay_max", int(high))
    return payload


def _error(report: ImportReport, cmap: ColumnMap, number: int, cells: list[Any], field: str, rule: str, zh: str,
           en: str) -> None:
    head = field.split(".")[0]
    key = "skill_level" if field.startswith("skills.") and field.endswith(".level") else _FIELD_COLUMN.get(head, head)
    if key in ("pay_min", "pay_max") and key not in cmap.by_key and "pay_range" in cmap.by_key:
        key = "pay_range"
    index = cmap.by_key.get(key)
    raw = cells[index] if index is not None and index < len(cells) else None
    prefix = f"{field}："
    report.add(RowError(number, cmap.header_of(key), key, display(cmap.columns.get(key), raw), rule,
                        zh.removeprefix(prefix), en.removeprefix(f"{field}: "), index))
