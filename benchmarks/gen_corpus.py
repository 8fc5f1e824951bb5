"""Generate the standard benchmark corpora as Margin projects (deterministic: same arguments, same bytes).

    python benchmarks/gen_corpus.py bench-200 bench-1000 focus-group [--out DIR] [--docs N]

Transcripts are built as ``Document`` objects and written with ``serialise_document``, so every file is
valid and canonical by construction. Document ``i`` depends only on the seed and ``i``: the first 200
transcripts of bench-1000 are those of bench-200.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from margin.core.coding import Coding
from margin.core.document import Document, serialise_document

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "corpora"
SEED = "margin-bench"
GROUPS = ("qual1", "qual2", "qual3", "qual4")
N_PARTICIPANTS = 50


def _split(text: str) -> list[str]:
    return text.split()


def _split_on(text: str, sep: str) -> list[str]:
    return " ".join(text.split()).split(sep)


# --- vocabulary ------------------------------------------------------------------------------------------
# Roughly in order of frequency in spoken English; weights fall off with rank (a flattened Zipf curve).
_WORDS = _split(
    """
I the and to a it that you was of we they in is like know just so but it's have for on what with be
think people there this not my me at were do all because they're them he she about really one had get if
don't then would when us can our or as go more some there's things thing said very time going out got
lot that's mean up I'm from been see how did no work team yeah kind well could who now which actually
feel also first those still into other much way sort even make back where felt staff peer support worker
service users ward day never same lived experience something always difference different quite come
being before someone job told manager everyone meeting talk talking maybe help helped nurse nurses
recovery person own hard listen listening changed change language words trust role roles training
supervision colleagues patients clients week weeks months year years started start understand understood
important probably little bit together whole place patient professional professionals relationship
relationships open honest story stories share shared sharing respect seriously mental health illness
medication hospital community approach practice attitude attitudes sometimes often anything everything
nothing somebody anybody remember remembered difficult easier better worse used hear heard saying asked
asking meetings handover office shift shifts boundaries boundary confidence conversation conversations
decision decisions involved involve voice power equal equality hierarchy culture organisation management
policy policies risk risks safety safe unsafe crisis admission discharge care plan plans planning goals
goal hope hopeful hopeless stigma label labels diagnosis diagnosed symptoms treatment therapy therapist
group groups doctor doctors psychiatrist psychologist social family families friends home housing money
benefits employment volunteer volunteering paid contract manager's colleague's afternoon morning evening
weekend honestly basically obviously definitely absolutely completely particularly especially genuinely
literally usually normally eventually suddenly slowly gradually quickly anyway although whereas however
otherwise therefore meanwhile understanding compassion empathy judgement judgemental defensive
defensiveness resistance sceptical sceptic curious curiosity surprised surprising uncomfortable
comfortable embarrassed frustrated frustrating worried anxious nervous confident powerful powerless
meaningful helpful unhelpful valuable value valued respected disrespected noticed notice reflect
reflected reflection reflective learning learned learnt challenge challenged challenging responsibility
responsible accountable environment atmosphere relaxed tense conflict argument disagreement agreement
supportive unsupportive encouraged encouraging discouraged
"""
)

_PHRASES = [
    p.strip()
    for p in _split_on(
        """I think | you know | I mean | at the time | on the ward | to be honest | in the team |
        it was like | I didn't really | a lot of | kind of | sort of | at the end of the day |
        the other staff | one of the nurses | in supervision | we used to | they would say |
        I don't know | I wasn't sure | it made me think | for the first time | in the meeting |
        as a peer worker | with lived experience | the way they talk | from my own experience |
        on the unit | the service users | a bit more | all the time | that kind of thing |
        they started to | I remember when | it took a while | and then | but then |
        because of that | more and more | to be fair | I suppose | it's hard to say | we had a |
        there was a | he said | she said | they were | we were | it was | I was | I felt |
        I think that | the manager | the staff team | at first | in the end""",
        "|",
    )
]


def _token_weights(words: int, phrases: int, phrase_share: float = 0.3) -> list[float]:
    """Cumulative weights: words on a flattened Zipf curve, then phrases sharing ``phrase_share``."""
    cum = _cum_weights(words)
    each = cum[-1] * phrase_share / (1 - phrase_share) / phrases
    total = cum[-1]
    for _ in range(phrases):
        total += each
        cum.append(total)
    return cum


_FILLERS = ("Well, ", "You know, ", "I mean, ", "Um, ", "So, ", "Yeah, ", "Honestly, ", "And ", "But ")
_QUESTION_STEMS = (
    "How did you first hear about",
    "Can you tell me a bit more about",
    "What do you think about",
    "How would you describe",
    "What happened with",
    "Was there a moment when you noticed",
    "How did the team react to",
    "What changed for you around",
    "Could you give me an example of",
    "How do you feel about",
    "Why do you think that was, the",
    "And what about",
)
_SHORT_REPLIES = (
    "Yeah.",
    "Mm-hm.",
    "Right.",
    "Exactly.",
    "No, not really.",
    "I agree.",
    "Yes, definitely.",
    "Okay.",
    "That's true.",
    "Hmm.",
    "Sorry, go on.",
    "Same for me.",
)
_MEMOS = (
    "check the context of this with the field notes",
    "strong example, possible quote for the report",
    "ambiguous: could also be read as a boundary issue",
    "compare with the first phase interview",
    "discussed in team meeting; keep both codes",
    "see [p. 4] of the observation protocol",
    "two readings:\nas resistance, or as care",
    "participant returns to this later",
)


def _cum_weights(n: int, offset: float = 40.0, power: float = 0.9) -> list[float]:
    total = 0.0
    out = []
    for rank in range(n):
        total += 1.0 / (rank + offset) ** power
        out.append(total)
    return out


_TOKENS = _WORDS + _PHRASES
_CUM = _token_weights(len(_WORDS), len(_PHRASES))
_CONTENT = [w for w in _WORDS if len(w) >= 6]
_SENTENCE_LENGTHS = [2, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 10, 11, 12, 13, 15, 18]  # in tokens


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def _sentence(rng: random.Random, words: list[str], clock: float) -> str:
    """One spoken sentence from ``words``: capitalised, an occasional comma, filler or transcript note."""
    n = len(words)
    if n > 5 and rng.random() < 0.45:
        k = rng.randrange(2, n - 2)
        words[k] += ","
    r = rng.random()
    if r < 0.004:
        words[rng.randrange(n)] = f"[inaudible {_clock(clock)}]"
    elif r < 0.006:
        words[rng.randrange(n)] = "[pause]"
    elif r < 0.007:
        words[rng.randrange(n)] = "{sic}"  # literal braces: the serialiser escapes them
    text = " ".join(words)
    r = rng.random()
    text = _FILLERS[rng.randrange(len(_FILLERS))] + text if r < 0.15 else text[0].upper() + text[1:]
    r = rng.random()
    end = "." if r < 0.8 else "?" if r < 0.86 else "..." if r < 0.93 else " —" if r < 0.97 else "!"
    text += end
    r = rng.random()
    if r < 0.02:
        text += " [laughs]"
    elif r < 0.022:
        text += " e-mail me at peer.team@example.org | ext. 4411"
    return text


# --- codebook and participants ----------------------------------------------------------------------------
_THEMES = (
    ("attitude-change", "What changes in staff attitudes"),
    ("peer-relationships", "Relationships between peer workers and staff"),
    ("organisational-culture", "Organisational culture"),
    ("recovery-orientation", "Recovery orientation"),
    ("stigma", "Stigma and labels"),
    ("training-supervision", "Training and supervision"),
    ("role-clarity", "Role clarity and boundaries"),
    ("lived-experience", "Using lived experience"),
    ("power-hierarchy", "Power and hierarchy"),
    ("service-user-voice", "Service user voice"),
)
_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
_ADJ = _split(
    """open careful shared early late personal formal informal daily hidden visible quiet honest
defensive sceptical curious mutual equal unequal everyday clinical practical emotional written spoken
informal-team first-hand cautious explicit implicit"""
)
_NOUN = _split(
    """language trust humour respect distance conflict listening feedback meetings handover
boundaries disclosure stories risk decisions hope labels roles power support learning silence
praise doubt resistance rules rituals routines expectations networks"""
)


@dataclass
class Codebook:
    """The generated code tree: ``levels[slug]`` is 1, 2 or 3; ``codable`` the slugs one may apply."""

    yaml: str
    levels: dict[str, int] = field(default_factory=dict)
    codable: list[str] = field(default_factory=list)


def _some(rng: random.Random, k: int) -> str:
    return " ".join(rng.choices(_WORDS, k=k))


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def make_codebook(rng: random.Random, per_theme: int = 4, per_category: int = 4) -> Codebook:
    """A 3-level codebook: 10 themes (grouping only) x ``per_theme`` categories x ``per_category`` codes."""
    pairs = [f"{a}-{n}" for a in _ADJ for n in _NOUN]
    rng.shuffle(pairs)
    book = Codebook("")
    lines = ["# Generated benchmark codebook", "codes:"]
    it = iter(pairs)
    for t, (theme, label) in enumerate(_THEMES):
        book.levels[theme] = 1
        lines += [
            f"  {theme}:",
            f"    label: {_q(label)}",
            f"    description: {_q(label + ', as participants describe it.')}",
            f"    color: {_q(_PALETTE[t % len(_PALETTE)])}",
            "    codable: false",
            "    children:",
        ]
        for _ in range(per_theme):
            cat = next(it)
            book.levels[cat] = 2
            book.codable.append(cat)
            words = " ".join(rng.choices(_CONTENT, k=rng.randint(4, 9)))
            lines += [
                f"      {cat}:",
                f"        label: {_q(cat.replace('-', ' ').capitalize())}",
                f"        description: {_q('Talk about ' + words + '.')}",
                "        children:",
            ]
            for _ in range(per_category):
                slug = next(it)
                book.levels[slug] = 3
                book.codable.append(slug)
                lines += [
                    f"          {slug}:",
                    f"            label: {_q(slug.replace('-', ' ').capitalize())}",
                    f"            definition: {_q('Segments where ' + _some(rng, 8) + '.')}",
                ]
                if rng.random() < 0.3:
                    example = " ".join(rng.choices(_WORDS, k=10)).capitalize() + "."
                    lines.append(f"            example: {_q(example)}")
    lines.append("sets:")
    for s in range(5):
        members = sorted(rng.sample(book.codable, rng.randint(4, 12)))
        lines += [
            f"  candidate-theme-{s + 1}:",
            f"    label: {_q(f'Candidate theme {s + 1}')}",
            f"    codes: [{', '.join(members)}]",
        ]
    book.yaml = "\n".join(lines) + "\n"
    return book


_ATTRIBUTES = """attributes:
  role: {type: category, values: [PSW, MHW, service user, manager]}
  gender: {type: category, values: [w, m, other, not reported]}
  age: {type: number}
  site: {type: category, values: [north, south, east, west]}
  joined: {type: date}
  peer_trained: {type: boolean}
"""


def make_participants(rng: random.Random, n: int = N_PARTICIPANTS) -> str:
    """participants.yaml: six declared attributes and ``n`` participants p01…"""
    lines = [_ATTRIBUTES.rstrip("\n"), "participants:"]
    for i in range(1, n + 1):
        joined = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(2500))
        lines += [
            f"  p{i:02d}:",
            f"    role: {rng.choice(['PSW', 'MHW', 'MHW', 'service user', 'manager'])}",
            f"    gender: {rng.choice(['w', 'w', 'm', 'm', 'other', 'not reported'])}",
            f"    age: {rng.randint(21, 67)}",
            f"    site: {rng.choice(['north', 'south', 'east', 'west'])}",
            f"    joined: {joined.isoformat()}",
            f"    peer_trained: {rng.choice(['true', 'false'])}",
        ]
    return "\n".join(lines) + "\n"


# --- transcripts -----------------------------------------------------------------------------------------
@dataclass
class Body:
    """Plain text under construction, with the sentence spans of each coded-for turn."""

    paragraphs: list[str] = field(default_factory=list)
    turns: list[list[tuple[int, int]]] = field(default_factory=list)  # sentence spans per turn
    pos: int = 0

    def add(self, prefix: str, sentences: Sequence[str], coded: bool) -> None:
        spans = []
        p = self.pos + len(prefix)
        for i, s in enumerate(sentences):
            if i:
                p += 1
            spans.append((p, p + len(s)))
            p += len(s)
        para = prefix + " ".join(sentences)
        self.paragraphs.append(para)
        if coded and spans:
            self.turns.append(spans)
        self.pos += len(para) + 1

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


class Coder:
    """Adds codings: sentence-level spans, nested spans, double codes, crossing and multi-paragraph spans."""

    def __init__(self, rng: random.Random, text: str, turns: list[list[tuple[int, int]]], codes: list[str]):
        self.rng = rng
        self.text = text
        self.turns = turns
        self.codes = codes
        self.cum = _cum_weights(len(codes), offset=3.0, power=1.1)
        self.seen: set[tuple[int, int]] = set()
        self.codings: list[Coding] = []
        self.crossing = 0

    def _codes(self) -> tuple[str, ...]:
        first = self.codes[bisect.bisect(self.cum, self.rng.random() * self.cum[-1]) % len(self.codes)]
        if self.rng.random() < 0.15:
            second = self.codes[self.rng.randrange(len(self.codes))]
            if second != first:
                return (first, second)
        return (first,)

    def add(self, start: int, end: int, memo_rate: float = 0.08) -> bool:
        if start >= end or (start, end) in self.seen:
            return False
        self.seen.add((start, end))
        memo = _MEMOS[self.rng.randrange(len(_MEMOS))] if self.rng.random() < memo_rate else None
        self.codings.append(Coding(start, end, self._codes(), memo))
        return True

    def words_inside(self, start: int, end: int) -> tuple[int, int] | None:
        """A run of whole words strictly inside ``[start, end)``."""
        bounds = [start]
        find = self.text.find
        i = find(" ", start, end)
        while i >= 0:
            bounds.append(i + 1)
            i = find(" ", i + 1, end)
        if len(bounds) < 3:
            return None
        a = self.rng.randrange(len(bounds) - 1)
        b = self.rng.randrange(a + 1, len(bounds))
        s, e = bounds[a], (bounds[b] - 1 if b < len(bounds) - 1 else end)
        if b == len(bounds) - 1 and a == 0:
            e = bounds[-1] - 1
        return (s, e) if s < e and (s, e) != (start, end) else None

    def run(self, target: int, rates: tuple[float, float, float]) -> None:
        """Add coded passages until there are at least ``target`` codings (or the text runs out)."""
        attempts = 0
        while self.turns and len(self.codings) < target and attempts < 50 * target:
            self.cluster(rates)
            attempts += 1

    def cluster(self, rates: tuple[float, float, float]) -> None:
        """One coded passage in a random turn; ``rates`` = (nested, crossing, multi-paragraph)."""
        rng = self.rng
        t = rng.randrange(len(self.turns))
        spans = self.turns[t]
        a = rng.randrange(len(spans))
        b = min(len(spans) - 1, a + rng.choice((0, 0, 0, 1, 1, 2)))
        start, end = spans[a][0], spans[b][1]
        if not self.add(start, end):
            return
        if rng.random() < rates[0]:  # nested, sometimes two levels
            inner = (spans[a + 1][0], spans[b][1]) if b > a + 1 else self.words_inside(start, end)
            if inner and self.add(*inner) and rng.random() < 0.3:
                deeper = self.words_inside(*inner)
                if deeper:
                    self.add(*deeper)
        if rng.random() < rates[1]:  # crossing: starts inside this span, ends after it
            mid = self.words_inside(start, end)
            later = spans[b + 1][1] if b + 1 < len(spans) else None
            if later is None and t + 1 < len(self.turns):
                later = self.turns[t + 1][0][1]
            if mid and later and mid[0] > start and self.add(mid[0], later):
                self.crossing += 1
        if rng.random() < rates[2] and t + 1 < len(self.turns):  # over several paragraphs
            self.add(spans[-1][0], self.turns[t + 1][-1][1])


def _answer(rng: random.Random, clock: float) -> tuple[list[str], float]:
    """A participant's turn: mostly 1-8 sentences, sometimes a long story."""
    n = rng.randint(1, 8) if rng.random() < 0.85 else rng.randint(9, 16)
    lengths = [_SENTENCE_LENGTHS[rng.randrange(len(_SENTENCE_LENGTHS))] for _ in range(n)]
    tokens = rng.choices(_TOKENS, cum_weights=_CUM, k=sum(lengths))
    sentences = []
    i = 0
    for k in lengths:
        sentences.append(_sentence(rng, tokens[i : i + k], clock))
        i += k
        clock += k / 2.0
    return sentences, clock


def _question(rng: random.Random) -> str:
    stem = _QUESTION_STEMS[rng.randrange(len(_QUESTION_STEMS))]
    return stem + " " + " ".join(rng.choices(_CONTENT, k=rng.randint(1, 4))) + "?"


def make_interview(index: int, seed: str, codes: list[str], words: int = 10_000) -> tuple[Document, int]:
    """Interview ``index`` (0-based): its document and number of crossing codings."""
    rng = random.Random(f"{seed}:interview:{index}")
    g = index % len(GROUPS)
    pid = (index // len(GROUPS)) % N_PARTICIPANTS + 1
    label = f"P{pid:02d}"
    stamp_every = rng.choice((0, 1, 1, 4))
    body = Body()
    clock = rng.uniform(0, 30)
    count = 0
    turn = 0
    while count < words:
        prefix = f"[{_clock(clock)}] " if stamp_every and turn % stamp_every == 0 else ""
        if turn % 2 == 0:
            q = _question(rng)
            body.add(prefix + "I: ", [q], coded=False)
            count += q.count(" ") + 1
            clock += 3 + q.count(" ") / 2.6
        else:
            sentences, clock = _answer(rng, clock)
            body.add(prefix + f"{label}: ", sentences, coded=True)
            count += sum(s.count(" ") + 1 for s in sentences)
        turn += 1
    text = body.text
    coder = Coder(rng, text, body.turns, codes)
    coder.run(max(1, round(rng.randint(40, 60) * min(1.0, words / 10_000))), (0.3, 0.04, 0.03))
    date = dt.date(2021, 2, 1) + dt.timedelta(days=120 * g + rng.randrange(90))
    front = (
        f"title: Interview {index + 1} with {label} (phase {g + 1})\n"
        f"phase: QUAL{g + 1}\n"
        "method: interview\n"
        f"date: {date.isoformat()}\n"
        "interviewers: [I]\n"
        "speakers:\n"
        "  I: null\n"
        f"  {label}: p{pid:02d}\n"
    )
    doc = Document(f"{GROUPS[g]}/int-{index + 1:04d}", text, coder.codings, front)
    doc.sort_codings()
    return doc, coder.crossing


def make_focus_group(seed: str, codes: list[str], lines: int = 20_000) -> tuple[Document, int]:
    """One long focus-group transcript: short turns by 8 speakers (a moderator and 7 participants)."""
    rng = random.Random(f"{seed}:focus-group")
    pids = sorted(rng.sample(range(1, N_PARTICIPANTS + 1), 7))
    labels = [f"P{p:02d}" for p in pids]
    body = Body()
    clock = 5.0
    for n in range(lines):
        r = rng.random()
        prefix = f"[{_clock(clock)}] " if n % 10 == 0 else ""
        if r < 0.01:
            body.add("", [], coded=False)
        elif r < 0.12:
            body.add(prefix + "M: ", [_question(rng)], coded=False)
            clock += 4
        elif r < 0.22:
            reply = _SHORT_REPLIES[rng.randrange(len(_SHORT_REPLIES))]
            if rng.random() < 0.2:
                reply += " [crosstalk]"
            body.add(prefix + labels[rng.randrange(7)] + ": ", [reply], coded=False)
            clock += 1
        else:
            lengths = [rng.randint(2, 6) for _ in range(rng.choice((1, 1, 1, 2, 2, 2, 2)))]
            tokens = rng.choices(_TOKENS, cum_weights=_CUM, k=sum(lengths))
            sentences = []
            i = 0
            for m in lengths:
                sentences.append(_sentence(rng, tokens[i : i + m], clock))
                i += m
                clock += m / 2.0
            body.add(prefix + labels[rng.randrange(7)] + ": ", sentences, coded=True)
    text = body.text
    coder = Coder(rng, text, body.turns, codes)
    coder.run(round(lines * 0.35), (0.25, 0.06, 0.04))
    front = (
        "title: Focus group with peer support workers and staff\n"
        "phase: QUAL2\n"
        "method: focus group\n"
        "date: 2021-06-15\n"
        "moderators: [M]\n"
        "speakers:\n  M: null\n"
        + "".join(f"  {lab}: p{p:02d}\n" for lab, p in zip(labels, pids, strict=True))
    )
    doc = Document("fg/focus-group-01", text, coder.codings, front)
    doc.sort_codings()
    return doc, coder.crossing


# --- projects --------------------------------------------------------------------------------------------
@dataclass
class Summary:
    """What a generated project holds."""

    name: str
    path: Path
    documents: int = 0
    codings: int = 0
    crossing: int = 0
    bytes: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"{self.name}: {self.documents} documents, {self.bytes / 1e6:.1f} MB of transcripts, "
            f"{self.codings} codings ({self.crossing} crossing), {self.seconds:.1f} s -> {self.path}"
        )


def _fresh_dir(path: Path) -> None:
    """Empty ``path`` if it holds a generated project; refuse to touch any other non-empty folder."""
    if path.exists():
        if not (path / "margin.yaml").exists() and any(path.iterdir()):
            raise SystemExit(f"{path} exists and is not a generated project — choose another --out")
        shutil.rmtree(path)
    path.mkdir(parents=True)


def _write_project(root: Path, name: str, seed: str, n_codes: tuple[int, int]) -> Codebook:
    rng = random.Random(f"{seed}:project")
    _fresh_dir(root)
    book = make_codebook(rng, *n_codes)
    (root / "margin.yaml").write_text(
        f"name: {_q('Generated benchmark corpus ' + name)}\n"
        'citation: "({role}, {method}, {phase})"\n'
        "coders:\n  bench@example.org: Bench\n",
        encoding="utf-8",
    )
    (root / "codebook.yaml").write_text(book.yaml, encoding="utf-8")
    (root / "participants.yaml").write_text(make_participants(rng), encoding="utf-8")
    memos = root / "memos"
    (memos / "codes").mkdir(parents=True)
    (memos / "project.md").write_text(
        f"# {name}\n\nA generated corpus for Margin's benchmarks. The text is synthetic.\n", encoding="utf-8"
    )
    for slug in book.codable[:: max(1, len(book.codable) // 10)]:
        (memos / "codes" / f"{slug}.md").write_text(
            f"# {slug}\n\n{' '.join(rng.choices(_WORDS, k=40)).capitalize()}.\n", encoding="utf-8"
        )
    return book


def _write_document(root: Path, doc: Document) -> int:
    data = serialise_document(doc).encode("utf-8")
    path = root / "documents" / f"{doc.id}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


def generate_interviews(
    out: Path, name: str, docs: int, words: int = 10_000, seed: str = SEED, codebook: tuple[int, int] = (4, 4)
) -> Summary:
    """A project of ``docs`` interview transcripts of about ``words`` words each."""
    t0 = time.perf_counter()
    root = out / name
    book = _write_project(root, name, seed, codebook)
    summary = Summary(name, root)
    memo_dir = root / "memos" / "documents"
    for i in range(docs):
        doc, crossing = make_interview(i, seed, book.codable, words)
        summary.bytes += _write_document(root, doc)
        summary.documents += 1
        summary.codings += len(doc.codings)
        summary.crossing += crossing
        if i % 20 == 7:
            path = memo_dir / f"{doc.id}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"# {doc.id}\n\nFelt rushed; revisit the second half.\n", encoding="utf-8")
    summary.seconds = time.perf_counter() - t0
    return summary


def generate_focus_group(
    out: Path, name: str = "focus-group", lines: int = 20_000, seed: str = SEED
) -> Summary:
    """A project holding one focus-group transcript of ``lines`` lines."""
    t0 = time.perf_counter()
    root = out / name
    book = _write_project(root, name, seed, (4, 4))
    doc, crossing = make_focus_group(seed, book.codable, lines)
    summary = Summary(name, root, 1, len(doc.codings), crossing, _write_document(root, doc))
    summary.seconds = time.perf_counter() - t0
    return summary


CORPORA = {"bench-200": 200, "bench-1000": 1000}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", choices=[*CORPORA, "focus-group"])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the projects")
    parser.add_argument("--docs", type=int, help="number of transcripts (default: as the corpus name says)")
    parser.add_argument("--words", type=int, default=10_000, help="words per interview transcript")
    parser.add_argument("--lines", type=int, default=20_000, help="lines of the focus-group transcript")
    parser.add_argument("--seed", default=SEED)
    args = parser.parse_args(argv)
    for name in dict.fromkeys(args.corpora):
        if name == "focus-group":
            summary = generate_focus_group(args.out, name, args.lines, args.seed)
        else:
            docs = args.docs if args.docs is not None else CORPORA[name]
            summary = generate_interviews(args.out, name, docs, args.words, args.seed)
        print(summary.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
