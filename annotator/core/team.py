"""Team mode on PostgreSQL: group roles, row-level security, and who a connected role is."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from annotator.base.environment import chosen_annotator
from annotator.base.errors import UserError
from annotator.base.vocabulary import GOLD, AnnotatorKind, EnvVar
from annotator.core.db import open_engine, resolve_url, writing
from annotator.core.failures import GOLD_REVIEWERS_ONLY, OWN_LAYER_ONLY

ANNOTATORS_SUFFIX = "_annotators"
REVIEWERS_SUFFIX = "_reviewers"
# The tables that hold one annotator's layer: each row carries its annotator_id.
LAYER_TABLES = ("span", "document_label", "document_status", "effort")
# PostgreSQL cuts longer identifiers silently, which would merge two names into one.
MAX_NAME_BYTES = 63

# Which groups the connected role is in, superusers counted in none (pg_has_role counts
# them in every group). One query, so opening a corpus costs one round trip more.
_MEMBERSHIP = """
WITH RECURSIVE held(role) AS (
    SELECT oid FROM pg_catalog.pg_roles WHERE rolname = {who} AND NOT rolsuper
    UNION
    SELECT m.roleid FROM pg_catalog.pg_auth_members m JOIN held ON m.member = held.role
)
SELECT coalesce(bool_or(r.rolname = {annotators}), false),
       coalesce(bool_or(r.rolname = {reviewers}), false)
FROM held JOIN pg_catalog.pg_roles r ON r.oid = held.role
"""


@dataclass(frozen=True, slots=True)
class Groups:
    """The two group roles of one database."""

    annotators: str
    reviewers: str

    @classmethod
    def of(cls, database: str) -> Groups:
        groups = cls(database + ANNOTATORS_SUFFIX, database + REVIEWERS_SUFFIX)
        if len(groups.annotators.encode()) > MAX_NAME_BYTES:
            raise UserError(
                f"the database name {database!r} is too long for team mode: its group roles "
                f"would pass PostgreSQL's {MAX_NAME_BYTES} bytes; use a shorter name"
            )
        return groups


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    reviewer: bool

    @property
    def kind(self) -> str:
        return "reviewer" if self.reviewer else "annotator"


def _team_engine(url: str | None) -> Engine:
    """An engine on the PostgreSQL database team mode works on; SQLite is refused."""
    resolved = resolve_url(url)
    if make_url(resolved).get_backend_name() != "postgresql":
        raise UserError("team mode needs a PostgreSQL database: pass --db postgresql://…")
    return open_engine(resolved)


def _quoted(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)


def _literal(value: str) -> str:
    """A SQL string literal, for statements that take no parameters (DDL)."""
    return "'" + value.replace("'", "''") + "'"


def _scalar(connection: Connection, query: str) -> str:
    return str(connection.execute(text(query)).scalar_one())


def _groups(connection: Connection) -> Groups:
    return Groups.of(_scalar(connection, "SELECT current_database()"))


def _membership(connection: Connection, groups: Groups, role: str) -> tuple[bool, bool]:
    """(annotating, reviewing) for `role`: whether the team's rules bind it."""
    query = _MEMBERSHIP.format(who=":who", annotators=":annotators", reviewers=":reviewers")
    row = connection.execute(
        text(query), {"who": role, "annotators": groups.annotators, "reviewers": groups.reviewers}
    ).one()
    return bool(row[0]), bool(row[1])


def _ensure_annotator(connection: Connection, name: str, kind: AnnotatorKind) -> None:
    """Insert-or-get: a row another session made meanwhile is fine."""
    from sqlalchemy.dialects.postgresql import insert

    from annotator.core.models import annotator_t  # SQLModel: not for a light start

    connection.execute(
        insert(annotator_t)
        .values(name=name, kind=kind.value)
        .on_conflict_do_nothing(index_elements=["name"])
    )


def _require_owner(connection: Connection) -> None:
    """Only the role owning the tables (or a superuser) may set the rules, and it must be
    allowed to create roles."""
    row = connection.execute(
        text(
            "SELECT r.rolsuper, r.rolcreaterole, pg_catalog.pg_get_userbyid(c.relowner) "
            "FROM pg_catalog.pg_roles r, pg_catalog.pg_class c "
            "WHERE r.rolname = current_user AND c.oid = 'span'::regclass"
        )
    ).one()
    superuser, may_create_roles, owner = row
    me = _scalar(connection, "SELECT current_user")
    if not superuser and (owner != me or not may_create_roles):
        raise UserError(
            f"only the database owner ({owner}), allowed to create roles, may set up "
            f"or change the team; you are connected as {me}"
        )


def _role_exists(connection: Connection, name: str) -> bool:
    found = connection.execute(
        text("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :name"), {"name": name}
    ).first()
    return found is not None


def _require_team(connection: Connection, groups: Groups) -> None:
    if not _role_exists(connection, groups.annotators):
        raise UserError("team mode is not set up on this database yet: run `annotator team init`")


def _ensure_role(connection: Connection, name: str) -> None:
    if not _role_exists(connection, name):
        connection.exec_driver_sql(f"CREATE ROLE {_quoted(connection, name)} NOLOGIN")


def _functions(schema: str, groups: Groups) -> list[str]:
    """The SQL functions the policies and the guard call.

    A policy that looked the annotator up in a subquery of its own would run it for every
    row written; the policies call these STABLE functions inside a scalar subquery, which
    PostgreSQL evaluates once per statement (an InitPlan), whatever the number of rows.
    PL/pgSQL rather than SQL: the server keeps its plans for the session, while a SQL
    function that cannot be inlined is planned again at every call, which made each
    statement of a member cost milliseconds more.
    """
    annotators, reviewers = _literal(groups.annotators), _literal(groups.reviewers)
    return [
        f"""
        CREATE OR REPLACE FUNCTION {schema}.annotator_self_id() RETURNS integer
        LANGUAGE plpgsql STABLE AS $$
        BEGIN
            RETURN (SELECT id FROM {schema}.annotator WHERE name = current_user);
        END
        $$""",
        f"""
        CREATE OR REPLACE FUNCTION {schema}.annotator_layers() RETURNS integer[]
        LANGUAGE plpgsql STABLE AS $$
        DECLARE
            annotating boolean;
            reviewing boolean;
        BEGIN
            SELECT NOT r.rolsuper AND pg_catalog.pg_has_role(r.oid, {annotators}, 'MEMBER'),
                   pg_catalog.pg_has_role(r.oid, {reviewers}, 'MEMBER')
            INTO annotating, reviewing
            FROM pg_catalog.pg_roles r WHERE r.rolname = current_user;
            IF NOT coalesce(annotating, false) THEN
                RETURN NULL;
            END IF;
            RETURN ARRAY(
                SELECT a.id FROM {schema}.annotator a
                WHERE a.name = current_user
                   OR (reviewing AND a.kind = {_literal(AnnotatorKind.GOLD.value)})
                ORDER BY a.id
            );
        END
        $$""",
        # Called only for a row outside the role's layers (after an OR in the policies):
        # says in words why, where a bare policy would give PostgreSQL's generic message.
        f"""
        CREATE OR REPLACE FUNCTION {schema}.annotator_refuse(layer integer) RETURNS boolean
        LANGUAGE plpgsql STABLE AS $$
        DECLARE
            layers integer[] := {schema}.annotator_layers();
        BEGIN
            IF layers IS NULL OR layer = ANY (layers) THEN
                RETURN false;
            END IF;
            IF EXISTS (
                SELECT 1 FROM {schema}.annotator
                WHERE id = layer AND kind = {_literal(AnnotatorKind.GOLD.value)}
            ) THEN
                RAISE EXCEPTION {_literal(GOLD_REVIEWERS_ONLY)}
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RAISE EXCEPTION {_literal(OWN_LAYER_ONLY)} USING ERRCODE = 'insufficient_privilege';
        END
        $$""",
        # Row-level security hides another layer's rows from an UPDATE or a DELETE without
        # a word; this guard refuses them instead, so the person learns why nothing moved.
        f"""
        CREATE OR REPLACE FUNCTION {schema}.annotator_guard_layer() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM {schema}.annotator_refuse(OLD.annotator_id);
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END
        $$""",
    ]


def _policies(schema: str, groups: Groups, connection: Connection) -> list[str]:
    annotators = _quoted(connection, groups.annotators)
    reviewers = _quoted(connection, groups.reviewers)
    writable = (
        f"annotator_id = ANY ((SELECT {schema}.annotator_layers())::integer[]) "
        f"OR {schema}.annotator_refuse(annotator_id)"
    )
    checked = f"WITH CHECK ({writable})"
    myself = f"reviewer_id = (SELECT {schema}.annotator_self_id())"
    statements: list[str] = []

    def policies(table: str, *rules: tuple[str, str, str]) -> None:
        qualified = f"{schema}.{_quoted(connection, table)}"
        statements.append(f"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY")
        known = connection.execute(
            text(
                "SELECT policyname FROM pg_catalog.pg_policies WHERE schemaname = "
                "current_schema() AND tablename = :table AND policyname LIKE 'team\\_%'"
            ),
            {"table": table},
        ).scalars()
        statements.extend(f"DROP POLICY {_quoted(connection, p)} ON {qualified}" for p in known)
        for name, role, rule in rules:
            statements.append(f"CREATE POLICY {name} ON {qualified} {rule.format(role=role)}")

    for table in LAYER_TABLES:
        policies(
            table,
            ("team_read", annotators, "FOR SELECT TO {role} USING (true)"),
            ("team_insert", annotators, f"FOR INSERT TO {{role}} {checked}"),
            # USING (true): the guard trigger refuses another layer's row in words.
            ("team_update", annotators, f"FOR UPDATE TO {{role}} USING (true) {checked}"),
            ("team_delete", annotators, "FOR DELETE TO {role} USING (true)"),
        )
        qualified = f"{schema}.{_quoted(connection, table)}"
        statements.append(f"DROP TRIGGER IF EXISTS team_guard ON {qualified}")
        statements.append(
            f"CREATE TRIGGER team_guard BEFORE UPDATE OR DELETE ON {qualified} "
            f"FOR EACH ROW EXECUTE FUNCTION {schema}.annotator_guard_layer()"
        )
    policies(
        "history",
        ("team_read", annotators, "FOR SELECT TO {role} USING (true)"),
        ("team_insert", annotators, "FOR INSERT TO {role} WITH CHECK (annotator = current_user)"),
    )
    policies(
        "review_decision",
        ("team_read", annotators, "FOR SELECT TO {role} USING (true)"),
        ("team_insert", reviewers, f"FOR INSERT TO {{role}} WITH CHECK ({myself})"),
        ("team_delete", reviewers, f"FOR DELETE TO {{role}} USING ({myself})"),
    )
    return statements


def _grants(connection: Connection, schema: str, groups: Groups) -> list[str]:
    """Everything read, only the team's own writes; revoked first so a run after an
    upgrade leaves exactly this, whatever an earlier version granted."""
    annotators = _quoted(connection, groups.annotators)
    reviewers = _quoted(connection, groups.reviewers)
    database = _quoted(connection, _scalar(connection, "SELECT current_database()"))
    both = f"{annotators}, {reviewers}"
    layers = ", ".join(f"{schema}.{_quoted(connection, table)}" for table in LAYER_TABLES)
    return [
        f"GRANT {annotators} TO {reviewers}",
        f"GRANT CONNECT ON DATABASE {database} TO {annotators}",
        f"GRANT USAGE ON SCHEMA {schema} TO {annotators}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {both}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {both}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {annotators}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {annotators}",
        f"GRANT INSERT, UPDATE, DELETE ON {layers} TO {annotators}",
        f"GRANT INSERT ON {schema}.history TO {annotators}",
        f"GRANT INSERT, DELETE ON {schema}.review_decision TO {reviewers}",
        # Tables a later migration adds are readable at once, before init runs again.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {annotators}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE ON SEQUENCES TO {annotators}",
    ]


def init_team(url: str | None) -> Groups:
    """Set up team mode, run by the database owner: the schema brought up to date, the
    two group roles, their grants, the row-level security policies and the `gold` row.

    Idempotent: run again after an upgrade of annotator (or of the schema), it refreshes
    the grants, functions and policies to what this version expects; members stay.
    """
    engine = _team_engine(url)
    try:
        with writing(engine) as connection:
            _require_owner(connection)
            groups = _groups(connection)
            schema = _quoted(connection, _scalar(connection, "SELECT current_schema()"))
            _ensure_role(connection, groups.annotators)
            _ensure_role(connection, groups.reviewers)
            _ensure_annotator(connection, GOLD, AnnotatorKind.GOLD)
            statements = [
                *_grants(connection, schema, groups),
                *_functions(schema, groups),
                *_policies(schema, groups, connection),
            ]
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()
    return groups


def _checked_name(name: str, groups: Groups) -> str:
    name = name.strip()
    if not name:
        raise UserError("a team member needs a name")
    if name == GOLD:
        raise UserError(f"{GOLD!r} is reserved for the reviewed gold layer; choose another name")
    if name.startswith("pg_") or name in (groups.annotators, groups.reviewers):
        raise UserError(f"{name!r} is a name PostgreSQL or the team keeps; choose another")
    if len(name.encode()) > MAX_NAME_BYTES or not name.isprintable():
        raise UserError(
            f"a member's name is at most {MAX_NAME_BYTES} bytes of printable characters"
        )
    return name


def add_member(url: str | None, name: str, password: str, *, reviewer: bool = False) -> Member:
    """Create the login role of an annotator (or a reviewer), in its group, with its
    annotator row; an existing layer of that name becomes the role's.

    The password reaches the server only as a SCRAM verifier made here, so it is in no
    statement the server could log.
    """
    if not password:
        raise UserError("a team member needs a password")
    engine = _team_engine(url)
    try:
        with writing(engine) as connection:
            _require_owner(connection)
            groups = _groups(connection)
            _require_team(connection, groups)
            name = _checked_name(name, groups)
            if _role_exists(connection, name):
                annotating, _reviewing = _membership(connection, groups, name)
                if annotating:
                    raise UserError(f"{name!r} is already on the team")
                raise UserError(
                    f"a database role named {name!r} already exists and is not on this "
                    "team; choose another name"
                )
            pgconn = connection.connection.driver_connection.pgconn  # type: ignore[union-attr]
            verifier = pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")
            role = _quoted(connection, name)
            group = _quoted(connection, groups.reviewers if reviewer else groups.annotators)
            connection.exec_driver_sql(
                f"CREATE ROLE {role} LOGIN PASSWORD {_literal(verifier.decode())}"
            )
            connection.exec_driver_sql(f"GRANT {group} TO {role}")
            _ensure_annotator(connection, name, AnnotatorKind.PERSON)
    finally:
        engine.dispose()
    return Member(name, reviewer)


def members(url: str | None) -> list[Member]:
    """The login roles on the team, by name."""
    engine = _team_engine(url)
    try:
        with engine.connect() as connection:
            groups = _groups(connection)
            _require_team(connection, groups)
            rows = connection.execute(
                text(
                    "SELECT r.rolname, pg_catalog.pg_has_role(r.oid, :reviewers, 'MEMBER') "
                    "FROM pg_catalog.pg_roles r "
                    "WHERE r.rolcanlogin AND NOT r.rolsuper "
                    "AND pg_catalog.pg_has_role(r.oid, :annotators, 'MEMBER') "
                    "ORDER BY r.rolname"
                ),
                {"annotators": groups.annotators, "reviewers": groups.reviewers},
            ).all()
    finally:
        engine.dispose()
    return [Member(str(name), bool(reviewing)) for name, reviewing in rows]


def identity(engine: Engine, given: str | None) -> str:
    """The annotator a connection works as: on a team, the role itself.

    A name given on purpose (--annotator, $ANNOTATOR_ANNOTATOR, the window's setting) that
    differs from the role is refused, so nobody can type another's name to act as them;
    the system user name, a mere default, gives way to the role.
    """
    if engine.dialect.name != "postgresql":
        return chosen_annotator(given)
    with engine.connect() as connection:
        role, database = connection.execute(text("SELECT current_user, current_database()")).one()
        try:
            groups = Groups.of(str(database))
        except UserError:  # a name too long for team mode: no team here
            return chosen_annotator(given)
        role = str(role)
        annotating, _reviewing = _membership(connection, groups, role)
    if not annotating:
        return chosen_annotator(given)
    wanted = (given or os.environ.get(EnvVar.ANNOTATOR) or "").strip()
    if wanted and wanted not in (role, _system_user()):
        raise UserError(
            f"connected as role {role!r}: you annotate as {role}; "
            f"leave out --annotator and ${EnvVar.ANNOTATOR}, or set them to {role}"
        )
    return role


def _system_user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None
