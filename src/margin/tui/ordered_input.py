"""An Input that takes a burst of keys in the order they came.

A terminal delivers fast typing, and a paste without bracketed paste, as a burst of keys, all queued for
the focused Input before it has handled the first. Textual inserts a character when its key reaches the
Input, but runs a bound key (backspace, enter, an arrow, a screen's space or tab) only once the key has
bubbled up to the app — after the Input has taken the characters that followed it — and tells the screen
of a new value by a message queued behind those keys. ``OrderedInput`` runs a key's binding when the key
reaches it, and hands every new value and every Enter to its owner at once, so each key acts on the text
typed before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.widgets import Input


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
        # The bindings the app would run once the key had bubbled up to it, run now (focused widget first).
        if await self.app._check_bindings(event.key):
            event.stop()
            event.prevent_default()

    def watch_value(self, value: str) -> None:
        if self._typed is not None and self.is_mounted:
            self._typed(value)

    async def action_submit(self) -> None:
        if self._submitted is None:
            await super().action_submit()
        else:
            self._submitted(self.value)
