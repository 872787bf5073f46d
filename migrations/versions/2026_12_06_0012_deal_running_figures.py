"""deal running figures: the ledger's figures the rules need, kept on the deal row so a move reads few entries

Existing deals are backfilled by the same domain function that recomputes them after an undo (`Tally.of`).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 08:00:00.000000
"""

from collections.abc import Sequence
from itertools import groupby

import sqlalchemy as sa
from alembic import op

from bot.db.mapping import ENTRY_COLUMNS, entry_from_row, tally_values
from bot.domain.tally import Tally

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTS = ('ledger_seq', 'unpriced_count', 'gets_count', 'give_run', 'open_asks_count')
_SUMS = ('price_concessions_cents', 'other_concessions_cents')


def upgrade() -> None:
    # Plain ADD COLUMNs, not batch mode: SQLite adds a column with a constant default in place, whereas batch mode
    # copies the deal table and drops the old one, which cascades to the ledger's entries.
    for name in _COUNTS:
        op.add_column('deal', sa.Column(name, sa.Integer(), server_default='0', nullable=False))
    for name in _SUMS:
        op.add_column('deal', sa.Column(name, sa.BigInteger(), server_default='0', nullable=False))
    op.add_column('deal', sa.Column('latest_concession_seq', sa.Integer(), nullable=True))
    op.add_column('deal', sa.Column('latest_concession_cents', sa.BigInteger(), nullable=True))
    op.add_column('deal', sa.Column('latest_concession_unqualified', sa.Boolean(), server_default=sa.false(),
                                    nullable=False))
    op.add_column('deal', sa.Column('previous_concession_cents', sa.BigInteger(), nullable=True))
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    """Each deal with entries gets the figures of its whole ledger, one deal at a time in deal order."""
    columns = ", ".join(ENTRY_COLUMNS)
    rows = connection.execute(sa.text(f"SELECT deal_id, {columns} FROM ledger_entry ORDER BY deal_id, seq"))
    names = list(tally_values(Tally()))
    update = sa.text(f"UPDATE deal SET {', '.join(f'{name} = :{name}' for name in names)} WHERE id = :deal_id")
    for deal_id, entries in groupby(rows.fetchall(), key=lambda row: row.deal_id):
        tally = Tally.of([entry_from_row(row) for row in entries])
        connection.execute(update, {**tally_values(tally), "deal_id": deal_id})


def downgrade() -> None:
    # In place too (SQLite 3.35 and later drop a column without copying the table).
    for name in ('previous_concession_cents', 'latest_concession_unqualified', 'latest_concession_cents',
                 'latest_concession_seq', *_SUMS, *_COUNTS):
        op.drop_column('deal', name)
