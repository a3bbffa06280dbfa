"""updated_at watermarks

Revision ID: d5e6f7a8b903
Revises: c4d5e6f7a802
Create Date: 2026-11-27 22:40:18.595308
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'd5e6f7a8b903'
down_revision: str | None = 'c4d5e6f7a802'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False, server_default=sa.func.now()))
        batch_op.create_index(batch_op.f('ix_employer_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False, server_default=sa.func.now()))
        batch_op.create_index(batch_op.f('ix_family_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('seeker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seeker_updated_at'), ['updated_at'], unique=False)

    with op.batch_alter_table('vacancy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vacancy_updated_at'), ['updated_at'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('vacancy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vacancy_updated_at'))

    with op.batch_alter_table('seeker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seeker_updated_at'))

    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_updated_at'))
        batch_op.drop_column('updated_at')

    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_updated_at'))
        batch_op.drop_column('updated_at')


