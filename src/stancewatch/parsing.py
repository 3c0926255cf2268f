"""Parsing batches of texts with spaCy, in worker processes that last a whole run.

Starting processes for each batch costs a run more than it saves on short batches (spaCy's
``nlp.pipe(n_process=...)`` forks new ones per call). A :class:`Parser` forks its workers
once, when the first batch long enough to pay for them arrives, and keeps them until it is
closed; :meth:`Parser.submit` returns at once, so the workers parse the next batch while the
caller analyses this one. Each worker parses inside a spaCy memory zone and sends back
serialised Docs, which the caller reads into its own vocabulary inside its own memory zone:
neither side's memory grows with the corpus. The workers run the caller's pipeline (forked),
so the parses are those of one process, whatever the number of processes.

It also holds the spaCy components stancewatch adds to a pipeline (``load_spacy`` in
:mod:`stancewatch.nlp` adds them): ``stancewatch_paragraph_breaks`` before the parser (a blank
line, a line that ends a sentence and a dateline start a sentence; no sentence starts between
two words of a line), ``stancewatch_parse_repairs`` after it (a speech tag's verb gets back
the subject the parse glued onto it or took away from it: :func:`glue_subjects`,
:func:`name_tags`), and :func:`equate_punctuation` (rare dashes read as their common forms).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np

from stancewatch.errors import StancewatchError

if TYPE_CHECKING:
    from spacy.language import Language

# A batch with fewer characters is parsed in this process: about 3,500 words, a second's
# parse on one core, pays for sending the texts and the parses between processes.
PARALLEL_PARSE_CHARS = 20_000

# The workers are replaced after parsing this many shares of batches each: a worker's heap
# keeps the size the largest batch it parsed needed, and a run of a million short documents
# should not carry that for its whole length. Forking new ones costs about one share's parse.
SHARES_PER_WORKER = 64

_PIPELINE: Any = None  # in a worker: the pipeline it parses with, inherited from its parent


def _start_worker(nlp: Any) -> None:
    global _PIPELINE
    _PIPELINE = nlp
    # Ctrl-C goes to the whole process group: the parent stops the run and closes the pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _parse_share(texts: list[str]) -> list[bytes]:
    """In a worker: the serialised parses of ``texts``."""
    with _PIPELINE.memory_zone():
        return [doc.to_bytes() for doc in _PIPELINE.pipe(texts)]


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def processes_for(texts: list[str], wanted: int | None = None) -> int:
    """How many processes parse ``texts``: ``wanted`` when set; else one per available core
    when the batch is long enough to pay for them (:data:`PARALLEL_PARSE_CHARS`), processes
    can be forked, and this process may have children (a daemon, such as a pool worker, may
    not). Never more than one per two texts."""
    if wanted is None:
        if (
            sum(map(len, texts)) < PARALLEL_PARSE_CHARS
            or multiprocessing.get_start_method() != "fork"
            or multiprocessing.current_process().daemon
        ):
            return 1
        wanted = available_cores()
    return max(1, min(wanted, len(texts) // 2))


class Parser:
    """Parses batches with ``nlp``: in this process, or in worker processes that last until
    :meth:`close` (use it as a context manager). ``processes`` fixes the number of processes
    for every batch (1: never fork); None chooses per batch (:func:`processes_for`)."""

    def __init__(self, nlp: Any, processes: int | None = None) -> None:
        self.nlp = nlp
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._shares = 0  # shares handed to the current pool

    def submit(self, texts: list[str]) -> Callable[[], list[Any]]:
        """Start parsing ``texts``; the function returned gives their Docs, in order. Call
        it inside the memory zone the Docs are to live in: that is where they are read."""
        count = processes_for(texts, self.processes)
        if count < 2:
            return lambda: list(self.nlp.pipe(texts))
        pool = self._started()
        size = -(-len(texts) // count)  # one share of the batch per process
        pending = [
            pool.submit(_parse_share, texts[start : start + size])
            for start in range(0, len(texts), size)
        ]
        self._shares += len(pending)

        def docs() -> list[Any]:
            from spacy.tokens import Doc

            vocab = self.nlp.vocab
            try:
                return [Doc(vocab).from_bytes(data) for share in pending for data in share.result()]
            except BrokenProcessPool as exc:
                raise StancewatchError(
                    "a parse worker process stopped before finishing its batch (killed, or "
                    "out of memory?); run again with --parse-processes 1 or fewer documents "
                    "per batch"
                ) from exc

        return docs

    def _started(self) -> ProcessPoolExecutor:
        """The workers, forked on first use with as many as any batch may ask for (the set
        number, else one per core), and forked anew after SHARES_PER_WORKER shares each:
        the old ones finish the shares they were given, then exit."""
        workers = self.processes or available_cores()
        if self._pool is not None and self._shares >= SHARES_PER_WORKER * workers:
            self._pool.shutdown(wait=False)
            self._pool = None
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(self.nlp,),
            )
            self._shares = 0
        return self._pool

    def close(self) -> None:
        """Stop the workers (a batch still waiting to be parsed is dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Parser:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


PARAGRAPH_BREAKS = "stancewatch_paragraph_breaks"
# A news dateline opening a paragraph: "MOSCOW, Jan 28 — ", "KYIV (Reuters) - ".
_DATELINE = re.compile(
    r"[A-Z][A-Z.'\- ]{1,30}(?:, [A-Z][a-z]{2,8}\.? \d{1,2})?(?: \([A-Za-z .]{2,30}\))?"
    r" ?[\u2014\u2013-]{1,2} ?(?=\S)"
)


def register_paragraph_breaks() -> None:
    from spacy.language import Language

    if Language.has_factory(PARAGRAPH_BREAKS):
        return

    @Language.component(PARAGRAPH_BREAKS)
    def paragraph_breaks(doc: Any) -> Any:
        """Start a sentence after every blank line and after a dateline ("MOSCOW, Jan 28 —"):
        a paragraph break or a dateline ends a sentence, so the parser cannot make a time
        stamp, a city or a closing quotation mark part of the next sentence."""
        text = doc.text  # joined from the tokens on every access: read it once
        for token in doc[:-1]:
            if not token.is_space or "\n" not in token.text:
                if token.i == 0:
                    _after_dateline(doc, text, 0, token.i)
                continue
            if token.text.count("\n") >= 2:
                doc[token.i + 1].is_sent_start = True
            elif token.i > 0 and _ends_sentence(doc, token.i - 1):
                # a line break after a full stop or a quotation closed after one
                doc[token.i + 1].is_sent_start = True
            _after_dateline(doc, text, token.idx + len(token.text), token.i)
        _runs_on(doc, text)
        return doc


def _after_dateline(doc: Any, text: str, start: int, i: int) -> None:
    """Start a sentence after a dateline that opens the line at ``start``."""
    dateline = _DATELINE.match(text, start)
    if dateline is not None:
        after = doc.char_span(dateline.end(), dateline.end() + 1, alignment_mode="expand")
        if after is not None and after.start > i:
            doc[after.start].is_sent_start = True


# a word or number, one space, and another word or number: no sentence ends there ("she felt
# the 13th Amendment was"), which the parser sometimes decided
_RUNS_ON = re.compile(r"(?<=[^\W_]) (?=[^\W_])")


def _runs_on(doc: Any, text: str) -> None:
    """Mark every token that follows a word and a space on the same line as no sentence
    start (in one pass over arrays: there is one such token for most words)."""
    from spacy.attrs import IDX, SENT_START

    if len(doc) < 2:
        return
    starts = np.array([m.end() for m in _RUNS_ON.finditer(text)], dtype=np.int64)
    if not len(starts):
        return
    idx = doc.to_array(IDX).astype(np.int64)
    at = np.searchsorted(idx, starts)
    inside = at < len(idx)
    at, starts = at[inside], starts[inside]
    at = at[idx[at] == starts]  # a token starts right after the space
    values = doc.to_array(SENT_START).astype(np.int64)
    unset = at[values[at] == 0]
    values[unset] = -1
    doc.from_array([SENT_START], values.astype(np.uint64).reshape(-1, 1))


_FINAL = frozenset({".", "!", "?"})
_CLOSERS = frozenset({"\u201d", '"', "\u2019", "'", "''", ")"})


def _ends_sentence(doc: Any, i: int) -> bool:
    """Whether token ``i`` is a full stop, question or exclamation mark, or a closing mark
    right after one."""
    if doc[i].text in _FINAL:
        return True
    return doc[i].text in _CLOSERS and i > 0 and doc[i - 1].text in _FINAL


PARSE_REPAIRS = "stancewatch_parse_repairs"
# what the parse may hang between "the" and a verb when it reads "the 78-year-old said" as
# one noun phrase
_GLUED = frozenset({"amod", "compound", "nmod", "npadvmod", "nummod"})
_TAG_AFTER = frozenset({",", "\u201d", '"', "\u2019", "'", "''"})  # what ends the quotation


def glue_subjects(doc: Any) -> Any:
    """Give a verb back the subject the parse glued onto it as a noun phrase's modifiers.

    After a quotation, "the 78-year-old said" may be parsed as one noun phrase headed by
    "said", with "the" and "old" its determiner and modifier and no subject: the verb then
    reports nothing. Where a verb has a determiner among its dependents, no subject, and a
    modifier right before it that ends the phrase, that modifier becomes the subject and the
    determiner and the other words of the phrase its dependents. Only in a speech tag: the
    phrase follows a closing quotation mark or a comma and the verb is finite ("a sniper
    targeting police" keeps its parse)."""
    for verb in doc:
        if verb.tag_ not in ("VBD", "VBZ", "VBP"):  # tags: the parts of speech come later
            continue
        left = [c for c in verb.children if c.i < verb.i]
        dets = [c for c in left if c.dep_ == "det"]
        if not dets or any(c.dep_ in ("nsubj", "nsubjpass", "csubj") for c in verb.children):
            continue
        nearest = max(left, key=lambda c: c.i)
        if (
            nearest.right_edge.i != verb.i - 1
            or nearest.dep_ not in _GLUED
            or not nearest.tag_.startswith(("JJ", "NN"))
        ):
            continue
        start = min(d.i for d in dets)
        if start == 0 or doc[start - 1].text not in _TAG_AFTER:
            continue  # only a speech tag after a quotation: "“...,” the 78-year-old said"
        for child in left:
            if child is not nearest and start <= child.i < nearest.i:
                child.head = nearest
        nearest.dep_ = "nsubj"
    return doc


_NAME_WORDS = 6  # the most words a speaker's name and title in a speech tag run to


def name_tags(doc: Any) -> Any:
    """Give a speech tag's verb the name before it as its subject where the parse took the
    name away from it.

    In "“...,” Tulsa police Chief Chuck Jordan said Monday" the parser read "Tulsa" as a verb
    with "Chief" its object; in "“... our military,” Flynn, a top Trump surrogate, said" it
    hung "Flynn" on a noun inside the quotation. Either way "said" was left with no subject.
    Where a finite verb has no subject before it and follows a closing quotation mark (after
    a comma, question or exclamation mark), at most six words that end in a proper noun and,
    optionally, an appositive between commas, that noun becomes the verb's subject, the words
    before it its compounds and the appositive its apposition. Only where the parse made a
    verb of a word of the name or hung the name on something before it."""
    for verb in doc:
        if verb.tag_ not in ("VBD", "VBZ") or verb.i < 3:
            continue
        if any(c.dep_ in _SUBJECT_DEPS and c.i < verb.i for c in verb.children):
            continue
        end, appos = verb.i, None
        if doc[verb.i - 1].text == ",":
            k = verb.i - 2
            while k > 0 and doc[k].text != "," and verb.i - k <= _APPOS_WORDS:
                k -= 1
            if doc[k].text != "," or k >= verb.i - 2:
                continue
            end, appos = k, doc[k + 1 : verb.i - 1]
        start = end
        while start > 0 and doc[start - 1].is_alpha and end - start < _NAME_WORDS:
            start -= 1
        name = doc[start:end]
        if not name or name[-1].tag_ != "NNP" or start < 2:
            continue
        if doc[start - 1].text not in _TAG_AFTER or doc[start - 2].text not in (",", "?", "!"):
            continue
        if any(doc[i].is_sent_start for i in range(start + 1, verb.i + 1)):
            continue  # one sentence
        last = name[-1]
        misparsed = any(t.tag_.startswith("VB") for t in name) or last.head.i < start
        ancestors = {t.i for t in verb.ancestors}
        if not misparsed or any(start <= i < verb.i for i in ancestors):
            continue
        last.head = verb
        last.dep_ = "nsubj"
        for word in name[:-1]:
            word.head = last
            word.dep_ = "compound"
            word.tag_ = "NNP" if word.is_title else "NN"  # the parts of speech come later
        if appos is not None:
            inside = range(appos.start, appos.end)
            head = next((t for t in reversed(appos) if t.tag_.startswith("NN")), appos[-1])
            head.head = last  # first, so that no word of the appositive is above its head
            head.dep_ = "appos"
            for word in appos:
                if word.i != head.i and word.head.i not in inside:
                    word.head = head
            for comma in (doc[end], doc[verb.i - 1]):
                comma.head = last
                comma.dep_ = "punct"
    return doc


_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
_APPOS_WORDS = 10  # the most tokens from a tag's verb back to the comma before an appositive


def parse_repairs(doc: Any) -> Any:
    """The repairs to the parse that a speech tag needs (:func:`glue_subjects`,
    :func:`name_tags`)."""
    return name_tags(glue_subjects(doc))


def register_parse_repairs() -> None:
    from spacy.language import Language

    if not Language.has_factory(PARSE_REPAIRS):
        Language.component(PARSE_REPAIRS, func=parse_repairs)


# Rare dash characters the parser has seldom seen, and the common one each stands for: the
# horizontal bar HuffPost sets between clauses was tagged a verb or a noun, and the parse of
# the sentence around it went wrong ("― Trump boasted, “...”" lost its speaker).
EQUIVALENT_PUNCTUATION = {
    "\u2015": "\u2014",  # horizontal bar: em dash
    "\u2012": "\u2013",  # figure dash: en dash
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
}


def equate_punctuation(nlp: Language) -> None:
    """Make the models read each rare dash of :data:`EQUIVALENT_PUNCTUATION` as its common
    form: the lexical attributes the tagger, parser and entity recognizer look at (norm,
    shape, prefix, suffix, punctuation flag) are copied onto its entry in the vocabulary.
    The text and every offset stay the document's own."""
    for rare, common in EQUIVALENT_PUNCTUATION.items():
        source, target = nlp.vocab[common], nlp.vocab[rare]
        target.norm_ = source.norm_
        target.shape_ = source.shape_
        target.prefix_ = source.prefix_
        target.suffix_ = source.suffix_
        target.is_punct = source.is_punct


ATTRIBUTE_RULER = "attribute_ruler"
# the token attributes a one-token rule of the attribute ruler may test to be matched here
_RULE_TESTS = ("TAG", "LOWER", "DEP", "IS_SPACE")


class RuleMatches:
    """The matches of a spaCy attribute ruler's rules, the same list its own ``match`` gives,
    found faster: each rule of one token that tests only its tag, lowercase form, dependency
    label or whitespace (with a value or an ``IN`` / ``NOT_IN`` list) is compared against the
    document's arrays at once; the others (several tokens, regular expressions) go to a
    spaCy matcher of their own. The ruler of ``en_core_web_sm`` holds 179 rules, 171 of them
    of the first kind; spaCy's matcher tries each rule on each token, which took a sixth of
    the pipeline's time. The ruler still sets the attributes itself."""

    def __init__(self, ruler: Any) -> None:
        from spacy.attrs import IDS
        from spacy.matcher import Matcher

        strings = ruler.vocab.strings
        self._strings = strings
        self._columns = [IDS[name] for name in _RULE_TESTS]
        self._rules: list[tuple[int, list[tuple[int, str, Any]]]] = []
        self._matcher = Matcher(ruler.vocab)
        for rule, entry in enumerate(ruler.patterns):
            tests = _array_tests(entry["patterns"], strings)
            if tests is None:
                self._matcher.add(str(rule), entry["patterns"])
            else:
                self._rules.append((rule, tests))

    def __call__(self, doc: Any) -> list[tuple[int, int, int, int]]:
        strings = self._strings
        found: list[tuple[int, int, int, int]] = []
        if len(doc):
            values = doc.to_array(self._columns).astype(np.uint64)
            for rule, tests in self._rules:
                hit = np.ones(len(doc), dtype=bool)
                for column, op, value in tests:
                    if op == "==":
                        hit &= values[:, column] == value
                    else:
                        inside = np.isin(values[:, column], value)
                        hit &= inside if op == "IN" else ~inside
                key = strings[str(rule)]
                found.extend((rule, key, int(i), int(i) + 1) for i in np.flatnonzero(hit))
        for key, start, end in self._matcher(doc, allow_missing=True):
            found.append((int(strings[key]), key, start, end))
        found.sort()
        return found


def _array_tests(patterns: list[Any], strings: Any) -> list[tuple[int, str, Any]] | None:
    """(column of :data:`_RULE_TESTS`, operator, value) for a rule of one pattern of one
    token that :class:`RuleMatches` compares on arrays; None for any other rule."""
    if len(patterns) != 1 or len(patterns[0]) != 1:
        return None
    tests: list[tuple[int, str, Any]] = []
    for name, value in patterns[0][0].items():
        if name not in _RULE_TESTS:
            return None
        column = _RULE_TESTS.index(name)
        if isinstance(value, bool):
            tests.append((column, "==", int(value)))
        elif isinstance(value, str):
            tests.append((column, "==", strings.add(value)))
        elif isinstance(value, dict) and value and set(value) <= {"IN", "NOT_IN"}:
            for op, listed in value.items():
                hashes = [strings.add(v) for v in listed]
                tests.append((column, op, np.array(hashes, dtype=np.uint64)))
        else:
            return None
    return tests


def quicken_attribute_ruler(nlp: Language) -> None:
    """Let the pipeline's attribute ruler find its rules' matches with :class:`RuleMatches`
    (the same matches, so the same attributes; a ruler whose rules change afterwards gets
    the matches of the rules it had here, so this is for loaded pipelines only)."""
    if ATTRIBUTE_RULER not in nlp.pipe_names:
        return
    ruler = nlp.get_pipe(ATTRIBUTE_RULER)
    if hasattr(ruler, "patterns") and hasattr(ruler, "match"):
        ruler.match = RuleMatches(ruler)
