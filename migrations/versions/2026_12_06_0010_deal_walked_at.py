"""deal walked_at: the latest walk-away, kept when the customer comes back, so summaries count it where it happened

Deals walked away from before this revision and come back since have no known walk-away moment: they stay NULL
and are not counted as walked in any period.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 05:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walked_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE deal SET walked_at = closed_at WHERE stage = 'walked'")


def downgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_column('walked_at')
