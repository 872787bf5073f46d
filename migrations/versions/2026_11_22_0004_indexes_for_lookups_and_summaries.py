"""indexes for deal lookups by name and for summaries at scale

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 20:20:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_deal_team_name', 'deal', ['team_id', 'name_key'], unique=False)
    op.create_index('ix_ledger_entry_team_kind_at', 'ledger_entry', ['team_id', 'kind', 'at', 'deal_id', 'seq', 'taken_back_at'], unique=False)
    op.create_index('ix_ledger_entry_deal_reciprocates', 'ledger_entry', ['deal_id', 'reciprocates', 'kind', 'taken_back_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ledger_entry_deal_reciprocates', table_name='ledger_entry')
    op.drop_index('ix_ledger_entry_team_kind_at', table_name='ledger_entry')
    op.drop_index('ix_deal_team_name', table_name='deal')
