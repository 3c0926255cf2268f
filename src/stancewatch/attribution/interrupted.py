"""Speech tags set off by commas inside the sentence they report.

"The ceasefire, Peskov told reporters on Monday, would not hold": the tag stands between the
subject of what was said and the rest of it, and the parse often hangs one side on the tag
("ceasefire" as a loose dependent of "told", "would not hold" as its clause), so the content
the dependents give is one side only. :func:`around_tag` gives both sides: the span from the
sentence's first word to its last, running over the tag, as the content of a tag that the
parse makes a parenthesis ("The plan, he said, is dead") already is.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Span, Token

from stancewatch.attribution.cues import cue_of
from stancewatch.attribution.cues import subject as subject_of

# what a tag may hold between its verb and the comma that closes it: "told reporters on
# Monday", "said in a statement", "wrote later"
_TAG_DEPS = frozenset({"dobj", "dative", "prep", "npadvmod", "advmod", "prt", "agent"})
# verbs whose object is whom they address: "told reporters", "assured the allies"
_ADDRESSING = frozenset({"tell", "assure", "warn", "remind", "inform", "brief"})
_CONJUNCTIONS = frozenset({"and", "but", "or", "yet", "so"})
_FINITE = frozenset({"MD", "VBD", "VBZ", "VBP"})


def _hangs_outside(lead: Token, side: Span) -> bool:
    """Whether a side opens with a participle that hangs on a word outside it: "citing ..." on
    the tag, "Asked about ..." on a later verb; not a participle that is its side's subject."""
    if lead.tag_ not in ("VBG", "VBN") or lead.dep_ == "prep":
        return False  # "..., experts say, including ...": a preposition in a participle's form
    return not side[0].i <= lead.head.i <= side[-1].i


def around_tag(verb: Token, subject: Token, quoted: Sequence[int]) -> list[Token] | None:
    """The words on both sides of a tag "<subject> <verb> ..." that commas set off inside its
    sentence, when both sides are plain prose (no quotation, which has its own rules) and what
    follows the tag goes on with what was said rather than with the tag: not "..., he said,
    and left", "..., he said, citing ...". None when the tag does not stand so."""
    doc = verb.doc
    sent = verb.sent
    if subject.i > verb.i or subject.head.i != verb.i:
        return None
    start = subject.left_edge.i
    if start - 1 <= sent.start or doc[start - 1].text != ",":
        return None
    if doc[start - 2].tag_ in ("WDT", "WP"):
        return None  # "the stadium, which, Tompkins said, is ...": a tag inside a relative clause
    tagged = [c for c in verb.children if c.i > verb.i and c.dep_ in _TAG_DEPS]
    if any(c.tag_ in ("WRB", "WP") for c in tagged):
        return None  # "Mr. Cruz described how, growing up, ...": the tag goes on
    if any(c.dep_ == "dobj" for c in tagged) and verb.lemma_.lower() not in _ADDRESSING:
        return None  # "some Democrats express reservations about ...": a verb with an object
    own = {t.i for c in tagged for t in c.subtree}
    close = verb.i + 1
    while close < sent.end and close in own:
        close += 1
    if close >= sent.end or doc[close].text != ",":
        return None
    first = sent.start
    while first < start - 1 and (doc[first].is_space or doc[first].is_punct):
        first += 1
    last = sent.end - 1
    while last > close and (doc[last].is_space or doc[last].is_punct):
        last -= 1
    left = doc[first : start - 1]
    right = doc[close + 1 : last + 1]
    if not len(left) or not len(right):
        return None
    lead = next((t for t in right if not (t.is_space or t.is_punct)), None)
    if lead is None or quoted[left[0].i] >= 0 or quoted[lead.i] >= 0:
        return None  # a side that opens a quotation: the quotation's rules take it
    if _hangs_outside(left[0], left):
        return None  # "Asked about ..., Christie said ...": a participle on a clause of its own
    if any(t.tag_ in _FINITE and cue_of(t) is not None and subject_of(t) is not None for t in left):
        return None  # "Christie said that ... - no different, he said, from ...": a tag before
    if lead.dep_ == "mark" or lead.pos_ == "SCONJ":
        return None  # "..., lawmakers said Friday, as they bristled at ...": the tag goes on
    if lead.lower_ in _CONJUNCTIONS and not (
        any(t.dep_ in ("nsubj", "nsubjpass", "expl") for t in right)
        and any(t.tag_ in _FINITE for t in right)
    ):
        return None  # "..., he said, and left": the tag goes on
    if _hangs_outside(lead, right):
        return None  # "..., he said, citing ...", not "..., he said, replacing her would be ..."
    if not any(t.pos_ in ("VERB", "AUX") for t in (*left, *right)):
        return None
    return list(doc[first : last + 1])
