"""index audit rows by change

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 01:45:39.965750
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invite_events", schema=None) as batch_op:
        batch_op.create_index("ix_invite_events_change", ["change_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invite_events", schema=None) as batch_op:
        batch_op.drop_index("ix_invite_events_change")
