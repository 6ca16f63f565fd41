"""Run by test_crash_safety in its own process: label through key presses, then wait to die."""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox

from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings


def main(database: str, settings_file: str) -> None:
    app = QApplication([])
    window = MainWindow(Settings(QSettings(settings_file, QSettings.Format.IniFormat)))
    window.show()
    QTest.qWaitForWindowExposed(window)
    window.activateWindow()
    assert window.open_database(database, annotator="alice", project=None)
    view = window.article.text
    text = window.workspace.document.text
    for word, key in (("Harbour Bridge", Qt.Key.Key_3), ("Tuesday", Qt.Key.Key_4),
                      ("Helena Voss", Qt.Key.Key_1)):  # fmt: skip
        start = text.index(word)
        view.place_caret(start)
        for _ in range(len(word)):
            QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        QTest.keyClick(view, key)
        QTest.keyClick(view, Qt.Key.Key_Escape)
    window.tags.findChildren(QCheckBox)[0].click()
    QTest.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    app.processEvents()
    print("READY", flush=True)
    while True:  # the test kills us here, with no chance to clean up
        app.processEvents()
        time.sleep(0.01)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
