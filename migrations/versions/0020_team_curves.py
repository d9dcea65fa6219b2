"""team curves: each workspace's days-to-accept histogram of the hour, read by every surface that shows it

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 13:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_curves",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("window_end", sa.DateTime(), nullable=False),
        sa.Column("histogram", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_team_curves_team_id_workspaces"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_team_curves")),
    )


def downgrade() -> None:
    op.drop_table("team_curves")
