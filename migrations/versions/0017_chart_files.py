"""chart files: the Slack file id of each uploaded chart, per owner, kind and day

App Home, `/invites stats` and the weekly digest show charts as image blocks referencing a file
the app uploaded; this keeps the day's upload so opening Home again does not upload again.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 11:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
# The brief said 0011; this branch's head is 0013 (two heads would stop `upgrade head`). The lead re-chains.
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chart_files",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("alt_text", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('trend', 'leaderboard', 'curve')", name=op.f("ck_chart_files_kind")),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_chart_files_team_id_workspaces"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "owner", "kind", "day", name=op.f("pk_chart_files")),
    )


def downgrade() -> None:
    op.drop_table("chart_files")
