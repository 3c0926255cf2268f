"""The records stancewatch produces and stores: one frozen dataclass per noun.

Every analysis step returns these; the store writes them as rows; exports are built from
them. Dates are ``datetime.date``; offsets are character offsets into ``Document.text``.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

from stancewatch.errors import InputError

# "act": an act stated in the text (a vote, a decision), not speech; see attribution.acts
StatementKind = Literal["direct", "indirect", "other", "act"]
StanceLabel = Literal["support", "oppose", "neutral"]
VerdictLabel = Literal[
    "accurate", "inaccurate", "exaggerated", "understated", "misleading-scope", "unverifiable"
]
Unit = Literal["percent", "percentage_point", "money", "count", "multiple"]
Approximation = Literal["exact", "about", "more_than", "less_than", "at_least", "at_most"]

STANCE_LABELS: tuple[StanceLabel, ...] = ("support", "oppose", "neutral")
# Verdicts that say a claim is wrong: what a "false claims" table lists.
FALSE_VERDICTS: tuple[VerdictLabel, ...] = (
    "inaccurate",
    "exaggerated",
    "understated",
    "misleading-scope",
)
VERDICT_LABELS: tuple[VerdictLabel, ...] = (
    "accurate",
    "inaccurate",
    "exaggerated",
    "understated",
    "misleading-scope",
    "unverifiable",
)


def content_hash(text: str) -> str:
    """Stable id of a text: the first 20 hex digits of the SHA-256 of its UTF-8 bytes.

    Line endings are normalised first so that the same article saved on Windows and on Linux
    gets the same id.
    """
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:20]


def stable_id(*parts: object) -> str:
    """Deterministic id built from the parts that identify a record."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Document:
    """One article, transcript or statement, as ingested."""

    id: str
    text: str
    name: str | None = None
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: date | None = None
    language: str | None = None
    source: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_text(cls, text: str, **kwargs: Any) -> Document:
        return cls(id=content_hash(text), text=text, **kwargs)


@dataclass(frozen=True)
class Role:
    """A title an actor held, with the dates it was held (``None`` = open-ended)."""

    title: str
    descriptions: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None

    def valid_on(self, when: date | None) -> bool:
        if when is None:
            return self.end is None
        if self.start is not None and when < self.start:
            return False
        return not (self.end is not None and when > self.end)


@dataclass(frozen=True)
class Actor:
    """A person or institution whose statements are tracked."""

    id: str
    name: str
    kind: Literal["person", "institution"] = "person"
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    affiliation: str | None = None
    gender: Literal["male", "female"] | None = None
    wikidata: str | None = None
    born: date | None = None  # settles an age epithet ("the 78-year-old") at a document's date

    def age(self, when: date) -> int | None:
        """Age in whole years on ``when``; None without a birth date."""
        if self.born is None:
            return None
        return (
            when.year - self.born.year - ((when.month, when.day) < (self.born.month, self.born.day))
        )


@dataclass(frozen=True)
class Statement:
    """Something an actor (or an unknown source) said, with offsets into its document."""

    id: str
    document_id: str
    kind: StatementKind
    content: str
    content_start: int
    content_end: int
    speaker: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    actor: str | None = None
    date: date | None = None
    confidence: float = 0.0
    method: str = ""


ActionKind = Literal[
    "vote",
    "decision",
    "order",
    "signature",
    "sanction",
    "aid-pause",
    "proposal",
    "meeting",
    "other",
]


# The id a pack act carries among statement ids in the analytics and the report: act-<id>
ACTION_PREFIX = "act-"


@dataclass(frozen=True)
class Action:
    """An act that is not speech (a vote, a decision, an order, a signature, a sanction, an
    aid pause), coded on one position and side, with its source.

    From a pack's ``actions.yaml`` (``origin="pack"``): ``description`` is the pack's short
    account in its own words and ``url`` its source. Acts found in news text are stored as
    statements of kind ``act`` instead, with offsets (see :mod:`stancewatch.attribution.acts`).
    """

    id: str
    actor: str
    date: date
    kind: ActionKind
    position_id: str
    side: Literal["support", "oppose"]
    description: str
    source: str
    url: str
    notes: str = ""
    origin: str = "pack"


@dataclass(frozen=True)
class Position:
    """A reference proposition in the codebook, with phrasings that support and oppose it."""

    id: str
    topic: str
    proposition: str
    holders: tuple[str, ...] = ()
    supports: tuple[str, ...] = ()
    opposes: tuple[str, ...] = ()
    version: str = ""


@dataclass(frozen=True)
class Stance:
    """How one statement relates to one position."""

    statement_id: str
    position_id: str
    label: StanceLabel
    score: float
    similarity: float
    method: str
    coder: str = "machine"


@dataclass(frozen=True)
class Claim:
    """A checkable quantity inside a statement (or a document when no speaker is known)."""

    id: str
    document_id: str
    statement_id: str | None
    text: str
    start: int
    end: int
    value: float
    unit: Unit
    value_high: float | None = None
    currency: str | None = None
    scale: float = 1.0
    approximation: Approximation = "exact"
    measure: str = ""
    subject: str | None = None
    period: str | None = None
    claimant: str | None = None
    context: str = ""


@dataclass(frozen=True)
class Fact:
    """A sourced reference figure."""

    id: str
    measure: str
    subject: str
    value: float
    unit: Unit
    source: str
    url: str
    retrieved: date
    value_high: float | None = None
    currency: str | None = None
    period: str = ""
    period_start: date | None = None
    period_end: date | None = None
    keywords: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class ExchangeRate:
    """A published exchange rate: on ``day``, one ``base`` was worth ``rate`` ``quote``
    (the ECB's 1 EUR = 1.0389 USD on 31 December 2024 is base EUR, quote USD). ``retrieved``
    is when it was read from ``url``; None when it has not been checked against the source.
    ``day`` is the ``date`` column of rates.csv."""

    day: date
    base: str
    quote: str
    rate: float
    source: str
    url: str
    retrieved: date | None = None
    notes: str = ""


@dataclass(frozen=True)
class Verdict:
    """The result of checking one claim against the fact base."""

    claim_id: str
    label: VerdictLabel
    explanation: str
    method: str
    fact_id: str | None = None
    ratio: float | None = None
    match_score: float | None = None


@dataclass(frozen=True)
class Debunk:
    """Where a narrative or claim is debunked."""

    source: str
    url: str
    title: str = ""


@dataclass(frozen=True)
class Narrative:
    """A known narrative: what it says, how speakers assert it, and who debunked it."""

    id: str
    title: str
    claims: tuple[str, ...]
    description: str = ""
    debunks: tuple[Debunk, ...] = ()
    version: str = ""
    # What the narrative's critics say instead ("Russia invaded Ukraine"): a statement closer
    # to one of these than to the narrative's claims rebuts the narrative.
    counter_claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class BankClaim:
    """One already-checked claim of a claim bank (a fact-checker's archive)."""

    id: str
    text: str
    label: str | None = None  # a class the user cares about: narrative, topic, keyword
    verdict: str | None = None  # the fact-checker's rating ("false", "misleading")
    url: str | None = None  # the debunk
    date: date | None = None
    bank: str = ""


def as_date(value: date | str | None) -> date | None:
    """A date given as a date or as ISO text (``2025-02-19``); None stays None. Text that is
    not a date raises :class:`~stancewatch.errors.InputError` naming it."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"Invalid date {value!r}: expected YYYY-MM-DD") from None


def to_row(record: Any) -> dict[str, Any]:
    """A record as a flat dict for storage or export: dates as ISO strings, tuples as lists."""
    row = asdict(record)
    for key, value in row.items():
        if isinstance(value, date):
            row[key] = value.isoformat()
        elif isinstance(value, tuple):
            row[key] = list(value)
    return row
