"""Alembic environment: runs on the connection the corpus opened, never on its own."""

from __future__ import annotations

from alembic import context

from annotator.core.models import SQLModel

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through annotator.core.db.open_engine, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
