"""Reading an uploaded table lazily, row by row: .xlsx (openpyxl read-only) or .csv (UTF-8, UTF-8 with BOM,
or GBK/GB18030 as Chinese Excel writes it, detected from the first bytes).

Row numbers are the ones the clerk sees in Excel: the header row is usually 1, the first person 2.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from app.errors import ValidationFailed
from app.imports.xlsx import XlsxStructureError, read_rows

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_HEADER_SEARCH_ROWS = 10
_SNIFF_BYTES = 256 * 1024


class FileUnreadable(ValidationFailed):
    code = "import_file_invalid"
    title_zh = "文件无法读取"
    title_en = "The file cannot be read"


def unreadable(zh: str, en: str, rule: str) -> FileUnreadable:
    return FileUnreadable(zh, en, field="file", rule=rule)


class Table:
    """A header row and the data rows after it, produced lazily."""

    def __init__(self, rows: Iterator[tuple[int, list[Any]]], is_header: Callable[[Sequence[Any]], bool]) -> None:
        self._rows = rows = _guarded(rows)
        self.header: list[Any] = []
        self.header_row = 0
        seen: list[tuple[int, list[Any]]] = []
        for number, cells in rows:
            seen.append((number, cells))
            if is_header(cells):
                self.header, self.header_row = cells, number
                break
            if len(seen) >= _HEADER_SEARCH_ROWS:
                break
        if not self.header:
            raise unreadable("未找到表头行：前10行中没有可识别的列名（如 姓名、身份证号）",
                             "No header row with known column names in the first 10 rows", "header_missing")

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells) of every data row that is not entirely empty."""
        for number, cells in self._rows:
            if any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
                yield number, cells


def _guarded(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from rows
    except UnicodeDecodeError as exc:
        raise unreadable("文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx",
                         "The text encoding is not UTF-8 or GBK", "encoding") from exc
    except csv.Error as exc:
        raise unreadable("CSV 格式错误，请检查引号", "The CSV is malformed", "csv_format") from exc


def detect_format(file: IO[bytes], filename: str | None) -> str:
    head = file.read(8)
    file.seek(0)
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if head.startswith(_XLS_MAGIC) or (filename or "").lower().endswith(".xls"):
        raise unreadable("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV",
                         "Legacy .xls is not supported; save as .xlsx or CSV", "xls_unsupported")
    if not head:
        raise unreadable("文件是空的", "The file is empty", "empty")
    return "csv"


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut off by the sample's end is still UTF-8.
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    return "gb18030"  # a superset of GBK and GB2312


@contextmanager
def open_table(file: IO[bytes], filename: str | None,
               is_header: Callable[[Sequence[Any]], bool]) -> Iterator[Table]:
    file.seek(0)
    if detect_format(file, filename) == "xlsx":
        with _xlsx_rows(file) as rows:
            yield Table(rows, is_header)
    else:
        with _csv_rows(file) as rows:
            yield Table(rows, is_header)


@contextmanager
def _xlsx_rows(file: IO[bytes]) -> Iterator[Iterator[tuple[int, list[Any]]]]:
    """The fast streaming reader; openpyxl (read-only) for a workbook laid out in a way it does not know."""
    try:
        rows = read_rows(file)
        first = next(rows, None)
    except XlsxStructureError:
        with _openpyxl_rows(file) as fallback:
            yield fallback
        return
    except (zipfile.BadZipFile, ParseError, KeyError, ValueError) as exc:
        raise unreadable("无法打开 .xlsx 文件，文件可能已损坏", "The .xlsx file cannot be opened",
                         "xlsx_invalid") from exc
    try:
        yield itertools.chain([first] if first is not None else [], rows)
    finally:
        rows.close()


@contextmanager
def _openpyxl_rows(file: IO[bytes]) -> Iterator[Iterator[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike mean a broken workbook
        raise unreadable("无法打开 .xlsx 文件，文件可能已损坏", "The .xlsx file cannot be opened",
                         "xlsx_invalid") from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong size; read every row instead

        def rows() -> Iterator[tuple[int, list[Any]]]:
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
                yield number, list(values)

        yield rows()
    finally:
        workbook.close()


@contextmanager
def _csv_rows(file: IO[bytes]) -> Iterator[Iterator[tuple[int, list[Any]]]]:
    head = file.read(_SNIFF_BYTES)
    file.seek(0)
    encoding = detect_encoding(head)
    first_line = head.split(b"\n", 1)[0].decode(encoding, errors="replace")
    delimiter = max((",", "\t", ";"), key=first_line.count)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")  # type: ignore[type-var]
    try:
        reader = csv.reader(text, delimiter=delimiter)

        def rows() -> Iterator[tuple[int, list[Any]]]:
            for number, values in enumerate(reader, start=1):
                yield number, [v if v.strip() else None for v in values]

        yield rows()
    finally:
        text.detach()
