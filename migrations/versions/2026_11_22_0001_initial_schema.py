"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 16:58:13.175488
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('channel',
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('is_ext_shared', sa.Boolean(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'channel_id')
    )
    op.create_table('slack_event',
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    with op.batch_alter_table('slack_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slack_event_received_at'), ['received_at'], unique=False)

    op.create_table('workspace',
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('cap_bp', sa.Integer(), nullable=True),
    sa.Column('near_floor_bp', sa.Integer(), nullable=True),
    sa.Column('unreciprocated', sa.Integer(), nullable=True),
    sa.Column('max_concessions', sa.Integer(), nullable=True),
    sa.Column('hourly_cost_cents', sa.BigInteger(), nullable=True),
    sa.Column('time_share_bp', sa.Integer(), nullable=True),
    sa.Column('alert_channel', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('managers', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('digest_day', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
    sa.Column('digest_hour', sa.Integer(), nullable=True),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('digest_channel', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('stale_days', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('team_id')
    )
    op.create_table('deal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('owner_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('customer', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('list_cents', sa.BigInteger(), nullable=False),
    sa.Column('floor_cents', sa.BigInteger(), nullable=False),
    sa.Column('target_cents', sa.BigInteger(), nullable=True),
    sa.Column('cap_bp', sa.Integer(), nullable=True),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('needs', sa.Boolean(), nullable=True),
    sa.Column('decider', sa.Boolean(), nullable=True),
    sa.Column('timeline', sa.Boolean(), nullable=True),
    sa.Column('budget', sa.Boolean(), nullable=True),
    sa.Column('hours', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('ethics_flag', sa.Text(), nullable=True),
    sa.Column('fit_flag', sa.Text(), nullable=True),
    sa.Column('cap_approved_through', sa.Integer(), nullable=True),
    sa.Column('outcome_cents', sa.BigInteger(), nullable=True),
    sa.Column('outcome_note', sa.Text(), server_default='', nullable=False),
    sa.Column('came_back', sa.Boolean(), nullable=False),
    sa.Column('card_ts', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('verdict', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('effective_cents', sa.BigInteger(), nullable=False),
    sa.Column('concession_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['workspace.team_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.create_index('ix_deal_team_created', ['team_id', 'created_at'], unique=False)
        batch_op.create_index('ix_deal_team_owner_stage', ['team_id', 'owner_id', 'stage'], unique=False)
        batch_op.create_index('ix_deal_team_stage', ['team_id', 'stage'], unique=False)
        batch_op.create_index('ix_deal_thread', ['team_id', 'channel_id', 'card_ts'], unique=False)
        batch_op.create_index('uq_deal_open_name', ['team_id', 'name_key'], unique=True, sqlite_where=sa.text("stage = 'open'"), postgresql_where=sa.text("stage = 'open'"))

    op.create_table('ledger_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('by_user', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), server_default='', nullable=False),
    sa.Column('concession_type', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('worth_cents', sa.BigInteger(), nullable=True),
    sa.Column('percent_bp', sa.Integer(), nullable=True),
    sa.Column('reciprocates', sa.Integer(), nullable=True),
    sa.Column('unqualified', sa.Boolean(), nullable=False),
    sa.Column('ethics_markers', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('taken_back_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('taken_back_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('deal_id', 'seq', name='uq_ledger_entry_deal_seq')
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('payload', sa.Text(), server_default='{}', nullable=False),
    sa.Column('response_url', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index('ix_outbox_pending', ['due_at'], unique=False, sqlite_where=sa.text('delivered_at IS NULL AND failed_at IS NULL'), postgresql_where=sa.text('delivered_at IS NULL AND failed_at IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending', sqlite_where=sa.text('delivered_at IS NULL AND failed_at IS NULL'), postgresql_where=sa.text('delivered_at IS NULL AND failed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_outbox_deal_id'))

    op.drop_table('outbox')
    op.drop_table('ledger_entry')
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_index('uq_deal_open_name', sqlite_where=sa.text("stage = 'open'"), postgresql_where=sa.text("stage = 'open'"))
        batch_op.drop_index('ix_deal_thread')
        batch_op.drop_index('ix_deal_team_stage')
        batch_op.drop_index('ix_deal_team_owner_stage')
        batch_op.drop_index('ix_deal_team_created')

    op.drop_table('deal')
    op.drop_table('workspace')
    with op.batch_alter_table('slack_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_event_received_at'))

    op.drop_table('slack_event')
    op.drop_table('channel')
