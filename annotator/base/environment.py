"""Where annotator finds its database and who is working: the one order for every choice.

The flag, then the environment variable, then the window's saved setting, then the
default (the user data folder, the operating-system user).
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import platformdirs

from annotator.base.vocabulary import EnvVar

APP_NAME = "annotator"


def default_database_path() -> Path:
    return platformdirs.user_data_path(APP_NAME) / "annotator.db"


def _first_given(flag: str | None, variable: EnvVar, setting: str | None) -> str | None:
    return flag or os.environ.get(variable) or setting or None


def chosen_database(flag: str | None = None, *, setting: str | None = None) -> str:
    """A database URL or a SQLite file path."""
    return _first_given(flag, EnvVar.DB, setting) or str(default_database_path())


def given_annotator(flag: str | None = None, *, setting: str | None = None) -> str | None:
    """The name someone chose (flag, environment, setting); None when only the system
    user name is left, which the window then offers instead of using it unasked."""
    return _first_given(flag, EnvVar.ANNOTATOR, setting)


def system_user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "annotator"


def chosen_annotator(flag: str | None = None, *, setting: str | None = None) -> str:
    return given_annotator(flag, setting=setting) or system_user_name()


def annotator_source(flag: str | None = None, *, setting: str | None = None) -> str:
    """Where the name `chosen_annotator` gives comes from, in words, for the settings."""
    if flag:
        return "from --annotator"
    if os.environ.get(EnvVar.ANNOTATOR):
        return f"from ${EnvVar.ANNOTATOR}"
    if setting:
        return "saved in these settings"
    return "your system user name"
