"""Building upload files the way clerks make them: CSV in UTF-8 or GBK, or .xlsx workbooks."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.workbook.workbook import Workbook as LoadedWorkbook

from tests.factories import mobile, resident_id

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ("姓名", "身份证号", "手机号", "户籍地", "是否建档立卡", "技能", "技能等级", "证书", "意向区域", "期望月薪",
          "可到岗日期", "同意匹配", "同意推送", "家庭编号", "亲情岗位")


def person(name: str = "王小明", *, sex: str = "male", birth: date | None = None, **cells: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"姓名": name, "身份证号": resident_id("522325", birth, sex), "手机号": mobile(),
                           "户籍地": "贞丰县", "是否建档立卡": "否", "技能": "电焊工、叉车司机", "技能等级": "中级",
                           "证书": "焊工证", "意向区域": "北仑区、镇海区", "期望月薪": "6000",
                           "可到岗日期": "2025-03-01", "同意匹配": "是", "同意推送": "是"}
    row.update(cells)
    return row


def csv_bytes(rows: Sequence[dict[str, Any]], header: Sequence[str] = HEADER, encoding: str = "utf-8") -> bytes:
    lines = [",".join(header)]
    lines += [",".join(str(r.get(h, "") if r.get(h) is not None else "") for h in header) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: Sequence[dict[str, Any]], header: Sequence[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for r in rows:
        sheet.append([r.get(h) for h in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def open_xlsx(content: bytes) -> LoadedWorkbook:
    return load_workbook(io.BytesIO(content))


def upload(name: str, content: bytes, mime: str = "text/csv") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, content, mime)}
