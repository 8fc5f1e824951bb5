"""An Input that takes a burst of keys in the order they came.

A terminal delivers fast typing, and a paste without bracketed paste, as a burst of keys, all queued for
the focused Input before it has handled the first. Textual inserts a character when its key reaches the
Input, but runs a bound key (backspace, enter, an arrow, a screen's space or tab) only once the key has
bubbled up to the app — after the Input has taken the characters that followed it — and tells the screen
of a new value by a message queued behind those keys. ``OrderedInput`` runs a key's binding when the key
reaches it, and hands every new value and every Enter to its owner at once, so each key acts on the text
typed before it. ``take_in_order`` does the same for any widget, and passes on the keys that reach a widget
after a key before them moved the focus away (``/`` and a word typed at once: the word goes to the find
bar).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.widget import Widget
from textual.widgets import Input


async def take_in_order(widget: Widget, event: events.Key) -> bool:
    """Handle a key as it reaches ``widget``: pass it on to the widget that has the focus now if that is
    another one, else run its binding (the one the app would run once the key had bubbled up to it).
    True when the key was taken (the caller stops it)."""
    focused = widget.screen.focused
    if focused is not None and focused is not widget:
        focused.post_message(events.Key(event.key, event.character))
    elif not await widget.app._check_bindings(event.key):
        return False
    event.stop()
    event.prevent_default()
    return True


class OrderedInput(Input):
    """An Input whose keys act in order: ``typed`` hears each new value, ``submitted`` each Enter, at once."""

    def __init__(
        self,
        *,
        typed: Callable[[str], None] | None = None,
        submitted: Callable[[str], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._typed = typed
        self._submitted = submitted

    async def _on_key(self, event: events.Key) -> None:
        await take_in_order(self, event)

    def watch_value(self, value: str) -> None:
        if self._typed is not None and self.is_mounted:
            self._typed(value)

    async def action_submit(self) -> None:
        if self._submitted is None:
            await super().action_submit()
        else:
            self._submitted(self.value)
