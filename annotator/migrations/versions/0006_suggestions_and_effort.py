"""suggestions and effort: accepted suggestions, a span's source and score, time spent

A suggestion is a span with origin 'suggested' in the annotator's own layer; accepting it
makes it 'accepted' (an annotation, told apart so agreement can leave it out), rejecting
it 'rejected' (remembered, never proposed again). `source` and `score` say which source
proposed it and how sure a model was. `effort` keeps each annotator's active time, key
presses and spans made per document.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 00:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BEFORE = "origin IN ('manual', 'imported', 'suggested', 'rejected')"
AFTER = "origin IN ('manual', 'imported', 'suggested', 'rejected', 'accepted')"


def upgrade() -> None:
    with op.batch_alter_table("span", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("score", sa.Float(), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_span_origin_known"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_span_origin_known"), AFTER)
    op.create_table(
        "effort",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("active_seconds", sa.Float(), nullable=False),
        sa.Column("keystrokes", sa.Integer(), nullable=False),
        sa.Column("spans_made", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("active_seconds >= 0", name=op.f("ck_effort_active_not_negative")),
        sa.CheckConstraint("keystrokes >= 0", name=op.f("ck_effort_keystrokes_not_negative")),
        sa.CheckConstraint("spans_made >= 0", name=op.f("ck_effort_spans_not_negative")),
        sa.ForeignKeyConstraint(
            ["annotator_id"], ["annotator.id"], name=op.f("fk_effort_annotator_id_annotator")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_effort_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "annotator_id", name=op.f("pk_effort")),
    )


def downgrade() -> None:
    op.drop_table("effort")
    # An accepted suggestion stays an annotation: the person's span, as before 0006.
    op.execute("UPDATE span SET origin = 'manual' WHERE origin = 'accepted'")
    with op.batch_alter_table("span", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_span_origin_known"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_span_origin_known"), BEFORE)
        batch_op.drop_column("score")
        batch_op.drop_column("source")
