"""The user's settings file: where it lives, what it holds (keys, theme), and writing one setting back.

Settings are personal: ``$XDG_CONFIG_HOME/margin/config.yaml`` (``~/.config/margin/config.yaml`` when
XDG_CONFIG_HOME is unset). A project never changes them: a project arrives through git from other
people, and what a key does should not change because a colleague pushed a file.

```yaml
theme: textual-light
keys:
  app.quit: "ctrl+q"           # a binding ID and its key
  transcript.cursor-down: "down,j"   # several keys, comma-separated (or a YAML list)
```

Reading never raises: problems come back located (file:line:column) beside whatever could be used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from margin.core.errors import FormatError
from margin.core.textfile import atomic_write
from margin.core.yamlio import dump_round_trip, load_round_trip

SETTINGS = ("keys", "theme")


def user_config_path(environ: Mapping[str, str] = os.environ) -> Path:
    """Where the user's settings are, whether or not the file exists."""
    base = environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "margin" / "config.yaml"


def display_path(path: Path) -> str:
    """``path`` as a user would type it: under the home directory as ``~/…``."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Setting:
    """A value from the settings file and where it was written (1-based line and column)."""

    value: str
    line: int
    column: int


@dataclass
class UserConfig:
    """What the settings file asks for; ``problems`` lists what could not be used, each located."""

    path: Path
    keys: dict[str, Setting] = field(default_factory=dict)
    """Binding ID -> its keys, comma-separated."""
    theme: Setting | None = None
    problems: list[FormatError] = field(default_factory=list)

    def problem(self, message: str, line: int = 0, column: int = 0) -> None:
        self.problems.append(FormatError(message, path=display_path(self.path), line=line, column=column))


def read_config(path: Path) -> UserConfig:
    """The settings in ``path`` (none if it does not exist); never raises."""
    config = UserConfig(path)
    where = display_path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return config
    except OSError as exc:
        config.problem(f"cannot read the settings file: {exc.strerror}")
        return config
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        config.problem("invalid UTF-8 — save the settings file as UTF-8", line, 1)
        return config
    try:
        root = load_round_trip(text, where)
    except FormatError as exc:
        config.problems.append(exc)
        return config
    if root is None:
        return config
    if not isinstance(root, dict):
        config.problem("the settings file must be a YAML mapping (keys: …, theme: …)", 1, 1)
        return config
    for name, value in root.items():
        line, column = _place(root, name)
        if name == "theme":
            if isinstance(value, str) and value.strip():
                config.theme = Setting(value.strip(), *_value_place(root, name))
            else:
                config.problem("theme must be a theme's name, e.g. theme: textual-light", line, column)
        elif name == "keys":
            _read_keys(config, value, line, column)
        else:
            config.problem(
                f"unknown setting '{name}' — the settings are {' and '.join(SETTINGS)}", line, column
            )
    return config


def _read_keys(config: UserConfig, keys: Any, line: int, column: int) -> None:
    if keys is None:
        return
    if not isinstance(keys, dict):
        config.problem('keys must be a mapping of binding IDs to keys, e.g. app.quit: "ctrl+q"', line, column)
        return
    for binding_id, value in keys.items():
        place = _value_place(keys, binding_id)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            value = ",".join(value)
        if not isinstance(value, str) or not value.strip():
            config.problem(
                f"the keys for '{binding_id}' must be a key or comma-separated keys, e.g. \"ctrl+s,f2\"",
                *place,
            )
            continue
        config.keys[str(binding_id)] = Setting(value, *place)


def _place(mapping: Any, key: Any) -> tuple[int, int]:
    """1-based line and column of ``key`` in a round-trip-loaded mapping."""
    line, column = mapping.lc.key(key)
    return int(line) + 1, int(column) + 1


def _value_place(mapping: Any, key: Any) -> tuple[int, int]:
    line, column = mapping.lc.value(key)
    return int(line) + 1, int(column) + 1


def save_setting(path: Path, name: str, value: str) -> None:
    """Write one top-level setting into ``path``, keeping the rest of the file (comments, order).
    Raises FormatError when the file exists but cannot be read as settings (it is then left alone)."""
    where = display_path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"cannot read the settings file ({exc}) — fix or remove it", path=where) from None
    from ruamel.yaml.comments import CommentedMap

    root = load_round_trip(text, where) if text.strip() else None
    if root is None:
        root = CommentedMap()
    elif not isinstance(root, dict):
        raise FormatError("the settings file must be a YAML mapping — fix or remove it", path=where, line=1)
    root[name] = value
    atomic_write(path, dump_round_trip(root))
