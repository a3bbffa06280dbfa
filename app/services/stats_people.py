"""People: registered, registered-poor, employed in Ningbo now, stable for 3 and 6 months, cumulative
stable since a date — by origin prefecture and county, and as a heat map of origin counties."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import true
from sqlmodel import Session, col, select

from app.models.placement import Placement
from app.models.seeker import Seeker
from app.models.vacancy import Vacancy
from app.services.stats_common import Regions, StatsFilter
from app.settings import get_settings

COLUMNS = [
    ("level", "层级"), ("code", "地区代码"), ("name", "地区"), ("prefecture", "所属州市"),
    ("registered", "登记人数"), ("registered_poor", "其中建档立卡"), ("registered_in_period", "本期新登记"),
    ("employed", "在甬就业"), ("stable", "稳定就业3个月以上"), ("stable_long", "稳定就业6个月以上"),
    ("stable_cumulative", "累计稳定就业"),
]
FIGURES = ("registered", "registered_poor", "registered_in_period", "employed", "stable", "stable_long",
           "stable_cumulative")
HEAT_COLUMNS = [("code", "县市代码"), ("name", "县市"), ("prefecture", "所属州市"), ("longitude", "经度"),
                ("latitude", "纬度"), ("registered", "登记人数"), ("employed", "在甬就业"),
                ("stable", "稳定就业3个月以上")]


@dataclass
class _Counts:
    registered: int = 0
    registered_poor: int = 0
    registered_in_period: int = 0
    employed: set[int] = field(default_factory=set)
    stable: set[int] = field(default_factory=set)
    stable_long: set[int] = field(default_factory=set)
    stable_cumulative: set[int] = field(default_factory=set)

    def row(self) -> dict[str, int]:
        return {
            "registered": self.registered, "registered_poor": self.registered_poor,
            "registered_in_period": self.registered_in_period, "employed": len(self.employed),
            "stable": len(self.stable), "stable_long": len(self.stable_long),
            "stable_cumulative": len(self.stable_cumulative),
        }


def counts_by_origin(session: Session, regions: Regions, f: StatsFilter, since: date | None) -> dict[str, _Counts]:
    """Figures per origin code as of the period's end. Registration counts follow the origin filter only;
    employment counts also follow the district and employer filters (they describe where people work)."""
    settings = get_settings()
    as_of = f.period.end
    seeker_clause = f.seeker_scope(regions)
    counts: dict[str, _Counts] = defaultdict(_Counts)
    seeker_query = select(col(Seeker.id), col(Seeker.origin_code), col(Seeker.registered_poor),
                          col(Seeker.created_at)).where(
        col(Seeker.created_at) < f.period.end_at, seeker_clause)
    for _, origin, poor, created_at in session.exec(seeker_query).all():
        c = counts[origin]
        c.registered += 1
        c.registered_poor += int(bool(poor))
        c.registered_in_period += int(f.period.contains_moment(created_at))
    placement_query = (
        select(col(Placement.seeker_id), col(Seeker.origin_code), col(Placement.arrived_on), col(Placement.left_on))
        .join(Seeker, col(Seeker.id) == Placement.seeker_id)
        .join(Vacancy, col(Vacancy.id) == Placement.vacancy_id)
        .where(col(Placement.arrived_on) <= as_of, seeker_clause)
        .where(col(Vacancy.district_code) == f.district_code if f.district_code else true())
        .where(col(Placement.employer_id) == f.employer_id if f.employer_id is not None else true())
    )
    stable_days, long_days = settings.stable_days, settings.stable_long_days
    for seeker_id, origin, arrived_on, left_on in session.exec(placement_query).all():
        c = counts[origin]
        days = (as_of - arrived_on).days
        if left_on is None or left_on > as_of:
            c.employed.add(seeker_id)
            if days >= stable_days:
                c.stable.add(seeker_id)
            if days >= long_days:
                c.stable_long.add(seeker_id)
        stable_date = arrived_on + timedelta(days=stable_days)
        if stable_date <= as_of and (left_on is None or left_on >= stable_date) and (
                since is None or stable_date >= since):
            c.stable_cumulative.add(seeker_id)
    return counts


def employment_rows(session: Session, f: StatsFilter, since: date | None) -> list[dict[str, Any]]:
    """Counties under their prefecture, a subtotal per prefecture, a grand total last. Subtotals count
    people, so a person is counted once whichever of its counties."""
    regions = Regions(session)
    counts = counts_by_origin(session, regions, f, since)
    by_prefecture: dict[str, list[str]] = defaultdict(list)
    for code in counts:
        by_prefecture[regions.prefecture_of(code)].append(code)
    rows: list[dict[str, Any]] = []
    total = _Counts()
    for prefecture in sorted(by_prefecture):
        subtotal = _Counts()
        county_rows = []
        for code in sorted(by_prefecture[prefecture]):
            c = counts[code]
            _merge(subtotal, c)
            county_rows.append({"level": "county", "code": code, "name": regions.name(code),
                                "prefecture": regions.name(prefecture), **c.row()})
        rows.append({"level": "prefecture", "code": prefecture, "name": regions.name(prefecture),
                     "prefecture": regions.name(prefecture), **subtotal.row()})
        rows.extend(county_rows)
        _merge(total, subtotal)
    rows.append({"level": "total", "code": "", "name": "合计", "prefecture": "", **total.row()})
    return rows


def _merge(into: _Counts, c: _Counts) -> None:
    into.registered += c.registered
    into.registered_poor += c.registered_poor
    into.registered_in_period += c.registered_in_period
    into.employed |= c.employed
    into.stable |= c.stable
    into.stable_long |= c.stable_long
    into.stable_cumulative |= c.stable_cumulative


def heat_rows(session: Session, f: StatsFilter) -> list[dict[str, Any]]:
    regions = Regions(session)
    counts = counts_by_origin(session, regions, f, None)
    rows = []
    for code in sorted(counts):
        region = regions.by_code.get(code)
        row = counts[code].row()
        rows.append({"code": code, "name": regions.name(code), "prefecture": regions.name(regions.prefecture_of(code)),
                     "longitude": region.longitude if region else None, "latitude": region.latitude if region else None,
                     "registered": row["registered"], "employed": row["employed"], "stable": row["stable"]})
    return rows


def heat_geojson(rows: list[dict[str, Any]], f: StatsFilter) -> dict[str, Any]:
    """RFC 7946: one point per origin county at its seat, with the counts as properties."""
    features = [
        {"type": "Feature", "id": row["code"],
         "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
         "properties": {k: row[k] for k in ("code", "name", "prefecture", "registered", "employed", "stable")}}
        for row in rows if row["longitude"] is not None and row["latitude"] is not None
    ]
    return {"type": "FeatureCollection", "features": features,
            "as_of": f.period.end.isoformat(), "weights": ["registered", "employed", "stable"]}
