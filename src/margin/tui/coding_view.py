"""Coding in the transcript: the keys that apply, remove, widen, narrow and annotate codings, fix the text,
and jump through a code's segments. Every change is an operation run by the app's ``Coder``.

What a coding key acts on: the selection if there is one, otherwise the innermost coding at the cursor
(``c`` and ``1``–``9`` then add codes to that segment).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType

from margin.core import operations
from margin.core.coding import Coding
from margin.core.conflict_blocks import MESSAGE as CONFLICT_MESSAGE
from margin.core.document import Document
from margin.core.errors import ChangedOnDisk, CodedWordsLost, MarginError
from margin.core.operations import Change, snippet
from margin.tui import selection as words
from margin.tui.coder import Coder
from margin.tui.edit_text import EditTextScreen
from margin.tui.memo import MemoScreen
from margin.tui.ordered_input import take_in_order
from margin.tui.picker import CodePicker, Picked
from margin.tui.places import changed_span
from margin.tui.questions import Choose, Confirm
from margin.tui.selection import Span
from margin.tui.transcript import CodeStyles, TranscriptView, code_look

POLL_SECONDS = 1.0
"""How often the open document and the codebook are compared with the disk."""
FULL_COLLECTION_EVERY = 50
"""Heap settlings (see ``CodingView._settle_heap``) between two collections of everything."""
_IN_VIVO_STRIP = " \t.,;:!?\"'“”‘’()[]…-–—"


def in_app(message: str) -> str:
    """A problem as the app reports it: a merge conflict can be resolved here, with C."""
    if CONFLICT_MESSAGE in message:
        return f"{message} — in the app, C resolves it version by version"
    return message


def _recent_binding(n: int) -> Binding:
    return Binding(
        str(n), f"apply_recent({n})", f"Apply recent code {n}", show=False, id=f"transcript.recent-{n}"
    )


class CodingView(TranscriptView):
    """The transcript with the coding keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "code", "Code", id="transcript.code"),
        Binding("v", "in_vivo", "In vivo", id="transcript.in-vivo"),
        *(_recent_binding(n) for n in range(1, 10)),
        Binding("u", "remove", "Uncode", id="transcript.remove"),
        Binding("greater_than_sign", "end_widen", "Coding end →", show=False, id="transcript.end-widen"),
        Binding("less_than_sign", "end_narrow", "Coding end ←", show=False, id="transcript.end-narrow"),
        Binding("comma", "start_widen", "Coding start ←", show=False, id="transcript.start-widen"),
        Binding("full_stop", "start_narrow", "Coding start →", show=False, id="transcript.start-narrow"),
        Binding("m", "memo", "Memo", id="transcript.memo"),
        Binding("n", "next_segment", "Next of code", show=False, id="transcript.next-segment"),
        Binding("N", "previous_segment", "Previous of code", show=False, id="transcript.previous-segment"),
        Binding("e", "edit_text", "Edit text", id="transcript.edit-text"),
    ]

    def __init__(self, coder: Coder, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.coder = coder
        self._adjusting: tuple[Span, int] | None = None
        """The coding whose boundaries the keys move (its span) while the cursor stays at this offset."""
        self._reported: list[str] = []
        self._settling = False
        self._settled = 0

    async def _on_key(self, event: events.Key) -> None:
        await take_in_order(self, event)  # "/peer" typed at once: "peer" goes to the find bar

    def on_mount(self) -> None:
        self.coder.history.listeners.append(self._project_changed)
        self.set_interval(POLL_SECONDS, self.check_disk)
        self._show_codes_line()

    def on_unmount(self) -> None:
        if self._project_changed in self.coder.history.listeners:
            self.coder.history.listeners.remove(self._project_changed)
        gc.unfreeze()  # what was kept from the collector is its business again once the view is gone

    # --- following the project ----------------------------------------------------------------------
    def show_document(self, document: Document | None, codebook: CodeStyles, offset: int = 0) -> None:
        opened = document is not None and document is not self.document
        super().show_document(document, codebook, offset)
        if document is not None:
            self._quietly(lambda: self.coder.watch(document.id))
        if opened:
            self._settle_heap()

    def _settle_heap(self) -> None:
        """Collect garbage now, then keep what survived (the document's model and layout, the history's
        states) out of the cyclic collector's later full collections, which would otherwise pause a
        coding key for tens of milliseconds on a large document. Run when a document is opened and after
        each change, once the screen shows it (between keys); every so often everything is collected
        again, so that what was kept and has since become garbage is freed."""
        self._settling = False
        self._settled += 1
        if self._settled % FULL_COLLECTION_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()

    def _project_changed(self, change: Change) -> None:
        if not self._settling:
            self._settling = True
            self.call_after_refresh(self._settle_heap)
        document = self.document
        if change.codebook is not None:
            self.coder.follow_codebook()
            self.codebook_changed(self.coder.project.codebook)
            self._show_codes_line()
        if document is not None and document.id in change.documents:
            self.document_changed()

    def check_disk(self) -> None:
        """Compare the open document and the codebook with the disk; reload what changed outside Margin."""
        document = self.document
        messages = self.coder.poll((document.id,) if document is not None else ())
        for message in messages:
            if message not in self._reported:
                self.notify(in_app(message), title="Changed on disk", severity="warning", timeout=10)
        self._reported = messages
        if document is not None:
            project = self.coder.project
            current = project.loaded_documents().get(document.id)
            if current is not document and not messages:
                self._quietly(
                    lambda: self.show_document(
                        project.document(document.id), project.codebook, self.cursor_offset
                    )
                )

    def on_focus(self) -> None:
        super().on_focus()
        self.check_disk()

    def _quietly(self, action: Callable[[], object]) -> None:
        try:
            action()
        except MarginError as exc:
            self._problem(exc)

    def _problem(self, exc: MarginError) -> None:
        if isinstance(exc, ChangedOnDisk):
            self.notify(str(exc), title="Changed on disk", severity="warning", timeout=10)
        else:
            self.notify(in_app(str(exc)), title="Not done", severity="error", timeout=8)

    def _run(self, operation: Callable[..., Change], *args: object, **kwargs: object) -> Change | None:
        """Run an operation on the open document through the coder; problems are shown, not raised."""
        document = self.document
        assert document is not None
        try:
            return self.coder.run(operation, *args, documents=(document.id,), **kwargs)
        except MarginError as exc:
            self._problem(exc)
            return None

    # --- the codes line -----------------------------------------------------------------------------
    def set_current_code(self, slug: str | None) -> None:
        """Make ``slug`` the code that n/N jump through."""
        self.coder.current_code = slug
        self._show_codes_line()

    def _show_codes_line(self) -> None:
        """The recent codes (keys 1–9) and the current code (n/N) in the view's bottom border."""
        codebook = self.coder.project.codebook
        parts = [f"{i} {code_look(codebook, slug)[0]}" for i, slug in enumerate(self.coder.recent, 1)]
        current = self.coder.current_code
        if current is not None:
            parts.append(f"n/N {code_look(codebook, current)[0]}")
        self.border_subtitle = " · ".join(parts)

    # --- what a key acts on -------------------------------------------------------------------------
    def _target(self) -> Span | None:
        """The selection, else the span of the innermost coding at the cursor."""
        selection = self.selection
        if selection is not None:
            return selection
        codings = self.codings_at_cursor()
        return (codings[-1].start, codings[-1].end) if codings else None

    def _need_target(self) -> Span | None:
        target = self._target() if self.document is not None else None
        if target is None:
            self.notify(
                "Select some text first: w word, s sentence, t turn, p paragraph, shift+arrows or the mouse",
                title="Nothing selected",
                severity="warning",
            )
        return target

    # --- applying codes -----------------------------------------------------------------------------
    def apply(self, span: Span, slugs: tuple[str, ...]) -> bool:
        """Apply codes to a span of the open document; they become the recent and current codes."""
        document = self.document
        if (
            document is None
            or self._run(operations.apply_codes, document.id, span[0], span[1], list(slugs)) is None
        ):
            return False
        self.coder.used(slugs)
        self._show_codes_line()
        if self.selection is not None:
            self.clear_selection()
        return True

    def action_code(self) -> None:
        """Open the code picker for the selection (or the coding at the cursor); with neither, pick the
        code to jump through with n/N."""
        if self.document is None:
            return
        self._code(self._target())

    @work(exclusive=True, group="coding")
    async def _code(self, span: Span | None) -> None:
        codebook = self.coder.project.codebook
        if span is None:
            picked = await self.app.push_screen_wait(CodePicker(codebook, "Jump to the segments of (n/N)"))
            if picked is not None and picked.codes:
                self.set_current_code(picked.codes[0])
                self.action_next_segment()
            return
        document = self.document
        assert document is not None
        text = document.text
        title = f"Code '{snippet(text, *span, width=30)}'"
        picked = await self.app.push_screen_wait(CodePicker(codebook, title))
        if picked is None or not self._unchanged(document, text):
            return
        if picked.create is not None:
            await self._create_and_apply(span, picked.create)
        else:
            self.apply(span, picked.codes)

    async def _create_and_apply(self, span: Span, label: str) -> None:
        """Ask where a new code goes, create it and apply it to ``span``."""
        project = self.coder.project
        document = self.document
        assert document is not None
        text = document.text
        parent: Picked | None = await self.app.push_screen_wait(
            CodePicker(project.codebook, f"Where does '{label}' go? Choose its parent", mode="parent")
        )
        if parent is None or not self._unchanged(document, text):
            return
        slug = project.codebook.free_slug(label)
        under = parent.codes[0] if parent.codes else None
        try:
            self.coder.run(operations.add_code, slug, label, under)
        except MarginError as exc:
            self._problem(exc)
            return
        self.apply(span, (slug,))

    def action_in_vivo(self) -> None:
        """Make a code of the selected words (its label), placed where you choose, and apply it."""
        document = self.document
        selection = self.selection
        if document is None:
            return
        if selection is None:
            self.notify(
                "Select the words first (w, then w again to add words)", title="In vivo", severity="warning"
            )
            return
        label = " ".join(document.text[selection[0] : selection[1]].split()).strip(_IN_VIVO_STRIP)
        if not label:
            self.notify("The selection holds no words", title="In vivo", severity="warning")
            return
        existing = next(
            (
                s
                for s, code in self.coder.project.codebook.codes.items()
                if code.label.casefold() == label.casefold()
            ),
            None,
        )
        if existing is not None:
            self.notify(f"The code '{label}' exists already: applied it", title="In vivo")
            self.apply(selection, (existing,))
            return
        self._in_vivo(selection, label)

    @work(exclusive=True, group="coding")
    async def _in_vivo(self, span: Span, label: str) -> None:
        await self._create_and_apply(span, label)

    def _unchanged(self, document: Document, text: str) -> bool:
        """Whether the open document and its text are still those a question was asked about."""
        if self.document is document and document.text is text:
            return True
        self.notify("The text changed meanwhile: nothing was done — select again", severity="warning")
        return False

    def action_apply_recent(self, n: int) -> None:
        """Apply the n-th most recent code to the selection (or add it to the coding at the cursor)."""
        if self.document is None:
            return
        if n > len(self.coder.recent):
            self.notify(
                f"No recent code {n} yet: codes you apply are numbered 1–9 in the transcript's bottom line",
                title="Recent codes",
                severity="warning",
            )
            return
        span = self._need_target()
        if span is not None:
            self.apply(span, (self.coder.recent[n - 1],))

    # --- removing, boundaries, memos ----------------------------------------------------------------
    def _coding_choice(self, coding: Coding, code: str | None = None) -> Text:
        codebook = self.coder.project.codebook
        text = Text()
        for slug in (code,) if code is not None else coding.codes:
            label, color = code_look(codebook, slug)
            text.append("  ", style=f"on {color}")
            text.append(f" {label}  ")
        assert self.document is not None
        text.append(f"'{snippet(self.document.text, coding.start, coding.end)}'", "dim")
        return text

    def action_remove(self) -> None:
        """Remove the coding at the cursor (asking which, when several codes cover it)."""
        if self.document is None:
            return
        choices = [(c, code) for c in self.codings_at_cursor() for code in c.codes]
        if not choices:
            self.notify("No coding at the cursor", title="Uncode", severity="warning")
        elif len(choices) == 1:
            self._remove(*choices[0])
        else:
            self._ask_remove(choices)

    @work(exclusive=True, group="coding")
    async def _ask_remove(self, choices: list[tuple[Coding, str]]) -> None:
        options = [(self._coding_choice(coding, code), (coding, code)) for coding, code in reversed(choices)]
        chosen = await self.app.push_screen_wait(Choose("Remove which coding?", options))
        if chosen is not None:
            self._remove(*chosen)

    def _remove(self, coding: Coding, code: str) -> None:
        document = self.document
        assert document is not None
        self._run(operations.remove_coding, document.id, coding.start, coding.end, [code])

    def _adjusted(self) -> Span | None:
        """The coding the boundary keys move: the one moved last while the cursor stayed, else the
        innermost at the cursor."""
        document = self.document
        if document is None:
            return None
        if self._adjusting is not None:
            span, offset = self._adjusting
            if offset == self.cursor_offset and any((c.start, c.end) == span for c in document.codings):
                return span
        codings = self.codings_at_cursor()
        if not codings:
            self.notify("No coding at the cursor", title="Boundaries", severity="warning")
            return None
        return codings[-1].start, codings[-1].end

    def _move_boundary(self, end: bool, step: Callable[[str, int, int], int | None], refusal: str) -> None:
        document = self.document
        span = self._adjusted()
        if document is None or span is None:
            return
        moved = step(document.text, *span)
        if moved is None:
            self.notify(refusal, title="Boundaries", severity="warning")
            return
        new = (span[0], moved) if end else (moved, span[1])
        if self._run(operations.change_coding, document.id, *span, new_start=new[0], new_end=new[1]):
            self._adjusting = (new, self.cursor_offset)

    def action_end_widen(self) -> None:
        self._move_boundary(True, words.end_widened, "No word after this coding")

    def action_end_narrow(self) -> None:
        self._move_boundary(True, words.end_narrowed, "The coding keeps at least one word")

    def action_start_widen(self) -> None:
        self._move_boundary(False, words.start_widened, "No word before this coding")

    def action_start_narrow(self) -> None:
        self._move_boundary(False, words.start_narrowed, "The coding keeps at least one word")

    def action_memo(self) -> None:
        """Write or edit the memo of the coding at the cursor (asking which, when several cover it)."""
        codings = self.codings_at_cursor() if self.document is not None else ()
        if not codings:
            self.notify("No coding at the cursor", title="Memo", severity="warning")
            return
        self._memo(codings)

    @work(exclusive=True, group="coding")
    async def _memo(self, codings: tuple[Coding, ...]) -> None:
        coding: Coding | None = codings[0]
        if len(codings) > 1:
            options = [(self._coding_choice(c), c) for c in reversed(codings)]
            coding = await self.app.push_screen_wait(Choose("Memo on which coding?", options))
        if coding is None or self.document is None:
            return
        about = self._coding_choice(coding)
        memo = await self.app.push_screen_wait(MemoScreen("Memo", str(about), coding.memo or ""))
        if memo is None or memo == (coding.memo or ""):
            return
        self._run(operations.change_coding, self.document.id, coding.start, coding.end, memo=memo or None)

    # --- the current code's segments ----------------------------------------------------------------
    def action_next_segment(self) -> None:
        self._jump(forward=True)

    def action_previous_segment(self) -> None:
        self._jump(forward=False)

    def _jump(self, forward: bool) -> None:
        document = self.document
        slug = self.coder.current_code
        if document is None:
            return
        if slug is None:
            self.notify(
                "No current code: apply one, or press c with nothing selected to pick one", severity="warning"
            )
            return
        starts = [c.start for c in document.codings if slug in c.codes]
        label = code_look(self.coder.project.codebook, slug)[0]
        if not starts:
            self.notify(f"'{label}' has no segments in this document", severity="warning")
            return
        here = self.cursor_offset
        if forward:
            after = [s for s in starts if s > here]
            target = after[0] if after else starts[0]
            wrapped = not after
        else:
            before = [s for s in starts if s < here]
            target = before[-1] if before else starts[-1]
            wrapped = not before
        self.move_to(target)
        number = starts.index(target) + 1
        self.notify(
            f"{label}: segment {number} of {len(starts)}" + (" (from the other end)" if wrapped else ""),
            timeout=2,
        )

    # --- fixing the text ----------------------------------------------------------------------------
    def action_edit_text(self) -> None:
        """Edit the paragraph at the cursor (codings stay on their words)."""
        document = self.document
        if document is None:
            return
        paragraph = self.cursor_paragraph
        self._edit_text(paragraph, self.cursor_offset - document.paragraph_starts[paragraph])

    @work(exclusive=True, group="coding")
    async def _edit_text(self, paragraph: int, column: int) -> None:
        """Edit a paragraph. An edit that takes every word of a coding asks first; "back to the text" opens
        the editor again with the text as typed, so the coder can keep some of the coded words."""
        document = self.document
        assert document is not None
        old = document.paragraph(paragraph)
        typed = old
        while True:
            new = await self.app.push_screen_wait(
                EditTextScreen(f"Edit paragraph {paragraph + 1}", typed, column)
            )
            if new is None or new == old:
                return
            if (
                self.document is not document
                or paragraph >= document.paragraph_count
                or document.paragraph(paragraph) != old
            ):
                self.notify(
                    "The paragraph changed meanwhile (on disk): nothing was saved — edit it again",
                    severity="warning",
                )
                return
            try:
                self.coder.run(operations.edit_text, document.id, paragraph, new, documents=(document.id,))
                return
            except CodedWordsLost as exc:
                what = []
                if exc.deleted:
                    what.append(f"{len(exc.deleted)} coding(s) whose words are all deleted are dropped")
                if exc.replaced:
                    what.append(
                        f"{len(exc.replaced)} coding(s) whose words are all replaced code the new words"
                    )
                save = await self.app.push_screen_wait(
                    Confirm(
                        "This edit takes coded words",
                        f"{str(exc)[0].upper()}{str(exc)[1:]}.\n\nSave the text? Then {' and '.join(what)}.",
                        yes="Save the text",
                        no="Back to the text",
                    )
                )
                if save:
                    self._run(operations.edit_text, document.id, paragraph, new, confirmed=True)
                    return
                typed, column = new, _first_difference(old, new)
            except MarginError as exc:
                self._problem(exc)
                return

    # --- undo and redo ------------------------------------------------------------------------------
    def undo(self) -> tuple[str, Span] | None:
        """Undo the last change anywhere; returns its document and the span it touched, to show."""
        return self._step(self.coder.undo, "Undone", "Nothing to undo", undo=True)

    def redo(self) -> tuple[str, Span] | None:
        """Redo the last undone change; returns its document and the span it touched, to show."""
        return self._step(self.coder.redo, "Redone", "Nothing to redo", undo=False)

    def _step(
        self, step: Callable[[], Change | None], done: str, nothing: str, *, undo: bool
    ) -> tuple[str, Span] | None:
        try:
            change = step()
        except MarginError as exc:
            self._problem(exc)
            return None
        if change is None:
            self.notify(nothing, severity="warning", timeout=3)
            return None
        self.notify(change.summary, title=done, timeout=4)
        if not change.documents:
            return None
        shown = self.document.id if self.document is not None else None
        doc_id = shown if shown in change.documents else next(iter(change.documents))
        before, after = change.documents[doc_id]
        return doc_id, changed_span(after, before) if undo else changed_span(before, after)


def _first_difference(old: str, new: str) -> int:
    """Where ``new`` first differs from ``old`` (where the cursor goes back to)."""
    return next(
        (n for n, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new))
    )
