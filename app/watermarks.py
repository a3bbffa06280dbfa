"""Stamps `updated_at` on every modified seeker, vacancy, employer and family at flush.

The matching index of every process polls these stamps to see changes made elsewhere, so no code
path may forget them; one flush hook is harder to forget than a line in each service.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import col

from app.clock import utcnow
from app.models.employer import Employer
from app.models.family import Family
from app.models.seeker import Seeker
from app.models.vacancy import Vacancy

WATCHED = (Seeker, Vacancy, Employer, Family)


@event.listens_for(OrmSession, "before_flush")
def _stamp(session: OrmSession, _context: Any, _instances: Any) -> None:
    now = utcnow()
    for obj in session.dirty:
        if isinstance(obj, WATCHED) and session.is_modified(obj, include_collections=False):
            obj.updated_at = now
    for obj in session.deleted:
        # Members of a dissolved family change too: their family is gone.
        if isinstance(obj, Family):
            for member in session.execute(select(Seeker).where(col(Seeker.family_id) == obj.id)).scalars():
                member.updated_at = now
