"""The `annotator` command: opens the GUI, or imports, exports and inspects a corpus.

Qt is imported only when the GUI starts, so the other commands run on any server.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator import __version__
from annotator.base.vocabulary import EnvVar, ExportFormat, LabelKind, Origin, Status
from annotator.cli_concordance import concordance_commands, run_concordance
from annotator.cli_suggest import run_suggest, suggest_commands
from annotator.cli_team import run_team, team_commands
from annotator.formats.registry import EXPORT_FORMATS, IMPORT_FORMATS, TagScheme, described

if TYPE_CHECKING:
    from tqdm import tqdm

    from annotator.core.corpus import Corpus
    from annotator.core.models import Label

STATUSES = tuple(Status)
# Origins of spans that are not annotations, which an export leaves out unless asked.
EXTRA_ORIGINS = (Origin.SUGGESTED.value, Origin.REJECTED.value)


def _shared_options(default: Any) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """--db and --annotator, accepted before and after the command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="URL", default=default,
        help=f"database URL or SQLite file (default: ${EnvVar.DB}, else the user data folder)",
    )  # fmt: skip
    identity = argparse.ArgumentParser(add_help=False)
    identity.add_argument(
        "--annotator", metavar="NAME", default=default,
        help=f"who is working (default: ${EnvVar.ANNOTATOR}, else the system user name)",
    )  # fmt: skip
    return common, identity


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="annotator",
        description="Label text spans for NLP corpora. With no command, opens the window.",
        parents=_shared_options(None),
    )
    # A command's own copies default to SUPPRESS: an option given only before the command
    # must not be overwritten by the command's unset default.
    common, identity = _shared_options(argparse.SUPPRESS)
    acting = [common, identity]
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    parser.add_argument("--project", metavar="P", help="project to open in the window")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    importer = commands.add_parser(
        "import", parents=acting, help="import articles and annotations",
        description="Import articles and other tools' files, or folders of them. Each file "
        "is imported whole or not at all; without --format, each file's format is detected "
        "from its name and content, and the report says which was used.",
    )  # fmt: skip
    importer.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    importer.add_argument("--project", required=True, metavar="P", help="created when missing")
    importer.add_argument(
        "--format", choices=IMPORT_FORMATS, dest="format_name", metavar="FORMAT",
        help=f"read every file as: {described(IMPORT_FORMATS)}",
    )  # fmt: skip
    importer.add_argument(
        "--text-column", default="text", metavar="NAME", help="CSV column holding the text"
    )
    importer.add_argument(
        "--text-key", metavar="KEY", help="JSON key holding the text (doccano's column_data)"
    )
    importer.add_argument(
        "--label-key", metavar="KEY", help="JSON key holding the labels (doccano's column_label)"
    )
    importer.add_argument(
        "--annotator-from-folder", action="store_true",
        help="work a file does not attribute is the annotator's named by its folder "
        "(a brat project: DIR/alice/*.ann, DIR/bob/*.ann)",
    )  # fmt: skip
    importer.add_argument(
        "--keep-rejected", action="store_true",
        help="keep spans another tool's user rejected (Prodigy's reject) as rejected "
        "suggestions, never counted as annotations",
    )  # fmt: skip

    exporter = commands.add_parser(
        "export", parents=[common], help="export spans and document labels",
        description="CSV: one row per span (offsets are Unicode code points, end exclusive), "
        "plus OUT's stem + '.document-labels.csv'. JSONL: one document a line with every layer. "
        "Other tools' formats as those tools read them; what a format cannot hold is listed.",
    )  # fmt: skip
    exporter.add_argument("--project", required=True, metavar="P")
    exporter.add_argument(
        "--format", required=True, choices=EXPORT_FORMATS, dest="format_name", metavar="FORMAT",
        help=described(EXPORT_FORMATS),
    )  # fmt: skip
    exporter.add_argument("-o", "--output", required=True, type=Path, metavar="OUT")
    exporter.add_argument(
        "--annotator", action="append", default=[], metavar="NAME", dest="only_annotators",
        help="keep only this annotator's work (repeatable)",
    )  # fmt: skip
    exporter.add_argument(
        "--label", action="append", default=[], metavar="NAME", dest="labels",
        help="keep only this label (repeatable)",
    )  # fmt: skip
    exporter.add_argument(
        "--status", action="append", default=[], choices=STATUSES, dest="statuses",
        help="keep only documents the annotator marked so (repeatable)",
    )  # fmt: skip
    exporter.add_argument(
        "--excel", action="store_true",
        help="CSV for spreadsheets: BOM, and formula-like cells prefixed with '",
    )  # fmt: skip
    exporter.add_argument(
        "--origin", action="append", default=[], choices=EXTRA_ORIGINS, dest="origins",
        help="also export spans of this origin, which are not annotations (repeatable)",
    )  # fmt: skip
    exporter.add_argument(
        "--scheme", choices=tuple(TagScheme), default=TagScheme.IOB2,
        help="CoNLL tags: iob2 (default) or bioes",
    )  # fmt: skip
    exporter.add_argument(
        "--gold", action="store_true",
        help="export only the gold layer built by review (in JSONL: the annotator 'gold')",
    )  # fmt: skip

    review_log = commands.add_parser(
        "review-log", parents=[common], help="export every review decision as CSV",
        description="One row per decision, superseded ones included: the two spans compared, "
        "the action, the gold span written and the reviewer's comment.",
    )  # fmt: skip
    review_log.add_argument("--project", required=True, metavar="P")
    review_log.add_argument("-o", "--output", required=True, type=Path, metavar="OUT")
    review_log.add_argument("--excel", action="store_true", help="CSV for spreadsheets")

    feedback = commands.add_parser(
        "feedback", parents=[common], help="write an annotator's review feedback",
        description="Every place where the review did not take the annotator's span as it "
        "was, with the gold span and the comment: one HTML file to open in a browser "
        "(OUT ending in .html) or CSV (.csv).",
    )  # fmt: skip
    feedback.add_argument("--project", required=True, metavar="P")
    feedback.add_argument(
        "--annotator", required=True, metavar="NAME", dest="feedback_annotator",
        help="whose work the report is about",
    )  # fmt: skip
    feedback.add_argument("-o", "--output", required=True, type=Path, metavar="OUT")
    feedback.add_argument("--excel", action="store_true", help="CSV for spreadsheets")

    commands.add_parser("projects", parents=[common], help="list projects").add_argument(
        "--create", metavar="NAME", help="create an empty project"
    )
    documents = commands.add_parser(
        "documents", parents=acting, help="list a project's documents with your status"
    )
    documents.add_argument("--project", required=True, metavar="P")
    documents.add_argument("--status", choices=STATUSES)
    documents.add_argument(
        "--delete", type=int, metavar="ID", help="move the document, with every layer, to the trash"
    )

    labels = commands.add_parser(
        "labels", parents=acting, help="list, add, change or delete a project's labels",
        description="Without --add, --set or --delete, lists the labels. With --add, creates "
        "one (a span label takes the next free key 1-9 unless --hotkey or --no-hotkey says "
        "otherwise). With --set NAME, changes that label's key, colour, name or description.",
    )  # fmt: skip
    labels.add_argument("--project", required=True, metavar="P")
    chosen = labels.add_mutually_exclusive_group()
    chosen.add_argument("--add", metavar="NAME", help="create a label")
    chosen.add_argument("--set", metavar="NAME", help="change a label")
    chosen.add_argument(
        "--delete", metavar="NAME", help="move the label, with its spans, to the trash"
    )
    labels.add_argument("--kind", choices=tuple(LabelKind), default=LabelKind.SPAN)
    labels.add_argument("--color", metavar="#RRGGBB")
    key = labels.add_mutually_exclusive_group()
    key.add_argument("--hotkey", metavar="KEY")
    key.add_argument("--no-hotkey", action="store_true", help="no key for this label")
    labels.add_argument("--rename", metavar="NEW", help="with --set: the label's new name")
    labels.add_argument("--description", metavar="TEXT", help="guideline text")

    stats = commands.add_parser("stats", parents=[common], help="counts per label and annotator")
    stats.add_argument("--project", required=True, metavar="P")
    stats.add_argument("--json", action="store_true")

    agreement = commands.add_parser(
        "agreement", parents=[common], help="inter-annotator agreement",
        description="Span F1 (exact and overlapping), token kappa, Fleiss' kappa, "
        "Krippendorff's alpha (tokens) and unitizing alpha (characters), document-label "
        "kappa and a label confusion matrix, per pair of annotators and per label.",
    )  # fmt: skip
    agreement.add_argument("--project", required=True, metavar="P")
    agreement.add_argument(
        "--annotators", nargs="+", metavar="NAME", help="who to compare (default: everyone)"
    )
    agreement.add_argument(
        "--without-suggestions", action="store_true",
        help="leave out spans that were accepted suggestions: people's own agreement",
    )  # fmt: skip
    agreement.add_argument("--json", action="store_true", help="machine-readable output")

    merge = commands.add_parser(
        "merge", parents=acting, help="pull every layer from another annotator database",
        description="Copies projects, labels, documents (matched by content) and every "
        "annotator's spans, document labels and statuses from OTHER. OTHER is not changed; "
        "merging twice adds nothing the second time.",
    )  # fmt: skip
    merge.add_argument("other", type=Path, metavar="OTHER.db")

    backup = commands.add_parser(
        "backup", parents=[common], help="copy the database (SQLite) to a safe place",
        description="A consistent copy, safe while the window is open, into the backups "
        "folder beside the database or to PATH; an existing file is never overwritten.",
    )  # fmt: skip
    backup.add_argument("--to", type=Path, metavar="PATH", help="a new file, or a folder")
    restore = commands.add_parser(
        "restore", parents=[common], help="put a backup in place of the database (SQLite)",
        description="Checks that PATH is a whole annotator database, keeps a copy of the "
        "current database in the backups folder, then replaces it. Without --yes, only "
        "says what it would do.",
    )  # fmt: skip
    restore.add_argument("source", type=Path, metavar="PATH")
    restore.add_argument("--yes", action="store_true", help="replace the current database")
    _history_commands(commands, acting)
    _copy_command(commands)
    team_commands(commands, common)
    suggest_commands(commands, acting)
    concordance_commands(commands, common)
    return parser


def _history_commands(commands: Any, acting: list[argparse.ArgumentParser]) -> None:
    history = commands.add_parser(
        "history", parents=acting, help="what happened to a document, newest first"
    )
    history.add_argument("--project", required=True, metavar="P")
    history.add_argument("--document", required=True, metavar="D", help="an id or a title")
    history.add_argument("--limit", type=int, default=500, metavar="N")
    history.add_argument("--json", action="store_true", help="machine-readable output")
    trash = commands.add_parser(
        "trash", parents=acting, help="list a project's deleted documents and labels"
    )
    trash.add_argument("--project", required=True, metavar="P")
    trash.add_argument("--json", action="store_true", help="machine-readable output")
    restore = commands.add_parser(
        "restore-trash", parents=acting, help="bring a deleted document or label back whole"
    )
    restore.add_argument("id", type=int, metavar="ID", help="as `annotator trash` lists it")


def _copy_command(commands: Any) -> None:
    copy = commands.add_parser(
        "copy", help="copy a whole database to another (SQLite and PostgreSQL, either way)",
        description="Copies every project, label, document, layer, status, review decision, "
        "history entry and trash item, ids and all, into TARGET in one transaction. TARGET "
        "must be a new SQLite file or an empty database. SOURCE is only read (an older "
        "schema is first brought up to date, as opening it would).",
    )  # fmt: skip
    copy.add_argument(
        "--from", required=True, metavar="SOURCE", dest="source",
        help="database URL or SQLite file to copy",
    )  # fmt: skip
    copy.add_argument(
        "--to", required=True, metavar="TARGET", dest="target",
        help="database URL or SQLite file to fill",
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. A UserError ends it with its message and exit status; a problem
    of the environment, found in a database error, with its plain sentence; anything
    else is a bug: its traceback goes to the log file and the exit status is 70."""
    args = build_parser().parse_args(argv)
    import logging

    from annotator.base.errors import BUG_EXIT_CODE, DatabaseUnavailable, UserError
    from annotator.base.logs import configure_logging

    log_file = configure_logging()
    log = logging.getLogger("annotator")
    log.info("annotator %s: %s", __version__, args.command or "window")
    try:
        if args.command is None:
            return _open_window(args)
        handler: Callable[[argparse.Namespace], int] = HANDLERS[args.command]
        return handler(args)
    except KeyboardInterrupt:
        print("annotator: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        from annotator.core.failures import classify_uncaught

        problem = error if isinstance(error, UserError) else classify_uncaught(error)
        if problem is None:
            log.error("bug in annotator %s", __version__, exc_info=True)
            if log_file is None:
                traceback.print_exc()
            where = log_file or "the traceback above"
            print(f"annotator: this is a bug in annotator; details are in {where}", file=sys.stderr)
            return BUG_EXIT_CODE
        if isinstance(problem, DatabaseUnavailable):
            log.info("%s (%s): %s", problem.kind, problem.where, problem.detail)
        print(f"annotator: error: {problem}", file=sys.stderr)
        return problem.exit_code


def _open_window(args: argparse.Namespace) -> int:
    from annotator.gui.app import run

    return run(db=args.db, annotator=args.annotator, project=args.project)


def _exit_without_collecting() -> None:
    """At exit, Python's last collection walks every object SQLAlchemy, pydantic and
    Alembic made, a third of a second that frees nothing the system would not; frozen
    objects are skipped. Connections and files are closed by then, not by finalizers."""
    atexit.unregister(gc.freeze)  # once, however many commands run in this process
    atexit.register(gc.freeze)


def _corpus(args: argparse.Namespace) -> Corpus:
    from annotator.core.corpus import Corpus

    _exit_without_collecting()

    # For export, --annotator is a list of names to keep, not who is working.
    identity = getattr(args, "annotator", None)
    return Corpus.open(args.db, annotator=identity if isinstance(identity, str) else None)


@contextmanager
def _progress(total: int, unit: str, description: str) -> Iterator[tqdm[Any]]:
    """A bar on a terminal; nothing at all when stderr is a file or a pipe."""
    from tqdm import tqdm

    bar = tqdm(
        total=total, unit=unit, unit_scale=True, desc=description, leave=False,
        disable=not sys.stderr.isatty(), file=sys.stderr,
    )  # fmt: skip
    try:
        yield bar
    finally:
        bar.close()


def _import(args: argparse.Namespace) -> int:
    from annotator.core.importing import import_paths
    from annotator.formats.registry import ReadOptions

    with _corpus(args) as corpus, _progress(0, "B", "importing") as bar:

        def on_progress(done: int, total: int, _name: str) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        options = ReadOptions(
            text_key=args.text_key, label_key=args.label_key, text_column=args.text_column,
            keep_rejected=args.keep_rejected, annotator_from_folder=args.annotator_from_folder,
        )  # fmt: skip
        report = import_paths(
            corpus, args.paths, project=args.project, format_name=args.format_name,
            options=options, on_progress=on_progress,
        )  # fmt: skip
    for line in report.file_lines():
        print(line)
    print(report.summary(details=False))
    for failure in report.failures:
        print(f"annotator: error: {failure}", file=sys.stderr)
    return 0 if report.ok else 1


def _export(args: argparse.Namespace) -> int:
    from annotator.base.errors import UserError
    from annotator.base.vocabulary import GOLD, Status
    from annotator.core import exporting
    from annotator.formats.registry import WriteOptions

    if args.gold and (args.only_annotators or args.statuses):
        raise UserError("--gold exports the gold layer alone; leave out --annotator and --status")
    chosen = exporting.ExportFilter(
        annotators=(GOLD,) if args.gold else tuple(args.only_annotators),
        labels=tuple(args.labels),
        statuses=tuple(Status(s) for s in args.statuses),
        origins=tuple(args.origins),
    )
    unit = "span" if args.format_name == ExportFormat.CSV else "doc"
    with _corpus(args) as corpus, _progress(0, unit, "exporting") as bar:
        project_id = corpus.project_id(args.project)

        def on_progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        report = exporting.export_project(
            corpus, project_id, format_name=args.format_name, output=args.output,
            chosen=chosen, excel=args.excel, options=WriteOptions(scheme=TagScheme(args.scheme)),
            on_progress=on_progress,
        )  # fmt: skip
    if args.format_name == ExportFormat.CSV:
        print(f"wrote {report.rows} span(s) to {report.files[0]}")
        print(f"wrote {report.document_labels} document label(s) to {report.files[1]}")
    else:
        print(f"wrote {report.rows} document(s) to {report.files[0]}")
    for line in report.notes.lines():
        print(line)
    return 0


def _review_log(args: argparse.Namespace) -> int:
    from annotator.core.exporting import write_review_log

    with _corpus(args) as corpus:
        project_id = corpus.project_id(args.project)
        count = write_review_log(corpus, project_id, args.output, excel=args.excel)
    print(f"wrote {count} decision(s) to {args.output}")
    return 0


def _feedback(args: argparse.Namespace) -> int:
    from annotator.base.errors import UserError
    from annotator.core.exporting import write_feedback

    suffix = args.output.suffix.lower()
    if suffix not in {".html", ".htm", ".csv"}:
        raise UserError(f"write the feedback to a .html or .csv file, not {args.output.name!r}")
    with _corpus(args) as corpus:
        project_id = corpus.project_id(args.project)
        count = write_feedback(
            corpus, project_id, args.feedback_annotator, args.output, excel=args.excel,
            title=f"Review feedback for {args.feedback_annotator}: {args.project}",
        )  # fmt: skip
    print(f"wrote {count} item(s) of feedback for {args.feedback_annotator} to {args.output}")
    return 0


def _projects(args: argparse.Namespace) -> int:
    if args.create:
        with _corpus(args) as corpus:
            corpus.create_project(args.create)
        print(f"created project {args.create!r}")
        return 0
    # Listing needs no ORM: the catalog starts without loading SQLModel and pydantic.
    from annotator.core.catalog import Catalog

    _exit_without_collecting()
    with Catalog.open(args.db) as catalog:
        rows = [(p.name, p.documents, p.spans, p.annotators) for p in catalog.projects()]
    _table(("project", "documents", "spans", "annotators"), rows)
    return 0


def _documents(args: argparse.Namespace) -> int:
    from annotator.base.vocabulary import Status

    with _corpus(args) as corpus:
        project_id = corpus.project_id(args.project)
        if args.delete is not None:
            return _delete_document(corpus, project_id, args.delete)
        rows = corpus.documents(project_id, status=Status(args.status) if args.status else None)
        progress = corpus.progress(project_id)
    _table(
        ("id", "status", "spans", "chars", "title"),
        [(r.id, r.status, r.spans, r.chars, r.title or "") for r in rows],
    )
    print(f"{progress.done} of {progress.total} done by {corpus.annotator_name}")
    return 0


def _labels(args: argparse.Namespace) -> int:
    from annotator.base.errors import UserError
    from annotator.base.vocabulary import LabelKind

    if args.rename is not None and not args.set:
        raise UserError("--rename changes a label named by --set")
    with _corpus(args) as corpus:
        project_id = corpus.project_id(args.project)
        if args.delete:
            return _delete_label(corpus, project_id, args.delete, args.kind)
        if args.set:
            return _set_label(corpus, project_id, args)
        if args.add:
            corpus.add_label(
                project_id, args.add, kind=LabelKind(args.kind), color=args.color,
                hotkey=args.hotkey, description=args.description or "",
                auto_hotkey=not args.no_hotkey,
            )  # fmt: skip
            added = _find_label(corpus, project_id, args.add.strip(), args.kind)
            key = f" on key {added.hotkey}" if added.hotkey else ""
            print(f"added {args.kind} label {args.add!r}{key}")
            return 0
        rows = [
            (label.name, label.kind, label.hotkey or "", label.color, label.description)
            for label in corpus.labels(project_id)
        ]
    _table(("label", "kind", "hotkey", "colour", "description"), rows)
    return 0


def _set_label(corpus: Corpus, project_id: int, args: argparse.Namespace) -> int:
    """Change what --set names; only the options given change."""
    from annotator.base.errors import UserError

    label = _find_label(corpus, project_id, args.set, args.kind)
    fields: dict[str, Any] = {}
    if args.no_hotkey:
        fields["clear_hotkey"] = True
    elif args.hotkey is not None:
        fields["hotkey"] = args.hotkey
    if args.color is not None:
        fields["color"] = args.color
    if args.rename is not None:
        fields["name"] = args.rename
    if args.description is not None:
        fields["description"] = args.description
    if not fields:
        raise UserError(
            "--set needs something to change: --hotkey, --no-hotkey, --color, --rename "
            "or --description"
        )
    assert label.id is not None
    corpus.update_label(label.id, **fields)
    print(f"changed label {args.set!r}")
    return 0


def _stats(args: argparse.Namespace) -> int:
    from annotator.core.effort import clock_time, effort_by_annotator

    with _corpus(args) as corpus:
        project_id = corpus.project_id(args.project)
        stats = corpus.stats(project_id)
        effort = effort_by_annotator(corpus, project_id)
    if effort:  # only once someone has worked in the window, so older output stays as it was
        stats["effort"] = {name: e.as_json() for name, e in sorted(effort.items())}
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
        return 0
    print(f"documents: {stats['documents']}  spans: {stats['spans']}")
    _table(("label", "spans"), sorted(stats["labels"].items()))
    _table(
        ("annotator", "spans", "documents", Status.DONE.display, Status.IN_PROGRESS.display),
        [
            (name, a["spans"], a["documents_with_spans"], a[Status.DONE], a[Status.IN_PROGRESS])
            for name, a in sorted(stats["annotators"].items())
        ],
    )
    if effort:
        print()
        _table(
            ("annotator", "active", "keystrokes", "spans/min"),
            [
                (name, clock_time(e.active_seconds), e.keystrokes, e.rate_in_words())
                for name, e in sorted(effort.items())
            ],
        )
    return 0


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        padded = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(padded).rstrip())


def _agreement(args: argparse.Namespace) -> int:
    from annotator.core.agreement import compute_report, load_project
    from annotator.core.suggestions.store import counted_origins

    origins = counted_origins(with_accepted=not args.without_suggestions)
    with _corpus(args) as corpus:
        project_id = corpus.project_id(args.project)
        data = load_project(corpus, project_id, annotators=args.annotators, origins=origins)
    report = compute_report(data)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print(report.to_text())
    return 0


def _merge(args: argparse.Namespace) -> int:
    from annotator.core.merging import merge_database

    with _corpus(args) as corpus, _progress(0, "doc", "merging") as bar:

        def on_progress(done: int, total: int, _name: str) -> None:
            bar.total = total
            bar.update(done - bar.n)

        reports = merge_database(corpus, args.other, on_progress=on_progress)
    for name, report in reports.items():
        print(f"project {name}:")
        print("  " + report.summary(details=False).replace("\n", "\n  "))
    return 0


def _sqlite_database(args: argparse.Namespace, command: str) -> Path:
    """The chosen database's file; a server database has its own tools."""
    from annotator.base.errors import UserError
    from annotator.core.db import masked, resolve_url, sqlite_file

    url = resolve_url(args.db)
    path = sqlite_file(url)
    if path is None:
        raise UserError(
            f"annotator {command} is for SQLite files; for the database {masked(url)} "
            "use the server's own tools (pg_dump and pg_restore for PostgreSQL)"
        )
    return path


def _backup(args: argparse.Namespace) -> int:
    from annotator.core.backups import MANUAL, take_backup

    database = _sqlite_database(args, "backup")
    copy = take_backup(database, kind=MANUAL, target=args.to)
    print(f"copied {database} to {copy}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from annotator.core.backups import plan_restore, restore

    database = _sqlite_database(args, "restore")
    plan = plan_restore(database, args.source)
    if plan.replaces and not args.yes:
        print(plan.describe())
        print("nothing was changed; run again with --yes to restore", file=sys.stderr)
        return 1
    done = restore(plan)
    print(f"restored {database} from {done.source}")
    if done.kept is not None:
        print(f"the database it replaced is kept as {done.kept}")
    return 0


def _copy(args: argparse.Namespace) -> int:
    from annotator.base.errors import UserError
    from annotator.core.copying import copy_database

    if not args.source.strip() or not args.target.strip():
        raise UserError("give both databases: annotator copy --from SOURCE --to TARGET")
    _exit_without_collecting()
    with _progress(0, "row", "copying") as bar:

        def on_progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        report = copy_database(args.source, args.target, on_progress=on_progress)
    print(report.summary())
    return 0


def _delete_document(corpus: Corpus, project_id: int, document_id: int) -> int:
    from annotator.core.history import find_document

    find_document(corpus, project_id, str(document_id))  # in this project, or a UserError
    change = corpus.delete_document(document_id)
    print(f"moved document {document_id} to the trash (trash id {change.entity_id})")
    return 0


def _find_label(corpus: Corpus, project_id: int, name: str, kind: str) -> Label:
    """The label a name means; the kind decides only when a span and a document label
    share the name."""
    from annotator.base.errors import UserError

    found = [label for label in corpus.labels(project_id) if label.name == name]
    if len(found) > 1:
        found = [label for label in found if label.kind == kind]
    if not found or found[0].id is None:
        raise UserError(f"the project has no label named {name!r}")
    return found[0]


def _delete_label(corpus: Corpus, project_id: int, name: str, kind: str) -> int:
    label = _find_label(corpus, project_id, name, kind)
    assert label.id is not None
    change = corpus.delete_label(label.id)
    spans = change.before["spans"] if change.before else 0
    print(f"moved label {name!r} and {spans} spans to the trash (trash id {change.entity_id})")
    return 0


def _history(args: argparse.Namespace) -> int:
    from annotator.core.history import document_history, find_document

    with _corpus(args) as corpus:
        project_id = corpus.project_id(args.project)
        document_id = find_document(corpus, project_id, args.document)
        lines = document_history(corpus, document_id, limit=args.limit)
    if args.json:
        rows = [
            {"id": line.id, "at": line.at.isoformat(), "annotator": line.annotator,
             "action": line.action, "what": line.what}
            for line in lines
        ]  # fmt: skip
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    _table(
        ("when", "who", "what"),
        [(f"{line.at:%Y-%m-%d %H:%M:%S}", line.annotator, line.what) for line in lines],
    )
    return 0


def _trash(args: argparse.Namespace) -> int:
    with _corpus(args) as corpus:
        items = corpus.trash(corpus.project_id(args.project))
    if args.json:
        rows = [
            {"id": i.id, "kind": i.kind, "name": i.name, "was_id": i.item_id, "spans": i.spans,
             "deleted_by": i.deleted_by, "deleted_at": i.deleted_at.isoformat()}
            for i in items
        ]  # fmt: skip
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    _table(
        ("id", "kind", "name", "spans", "deleted by", "deleted at"),
        [
            (i.id, i.kind, i.name, i.spans, i.deleted_by, f"{i.deleted_at:%Y-%m-%d %H:%M:%S}")
            for i in items
        ],
    )
    return 0


def _restore_trash(args: argparse.Namespace) -> int:
    with _corpus(args) as corpus:
        change = corpus.restore(args.id)
    assert change.after is not None
    after = change.after
    print(f"restored {after['kind']} {after['name']!r} as id {after['item_id']}")
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "backup": _backup,
    "restore": _restore,
    "history": _history,
    "trash": _trash,
    "restore-trash": _restore_trash,
    "agreement": _agreement,
    "merge": _merge,
    "import": _import,
    "export": _export,
    "review-log": _review_log,
    "feedback": _feedback,
    "projects": _projects,
    "documents": _documents,
    "labels": _labels,
    "stats": _stats,
    "copy": _copy,
    "team": lambda args: run_team(args, _table),
    "suggest": lambda args: run_suggest(args, _corpus),
    "concordance": lambda args: run_concordance(args, _corpus),
}

if __name__ == "__main__":
    sys.exit(main())
