"""The window's actions as one table (text, shortcuts, slot), and the menu bar built from it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenuBar
from shiboken6 import isValid

from annotator.base.vocabulary import ExportFormat, Status
from annotator.gui import settings as options

if TYPE_CHECKING:
    from annotator.gui.main_window import MainWindow


class Act(Enum):
    """Every menu action: its text, its shortcuts (the first is shown) and if it toggles."""

    IMPORT = ("&Import files…", ("Ctrl+I",))
    IMPORT_FOLDER = ("Import &folder…", ())
    EXPORT_CSV = ("Export &CSV…", ("Ctrl+E",))
    EXPORT_JSONL = ("Export &JSONL…", ())
    EXPORT_AS = ("Export &As…", ("Ctrl+Shift+E",))
    CONNECT = ("Connect to &Server…", ("Ctrl+Shift+O",))
    SWITCH_PROJECT = ("Switch &project…", ("Ctrl+P",))
    QUIT = ("&Quit", ("Ctrl+Q",))
    UNDO = ("&Undo", ("Ctrl+Z",))
    REDO = ("&Redo", ("Ctrl+Shift+Z",))
    FIND = ("&Find in article", ("Ctrl+F",))
    SEARCH_CORPUS = ("Search the &corpus…", ("Ctrl+Shift+F",))
    DELETE_SPAN = ("&Delete span", ("Delete",))
    LABELS = ("&Labels…", ("Ctrl+L",))
    SETTINGS = ("&Settings…", ("Ctrl+,",))
    NEXT_DOCUMENT = ("&Next document", ("Alt+Right",))
    PREVIOUS_DOCUMENT = ("&Previous document", ("Alt+Left",))
    DONE_AND_NEXT = ("Mark &done and open next", ("Ctrl+Return", "Ctrl+Enter"))
    MARK_IN_PROGRESS = ("Mark in &progress", ())
    ZOOM_IN = ("Zoom &in", ("Ctrl++", "Ctrl+="))
    ZOOM_OUT = ("Zoom &out", ("Ctrl+-",))
    ZOOM_RESET = ("&Reset zoom", ("Ctrl+0",))
    SNAP = ("&Snap selections to words", (), True)
    REVIEW = ("&Review mode", ("Ctrl+R",), True)
    AGREEMENT = ("&Agreement…", ("Ctrl+Shift+A",))
    THEME_SYSTEM = ("&System theme", (), True)
    THEME_LIGHT = ("&Light theme", (), True)
    THEME_DARK = ("&Dark theme", (), True)
    ACCEPT_AGREEMENTS = ("A&ccept agreements into gold", ("Ctrl+Shift+G",))
    SUGGEST_FROM_SPANS = ("Suggest from my &spans in this project", ())
    SUGGEST_FROM_PATTERNS = ("Suggest from &pattern files…", ())
    SUGGEST_FROM_MODEL = ("Suggest from a &model of my done documents", ())
    TRAIN_MODEL = ("&Retrain the model now", ())
    MEASURE_SUGGESTIONS = ("&Measure the suggestions…", ("Ctrl+Shift+M",))
    ACCEPT_IN_VIEW = ("&Accept all suggestions in view", ("Ctrl+Shift+Return", "Ctrl+Shift+Enter"))
    LABEL_ALL_OCCURRENCES = ("&Label all occurrences of this span", ("Ctrl+Shift+L",))

    @property
    def text(self) -> str:
        return str(self.value[0])

    @property
    def shortcuts(self) -> tuple[str, ...]:
        return tuple(self.value[1])

    @property
    def checkable(self) -> bool:
        return len(self.value) > 2 and bool(self.value[2])


# What each action calls; a checkable action's slot also gets `checked`.
SLOTS: dict[Act, Callable[[MainWindow], Callable[..., object]]] = {
    Act.IMPORT: lambda w: w.import_files,
    Act.IMPORT_FOLDER: lambda w: w.import_folder,
    Act.EXPORT_CSV: lambda w: lambda: w.export(ExportFormat.CSV),
    Act.EXPORT_JSONL: lambda w: lambda: w.export(ExportFormat.JSONL),
    Act.EXPORT_AS: lambda w: w.export_as,
    Act.CONNECT: lambda w: w.connect_to_server,
    Act.SWITCH_PROJECT: lambda w: w.switch_project,
    Act.QUIT: lambda w: w.close,
    Act.UNDO: lambda w: w.workspace.undo,
    Act.REDO: lambda w: w.workspace.redo,
    Act.FIND: lambda w: w.article.find_bar.open_bar,
    Act.SEARCH_CORPUS: lambda w: lambda: _search_corpus(w),
    Act.DELETE_SPAN: lambda w: w.delete_span,
    Act.LABELS: lambda w: w.edit_labels,
    Act.SETTINGS: lambda w: w.edit_settings,
    Act.NEXT_DOCUMENT: lambda w: lambda: w.step_document(1),
    Act.PREVIOUS_DOCUMENT: lambda w: lambda: w.step_document(-1),
    Act.DONE_AND_NEXT: lambda w: w.done_and_next,
    Act.MARK_IN_PROGRESS: lambda w: lambda: w.mark(Status.IN_PROGRESS),
    Act.ZOOM_IN: lambda w: lambda: w.zoom(1),
    Act.ZOOM_OUT: lambda w: lambda: w.zoom(-1),
    Act.ZOOM_RESET: lambda w: lambda: w.zoom(0),
    Act.SNAP: lambda w: w.set_snap,
    Act.REVIEW: lambda w: w.set_review_mode,
    Act.AGREEMENT: lambda w: w.show_agreement,
    Act.THEME_SYSTEM: lambda w: lambda checked: w.set_theme("system", checked),
    Act.THEME_LIGHT: lambda w: lambda checked: w.set_theme("light", checked),
    Act.THEME_DARK: lambda w: lambda checked: w.set_theme("dark", checked),
    Act.ACCEPT_AGREEMENTS: lambda w: w.accept_agreements,
    Act.SUGGEST_FROM_SPANS: lambda w: w.suggesting.suggest_from_spans,
    Act.SUGGEST_FROM_PATTERNS: lambda w: w.suggesting.suggest_from_patterns,
    Act.SUGGEST_FROM_MODEL: lambda w: w.model_training.suggest,
    Act.TRAIN_MODEL: lambda w: w.model_training.train,
    Act.MEASURE_SUGGESTIONS: lambda w: w.suggesting.measure,
    Act.ACCEPT_IN_VIEW: lambda w: w.suggesting.accept_in_view,
    Act.LABEL_ALL_OCCURRENCES: lambda w: w.suggesting.label_all_occurrences,
}


def _search_corpus(window: MainWindow) -> None:
    from annotator.gui.concordance_view import open_concordance  # made when first asked for

    open_concordance(window)


THEME_ACTS = {"system": Act.THEME_SYSTEM, "light": Act.THEME_LIGHT, "dark": Act.THEME_DARK}


def _action(window: MainWindow, act: Act) -> QAction:
    action = QAction(act.text, window)
    action.setObjectName(f"action_{act.name.lower()}")
    action.setShortcuts([QKeySequence(shortcut) for shortcut in act.shortcuts])
    action.setCheckable(act.checkable)
    action.triggered.connect(SLOTS[act](window))
    return action


def create_actions(window: MainWindow) -> Iterator[tuple[Act, QAction]]:
    actions = {act: _action(window, act) for act in Act}
    # Undo and redo are offered only when the stack, or the history, has a step to take.
    workspace = window.workspace

    def offer_undo(*_args: object) -> None:
        if not isValid(workspace.undo_stack) or not isValid(actions[Act.UNDO]):
            return  # the window is being taken down
        can_undo, can_redo = workspace.undo_available()
        actions[Act.UNDO].setEnabled(can_undo)
        actions[Act.REDO].setEnabled(can_redo)

    stack = workspace.undo_stack
    for signal in (stack.canUndoChanged, stack.canRedoChanged, workspace.projectChanged):
        signal.connect(offer_undo)
    workspace.changed.connect(offer_undo)
    actions[Act.UNDO].setEnabled(False)
    actions[Act.REDO].setEnabled(False)
    # The article view sends Delete itself, so a Delete typed elsewhere stays there.
    actions[Act.DELETE_SPAN].setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    actions[Act.SNAP].setChecked(window.settings.get(options.SNAP_TO_WORDS))
    themes = QActionGroup(window)  # one theme at a time
    themes.setExclusive(True)
    for act in THEME_ACTS.values():
        themes.addAction(actions[act])
    chosen = THEME_ACTS.get(window.settings.get(options.THEME), Act.THEME_SYSTEM)
    actions[chosen].setChecked(True)
    actions[Act.ACCEPT_AGREEMENTS].setEnabled(False)  # until review mode is on
    yield from actions.items()


SEPARATOR = None
# The menu bar: each menu's title and its actions in order; None draws a separator.
MENUS: tuple[tuple[str, tuple[Act | None, ...]], ...] = (
    ("&File", (
        Act.IMPORT, Act.IMPORT_FOLDER, SEPARATOR, Act.EXPORT_CSV, Act.EXPORT_JSONL, Act.EXPORT_AS,
        SEPARATOR,
        Act.CONNECT, Act.SWITCH_PROJECT, SEPARATOR, Act.QUIT,
    )),
    ("&Edit", (
        Act.UNDO, Act.REDO, SEPARATOR, Act.FIND, Act.SEARCH_CORPUS, Act.DELETE_SPAN, SEPARATOR,
        Act.LABELS, Act.SNAP, Act.SETTINGS,
    )),
    ("&Go", (
        Act.NEXT_DOCUMENT, Act.PREVIOUS_DOCUMENT, SEPARATOR, Act.DONE_AND_NEXT,
        Act.MARK_IN_PROGRESS,
    )),
    ("&Suggest", (
        Act.SUGGEST_FROM_SPANS, Act.SUGGEST_FROM_PATTERNS, Act.SUGGEST_FROM_MODEL,
        Act.TRAIN_MODEL, SEPARATOR, Act.ACCEPT_IN_VIEW,
        Act.LABEL_ALL_OCCURRENCES, SEPARATOR, Act.MEASURE_SUGGESTIONS,
    )),
    ("&Review", (Act.REVIEW, Act.ACCEPT_AGREEMENTS, SEPARATOR, Act.AGREEMENT)),
    ("&View", (
        Act.ZOOM_IN, Act.ZOOM_OUT, Act.ZOOM_RESET, SEPARATOR, Act.THEME_SYSTEM, Act.THEME_LIGHT,
        Act.THEME_DARK,
    )),
)  # fmt: skip


def build_menus(bar: QMenuBar, actions: dict[Act, QAction]) -> None:
    for title, entries in MENUS:
        menu = bar.addMenu(title)
        for act in entries:
            if act is None:
                menu.addSeparator()
            else:
                menu.addAction(actions[act])
