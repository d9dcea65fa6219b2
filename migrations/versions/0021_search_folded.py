"""find in the database: each invite's folded name, company, slug and comment, one LIKE on the member's rows

`/invites find` read every one of the member's invites and folded them in Python (81 ms for the busiest
member at 10 million invites: 11,000 rows). The folded text is now stored with the invite (written
with it from now on), and the database returns only the matching rows.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 14:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only the column: instant on both databases, whatever the table's size (filling 10 million rows
    # here held the table's lock for over 15 minutes). A row written before it has NULL, and `find`
    # fills the member's NULL rows the first time it meets them (bot.services.invites.find_invites).
    op.add_column("invites", sa.Column("search_folded", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("invites", "search_folded")
