"""installations: each workspace that installs the app through OAuth, its bot token encrypted; OAuth states

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 07:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'installation',
        sa.Column('team_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('enterprise_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('team_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('app_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('bot_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('bot_user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('bot_token', sa.Text(), nullable=False),
        sa.Column('bot_scopes', sa.Text(), server_default='', nullable=False),
        sa.Column('installer_user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('installed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('team_id'),
    )
    op.create_table(
        'oauth_state',
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('state'),
    )
    op.create_index('ix_oauth_state_expires_at', 'oauth_state', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_oauth_state_expires_at', table_name='oauth_state')
    op.drop_table('oauth_state')
    op.drop_table('installation')
