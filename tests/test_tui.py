"""The app and its transcript view, driven through Pilot; layout rules checked directly."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.style import Style
from textual.binding import Binding
from textual.message import Message
from textual.pilot import Pilot

from conftest import commit_project
from margin.core.coding import Coding
from margin.core.document import Document, parse_document, serialise_document
from margin.core.project import Project
from margin.tui.app import MarginApp, StatusBar
from margin.tui.documents import DocumentList
from margin.tui.layout import TextLayout, paragraph_pieces, wrap_offsets
from margin.tui.transcript import UNKNOWN_COLOR, TranscriptView
from pilot import pilot_test

SIZE = (100, 30)
BLUE, ORANGE, GREEN = "#4e79a7", "#f28e2b", "#59a14f"  # language, seriousness, presence in the test codebook
CODES = ("language", "seriousness", "presence")


@pytest.fixture
def project(project_dir: Path) -> Project:
    return Project.load(commit_project(project_dir))


@pytest.fixture
def long_project(project_dir: Path) -> Project:
    doc = long_document()
    (project_dir / "documents" / "fg").mkdir()
    (project_dir / "documents" / "fg" / "long.txt").write_text(serialise_document(doc), "utf-8")
    return Project.load(commit_project(project_dir))


def long_document(paragraphs: int = 20_000, codings: int = 7_000, seed: int = 3) -> Document:
    """A focus group: short turns with timestamps, random nested, crossing and multi-paragraph codings."""
    rnd = random.Random(seed)
    words = ["we", "talked", "about", "how", "the", "team", "changed", "after", "peer", "workers", "really"]
    lines = []
    for i in range(paragraphs):
        size = rnd.choice((3, 5, 8, 12, 20, 40))
        lines.append(
            f"[{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}] P{i % 9}: "
            + " ".join(rnd.choices(words, k=size))
        )
    doc = Document("fg/long", "\n".join(lines))
    spans = []
    for _ in range(codings):
        p = rnd.randrange(paragraphs)
        start, end = doc.paragraph_span(p)
        if rnd.random() < 0.1:
            end = doc.paragraph_span(min(p + rnd.randint(1, 3), paragraphs - 1))[1]
        a = rnd.randrange(start, end - 1)
        spans.append(Coding(a, rnd.randint(a + 1, end), (rnd.choice(CODES),)))
    doc.codings = sorted(spans, key=Coding.sort_key)
    return doc


def cells(view: TranscriptView, y: int) -> list[tuple[str, Style]]:
    """The characters of a rendered row with their styles (the test texts are one cell per character)."""
    return [(char, segment.style or Style()) for segment in view.render_line(y) for char in segment.text]


def paragraph_cells(view: TranscriptView, paragraph: int) -> list[tuple[str, Style]]:
    """The text cells of a paragraph on screen, row after row (without gutter, padding and margin)."""
    layout = view.text_layout
    assert layout is not None
    out: list[tuple[str, Style]] = []
    for row in range(layout.rows[paragraph], layout.rows[paragraph + 1]):
        start, end = layout.row_span(row)
        gutter = layout.geometry.gutter
        out.extend(cells(view, row - view.scroll_offset.y)[gutter : gutter + end - start])
    return out


def styles_of(view: TranscriptView, paragraph: int, text: str) -> list[Style]:
    """The styles of the cells showing ``text`` (its first occurrence) in ``paragraph``."""
    found = paragraph_cells(view, paragraph)
    line = "".join(char for char, _ in found)
    assert text in line, f"{text!r} not in paragraph {paragraph}: {line!r}"
    start = line.index(text)
    return [style for _, style in found[start : start + len(text)]]


def bg(style: Style) -> str | None:
    return style.bgcolor.triplet.hex if style.bgcolor and style.bgcolor.triplet else None


def row_text(view: TranscriptView, y: int) -> str:
    return view.render_line(y).text


async def open_document(app: MarginApp, pilot: Pilot[None], doc_id: str) -> TranscriptView:
    app.query_one(DocumentList).select_document(doc_id)
    await pilot.pause()
    return app.query_one(TranscriptView)


# --- the app ----------------------------------------------------------------------------------------------
@pilot_test
async def test_lists_documents_by_group_with_coding_counts(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        tree = app.query_one(DocumentList)
        groups = [str(node.label).split()[0] for node in tree.root.children]
        assert groups == ["qual1", "qual2"]
        leaves = {node.data: str(node.label) for group in tree.root.children for node in group.children}
        assert set(leaves) == {"qual1/int-07", "qual2/fg-01"}
        assert tree.counts == {"qual1/int-07": 3, "qual2/fg-01": 2}
        assert leaves["qual1/int-07"].split() == ["int-07", "3"]
        assert app.query_one(TranscriptView).document is None
        assert "No document open" in row_text(app.query_one(TranscriptView), 0)


@pilot_test
async def test_enter_on_a_document_opens_it_and_focuses_the_transcript(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query_one(DocumentList).cursor_node.data == "qual1/int-07"
        await pilot.press("down", "down", "enter")  # qual2, fg-01
        await pilot.pause()
        view = app.query_one(TranscriptView)
        assert view.document is not None and view.document.id == "qual2/fg-01"
        assert app.focused is view
        status = app.query_one(StatusBar)
        assert status.document_id == "qual2/fg-01"
        assert "Test study" in str(status.text()) and "qual2/fg-01" in str(status.text())
        await pilot.press("escape")
        assert isinstance(app.focused, DocumentList)


@pilot_test
async def test_a_document_that_cannot_be_read_is_marked_and_reported(project_dir: Path) -> None:
    (project_dir / "documents" / "qual2" / "broken.txt").write_text("P07: {never closed\n", "utf-8")
    app = MarginApp(Project.load(commit_project(project_dir)))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        tree = app.query_one(DocumentList)
        assert "qual2/broken" not in tree.counts and tree.counts["qual2/fg-01"] == 2
        labels = {node.data: str(node.label) for group in tree.root.children for node in group.children}
        assert labels["qual2/broken"] == "broken  cannot be read"
        view = await open_document(app, pilot, "qual1/int-07")
        await open_document(app, pilot, "qual2/broken")
        assert view.document is not None and view.document.id == "qual1/int-07"
        assert [n.title for n in app._notifications] == ["Cannot open this document"]
        assert "documents/qual2/broken.txt:1:6" in next(iter(app._notifications)).message


@pilot_test
async def test_q_quits_with_status_0(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        await open_document(app, pilot, "qual1/int-07")
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running


def test_every_binding_has_an_id_and_a_description() -> None:
    bindings = [*MarginApp.BINDINGS, *TranscriptView.BINDINGS]
    assert bindings
    for binding in bindings:
        assert isinstance(binding, Binding)
        assert binding.id and binding.description, binding


# --- the transcript: text, styles, stripes ----------------------------------------------------------------
@pilot_test
async def test_coded_text_is_drawn_in_the_codes_colours(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        assert row_text(view, 0).startswith("1 I1: How did peer support change your team?")
        assert "".join(char for char, _ in paragraph_cells(view, 1)) == view.document.paragraph(1)
        assert all(style.bold for style in styles_of(view, 0, "I1:"))
        # a coding: its words on the code's colour, the words around it not
        assert {bg(s) for s in styles_of(view, 1, "more attentive to language")} == {BLUE}
        assert BLUE not in {bg(s) for s in styles_of(view, 1, "I have become ")}
        assert not any(s.underline for s in styles_of(view, 1, "more attentive to language"))
        # nested: the inner span's colour wins and is underlined; the outer keeps its own colour
        inner = styles_of(view, 2, "it was about us")
        assert {bg(s) for s in inner} == {ORANGE} and all(s.underline for s in inner)
        outer = styles_of(view, 2, "It was clear that ")
        assert {bg(s) for s in outer} == {GREEN} and not any(s.underline for s in outer)
        assert {bg(s) for s in styles_of(view, 2, " being the one")} == {GREEN}


@pilot_test
async def test_crossing_spans_most_recent_colour_wins_and_timestamps_are_dim(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual2/fg-01")
        # "{@a started listening and {then we}@a[presence] changed}[language]": 'then we' lies in both
        assert all(s.dim for s in styles_of(view, 0, "[00:00:05]"))
        assert all(s.bold and not s.dim for s in styles_of(view, 0, "M02:"))
        assert {bg(s) for s in styles_of(view, 0, "started listening and ")} == {GREEN}
        both = styles_of(view, 0, "then we")
        assert {bg(s) for s in both} == {BLUE} and all(s.underline for s in both)
        assert {bg(s) for s in styles_of(view, 0, " changed")} == {BLUE}
        assert not any(s.underline for s in styles_of(view, 0, " changed."))
        assert {bg(s) for s in styles_of(view, 1, "Nothing coded here.")} == {bg(view.rich_style)}


@pilot_test
async def test_margin_has_a_stripe_per_nesting_level_with_labels(project_dir: Path) -> None:
    long_turn = (
        "P07: {"
        + "we listened " * 30
        + "{and it was about us}[seriousness]"
        + " then more" * 20
        + "}[presence]\n"
    )
    (project_dir / "documents" / "qual2" / "turn.txt").write_text(long_turn, "utf-8")
    app = MarginApp(Project.load(project_dir))
    async with app.run_test(size=(198, 30)) as pilot:  # the transcript 132 wide beside the codebook
        view = await open_document(app, pilot, "qual1/int-07")
        layout = view.text_layout
        assert layout is not None
        column = layout.geometry.gutter + layout.geometry.text + 1  # the first stripe column
        row1 = cells(view, 1)
        assert row1[column][0] == "▪" and row1[column][1].color.triplet.hex == BLUE  # a one-line coding
        assert row_text(view, 1)[column:].split() == ["▪", "Appreciative", "language"]

        view = await open_document(app, pilot, "qual2/turn")
        layout = view.text_layout
        assert layout is not None and layout.row_count >= 4
        geometry = layout.geometry
        column = geometry.gutter + geometry.text + 1
        labels_at = column + geometry.stripes + 1
        outer = [cells(view, y)[column] for y in range(layout.row_count)]
        assert "".join(char for char, _ in outer) == "╷" + "│" * (layout.row_count - 2) + "╵"
        assert {style.color.triplet.hex for _, style in outer} == {GREEN}
        assert row_text(view, 0)[labels_at:].strip() == "Presence"
        first, last = layout.rows_of(view.document.codings[1])
        inner = "".join(cells(view, y)[column + 1][0] for y in range(first, last + 1))
        assert inner in ("▪", "╷╵")
        assert row_text(view, first)[labels_at:] == "Experience taken seriou…"  # cut to the room there is
        assert all(
            cells(view, y)[column + 1][0] == " " for y in range(layout.row_count) if y < first or y > last
        )


@pilot_test
async def test_every_row_fits_the_width_and_shows_its_text(project_dir: Path) -> None:
    rnd = random.Random(8)
    words = ["peer", "Müller", "支援者です", "😀", "[laughs]", "a" * 30, "tab\there", "line\u2028sep", "@"]
    doc = Document(
        "mixed/doc", "\n".join(" ".join(rnd.choices(words, k=rnd.randint(0, 25))) for _ in range(60))
    )
    spans = []
    for _ in range(80):
        a = rnd.randrange(len(doc.text) - 1)
        spans.append(Coding(a, min(len(doc.text), a + rnd.randint(1, 300)), (rnd.choice(CODES),)))
    doc.codings = sorted(spans, key=Coding.sort_key)
    (project_dir / "documents" / "mixed").mkdir()
    (project_dir / "documents" / "mixed" / "doc.txt").write_text(serialise_document(doc), "utf-8")
    app = MarginApp(Project.load(project_dir))
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_document(app, pilot, "mixed/doc")
        for width in (24, 47, 90, 140):
            await pilot.resize_terminal(width, 30)
            await pilot.pause()
            layout = view.text_layout
            assert layout is not None and layout.width == view.scrollable_content_region.width
            for p in range(doc.paragraph_count):
                strips = view.paragraph_strips(p)
                assert len(strips) == layout.rows[p + 1] - layout.rows[p]
                shown = []
                for i, strip in enumerate(strips):
                    assert strip.cell_length == layout.width
                    start, end = layout.row_span(layout.rows[p] + i)
                    gutter = layout.geometry.gutter
                    shown.append(strip.text[gutter : gutter + end - start].rstrip(" "))
                    assert len(shown[-1]) == len(doc.text[start:end].rstrip(" ").rstrip("\t"))
                expected = doc.paragraph(p).replace("\t", " ").replace("\u2028", "↵")
                assert "".join(shown).replace(" ", "") == expected.replace(" ", "")


def test_stripe_columns_never_share_a_cell() -> None:
    doc = long_document(paragraphs=400, codings=300, seed=11)
    pieces = paragraph_pieces(doc)
    for width in (40, 70, 130):
        layout = TextLayout(doc, pieces, width)
        taken: dict[tuple[int, int], int] = {}
        for index, coding in enumerate(doc.codings):
            first, last = layout.rows_of(coding)
            for row in range(first, last + 1):
                assert (row, layout.column_of(coding)) not in taken
                taken[row, layout.column_of(coding)] = index
        assert layout.geometry.total == width


def test_nested_coding_sits_one_column_right_of_its_container() -> None:
    doc = parse_document("P: {a {b {c}[presence] b}[seriousness] a}[language]\n", "g/d")
    layout = TextLayout(doc, paragraph_pieces(doc), 80)
    assert [layout.column_of(c) for c in doc.codings] == [0, 1, 2]
    assert layout.codings_on_row(0) == doc.codings


def test_pieces_match_a_scan_of_all_codings() -> None:
    doc = long_document(paragraphs=300, codings=400, seed=5)
    pieces = paragraph_pieces(doc)
    for p in range(doc.paragraph_count):
        start, end = doc.paragraph_span(p)
        expected = [  # a paragraph's closing '\n' (offset ``end``) belongs to it
            (max(c.start, start) - start, min(c.end, end) - start, c)
            for c in doc.codings
            if c.overlaps(start, end + 1)
        ]
        assert [(a, b, id(c)) for a, b, c in pieces.get(p, [])] == [(a, b, id(c)) for a, b, c in expected]


@pytest.mark.parametrize("width", [1, 5, 17, 60])
def test_wrapped_rows_cover_the_text_and_fit(width: int) -> None:
    rnd = random.Random(width)
    words = ["a", "peer", "worker", "x" * 25, "Müller", "支援者", "😀", "  "]
    for _ in range(200):
        text = " ".join(rnd.choices(words, k=rnd.randint(0, 30)))
        for candidate in (text, text.replace("ü", "u").replace("支援者", "abc").replace("😀", "ab")):
            starts = wrap_offsets(candidate, width)
            assert starts[0] == 0 and list(starts) == sorted(set(starts))
            rows = [candidate[a:b] for a, b in zip(starts, [*starts[1:], len(candidate)], strict=True)]
            assert "".join(rows) == candidate
            assert all(cell_len(row.rstrip(" ")) <= max(width, 2) for row in rows)


@pilot_test
async def test_a_code_missing_from_the_codebook_shows_as_its_slug_in_grey(project_dir: Path) -> None:
    (project_dir / "documents" / "qual2" / "odd.txt").write_text("P07: {strange words}[mystery]\n", "utf-8")
    app = MarginApp(Project.load(project_dir))
    async with app.run_test(size=(160, 30)) as pilot:
        view = await open_document(app, pilot, "qual2/odd")
        assert {bg(s) for s in styles_of(view, 0, "strange words")} == {UNKNOWN_COLOR}
        assert row_text(view, 0).split()[-2:] == ["▪", "mystery"]
        view.go_to(view.document.text.index("strange"))
        await pilot.pause()
        assert app.query_one(StatusBar).codes == (("mystery", UNKNOWN_COLOR),)


# --- the cursor -------------------------------------------------------------------------------------------
@pilot_test
async def test_cursor_moves_and_reports_the_codes_under_it(project: Project) -> None:
    messages: list[Message] = []
    app = MarginApp(project)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        assert view.cursor_row == 0 and view.codings_at_cursor() == ()
        await pilot.press("down")
        await pilot.pause()
        moved = [m for m in messages if isinstance(m, TranscriptView.CursorMoved)]
        assert (moved[-1].row, moved[-1].paragraph, moved[-1].codes) == (1, 1, ())
        view.go_to(view.document.text.index("attentive"))
        await pilot.pause()
        assert app.query_one(StatusBar).codes == (("Appreciative language", BLUE),)
        assert "Appreciative language" in str(app.query_one(StatusBar).text())
        layout = view.text_layout
        assert layout is not None
        view.go_to(view.document.text.index("about us"))  # inside both codings of paragraph 3
        await pilot.pause()
        moved = [m for m in messages if isinstance(m, TranscriptView.CursorMoved)]
        assert moved[-1].paragraph == 2 and moved[-1].codes == ("presence", "seriousness")
        assert cells(view, view.cursor_row)[0][1].bgcolor != cells(view, 0)[0][1].bgcolor
        await pilot.press("home")
        await pilot.pause()
        assert view.cursor_row == 0
        await pilot.press("end")
        assert view.cursor_row == layout.row_count - 1
        await pilot.press("up")
        assert view.cursor_row == layout.row_count - 2


@pilot_test
async def test_resizing_rewraps_and_keeps_the_cursor_on_its_text(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=(160, 30)) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        await pilot.press("end")
        wide = view.text_layout
        assert wide is not None and view.cursor_paragraph == 2 and wide.row_count == 3
        await pilot.resize_terminal(70, 30)
        await pilot.pause()
        narrow = view.text_layout
        assert narrow is not None and narrow.width < wide.width and narrow.row_count > 3
        assert view.cursor_paragraph == 2
        assert "".join(char for char, _ in paragraph_cells(view, 2)) == view.document.paragraph(2)


@pilot_test
async def test_clicking_a_line_moves_the_cursor_there(project: Project) -> None:
    app = MarginApp(project)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "qual1/int-07")
        await pilot.click(TranscriptView, offset=(10, 3))  # border row, then rows 0, 1, 2
        await pilot.pause()
        assert view.cursor_row == 2


# --- a long document --------------------------------------------------------------------------------------
@pilot_test
async def test_long_document_scrolls_to_the_end(long_project: Project) -> None:
    doc = long_project.document("fg/long")
    assert doc.paragraph_count == 20_000 and len(doc.codings) == 7_000
    app = MarginApp(long_project)
    async with app.run_test(size=SIZE) as pilot:
        view = await open_document(app, pilot, "fg/long")
        layout = view.text_layout
        assert layout is not None and layout.row_count >= doc.paragraph_count
        height = view.scrollable_content_region.height
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert view.cursor_row == 2 * height
        assert view.scroll_y == 2 * height
        await pilot.press("end")
        await pilot.pause()
        assert view.cursor_row == layout.row_count - 1
        assert view.scroll_y == view.max_scroll_y == layout.row_count - height
        screen = [row_text(view, y) for y in range(height)]
        assert any(line.startswith("20000 [") for line in screen)
        start, end = layout.row_span(layout.row_count - 1)
        assert doc.text[start:end].strip() in screen[-1]
        # every coding on screen is drawn in a code colour
        first_row = view.scroll_offset.y
        on_screen = [i for y in range(height) for i in layout.codings_on_row(first_row + y)]
        assert on_screen
        colours = {bg(s) for y in range(height) for _, s in cells(view, y)}
        assert colours & {BLUE, ORANGE, GREEN}
        await pilot.press("pageup")
        await pilot.pause()
        assert view.scroll_y == layout.row_count - 2 * height
        assert view.cursor_row == layout.row_count - 1 - height


# --- snapshots --------------------------------------------------------------------------------------------
def test_snapshot_start(project: Project, snap_compare: Callable[..., bool]) -> None:
    assert snap_compare(MarginApp(project), terminal_size=SIZE, run_before=_counted)


def test_snapshot_nested_codings(project: Project, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _counted(pilot)
        await open_document(pilot.app, pilot, "qual1/int-07")
        await pilot.press("down", "down", "down")

    assert snap_compare(MarginApp(project), terminal_size=SIZE, run_before=run_before)


def test_snapshot_crossing_codings(project: Project, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _counted(pilot)
        await open_document(pilot.app, pilot, "qual2/fg-01")

    assert snap_compare(MarginApp(project), terminal_size=SIZE, run_before=run_before)


def test_snapshot_without_colour(
    project: Project, snap_compare: Callable[..., bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR: codings still show by stripes, labels and the underline of overlaps."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def run_before(pilot: Pilot[None]) -> None:
        assert pilot.app.no_color
        await _counted(pilot)
        await open_document(pilot.app, pilot, "qual2/fg-01")

    assert snap_compare(MarginApp(project), terminal_size=SIZE, run_before=run_before)


def test_snapshot_long_document_end(long_project: Project, snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _counted(pilot)
        await open_document(pilot.app, pilot, "fg/long")
        await pilot.press("end", "up", "up")

    assert snap_compare(MarginApp(long_project), terminal_size=SIZE, run_before=run_before)


async def _counted(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
