"""Ownership of applications, placements and charter batches, checked once as dependencies (see
app/ownership.py): another party's object is the same 404 as a missing one."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth import Caller, CallerDep, SessionDep, require
from app.errors import NotFound
from app.models.application import Application
from app.models.placement import Placement
from app.models.transport import TransportBatch


def _party(caller: Caller, *, station_id: int, employer_id: int, seeker_id: int) -> bool:
    return (
        caller.is_admin
        or (caller.role == "station" and caller.station_id == station_id)
        or (caller.role == "employer" and caller.employer_id == employer_id)
        or (caller.role == "seeker" and caller.seeker_id == seeker_id)
    )


def owned_application(application_id: int, caller: CallerDep, session: SessionDep) -> Application:
    """The seeker, its station, the employer of the vacancy and the bureau are the parties."""
    application = session.get(Application, application_id)
    if application is None or not _party(caller, station_id=application.station_id,
                                         employer_id=application.employer_id, seeker_id=application.seeker_id):
        raise NotFound(f"未找到申请 {application_id}", f"Application {application_id} not found")
    return application


def owned_placement(placement_id: int, caller: CallerDep, session: SessionDep) -> Placement:
    placement = session.get(Placement, placement_id)
    if placement is None or not _party(caller, station_id=placement.station_id, employer_id=placement.employer_id,
                                       seeker_id=placement.seeker_id):
        raise NotFound(f"未找到安置记录 {placement_id}", f"Placement {placement_id} not found")
    return placement


def owned_batch(batch_id: int, caller: CallerDep, session: SessionDep) -> TransportBatch:
    require("admin", "station")(caller)
    batch = session.get(TransportBatch, batch_id)
    if batch is None or not (caller.is_admin or caller.station_id == batch.station_id):
        raise NotFound(f"未找到车次 {batch_id}", f"Transport batch {batch_id} not found")
    return batch


OwnedApplication = Annotated[Application, Depends(owned_application)]
OwnedPlacement = Annotated[Placement, Depends(owned_placement)]
OwnedBatch = Annotated[TransportBatch, Depends(owned_batch)]
