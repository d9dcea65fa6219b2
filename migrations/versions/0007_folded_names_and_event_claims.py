"""folded names (matching in any case and script on every database) and claims of Slack events

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:05:00.000000
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Existing names are folded in batches of this many rows: memory stays flat on a million invites.
BATCH = 5000


def _fold(text: str) -> str:
    """bot.domain.prospect.fold as of this migration (a migration must not change when the app does)."""
    collapsed = " ".join(unicodedata.normalize("NFC", text).split())
    return unicodedata.normalize("NFC", collapsed.casefold())


def upgrade() -> None:
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_folded", sa.String(length=600), nullable=True))
    _backfill_folded_names(op.get_bind())

    op.create_table(
        "event_claims",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("done", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "event_id", name=op.f("pk_event_claims")),
    )
    with op.batch_alter_table("event_claims", schema=None) as batch_op:
        batch_op.create_index("ix_event_claims_claimed_at", ["claimed_at"], unique=False)


def _backfill_folded_names(bind) -> None:
    """Fold every stored name in Python (SQL's lower() is not the same fold), by id ranges."""
    invites = sa.table("invites", sa.column("id", sa.Integer), sa.column("name", sa.String),
                       sa.column("name_folded", sa.String))
    set_folded = (
        invites.update().where(invites.c.id == sa.bindparam("b_id")).values(name_folded=sa.bindparam("b_folded"))
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(invites.c.id, invites.c.name)
            .where(invites.c.id > last, invites.c.name.is_not(None))
            .order_by(invites.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        if bind.dialect.name == "postgresql":
            # One statement per batch (an executemany is one UPDATE per row: five times slower).
            bind.execute(
                sa.text("UPDATE invites SET name_folded = v.folded FROM unnest(CAST(:ids AS integer[]), "
                        "CAST(:folded AS text[])) AS v(id, folded) WHERE invites.id = v.id"),
                {"ids": [row.id for row in rows], "folded": [_fold(row.name) for row in rows]},
            )
        else:
            bind.execute(set_folded, [{"b_id": row.id, "b_folded": _fold(row.name)} for row in rows])
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("event_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_event_claims_claimed_at")
    op.drop_table("event_claims")
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_column("name_folded")
