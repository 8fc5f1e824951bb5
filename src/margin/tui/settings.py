"""The user's settings applied to the app: keys (Textual's keymap, by binding ID) and the theme, which
is saved back when the user changes it. Problems are shown as one notification naming file:line."""

from __future__ import annotations

from typing import Any

from textual.app import App

from margin.core.config import read_config, save_setting, user_config_path
from margin.core.errors import FormatError
from margin.tui.keymap import checked_keymap


def apply_settings(app: App[Any]) -> None:
    """Read the settings file and apply what can be used; report the rest."""
    config = read_config(user_config_path())
    keymap = checked_keymap(config) if config.keys else {}
    app.set_keymap(keymap)
    if config.theme is not None:
        if config.theme.value in app.available_themes:
            app.theme = config.theme.value
        else:
            config.problem(
                f"no theme '{config.theme.value}' — choose one of {', '.join(sorted(app.available_themes))}",
                config.theme.line,
                config.theme.column,
            )
    if config.problems:
        app.notify(
            "\n".join(str(problem) for problem in config.problems),
            title="Some settings were not applied",
            severity="error",
            timeout=20,
            markup=False,
        )


def save_theme(app: App[Any]) -> None:
    """Remember the app's current theme in the settings file (the rest of the file is kept)."""
    try:
        save_setting(user_config_path(), "theme", app.theme)
    except (FormatError, OSError) as exc:
        app.notify(f"{exc}", title="The theme was not saved", severity="warning", timeout=10, markup=False)
