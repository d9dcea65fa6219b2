"""the delivery ledger keeps the invites a daily digest showed with buttons

When a member's next digest is posted, the previous one is updated to a one-line summary of what
happened to those invites (its channel and ts are already in the ledger; which invites it showed
was not).

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-01 10:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("invite_ids", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("invite_ids")
