"""review: the gold layer's annotator kind and the review_decision table

An annotator already named `gold` becomes the gold layer: the name is reserved from
this revision on, and a layer imported under that name was meant as gold.

On SQLite, `kind` is added by a plain ADD COLUMN with its CHECK inline, which batch
mode does without copying the table: `annotator` is referenced by the span tables, and
with foreign keys on (as the corpus always opens SQLite) dropping it for a copy would
fail inside the migration's transaction.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from annotator.core.models import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("annotator", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.String(),
                sa.CheckConstraint(
                    "kind IN ('person', 'gold')", name=op.f("ck_annotator_kind_known")
                ),
                nullable=False,
                server_default="person",
            )
        )
    op.execute("UPDATE annotator SET kind = 'gold' WHERE name = 'gold'")

    op.create_table(
        "review_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("annotator_a", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("annotator_b", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("item_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('take_a', 'take_b', 'reject', 'edit', 'accept_agreement')",
            name=op.f("ck_review_decision_action_known"),
        ),
        sa.CheckConstraint(
            "kind IN ('agree', 'label', 'boundary', 'only_a', 'only_b')",
            name=op.f("ck_review_decision_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_review_decision_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_review_decision_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["annotator.id"],
            name=op.f("fk_review_decision_reviewer_id_annotator"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decision")),
    )
    with op.batch_alter_table("review_decision", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_decision_item",
            ["document_id", "annotator_a", "annotator_b", "item_key"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_review_decision_project_id"), ["project_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("review_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_decision_project_id"))
        batch_op.drop_index("ix_review_decision_item")
    op.drop_table("review_decision")

    if op.get_bind().dialect.name == "sqlite":
        # Native DROP COLUMN (SQLite 3.35+) takes the inline CHECK with it and, unlike a
        # batch copy, leaves the tables that reference `annotator` alone.
        op.execute("ALTER TABLE annotator DROP COLUMN kind")
    else:
        op.drop_constraint(op.f("ck_annotator_kind_known"), "annotator", type_="check")
        op.drop_column("annotator", "kind")
