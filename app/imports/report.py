"""The import report: every bad row with its column, value (masked if sensitive), rule and Chinese message,
as JSON and as a workbook with the errors beside the rows, for the clerk to fix in Excel and send again.

The workbook holds the rows as the clerk sent them (they are the clerk's own and are not kept by the
service) followed by 原行号 / 导入结果 / 错误说明, the bad cells filled red; a second sheet lists the
errors with masked values, a third the totals. Validate and atomic imports list every row; a non-atomic
commit lists only the rows that were not stored, so the clerk sends back just those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from app.imports.columns import REPORT_COLUMNS
from app.imports.xlsx import STYLE_BOLD, STYLE_RED, WorkbookWriter

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DUPLICATE_RULES = ("duplicate_person", "duplicate_in_file")


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    field: str | None
    value: str
    rule: str
    message: str
    message_en: str
    column_index: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "field": self.field, "value": self.value,
                "rule": self.rule, "message": self.message, "message_en": self.message_en}


@dataclass
class ImportReport:
    kind: str
    mode: str
    atomic: bool
    rows: int = 0
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0
    families_found: int = 0
    families_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created: list[dict[str, int]] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    skipped_rows: set[int] = field(default_factory=set)
    bad_families: set[str] = field(default_factory=set)

    def add(self, error: RowError) -> None:
        self.errors.append(error)
        self.bad_rows.add(error.row)
        if error.rule in _DUPLICATE_RULES:
            self.duplicates += 1

    def mark(self) -> tuple[int, int]:
        return len(self.errors), self.stored

    def rewind(self, mark: tuple[int, int], *, keep_errors: bool = False) -> None:
        """Undo what a rolled-back savepoint counted (and, unless kept, the errors it reported)."""
        count, self.stored = mark
        if not keep_errors and len(self.errors) > count:
            del self.errors[count:]
            self.bad_rows = {e.row for e in self.errors}
            self.duplicates = sum(1 for e in self.errors if e.rule in _DUPLICATE_RULES)

    @property
    def rejected(self) -> int:
        return len(self.bad_rows)

    @property
    def outcome(self) -> str:
        if self.mode == "validate":
            return "invalid" if self.errors else "valid"
        if self.errors:
            return "rejected" if self.atomic else "partial"
        return "committed"

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": self.kind,
            "mode": self.mode,
            "atomic": self.atomic,
            "outcome": self.outcome,
            "rows": self.rows,
            "valid": self.rows - self.rejected,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "stored": self.stored,
            "skipped": self.skipped,
            "errors": [e.to_json() for e in sorted(self.errors, key=lambda e: (e.row, e.column_index or 0))],
            "warnings": self.warnings,
        }
        if self.kind == "seekers":
            body["families"] = {"found": self.families_found, "created": self.families_created,
                                "rejected": len(self.bad_families)}
        else:
            body["created"] = self.created
        return body

    def status_of(self, row: int) -> str:
        if row in self.skipped_rows:
            return "已跳过（示例行）"
        if row in self.bad_rows:
            return "有错误" if self.mode == "validate" else "有错误，未导入"
        if self.mode == "validate":
            return "校验通过"
        return "未导入（整批回退）" if self.outcome == "rejected" else "已导入"

    def lists_row(self, row: int) -> bool:
        return self.mode == "validate" or self.atomic or row in self.bad_rows


def write_workbook(report: ImportReport, header: list[Any], rows: Iterable[tuple[int, list[Any]]],
                   out: IO[bytes]) -> None:
    """Stream the report workbook, one row in memory at a time."""
    by_row: dict[int, list[RowError]] = {}
    for error in report.errors:
        by_row.setdefault(error.row, []).append(error)
    width = len(header)
    bold = dict.fromkeys(range(width + len(REPORT_COLUMNS)), STYLE_BOLD)
    workbook = WorkbookWriter(out)
    with workbook.sheet("数据", widths=[14] * width + [8, 14, 60]) as data:
        data.append([*header, *REPORT_COLUMNS], bold)
        for number, cells in rows:
            if not report.lists_row(number):
                continue
            errors = by_row.get(number, [])
            styles = {e.column_index: STYLE_RED for e in errors if e.column_index is not None}
            if errors:
                styles[width + 2] = STYLE_RED
            message = "；".join(f"{e.column}：{e.message}" for e in errors)
            padded = list(cells[:width]) + [None] * (width - len(cells))
            data.append([*padded, number, report.status_of(number), message or None], styles)
    with workbook.sheet("错误清单", widths=[8, 14, 22, 24, 60]) as listing:
        listing.append(["行号", "列", "值（已脱敏）", "规则", "说明"], dict.fromkeys(range(5), STYLE_BOLD))
        for error in sorted(report.errors, key=lambda e: (e.row, e.column_index or 0)):
            listing.append([error.row, error.column, error.value, error.rule, error.message])
    with workbook.sheet("汇总", widths=[14, 14]) as summary:
        body = report.to_json()
        for label, key in (("导入类型", "kind"), ("模式", "mode"), ("整批导入", "atomic"), ("结果", "outcome"),
                           ("数据行数", "rows"), ("通过", "valid"), ("有错误", "rejected"), ("重复", "duplicates"),
                           ("已保存", "stored"), ("跳过", "skipped")):
            summary.append([label, str(body[key])])
    workbook.close()
