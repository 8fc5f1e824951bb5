"""Key bindings as users see them, read from the live bindings so that help and palette cannot drift.

A *context* is where a set of bindings works: everywhere (the app, and Textual's own screen keys), or
while a widget or screen of Margin's has focus (the document list, the transcript, the codebook, a
dialog). Each binding has an ID (``transcript.cursor-down``) by which the user's settings file rebinds
it; this module also checks those settings against the IDs and key names that exist.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.keys import Keys, _character_to_key, format_key, key_to_character
from textual.screen import Screen

from margin.core.config import UserConfig

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
_SPECIAL_KEYS = frozenset(key.value for key in Keys if "+" not in key.value and not key.value.startswith("<"))


@dataclass(frozen=True)
class KeyRow:
    """One action in a context: its keys (as displayed), what it does, and its ID (None: Textual's own)."""

    keys: tuple[str, ...]
    description: str
    binding_id: str | None


@dataclass(frozen=True)
class Context:
    """Where a set of bindings works, and those bindings with the user's keys applied."""

    title: str
    owners: tuple[type[DOMNode], ...]
    """The classes whose instances (or the app) have these bindings."""
    rows: tuple[KeyRow, ...]


@cache
def margin_classes() -> tuple[type[DOMNode], ...]:
    """Every widget, screen and app class defined in margin.tui, its modules imported on first call."""
    import margin.tui

    classes: list[type[DOMNode]] = []
    for info in sorted(pkgutil.iter_modules(margin.tui.__path__, "margin.tui."), key=lambda m: m.name):
        module = importlib.import_module(info.name)
        classes.extend(
            obj
            for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, DOMNode) and obj.__module__ == module.__name__
        )
    return tuple(classes)


def leaf_classes() -> list[type[DOMNode]]:
    """Margin's classes but those another Margin class extends (the app uses the subclass)."""
    classes = margin_classes()
    return [c for c in classes if not any(other is not c and issubclass(other, c) for other in classes)]


def class_bindings(owner: type[DOMNode]) -> BindingsMap:
    """A copy of the bindings ``owner`` declares and inherits (as Textual merges them per class)."""
    merged = owner._merged_bindings  # Textual's merge of BINDINGS along the class's ancestry
    return merged.copy() if merged is not None else BindingsMap()


def binding_ids() -> dict[str, Binding]:
    """Every binding ID in Margin, with its binding as declared."""
    ids: dict[str, Binding] = {}
    for owner in margin_classes():
        for _, binding in class_bindings(owner):
            if binding.id:
                ids.setdefault(binding.id, binding)
    return ids


def key_display(key: str) -> str:
    """A key as people read it: ``ctrl+z``, ``?``, ``↑``, ``shift+tab``."""
    *modifiers, base = key.split("+")
    return "+".join([*modifiers, format_key(base)])


def contexts(app: App[Any]) -> list[Context]:
    """Every context's bindings as they work now (the user's keys applied): everywhere (the app's and
    Textual's screen keys) first, then panels, then dialogs. Classes whose IDs share a prefix form one
    context (the codebook's tree and panel), named after it; a class that a Margin subclass extends is
    left to the subclass."""
    keymap = app._keymap  # the normalised keymap Textual applies to every binding chain
    everywhere = BindingsMap.merge([app._bindings, class_bindings(Screen)])
    result = [Context("Everywhere", (type(app),), _rows(everywhere, keymap))]
    used = [c for c in leaf_classes() if not issubclass(c, App)]
    used.sort(key=lambda c: issubclass(c, Screen))
    grouped: dict[str, tuple[list[type[DOMNode]], list[KeyRow]]] = {}
    for owner in used:
        rows = [row for row in _rows(class_bindings(owner), keymap) if row.binding_id]
        if not rows:
            continue
        owners, known = grouped.setdefault(context_title(owner), ([], []))
        owners.append(owner)
        known.extend(row for row in rows if row not in known)
    result.extend(Context(title, tuple(owners), tuple(rows)) for title, (owners, rows) in grouped.items())
    return result


def context_title(owner: type[DOMNode]) -> str:
    """The prefix its binding IDs share, as words: ``codebook.detail.close`` -> ``Codebook: detail``
    (a class without IDs: its name, ``TranscriptView`` -> ``Transcript view``)."""
    prefixes = [b.id.split(".")[:-1] for _, b in class_bindings(owner) if b.id]
    common: list[str] = []
    for parts in zip(*prefixes, strict=False):
        if len(set(parts)) > 1:
            break
        common.append(parts[0])
    if not prefixes or not common:
        words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", owner.__name__)
        return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else owner.__name__
    first, *rest = (part.replace("-", " ") for part in common)
    return ": ".join([first.capitalize(), *rest])


def _rows(bindings: BindingsMap, keymap: Mapping[str, str]) -> tuple[KeyRow, ...]:
    if keymap:
        bindings.apply_keymap(keymap)
    keys: dict[tuple[str | None, str, str], list[str]] = {}
    for key, binding in bindings:
        if not binding.description:
            continue
        keys.setdefault((binding.id, binding.action, binding.description), []).append(key)
    return tuple(
        KeyRow(tuple(dict.fromkeys(key_display(k) for k in ks)), description, binding_id)
        for (binding_id, _, description), ks in keys.items()
    )


# --- checking the user's keys -------------------------------------------------------------------------
def key_problem(key: str) -> str | None:
    """Why ``key`` is not a key Textual can bind (None: it is one)."""
    *modifiers, base = key.split("+")
    unknown = [m for m in modifiers if m not in MODIFIERS]
    if unknown or not base:
        return f"'{key}' is not a key: modifiers are {', '.join(MODIFIERS)}, joined with '+' (e.g. ctrl+s)"
    if len(base) == 1 or base in _SPECIAL_KEYS or key_to_character(base) is not None:
        return None
    return (
        f"'{key}' is not a key — use a character (a, ?, <), a key name (up, pageup, escape, enter, space, "
        "tab, f1 … f24) or a character's name (question_mark, comma)"
    )


def checked_keymap(config: UserConfig) -> dict[str, str]:
    """The keymap to apply from ``config``: entries with unknown IDs or keys are reported in
    ``config.problems`` and left out, so the rest still applies; a key taken from another binding of
    the same context is applied and reported (that binding is then without a key there)."""
    known = binding_ids()
    keymap: dict[str, str] = {}
    for binding_id, setting in config.keys.items():
        if binding_id not in known:
            config.problem(
                f"no binding has the ID '{binding_id}' — press ? in Margin to see every ID",
                setting.line,
                setting.column,
            )
            continue
        keys = [k.strip() for k in setting.value.split(",")]
        problems = [p for p in map(key_problem, keys) if p]
        if problems:
            config.problem(problems[0], setting.line, setting.column)
            continue
        keymap[binding_id] = ",".join(_character_to_key(k) if len(k) == 1 else k for k in keys)
    for owner in leaf_classes():
        for lost, taker in _taken(class_bindings(owner), keymap):
            setting = config.keys[taker]
            config.problem(
                f"{key_display(lost.key)} now does {taker} in the {context_title(owner).lower()}, so "
                f"'{lost.description}' ({lost.id or 'built in'}) has no key there — choose another key",
                setting.line,
                setting.column,
            )
    return keymap


def _taken(bindings: BindingsMap, keymap: Mapping[str, str]) -> Iterator[tuple[Binding, str]]:
    """(binding, ID of the binding that took its key) for keys the keymap gives away in one class."""
    ids = {binding.id for _, binding in bindings if binding.id}
    for taker, keys in keymap.items():
        if taker not in ids:
            continue
        for key in keys.split(","):
            for binding in bindings.key_to_bindings.get(key, ()):
                rebound = keymap.get(binding.id or "")
                if binding.id != taker and (rebound is None or key in rebound.split(",")):
                    yield binding, taker
