"""workspaces, members, invites and their audit trail

Revision ID: 0001
Revises:
Create Date: 2026-11-22 00:34:58.592460
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("withdraw_after_days", sa.Integer(), server_default=sa.text("14"), nullable=False),
        sa.Column("expire_after_days", sa.Integer(), server_default=sa.text("180"), nullable=False),
        sa.Column("resend_cooldown_days", sa.Integer(), server_default=sa.text("21"), nullable=False),
        sa.Column("pending_warn_at", sa.Integer(), server_default=sa.text("200"), nullable=False),
        sa.Column("pending_limit", sa.Integer(), server_default=sa.text("300"), nullable=False),
        sa.Column("max_withdrawals_per_day", sa.Integer(), server_default=sa.text("20"), nullable=False),
        sa.Column("safe_weekly_free", sa.Integer(), server_default=sa.text("80"), nullable=False),
        sa.Column("safe_weekly_premium", sa.Integer(), server_default=sa.text("120"), nullable=False),
        sa.Column("safe_weekly_sales_navigator", sa.Integer(), server_default=sa.text("150"), nullable=False),
        sa.Column("nudge_hour", sa.Integer(), server_default=sa.text("9"), nullable=False),
        sa.Column("working_days", sa.String(length=7), server_default="12345", nullable=False),
        sa.Column("digest_channel", sa.String(length=32), nullable=True),
        sa.Column("leaderboard_min_sample", sa.Integer(), server_default=sa.text("10"), nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "expire_after_days BETWEEN 1 AND 3650", name=op.f("ck_workspaces_expire_after_days")
        ),
        sa.CheckConstraint("leaderboard_min_sample >= 1", name=op.f("ck_workspaces_leaderboard_min_sample")),
        sa.CheckConstraint(
            "max_withdrawals_per_day BETWEEN 1 AND 500", name=op.f("ck_workspaces_max_withdrawals_per_day")
        ),
        sa.CheckConstraint("nudge_hour BETWEEN 0 AND 23", name=op.f("ck_workspaces_nudge_hour")),
        sa.CheckConstraint(
            "pending_warn_at >= 1 AND pending_limit >= pending_warn_at",
            name=op.f("ck_workspaces_pending_levels"),
        ),
        sa.CheckConstraint(
            "resend_cooldown_days BETWEEN 0 AND 365", name=op.f("ck_workspaces_resend_cooldown_days")
        ),
        sa.CheckConstraint(
            "withdraw_after_days BETWEEN 1 AND 365", name=op.f("ck_workspaces_withdraw_after_days")
        ),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("account_tier", sa.String(length=16), server_default="free", nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=True),
        sa.Column("tz_checked_at", sa.DateTime(), nullable=True),
        sa.Column("nudges_enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("snoozed_until", sa.DateTime(), nullable=True),
        sa.Column("show_on_leaderboard", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("deactivated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "account_tier IN ('free', 'premium', 'sales_navigator')", name=op.f("ck_members_account_tier")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_members_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("team_id", "user_id", name="uq_members_team_user"),
    )
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("prospect_key", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("company", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("priority", sa.String(length=8), server_default="normal", nullable=False),
        sa.Column("with_note", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("source", sa.String(length=16), server_default="command", nullable=False),
        sa.Column("status_changed_at", sa.DateTime(), nullable=False),
        sa.Column("snoozed_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("priority IN ('high', 'normal', 'low')", name=op.f("ck_invites_priority")),
        sa.CheckConstraint("source IN ('command', 'modal', 'import')", name=op.f("ck_invites_source")),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'withdrawn', 'expired')",
            name=op.f("ck_invites_status"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_invites_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_invites_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
    )
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invites_member_status_sent", ["member_id", "status", "sent_at"], unique=False
        )
        batch_op.create_index("ix_invites_team_prospect", ["team_id", "prospect_key"], unique=False)
        batch_op.create_index("ix_invites_team_sent", ["team_id", "sent_at"], unique=False)
        batch_op.create_index(
            "uq_invites_one_pending_per_member_prospect",
            ["member_id", "prospect_key"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "invite_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("invite_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.String(length=36), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("undone", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint(
            "to_status IN ('pending', 'accepted', 'declined', 'withdrawn', 'expired')",
            name=op.f("ck_invite_events_to_status"),
        ),
        sa.CheckConstraint(
            "via IN ('command', 'button', 'import', 'sweep', 'modal', 'undo')",
            name=op.f("ck_invite_events_via"),
        ),
        sa.ForeignKeyConstraint(
            ["invite_id"], ["invites.id"], name=op.f("fk_invite_events_invite_id_invites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_invite_events_member_id_members"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["workspaces.team_id"],
            name=op.f("fk_invite_events_team_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_events")),
    )
    with op.batch_alter_table("invite_events", schema=None) as batch_op:
        batch_op.create_index("ix_invite_events_invite", ["invite_id"], unique=False)
        batch_op.create_index("ix_invite_events_member_at", ["member_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invite_events", schema=None) as batch_op:
        batch_op.drop_index("ix_invite_events_member_at")
        batch_op.drop_index("ix_invite_events_invite")

    op.drop_table("invite_events")
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_invites_one_pending_per_member_prospect",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index("ix_invites_team_sent")
        batch_op.drop_index("ix_invites_team_prospect")
        batch_op.drop_index("ix_invites_member_status_sent")

    op.drop_table("invites")
    op.drop_table("members")
    op.drop_table("workspaces")
