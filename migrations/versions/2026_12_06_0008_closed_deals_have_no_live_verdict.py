"""closed deals have no live verdict: their stored verdict is OK

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 02:00:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The rules judge open deals only; a walked, won or lost deal shows its final state instead, and its stored
    # verdict is OK. Deals closed before kept the verdict of their last move (a won deal at PUSH BACK).
    op.execute("UPDATE deal SET verdict = 'OK' WHERE stage <> 'open'")


def downgrade() -> None:
    # The verdicts replaced are not kept; a deal reopened with `/deal back` is judged again at its next save.
    pass
