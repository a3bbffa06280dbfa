"""notifications and webhooks

Revision ID: b2c3d4e5f601
Revises: 1471f774e327
Create Date: 2026-11-27 22:38:07.414421
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'b2c3d4e5f601'
down_revision: str | None = '1471f774e327'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('outbox_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('subject_type', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('processed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('lease_owner', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_event'))
    )
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_event_processed_at'), ['processed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_event_subject_id'), ['subject_id'], unique=False)

    op.create_table('webhook_endpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('event_types', sa.JSON(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('secret_enc', sa.Text(), nullable=False),
    sa.Column('previous_secret_enc', sa.Text(), nullable=True),
    sa.Column('previous_secret_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('disabled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('disabled_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoint'))
    )
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_endpoint_owner_id'), ['owner_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('vacancy_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('visible_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('held_reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['outbox_event.id'], name=op.f('fk_notification_event_id_outbox_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_notification_recipient', ['recipient_role', 'recipient_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_vacancy_id'), ['vacancy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_visible_at'), ['visible_at'], unique=False)

    op.create_table('webhook_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('event_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('lease_owner', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('delivered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id'], name=op.f('fk_webhook_message_endpoint_id_webhook_endpoint')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_message')),
    sa.UniqueConstraint('message_id', name=op.f('uq_webhook_message_message_id'))
    )
    with op.batch_alter_table('webhook_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_message_endpoint_id'), ['endpoint_id'], unique=False)
        batch_op.create_index('ix_webhook_message_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('webhook_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_pk', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('latency_ms', sa.Float(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('worker', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id'], name=op.f('fk_webhook_attempt_endpoint_id_webhook_endpoint')),
    sa.ForeignKeyConstraint(['message_pk'], ['webhook_message.id'], name=op.f('fk_webhook_attempt_message_pk_webhook_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempt'))
    )
    with op.batch_alter_table('webhook_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_attempt_endpoint_id'), ['endpoint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_attempt_message_pk'), ['message_pk'], unique=False)

    op.create_table('push_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('vacancy_id', sa.Integer(), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('pushed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['seeker_id'], ['seeker.id'], name=op.f('fk_push_ledger_seeker_id_seeker')),
    sa.ForeignKeyConstraint(['vacancy_id'], ['vacancy.id'], name=op.f('fk_push_ledger_vacancy_id_vacancy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_ledger')),
    sa.UniqueConstraint('seeker_id', 'vacancy_id', name=op.f('uq_push_ledger_seeker_id_vacancy_id'))
    )
    with op.batch_alter_table('push_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_ledger_seeker_id'), ['seeker_id'], unique=False)

    with op.batch_alter_table('seeker', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quiet_start', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False, server_default='22:00'))
        batch_op.add_column(sa.Column('quiet_end', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False, server_default='07:00'))




def downgrade() -> None:

    with op.batch_alter_table('seeker', schema=None) as batch_op:
        batch_op.drop_column('quiet_end')
        batch_op.drop_column('quiet_start')

    with op.batch_alter_table('push_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_ledger_seeker_id'))

    op.drop_table('push_ledger')
    with op.batch_alter_table('webhook_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_attempt_message_pk'))
        batch_op.drop_index(batch_op.f('ix_webhook_attempt_endpoint_id'))

    op.drop_table('webhook_attempt')
    with op.batch_alter_table('webhook_message', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_message_due')
        batch_op.drop_index(batch_op.f('ix_webhook_message_endpoint_id'))

    op.drop_table('webhook_message')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_visible_at'))
        batch_op.drop_index(batch_op.f('ix_notification_vacancy_id'))
        batch_op.drop_index('ix_notification_recipient')
        batch_op.drop_index(batch_op.f('ix_notification_event_id'))

    op.drop_table('notification')
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_endpoint_owner_id'))

    op.drop_table('webhook_endpoint')
    with op.batch_alter_table('outbox_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_event_subject_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_event_processed_at'))

    op.drop_table('outbox_event')

