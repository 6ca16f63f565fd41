"""The window on a team's PostgreSQL server: a member works as their role, and what the
role may not do is refused in words on screen, by key presses as a person makes them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from annotator.core import review
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from tests.core.test_team import PG_URL, TEXT, Team, team_db  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not PG_URL, reason="no PostgreSQL server: set ANNOTATOR_TEST_PG_URL (.ci/run starts one)"
    ),
]


@pytest.fixture
def disagreement(team_db: Team) -> Team:  # noqa: F811
    """A's LOC where B has PER on the same words: one label item to review."""
    t = team_db
    with t.open_as(t.a) as a:
        a.add_span(t.document_id, t.loc, 0, 12)
    return t


@pytest.fixture
def open_as(qtbot, settings: Settings, disagreement: Team) -> Iterator[object]:
    windows: list[MainWindow] = []

    def opened(name: str) -> MainWindow:
        window = MainWindow(settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert window.open_database(disagreement.url_of(name), annotator=None, project="news")
        windows.append(window)
        return window

    yield opened
    for window in windows:
        window.close()  # lets the change watch go, then closes the corpus


def _review_a_against_b(qtbot, window: MainWindow, t: Team) -> QAbstractItemView:
    window.activateWindow()
    window.article.text.setFocus()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.article.text, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    article = window.review_article
    article.annotator_a.setCurrentIndex(article.annotator_a.findData(t.a))
    article.annotator_b.setCurrentIndex(article.annotator_b.findData(t.b))
    window.review.reload()
    listing = window.findChild(QAbstractItemView, "disagreementList")
    listing.setFocus()
    return listing


def test_an_annotator_may_not_build_gold_and_is_told_so(qtbot, open_as, disagreement: Team) -> None:
    t = disagreement
    window = open_as(t.a)
    assert window.workspace.corpus.annotator_name == t.a
    listing = _review_a_against_b(qtbot, window, t)
    qtbot.keyClick(listing, Qt.Key.Key_A)  # take A's span into gold
    assert window.statusBar().currentMessage() == "only a reviewer may change the gold layer"
    assert window.status_saved.text() == "not saved"  # the reason is said once
    assert review.gold_spans(t.owner, t.document_id) == []


def test_a_reviewer_builds_gold_by_keys(qtbot, open_as, disagreement: Team) -> None:
    t = disagreement
    window = open_as(t.r)
    assert window.workspace.corpus.annotator_name == t.r
    listing = _review_a_against_b(qtbot, window, t)
    qtbot.keyClick(listing, Qt.Key.Key_A)
    gold = [(s.label, s.text) for s in review.gold_spans(t.owner, t.document_id)]
    assert gold == [("LOC", TEXT[0:12])]
    assert t.layer(t.a) == [(t.loc, 0, 12, None)] and t.layer(t.b) == [(t.per, 0, 12, None)]


def test_a_member_connecting_from_a_window_works_as_their_role(
    qtbot,
    window: MainWindow,
    team_db: Team,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The window was someone else on a local file ("alice"); on the team's server, typed
    into the connection dialog, the member is who the role says, not who the window was."""
    from PySide6.QtTest import QTest
    from sqlalchemy.engine import make_url

    from annotator.gui.database_dialog import DatabaseDialog
    from tests.gui.modal import driving
    from tests.gui.test_database_dialog import button, field, retype

    server = make_url(team_db.url)
    member = team_db.a

    def log_in(dialog: DatabaseDialog) -> None:
        retype(field(dialog, "serverAddress"), f"{server.host}:{server.port}/{server.database}")
        retype(field(dialog, "serverUser"), member)
        retype(field(dialog, "serverPassword"), f"pw-{member}")
        qtbot.mouseClick(button(dialog, "connect"), Qt.MouseButton.LeftButton)

    assert window.workspace.corpus is not None
    assert window.workspace.corpus.annotator_name == "alice"
    pending = driving(monkeypatch, DatabaseDialog, log_in)
    QTest.keyClick(
        window,
        Qt.Key.Key_O,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(
        lambda: window.workspace.corpus.engine.url.database == server.database, timeout=30_000
    )
    assert pending == []
    assert window.workspace.corpus.annotator_name == member
    assert member in window.status_identity.text()
