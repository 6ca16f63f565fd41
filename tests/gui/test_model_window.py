"""The model source in the window: trained in the background while the window stays
usable, with progress and Cancel in the status bar, then suggesting with scores; and
retrained by itself when documents are finished."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from annotator.base.vocabulary import Origin, Status, SuggestionSource
from annotator.core.corpus import Corpus
from annotator.core.generated_news import generate
from annotator.core.importing import import_paths
from annotator.core.suggestions.model import model_folder, model_info
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings

DONE = 40


@pytest.fixture
def news_window(qtbot, settings: Settings, tmp_path: Path) -> Iterator[MainWindow]:
    """Generated news: the first DONE documents labelled and done by alice, ten more not."""
    database = tmp_path / "news.db"
    documents = generate(DONE + 10, seed=5)
    source = tmp_path / "news.jsonl"
    records = [d.as_record() for d in documents[:DONE]]
    records += [{"text": d.text} for d in documents[DONE:]]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with Corpus.open(str(database), annotator="alice") as corpus:
        assert not import_paths(corpus, [source], project="news").failures
        project_id = corpus.project_id("news")
        for row in corpus.documents(project_id)[:DONE]:
            corpus.set_status(row.id, Status.DONE)
    main = MainWindow(settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    assert main.open_database(str(database), annotator="alice", project="news")
    yield main
    main.model_training.cancel()
    main.close()


def _trigger(window: MainWindow, name: str) -> None:
    action = window.findChild(QAction, name)
    assert action is not None
    action.trigger()


def _folder(window: MainWindow) -> Path:
    ws = window.workspace
    return model_folder(ws.corpus, ws.project.id)


def test_suggesting_from_the_model_trains_it_in_the_background_then_proposes(
    qtbot, news_window: MainWindow, tmp_path: Path
) -> None:
    window, training = news_window, news_window.model_training
    _trigger(window, "action_suggest_from_model")
    assert training.running
    assert training.progress.isVisible() and training.cancel_button.isVisible()
    # The window goes on while the model learns: a key still moves the caret.
    view = window.article.text
    view.setFocus()
    view.place_caret(0)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.caret() == 1
    window.grab().save(str(tmp_path / "training.png"))
    qtbot.waitUntil(lambda: not training.running, timeout=180_000)
    assert not training.progress.isVisible() and not training.cancel_button.isVisible()
    info = model_info(_folder(window))
    assert info is not None and info.documents == DONE
    # Suggestions from the model, with a score, in the documents not done.
    ws = window.workspace
    not_done = [row.id for row in ws.corpus.documents(ws.project.id)][DONE:]
    origins = (Origin.SUGGESTED.value,)
    found = [s for d in not_done for s in ws.corpus.spans(d, origins=origins)]
    assert len(found) >= 10
    assert {s.source for s in found} == {SuggestionSource.MODEL.value}
    assert all(s.score is not None and 0 < s.score <= 1 for s in found)
    ws.open_document(not_done[0])
    qtbot.waitUntil(lambda: window.suggesting.list.count() > 0)
    assert window.article.text.suggested  # outlined in the article too
    assert re.search(r" \(0\.\d\d|1\.00\)$", window.suggesting.list.item(0).text())
    qtbot.wait(50)
    window.grab().save(str(tmp_path / "model_suggestions.png"))


def test_cancel_in_the_status_bar_stops_training_and_keeps_no_model(
    qtbot, news_window: MainWindow
) -> None:
    window, training = news_window, news_window.model_training
    _trigger(window, "action_train_model")
    assert training.running and training.job is not None
    qtbot.waitUntil(lambda: training.job.last is not None, timeout=120_000)  # under way
    qtbot.mouseClick(training.cancel_button, Qt.MouseButton.LeftButton)
    assert not training.running and training.job.cancelled
    assert not training.job.process.is_alive()
    assert not training.cancel_button.isVisible()
    assert model_info(_folder(window)) is None
    assert "cancelled" in window.statusBar().currentMessage()


def test_finishing_documents_retrains_a_model_by_itself(qtbot, news_window: MainWindow) -> None:
    window, training = news_window, news_window.model_training
    _trigger(window, "action_train_model")
    qtbot.waitUntil(lambda: not training.running, timeout=180_000)
    first = model_info(_folder(window))
    assert first is not None and first.documents == DONE
    training.retrain_every = 1
    ws = window.workspace
    not_done = [row.id for row in ws.corpus.documents(ws.project.id)][DONE:]
    ws.open_document(not_done[0])
    view = window.article.text
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # done
    assert training.running  # started by itself
    qtbot.waitUntil(lambda: not training.running, timeout=180_000)
    again = model_info(_folder(window))
    assert again is not None and again.documents == DONE + 1
