"""The command palette's actions: everything the focused widget, the widgets around it, the screen and
the app can do, each with its keys (and the actions that have no key)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.markup import escape

from margin.tui.keymap import key_display

SKIPPED_ACTIONS = frozenset({"command_palette"})
"""Actions not offered in the palette (opening the palette from the palette)."""


@dataclass(frozen=True)
class PaletteAction:
    """An action as the palette offers it."""

    title: str
    keys: tuple[str, ...]
    help: str
    node: DOMNode
    action: str


def available_actions(focused: DOMNode | None, fallback: DOMNode) -> list[PaletteAction]:
    """The actions that work where ``focused`` is (``fallback``, a screen, when nothing has focus): bound
    ones with their keys as they are now (the user's keymap applied), then Margin's actions that have no
    key; nearest widget first, each action once."""
    chain = list((focused or fallback).ancestors_with_self)
    found: dict[tuple[int, str], PaletteAction] = {}
    for node in chain:
        for action, title, keys in _bound(node):
            entry = found.get((id(node), action))
            if entry is None:
                help_text = _doc(node, action)
                found[(id(node), action)] = PaletteAction(
                    title, keys, help_text if help_text != title else "", node, action
                )
            else:
                found[(id(node), action)] = PaletteAction(
                    entry.title, entry.keys + keys, entry.help, node, action
                )
        for action in _unbound(node):
            if (id(node), action) not in found:
                title = _doc(node, action) or action.replace("_", " ").capitalize()
                found[(id(node), action)] = PaletteAction(title, (), "", node, action)
    seen: set[str] = set()
    result = []
    for entry in found.values():
        if entry.title in seen or entry.action in SKIPPED_ACTIONS:
            continue
        if entry.node.check_action(entry.action.partition("(")[0], ()) is False:
            continue
        seen.add(entry.title)
        result.append(entry)
    return result


def _bound(node: DOMNode) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(action, description, keys) of the bindings ``node`` answers to now, keymap applied."""
    bindings = node._bindings.copy()  # the node's live bindings, as Textual dispatches keys
    keymap = node.app._keymap
    if keymap:
        bindings.apply_keymap(keymap)
    for key, binding in sorted(bindings, key=lambda item: item[1].id is None):  # Margin's keys first
        if binding.description:
            yield binding.action, binding.description, (key_display(key),)


def _unbound(node: DOMNode) -> Iterator[str]:
    """Actions Margin's own classes define on ``node`` (not Textual's generic ones) that can run as
    they are: those without parameters, or whose parameters all have defaults."""
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("margin."):
            continue
        for name, member in vars(cls).items():
            if name.startswith("action_") and callable(member) and _runs_bare(member):
                yield name.removeprefix("action_")


def _runs_bare(method: Callable[..., object]) -> bool:
    parameters = list(inspect.signature(method).parameters.values())[1:]  # after self
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters)


def _doc(node: DOMNode, action: str) -> str:
    """The first line of the docstring of Margin's action method, without its full stop."""
    method = getattr(node, f"action_{action.partition('(')[0]}", None)
    if method is None or not getattr(method, "__module__", "").startswith("margin."):
        return ""
    doc = inspect.getdoc(method)
    return doc.splitlines()[0].rstrip(".") if doc else ""


def _display(title: Content, keys: tuple[str, ...]) -> Content:
    return title + Content.styled(f"   {' '.join(keys)}", "dim") if keys else title


class ActionsProvider(Provider):
    """Offers every available action by name, with its keys: "Undo   ctrl+z"."""

    def _actions(self) -> list[PaletteAction]:
        """The actions listed when the palette was asked for (``palette_actions`` on the app): with the
        palette on top, the app would judge which actions apply as if the palette had focus."""
        listed: list[PaletteAction] | None = getattr(self.app, "palette_actions", None)
        return listed if listed is not None else available_actions(self.focused, self.screen)

    def _run(self, entry: PaletteAction) -> Callable[[], Awaitable[bool]]:
        return partial(self.app.run_action, entry.action, entry.node)

    async def discover(self) -> Hits:
        for entry in sorted(self._actions(), key=lambda e: e.title.lower()):
            display = _display(Content(entry.title), entry.keys)
            yield DiscoveryHit(display, self._run(entry), text=entry.title, help=entry.help or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._actions():
            score = matcher.match(entry.title)
            if score > 0:
                display = _display(matcher.highlight(escape(entry.title)), entry.keys)
                yield Hit(score, display, self._run(entry), text=entry.title, help=entry.help or None)
