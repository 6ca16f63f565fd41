"""`annotator suggest`: propose spans to an annotator from the corpus, pattern files or a
model, or measure how good those sources would be first (--evaluate).

Kept apart from `cli` so the suggestion sources load only when this command runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from annotator.core.suggestions import MODEL_MODULE, model_module

if TYPE_CHECKING:
    from annotator.core.corpus import Corpus
    from annotator.core.suggestions import Suggester


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
    suggest.add_argument(
        "--model", action="store_true",
        help="a spaCy model trained on the done documents (or the gold layer's): trained "
        "first when there is none or 20 more documents were done since",
    )  # fmt: skip
    suggest.add_argument(
        "--retrain", action="store_true", help="with --model: train it again first"
    )
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


def _show_progress(step: Any) -> None:
    if step.documents == step.total:  # one line a pass, on stderr: stdout is the report
        print(
            f"  epoch {step.epoch}/{step.epochs}: loss {step.loss:.1f} ({step.fraction:.0%})",
            file=sys.stderr,
            flush=True,
        )


def _train(loaded: ModuleType, corpus: Corpus, project_id: int, **options: Any) -> None:
    """Train in the model's own process, a line of progress per pass; Ctrl+C stops it
    there and then, keeping the previous model."""
    job = loaded.start_training(corpus, project_id, **options)
    try:
        info = job.wait(_show_progress)
    except KeyboardInterrupt:
        job.cancel()
        print("Training cancelled; the previous model, if any, is kept.", file=sys.stderr)
        raise
    for line in info.sentences():
        print(line, file=sys.stderr)


def held_out_documents(corpus: Corpus, project_id: int) -> list[int]:
    """Every fifth reference document, which a model being evaluated must not see."""
    from annotator.base.errors import UserError
    from annotator.core.suggestions.evaluation import reference_spans

    reference, spans = reference_spans(corpus, project_id)
    ordered = sorted(spans)
    if len(ordered) < 2:
        raise UserError(
            f"evaluating the model needs at least 2 of {reference} (it learns from some and "
            f"is measured on others); there are {len(ordered)}"
        )
    return ordered[4::5] or ordered[-1:]


def model_suggester(
    corpus: Corpus,
    project_id: int,
    module: str = MODEL_MODULE,
    *,
    retrain: bool = False,
    held_out: Sequence[int] = (),
) -> Suggester:
    """The saved model of this database, project and annotator, trained first when there
    is none, it is stale or `retrain`; with `held_out`, a throwaway model that never saw
    those documents (for --evaluate)."""
    loaded = model_module(module)
    if held_out:
        with tempfile.TemporaryDirectory(prefix="annotator-model-") as folder:
            path = Path(folder) / "model"
            print("Training a model on the documents not held out:", file=sys.stderr)
            _train(loaded, corpus, project_id, folder=path, exclude=held_out)
            held: Suggester = loaded.ModelSuggester(path)  # read into memory whole
            return held
    reason = "asked to retrain" if retrain else loaded.needs_training(corpus, project_id)
    if reason is not None:
        print(f"Training the model ({reason}):", file=sys.stderr)
        _train(loaded, corpus, project_id)
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
        held_out: list[int] | None = None
        if args.model:
            if args.evaluate:  # measured on documents the model did not learn from
                held_out = held_out_documents(corpus, project_id)
            suggesters.append(
                model_suggester(corpus, project_id, retrain=args.retrain, held_out=held_out or ())
            )
        if args.evaluate:
            from annotator.core.suggestions.evaluation import evaluate

            evaluation = evaluate(corpus, project_id, suggesters, document_ids=held_out)
            for line in evaluation.lines():
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
