"""history: the document and action of each row; the trash of deleted documents and labels

Earlier history rows get their document from the rows they saved (a span, a document
label, a status or a review decision names it), so a document's story reaches back.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from annotator.core.models import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_NAMING_DOCUMENT = ("span", "document_label", "document_status", "review_decision")


def upgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("document_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("batch", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index(batch_op.f("ix_history_document_id"), ["document_id"], unique=False)

    history = sa.table(
        "history",
        sa.column("id", sa.Integer()),
        sa.column("entity", sa.String()),
        sa.column("before", sa.JSON()),
        sa.column("after", sa.JSON()),
        sa.column("document_id", sa.Integer()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(history.c.id, history.c.before, history.c.after).where(
            history.c.entity.in_(_NAMING_DOCUMENT)
        )
    ).all()
    for row_id, before, after in rows:
        saved = after if after is not None else before
        document_id = saved.get("document_id") if isinstance(saved, dict) else None
        if isinstance(document_id, int):
            bind.execute(
                history.update().where(history.c.id == row_id).values(document_id=document_id)
            )

    op.create_table(
        "trash",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("deleted_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("deleted_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("restored_at", UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('document', 'label')", name=op.f("ck_trash_kind_known")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_trash_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trash")),
    )
    with op.batch_alter_table("trash", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trash_project_id"), ["project_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trash", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trash_project_id"))
    op.drop_table("trash")
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_history_document_id"))
        batch_op.drop_column("batch")
        batch_op.drop_column("document_id")
