"""Dependencies shared by routers beyond the caller and the session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from app.pii import Vault


def get_vault(request: Request) -> Vault:
    vault: Vault = request.app.state.vault
    return vault


VaultDep = Annotated[Vault, Depends(get_vault)]
Limit = Annotated[int | None, Query(description="Page size, 1 to 200 (default 50)")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
