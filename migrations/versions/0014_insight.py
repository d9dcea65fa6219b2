"""insight: note budgets by tier, workspace holidays, away days, LinkedIn reports, the curve's index

- `workspaces.notes_per_month_<tier>`: personal notes a calendar month (NULL: no cap), free 5.
- `workspaces.holidays`: ISO dates without digests, comma-separated.
- `members.away_until` / `away_since`: `/invites away`; `linkedin_pending` / `linkedin_logged` /
  `linkedin_reported_at` / `drift_reminded_at`: `/invites linkedin <count>` and its reminder.
- `ix_invites_team_accepted_sent`: a team's invites accepted in the last 180 days, index-only (the curve).

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-01 11:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None

# (column, default) as declared at this revision; the bounds 0..1000, NULL meaning no cap.
NOTES = (("notes_per_month_free", 5), ("notes_per_month_premium", None), ("notes_per_month_sales_navigator", None))
MEMBER_COLUMNS = (
    ("away_until", sa.Date()),
    ("away_since", sa.DateTime()),
    ("linkedin_pending", sa.Integer()),
    ("linkedin_logged", sa.Integer()),
    ("linkedin_reported_at", sa.DateTime()),
    ("drift_reminded_at", sa.DateTime()),
)


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        for name, default in NOTES:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True,
                                          server_default=None if default is None else sa.text(str(default))))
        batch_op.add_column(sa.Column("holidays", sa.Text(), nullable=True))
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        for name, _ in NOTES:
            batch_op.create_check_constraint(op.f(f"ck_workspaces_{name}"),
                                             f"{name} IS NULL OR {name} BETWEEN 0 AND 1000")
    with op.batch_alter_table("members", schema=None) as batch_op:
        for name, type_ in MEMBER_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    op.create_index("ix_invites_team_accepted_sent", "invites",
                    ["team_id", "status", "status_changed_at", "sent_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_invites_team_accepted_sent", table_name="invites")
    with op.batch_alter_table("members", schema=None) as batch_op:
        for name, _ in reversed(MEMBER_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        for name, _ in NOTES:
            batch_op.drop_constraint(op.f(f"ck_workspaces_{name}"), type_="check")
        batch_op.drop_column("holidays")
        for name, _ in reversed(NOTES):
            batch_op.drop_column(name)
