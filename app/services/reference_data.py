"""Keeps the places and pairings of DOMAIN.md in every database: added when missing, never overwritten,
so an admin's later corrections survive the next migration."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models.region import Pairing, Region
from app.seed.places import PAIRINGS, REGIONS


def sync_reference_data(session: Session) -> int:
    added = 0
    existing = set(session.exec(select(Region.code)).all())
    # Parents first, so foreign keys hold at every insert.
    for seed in sorted(REGIONS, key=lambda r: ("province", "prefecture", "county", "district").index(r.level)):
        if seed.code not in existing:
            session.add(Region(code=seed.code, name=seed.name, level=seed.level, parent_code=seed.parent_code,
                               role=seed.role, latitude=seed.latitude, longitude=seed.longitude))
            session.flush()
            added += 1
    pairs = {(p.district_code, p.origin_code) for p in session.exec(select(Pairing)).all()}
    for pairing in PAIRINGS:
        if (pairing.district_code, pairing.origin_code) not in pairs:
            session.add(Pairing(district_code=pairing.district_code, origin_code=pairing.origin_code,
                                valid_from=pairing.valid_from))
            added += 1
    session.flush()
    return added
