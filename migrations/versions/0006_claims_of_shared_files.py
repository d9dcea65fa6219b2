"""claims of shared files: one import and one reply per Slack file, whichever event brings it

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 04:31:09.405669
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_imports",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("state IN ('claimed', 'done', 'failed')", name=op.f("ck_file_imports_state")),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_file_imports_team_id_workspaces"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "file_id", name=op.f("pk_file_imports")),
    )


def downgrade() -> None:
    op.drop_table("file_imports")
