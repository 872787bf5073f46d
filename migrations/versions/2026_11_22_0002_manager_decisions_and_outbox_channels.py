"""manager decisions and outbox channels

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:40:04.765797
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('by_user', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('deal_id', 'seq', name='uq_decision_deal_seq')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_team_id'), ['team_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_id', sa.String(length=32), server_default='', nullable=False))
        batch_op.create_index('ix_outbox_channel_delivered', ['channel_id', 'delivered_at'], unique=False)
        batch_op.create_index('ix_outbox_channel_pending', ['channel_id', 'id'], unique=False, sqlite_where=sa.text('delivered_at IS NULL AND failed_at IS NULL'), postgresql_where=sa.text('delivered_at IS NULL AND failed_at IS NULL'))

    # Cards and notes still queued go to their deal's channel; others keep the shared '' queue.
    op.execute(
        "UPDATE outbox SET channel_id = (SELECT deal.channel_id FROM deal WHERE deal.id = outbox.deal_id) "
        "WHERE channel_id = '' AND kind IN ('card', 'note') AND deal_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_channel_pending', sqlite_where=sa.text('delivered_at IS NULL AND failed_at IS NULL'), postgresql_where=sa.text('delivered_at IS NULL AND failed_at IS NULL'))
        batch_op.drop_index('ix_outbox_channel_delivered')
        batch_op.drop_column('channel_id')

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_team_id'))

    op.drop_table('decision')
