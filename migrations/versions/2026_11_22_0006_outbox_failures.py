"""outbox failures: errors counted apart from rate-limited attempts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failures', sa.Integer(), server_default='0', nullable=False))
    # Until now every attempt counted; rows already retried keep their count, so none gets more tries than before.
    op.execute("UPDATE outbox SET failures = attempts WHERE delivered_at IS NULL AND failed_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('failures')
