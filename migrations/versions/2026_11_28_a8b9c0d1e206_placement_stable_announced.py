"""placement stable announced

Revision ID: a8b9c0d1e206
Revises: f7a8b9c0d105
Create Date: 2026-11-28 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'a8b9c0d1e206'
down_revision: str | None = 'f7a8b9c0d105'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable and not backfilled: the worker announces only placements that became stable within its
    # catch-up window, so older ones stay quiet without a mark.
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stable_announced_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_column('stable_announced_at')
