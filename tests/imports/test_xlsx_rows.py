"""The fast .xlsx reader reads what openpyxl reads; the writer writes what openpyxl opens."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

from app.imports.columns import to_date
from app.imports.readers import detect_encoding
from app.imports.xlsx import STYLE_RED, WorkbookWriter, read_rows


def _trim(values: list[object]) -> list[object]:
    values = list(values)
    while values and values[-1] is None:
        values.pop()
    return values


def test_the_reader_agrees_with_openpyxl() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "数据"
    sheet.append(["姓名", "数字", "小数", "日期", "真假", "公式", "空", "尾"])
    sheet.append(["王<小>&明", 13800138000, 1.5, datetime(2025, 3, 1), True, "=1+1", None, "x"])
    sheet.append([None, None, None, None, None, None, None, None])
    sheet.append(["  空格  ", "0012", -3, date(1990, 1, 31), False, '="a"&"b"', None, None])
    sheet["K5"] = "far right"
    workbook.create_sheet("第二页").append(["not read"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    mine = list(read_rows(io.BytesIO(buffer.getvalue())))
    reference = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True, data_only=True)
    expected = [list(r) for r in reference.worksheets[0].iter_rows(values_only=True)]
    assert [(n, _trim(v)) for n, v in mine if _trim(v)] == [
        (i, _trim(v)) for i, v in enumerate(expected, start=1) if _trim(v)
    ]
    assert mine[0][0] == 1 and mine[-1][0] == 5


def test_the_writer_makes_a_workbook_openpyxl_opens() -> None:
    buffer = io.BytesIO()
    writer = WorkbookWriter(buffer)
    with writer.sheet("结果", widths=[10, 20]) as sheet:
        sheet.append(["a & <b>", 3, 2.5, date(2025, 3, 1), datetime(2025, 3, 1, 8, 30), True, None, "\x01控制"],
                     {0: STYLE_RED})
    with writer.sheet("第二") as sheet:
        sheet.append(["x"])
    writer.close()
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    assert workbook.sheetnames == ["结果", "第二"]
    row = [c.value for c in workbook["结果"][1]]
    assert row[:6] == ["a & <b>", 3, 2.5, datetime(2025, 3, 1), datetime(2025, 3, 1, 8, 30), True]
    assert row[7] == "控制"
    assert workbook["结果"]["A1"].fill.fgColor.rgb == "FFFFC7CE"
    assert next(read_rows(io.BytesIO(buffer.getvalue())))[1][0] == "a & <b>"


def test_encodings_and_dates_clerks_type() -> None:
    assert detect_encoding("姓名,身份证号".encode("gbk")) == "gb18030"
    assert detect_encoding("姓名,身份证号".encode()) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + "姓名".encode()) == "utf-8-sig"
    assert detect_encoding("姓名".encode()[:-1]) == "utf-8"  # a character cut by the sample's end
    for text in ("2025-03-01", "2025/3/1", "2025.3.1", "2025年3月1日", "20250301", "2025-03-01 00:00:00"):
        assert to_date(text) == date(2025, 3, 1)
