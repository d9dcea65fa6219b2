"""workspace setting CHECKs from one declaration: every numeric setting in range, the rules between them

The settings are declared once (bot/domain/settings.py) and the model's CHECKs are made from that
declaration. Until now some ranges were checked only by the input model (pending levels' upper bound,
the safe weekly limits, the leaderboard sample's upper bound) and one rule not at all (expiry after the
withdraw threshold). The bounds are written out here, as they were at this revision: a migration is
history and must not change when the declaration does. Rows stored outside the ranges (by hand or by
an older version) are brought to the nearest allowed value first, so the new CHECKs can be added.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01 08:40:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

# (setting, min, max) as declared at this revision.
RANGES = (
    ("withdraw_after_days", 1, 365),
    ("expire_after_days", 2, 3650),  # after the withdraw threshold, itself at least 1
    ("resend_cooldown_days", 0, 365),
    ("pending_warn_at", 1, 100_000),
    ("pending_limit", 1, 100_000),
    ("max_withdrawals_per_day", 1, 500),
    ("safe_weekly_free", 1, 1000),
    ("safe_weekly_premium", 1, 1000),
    ("safe_weekly_sales_navigator", 1, 1000),
    ("nudge_hour", 0, 23),
    ("leaderboard_min_sample", 1, 10_000),
)
# (name, CHECK, the update that makes a stored row satisfy it once the ranges hold)
RULES = (
    ("pending_levels", "pending_limit >= pending_warn_at",
     "UPDATE workspaces SET pending_limit = pending_warn_at WHERE pending_limit < pending_warn_at"),
    ("expire_after_withdraw", "expire_after_days > withdraw_after_days",
     "UPDATE workspaces SET expire_after_days = withdraw_after_days + 1 WHERE expire_after_days <= withdraw_after_days"),
)
# The CHECKs of 0001, restored by the downgrade.
OLD = (
    ("expire_after_days", "expire_after_days BETWEEN 1 AND 3650"),
    ("leaderboard_min_sample", "leaderboard_min_sample >= 1"),
    ("max_withdrawals_per_day", "max_withdrawals_per_day BETWEEN 1 AND 500"),
    ("nudge_hour", "nudge_hour BETWEEN 0 AND 23"),
    ("pending_levels", "pending_warn_at >= 1 AND pending_limit >= pending_warn_at"),
    ("resend_cooldown_days", "resend_cooldown_days BETWEEN 0 AND 365"),
    ("withdraw_after_days", "withdraw_after_days BETWEEN 1 AND 365"),
)
NEW = (*((name, f"{name} BETWEEN {low} AND {high}") for name, low, high in RANGES),
       *((name, check) for name, check, _ in RULES))


def _replace(drop: tuple[tuple[str, str], ...], create: tuple[tuple[str, str], ...], *, fix_rows: bool) -> None:
    """Drop one set of workspaces CHECKs and create another (SQLite: one table rebuild, foreign keys off)."""
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        for name, _ in drop:
            batch_op.drop_constraint(op.f(f"ck_workspaces_{name}"), type_="check")
    if fix_rows:
        for name, low, high in RANGES:
            op.execute(f"UPDATE workspaces SET {name} = {low} WHERE {name} < {low}")  # noqa: S608
            op.execute(f"UPDATE workspaces SET {name} = {high} WHERE {name} > {high}")  # noqa: S608
        for _, _, update in RULES:
            op.execute(update)
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        for name, check in create:
            batch_op.create_check_constraint(op.f(f"ck_workspaces_{name}"), check)


def upgrade() -> None:
    _replace(OLD, NEW, fix_rows=True)


def downgrade() -> None:
    _replace(NEW, OLD, fix_rows=False)
