"""Template workbooks: the header a clerk fills in, one sample row, drop-down lists and a sheet of notes.

The sample row's name starts with 示例, so a template sent back with the sample still in it imports
only the clerk's rows. ID and phone columns are formatted as text, so Excel keeps all 18 digits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from app.imports.columns import Column
from app.validation.identity import make_resident_id

_ROWS = 2000  # rows the drop-down lists and text formats cover
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")


def write_template(out: IO[bytes], columns: Sequence[Column], *, sheet: str,
                   lists: dict[str, list[str]]) -> None:
    """`lists` gives long choice lists (region names) by column key; they live on a hidden sheet."""
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = sheet
    hidden = workbook.create_sheet("选项")
    hidden.sheet_state = "hidden"
    notes = workbook.create_sheet("填写说明")

    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = data.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        if column.required:
            cell.fill = _REQUIRED_FILL
        data.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        sample = _sample(column)
        data.cell(row=2, column=index, value=sample)
        if column.kind in ("id_number", "phone"):
            for row in range(2, _ROWS + 2):
                data.cell(row=row, column=index).number_format = "@"
        validation = _validation(column, index, hidden, lists.get(column.key))
        if validation is not None:
            validation.add(f"{letter}2:{letter}{_ROWS + 1}")
            data.add_data_validation(validation)
    data.freeze_panes = "A2"

    notes.append(["列名", "必填", "说明", "可选值"])
    for column in columns:
        choices = "、".join(column.choices) if column.choices else ("见下拉列表" if column.key in lists else "")
        notes.append([column.header, "是" if column.required else "", column.note, choices])
    notes.append([])
    notes.append(["第2行是示例：姓名或岗位名称以“示例”开头的行不会导入，可直接覆盖或删除。"])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["C"].width = 48
    workbook.save(out)


def _sample(column: Column) -> str | date | None:
    if column.kind == "id_number":
        return make_resident_id("522325", date(1990, 5, 1), 12, "male")
    if column.kind == "date" and column.sample:
        return date.fromisoformat(column.sample)
    return column.sample or None


def _validation(column: Column, index: int, hidden: object, names: list[str] | None) -> DataValidation | None:
    if names:
        # Long lists go on the hidden sheet; a list typed inline is limited to 255 characters.
        from openpyxl.worksheet.worksheet import Worksheet

        assert isinstance(hidden, Worksheet)
        for row, name in enumerate(names, start=1):
            hidden.cell(row=row, column=index, value=name)
        letter = get_column_letter(index)
        ref = f"{quote_sheetname('选项')}!${letter}$1:${letter}${len(names)}"
        # Several districts may be typed separated by 、 and origins are open-ended: suggest, do not refuse.
        return DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=False)
    if column.choices:
        return DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle=column.header, error="请从下拉列表中选择")
    if column.kind == "date":
        return DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                              showErrorMessage=True, errorTitle=column.header, error="请填写日期，如 2025-03-01")
    if column.kind == "int":
        return DataValidation(type="whole", operator="between", formula1="0", formula2="200000", allow_blank=True,
                              showErrorMessage=True, errorTitle=column.header, error="请填写整数")
    return None
