"""indexes for the sweep and the leaderboard

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 01:58:34.923114
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invite_events", schema=None) as batch_op:
        batch_op.create_index("ix_invite_events_team_at", ["team_id", "at"], unique=False)

    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invites_member_status_sent"))
        batch_op.create_index(
            "ix_invites_member_status_sent", ["member_id", "status", "sent_at", "priority"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_invites_team_sent"))
        batch_op.create_index(
            "ix_invites_team_sent", ["team_id", "sent_at", "member_id", "status", "priority"], unique=False
        )
        batch_op.create_index(
            "ix_invites_pending_team_sent",
            ["team_id", "sent_at", "member_id"],
            unique=False,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.create_index(
            "ix_invites_team_status_changed", ["team_id", "status", "status_changed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_index("ix_invites_team_status_changed")
        batch_op.drop_index(
            "ix_invites_pending_team_sent",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index("ix_invites_team_sent")
        batch_op.create_index(batch_op.f("ix_invites_team_sent"), ["team_id", "sent_at"], unique=False)
        batch_op.drop_index("ix_invites_member_status_sent")
        batch_op.create_index(
            batch_op.f("ix_invites_member_status_sent"), ["member_id", "status", "sent_at"], unique=False
        )

    with op.batch_alter_table("invite_events", schema=None) as batch_op:
        batch_op.drop_index("ix_invite_events_team_at")
