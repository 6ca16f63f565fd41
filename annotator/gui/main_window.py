"""The main window: document list | article | tagging panel, driven from the keyboard.

The window shows itself before the database is opened (importing the database stack
costs more than painting a window), then `open_database` fills it in.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from annotator.base.vocabulary import Status
from annotator.gui import settings as options
from annotator.gui.window_transfers import FileTransfers

if TYPE_CHECKING:
    from annotator.core.corpus import Corpus
    from annotator.gui.actions import Act
    from annotator.gui.article_view import ArticlePane
    from annotator.gui.change_watch import ChangeWatch
    from annotator.gui.commands import PendingChange
    from annotator.gui.document_list import DocumentList
    from annotator.gui.model_training import ModelTraining
    from annotator.gui.review_view import ReviewArticle, ReviewController, ReviewPanel
    from annotator.gui.settings import Settings
    from annotator.gui.suggesting import Suggesting
    from annotator.gui.tag_panel import TagPanel
    from annotator.gui.workspace import Workspace


REVIEW_PANEL_WIDTH = 460  # the disagreement list shows both sides' label and text
# The narrowest each pane may be dragged or squeezed to: below these a list cuts its
# names to a letter or two. Together they fit a 1024-pixel-wide screen.
MINIMUM_WIDTHS = {"documents": 180, "centre": 320, "side": 260}
COMFORTABLE_ARTICLE_WIDTH = 420  # what the article keeps before the document list gives


class MainWindow(FileTransfers):
    """`build=False` makes only the frame, so that `run` can paint it at once and build
    the panels right after; everything else builds the whole window at once."""

    # Made by build(), once the frame is on screen.
    workspace: Workspace
    documents: DocumentList
    article: ArticlePane
    tags: TagPanel
    suggesting: Suggesting
    model_training: ModelTraining
    change_watch: ChangeWatch | None = None  # made when a database is first opened

    def __init__(
        self, settings: Settings, parent: QWidget | None = None, *, build: bool = True
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("annotator")
        self.setAcceptDrops(True)
        self.settings = settings
        self.db_url = ""
        # Where the annotator's name came from, in words for the settings ("" when unknown).
        self.annotator_source = ""
        self._layout_restored = False
        self._built = False
        self.resize(1360, 860)
        self.statusBar().showMessage("Opening…")
        if build:
            self.build()

    def build(self) -> None:
        """The panels, menus and bars; their modules are imported here, not at start."""
        from annotator.gui.actions import build_menus, create_actions
        from annotator.gui.article_view import ArticlePane
        from annotator.gui.document_list import DocumentList
        from annotator.gui.suggesting import Suggesting
        from annotator.gui.tag_panel import TagPanel
        from annotator.gui.workspace import Workspace

        self.workspace = Workspace(self)
        from annotator.gui.effort_meter import install_effort_meter

        self.effort_meter = install_effort_meter(self, self.workspace)
        self.documents = DocumentList(self.workspace)
        self.effort_meter.saved.connect(self.documents.update_effort)
        self.article = ArticlePane()
        self.tags = TagPanel(self.workspace)
        self.suggesting = Suggesting(self)
        # Review mode swaps the article and the panel beside it, keeping the layout; its
        # widgets are made the first time it is used, which keeps start-up short.
        self.centre = QStackedWidget()
        self.centre.addWidget(self.article)
        self.side = QStackedWidget()
        self.side.addWidget(self.tags)
        self._review: ReviewController | None = None
        self._sizes_before_review: list[int] | None = None
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        for pane in (self.documents, self.centre, self.side):
            self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(1, 1)
        for name, width in MINIMUM_WIDTHS.items():
            getattr(self, name).setMinimumWidth(width)
        self.splitter.setSizes([260, 760, 340])
        self.setCentralWidget(self.splitter)
        from annotator.gui.model_training import ModelTraining

        self.model_training = ModelTraining(self)
        self.actions_by_name: dict[Act, QAction] = dict(create_actions(self))
        build_menus(self.menuBar(), self.actions_by_name)
        self._build_tool_bar()
        self._build_status_bar()
        self._connect()
        self._add_document_label_keys()
        self._apply_font_size(self.settings.get(options.FONT_SIZE))
        self._built = True
        if self.isVisible():
            self._restore_layout_once()

    # -- construction -----------------------------------------------------------------

    def _build_tool_bar(self) -> None:
        bar = self.addToolBar("Layers")
        bar.setObjectName("mainToolBar")
        bar.setMovable(False)
        bar.addWidget(QLabel(" Layer "))
        self.layer_chooser = QComboBox()
        self.layer_chooser.setObjectName("layerChooser")
        self.layer_chooser.setToolTip("Whose spans the article shows; only your own can be edited")
        self.layer_chooser.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer_chooser.activated.connect(self._on_layer_chooser_activated)
        bar.addWidget(self.layer_chooser)

    def refresh_layers(self) -> None:
        """Everyone with work in the database, the user first."""
        corpus = self.workspace.corpus
        self.layer_chooser.clear()
        if corpus is None:
            return
        me = corpus.annotator_name
        self.layer_chooser.addItem(f"{me} (you)", None)
        for name in corpus.annotators():
            if name != me:
                self.layer_chooser.addItem(name, name)
        index = self.layer_chooser.findData(self.workspace.layer)
        self.layer_chooser.setCurrentIndex(max(0, index))

    def _on_layer_chooser_activated(self, index: int) -> None:
        self.workspace.show_layer(self.layer_chooser.itemData(index))
        self._update_identity()

    def _build_status_bar(self) -> None:
        self.status_identity = QLabel()
        self.status_identity.setObjectName("statusIdentity")
        self.status_saved = QLabel()
        self.status_saved.setObjectName("statusSaved")
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        bar.clearMessage()
        bar.addWidget(self.status_identity, 1)
        bar.addPermanentWidget(self.status_saved)

    def _connect(self) -> None:
        text = self.article.text
        text.set_note_source(
            lambda span_id: span.note if (span := self.workspace.spans.get(span_id)) else None
        )
        text.hotkeyPressed.connect(self._on_article_hotkeyPressed)
        text.deleteRequested.connect(self.delete_span)
        text.spanClicked.connect(self._on_article_spanClicked)
        text.escapePressed.connect(self._on_article_escapePressed)
        self.tags.labelActivated.connect(self.apply_label)
        self.tags.spanActivated.connect(self._on_tags_spanActivated)
        self.documents.documentChosen.connect(self.open_document)
        ws = self.workspace
        ws.labelsChanged.connect(self._on_workspace_labelsChanged)
        ws.annotatorsChanged.connect(self.refresh_layers)
        ws.documentOpened.connect(self._on_workspace_documentOpened)
        ws.spanChanged.connect(self._on_workspace_spanChanged)
        ws.saved.connect(self._on_workspace_saved)
        ws.failed.connect(self._on_workspace_failed)
        ws.unsaved.connect(self._on_workspace_unsaved)

    # -- opening ----------------------------------------------------------------------

    def open_database(self, url: str | None, *, annotator: str | None, project: str | None) -> bool:
        """Open (and on first run, seed) the database. One that cannot be opened is
        explained with the offer of another, which is remembered; False when the person
        quits instead."""
        from annotator.base.errors import UserError
        from annotator.core.connecting import server_of
        from annotator.gui.database_problem import ask_for_another

        picked: str | None = None
        while True:
            try:
                corpus = self._open_corpus(url, annotator)
                break
            except UserError as error:
                choice = ask_for_another(str(error), self, server=server_of(url))
            if choice is None:
                return False
            if choice.url is not None:  # None: Retry the same one
                url, picked = choice.url, choice.remember
        if picked is not None:
            self.settings.set(options.DATABASE, picked)
        self._show_corpus(corpus, url, project)
        return True

    def _show_corpus(self, corpus: Corpus, url: str | None, project: str | None) -> None:
        from annotator.core.db import resolve_url, without_password

        self.db_url = without_password(resolve_url(url))
        self.workspace.set_corpus(corpus)
        self._watch_changes(corpus)
        self._choose_project(corpus, project)

    def ask_identity(self) -> str:
        """Who is working, asked on the first start and saved; the system user name is the
        suggestion, and is used for this start only when the person cancels."""
        from annotator.base.environment import system_user_name
        from annotator.gui.identity_dialog import ask_who_you_are

        suggestion = system_user_name()
        name = ask_who_you_are(suggestion, self)
        if name is None:
            return suggestion
        self.settings.set(options.ANNOTATOR, name)
        return name

    def connect_to_server(self) -> None:
        """Switch to a team's server; the database open now stays if it cannot be opened."""
        from PySide6.QtWidgets import QMessageBox

        from annotator.base.errors import UserError
        from annotator.gui.database_dialog import ask_for_server

        chosen = ask_for_server(self, url=self.db_url)
        if chosen is None:
            return
        url, remember = chosen
        try:
            # No name of this window's: a team member works as their role, and anyone else
            # as the usual order chooses (flag, environment, setting, system user).
            opened = self._open_corpus(url, None)
        except UserError as error:
            QMessageBox.warning(self, "annotator", str(error))
            return
        self.settings.set(options.DATABASE, remember)
        self._show_corpus(opened, url, None)

    def _watch_changes(self, corpus: Corpus) -> None:
        """Other people's changes show within about a second (see gui.change_watch); the
        watch lets go of the database when the workspace closes it."""
        from annotator.gui.change_watch import ChangeWatch

        if self.change_watch is None:
            self.change_watch = ChangeWatch(self)
        self.change_watch.start(corpus)

    @staticmethod
    def _open_corpus(url: str | None, annotator: str | None) -> Corpus:
        import logging

        from annotator.base.errors import DatabaseUnavailable, UserError
        from annotator.core.corpus import Corpus
        from annotator.core.samples import ensure_sample_project

        try:
            corpus = Corpus.open(url, annotator=annotator)
        except DatabaseUnavailable as problem:
            # The driver's own words, kept from the window, for whoever reads the log.
            logging.getLogger("annotator").info(
                "%s (%s): %s", problem.kind, problem.where, problem.detail
            )
            raise
        try:
            ensure_sample_project(corpus)
        except UserError:
            corpus.close()
            raise
        return corpus

    def _choose_project(self, corpus: Corpus, wanted: str | None) -> None:
        from PySide6.QtWidgets import QMessageBox

        from annotator.base.errors import UserError

        names = [summary.name for summary in corpus.projects()]
        left_in = self.settings.place(self.db_url)
        name: str | None = (
            wanted
            or (left_in.project if left_in else None)
            or self.settings.get(options.LAST_PROJECT)
        )
        if name not in names:
            if wanted:
                QMessageBox.warning(
                    self, "annotator", str(UserError(f"no project named {wanted!r}"))
                )
            name = names[0] if names else None
        if name is None:
            return
        self.open_project(name)

    def open_project(self, name: str) -> None:
        assert self.workspace.corpus is not None
        project = self.workspace.corpus.project(name)
        self.settings.set(options.LAST_PROJECT, name)
        self.workspace.open_project(project)
        self.refresh_layers()
        self._update_identity()
        if self._return_to_place(project.id):
            return
        first_open = self._first_not_done()
        if first_open is not None:
            self.open_document(first_open)

    def _return_to_place(self, project_id: int | None) -> bool:
        """Open the document, caret and scroll position left in this project of this
        database; False when there is none, or the document is gone."""
        from annotator.base.errors import UserError

        place = self.settings.place(self.db_url)
        corpus = self.workspace.corpus
        if place is None or corpus is None or self.workspace.project is None:
            return False
        if place.project != self.workspace.project.name:
            return False
        try:
            document = corpus.document(place.document_id)
        except UserError:
            return False  # deleted meanwhile
        if document.project_id != project_id:
            return False
        self.open_document(place.document_id)
        text_view = self.article.text
        text_view.place_caret(min(place.caret, len(document.text)))

        def scroll() -> None:
            text_view.verticalScrollBar().setValue(place.scroll)

        scroll()
        QTimer.singleShot(0, self, scroll)  # again once the text is laid out, if it was not
        return True

    def remember_place(self) -> None:
        """Where the person is, for the next start on this database."""
        ws = self.workspace
        document = ws.document
        if ws.project is None or document is None or document.id is None or not self.db_url:
            return
        text_view = self.article.text
        self.settings.set_place(
            self.db_url,
            options.Place(
                ws.project.name,
                document.id,
                caret=text_view.caret(),
                scroll=text_view.verticalScrollBar().value(),
            ),
        )

    def _first_not_done(self, *, after: int = 0) -> int | None:
        from annotator.base.vocabulary import Status

        ws = self.workspace
        assert ws.corpus is not None and ws.project is not None and ws.project.id is not None
        for status in (Status.IN_PROGRESS, Status.TODO):
            rows = ws.corpus.documents(
                ws.project.id, annotator=ws.layer, status=status, after_id=after, limit=1
            )
            if rows:
                return rows[0].id
        if after:
            return self._first_not_done()  # wrap around to the start
        rows = ws.corpus.documents(ws.project.id, limit=1)
        return rows[0].id if rows else None

    def open_document(self, document_id: int) -> None:
        self.workspace.open_document(document_id)

    def _update_identity(self) -> None:
        from annotator.core.db import place, short_place

        ws = self.workspace
        parts = []
        if ws.corpus is not None:
            parts.append(ws.corpus.annotator_name)
        if ws.project is not None:
            parts.append(f"project {ws.project.name}")
        if self.db_url:
            parts.append(short_place(self.db_url))
            self.status_identity.setToolTip(place(self.db_url))
        if ws.layer is not None:
            parts.append(f"viewing {ws.layer}'s layer (read-only)")
        self.status_identity.setText(" · ".join(parts))
        if ws.project is not None:
            self.setWindowTitle(f"{ws.project.name} — annotator")

    # -- workspace events -------------------------------------------------------------

    def _on_workspace_labelsChanged(self) -> None:
        self.article.text.set_labels(self.workspace.labels)

    def _on_workspace_documentOpened(self) -> None:
        ws = self.workspace
        document = ws.document
        self.article.header.show_document(document)
        if document is None:
            self.article.text.set_content("", [])  # deleted by someone else, none left
            return
        self.article.text.set_content(document.text, list(ws.spans.values()))
        self.article.text.setFocus()
        self.article.text.moveCursor(self.article.text.textCursor().MoveOperation.Start)
        self.remember_place()

    def _on_workspace_spanChanged(
        self,
        span_id: int,
        before: tuple[int, int] | None,
        after: tuple[int, int] | None,
    ) -> None:
        span = self.workspace.spans.get(span_id)
        self.article.text.span_changed(span_id, span.label_id if span else None, before, after)
        if span is not None and after is not None and not self.workspace.refreshing:
            self.article.text.set_selected_span(span_id)
            self.tags.select_span(span_id)

    def _on_workspace_saved(self, action: str) -> None:
        self.status_saved.setText(f"saved · {action}")

    def _on_workspace_failed(self, message: str) -> None:
        # Said once, where a message is read; the corner only says the change was not kept.
        self.status_saved.setText("not saved")
        self.statusBar().showMessage(message, 6000)

    def _on_workspace_unsaved(self, pending: PendingChange) -> None:
        # Asked once the failed action has returned, so that an editor it came from closes.
        QTimer.singleShot(0, self, lambda: self._offer_retry(pending))

    def _offer_retry(self, pending: PendingChange) -> None:
        from annotator.gui.database_problem import Answer, ask_about_unsaved

        answer = ask_about_unsaved(pending, self)
        if answer is Answer.RETRY:
            pending.retry()  # a second refusal asks again
        elif answer is Answer.CONNECT:
            self.connect_to_server()

    # -- labelling --------------------------------------------------------------------

    def _on_article_hotkeyPressed(self, key: str) -> None:
        from annotator.core.labelling import label_for_key

        if self.suggesting.take_label_key(key):
            return  # the current suggestion accepted with that label
        label = label_for_key(self.workspace.labels, key)
        if label is not None and label.id is not None:
            self.apply_label(label.id)
        else:
            self.statusBar().showMessage(f"no label on key {key}", 6000)

    def apply_label(self, label_id: int) -> None:
        """Label the selection; with none, relabel the selected span or label the word
        at the caret (the rules are `label_step`'s)."""
        from annotator.core.labelling import AddSpan, Refuse, Relabel, label_step

        text_view = self.article.text
        if self.workspace.document is None:
            return
        step = label_step(
            text_view.text,
            selection=text_view.selection(),
            caret=text_view.caret(),
            selected_span=text_view.selected_span,
            snap=self.settings.get(options.SNAP_TO_WORDS),
        )
        if isinstance(step, Refuse):
            self._on_workspace_failed(step.message)
        elif isinstance(step, Relabel):
            self.workspace.relabel_span(step.span_id, label_id)
        elif isinstance(step, AddSpan):
            change = self.workspace.add_span(label_id, step.start, step.end)
            if change is not None:
                text_view.place_caret(step.end)
                text_view.set_selected_span(change.entity_id)
                self.suggesting.propose_occurrences(
                    step.start, step.end, label_id, change.entity_id
                )

    def delete_span(self) -> None:
        from annotator.core.labelling import SpanIndex, span_to_delete

        text_view = self.article.text
        span_id = span_to_delete(
            SpanIndex(self.workspace.spans.values()),
            selected_span=text_view.selected_span,
            caret=text_view.caret(),
        )
        if span_id is None:
            self._on_workspace_failed("no span at the caret")
            return
        self.workspace.remove_span(span_id)
        text_view.set_selected_span(None)

    def _add_document_label_keys(self) -> None:
        """Ctrl+1 to Ctrl+9 tick the document labels in the order of their check boxes,
        from anywhere in the window (the find field too)."""
        from PySide6.QtGui import QKeySequence, QShortcut

        from annotator.gui.tag_panel import DOCUMENT_LABEL_KEYS, document_label_key

        for position in range(1, DOCUMENT_LABEL_KEYS + 1):
            shortcut = QShortcut(QKeySequence(document_label_key(position)), self)
            shortcut.setObjectName(f"documentLabelKey_{position}")
            shortcut.activated.connect(
                lambda position=position: self.toggle_document_label(position)
            )

    def toggle_document_label(self, position: int) -> None:
        if self.centre.currentWidget() is self.article:  # review mode has no check boxes
            self.tags.toggle_document_label(position)

    def _on_article_spanClicked(self, span_id: int) -> None:
        self.article.text.set_selected_span(span_id)
        self.tags.select_span(span_id)

    def _on_article_escapePressed(self) -> None:
        text_view = self.article.text
        cursor = text_view.textCursor()
        cursor.clearSelection()
        text_view.setTextCursor(cursor)
        text_view.set_selected_span(None)
        self.tags.select_span(None)

    def _on_tags_spanActivated(self, span_id: int) -> None:
        span = self.workspace.spans.get(span_id)
        if span is None:
            return
        text_view = self.article.text
        text_view.place_caret(span.start)
        text_view.set_selected_span(span_id)

    # -- documents --------------------------------------------------------------------

    def step_document(self, step: int) -> None:
        document = self.workspace.document
        if document is None or document.id is None:
            return
        target = self.documents.neighbour(document.id, step)
        if target is not None:
            self.open_document(target)

    def mark(self, status: Status) -> None:
        document = self.workspace.document
        if document is not None and document.id is not None:
            self.workspace.set_status(document.id, status)

    def done_and_next(self) -> None:
        document = self.workspace.document
        if document is None or document.id is None:
            return
        self.workspace.set_status(document.id, Status.DONE)
        target = self._first_not_done(after=document.id)
        if target is not None and target != document.id:
            self.open_document(target)
        else:
            self.statusBar().showMessage("every document is done", 6000)

    def switch_project(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        corpus = self.workspace.corpus
        if corpus is None:
            return
        names = [summary.name for summary in corpus.projects()]
        current = self.workspace.project.name if self.workspace.project else ""
        name, ok = QInputDialog.getItem(
            self, "Switch project", "Project:", names,
            names.index(current) if current in names else 0, False,
        )  # fmt: skip
        if ok and name:
            self.open_project(name)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.import_paths(paths))

    # -- review -----------------------------------------------------------------------

    @property
    def review(self) -> ReviewController:
        if self._review is None:
            from annotator.gui.review_view import ReviewArticle, ReviewController, ReviewPanel

            article, panel = ReviewArticle(), ReviewPanel()
            self.centre.addWidget(article)
            self.side.addWidget(panel)
            panel.gold_button.clicked.connect(self.export_gold)
            panel.feedback_button.clicked.connect(self.export_feedback)
            self._review = ReviewController(self.workspace, self.settings, article, panel)
        return self._review

    @property
    def review_article(self) -> ReviewArticle:
        return self.review.article

    @property
    def review_panel(self) -> ReviewPanel:
        return self.review.panel

    def set_review_mode(self, on: bool) -> None:
        from annotator.gui.actions import Act

        review = self.review
        self.actions_by_name[Act.REVIEW].setChecked(on)
        self.actions_by_name[Act.ACCEPT_AGREEMENTS].setEnabled(on)
        self.centre.setCurrentIndex(1 if on else 0)
        self.side.setCurrentIndex(1 if on else 0)
        review.set_active(on)
        if on:
            if self._sizes_before_review is None:
                self._sizes_before_review = self.splitter.sizes()
            self._make_room_for(self.side, REVIEW_PANEL_WIDTH)
            review.panel.list.setFocus()
        else:
            self._restore_sizes_before_review()
            self.article.text.setFocus()

    def _restore_sizes_before_review(self) -> None:
        """The panes go back to the widths they had before review mode widened its list."""
        if self._sizes_before_review is not None:
            self.splitter.setSizes(self._sizes_before_review)
            self._sizes_before_review = None

    def accept_agreements(self) -> None:
        """Every span both compared layers agree on goes into gold, in one step."""
        if self._review is not None and self._review.active:
            self._review.accept_agreements()

    def _make_room_for(self, pane: QWidget, width: int) -> None:
        """Widen a pane to `width`: the article gives room while it keeps a comfortable
        column, then the document list down to its minimum, then the article down to its."""
        sizes = self.splitter.sizes()
        index = self.splitter.indexOf(pane)
        missing = width - sizes[index]
        givers = (
            (self.centre, COMFORTABLE_ARTICLE_WIDTH),
            (self.documents, self.documents.minimumWidth()),
            (self.centre, self.centre.minimumWidth()),
        )
        for giver, floor in givers:
            place = self.splitter.indexOf(giver)
            taken = max(0, min(sizes[place] - floor, missing))
            sizes[place] -= taken
            sizes[index] += taken
            missing -= taken
        self.splitter.setSizes(sizes)

    def show_agreement(self) -> None:
        from annotator.gui.agreement_view import AgreementDialog

        ws = self.workspace
        if ws.corpus is None or ws.project is None or ws.project.id is None:
            return
        dialog = AgreementDialog(ws.corpus, ws.project.id, self)
        dialog.spansRequested.connect(self._on_agreement_spansRequested)
        dialog.show()

    def _on_agreement_spansRequested(self, document_id: int, start: int, end: int) -> None:
        """A cell of the confusion matrix was opened: show the spans behind it."""
        self.open_document(document_id)
        from annotator.gui.actions import Act

        if self.actions_by_name[Act.REVIEW].isChecked():
            self.review_article.text.place_caret(start)
        else:
            self.article.text.select_range(start, end)

    # -- labels and settings ----------------------------------------------------------

    def edit_labels(self) -> None:
        from annotator.gui.labels_dialog import LabelsDialog

        if self.workspace.project is None:
            return
        LabelsDialog(self.workspace, self).exec()

    def edit_settings(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from annotator.gui.actions import Act
        from annotator.gui.settings_dialog import SettingsDialog

        corpus = self.workspace.corpus
        in_use = corpus.annotator_name if corpus is not None else ""
        if in_use and self.annotator_source:
            in_use = f"{in_use} ({self.annotator_source})"
        dialog = SettingsDialog(self.settings, self, in_use=in_use)
        if dialog.exec():
            self.actions_by_name[Act.SNAP].setChecked(self.settings.get(options.SNAP_TO_WORDS))
            self._apply_font_size(self.settings.get(options.FONT_SIZE))
            QMessageBox.information(
                self, "Settings",
                "A new annotator name or database is used the next time annotator starts.",
            ) if dialog.needs_restart else None  # fmt: skip

    def set_snap(self, checked: bool) -> None:
        self.settings.set(options.SNAP_TO_WORDS, checked)

    def set_theme(self, theme: str, chosen: bool = True) -> None:
        """System, light or dark: applied at once to the whole application, and kept."""
        from annotator.gui.theme import apply_theme

        if not chosen:  # the theme the user left, in the exclusive group
            return
        self.settings.set(options.THEME, theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)

    def zoom(self, step: int) -> None:
        size = self.settings.get(options.FONT_SIZE)
        size = options.FONT_SIZE.default if step == 0 else max(8, min(40, size + step))
        self.settings.set(options.FONT_SIZE, size)
        self._apply_font_size(size)

    def _apply_font_size(self, size: int) -> None:
        font = self.article.text.font()
        font.setPointSize(size)
        self.article.text.setFont(font)

    # -- layout persistence -----------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._built:
            self._restore_layout_once()

    def _restore_layout_once(self) -> None:
        if not self._layout_restored:  # sizes mean something only once the window has one
            self._layout_restored = True
            self._restore_layout()

    def _restore_layout(self) -> None:
        geometry = self.settings.get(options.GEOMETRY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = self.settings.get(options.SPLITTER)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.splitter.restoreState(state)

    def save_layout(self) -> None:
        self._restore_sizes_before_review()  # review's wide list is for review only
        self.settings.set(options.SPLITTER, self.splitter.saveState())
        self.settings.set(options.GEOMETRY, self.saveGeometry())

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._built:
            super().closeEvent(event)
            return
        self.save_layout()
        self.remember_place()
        if self.workspace.corpus is not None:
            self.workspace.corpusClosing.emit()
            self.workspace.corpus.close()
        super().closeEvent(event)
