"""a covering index of pending invites by member: every member's pile (pending, stale, snoozed) in one index-only scan

The leaderboard and the weekly digest show each member's current pile, counted the way every
other surface counts it (bot.services.counts): without this index that read looks up each pending
row in the table (10,000 lookups at 100,000 invites).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_index("ix_invites_pending_member_pile", "invites",
                    ["team_id", "member_id", "sent_at", "priority", "snoozed_until", "status"],
                    unique=False, sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade() -> None:
    op.drop_index("ix_invites_pending_member_pile", table_name="invites", sqlite_where=PENDING,
                  postgresql_where=PENDING)
