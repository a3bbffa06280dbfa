"""placements

Revision ID: e6f7a8b9c004
Revises: d5e6f7a8b903
Create Date: 2026-11-27 22:48:51.045083
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'e6f7a8b9c004'
down_revision: str | None = 'd5e6f7a8b903'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('subsidy_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('is_example', sa.Boolean(), nullable=False),
    sa.Column('requires_registered_poor', sa.Boolean(), nullable=False),
    sa.Column('min_stable_days', sa.Integer(), nullable=False),
    sa.Column('origin_codes', sa.JSON(), nullable=False),
    sa.Column('caring_post_only', sa.Boolean(), nullable=False),
    sa.Column('amount_per_person', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_rule'))
    )
    op.create_table('transport_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('window_start', sa.Date(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('depart_on', sa.Date(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('departed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('arrived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('arrived_on', sa.Date(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['region.code'], name=op.f('fk_transport_batch_district_code_region')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_transport_batch_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transport_batch'))
    )
    with op.batch_alter_table('transport_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transport_batch_arrived_on'), ['arrived_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_transport_batch_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_transport_batch_station_id'), ['station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transport_batch_status'), ['status'], unique=False)

    op.create_table('application_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=True),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('family_post_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('family_post_vacancy_id', sa.Integer(), nullable=True),
    sa.Column('needs_couple_dormitory', sa.Boolean(), nullable=False),
    sa.Column('family_post_taken', sa.Boolean(), nullable=False),
    sa.Column('dormitory_taken', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_application_group_employer_id_employer')),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], name=op.f('fk_application_group_family_id_family'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['family_post_vacancy_id'], ['vacancy.id'], name=op.f('fk_application_group_family_post_vacancy_id_vacancy')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_application_group_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_group'))
    )
    with op.batch_alter_table('application_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_group_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_group_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_group_station_id'), ['station_id'], unique=False)

    op.create_table('application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('vacancy_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('arrived_on', sa.Date(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_application_employer_id_employer')),
    sa.ForeignKeyConstraint(['group_id'], ['application_group.id'], name=op.f('fk_application_group_id_application_group')),
    sa.ForeignKeyConstraint(['seeker_id'], ['seeker.id'], name=op.f('fk_application_seeker_id_seeker')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_application_station_id_station')),
    sa.ForeignKeyConstraint(['vacancy_id'], ['vacancy.id'], name=op.f('fk_application_vacancy_id_vacancy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application'))
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_seeker_id'), ['seeker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_station_id'), ['station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_vacancy_id'), ['vacancy_id'], unique=False)

    op.create_table('application_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_event_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_event'))
    )
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_event_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_event_to_status'), ['to_status'], unique=False)

    op.create_table('placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('vacancy_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('responsible_person_id', sa.Integer(), nullable=True),
    sa.Column('arrived_on', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('left_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_placement_application_id_application')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_placement_employer_id_employer')),
    sa.ForeignKeyConstraint(['group_id'], ['application_group.id'], name=op.f('fk_placement_group_id_application_group')),
    sa.ForeignKeyConstraint(['responsible_person_id'], ['responsible_person.id'], name=op.f('fk_placement_responsible_person_id_responsible_person')),
    sa.ForeignKeyConstraint(['seeker_id'], ['seeker.id'], name=op.f('fk_placement_seeker_id_seeker')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_placement_station_id_station')),
    sa.ForeignKeyConstraint(['vacancy_id'], ['vacancy.id'], name=op.f('fk_placement_vacancy_id_vacancy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement')),
    sa.UniqueConstraint('application_id', name=op.f('uq_placement_application_id'))
    )
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_arrived_on'), ['arrived_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_seeker_id'), ['seeker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_station_id'), ['station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_vacancy_id'), ['vacancy_id'], unique=False)

    op.create_table('transport_passenger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_transport_passenger_application_id_application')),
    sa.ForeignKeyConstraint(['batch_id'], ['transport_batch.id'], name=op.f('fk_transport_passenger_batch_id_transport_batch')),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], name=op.f('fk_transport_passenger_family_id_family'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seeker_id'], ['seeker.id'], name=op.f('fk_transport_passenger_seeker_id_seeker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transport_passenger'))
    )
    with op.batch_alter_table('transport_passenger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transport_passenger_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transport_passenger_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transport_passenger_seeker_id'), ['seeker_id'], unique=False)

    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('responsible_person_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_check_in_placement_id_placement')),
    sa.ForeignKeyConstraint(['responsible_person_id'], ['responsible_person.id'], name=op.f('fk_check_in_responsible_person_id_responsible_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in'))
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_placement_id'), ['placement_id'], unique=False)

    with op.batch_alter_table('vacancy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family_posts_used', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('vacancy', schema=None) as batch_op:
        batch_op.drop_column('family_posts_used')

    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_placement_id'))

    op.drop_table('check_in')
    with op.batch_alter_table('transport_passenger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transport_passenger_seeker_id'))
        batch_op.drop_index(batch_op.f('ix_transport_passenger_batch_id'))
        batch_op.drop_index(batch_op.f('ix_transport_passenger_application_id'))

    op.drop_table('transport_passenger')
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_vacancy_id'))
        batch_op.drop_index(batch_op.f('ix_placement_status'))
        batch_op.drop_index(batch_op.f('ix_placement_station_id'))
        batch_op.drop_index(batch_op.f('ix_placement_seeker_id'))
        batch_op.drop_index(batch_op.f('ix_placement_group_id'))
        batch_op.drop_index(batch_op.f('ix_placement_employer_id'))
        batch_op.drop_index(batch_op.f('ix_placement_arrived_on'))

    op.drop_table('placement')
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_event_to_status'))
        batch_op.drop_index(batch_op.f('ix_application_event_application_id'))

    op.drop_table('application_event')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_vacancy_id'))
        batch_op.drop_index(batch_op.f('ix_application_status'))
        batch_op.drop_index(batch_op.f('ix_application_station_id'))
        batch_op.drop_index(batch_op.f('ix_application_seeker_id'))
        batch_op.drop_index(batch_op.f('ix_application_group_id'))
        batch_op.drop_index(batch_op.f('ix_application_employer_id'))
        batch_op.drop_index(batch_op.f('ix_application_created_at'))

    op.drop_table('application')
    with op.batch_alter_table('application_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_group_station_id'))
        batch_op.drop_index(batch_op.f('ix_application_group_family_id'))
        batch_op.drop_index(batch_op.f('ix_application_group_employer_id'))

    op.drop_table('application_group')
    with op.batch_alter_table('transport_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transport_batch_status'))
        batch_op.drop_index(batch_op.f('ix_transport_batch_station_id'))
        batch_op.drop_index(batch_op.f('ix_transport_batch_district_code'))
        batch_op.drop_index(batch_op.f('ix_transport_batch_arrived_on'))

    op.drop_table('transport_batch')
    op.drop_table('subsidy_rule')
