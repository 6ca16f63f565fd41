"""Text sorted by code point on every backend, whatever collation the server was set up with."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class CodePointOrder(ColumnElement[str]):
    """`column` compared code point by code point, as SQLite and Python's `sorted` do.

    A PostgreSQL server usually sorts by its locale ("alice" before "Bob"); a list, a
    count table or an export would then read differently from the same data in SQLite.
    """

    inherit_cache = True
    # A plain list, as SQLAlchemy declares it: what a statement's cache key is made of.
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, column: ColumnElement[str]) -> None:
        self.column = column
        self.type = column.type


def code_point_order(column: Any) -> CodePointOrder:
    return CodePointOrder(column)


@compiles(CodePointOrder)
def _as_stored(element: CodePointOrder, compiler: SQLCompiler, **options: Any) -> str:
    return compiler.process(element.column, **options)  # SQLite's BINARY is code point order


@compiles(CodePointOrder, "postgresql")
def _c_collation(element: CodePointOrder, compiler: SQLCompiler, **options: Any) -> str:
    # "C" compares the UTF-8 bytes, whose order is the code points' order.
    return f'{compiler.process(element.column, **options)} COLLATE "C"'
