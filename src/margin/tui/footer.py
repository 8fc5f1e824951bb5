"""The footer: the keys of where the focus is, as many as fit whole — Textual's own footer cuts the last
one in the middle ("S End se"); the others are in help (?) and the command palette (ctrl+p)."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

NARROW = 100
"""Terminals narrower than this get the compact footer (less space around each key)."""


class KeyFooter(Footer, inherit_bindings=False):
    """A footer that leaves out the keys that would not fit whole, and is compact in narrow terminals."""

    def __init__(self) -> None:
        super().__init__()
        self._width = 0

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey)]
        room = self.app.size.width - sum(self._cells(k) for k in keys if k.has_class("-command-palette"))
        for widget in widgets:
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                room -= self._cells(widget)
                if room < 0:
                    continue
            yield widget

    def _cells(self, key: FooterKey) -> int:
        """The cells ``key`` takes in the footer (its padding, margin or border included)."""
        words = len(key.key_display) + (len(key.description) + 1 if key.description else 0)
        if key.has_class("-command-palette"):
            return words + (1 if self.compact else 3)
        return words + (1 if self.compact else 2)

    def on_resize(self, event: events.Resize) -> None:
        width = self.app.size.width
        if width != self._width:
            self._width = width
            self.compact = width < NARROW
            self.call_after_refresh(self.recompose)

    def watch_compact(self) -> None:
        if self.is_mounted:
            self.call_after_refresh(self.recompose)
