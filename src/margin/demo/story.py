"""What happened in the demo study, as data: the coders, the codes that came late or changed, the second
phase's open codes and how they were mapped, the calibration round, and what the files said early on.

The files of projects/peer-support are the study's end; everything here says how it got there. The
builder (margin.demo.history) derives each earlier state from the final files with these facts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """A coder: their git identity, and the name of their copy of the project."""

    name: str
    email: str
    clone: str


ROSA = Person("Rosa Lindqvist", "rosa.lindqvist@example.org", "rosa")
MALIK = Person("Malik Okafor", "malik.okafor@example.org", "malik")

# --- QUAL1 -----------------------------------------------------------------------------------------------
QUAL1_DOCUMENTS = (
    "qual1/int-psw-01",
    "qual1/int-psw-07",
    "qual1/int-psw-12",
    "qual1/int-mhw-01",
    "qual1/int-mhw-04",
    "qual1/int-mhw-09",
    "qual1/int-psw-19",
    "qual1/int-psw-26",
    "qual1/int-psw-30",
    "qual1/int-mhw-15",
    "qual1/int-mhw-17",
    "qual1/int-su-02",
    "qual1/int-su-05",
)
"""The QUAL1 transcripts in the order they were coded."""

RENAMED = {"appreciative-language": ("careful-language", "Careful language")}
"""Codes whose slug and label were different in QUAL1's first codebook (renamed in September 2021)."""

CREATED_IN_QUAL1 = ("existing-will-to-change", "pandemic-conditions")
"""Codes that QUAL1's coders added while coding (not in the first codebook)."""

EARLY_FIELDS: dict[str, dict[str, str | None]] = {
    "existing-will-to-change": {"definition": "Staff or teams were open to change before the PSW came."},
    "time-and-staffing": {"exclude": None},
}
"""Fields of codes as first written (None: not yet written), revised later: time-and-staffing's exclusion
names pandemic-conditions, written with that code; existing-will-to-change's definition was revised while
QUAL2 was being coded."""

TYPOS = {"qual1/int-psw-07": ("her son has psychosis", "her son has pyschosis")}
"""Transcription errors in the imported transcripts (right, as imported), fixed while coding."""

CALIBRATION_DOCUMENTS = ("qual1/int-psw-01", "qual1/int-psw-07")
"""The two transcripts both coders coded blind, each on a branch of their own, before QUAL1's coding."""

ROUND_BRANCHES = {ROSA: "round/calib-rosa", MALIK: "round/calib-malik"}

# --- QUAL2 -----------------------------------------------------------------------------------------------
QUAL2_DOCUMENTS = ("qual2/int-mhw-20", "qual2/fg-01", "qual2/int-mhw-21", "qual2/int-mhw-04-q2")
QUAL2_BRANCH = "qual2"
OPEN_ROOT = ("qual2-open-codes", "QUAL2 open codes")
"""The grouping code under which QUAL2's open codes were made."""


@dataclass(frozen=True)
class OpenCode:
    """A code made while coding QUAL2 inductively, and what the merge of the code trees did with it."""

    slug: str
    label: str
    action: str
    """map-to (it is that code of the QUAL1 tree) or add-under (a new code of the merged tree)."""
    target: str


OPEN_CODES = (
    OpenCode("role-model", "Role model", "map-to", "role-models"),
    OpenCode("recovery-visible", "Recovery visible", "map-to", "recovery-made-visible"),
    OpenCode("diagnosis-in-question", "Diagnosis in question", "map-to", "diagnosis-questioned"),
    OpenCode("peer-in-the-room", "Peer in the room", "map-to", "presence"),
    OpenCode("leadership", "Leadership", "map-to", "leadership-support"),
    OpenCode("watching-our-words", "Watching our words", "map-to", "appreciative-language"),
    OpenCode("sarcasm-misunderstood", "Sarcasm misunderstood", "add-under", "appreciative-language"),
    OpenCode("circle-instead-of-tribunal", "Circle instead of tribunal", "add-under", "presence"),
    OpenCode("continuum-thinking", "We are all on a continuum", "add-under", "openness-own-mental-health"),
)

QUAL2_CODES_IN_QUAL1 = {
    "sarcasm-misunderstood": "appreciative-language",
    "continuum-thinking": "openness-own-mental-health",
    "circle-instead-of-tribunal": "presence-in-meetings",
}
"""Codes the merge brought into the tree → the code QUAL1's coders had used for those passages before all
transcripts were recoded with the merged tree."""

# --- the project's settings as they were in 2021 ---------------------------------------------------------
EARLY_SETTINGS = """\
name: Peer support and staff attitudes
citation: "({role}, {method}, {phase})"   # e.g. "(PSW, interview, QUAL1)"; fields come from document and speaker
description: >-
  How do the attitudes of mental health workers (MHWs) change when peer support workers (PSWs), people
  with lived experience of psychiatric crisis, join their teams? QUAL1 (2021): problem-centred online
  interviews with PSWs, MHWs and service users, each led by two interviewers, one with and one without
  lived experience. All names of people, services and places are pseudonyms; the participants are fictional.
"""

CITATION_PHASE = {"qual1": "QUAL 1", "qual2": "QUAL 2"}
"""The document variable `citation_phase` per group: the phase as the study's quotes write it."""
