"""coach lines shown: the lines the coach last showed on a deal, so that it does not repeat them

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coach_shown', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_column('coach_shown')
