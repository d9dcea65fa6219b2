"""delivery ledger and member alert state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:40:26.921286
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("claim_token", sa.String(length=36), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "kind IN ('daily_digest', 'pending_warn', 'pending_limit', 'weekly_pace', 'team_digest')",
            name=op.f("ck_deliveries_kind"),
        ),
        sa.CheckConstraint("state IN ('claimed', 'sent', 'failed')", name=op.f("ck_deliveries_state")),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_deliveries_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("team_id", "recipient", "kind", "local_date", name="uq_deliveries_once"),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_team_kind_date", ["team_id", "kind", "local_date"], unique=False)

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("alerted_level", sa.String(length=8), server_default="ok", nullable=False)
        )
        batch_op.add_column(
            sa.Column("pace_alerted", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
        batch_op.add_column(sa.Column("dm_channel", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("undeliverable", sa.String(length=64), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_members_alerted_level"), "alerted_level IN ('ok', 'warn', 'limit')"
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_members_alerted_level"), type_="check")
        batch_op.drop_column("undeliverable")
        batch_op.drop_column("dm_channel")
        batch_op.drop_column("pace_alerted")
        batch_op.drop_column("alerted_level")

    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_team_kind_date")

    op.drop_table("deliveries")
