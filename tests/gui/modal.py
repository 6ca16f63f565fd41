"""Acting on a real modal dialog from a test, the way a person would, while it is shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog

# A dialog a script leaves open is closed after this long, so that the suite never hangs.
GIVE_UP_MS = 30_000


def driving(
    monkeypatch: pytest.MonkeyPatch, dialog_class: type[QDialog], *scripts: Callable[[Any], None]
) -> list[Callable[[Any], None]]:
    """Each time a `dialog_class` is shown, the next script acts on it inside its own
    event loop. Returns the scripts not yet used: empty once each dialog was shown."""
    pending = list(scripts)
    real_exec = dialog_class.exec

    def exec_and_act(dialog: QDialog) -> int:
        assert pending, f"{dialog_class.__name__} was shown once more than expected"
        script = pending.pop(0)

        def act() -> None:
            try:
                script(dialog)
            except BaseException:
                dialog.reject()
                raise

        QTimer.singleShot(0, dialog, act)
        QTimer.singleShot(GIVE_UP_MS, dialog, dialog.reject)
        return real_exec(dialog)

    monkeypatch.setattr(dialog_class, "exec", exec_and_act)
    return pending
