"""change notifications: PostgreSQL tells listening windows that a table changed

After every statement that changes documents, spans, document labels, statuses, labels,
projects or review decisions, a trigger sends the table's name on the channel
`annotator_changes` (core.watching listens there). PostgreSQL sends one notification per
distinct name when the transaction commits, none when it rolls back. SQLite needs no
triggers: its watcher compares `PRAGMA data_version`, so this revision changes nothing there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 17:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CHANNEL = "annotator_changes"  # core.watching.CHANNEL; a revision keeps its own copy
FUNCTION = "annotator_notify_change"
WATCHED = (
    "project",
    "label",
    "document",
    "span",
    "document_label",
    "document_status",
    "review_decision",
)


def _trigger(table: str) -> str:
    return f"{table}_notify_change"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
    for table in WATCHED:
        op.execute(
            f"CREATE TRIGGER {_trigger(table)} "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS {_trigger(table)} ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
