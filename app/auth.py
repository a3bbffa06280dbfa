"""Who is calling: API keys (admin, station, employer) and seeker tokens, resolved once per request."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session, select

from app.clock import utcnow
from app.db import session_scope
from app.errors import Forbidden, Unauthorized
from app.models.access import ApiKey

KEY_PREFIX = "jm_"


def new_secret_key(role: str) -> str:
    """A bearer key: readable prefix naming its role, then 32 random bytes."""
    return f"{KEY_PREFIX}{role[:3]}_{secrets.token_urlsafe(32)}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Caller:
    role: str
    key_id: int
    station_id: int | None = None
    employer_id: int | None = None
    seeker_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def actor_id(self) -> int | None:
        return self.station_id or self.employer_id or self.seeker_id


def get_session(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.engine)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_caller(request: Request, session: SessionDep) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("需要 Authorization: Bearer <密钥>", "An Authorization: Bearer <key> header is required")
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_key(token.strip()))).first()
    if key is None or key.revoked_at is not None:
        raise Unauthorized("密钥无效或已撤销", "The key is unknown or revoked")
    now = utcnow()
    # Writing on every request would serialise readers on SQLite; a minute's precision is plenty.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        key.last_used_at = now
        session.add(key)
    assert key.id is not None
    return Caller(key.role, key.id, key.station_id, key.employer_id, key.seeker_id)


CallerDep = Annotated[Caller, Depends(get_caller)]


def require(*roles: str) -> Callable[[Caller], Caller]:
    def check(caller: CallerDep) -> Caller:
        if caller.role not in roles:
            raise Forbidden(
                f"此操作仅限：{'、'.join(roles)}", f"Only {', '.join(roles)} may do this", rule="role"
            )
        return caller

    return check


AdminCaller = Annotated[Caller, Depends(require("admin"))]
StationCaller = Annotated[Caller, Depends(require("station"))]
StationOrAdmin = Annotated[Caller, Depends(require("station", "admin"))]
EmployerOrAdmin = Annotated[Caller, Depends(require("employer", "admin"))]
NotSeeker = Annotated[Caller, Depends(require("admin", "station", "employer"))]
SeekerCaller = Annotated[Caller, Depends(require("seeker"))]
