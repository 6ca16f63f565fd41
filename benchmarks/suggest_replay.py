"""Key presses saved by corpus suggestions: a labelling session replayed on the real window.

    python benchmarks/suggest_replay.py            # 50 articles
    python benchmarks/suggest_replay.py --quick    # 5 articles

Fifty news-like articles are made up (fixed seed): the same people, organisations,
places and dates come back from article to article, as in real news, a person named in
full first and by surname after. Each is labelled on the real `MainWindow` (offscreen)
by key presses only, as a person who sees the screen would press them, twice:

1. by hand: Ctrl+Right (and Right) to the entity, Shift+Ctrl+Right (and Shift+Right,
   Shift+Left) over it, its label key (1-4); Ctrl+Return marks the article done and
   opens the next;
2. with suggestions: before each article, Alt+S S (the Suggest menu's "Suggest from my
   spans in this project") proposes what was labelled so far; Tab steps to each
   suggestion, Enter accepts a right one, a label key one whose words are right and
   label wrong, X rejects a wrong one; what is left is labelled by hand as in 1.

Every key is counted by the replayer, as chords (Shift+Ctrl+Right is one) and as key
presses (QTest presses a chord's modifiers first, each one more), and by the window's
own effort meter (what it saved in the database), which counts key presses: the two
must agree, a difference is a WARNING. The result is chords and key presses per span of
the final layer for each run and their ratios (target: at least 2x fewer chords with
suggestions), and whether both runs left the same spans (they must: a difference is a
WARNING). Everything lives in a temporary folder removed at the
end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from annotator.base.vocabulary import COUNTED_ORIGINS
from annotator.core.corpus import Corpus
from annotator.core.effort import effort_by_annotator
from annotator.core.importing import import_paths
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings

SEED = 20261201
PROJECT = "replay"
LABELS = {"Person": "1", "Organisation": "2", "Location": "3", "Date": "4"}
NO = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier

# -- the articles -------------------------------------------------------------------------

PEOPLE = [
    ("Helena", "Voss"), ("Marcus", "Okafor"), ("Ingrid", "Halvorsen"), ("Tomas", "Brennan"),
    ("Aiko", "Tanaka"), ("Rafael", "Duarte"), ("Priya", "Raman"), ("Jonas", "Eklund"),
    ("Claire", "Dubois"), ("Samuel", "Achebe"), ("Lena", "Kowalczyk"), ("Omar", "Haddad"),
    ("Grace", "Whitfield"), ("Viktor", "Sorensen"), ("Mei", "Lin"), ("Daniel", "Mercer"),
    ("Sofia", "Marchetti"), ("Kwame", "Mensah"), ("Elena", "Petrova"), ("Hugo", "Lindqvist"),
]  # fmt: skip
ORGANISATIONS = [
    "Northwind Shipping", "the Harbour Authority", "Meridian Bank", "the City Council",
    "Atlas Energy", "the Ministry of Transport", "Bluewater Union", "Kestrel Airlines",
    "the Port Ellison Gazette", "Sterling Foods", "the National Weather Office",
    "Orion Telecom",
]  # fmt: skip
PLACES = [
    "Port Ellison", "Harbour Bridge", "Northgate", "Lisbon", "Rotterdam", "the Old Quay",
    "Kingsmere", "Valdora", "Easthaven", "Marlow Street", "Jordan", "the Riverside",
    "Brackwater", "Saint Aldric",
]  # fmt: skip
DATES = [
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "12 March", "3 April", "last week", "early May", "next year",
]  # fmt: skip
ROLES = ["spokesperson", "director", "chair", "head", "treasurer", "founder"]
# {P} a person, {O} an organisation, {L} a place, {D} a date; the rest is plain words.
SENTENCES = [
    "{P}, the {role} of {O}, said on {D} that talks in {L} would go on.",
    "Officials in {L} confirmed the plan on {D}.",
    "{O} declined to comment, but {P} told reporters in {L} that nothing was decided.",
    "The dispute began {D}, when {O} announced it would leave {L}.",
    "According to {P}, {O} had warned {O} about the costs.",
    "Residents of {L} gathered near {L} on {D} to protest.",
    "{P} and {P} met in {L} to discuss the budget of {O}.",
    "A statement from {O} on {D} blamed the delay on the weather in {L}.",
    "Traffic around {L} was slow, {P} said.",
    "Shares of {O} fell after {D}, analysts said.",
    "\"We will not march back,\" said {P}, who visited {L} on {D}.",
    "The road from {L} to {L} reopened {D}.",
]  # fmt: skip


@dataclass
class Article:
    text: str
    entities: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, label


def _zipf(rng: random.Random, items: list[str] | list[tuple[str, str]]) -> int:
    """An index, the first items far likelier: a few names make most of the news."""
    weights = [1 / (rank + 1) for rank in range(len(items))]
    return rng.choices(range(len(items)), weights=weights)[0]


def make_articles(count: int, seed: int = SEED) -> list[Article]:
    rng = random.Random(seed)
    return [_make_article(rng) for _ in range(count)]


def _make_article(rng: random.Random) -> Article:
    """Six to ten sentences, a blank line every four; the entities where they were put."""
    entities: list[tuple[int, int, str]] = []
    named: set[int] = set()  # people already named in full in this article
    parts: list[str] = []
    length = 0

    def add(piece: str, label: str | None = None) -> None:
        nonlocal length
        if label is not None:
            entities.append((length, length + len(piece), label))
        parts.append(piece)
        length += len(piece)

    def add_name(name: str, label: str) -> None:
        if name.startswith("the "):  # "the" is no part of the name
            add("the ")
            name = name[4:]
        add(name, label)

    for number in range(rng.randint(6, 10)):
        if number:
            add("\n\n" if number % 4 == 0 else " ")
        template = rng.choice(SENTENCES).replace("{role}", rng.choice(ROLES))
        for piece in template.replace("{", "\x01{").replace("}", "}\x01").split("\x01"):
            if piece == "{P}":
                person = _zipf(rng, PEOPLE)
                first, last = PEOPLE[person]
                add(last if person in named else f"{first} {last}", "Person")
                named.add(person)
            elif piece == "{O}":
                add_name(ORGANISATIONS[_zipf(rng, ORGANISATIONS)], "Organisation")
            elif piece == "{L}":
                add_name(PLACES[_zipf(rng, PLACES)], "Location")
            elif piece == "{D}":
                add(DATES[_zipf(rng, DATES)], "Date")
            else:
                add(piece)
    return Article("".join(parts), entities)


# -- the replay ---------------------------------------------------------------------------


@dataclass
class Session:
    """One replayed run: its key presses by kind, and the suggestions decided."""

    keys: dict[str, int] = field(default_factory=dict)  # chords, by what they were for
    presses: int = 0  # the keys pressed, each modifier of a chord one more
    accepted: int = 0
    relabelled: int = 0
    rejected: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.keys.values())


class Replayer:
    def __init__(self, window: MainWindow, session: Session) -> None:
        self.window = window
        self.view = window.article.text
        self.session = session

    def press(self, kind: str, key: Qt.Key, modifiers: Qt.KeyboardModifier = NO) -> None:
        """One chord; QTest presses its modifiers first, each a key press of its own."""
        QTest.keyClick(self.view, key, modifiers)
        self.session.keys[kind] = self.session.keys.get(kind, 0) + 1
        self.session.presses += 1 + sum(bool(modifiers & m) for m in (SHIFT, CTRL, ALT))

    def _jump(self, position: int, forward: bool) -> int:
        """Where Ctrl+Right (Ctrl+Left) takes the caret from a position: the view's own
        text cursor asked, as a person sees where the next word begins."""
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(position)
        word = (
            QTextCursor.MoveOperation.NextWord
            if forward
            else QTextCursor.MoveOperation.PreviousWord
        )
        cursor.movePosition(word)
        return cursor.position()

    def _walk(self, kind: str, target: int, shift: bool) -> None:
        """From the caret to `target` by the fewest of Ctrl+Right, then Right, or one
        Ctrl+Right too far and Left back (or the same leftwards)."""
        extra = SHIFT if shift else NO
        position = self.view.textCursor().position()
        forward = target >= position
        key, back = (
            (Qt.Key.Key_Right, Qt.Key.Key_Left) if forward else (Qt.Key.Key_Left, Qt.Key.Key_Right)
        )
        landing = position
        while position != target:
            landing = self._jump(position, forward)
            if landing == position or (landing > target if forward else landing < target):
                break
            self.press(kind, key, CTRL | extra)
            position = landing
        remaining, over = abs(target - position), abs(landing - target)
        if remaining and landing != position and over < remaining:
            self.press(kind, key, CTRL | extra)
            for _ in range(over):
                self.press(kind, back, extra)
        else:
            for _ in range(remaining):
                self.press(kind, key, extra)
        if self.view.textCursor().position() != target:
            raise RuntimeError(f"the caret went to {self.view.caret()}, not {target}")

    def label_by_hand(self, start: int, end: int, label: str) -> None:
        self._walk("move", start, shift=False)
        self._walk("select", end, shift=True)
        self.press("label", getattr(Qt.Key, f"Key_{LABELS[label]}"))

    def suggest(self) -> None:
        """Alt+S opens the Suggest menu, S chooses 'Suggest from my spans'."""
        self.press("suggest", Qt.Key.Key_S, ALT)
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            raise RuntimeError("Alt+S opened no menu")
        QTest.keyClick(menu, Qt.Key.Key_S)
        self.session.keys["suggest"] += 1
        self.session.presses += 1
        QApplication.processEvents()
        # A desktop gives the window back its activation and focus when the menu closes;
        # the offscreen platform leaves them with the closed menu.
        self.window.activateWindow()
        self.view.setFocus()
        QApplication.processEvents()
        if QApplication.focusWidget() is not self.view:
            raise RuntimeError("the article lost the keyboard to the menu")

    def decide_next(self, gold: dict[tuple[int, int], str]) -> None:
        """Tab to the next suggestion, then Enter, a label key or X."""
        ws = self.window.workspace
        self.press("decide", Qt.Key.Key_Tab)
        current = next(s for s in ws.suggestions if s.id == self.view.current_suggestion)
        right = gold.get((current.start, current.end))
        if right is None:
            self.press("decide", Qt.Key.Key_X)
            self.session.rejected += 1
        elif right == ws.label(current.label_id).name:  # type: ignore[union-attr]
            self.press("decide", Qt.Key.Key_Return)
            self.session.accepted += 1
        else:
            self.press("decide", getattr(Qt.Key, f"Key_{LABELS[right]}"))
            self.session.relabelled += 1

    def layer(self) -> set[tuple[int, int, str]]:
        ws = self.window.workspace
        names = {label.id: label.name for label in ws.labels}
        assert ws.corpus is not None and ws.document is not None and ws.document.id is not None
        spans = ws.corpus.spans(ws.document.id, origins=tuple(COUNTED_ORIGINS))
        return {(s.start, s.end, names[s.label_id]) for s in spans}

    def label_article(self, article: Article, suggestions: bool) -> None:
        """In reading order: the suggestions up to the next entity decided (Tab jumps to
        them), then the entity labelled by hand unless a suggestion made it."""
        gold = {(start, end): label for start, end, label in article.entities}
        if suggestions:
            self.suggest()
        for start, end, label in sorted(article.entities):
            while any(s.start < end for s in self.view.suggested):
                self.decide_next(gold)
            if (start, end, label) not in self.layer():
                self.label_by_hand(start, end, label)
        while self.view.suggested:
            self.decide_next(gold)
        made = self.layer()
        if made != set(article.entities):
            raise RuntimeError(f"the layer holds {sorted(made)}, not {article.entities}")


def prepare(folder: Path, articles: list[Article], name: str) -> Path:
    """A database with the articles in one project and its four labels, made as
    `annotator import` makes it."""
    database = folder / f"{name}.db"
    source = folder / "articles.jsonl"
    source.write_text(
        "".join(
            json.dumps({"text": a.text, "title": f"News {n + 1}: {a.text.split(',')[0][:40]}"})
            + "\n"
            for n, a in enumerate(articles)
        )
    )
    with Corpus.open(str(database), annotator="alice") as corpus:
        if not import_paths(corpus, [source], project=PROJECT, format_name="jsonl").ok:
            raise RuntimeError("the articles were not imported")
        project_id = corpus.project_id(PROJECT)
        for label, key in LABELS.items():
            corpus.add_label(project_id, label, hotkey=key)
    return database


def replay(
    folder: Path, articles: list[Article], suggestions: bool
) -> tuple[Session, int, set[tuple[int, int, int, str]]]:
    """One run on a fresh window and database: the session, the keystrokes the effort
    meter saved, and the final layer (article number, start, end, label)."""
    name = "suggestions" if suggestions else "by_hand"
    database = prepare(folder, articles, name)
    settings = Settings(QSettings(str(folder / f"{name}.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings)
    window.resize(1200, 800)
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    if not window.open_database(str(database), annotator="alice", project=PROJECT):
        raise RuntimeError("the window did not open the database")
    session = Session()
    replayer = Replayer(window, session)
    ws = window.workspace
    assert ws.corpus is not None and ws.project is not None and ws.project.id is not None
    order = [d.id for d in ws.corpus.documents(ws.project.id)]
    layers: set[tuple[int, int, int, str]] = set()
    began = time.perf_counter()
    window.article.text.setFocus()
    for number, article in enumerate(articles):
        assert ws.document is not None
        if ws.document.id != order[number] or ws.document.text != article.text:
            raise RuntimeError(
                f"article {number} is not the one open: {ws.document.id} not {order[number]}, "
                f"{QApplication.activePopupWidget()}"
            )
        replayer.label_article(article, suggestions)
        layers |= {(number, *span) for span in replayer.layer()}
        replayer.press("next", Qt.Key.Key_Return, CTRL)  # done, and the next one
    session.seconds = time.perf_counter() - began
    window.effort_meter.flush()
    metered = effort_by_annotator(ws.corpus, ws.project.id)["alice"].keystrokes
    window.close()
    QApplication.processEvents()
    return session, metered, layers


def report(name: str, session: Session, metered: int, spans: int) -> None:
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(session.keys.items()))
    print(
        f"{name}: {session.total:,} key chords ({kinds}) in {session.seconds:.0f} s, "
        f"{session.total / spans:.2f} per span; {session.presses:,} key presses with the "
        f"modifiers, {session.presses / spans:.2f} per span; effort meter {metered:,}"
    )
    if metered != session.presses:
        print(f"WARNING: the effort meter counted {metered:,}, the replayer {session.presses:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 articles instead of 50")
    parser.add_argument("--articles", type=int, default=None)
    args = parser.parse_args()
    count = args.articles or (5 if args.quick else 50)
    articles = make_articles(count)
    spans = sum(len(a.entities) for a in articles)
    distinct = len({a.text[s:e] for a in articles for s, e, _ in a.entities})
    print(
        f"articles: {count}, {sum(len(a.text) for a in articles):,} characters, "
        f"{spans:,} entities ({distinct} distinct words)"
    )
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        by_hand, hand_metered, hand_layer = replay(folder, articles, suggestions=False)
        report("1. by hand", by_hand, hand_metered, spans)
        helped, helped_metered, helped_layer = replay(folder, articles, suggestions=True)
        report("2. with suggestions", helped, helped_metered, spans)
    print(
        f"   suggestions: {helped.accepted:,} accepted, {helped.relabelled:,} accepted with "
        f"another label, {helped.rejected:,} rejected"
    )
    same = hand_layer == helped_layer and len(hand_layer) == spans
    print(f"final layers: {len(hand_layer):,} and {len(helped_layer):,} spans, identical: {same}")
    if not same:
        print("WARNING: the two runs left different spans")
    chords = by_hand.total / helped.total
    presses = by_hand.presses / helped.presses
    verdict = "met" if chords >= 2 else "NOT met"
    print(
        f"ratio by hand / with suggestions: {chords:.2f}x fewer key chords, {presses:.2f}x "
        f"fewer key presses (target 2x: {verdict})"
    )
    del app


if __name__ == "__main__":
    main()
