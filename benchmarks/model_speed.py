"""Model source speed: training on done documents, and the wait for one article's
suggestions once trained.

    python benchmarks/model_speed.py            # 300 documents, the default epochs
    python benchmarks/model_speed.py --quick    # 60 documents, 2 epochs

The documents are generated news (`annotator.core.generated_news`, every person, place,
organisation and date labelled; ~540 characters each). Figures:

a. training: `start_training`'s process as the window and `annotator suggest --model` run
   it (spawn, spaCy import, aligning spans, the epochs, saving), wall clock, against the
   spaCy tokenizer alone over the same texts once (the raw work every epoch repeats);
   F1 of the trained model on 100 unseen generated documents is printed too;
b. suggestion latency: `ModelSuggester.suggest` on one ~3 KB article (beam confidences),
   best of N, against the tokenizer alone on the same text (`nlp.make_doc`) and the
   same pipeline's greedy parse without scores (`nlp(text)` with beam width 1).

Target (issue 12): under 100 ms for b. The model lives in a temporary folder removed at
the end.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from timing import best  # the script beside this one

from annotator.core.generated_news import NewsGenerator, generate
from annotator.core.suggestions.evaluation import Score
from annotator.core.suggestions.model import EPOCHS, ModelSuggester, TrainingData, TrainingJob

SEED = 20261201
TARGET_MS = 100.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="60 documents, 2 epochs")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--documents", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args()
    count = args.documents or (60 if args.quick else 300)
    epochs = args.epochs or (2 if args.quick else EPOCHS)
    documents = generate(count, seed=SEED)
    unseen = generate(100, seed=SEED + 1)
    data = TrainingData(
        "generated news", [(i, d.text, list(d.spans)) for i, d in enumerate(documents)]
    )
    spans = sum(len(d.spans) for d in documents)
    size = sum(len(d.text) for d in documents)
    print(f"training data: {count} documents, {size:,} characters, {spans:,} spans")

    import spacy

    tokenizer = spacy.blank("en")
    tokenize = best(3, lambda: [tokenizer.make_doc(d.text) for d in documents])
    with tempfile.TemporaryDirectory(prefix="annotator-model-bench-") as folder:
        target = Path(folder) / "model"
        began = time.perf_counter()
        info = TrainingJob(data, target, epochs=epochs, meta={}).wait()
        wall = time.perf_counter() - began
        print(
            f"a. training, {epochs} epochs: {wall:.1f} s wall clock ({info.seconds:.1f} s in the "
            f"training function); baseline tokenizer over the same texts {tokenize * 1000:.0f} ms;"
            f" ratio {wall / tokenize:.0f}x"
        )
        suggester = ModelSuggester(target)
        score = Score()
        for document in unseen:
            found = {(s.start, s.end, s.label) for s in suggester.suggest(document.text)}
            expected = set(document.spans)
            score += Score(len(found & expected), len(found - expected), len(expected - found))
        print(
            f"   F1 on 100 unseen documents {score.f1:.3f} "
            f"(P {score.precision:.3f}, R {score.recall:.3f})"
        )

        article = NewsGenerator(SEED + 2).article(3000).text
        found = len(suggester.suggest(article))
        app = best(args.runs, lambda: suggester.suggest(article))
        raw = best(args.runs, lambda: suggester.nlp.make_doc(article))
        greedy = spacy.load(target / "pipeline")
        plain = best(args.runs, lambda: greedy(article))
        verdict = "met" if app * 1000 < TARGET_MS else "NOT MET"
        print(
            f"b. suggestions for one article of {len(article):,} characters: {app * 1000:.1f} ms "
            f"({found} suggestions, best of {args.runs}); baseline tokenizer "
            f"{raw * 1000:.2f} ms, ratio {app / raw:.0f}x; greedy parse without scores "
            f"{plain * 1000:.1f} ms, ratio {app / plain:.1f}x; target {TARGET_MS:.0f} ms {verdict}"
        )


if __name__ == "__main__":
    main()
