"""`jobmatch import seekers FILE --station CODE` and `jobmatch import vacancies FILE --employer ID`.

Prints the summary as one JSON line on stdout and the first errors, in Chinese, on stderr (values masked
as in the API); `--report FILE.xlsx` writes the workbook with the errors beside the rows. Exit status 0
when every row was good, 1 when some were not, 2 when the file or the arguments are unusable.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

_SHOWN_ERRORS = 20


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("import", help="import seekers (for a station) or vacancies (for an employer) "
                                           "from an .xlsx or .csv file")
    kinds = parser.add_subparsers(dest="kind", required=True)
    seekers = kinds.add_parser("seekers", help="register seekers for a station")
    seekers.add_argument("file", type=Path)
    seekers.add_argument("--station", required=True, help="station code")
    vacancies = kinds.add_parser("vacancies", help="post vacancies for an employer")
    vacancies.add_argument("file", type=Path)
    vacancies.add_argument("--employer", type=int, required=True, help="employer id")
    for each in (seekers, vacancies):
        each.add_argument("--mode", choices=["validate", "commit"], default="validate",
                          help="validate (default): check only; commit: store the good rows")
        each.add_argument("--atomic", action="store_true", help="with commit: store every row or none")
        each.add_argument("--report", type=Path, help="write the workbook with the errors beside the rows here")
        each.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sqlmodel import Session, select

    from app.db import get_engine
    from app.errors import AppError
    from app.imports.files import ImportOptions, import_file, report_workbook
    from app.models.employer import Employer
    from app.models.station import Station
    from app.pii import get_vault
    from app.settings import get_settings

    settings = get_settings()
    if not args.file.is_file():
        sys.stderr.write(f"no such file: {args.file}\n")
        return 2
    with Session(get_engine(), expire_on_commit=False) as session, args.file.open("rb") as handle:
        owner: Station | Employer | None
        if args.kind == "seekers":
            owner = session.exec(select(Station).where(Station.code == args.station)).first()
        else:
            owner = session.get(Employer, args.employer)
        if owner is None:
            sys.stderr.write(f"no {'station ' + args.station if args.kind == 'seekers' else 'employer'} found\n")
            return 2
        options = ImportOptions(mode=args.mode, atomic=args.atomic, chunk_rows=settings.import_chunk_rows,
                                checkpoint=session.commit)
        try:
            report = import_file(args.kind, session, get_vault(settings), owner, handle, args.file.name, options)
        except AppError as exc:
            session.rollback()
            sys.stderr.write(exc.detail_zh + "\n")
            return 2
        session.commit()
        if args.report:
            with args.report.open("wb") as out:
                report_workbook(args.kind, report, handle, args.file.name, out)
    body = report.to_json()
    errors = body.pop("errors")
    sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
    for error in errors[:_SHOWN_ERRORS]:
        value = f"（{error['value']}）" if error["value"] else ""
        sys.stderr.write(f"第 {error['row']} 行 {error['column']}{value}：{error['message']}\n")
    if len(errors) > _SHOWN_ERRORS:
        sys.stderr.write(f"……共 {len(errors)} 处错误，完整清单见 --report 工作簿\n")
    return 1 if errors else 0
