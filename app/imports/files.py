"""Running an import: seekers (stations) and vacancies (employers) from .xlsx or .csv, with a report of every
bad row, a workbook with the errors beside the rows, and template workbooks. Used by the API and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any, Literal

from sqlmodel import Session, col, select

from app.imports.columns import Column, looks_like_header, map_header
from app.imports.readers import open_table, unreadable
from app.imports.report import XLSX_MEDIA_TYPE, ImportReport, write_workbook
from app.imports.seekers import SEEKER_COLUMNS, ImportOptions, SeekerImport
from app.imports.template import write_template
from app.imports.vacancies import VACANCY_COLUMNS, import_vacancies
from app.models.employer import Employer
from app.models.region import Region
from app.models.station import Station
from app.pii import Vault

Kind = Literal["seekers", "vacancies"]

__all__ = ["XLSX_MEDIA_TYPE", "ImportOptions", "ImportReport", "Kind", "import_file", "report_workbook",
           "template_workbook"]


def columns_of(kind: Kind) -> Sequence[Column]:
    return SEEKER_COLUMNS if kind == "seekers" else VACANCY_COLUMNS


def import_file(kind: Kind, session: Session, vault: Vault, owner: Station | Employer, file: IO[bytes],
                filename: str | None, options: ImportOptions) -> ImportReport:
    """Validate or store the rows of `file` for the station (seekers) or employer (vacancies) `owner`."""
    columns = columns_of(kind)
    with open_table(file, filename, lambda cells: looks_like_header(cells, columns)) as table:
        cmap = map_header(table.header, columns)
        missing = [c.header for c in columns if c.required and c.key not in cmap.by_key]
        if missing:
            raise unreadable(f"缺少必填列：{'、'.join(missing)}", f"Required columns missing: {', '.join(missing)}",
                             "columns_missing")
        if kind == "seekers":
            assert isinstance(owner, Station)
            return SeekerImport(session, vault, owner, cmap, options).run(table.rows())
        assert isinstance(owner, Employer)
        return import_vacancies(session, owner, cmap, table.rows(), options)


def report_workbook(kind: Kind, report: ImportReport, file: IO[bytes], filename: str | None,
                    out: IO[bytes]) -> None:
    """The rows of `file` again (a second lazy pass), with the report's errors beside them."""
    columns = columns_of(kind)
    with open_table(file, filename, lambda cells: looks_like_header(cells, columns)) as table:
        write_workbook(report, table.header, table.rows(), out)


def template_workbook(kind: Kind, session: Session, out: IO[bytes]) -> None:
    def names(role: str) -> list[str]:
        query = select(Region.name).where(Region.role == role, col(Region.level) != "province").order_by(Region.code)
        return list(session.exec(query).all())

    lists: dict[str, list[Any]]
    if kind == "seekers":
        lists = {"origin": names("origin"), "preferred_districts": names("workplace")}
        write_template(out, SEEKER_COLUMNS, sheet="求职者", lists=lists)
    else:
        write_template(out, VACANCY_COLUMNS, sheet="岗位", lists={"district": names("workplace")})
