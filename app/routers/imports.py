"""Bulk import endpoints: an .xlsx or .csv upload in, a report (JSON or a workbook) out; and the templates."""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlmodel import Session
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from app.auth import EmployerOrAdmin, SessionDep, StationCaller, StationOrAdmin
from app.errors import PROBLEM_MEDIA_TYPE, PROBLEM_RESPONSES, PROBLEM_TYPE_BASE, ValidationFailed
from app.imports.files import (
    XLSX_MEDIA_TYPE,
    ImportOptions,
    ImportReport,
    Kind,
    import_file,
    report_workbook,
    template_workbook,
)
from app.models.employer import Employer
from app.models.station import Station
from app.multipart import Upload, check_declared_length, receive_upload
from app.pii import Vault
from app.routers.deps import VaultDep
from app.services import employers, stations

router = APIRouter(tags=["bulk import"], responses=PROBLEM_RESPONSES)

ModeParam = Annotated[Literal["validate", "commit"] | None,
                      Query(description="validate (default): check only, nothing is written; commit: store")]
AtomicParam = Annotated[bool | None, Query(description="with commit: store every row or, if any row is bad, none")]
ReportParam = Annotated[Literal["json", "xlsx"] | None,
                        Query(description="json (default), or xlsx: the rows with the errors beside them")]
FilenameParam = Annotated[str | None, Query(description="file name, when the body is the raw file")]

_FILE = {"type": "string", "format": "binary"}
_UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": _FILE, "mode": {"type": "string", "enum": ["validate", "commit"]},
                               "atomic": {"type": "boolean"}, "report": {"type": "string", "enum": ["json", "xlsx"]}},
            }},
            "text/csv": {"schema": _FILE},
            XLSX_MEDIA_TYPE: {"schema": _FILE},
        },
    },
    "responses": {
        "200": {"description": "The import report (JSON), or with report=xlsx the workbook",
                "content": {XLSX_MEDIA_TYPE: {}}},
        "413": {"description": "The file exceeds JOBMATCH_IMPORT_MAX_BYTES", "content": {PROBLEM_MEDIA_TYPE: {}}},
        "422": {"description": "Unreadable file, missing columns, or an atomic import with bad rows (nothing stored)",
                "content": {PROBLEM_MEDIA_TYPE: {}}},
    },
}


@router.post("/seekers/import", summary="Register seekers from an .xlsx or .csv file (station)", openapi_extra=_UPLOAD,
             response_model=None)
async def import_seekers(request: Request, caller: StationCaller, session: SessionDep, vault: VaultDep,
                         mode: ModeParam = None, atomic: AtomicParam = None, report: ReportParam = None,
                         filename: FilenameParam = None) -> Response:
    assert caller.station_id is not None
    station = await run_in_threadpool(stations.get_station, session, caller.station_id)
    return await _import(request, "seekers", session, vault, station, mode, atomic, report, filename)


@router.post("/vacancies/import", summary="Post vacancies from an .xlsx or .csv file (employer)",
             openapi_extra=_UPLOAD, response_model=None)
async def import_vacancies(request: Request, caller: EmployerOrAdmin, session: SessionDep, vault: VaultDep,
                           mode: ModeParam = None, atomic: AtomicParam = None, report: ReportParam = None,
                           filename: FilenameParam = None,
                           employer_id: Annotated[int | None, Query(description="bureau only")] = None) -> Response:
    if caller.is_admin:
        if employer_id is None:
            raise ValidationFailed("employer_id：管理员代发岗位须指定企业", "employer_id: required for the bureau",
                                   field="employer_id", rule="missing")
    elif employer_id is not None and employer_id != caller.employer_id:
        raise ValidationFailed("employer_id：只能为本企业发布岗位", "employer_id: you post for yourself only",
                               field="employer_id", rule="read_only")
    owner_id = employer_id if caller.is_admin else caller.employer_id
    assert owner_id is not None
    employer = await run_in_threadpool(employers.get_employer, session, owner_id)
    return await _import(request, "vacancies", session, vault, employer, mode, atomic, report, filename)


@router.get("/seekers/import/template", summary="Template workbook for the seeker import",
            response_class=Response, responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}})
async def seeker_template(_: StationOrAdmin, session: SessionDep) -> Response:
    return await _template("seekers", session, attachment("求职者导入模板.xlsx", "seekers-template.xlsx"))


@router.get("/vacancies/import/template", summary="Template workbook for the vacancy import",
            response_class=Response, responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}})
async def vacancy_template(_: EmployerOrAdmin, session: SessionDep) -> Response:
    return await _template("vacancies", session, attachment("岗位导入模板.xlsx", "vacancies-template.xlsx"))


async def _import(request: Request, kind: Kind, session: Session, vault: Vault, owner: Station | Employer,
                  mode: str | None, atomic: bool | None, report: str | None, filename: str | None) -> Response:
    limit: int = request.app.state.settings.import_max_bytes
    check_declared_length(request.headers.get("content-length"), limit)
    upload = await receive_upload(request.stream(), request.headers.get("content-type", ""), limit, filename)
    try:
        options, fmt = _options(request, upload, mode, atomic, report)
        options.checkpoint = session.commit
        result = await run_in_threadpool(import_file, kind, session, vault, owner, upload.file, upload.filename,
                                         options)
        status = 422 if result.outcome == "rejected" else 200
        if fmt == "xlsx":
            return await run_in_threadpool(_workbook_response, kind, result, upload, status)
        return _json_response(request, result, status)
    finally:
        upload.close()


def _options(request: Request, upload: Upload, mode: str | None, atomic: bool | None,
             report: str | None) -> tuple[ImportOptions, str]:
    """Query parameters, or the same names as form fields beside the file."""
    mode = mode or upload.fields.get("mode") or "validate"
    fmt = report or upload.fields.get("report") or "json"
    if atomic is None:
        atomic = upload.fields.get("atomic", "false").strip().lower() in ("true", "1", "yes", "on", "是")
    if mode not in ("validate", "commit"):
        raise ValidationFailed("mode：应为 validate 或 commit", "mode: validate or commit", field="mode",
                               rule="literal_error")
    if fmt not in ("json", "xlsx"):
        raise ValidationFailed("report：应为 json 或 xlsx", "report: json or xlsx", field="report",
                               rule="literal_error")
    chunk = request.app.state.settings.import_chunk_rows
    return ImportOptions(mode=mode, atomic=atomic, chunk_rows=chunk), fmt  # type: ignore[arg-type]


def _json_response(request: Request, result: ImportReport, status: int) -> JSONResponse:
    body: dict[str, Any] = result.to_json()
    if status == 200:
        return JSONResponse(body)
    problem = {"type": PROBLEM_TYPE_BASE + "import_rejected", "title": "The import was rejected",
               "title_zh": "整批导入未通过", "status": status, "code": "import_rejected",
               "detail": f"{result.rejected} row(s) are bad; with atomic=true nothing was stored",
               "detail_zh": f"有 {result.rejected} 行有错误；整批导入时一行也未保存", "instance": request.url.path}
    return JSONResponse({**problem, **body}, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def _workbook_response(kind: Kind, result: ImportReport, upload: Upload, status: int) -> Response:
    out = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115 (removed after sending)
    try:
        with out:
            report_workbook(kind, result, upload.file, upload.filename, out)
    except BaseException:
        remove_file(out.name)
        raise
    headers = {
        "Content-Disposition": attachment("导入结果.xlsx", "import-report.xlsx"),
        "X-Import-Outcome": result.outcome,
        "X-Import-Rows": str(result.rows),
        "X-Import-Stored": str(result.stored),
        "X-Import-Rejected": str(result.rejected),
    }
    return FileResponse(out.name, status_code=status, media_type=XLSX_MEDIA_TYPE, headers=headers,
                        background=BackgroundTask(remove_file, out.name))


async def _template(kind: Kind, session: Session, disposition: str) -> Response:
    def build() -> bytes:
        with tempfile.SpooledTemporaryFile() as out:
            template_workbook(kind, session, out)  # type: ignore[arg-type]
            out.seek(0)
            return out.read()

    content = await run_in_threadpool(build)
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": disposition})


def attachment(name: str, ascii_name: str) -> str:
    """A Content-Disposition with the Chinese name (RFC 6266 filename*) and a plain one for old clients."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def remove_file(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
