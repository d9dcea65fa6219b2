"""claims of nudge-cycle shards: several schedulers split one cycle's members between them

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 11:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cycle_claims",
        sa.Column("slot", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("part", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("shards", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("slot", "part", name=op.f("pk_cycle_claims")),
    )


def downgrade() -> None:
    op.drop_table("cycle_claims")
