"""foundation

Revision ID: 1471f774e327
Revises: 
Create Date: 2026-11-27 22:31:56.873970
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '1471f774e327'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('region',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('parent_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['region.code'], name=op.f('fk_region_parent_code_region')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_region'))
    )
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_parent_code'), ['parent_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_region_role'), ['role'], unique=False)

    op.create_table('employer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('couple_dormitories', sa.Integer(), nullable=False),
    sa.Column('couple_dormitories_used', sa.Integer(), nullable=False),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['region.code'], name=op.f('fk_employer_district_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_employer_credit_code')),
    sa.UniqueConstraint('name', name=op.f('uq_employer_name'))
    )
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employer_district_code'), ['district_code'], unique=False)

    op.create_table('pairing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('origin_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['district_code'], ['region.code'], name=op.f('fk_pairing_district_code_region')),
    sa.ForeignKeyConstraint(['origin_code'], ['region.code'], name=op.f('fk_pairing_origin_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairing'))
    )
    with op.batch_alter_table('pairing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairing_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairing_origin_code'), ['origin_code'], unique=False)

    op.create_table('station',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_station_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station')),
    sa.UniqueConstraint('code', name=op.f('uq_station_code'))
    )
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_region_code'), ['region_code'], unique=False)

    op.create_table('family',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('must_stay_together', sa.Boolean(), nullable=False),
    sa.Column('needs_couple_dormitory', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_family_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family'))
    )
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_family_station_id'), ['station_id'], unique=False)

    op.create_table('responsible_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_responsible_person_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responsible_person'))
    )
    with op.batch_alter_table('responsible_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responsible_person_station_id'), ['station_id'], unique=False)

    op.create_table('vacancy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('certificates', sa.JSON(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('hired_count', sa.Integer(), nullable=False),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('pay_min', sa.Integer(), nullable=False),
    sa.Column('pay_max', sa.Integer(), nullable=False),
    sa.Column('shifts', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('housing', sa.Boolean(), nullable=False),
    sa.Column('meals', sa.Boolean(), nullable=False),
    sa.Column('caring_post', sa.Boolean(), nullable=False),
    sa.Column('family_posts', sa.JSON(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['region.code'], name=op.f('fk_vacancy_district_code_region')),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_vacancy_employer_id_employer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vacancy'))
    )
    with op.batch_alter_table('vacancy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vacancy_caring_post'), ['caring_post'], unique=False)
        batch_op.create_index(batch_op.f('ix_vacancy_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_vacancy_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vacancy_occupation'), ['occupation'], unique=False)
        batch_op.create_index(batch_op.f('ix_vacancy_status'), ['status'], unique=False)

    op.create_table('seeker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('id_number_enc', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('id_fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('id_masked', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('phone_enc', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('phone_masked', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('origin_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('registered_poor', sa.Boolean(), nullable=False),
    sa.Column('poverty_evidence_ref', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('poverty_verified_on', sa.Date(), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('certificates', sa.JSON(), nullable=False),
    sa.Column('preferred_districts', sa.JSON(), nullable=False),
    sa.Column('expected_pay', sa.Integer(), nullable=True),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('consent_matching', sa.Boolean(), nullable=False),
    sa.Column('consent_matching_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('consent_push', sa.Boolean(), nullable=False),
    sa.Column('consent_push_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('family_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], name=op.f('fk_seeker_family_id_family')),
    sa.ForeignKeyConstraint(['origin_code'], ['region.code'], name=op.f('fk_seeker_origin_code_region')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_seeker_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seeker')),
    sa.UniqueConstraint('id_fingerprint', name=op.f('uq_seeker_id_fingerprint'))
    )
    with op.batch_alter_table('seeker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seeker_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seeker_origin_code'), ['origin_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_seeker_registered_poor'), ['registered_poor'], unique=False)
        batch_op.create_index(batch_op.f('ix_seeker_station_id'), ['station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seeker_status'), ['status'], unique=False)

    op.create_table('api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('employer_id', sa.Integer(), nullable=True),
    sa.Column('seeker_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_api_key_employer_id_employer')),
    sa.ForeignKeyConstraint(['seeker_id'], ['seeker.id'], name=op.f('fk_api_key_seeker_id_seeker')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_api_key_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_key_key_hash'))
    )
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_key_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_key_seeker_id'), ['seeker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_key_station_id'), ['station_id'], unique=False)

    op.create_table('enrolment_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['seeker_id'], ['seeker.id'], name=op.f('fk_enrolment_code_seeker_id_seeker')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_enrolment_code_code_hash'))
    )
    with op.batch_alter_table('enrolment_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_code_seeker_id'), ['seeker_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('subject_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_key.id'], name=op.f('fk_audit_event_api_key_id_api_key')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_subject_id'), ['subject_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_subject_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    with op.batch_alter_table('enrolment_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_code_seeker_id'))

    op.drop_table('enrolment_code')
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_key_station_id'))
        batch_op.drop_index(batch_op.f('ix_api_key_seeker_id'))
        batch_op.drop_index(batch_op.f('ix_api_key_employer_id'))

    op.drop_table('api_key')
    with op.batch_alter_table('seeker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seeker_status'))
        batch_op.drop_index(batch_op.f('ix_seeker_station_id'))
        batch_op.drop_index(batch_op.f('ix_seeker_registered_poor'))
        batch_op.drop_index(batch_op.f('ix_seeker_origin_code'))
        batch_op.drop_index(batch_op.f('ix_seeker_family_id'))

    op.drop_table('seeker')
    with op.batch_alter_table('vacancy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vacancy_status'))
        batch_op.drop_index(batch_op.f('ix_vacancy_occupation'))
        batch_op.drop_index(batch_op.f('ix_vacancy_employer_id'))
        batch_op.drop_index(batch_op.f('ix_vacancy_district_code'))
        batch_op.drop_index(batch_op.f('ix_vacancy_caring_post'))

    op.drop_table('vacancy')
    with op.batch_alter_table('responsible_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responsible_person_station_id'))

    op.drop_table('responsible_person')
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_station_id'))
        batch_op.drop_index(batch_op.f('ix_family_kind'))

    op.drop_table('family')
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_region_code'))

    op.drop_table('station')
    with op.batch_alter_table('pairing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairing_origin_code'))
        batch_op.drop_index(batch_op.f('ix_pairing_district_code'))

    op.drop_table('pairing')
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_district_code'))

    op.drop_table('employer')
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_role'))
        batch_op.drop_index(batch_op.f('ix_region_parent_code'))

    op.drop_table('region')

