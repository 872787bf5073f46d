"""deal term and estimated worth: free months are estimated from list ÷ the deal's term, and said to be

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('term_months', sa.Integer(), server_default='12', nullable=False))
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worth_estimated', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_column('worth_estimated')
    with op.batch_alter_table('deal', schema=None) as batch_op:
        batch_op.drop_column('term_months')
