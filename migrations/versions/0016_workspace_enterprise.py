"""workspaces know their Enterprise Grid org: one org-wide install serves (and uninstalls) all of them

An org-wide install is one installation for the enterprise (team_id NULL in the OAuth stores); the
workspaces it serves are found per request. Each keeps its own rows keyed by team_id as before;
`enterprise_id` records which org's token serves it and which workspaces an org uninstall stops.
Workspaces installed one by one inside a Grid org before this migration get their org from the
stored installations.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-01 11:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("enterprise_id", sa.String(length=32), nullable=True))
        batch.create_index("ix_workspaces_enterprise_id", ["enterprise_id"], unique=False)
    op.execute(sa.text(
        "UPDATE workspaces SET enterprise_id = (SELECT MAX(i.enterprise_id) FROM slack_installations i "
        "WHERE i.team_id = workspaces.team_id AND i.enterprise_id IS NOT NULL) "
        "WHERE enterprise_id IS NULL"
    ))


def downgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_index("ix_workspaces_enterprise_id")
        batch.drop_column("enterprise_id")
