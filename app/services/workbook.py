"""Downloads for the bureau, which works in Excel: CSV (UTF-8 with BOM, so Excel reads the Chinese) and
.xlsx workbooks. Headers are Chinese; numbers stay numbers and dates stay dates."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import quote

from fastapi import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.clock import SHANGHAI

ExportFormat = Literal["json", "csv", "xlsx"]
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[tuple[str, str]]  # (key in each row, Chinese header)
    rows: Sequence[Mapping[str, Any]]


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        # Excel has no time zones: the bureau reads China time.
        return value.astimezone(SHANGHAI).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return value


def to_csv(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for _, header in sheet.columns])
    for row in sheet.rows:
        writer.writerow(["" if (v := _cell(row.get(key))) is None else v for key, _ in sheet.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheets: Iterable[Sheet]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for sheet in sheets:
        ws = workbook.create_sheet(title=sheet.title[:31])
        ws.append([header for _, header in sheet.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([_cell(row.get(key)) for key, _ in sheet.columns])
        for index, (key, header) in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            width = max([len(header) * 2] + [len(str(row.get(key) or "")) for row in sheet.rows[:200]])
            ws.column_dimensions[letter].width = min(40, max(8, width + 2))
            if any(isinstance(row.get(key), date) for row in sheet.rows[:5]):
                for cell in ws[letter][1:]:
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(filename: str, fmt: ExportFormat, sheets: Sequence[Sheet]) -> Response:
    """The first sheet as CSV, or every sheet in one workbook."""
    if fmt == "csv":
        content, media_type, name = to_csv(sheets[0]), CSV_MEDIA_TYPE, f"{filename}.csv"
    else:
        content, media_type, name = to_xlsx(sheets), XLSX_MEDIA_TYPE, f"{filename}.xlsx"
    disposition = f"attachment; filename=\"{quote(name)}\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})
