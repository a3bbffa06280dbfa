"""Bulk registration of seekers from a station's spreadsheet, with the rules of `register_seeker`.

Rows are read lazily and handled in chunks: each row goes through `SeekerCreate` and `prepare_seeker`
(the very checks of the API), the chunk's fingerprints are looked up with one IN query, and the valid
rows are inserted with one executemany (plus their `seeker.registered` outbox events). Rows sharing a
家庭编号 are held until the end of the file and stored together with their family through
`create_family`, or not at all. `validate` writes nothing; `commit` stores the valid rows (calling
`checkpoint` after each chunk so a long import neither holds the SQLite writer lock nor memory);
`commit` with `atomic` stores everything or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import insert, literal
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.clock import today_shanghai, utcnow
from app.errors import AppError, DuplicatePerson, describe_errors
from app.imports.bulk import insert_many
from app.imports.columns import (
    FAMILY_KIND_ZH,
    SKILL_LEVELS,
    Column,
    ColumnMap,
    RegionNames,
    display,
    read_cells,
    skills_of,
)
from app.imports.families import Family, Row, problem_of
from app.imports.families import store as store_families
from app.imports.report import ImportReport, RowError
from app.models.notification import OutboxEvent
from app.models.region import Region
from app.models.seeker import Seeker, SeekerCreate
from app.models.station import Station
from app.pii import Vault
from app.services.seekers import duplicate_person, prepare_seeker
from app.validation.identity import normalize_text

Mode = Literal["validate", "commit"]
_YES_NO = ("是", "否")

SEEKER_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("名字", "求职者姓名"), required=True, sample="示例-张三",
           note="以“示例”开头的行不会导入"),
    Column("id_number", "身份证号", ("身份证号码", "居民身份证号", "公民身份号码", "证件号码"), "id_number",
           required=True, sensitive=True, note="18位；请把此列设为文本格式"),
    Column("phone", "手机号", ("手机号码", "手机", "联系电话", "电话"), "phone", required=True, sensitive=True,
           sample="13800138000"),
    Column("origin", "户籍地", ("来源地", "户籍所在地", "户籍地代码", "来源地区划代码", "输出地"), required=True,
           sample="贞丰县", note="县市名称或行政区划代码"),
    Column("registered_poor", "是否建档立卡", ("建档立卡", "是否建档立卡户", "建档立卡贫困户"), "bool",
           choices=_YES_NO, sample="否"),
    Column("poverty_evidence_ref", "建档立卡证明编号", ("证明材料编号", "建档立卡编号"), sensitive=True,
           note="建档立卡为“是”时必填"),
    Column("poverty_verified_on", "建档立卡核实日期", ("核实日期",), "date"),
    Column("skills", "技能", ("工种", "技能特长", "求职工种"), "list", sample="电焊工、叉车司机",
           note="多个用顿号分隔；可写 电焊工（中级）"),
    Column("skill_level", "技能等级", ("等级",), "level", choices=SKILL_LEVELS, sample="中级"),
    Column("skill_years", "工作年限", ("从业年限",), "int", sample="3"),
    Column("certificates", "证书", ("职业资格证书", "资格证书", "证书名称"), "list", sample="焊工证"),
    Column("preferred_districts", "意向区域", ("意向工作地", "意向地区", "期望工作地点"), "list",
           sample="北仑区、镇海区", note="宁波的区县，多个用顿号分隔"),
    Column("expected_pay", "期望月薪", ("期望工资", "期望薪资", "月薪要求"), "int", sample="6000"),
    Column("available_from", "可到岗日期", ("到岗日期", "可上岗日期"), "date", sample="2025-03-01"),
    Column("consent_matching", "同意匹配", ("同意参与匹配",), "bool", choices=_YES_NO, sample="是",
           note="本人同意参与岗位匹配；空为否"),
    Column("consent_push", "同意推送", ("同意接收推送",), "bool", choices=_YES_NO, sample="是"),
    Column("family_key", "家庭编号", ("家庭成员", "家庭组", "家庭"), note="同一家庭的成员填相同编号（文件内有效）"),
    Column("family_kind", "亲情岗位", ("家庭关系", "家庭类型", "亲情岗位类型"), "family_kind",
           choices=tuple(FAMILY_KIND_ZH.values()), note="夫妻/父子/兄弟/其他"),
    Column("family_dormitory", "需要夫妻宿舍", ("夫妻宿舍",), "bool", choices=_YES_NO),
    Column("family_together", "必须同企业", ("须同企业", "一起就业"), "bool", choices=_YES_NO, note="空为是"),
)
# Where an error of a SeekerCreate field is shown.
_FIELD_COLUMN = {"origin_code": "origin", "skills": "skills", "member_ids": "family_key",
                 "needs_couple_dormitory": "family_dormitory"}
_FAMILY_KEYS = ("family_key", "family_kind", "family_dormitory", "family_together")
# Cells that become other SeekerCreate fields (origin_code, skills with levels and years).
_DERIVED = ("origin", "skills", "skill_level", "skill_years", "preferred_districts")


@dataclass
class ImportOptions:
    mode: Mode = "validate"
    atomic: bool = False
    chunk_rows: int = 2000
    checkpoint: Callable[[], None] | None = None


@dataclass
class _Parsed:
    number: int
    cells: list[Any]
    data: SeekerCreate
    family: dict[str, Any]


class SeekerImport:
    def __init__(self, session: Session, vault: Vault, station: Station, cmap: ColumnMap,
                 options: ImportOptions) -> None:
        self.session, self.station, self.cmap, self.options = session, station, cmap, options
        self.vault = _ImportVault(vault, encrypt=options.mode == "commit")
        regions = list(session.exec(select(Region)).all())
        self.regions = {r.code: r for r in regions}
        self.names = RegionNames(regions)
        self.report = ImportReport("seekers", options.mode, options.atomic)
        self.report.warnings = [f"未识别的列“{h}”已忽略" for h in cmap.unknown]
        self.seen: dict[str, int] = {}
        self.families: dict[str, Family] = {}
        self.today, self.now = today_shanghai(), utcnow()

    @property
    def writing(self) -> bool:
        # An atomic import stops writing at the first bad row: it will be rolled back anyway.
        return self.options.mode == "commit" and not (self.options.atomic and self.report.errors)

    def run(self, rows: Iterator[tuple[int, list[Any]]]) -> ImportReport:
        outer = self.session.begin_nested() if self.options.mode == "commit" and self.options.atomic else None
        while chunk := list(islice(rows, self.options.chunk_rows)):
            self._chunk(chunk)
        self._families()
        if outer is not None:
            if self.report.errors:
                outer.rollback()
                self.report.stored, self.report.families_created = 0, 0
            else:
                outer.commit()
        elif self.options.mode == "commit" and self.options.checkpoint:
            self.options.checkpoint()
        return self.report

    def _chunk(self, chunk: list[tuple[int, list[Any]]]) -> None:
        self.vault.forget()
        parsed = [item for number, cells in chunk if (item := self._parse(number, cells)) is not None]
        existing = self._registered([self._fingerprint(p.data.id_number) for p in parsed])
        ready: list[Row] = []
        for item in parsed:
            row = self._prepare(item, existing)
            family = self._family_of(item.family)
            if family is not None:
                family.all_rows.append(item.number)
                if row is None:
                    family.bad.append(item.number)
                else:
                    family.rows.append(row)
            elif row is not None:
                ready.append(row)
        if self.writing and ready:
            self.insert(ready)
            if not self.options.atomic and self.options.checkpoint:
                self.options.checkpoint()

    def _parse(self, number: int, cells: list[Any]) -> _Parsed | None:
        values, cell_errors = read_cells(cells, self.cmap)
        if str(values.get("name", "")).startswith("示例"):
            self.report.skipped += 1
            self.report.skipped_rows.add(number)
            return None
        self.report.rows += 1
        family_cells = {k: values.pop(k) for k in _FAMILY_KEYS if k in values}
        for key, exc in cell_errors:
            self._error(number, key, exc.rule, exc.message_zh, exc.message_en, cells)
        payload: dict[str, Any] = {k: v for k, v in values.items() if k not in _DERIVED}
        if "origin" in values:
            payload["origin_code"] = self.names.resolve(values["origin"])
        if "preferred_districts" in values:
            payload["preferred_districts"] = [self.names.resolve(v) for v in values["preferred_districts"]]
        if "skills" in values:
            payload["skills"] = skills_of(values["skills"], values.get("skill_level"), values.get("skill_years"))
        data = None
        if not cell_errors:
            try:
                data = SeekerCreate.model_validate(payload)
            except ValidationError as exc:
                for err in describe_errors(exc.errors()):
                    self._error(number, _column_key(err["field"]), err["rule"], err["message_zh"], err["message"],
                                cells)
        if data is None:
            family = self._family_of(family_cells)
            if family is not None:
                family.bad.append(number)
                family.all_rows.append(number)
            return None
        return _Parsed(number, cells, data, family_cells)

    def _prepare(self, item: _Parsed, existing: set[str]) -> Row | None:
        def check_new(fingerprint: str) -> None:
            if fingerprint in existing:
                raise duplicate_person()
            if fingerprint in self.seen:
                raise DuplicatePerson(f"与第 {self.seen[fingerprint]} 行是同一人（身份证号相同）",
                                      f"The same person as row {self.seen[fingerprint]}",
                                      field="id_number", rule="duplicate_in_file")

        try:
            values = prepare_seeker(item.data, self.vault, self.regions, check_new=check_new, today=self.today,
                                    now=self.now)
        except AppError as exc:
            self._error(item.number, _column_key(exc.field or ""), exc.rule or exc.code, _bare(exc.detail_zh),
                        _bare(exc.detail_en), item.cells)
            return None
        self.seen[values["id_fingerprint"]] = item.number
        return Row(item.number, values)

    def _fingerprint(self, id_number: str) -> str:
        # The number as `parse_resident_id` normalises it; an invalid one is reported by `prepare_seeker`.
        return self.vault.fingerprint(normalize_text(id_number).upper())

    def _registered(self, fingerprints: list[str]) -> set[str]:
        """Which of these people are registered already: one IN query."""
        if not fingerprints:
            return set()
        query = select(Seeker.id_fingerprint).where(col(Seeker.id_fingerprint).in_(fingerprints))
        return set(self.session.exec(query).all())

    def insert(self, rows: list[Row]) -> list[Row]:
        """Store rows (one executemany) and their outbox events; a person registered meanwhile is reported."""
        if not rows:
            return rows
        table = Seeker.__table__  # type: ignore[attr-defined]
        params = [{**r.values, "station_id": self.station.id, "created_at": self.now, "updated_at": self.now}
                  for r in rows]
        savepoint = self.session.begin_nested()
        try:
            insert_many(self.session.connection(), table, params)
            fingerprints = [r.values["id_fingerprint"] for r in rows]
            query = select(table.c.id_fingerprint, table.c.id).where(table.c.id_fingerprint.in_(fingerprints))
            ids: dict[str, int] = {fp: seeker_id for fp, seeker_id in self.session.execute(query)}
            self._record_events(list(ids.values()))
            savepoint.commit()
        except IntegrityError:
            savepoint.rollback()
            taken = self._registered([r.values["id_fingerprint"] for r in rows])
            if not taken:
                raise
            for row in rows:
                if row.values["id_fingerprint"] in taken:
                    err = duplicate_person()
                    self._error(row.number, "id_number", "duplicate_person", err.detail_zh, err.detail_en, None)
            return self.insert([r for r in rows if r.values["id_fingerprint"] not in taken])
        for row in rows:
            row.id = ids[row.values["id_fingerprint"]]
        self.report.stored += len(rows)
        return rows

    def _record_events(self, seeker_ids: list[int]) -> None:
        """What the outbox flush hook records for a seeker registered through the ORM, in one statement."""
        outbox = OutboxEvent.__table__  # type: ignore[attr-defined]
        seeker = Seeker.__table__  # type: ignore[attr-defined]
        rows = select(  # type: ignore[call-overload]
            literal("seeker.registered"), literal("seeker"), seeker.c.id, literal({}, outbox.c.data.type),
            literal(self.now, outbox.c.created_at.type), literal(0),
        ).where(seeker.c.id.in_(seeker_ids))
        columns = ["kind", "subject_type", "subject_id", "data", "created_at", "attempts"]
        self.session.execute(insert(outbox).from_select(columns, rows))

    def mark(self) -> tuple[int, int]:
        return self.report.mark()

    def rewind(self, mark: tuple[int, int], *, keep_errors: bool = False) -> None:
        self.report.rewind(mark, keep_errors=keep_errors)

    def _family_of(self, family_cells: dict[str, Any]) -> Family | None:
        key = family_cells.get("family_key")
        if not key:
            return None
        family = self.families.setdefault(str(key), Family())
        family.note(family_cells)
        return family

    def _families(self) -> None:
        self.report.families_found = len(self.families)
        good = []
        for key, family in self.families.items():
            problem = problem_of(family)
            if problem is None:
                good.append((key, family))
            else:
                self.family_error(key, family, problem)
        if self.writing:
            assert self.station.id is not None
            self.report.families_created = store_families(self, self.station.id, good, self.options.chunk_rows)

    def family_error(self, key: str, family: Family, problem: tuple[str, str, str]) -> None:
        rule, zh, en = problem
        self.report.bad_families.add(key)
        for number in sorted(family.all_rows):
            self._error(number, "family_key", rule, f"家庭 {key}：{zh}", f"family {key}: {en}", None)

    def _error(self, number: int, key: str, rule: str, zh: str, en: str, cells: list[Any] | None) -> None:
        column = self.cmap.columns.get(key)
        index = self.cmap.by_key.get(key)
        raw: Any = None
        if cells is not None and index is not None and index < len(cells):
            raw = cells[index]
        self.report.add(RowError(number, self.cmap.header_of(key), key, display(column, raw), rule, zh, en, index))


class _ImportVault(Vault):
    """The station's vault, remembering this chunk's fingerprints (the IN query and the rules both need
    them) and, when only validating, not encrypting what will not be stored."""

    def __init__(self, vault: Vault, *, encrypt: bool) -> None:  # no key of its own: it wraps the vault
        self._vault, self._encrypt = vault, encrypt
        self._fingerprints: dict[str, str] = {}

    def forget(self) -> None:
        self._fingerprints.clear()

    def fingerprint(self, value: str) -> str:
        found = self._fingerprints.get(value)
        if found is None:
            found = self._fingerprints[value] = self._vault.fingerprint(value)
        return found

    def encrypt(self, value: str) -> str:
        return self._vault.encrypt(value) if self._encrypt else ""

    def decrypt(self, token: str) -> str:
        return self._vault.decrypt(token)


def _bare(message: str) -> str:
    """`origin_code：未知的…` → `未知的…`: the report names the column already."""
    for sep in ("：", ": "):
        head, found, rest = message.partition(sep)
        if found and head.isascii() and " " not in head:
            return rest
    return message


def _column_key(field_path: str) -> str:
    head = field_path.split(".")[0]
    if field_path.startswith("skills.") and field_path.endswith(".level"):
        return "skill_level"
    if field_path.startswith("skills.") and field_path.endswith(".years"):
        return "skill_years"
    return _FIELD_COLUMN.get(head, head)
