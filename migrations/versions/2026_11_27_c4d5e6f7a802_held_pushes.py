"""held pushes

Revision ID: c4d5e6f7a802
Revises: b2c3d4e5f601
Create Date: 2026-11-27 22:39:08.281091
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'c4d5e6f7a802'
down_revision: str | None = 'b2c3d4e5f601'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('held_push',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('vacancy_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('release_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['outbox_event.id'], name=op.f('fk_held_push_event_id_outbox_event')),
    sa.ForeignKeyConstraint(['seeker_id'], ['seeker.id'], name=op.f('fk_held_push_seeker_id_seeker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_held_push'))
    )
    with op.batch_alter_table('held_push', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_held_push_release_at'), ['release_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_held_push_seeker_id'), ['seeker_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('held_push', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_held_push_seeker_id'))
        batch_op.drop_index(batch_op.f('ix_held_push_release_at'))

    op.drop_table('held_push')

