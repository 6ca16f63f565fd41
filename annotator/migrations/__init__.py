"""Alembic migrations of the corpus schema, applied whenever a database is opened."""
