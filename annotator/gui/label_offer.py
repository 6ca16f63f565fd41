"""The offer a project without labels makes: the default set, or another project's labels,
so a newcomer who imported plain text can label at once instead of hunting for an editor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from annotator.gui.workspace import Workspace


class LabelOffer(QFrame):
    """Shown in the labels panel while the open project has no labels at all."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("labelOffer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._workspace = workspace
        message = QLabel("This project has no labels yet.")
        message.setWordWrap(True)
        self.use_default = QPushButton("Use the default labels")
        self.use_default.setObjectName("useDefaultLabels")
        self.use_default.setToolTip(
            "Person, Organisation, Location, Date, Event on keys 1-5, and four document labels"
        )
        self.use_default.clicked.connect(self._on_use_default_clicked)
        self.source = QComboBox()
        self.source.setObjectName("labelSource")
        self.source.setToolTip("a project whose labels to copy")
        self.copy = QPushButton("Copy")
        self.copy.setObjectName("copyLabels")
        self.copy.clicked.connect(self._on_copy_clicked)
        self._other = QWidget()
        other = QHBoxLayout(self._other)
        other.setContentsMargins(0, 0, 0, 0)
        other.addWidget(QLabel("or the labels of"))
        other.addWidget(self.source, 1)
        other.addWidget(self.copy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(message)
        layout.addWidget(self.use_default)
        layout.addWidget(self._other)
        self.hide()
        workspace.labelsChanged.connect(self._on_workspace_labelsChanged)
        workspace.projectChanged.connect(self._on_workspace_labelsChanged)

    def _on_workspace_labelsChanged(self) -> None:
        workspace = self._workspace
        empty = workspace.project is not None and not workspace.labels
        if empty:
            self._list_sources()
        self.setVisible(empty)

    def _list_sources(self) -> None:
        """Other projects that have labels to give; one query per project, and only while
        the offer is shown."""
        corpus, project = self._workspace.corpus, self._workspace.project
        assert corpus is not None and project is not None
        self.source.clear()
        for summary in corpus.projects():
            if summary.id != project.id and corpus.labels(summary.id):
                self.source.addItem(summary.name, summary.id)
        self._other.setVisible(self.source.count() > 0)

    def _on_use_default_clicked(self) -> None:
        from annotator.core.samples import default_label_entries

        self._workspace.add_labels("add the default labels", list(default_label_entries()))

    def _on_copy_clicked(self) -> None:
        corpus = self._workspace.corpus
        source_id = self.source.currentData()
        if corpus is None or source_id is None:
            return
        entries: list[dict[str, Any]] = [
            {"name": label.name, "kind": label.kind, "color": label.color,
             "hotkey": label.hotkey, "description": label.description}
            for label in corpus.labels(int(source_id))
        ]  # fmt: skip
        self._workspace.add_labels(f"copy the labels of {self.source.currentText()}", entries)
