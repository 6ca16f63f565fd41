"""`annotator suggest`: propose spans to an annotator from the corpus, pattern files or a
model, or measure how good those sources would be first (--evaluate).

Kept apart from `cli` so the suggestion sources load only when this command runs.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.core.corpus import Corpus
    from annotator.core.suggestions import Suggester

MODEL_MODULE = "annotator.core.suggestions.model"


def suggest_commands(commands: Any, acting: list[argparse.ArgumentParser]) -> None:
    suggest = commands.add_parser(
        "suggest", parents=acting, help="propose spans to an annotator",
        description="Writes suggestions (never annotations until accepted) into the "
        "annotator's layer, in the documents they have not marked done. Sources: --corpus "
        "(other occurrences of what the annotator labelled; the default), --patterns FILE "
        "(spaCy EntityRuler JSONL, or a gazetteer: one entry a line labelled by the file's "
        "name, or entry<TAB>label) and --model. --evaluate writes nothing and prints each "
        "source's precision, recall and F1 against the gold layer, or else the "
        "annotator's done documents.",
    )  # fmt: skip
    suggest.add_argument("--project", required=True, metavar="P")
    suggest.add_argument("--corpus", action="store_true", help="the annotator's labelled forms")
    suggest.add_argument(
        "--patterns", action="append", default=[], type=Path, metavar="FILE",
        help="an EntityRuler .jsonl or a gazetteer .txt (repeatable)",
    )  # fmt: skip
    suggest.add_argument("--model", action="store_true", help="a model trained on done documents")
    suggest.add_argument(
        "--evaluate", action="store_true", help="print precision, recall and F1; write nothing"
    )
    suggest.add_argument(
        "--case-insensitive", action="store_true", help="phrases match whatever their case"
    )
    suggest.add_argument(
        "--clear", action="store_true",
        help="first remove the pending suggestions of the chosen sources (of every source "
        "when none is named, and then write nothing)",
    )  # fmt: skip


def model_suggester(corpus: Corpus, project_id: int, module: str = MODEL_MODULE) -> Suggester:
    """The model source, imported only when asked for: it needs spaCy and a trained
    pipeline, which most installs lack."""
    from annotator.base.errors import UserError

    try:
        loaded = importlib.import_module(module)
    except ImportError as error:
        raise UserError(
            "the model source needs annotator[ml] (pip install 'annotator[ml]'), "
            f"which is not installed here ({error})"
        ) from error
    suggester: Suggester = loaded.model_suggester(corpus, project_id)
    return suggester


def run_suggest(args: argparse.Namespace, open_corpus: Callable[[argparse.Namespace], Any]) -> int:
    from annotator.core.suggestions import store
    from annotator.core.suggestions.corpus_forms import corpus_suggester
    from annotator.core.suggestions.patterns import load_patterns

    named = args.corpus or bool(args.patterns) or args.model
    case_sensitive = not args.case_insensitive
    # Pattern files are read before the database is opened: a bad one changes nothing.
    patterns = (
        load_patterns(args.patterns, case_sensitive=case_sensitive) if args.patterns else None
    )
    with open_corpus(args) as corpus:
        project_id = corpus.project_id(args.project)
        suggesters: list[Suggester] = []
        if args.corpus or not named:
            suggesters.append(corpus_suggester(corpus, project_id, case_sensitive=case_sensitive))
        if patterns is not None:
            suggesters.append(patterns)
        if args.model:
            suggesters.append(model_suggester(corpus, project_id))
        if args.evaluate:
            from annotator.core.suggestions.evaluation import evaluate

            for line in evaluate(corpus, project_id, suggesters).lines():
                print(line)
            return 0
        if args.clear:
            sources = [s.source for s in suggesters] if named else [None]
            removed = sum(store.clear(corpus, project_id, source=source) for source in sources)
            print(f"Removed {removed} pending suggestion{'s' if removed != 1 else ''}.")
            if not named:
                return 0
        report = store.propose(corpus, project_id, suggesters)
    for line in report.sentences():
        print(line)
    return 0
