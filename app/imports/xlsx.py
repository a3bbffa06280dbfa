"""A small, fast .xlsx row reader and writer for big sheets.

openpyxl is kept for what needs its breadth (templates with data validation), but without lxml its
per-cell Python work makes 100,000 rows take minutes. Rows are plain XML in a zip, so this module reads
them with the C expat parser (`iterparse`, one row in memory, shared strings and date styles resolved)
and writes them as inline strings straight into the zip entry. Formulas are read by their cached values.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from html import unescape
from typing import IO, Any
from xml.etree.ElementTree import iterparse
from xml.sax.saxutils import escape

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel, to_excel

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAX_ROWS = 1_048_576  # Excel's own limit; anything beyond is not a spreadsheet a clerk made


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class XlsxStructureError(ValueError):
    pass


def read_rows(file: IO[bytes]) -> Generator[tuple[int, list[Any]], None, None]:
    """(row number, values) of the first worksheet; missing cells are None."""
    with zipfile.ZipFile(file) as archive:
        path = _first_sheet(archive)
        strings = _shared_strings(archive)
        dates = _date_styles(archive)
        with archive.open(path) as stream:
            head = stream.read(_CHUNK)
            plain = b"<sheetData" in head or (b"<sheetData" not in head and b":sheetData" not in head)
        with archive.open(path) as stream:
            # Rows as Excel, WPS, LibreOffice and openpyxl write them are matched by regular expressions,
            # several times faster than an XML parser's events; prefixed XML goes through the parser.
            rows = _matched_rows(stream, strings, dates) if plain else _sheet_rows(stream, strings, dates)
            yield from rows


_CHUNK = 1 << 20
_ROW = re.compile(rb"<row\b([^>]*)>(.*?)</row>|<row\b([^>]*)/>", re.S)
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_V = re.compile(rb"<v>([^<]*)</v>")
_T = re.compile(rb"<t(?:\s[^>]*)?>([^<]*)</t>")


def _matched_rows(stream: IO[bytes], strings: list[str], dates: set[int]) -> Iterator[tuple[int, list[Any]]]:
    buffer = b""
    number = 0
    while True:
        chunk = stream.read(_CHUNK)
        buffer += chunk
        end = buffer.rfind(b"</row>")
        cut = end + 6 if end >= 0 else 0
        if not chunk:
            cut = len(buffer)
        for match in _ROW.finditer(buffer, 0, cut):
            found = _ROW_NUMBER.search(match.group(1) or match.group(3) or b"")
            number = int(found.group(1)) if found else number + 1
            if number > _MAX_ROWS:
                raise XlsxStructureError("too many rows")
            yield number, _row_values(match.group(2) or b"", strings, dates)
        buffer = buffer[cut:]
        if not chunk:
            return


# The common shapes (Excel, WPS, LibreOffice, openpyxl): one regular expression per row. A row with
# anything else (formulas, rich text, other attribute orders) goes through the general path.
_FAST_CELL = re.compile(r'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?'
                        r'(?:/>|>(?:<v>([^<]*)</v>|<is><t(?: [^>]*)?>([^<]*)</t></is>)?</c>)')
_COLUMNS: dict[str, int] = {}


def _row_values(body: bytes, strings: list[str], dates: set[int]) -> list[Any]:
    text = body.decode()
    found = _FAST_CELL.findall(text)
    if len(found) != text.count("<c "):
        return _general_row_values(body, strings, dates)
    values: list[Any] = []
    for letters, style, kind, raw, inline in found:
        column = _COLUMNS.get(letters)
        if column is None:
            column = _COLUMNS[letters] = _column_index(letters)
        while len(values) < column:
            values.append(None)
        if kind == "s":
            value: Any = strings[int(raw)] if raw else None
        elif kind == "inlineStr":
            value = unescape(inline) if "&" in inline else inline
        elif not raw:
            value = None
        else:
            value = _typed(unescape(raw) if "&" in raw else raw, kind or "n", int(style or 0), strings, dates)
        if column < len(values):
            values[column] = value
        else:
            values.append(value)
    return values


def _general_row_values(body: bytes, strings: list[str], dates: set[int]) -> list[Any]:
    values: dict[int, Any] = {}
    for cell in _CELL.finditer(body):
        attrs = dict(_ATTR.findall(cell.group(1)))
        ref = attrs.get(b"r")
        column = _column_index(ref.decode()) if ref else (max(values) + 1 if values else 0)
        inner = cell.group(2)
        if not inner:
            values[column] = None
            continue
        kind = attrs.get(b"t", b"n")
        if kind == b"inlineStr":
            raw: str | None = "".join(unescape(t.decode()) for t in _T.findall(inner))
        else:
            found = _V.search(inner)
            raw = unescape(found.group(1).decode()) if found else None
        values[column] = _typed(raw, kind.decode(), int(attrs.get(b"s") or 0), strings, dates)
    width = max(values) + 1 if values else 0
    return [values.get(i) for i in range(width)]


def _typed(raw: str | None, kind: str, style: int, strings: list[str], dates: set[int]) -> Any:
    if raw is None:
        return None
    if kind == "s":
        return strings[int(raw)]
    if kind in ("str", "inlineStr", "e"):
        return raw
    if kind == "b":
        return raw == "1"
    if kind == "d":
        return datetime.fromisoformat(raw)
    number: float | int = float(raw) if any(c in raw for c in ".eE") else int(raw)
    return from_excel(number) if style in dates else number


def _first_sheet(archive: zipfile.ZipFile) -> str:
    try:
        with archive.open("xl/workbook.xml") as stream:
            sheet = next((e for _, e in iterparse(stream) if _local(e.tag) == "sheet"), None)
        if sheet is None:
            raise XlsxStructureError("no worksheet")
        rel_id = sheet.get(f"{{{_REL_NS}}}id") or next((v for k, v in sheet.attrib.items() if _local(k) == "id"), "")
        with archive.open("xl/_rels/workbook.xml.rels") as stream:
            target = next(e.get("Target", "") for _, e in iterparse(stream)
                          if _local(e.tag) == "Relationship" and e.get("Id") == rel_id)
    except (KeyError, StopIteration) as exc:
        raise XlsxStructureError("workbook parts missing") from exc
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as stream:
        for _, elem in iterparse(stream):
            if _local(elem.tag) != "si":
                continue
            parts = []
            for child in elem:
                name = _local(child.tag)
                if name == "t":
                    parts.append(child.text or "")
                elif name == "r":  # rich text runs; phonetic hints (rPh) are not part of the value
                    parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
            strings.append("".join(parts))
            elem.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile) -> set[int]:
    if "xl/styles.xml" not in archive.namelist():
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    with archive.open("xl/styles.xml") as stream:
        in_xfs = False
        for event, elem in iterparse(stream, events=("start", "end")):
            name = _local(elem.tag)
            if name == "cellXfs":
                in_xfs = event == "start"
            elif event == "end" and name == "numFmt":
                custom[int(elem.get("numFmtId", "0"))] = elem.get("formatCode", "")
            elif event == "end" and name == "xf" and in_xfs:
                formats.append(int(elem.get("numFmtId", "0")))
    dates = set()
    for index, fmt_id in enumerate(formats):
        code = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "")
        if code and is_date_format(code):
            dates.add(index)
    return dates


def _column_index(ref: str) -> int:
    index = 0
    for char in ref:
        if char.isdigit():
            break
        index = index * 26 + ord(char.upper()) - 64
    return index - 1


def _sheet_rows(stream: IO[bytes], strings: list[str], dates: set[int]) -> Iterator[tuple[int, list[Any]]]:
    values: dict[int, Any] = {}
    row_number = 0
    parent = None
    for event, elem in iterparse(stream, events=("start", "end")):
        name = _local(elem.tag)
        if event == "start":
            if name == "sheetData":
                parent = elem
            elif name == "row":
                row_number = int(elem.get("r") or row_number + 1)
                if row_number > _MAX_ROWS:
                    raise XlsxStructureError("too many rows")
            continue
        if name == "c":
            ref = elem.get("r")
            column = _column_index(ref) if ref else (max(values) + 1 if values else 0)
            values[column] = _cell_value(elem, strings, dates)
        elif name == "row":
            width = max(values) + 1 if values else 0
            yield row_number, [values.get(i) for i in range(width)]
            values = {}
            elem.clear()
            if parent is not None:
                parent.remove(elem)


def _cell_value(cell: Any, strings: list[str], dates: set[int]) -> Any:
    raw = None
    for child in cell:
        name = _local(child.tag)
        if name == "v":
            raw = child.text
        elif name == "is":
            raw = "".join(t.text or "" for t in child.iter() if _local(t.tag) == "t")
    return _typed(raw, cell.get("t", "n"), int(cell.get("s") or 0), strings, dates)


# ---- writing ----

STYLE_DATE, STYLE_DATETIME, STYLE_BOLD, STYLE_RED, STYLE_TEXT = 1, 2, 3, 4, 5
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _letters(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


class SheetWriter:
    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._row = 0

    def append(self, values: Sequence[Any], styles: dict[int, int] | None = None) -> None:
        """One row; `styles` maps a column index to STYLE_* (dates get theirs by themselves)."""
        self._row += 1
        parts = [f'<row r="{self._row}">']
        for index, value in enumerate(values):
            if value is None:
                continue
            style = (styles or {}).get(index, 0)
            ref = f"{_letters(index)}{self._row}"
            if isinstance(value, bool):
                parts.append(f'<c r="{ref}" t="b"{_s(style)}><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                parts.append(f'<c r="{ref}"{_s(style)}><v>{value}</v></c>')
            elif isinstance(value, date):
                style = style if style == STYLE_RED else (STYLE_DATETIME if isinstance(value, datetime) else STYLE_DATE)
                parts.append(f'<c r="{ref}"{_s(style)}><v>{to_excel(value)}</v></c>')
            else:
                text = escape(_xml_safe(str(value)))
                parts.append(f'<c r="{ref}" t="inlineStr"{_s(style)}><is><t xml:space="preserve">{text}</t></is></c>')
        parts.append("</row>")
        self._stream.write("".join(parts).encode())


def _s(style: int) -> str:
    return f' s="{style}"' if style else ""


def _xml_safe(text: str) -> str:
    # Control characters are not allowed in XML 1.0; a pasted cell may hold them.
    return "".join(c for c in text if c >= " " or c in "\t\n\r")


class WorkbookWriter:
    """Sheets written one after another, each streamed into its zip entry."""

    def __init__(self, out: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
        self._sheets: list[str] = []

    @contextmanager
    def sheet(self, title: str, widths: Iterable[float] = ()) -> Iterator[SheetWriter]:
        self._sheets.append(title)
        with self._zip.open(f"xl/worksheets/sheet{len(self._sheets)}.xml", "w", force_zip64=True) as stream:
            stream.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                         b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                           for i, w in enumerate(widths, start=1))
            if cols:
                stream.write(f"<cols>{cols}</cols>".encode())
            stream.write(b"<sheetData>")
            yield SheetWriter(stream)
            stream.write(b"</sheetData></worksheet>")

    def close(self) -> None:
        names = self._sheets
        sheets = "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, len(names) + 1))
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                            for i in range(1, len(names) + 1))
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        pkg = "http://schemas.openxmlformats.org/package/2006"
        self._zip.writestr("[Content_Types].xml", f'{head}<Types xmlns="{pkg}/content-types">'
                           '<Default Extension="rels" ContentType="application/'
                           'vnd.openxmlformats-package.relationships+xml"/>'
                           '<Default Extension="xml" ContentType="application/xml"/>'
                           '<Override PartName="/xl/workbook.xml" ContentType="application/'
                           'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                           '<Override PartName="/xl/styles.xml" ContentType="application/'
                           'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                           f"{overrides}</Types>")
        self._zip.writestr("_rels/.rels", f'{head}<Relationships xmlns="{pkg}/relationships">'
                           f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
                           "</Relationships>")
        self._zip.writestr("xl/workbook.xml", f'{head}<workbook xmlns="http://schemas.openxmlformats.org/'
                           f'spreadsheetml/2006/main" xmlns:r="{_REL_NS}"><sheets>{sheets}</sheets></workbook>')
        styles_rel = f'<Relationship Id="rId{len(names) + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
        self._zip.writestr("xl/_rels/workbook.xml.rels", f'{head}<Relationships xmlns="{pkg}/relationships">'
                           f"{rels}{styles_rel}</Relationships>")
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.close()
