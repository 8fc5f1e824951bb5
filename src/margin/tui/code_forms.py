"""The codebook panel's modal forms: a line of text, a code's fields, its colour, a split.

Each form only asks; it returns what was entered (or None when cancelled) and the panel runs the
operation, so every change goes through ``margin.core.operations`` and into the app's history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from margin.core.codebook import COLOR_RE, PALETTE, Code
from margin.tui.transcript import code_style

DESCRIBED_FIELDS = ("description", "definition", "include", "exclude", "example", "memo")
"""The text fields of a code edited in one form, in codebook order."""
FIELD_TITLES = {
    "description": "Description",
    "definition": "Definition",
    "include": "Include when (inclusion criteria)",
    "exclude": "Exclude when (exclusion criteria)",
    "example": "Example",
    "memo": "Memo",
}


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text; ``hint`` explains the value as it is typed (e.g. the slug it makes) and
    ``check`` may refuse it with a message."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="codebook.form.cancel"),
    ]

    def __init__(
        self,
        title: str,
        prompt: str,
        value: str = "",
        *,
        hint: Callable[[str], str] | None = None,
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.value = value
        self.hint = hint
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="code-form") as frame:
            frame.border_title = self.title_text
            frame.border_subtitle = "enter: ok · escape: cancel"
            yield Label(self.prompt)
            yield Input(self.value, id="form-input")
            yield Static(self._hint(self.value), id="form-hint")

    def _hint(self, value: str) -> Text:
        return Text(self.hint(value.strip()) if self.hint else "", "dim")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#form-hint", Static).update(self._hint(event.value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        problem = self.check(value) if self.check else None
        if problem:
            self.query_one("#form-hint", Static).update(Text(problem, "bold red"))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CodeFieldsForm(ModalScreen["dict[str, str | None] | None"]):
    """Edit a code's description, definition, criteria, example and memo; returns the changed fields
    (an emptied field as None, which removes it from the codebook)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="codebook.fields.save"),
        Binding("escape", "cancel", "Cancel", id="codebook.fields.cancel"),
    ]

    def __init__(self, code: Code) -> None:
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        with Vertical(classes="code-form code-fields") as frame:
            frame.border_title = f"Edit '{self.code.label}'"
            frame.border_subtitle = "tab: next field · ctrl+s: save · escape: cancel"
            with VerticalScroll():
                for name in DESCRIBED_FIELDS:
                    yield Label(FIELD_TITLES[name], classes="field-title")
                    area = TextArea(getattr(self.code, name) or "", id=f"field-{name}", soft_wrap=True)
                    area.show_line_numbers = False
                    yield area

    def action_save(self) -> None:
        changed: dict[str, str | None] = {}
        for name in DESCRIBED_FIELDS:
            text = self.query_one(f"#field-{name}", TextArea).text.strip() or None
            if text != (getattr(self.code, name) or None):
                changed[name] = text
        self.dismiss(changed)

    def action_cancel(self) -> None:
        self.dismiss(None)


INHERIT = "inherit"
"""The colour form's answer for "no colour of its own" (the code shows its parent's colour)."""


class ColourForm(ModalScreen[str | None]):
    """Choose a code's colour from the palette or as "#rrggbb"; returns the colour, INHERIT, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="codebook.colour.cancel"),
    ]

    def __init__(self, code: Code, shown: str) -> None:
        super().__init__()
        self.code = code
        self.shown = shown

    def compose(self) -> ComposeResult:
        with Vertical(classes="code-form code-colour") as frame:
            frame.border_title = f"Colour of '{self.code.label}'"
            frame.border_subtitle = "enter: choose · escape: cancel"
            options = [
                Option(Text.assemble(("  ██  ", code_style(c)), f" {c}"), id=c)
                for c in dict.fromkeys([*PALETTE, self.shown])
            ]
            options.append(Option(Text("  no colour of its own (use the parent's)"), id=INHERIT))
            yield OptionList(*options, id="colour-options")
            yield Label("or type a colour as #rrggbb:")
            yield Input(placeholder="#rrggbb", id="colour-input")
            yield Static(id="form-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = options.get_option_index(self.shown)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not COLOR_RE.fullmatch(value):
            message = f"'{value}' is not a colour: write # and six hex digits, e.g. #4e79a7"
            self.query_one("#form-hint", Static).update(Text(message, "bold red"))
            return
        self.dismiss(value.lower())

    def action_cancel(self) -> None:
        self.dismiss(None)


class SplitForm(ModalScreen["tuple[list[str], bool] | None"]):
    """Split a code into new subcodes: their labels, one per line, and whether its segments move to the
    first of them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Split", id="codebook.split.save"),
        Binding("escape", "cancel", "Cancel", id="codebook.split.cancel"),
    ]

    def __init__(self, code: Code, segments: int | None) -> None:
        super().__init__()
        self.code = code
        self.segments = segments

    def compose(self) -> ComposeResult:
        with Vertical(classes="code-form code-split") as frame:
            frame.border_title = f"Split '{self.code.label}'"
            frame.border_subtitle = "ctrl+s: split · escape: cancel"
            yield Label("New subcodes, one label per line (at least two):")
            area = TextArea(id="split-labels")
            area.show_line_numbers = False
            yield area
            used = f" ({self.segments})" if self.segments is not None else ""
            yield Checkbox(f"Move all its coded segments{used} to the first new subcode", id="split-move")
            yield Static(id="form-hint")

    def action_save(self) -> None:
        text = self.query_one("#split-labels", TextArea).text
        labels = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
        if len(labels) < 2:
            self.query_one("#form-hint", Static).update(
                Text("write at least two labels, one per line", "bold red")
            )
            return
        self.dismiss((labels, self.query_one("#split-move", Checkbox).value))

    def action_cancel(self) -> None:
        self.dismiss(None)
