"""The window's actions, one small factory each, and the menu bar built from them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar

from annotator.base.vocabulary import ExportFormat, Status
from annotator.gui import settings as options

if TYPE_CHECKING:
    from annotator.gui.main_window import MainWindow


class Act(Enum):
    """Every menu action: its text and main shortcut."""

    IMPORT = ("&Import files…", "Ctrl+I")
    IMPORT_FOLDER = ("Import &folder…", "")
    EXPORT_CSV = ("Export &CSV…", "Ctrl+E")
    EXPORT_JSONL = ("Export &JSONL…", "")
    SWITCH_PROJECT = ("Switch &project…", "Ctrl+P")
    QUIT = ("&Quit", "Ctrl+Q")
    UNDO = ("&Undo", "Ctrl+Z")
    REDO = ("&Redo", "Ctrl+Shift+Z")
    FIND = ("&Find in article", "Ctrl+F")
    DELETE_SPAN = ("&Delete span", "")
    LABELS = ("&Labels…", "Ctrl+L")
    SETTINGS = ("&Settings…", "Ctrl+,")
    NEXT_DOCUMENT = ("&Next document", "Alt+Right")
    PREVIOUS_DOCUMENT = ("&Previous document", "Alt+Left")
    DONE_AND_NEXT = ("Mark &done and open next", "Ctrl+Return")
    MARK_IN_PROGRESS = ("Mark in &progress", "")
    ZOOM_IN = ("Zoom &in", "Ctrl++")
    ZOOM_OUT = ("Zoom &out", "Ctrl+-")
    ZOOM_RESET = ("&Reset zoom", "Ctrl+0")
    SNAP = ("&Snap selections to words", "")
    REVIEW = ("&Review mode", "Ctrl+R")
    AGREEMENT = ("&Agreement…", "Ctrl+Shift+A")


Factory = Callable[["MainWindow"], QAction]
_FACTORIES: dict[Act, Factory] = {}


def _factory(act: Act) -> Callable[[Factory], Factory]:
    def register(make: Factory) -> Factory:
        _FACTORIES[act] = make
        return make

    return register


def _action(
    window: MainWindow, act: Act, slot: Callable[..., object], *, checkable: bool = False
) -> QAction:
    """The common part: text, object name, main shortcut, slot."""
    text, shortcut = act.value
    action = QAction(text, window)
    action.setObjectName(f"action_{act.name.lower()}")
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.setCheckable(checkable)
    action.triggered.connect(slot)  # a checkable action's slot also gets `checked`
    return action


@_factory(Act.IMPORT)
def _import(window: MainWindow) -> QAction:
    return _action(window, Act.IMPORT, window.import_files)


@_factory(Act.IMPORT_FOLDER)
def _import_folder(window: MainWindow) -> QAction:
    return _action(window, Act.IMPORT_FOLDER, window.import_folder)


@_factory(Act.EXPORT_CSV)
def _export_csv(window: MainWindow) -> QAction:
    return _action(window, Act.EXPORT_CSV, lambda: window.export(ExportFormat.CSV))


@_factory(Act.EXPORT_JSONL)
def _export_jsonl(window: MainWindow) -> QAction:
    return _action(window, Act.EXPORT_JSONL, lambda: window.export(ExportFormat.JSONL))


@_factory(Act.SWITCH_PROJECT)
def _switch_project(window: MainWindow) -> QAction:
    return _action(window, Act.SWITCH_PROJECT, window.switch_project)


@_factory(Act.QUIT)
def _quit(window: MainWindow) -> QAction:
    return _action(window, Act.QUIT, window.close)


@_factory(Act.UNDO)
def _undo(window: MainWindow) -> QAction:
    stack = window.workspace.undo_stack
    action = _action(window, Act.UNDO, stack.undo)
    stack.canUndoChanged.connect(action.setEnabled)
    action.setEnabled(False)
    return action


@_factory(Act.REDO)
def _redo(window: MainWindow) -> QAction:
    stack = window.workspace.undo_stack
    action = _action(window, Act.REDO, stack.redo)
    stack.canRedoChanged.connect(action.setEnabled)
    action.setEnabled(False)
    return action


@_factory(Act.FIND)
def _find(window: MainWindow) -> QAction:
    return _action(window, Act.FIND, window.article.find_bar.open_bar)


@_factory(Act.DELETE_SPAN)
def _delete_span(window: MainWindow) -> QAction:
    action = _action(window, Act.DELETE_SPAN, window.delete_span)
    action.setShortcuts([QKeySequence(Qt.Key.Key_Delete)])
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the view sends it
    return action


@_factory(Act.LABELS)
def _labels(window: MainWindow) -> QAction:
    return _action(window, Act.LABELS, window.edit_labels)


@_factory(Act.SNAP)
def _snap(window: MainWindow) -> QAction:
    action = _action(window, Act.SNAP, window.set_snap, checkable=True)
    action.setChecked(window.settings.get(options.SNAP_TO_WORDS))
    return action


@_factory(Act.SETTINGS)
def _settings(window: MainWindow) -> QAction:
    return _action(window, Act.SETTINGS, window.edit_settings)


@_factory(Act.NEXT_DOCUMENT)
def _next_document(window: MainWindow) -> QAction:
    return _action(window, Act.NEXT_DOCUMENT, lambda: window.step_document(1))


@_factory(Act.PREVIOUS_DOCUMENT)
def _previous_document(window: MainWindow) -> QAction:
    return _action(window, Act.PREVIOUS_DOCUMENT, lambda: window.step_document(-1))


@_factory(Act.DONE_AND_NEXT)
def _done_and_next(window: MainWindow) -> QAction:
    action = _action(window, Act.DONE_AND_NEXT, window.done_and_next)
    action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    return action


@_factory(Act.MARK_IN_PROGRESS)
def _mark_in_progress(window: MainWindow) -> QAction:
    return _action(window, Act.MARK_IN_PROGRESS, lambda: window.mark(Status.IN_PROGRESS))


@_factory(Act.REVIEW)
def _review(window: MainWindow) -> QAction:
    return _action(window, Act.REVIEW, window.set_review_mode, checkable=True)


@_factory(Act.AGREEMENT)
def _agreement(window: MainWindow) -> QAction:
    return _action(window, Act.AGREEMENT, window.show_agreement)


@_factory(Act.ZOOM_IN)
def _zoom_in(window: MainWindow) -> QAction:
    action = _action(window, Act.ZOOM_IN, lambda: window.zoom(1))
    action.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
    return action


@_factory(Act.ZOOM_OUT)
def _zoom_out(window: MainWindow) -> QAction:
    return _action(window, Act.ZOOM_OUT, lambda: window.zoom(-1))


@_factory(Act.ZOOM_RESET)
def _zoom_reset(window: MainWindow) -> QAction:
    return _action(window, Act.ZOOM_RESET, lambda: window.zoom(0))


def create_actions(window: MainWindow) -> Iterator[tuple[Act, QAction]]:
    for act in Act:
        yield act, _FACTORIES[act](window)


SEPARATOR = None
# The menu bar: each menu's title and its actions in order; None draws a separator.
MENUS: tuple[tuple[str, tuple[Act | None, ...]], ...] = (
    ("&File", (
        Act.IMPORT, Act.IMPORT_FOLDER, SEPARATOR, Act.EXPORT_CSV, Act.EXPORT_JSONL, SEPARATOR,
        Act.SWITCH_PROJECT, SEPARATOR, Act.QUIT,
    )),
    ("&Edit", (
        Act.UNDO, Act.REDO, SEPARATOR, Act.FIND, Act.DELETE_SPAN, SEPARATOR, Act.LABELS,
        Act.SNAP, Act.SETTINGS,
    )),
    ("&Go", (
        Act.NEXT_DOCUMENT, Act.PREVIOUS_DOCUMENT, SEPARATOR, Act.DONE_AND_NEXT,
        Act.MARK_IN_PROGRESS,
    )),
    ("&Review", (Act.REVIEW, Act.AGREEMENT)),
    ("&View", (Act.ZOOM_IN, Act.ZOOM_OUT, Act.ZOOM_RESET)),
)  # fmt: skip


def build_menus(bar: QMenuBar, actions: dict[Act, QAction]) -> None:
    for title, entries in MENUS:
        menu = bar.addMenu(title)
        for act in entries:
            if act is None:
                menu.addSeparator()
            else:
                menu.addAction(actions[act])
