"""The Chinese column headers a clerk types, and turning cells into typed values with Chinese errors.

Headers are matched after NFKC folding, with spaces, a leading or trailing `*` (required marks) and a
bracketed note (`期望月薪（元）`) removed, so `* 身份证号码 (必填)` is 身份证号. The README lists them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app.validation.identity import mask_resident_id
from app.validation.mobile import mask_mobile

YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "有", "需要", "同意", "包"})
NO = frozenset({"否", "n", "no", "false", "0", "×", "✗", "无", "不需要", "不同意", "不包"})
SKILL_LEVELS = ("初级", "中级", "高级", "技师", "高级技师")
FAMILY_KINDS = {"夫妻": "couple", "父子": "father_son", "兄弟": "brothers", "其他": "other"}
FAMILY_KIND_ZH = {v: k for k, v in FAMILY_KINDS.items()}
# Columns the error workbook adds; a clerk sends the workbook back with them, so they are ignored quietly.
REPORT_COLUMNS = ("原行号", "导入结果", "错误说明")

_LIST_SEPARATORS = re.compile(r"[、,，;；/|\n]+")
_BRACKETED = re.compile(r"[(（\[【].*?[)）\]】]")
_INLINE_LEVEL = re.compile(r"^(.+?)\s*[(（:：]\s*(初级|中级|高级|技师|高级技师)\s*[)）]?$")
# 2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日, 20250301, and a time after any of them.
_DATE = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{2})(\d{2}))(?:[ T].*)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


class CellError(ValueError):
    def __init__(self, rule: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.rule, self.message_zh, self.message_en = rule, message_zh, message_en


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # text, int, bool, date, list, level, family_kind, id_number, phone
    required: bool = False
    sensitive: bool = False
    choices: tuple[str, ...] = ()
    note: str = ""
    sample: str = ""


def normalize_header(text: Any) -> str:
    value = unicodedata.normalize("NFKC", str(text or "")).strip()
    value = _BRACKETED.sub("", value).strip().strip("*").strip()
    return re.sub(r"\s+", "", value).lower()


@dataclass
class ColumnMap:
    """Which source column holds which field; unknown headers are warned about and ignored."""

    by_key: dict[str, int]
    columns: dict[str, Column]
    header: list[str]
    unknown: list[str]
    _plan: list[tuple[str, int, Callable[[Any], Any]]] | None = None

    @property
    def plan(self) -> list[tuple[str, int, Callable[[Any], Any]]]:
        """(key, source index, converter) per mapped column, worked out once per import."""
        if self._plan is None:
            self._plan = [(key, index, _CONVERTERS.get(self.columns[key].kind, _text))
                          for key, index in self.by_key.items()]
        return self._plan

    def header_of(self, key: str) -> str:
        index = self.by_key.get(key)
        if index is not None:
            return self.header[index]
        column = self.columns.get(key)
        return column.header if column else key


def map_header(header: Sequence[Any], columns: Sequence[Column]) -> ColumnMap:
    lookup: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, *column.aliases, column.key):
            lookup.setdefault(normalize_header(name), column)
    by_key: dict[str, int] = {}
    unknown: list[str] = []
    skipped = {normalize_header(h) for h in REPORT_COLUMNS}
    texts = ["" if h is None else str(h).strip() for h in header]
    for index, text in enumerate(texts):
        norm = normalize_header(text)
        if not norm or norm in skipped:
            continue
        found = lookup.get(norm)
        if found is None:
            unknown.append(text)
        elif found.key not in by_key:
            by_key[found.key] = index
    return ColumnMap(by_key, {c.key: c for c in columns}, texts, unknown)


def looks_like_header(cells: Sequence[Any], columns: Sequence[Column]) -> bool:
    known = {normalize_header(n) for c in columns for n in (c.header, *c.aliases)}
    return sum(1 for cell in cells if normalize_header(cell) in known) >= 2


def display(column: Column | None, value: Any) -> str:
    """A cell as the report shows it: sensitive values masked, never echoed."""
    if value is None:
        return ""
    text = _text(value)
    if column is None or not column.sensitive:
        return text[:200]
    if column.kind == "id_number":
        return mask_resident_id(text)
    if column.kind == "phone":
        return mask_mobile(text)
    return "*" * min(len(text), 8)


def read_cells(cells: Sequence[Any], cmap: ColumnMap) -> tuple[dict[str, Any], list[tuple[str, CellError]]]:
    """Typed values by column key (absent and empty cells left out) and the errors of cells that did not parse."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, CellError]] = []
    width = len(cells)
    for key, index, converter in cmap.plan:
        if index >= width:
            continue
        raw = cells[index]
        if raw is None or (type(raw) is str and not raw.strip()):
            continue
        try:
            values[key] = converter(raw)
        except CellError as exc:
            errors.append((key, exc))
    return values, errors


def convert(column: Column, raw: Any) -> Any:
    return _CONVERTERS.get(column.kind, _text)(raw)


def _to_list(raw: Any) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(_text(raw)) if part.strip()]


def _to_level(raw: Any) -> str:
    text = _text(raw)
    if text not in SKILL_LEVELS:
        raise CellError("level_choice", f"技能等级应为 {'/'.join(SKILL_LEVELS)} 之一",
                        f"skill level must be one of {', '.join(SKILL_LEVELS)}")
    return text


def _to_family_kind(raw: Any) -> str:
    text = _text(raw).removesuffix("岗").removesuffix("岗位")
    kind = FAMILY_KINDS.get(text) or (text if text in FAMILY_KINDS.values() else None)
    if kind is None:
        raise CellError("family_kind_choice", "亲情岗位应为 夫妻/父子/兄弟/其他 之一",
                        "family kind must be couple, father_son, brothers or other")
    return kind


def _text(raw: Any) -> str:
    if type(raw) is str:
        return (raw if raw.isascii() else unicodedata.normalize("NFKC", raw)).strip()
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime):
        raw = raw.date()
    return unicodedata.normalize("NFKC", str(raw)).strip()


def to_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise CellError("int_format", "应为整数", "must be a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise CellError("int_format", "应为整数", "must be a whole number")
    text = re.sub(r"[,，\s元人名个/月]", "", _text(raw))
    if text.endswith(".0"):
        text = text[:-2]
    if not re.fullmatch(r"-?\d+", text):
        raise CellError("int_format", "应为整数（如 5000）", "must be a whole number (e.g. 5000)")
    return int(text)


def to_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _text(raw).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError("bool_format", "应填 是 或 否", "must be yes (是) or no (否)")


def to_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 20000 < raw < 80000:
        return _EXCEL_EPOCH + timedelta(days=int(raw))  # an Excel serial day number
    text = _text(raw)
    match = _DATE.match(text)
    if match:
        try:
            year, month, day = match.group(1), match.group(2) or match.group(4), match.group(3) or match.group(5)
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise CellError("date_format", "应为日期，如 2025-03-01", "must be a date such as 2025-03-01")


def to_id_number(raw: Any) -> str:
    """Excel turns an 18-digit number typed into a General cell into a float and loses the last digits."""
    if (isinstance(raw, int | float) and not isinstance(raw, bool)) or _SCIENTIFIC.match(_text(raw)):
        raise CellError("id_stored_as_number",
                        "身份证号被 Excel 存成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写",
                        "Excel stored the ID number as a number and lost its last digits; format the column as text")
    return _text(raw)


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "int": to_int, "bool": to_bool, "date": to_date, "list": _to_list, "id_number": to_id_number,
    "phone": _text, "level": _to_level, "family_kind": _to_family_kind, "text": _text,
}


def skills_of(names: list[str], level: str | None, years: int | None) -> list[dict[str, Any]]:
    """`电焊工（中级）、叉车司机` and a 技能等级 column become skills; an inline level wins over the column."""
    skills = []
    for name in names:
        match = _INLINE_LEVEL.match(name)
        skill: dict[str, Any] = {"name": match.group(1) if match else name}
        if match or level:
            skill["level"] = match.group(2) if match else level
        if years is not None:
            skill["years"] = years
        skills.append(skill)
    return skills


class RegionNames:
    """Codes or names (`贞丰县`, `黔西南州贞丰县`, `海曙`) to region codes; unresolved text is returned as is."""

    def __init__(self, regions: Sequence[Any]) -> None:
        self.codes = {r.code for r in regions}
        names: dict[str, set[str]] = {}
        for region in regions:
            keys = {region.name}
            if len(region.name) > 2 and region.name[-1] in "区县市州":
                keys.add(region.name[:-1])
            for key in keys:
                names.setdefault(key, set()).add(region.code)
        self.unique = {name: next(iter(codes)) for name, codes in names.items() if len(codes) == 1}
        self._by_length = sorted((n for n in self.unique if len(n) >= 2), key=len, reverse=True)

    def resolve(self, text: str) -> str:
        text = text.strip()
        if text in self.codes:
            return text
        if text in self.unique:
            return self.unique[text]
        for name in self._by_length:
            if text.endswith(name):
                return self.unique[name]
        return text
