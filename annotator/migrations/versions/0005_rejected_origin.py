"""rejected origin: a span another tool's user turned down, kept only on request

Prodigy records every answer, `reject` and `ignore` included. An import that keeps them
(`--keep-rejected`) stores those spans with origin 'rejected', which no export,
agreement or review counts as an annotation.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 21:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BEFORE = "origin IN ('manual', 'imported', 'suggested')"
AFTER = "origin IN ('manual', 'imported', 'suggested', 'rejected')"


def _replace_check(condition: str) -> None:
    with op.batch_alter_table("span", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_span_origin_known"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_span_origin_known"), condition)


def upgrade() -> None:
    _replace_check(AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM span WHERE origin = 'rejected'")
    _replace_check(BEFORE)
