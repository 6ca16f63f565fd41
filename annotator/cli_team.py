"""`annotator team`: a team's roles on one PostgreSQL server, from the command line.

Kept apart from `cli` for its own rule: a password is asked on the terminal or read from
a file, never taken as an argument.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def team_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    team = commands.add_parser(
        "team", help="set up a team on one PostgreSQL server",
        description="Roles in the database itself: each member logs in as their own role "
        "and may write only their own layer; reviewers also write the gold layer and "
        "review decisions. Run by the database owner.",
    )  # fmt: skip
    steps = team.add_subparsers(dest="team_command", metavar="STEP", required=True)
    steps.add_parser(
        "init", parents=[common], help="create the group roles, grants and policies",
        description="Brings the schema up to date and sets up the group roles and row-level "
        "security. Safe to run again: after an upgrade it refreshes grants and policies.",
    )  # fmt: skip
    # No abbreviations: `--password SECRET` must not pass for --password-file.
    add = steps.add_parser(
        "add", parents=[common], help="create a member's login role", allow_abbrev=False,
        description="The password is asked twice on the terminal, or read from the first "
        "line of --password-file; never give it on the command line.",
    )  # fmt: skip
    add.add_argument(
        "--password", "--passwd", "--pass", "--pw", "-p",
        nargs="?", action=RefusedPassword, help=argparse.SUPPRESS,
    )  # fmt: skip
    add.add_argument("name", metavar="NAME", help="the role name, which is the annotator name")
    add.add_argument("--reviewer", action="store_true", help="may also write the gold layer")
    add.add_argument("--password-file", type=Path, metavar="FILE")
    steps.add_parser("list", parents=[common], help="list the members and their kind")


class RefusedPassword(argparse.Action):
    """A password typed as an option: refused without repeating it, since the command
    line is in the shell's history and in the process list of every user."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        parser.error(
            "a password is never given on the command line: type it when asked, "
            "or give --password-file FILE"
        )


def run_team(
    args: argparse.Namespace, table: Callable[[Sequence[str], Sequence[Sequence[Any]]], None]
) -> int:
    from annotator.core import team
    from annotator.core.db import masked, resolve_url

    if args.team_command == "init":
        groups = team.init_team(args.db)
        print(f"team mode set up on {masked(resolve_url(args.db))}")
        print(f"groups: {groups.annotators} (annotators), {groups.reviewers} (reviewers)")
        return 0
    if args.team_command == "add":
        password = _new_password(args.name, args.password_file)
        member = team.add_member(args.db, args.name, password, reviewer=args.reviewer)
        print(f"added {member.kind} {member.name!r}: they connect with the user {member.name}")
        return 0
    table(("member", "kind"), [(m.name, m.kind) for m in team.members(args.db)])
    return 0


def _new_password(name: str, password_file: Path | None) -> str:
    """From the file's first line, or asked twice on the terminal: never an argument,
    which other users of the machine could read in the process list."""
    from annotator.base.errors import UserError

    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"cannot read the password file {password_file}: {error}") from error
        if not lines or not lines[0]:
            raise UserError(f"the password file {password_file} has no password on its first line")
        return lines[0]
    if not sys.stdin.isatty():
        raise UserError("no terminal to ask the password on: give --password-file FILE")
    import getpass

    first = getpass.getpass(f"password for {name}: ")
    if not first:
        raise UserError("a team member needs a password")
    if getpass.getpass(f"password for {name} again: ") != first:
        raise UserError("the two passwords differ; nothing was changed")
    return first
