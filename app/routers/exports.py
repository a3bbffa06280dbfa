"""Workbook downloads: a station's data (masked, or full and audited for the owning station), an employer's
applicants (masked as everywhere an employer looks)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO, Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from app.auth import CallerDep, SessionDep
from app.errors import PROBLEM_RESPONSES, Forbidden
from app.imports.files import XLSX_MEDIA_TYPE
from app.ownership import OwnedEmployer, OwnedStation
from app.routers.deps import VaultDep
from app.routers.imports import attachment, remove_file
from app.services import exports

router = APIRouter(tags=["exports"], responses=PROBLEM_RESPONSES)

_XLSX: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX_MEDIA_TYPE: {}}, "description": "The workbook"}}


@router.get("/stations/{station_id}/export.xlsx", response_class=Response, responses=_XLSX,
            summary="The station's seekers, families, applications and placements as a workbook")
async def export_station(
    station: OwnedStation,
    caller: CallerDep,
    session: SessionDep,
    vault: VaultDep,
    full: Annotated[bool, Query(description="unmasked ID and phone numbers: the owning station only; audited")] = False,
) -> Response:
    if full and not (caller.role == "station" and caller.station_id == station.id):
        raise Forbidden("只有工作站本身可以导出完整身份证号和手机号", "Only the owning station may export full numbers",
                        rule="full_export_owner_only")
    path = await _write(lambda out: exports.station_workbook(session, vault, caller, station, full=full, out=out))
    name = f"{station.code}-{'完整' if full else '脱敏'}导出.xlsx"
    return _file(path, attachment(name, f"station-{station.id}-export.xlsx"))


@router.get("/employers/{employer_id}/applicants.xlsx", response_class=Response, responses=_XLSX,
            summary="The employer's applicants as a workbook (masked)")
async def export_applicants(employer: OwnedEmployer, session: SessionDep) -> Response:
    path = await _write(lambda out: exports.applicants_workbook(session, employer, out))
    return _file(path, attachment("应聘者.xlsx", f"employer-{employer.id}-applicants.xlsx"))


async def _write(write: Callable[[IO[bytes]], object]) -> str:
    """Write the workbook to a temporary file (removed once sent, or at once if writing fails)."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        path = handle.name
        try:
            await run_in_threadpool(write, handle)
        except BaseException:
            remove_file(path)
            raise
    return path


def _file(path: str, disposition: str) -> FileResponse:
    return FileResponse(path, media_type=XLSX_MEDIA_TYPE, headers={"Content-Disposition": disposition},
                        background=BackgroundTask(remove_file, path))
