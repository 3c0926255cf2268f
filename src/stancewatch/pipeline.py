"""The analysis pipeline: parse → attribute → link actors → stance → claims → check.

:class:`Analyzer` holds the loaded models and turns documents into results. It does no I/O:
the store, CLI and distributed runner read documents and write results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any

from stancewatch.attribution.actors import ActorLinker
from stancewatch.attribution.acts import METHOD as ACT_METHOD
from stancewatch.attribution.acts import extract_acts
from stancewatch.attribution.attribute import METHOD as ATTRIBUTION_METHOD
from stancewatch.attribution.attribute import attribute
from stancewatch.claims import textcheck
from stancewatch.claims import verdicts as factcheck
from stancewatch.claims.extract import extract_claims
from stancewatch.claims.factbase import source_authority
from stancewatch.claims.matching import claim_texts, fact_texts
from stancewatch.claims.scope import period_date
from stancewatch.narratives import matching as narratives
from stancewatch.nlp import Embedder
from stancewatch.packs import Pack
from stancewatch.parsing import Parser
from stancewatch.records import Claim, Document, Stance, Statement, Verdict, stable_id
from stancewatch.registry import CUE_MODELS, EMBEDDERS, PARSERS
from stancewatch.settings import BATCH_CHARS, BATCH_SIZE, Settings
from stancewatch.stance import coding as stance
from stancewatch.stance.backends import load_backend
from stancewatch.stance.base import StanceBackend
from stancewatch.stance.prototype import PROTOTYPE_MARGIN
from stancewatch.stance.reading import reading, readings

ENGLISH = {"en", "eng", None}


@dataclass(frozen=True)
class DocumentResult:
    document_id: str
    statements: tuple[Statement, ...] = ()
    stances: tuple[Stance, ...] = ()
    claims: tuple[Claim, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    notice: str | None = None  # set when the document was skipped, with the reason
    narrative_matches: tuple[narratives.Match, ...] = ()  # known narratives and bank claims
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class _Found:
    """What :meth:`Analyzer._extract` finds in one parsed document."""

    document: Document
    statements: list[Statement]  # statements and acts, by offset
    texts: list[str]  # what the stance model reads for each statement
    said: list[Statement]  # the statements alone, once each
    claims: list[Claim]


class Analyzer:
    """Analyse documents against one pack. Models load once, on first use."""

    def __init__(
        self,
        pack: Pack,
        *,
        settings: Settings | None = None,
        backend: StanceBackend | None = None,
        shortlist_size: int = stance.SHORTLIST_SIZE,
        min_similarity: float = stance.MIN_SIMILARITY,
        bank: tuple[narratives.BankClaim, ...] = (),
        parse_processes: int | None = None,
    ) -> None:
        """``settings`` chooses the models, the stance backend and the encoder precision
        (default: :class:`~stancewatch.settings.Settings`'s defaults; without a chosen
        backend, the pack's own stance model when it carries one); ``backend``, when given,
        is used instead of the one ``settings`` names. ``parse_processes`` sets how many
        processes parse each batch (default: chosen per batch, see
        :func:`stancewatch.parsing.processes_for`); the results are the same for any number."""
        self.pack = pack
        self.run_settings = settings or Settings()
        self.bank = bank  # claim-bank claims matched beside the pack's narratives
        self._narrative_index: narratives.ClaimIndex | None = None
        self._loaded = False  # load() done: the models are in and the codebook is embedded
        self._backend = backend
        self.shortlist_size = shortlist_size
        self.min_similarity = min_similarity
        self.linker = ActorLinker(pack.actors)
        self.authority = source_authority(pack)  # source name → rank, from pack.yaml
        self.cue_model = CUE_MODELS.load(self.run_settings.cue_model)
        # processes that parse a batch; None: chosen per batch (parsing.processes_for)
        self.parse_processes: int | None = parse_processes

    def load(self) -> Analyzer:
        """Load every model now and embed what each batch reuses (the positions' codebook,
        the facts' texts, the narrative index), so that the first document waits for none
        of it. Analysis loads them on first use anyway; this moves the wait to set-up."""
        self.nlp  # noqa: B018
        prepare = getattr(self.backend, "prepare", None)  # a backend may embed the positions
        if prepare is not None:
            prepare(self.pack.positions)
        if self.matches_narratives:
            self.narrative_index  # noqa: B018
        codebook = [t for p in self.pack.positions for t in stance.position_texts(p)]
        # kept on disk too (nlp.cached): the next process reads these vectors back
        self.embedder.pin([*codebook, *fact_texts(self.pack.facts)])
        self._loaded = True
        return self

    @property
    def spacy_model(self) -> str:
        return self.run_settings.parser

    @property
    def precision(self) -> str | None:
        return self.run_settings.precision

    @cached_property
    def nlp(self) -> Any:
        return PARSERS.load(self.run_settings.parser)

    @cached_property
    def embedder(self) -> Embedder:
        return EMBEDDERS.load(self.run_settings.embedder, precision=self.precision)  # type: ignore[no-any-return]

    @property
    def backend(self) -> StanceBackend:
        if self._backend is None:
            self._backend = load_backend(
                self.run_settings.stance_for(self.pack),
                embedder=self.embedder,
                precision=self.precision,
            )
        return self._backend

    def settings(self) -> dict[str, Any]:
        """What produced the results: recorded with every run, printed in the report."""
        return {
            "pack": self.pack.name,
            "pack_version": self.pack.version,
            "spacy_model": self.spacy_model,
            "embedding_model": self.embedder.name,
            "embedding_precision": self.embedder.precision,
            "attribution_method": ATTRIBUTION_METHOD,
            "act_method": ACT_METHOD,
            "cue_model": self.cue_model.version,
            "stance_method": self.backend.name,
            "shortlist_size": self.shortlist_size,
            "shortlist_min_similarity": self.min_similarity,
            "shortlist_window": stance.RELATIVE_WINDOW,
            "prototype_margin": PROTOTYPE_MARGIN,
            "factcheck_method": factcheck.METHOD,
            "narrative_method": narratives.METHOD,
            "narrative_min_similarity": narratives.MIN_SIMILARITY,
            "bank_claims": len(self.bank),
        }

    def analyze(
        self,
        documents: Iterable[Document],
        batch_size: int = BATCH_SIZE,
        batch_chars: int = BATCH_CHARS,
    ) -> Iterator[DocumentResult]:
        """Results for each document, in order, streaming in batches: a batch closes at
        ``batch_size`` documents or at ``batch_chars`` characters, whichever comes first.
        While one batch is analysed the next is parsed, in :attr:`parse_processes` worker
        processes (default: chosen per batch, see :func:`stancewatch.parsing.processes_for`)."""
        ahead: tuple[list[Document], Any] | None = None
        with Parser(self.nlp, self.parse_processes) as parser:
            for batch in batches(documents, batch_size, batch_chars):
                if not self._loaded:
                    self.load()
                english = [d.text for d in batch if (d.language or None) in ENGLISH]
                parsing = parser.submit(english)  # the workers start on it now
                if ahead is not None:
                    yield from self._analyze_batch(*ahead)
                ahead = (batch, parsing)
            if ahead is not None:
                yield from self._analyze_batch(*ahead)

    def _analyze_batch(
        self, documents: list[Document], parsing: Callable[[], list[Any]]
    ) -> list[DocumentResult]:
        # spaCy keeps every new word it meets in its vocabulary; inside a memory zone the
        # words a batch added are freed when the batch is done, so a long run's memory stays
        # flat. The parsed Docs never leave the zone: only plain records do.
        with self.nlp.memory_zone():
            english = [d for d in documents if (d.language or None) in ENGLISH]
            parsed = dict(zip((d.id for d in english), parsing(), strict=True))
            found = [self._extract(d, parsed[d.id]) for d in documents if d.id in parsed]
            coded = self._code_batch(found)
        results: list[DocumentResult] = []
        for document in documents:
            if document.id not in parsed:
                notice = f"skipped: language {document.language!r} is not supported (English only)"
                results.append(DocumentResult(document.id, notice=notice))
            else:
                results.append(coded[document.id])
        return results

    def _extract(self, document: Document, doc: Any) -> _Found:
        """What one parsed document holds: its statements and acts, what the stance model
        reads for each, and its numeric claims (those its speakers make and its own)."""
        when: date | None = document.published
        said = attribute(
            doc, document_id=document.id, linker=self.linker, when=when, cues=self.cue_model
        )
        # Acts stated in the text (a vote, an aid pause), outside what anyone is reported to
        # have said: statements of kind "act", coded by the stance step like the rest.
        acts = extract_acts(
            doc,
            document_id=document.id,
            linker=self.linker,
            when=when,
            outside=[(s.content_start, s.content_end) for s in said],
        )
        statements = _unique(sorted([*said, *acts], key=lambda s: s.content_start))
        texts = readings(statements, document.text, sentence_spans(doc, statements))
        claims: list[Claim] = []
        for statement in said:  # an act claims no figure: its numbers are the writer's
            claims.extend(
                extract_claims(
                    statement,
                    text=document.text,
                    mentions=lambda t: self.linker.find_mentions(t, when),
                    doc=doc,
                )
            )
        claims = _unique(claims)
        claims += narration_claims(
            document, doc, statements, claims, lambda t: self.linker.find_mentions(t, when)
        )
        return _Found(document, statements, texts, _unique(said), claims)

    def _code_batch(self, found: list[_Found]) -> dict[str, DocumentResult]:
        """Stances, verdicts and narrative matches for a batch of documents, each step in one
        call for the whole batch: the encoders run on full batches rather than on each
        document's few statements. Every step scores each statement or claim on its own
        (an encoder pads each text by its own length), so the results are those of one
        document at a time."""
        statements = [s for f in found for s in f.statements]
        texts = [t for f in found for t in f.texts]
        inner = {i for f in found for i in stance.nested_in_own(f.statements)}
        coded = [(s, t) for s, t in zip(statements, texts, strict=True) if s.id not in inner]
        said = [s for f in found for s in f.said]
        claims = [c for f in found for c in f.claims]
        # one encoder pass over what the stance shortlist, the narrative matching and the
        # fact matching read (a text's vector is the same in any company)
        self.embedder.encode(
            [
                *(t for _, t in coded),
                *(s.content for s in said),
                *claim_texts(claims, self.pack.facts),
            ]
        )
        stances = stance.code_stances(
            [s for s, _ in coded],
            self.pack.positions,
            self.embedder,
            self.backend,
            size=self.shortlist_size,
            min_similarity=self.min_similarity,
            texts=[t for _, t in coded],
        )
        dates: dict[str, date] = {}
        for f in found:
            dates.update(_claim_dates(f.statements, f.claims, f.document.published))
        verdicts = factcheck.check_claims(
            claims,
            self.pack.facts,
            similarity=self.embedder.similarity,
            claim_dates=dates,
            subject_kinds={a.id: a.kind for a in self.pack.actors},
            authority=self.authority,
            rates=getattr(self.pack, "rates", ()),
        )
        matches = self.match_narratives(said)
        owner = {s.id: s.document_id for s in statements}
        by_claim = {c.id: c.document_id for c in claims}
        stances_of = _grouped(stances, lambda x: owner[x.statement_id])
        verdicts_of = _grouped(verdicts, lambda v: by_claim[v.claim_id])
        matches_of = _grouped(matches, lambda m: owner[m.statement_id])
        return {
            f.document.id: DocumentResult(
                f.document.id,
                tuple(f.statements),
                tuple(stances_of.get(f.document.id, ())),
                tuple(f.claims),
                tuple(verdicts_of.get(f.document.id, ())),
                narrative_matches=tuple(matches_of.get(f.document.id, ())),
            )
            for f in found
        }

    def statement_readings(self, texts: Iterable[str]) -> list[str]:
        """For each text holding one reported statement ("X rejected Y", "'...', X said"),
        what the stance model reads when the pipeline codes it: the reading of its longest
        attributed statement, or the whole text when attribution finds none. Lets labelled
        sentences in the speaker's convention be scored the way analyze scores them."""
        out = []
        with self.nlp.memory_zone():
            for text, doc in zip(texts := list(texts), self.nlp.pipe(texts), strict=True):
                statements = attribute(
                    doc, document_id="reading", linker=self.linker, when=None, cues=self.cue_model
                )
                if not statements:
                    out.append(text)
                    continue
                main = max(statements, key=lambda s: len(s.content))
                out.append(reading(main, text, sentence_spans(doc, [main])[0]))
        return out

    # -- known narratives and claim banks (stancewatch.narratives.matching) ------------------------
    @property
    def narrative_index(self) -> narratives.ClaimIndex:
        """The pack's narrative example claims and the bank's claims, embedded once."""
        if self._narrative_index is None:
            targets = narratives.narrative_targets(getattr(self.pack, "narratives", ()))
            targets += narratives.bank_targets(self.bank)
            # The positions' phrasings are the debate's ordinary talk: the narrative gate
            # learns to tell the narratives' example claims from them.
            background = [
                text
                for p in self.pack.positions
                for text in (p.proposition, *p.supports, *p.opposes)
            ]
            self._narrative_index = narratives.build_index(targets, self.embedder.pin, background)
        return self._narrative_index

    @property
    def matches_narratives(self) -> bool:
        """Whether there is anything to match: the pack's narratives or a claim bank."""
        return bool(self.bank or getattr(self.pack, "narratives", ()))

    def match_narratives(self, statements: list[Statement]) -> list[narratives.Match]:
        """Which statements repeat (or rebut) a known narrative or bank claim."""
        if not statements or not self.matches_narratives:
            return []
        texts = [s.content for s in statements]
        return narratives.match_texts(
            [s.id for s in statements], texts, self.narrative_index, self.embedder.encode
        )


def stored_readings(nlp: Any, text: str, statements: Sequence[Statement]) -> list[str]:
    """What the stance model reads for each stored statement of a document of ``text``, as
    analyze reads it: the statements' sentences are found by parsing ``text`` with ``nlp``."""
    with nlp.memory_zone():
        return readings(statements, text, sentence_spans(nlp(text), statements))


def sentence_spans(doc: Any, statements: Sequence[Statement]) -> list[tuple[int, int] | None]:
    """The character span of the sentence(s) each statement's content stands in."""
    spans: list[tuple[int, int] | None] = []
    for statement in statements:
        span = doc.char_span(
            statement.content_start, statement.content_end, alignment_mode="expand"
        )
        if span is None or not len(span):
            spans.append(None)
            continue
        spans.append((span[0].sent.start_char, span[-1].sent.end_char))
    return spans


def batches(documents: Iterable[Document], size: int, chars: int) -> Iterator[list[Document]]:
    """``documents`` in lists of ``size`` documents or ``chars`` characters, whichever
    comes first."""
    batch: list[Document] = []
    total = 0
    for document in documents:
        batch.append(document)
        total += len(document.text)
        if len(batch) >= size or total >= chars:
            yield batch
            batch, total = [], 0
    if batch:
        yield batch


def _grouped(records: Iterable[Any], document_of: Any) -> dict[str, list[Any]]:
    """``records`` by the id of their document, each document's in their order."""
    grouped: dict[str, list[Any]] = {}
    for record in records:
        grouped.setdefault(document_of(record), []).append(record)
    return grouped


def _unique(records: list[Any]) -> list[Any]:
    """One record per id: the same span found twice (say, a quotation inside a reported
    statement) is kept once, with the more confident attribution."""
    best: dict[str, Any] = {}
    for record in records:
        kept = best.get(record.id)
        if kept is None or _confidence(record) > _confidence(kept):
            best[record.id] = record
    return [r for r in records if best[r.id] is r]


def _confidence(record: Any) -> float:
    return float(getattr(record, "confidence", 0.0) or 0.0)


def narration_claims(
    document: Document,
    doc: Any,
    statements: Sequence[Statement],
    found: Sequence[Claim],
    mentions: Any = None,
) -> list[Claim]:
    """The numeric claims a document makes in its own voice: those in sentences, or parts of
    sentences, that no attributed statement covers ("The General Assembly adopted the
    resolution by 93 votes to 18"). They have no statement and no claimant: the document's
    own numbers, kept apart from what actors said (the report lists them separately)."""
    spans = [(s.content_start, s.content_end) for s in statements]
    taken = {c.id for c in found}
    out: list[Claim] = []
    for sent in doc.sents:
        a, b = sent.start_char, sent.end_char
        if not sent.text.strip() or any(s <= a and b <= e for s, e in spans):
            continue
        part = Statement(
            id=stable_id(document.id, "narration", a, b),
            document_id=document.id,
            kind="other",
            content=document.text[a:b],
            content_start=a,
            content_end=b,
            date=document.published,
            method="narration.v1",
        )
        for claim in extract_claims(part, text=document.text, mentions=mentions, doc=doc):
            inside = any(s < claim.end and claim.start < e for s, e in spans)
            if not inside and claim.id not in taken:
                taken.add(claim.id)
                out.append(replace(claim, statement_id=None, claimant=None))
    return out


def _claim_dates(
    statements: list[Statement], claims: list[Claim], published: date | None = None
) -> dict[str, date]:
    """Each claim is dated by the period it names ("in April 2020"), else by its statement
    (the date it was said), else (for the document's own claims) by the document's date."""
    said = {s.id: s.date for s in statements if s.date is not None}
    dates = {}
    for claim in claims:
        when = (
            period_date(claim.period)
            or said.get(claim.statement_id or "")
            or (published if claim.statement_id is None else None)
        )
        if when is not None:
            dates[claim.id] = when
    return dates


def check_text(
    text: str,
    pack: Pack,
    *,
    parse: Any = None,
    similarity: Any = None,
    when: date | None = None,
    authority: Any = None,
    rate_at: str = "period-end",
) -> list[textcheck.CheckedClaim]:
    """The numeric claims of one text, each with its verdict against ``pack.facts``
    (``stancewatch check``): :func:`stancewatch.claims.textcheck.check_text` with the pack's
    actors linked as the claims' subjects."""
    linker = ActorLinker(pack.actors)
    return textcheck.check_text(
        text,
        pack,
        parse=parse,
        similarity=similarity,
        when=when,
        authority=authority,
        mentions=linker.find_mentions,
        rate_at=rate_at,
    )
