"""Finding quantities in text: percentages, money, counts, multiples, with ranges and bounds.

``parse_quantities("Aid reached $118–120 billion")`` returns one :class:`Quantity` with
``value=118e9, value_high=120e9, unit="money", currency="USD", scale=1e9`` and character
offsets into the text. Dates, times, years, ordinals, phone numbers, clause numbers
("Article 5", "resolution 2774"), durations ("three years", "within 24 hours") and numbers that
modify a noun ("a 30-day ceasefire", "a 28-point plan") are not quantities. A comparative
straight after the number ("$200 billion more than Europe") marks it as a difference
(:attr:`Quantity.comparison`). The word lists live in ``stancewatch/data/units.yaml`` (loaded
by :mod:`stancewatch.claims.lexicon`); this module only holds the grammar.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from stancewatch.claims.lexicon import Lexicon, Phrases, lexicon
from stancewatch.claims.lexicon import Tok as _Tok
from stancewatch.claims.lexicon import tokenize as _tokenize
from stancewatch.records import Approximation, Unit

__all__ = ["Quantity", "parse_quantities", "lexicon"]

_DASHES = frozenset("-–—‒−")
_CHANGE_WORDS = frozenset({"from", "rose", "fell", "grew", "dropped", "increased", "decreased"})
_LINKS = frozenset({"or", "and", "to"} | _DASHES)


@dataclass(frozen=True)
class Quantity:
    """One quantity found in a text; ``start``/``end`` are character offsets into it.

    ``comparison`` is the comparative written straight after the number ("more", "fewer",
    "higher"): the number is then a difference between two quantities, not a total.
    """

    value: float
    value_high: float | None
    unit: Unit
    currency: str | None
    scale: float
    approximation: Approximation
    start: int
    end: int
    text: str
    comparison: str | None = None


_INDEXES: dict[int, tuple[Phrases, dict[str, list[tuple[tuple[str, ...], Any]]]]] = {}


def _index(phrases: Phrases) -> dict[str, list[tuple[tuple[str, ...], Any]]]:
    """The phrases of a table by their first word, so that a token is compared only with
    the phrases it can start (the tables have hundreds of entries)."""
    found = _INDEXES.get(id(phrases))
    if found is None or found[0] is not phrases:
        index: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        for words, value in phrases.items():
            if words:
                index.setdefault(words[0], []).append((words, value))
        found = (phrases, index)
        _INDEXES[id(phrases)] = found
    return found[1]


def _match(tokens: list[_Tok], i: int, phrases: Phrases) -> tuple[int, Any] | None:
    """The longest phrase starting at token ``i``: (index after it, its value)."""
    best: tuple[int, Any] | None = None
    if i >= len(tokens):
        return None
    for words, value in _index(phrases).get(tokens[i].low, ()):
        end = i + len(words)
        if (
            (best is None or end > best[0])
            and end <= len(tokens)
            and all(tokens[i + k].low == w for k, w in enumerate(words))
        ):
            best = (end, value)
    return best


def _low(tokens: list[_Tok], i: int) -> str:
    return tokens[i].low if 0 <= i < len(tokens) else ""


def _attached(tokens: list[_Tok], i: int) -> bool:
    """Token ``i`` touches the token before it (no space between)."""
    return 0 < i < len(tokens) and tokens[i].start == tokens[i - 1].end


@dataclass
class _Atom:
    """One number with its unit, before ranges and bounds are applied."""

    number: Decimal
    end: int  # token index after the atom
    num_tokens: tuple[int, ...]
    kind: str = "digits"  # digits, words, fraction, ratio, multiple
    scale: float | None = None
    unit: str | None = None  # percent, percentage_point, money, multiple, or None (count)
    currency: str | None = None
    bare: bool = False  # a bare "one"/"two"
    year: bool = False


def _words_number(tokens: list[_Tok], i: int, lx: Lexicon) -> tuple[Decimal, int] | None:
    """A written number: "three", "twenty-five", "three hundred (and) fifty", "a dozen"."""

    def small(j: int) -> tuple[int, int] | None:
        w = _low(tokens, j)
        if w not in lx.small:
            return None
        val = lx.small[w]
        if val >= 20 and val % 10 == 0 and _low(tokens, j + 1) in _DASHES:
            unit = lx.raw["number_words"]["units"].get(_low(tokens, j + 2))
            if unit is not None and 0 < unit < 10:
                return val + unit, j + 3
        if val >= 20 and val % 10 == 0 and 0 < lx.small.get(_low(tokens, j + 1), 0) < 10:
            return val + lx.small[_low(tokens, j + 1)], j + 2
        return val, j + 1

    first = small(i)
    if first is None:
        nxt = _low(tokens, i + 1)
        if _low(tokens, i) in ("a", "an") and (nxt in lx.multipliers or nxt in lx.scale_words):
            first = (1, i + 1)
        else:
            return None
    value, j = first
    mult = lx.multipliers.get(_low(tokens, j))
    if mult is not None:
        value, j = value * mult, j + 1
        k = j + 1 if _low(tokens, j) == "and" else j
        rest = small(k) if mult == 100 else None
        if rest is not None:
            value, j = value + rest[0], rest[1]
    return Decimal(value), j


def _fraction(tokens: list[_Tok], i: int, lx: Lexicon) -> tuple[Decimal, int, int] | None:
    """ "a third", "two-thirds", "half": (share, index after, numerator token index)."""
    w = _low(tokens, i)
    if w in ("a", "an", "one"):
        num, j = Decimal(1), i + 1
    elif w in lx.raw["number_words"]["units"] and lx.small[w] > 1:
        num, j = Decimal(lx.small[w]), i + 1
    elif w in ("half", "halves"):
        num, j = Decimal(1), i
    else:
        return None
    if _low(tokens, j) in _DASHES and j > i:
        j += 1
    denom = lx.fractions.get(_low(tokens, j))
    if denom is None or _low(tokens, i - 1) in lx.raw["fraction_blockers"]:
        return None
    nxt = tokens[j + 1] if j + 1 < len(tokens) else None
    if denom == 2:
        ok = nxt is None or nxt.kind == "sym" or nxt.low in ("of", "the", "a", "an", "as", "what")
    else:
        ok = nxt is None or nxt.kind == "sym" or nxt.low in ("of", "as")
    if not ok or tokens[j].low.endswith("s") and num == 1 and w != "half":
        return None
    return num / Decimal(denom), j + 1, i


def _currency_prefix(tokens: list[_Tok], i: int, text: str, lx: Lexicon) -> tuple[str, int]:
    """A currency symbol or code at token ``i``: (ISO code, index after) or ("", i)."""
    if i >= len(tokens):
        return "", i
    pos = tokens[i].start
    for prefix, code in lx.prefixes:
        if text.startswith(prefix, pos):
            end_char, j = pos + len(prefix), i
            while j < len(tokens) and tokens[j].end <= end_char:
                j += 1
            if tokens[j - 1].end == end_char and j < len(tokens) and tokens[j].kind != "sym":
                return code, j
    return "", i


def _atom(tokens: list[_Tok], i: int, text: str, lx: Lexicon) -> _Atom | None:
    """[currency] number [scale] [unit] starting at token ``i``."""
    currency, j = _currency_prefix(tokens, i, text, lx)
    tok = tokens[j] if j < len(tokens) else None
    if tok is None:
        return None
    atom: _Atom | None = None
    if tok.kind == "num":
        if not currency and _attached(tokens, j):
            prev = tokens[j - 1]
            # "MH17", "F-16", "COVID-19": part of a name, not a quantity.
            glued_dash = prev.low in _DASHES and _attached(tokens, j - 1)
            if prev.kind == "word" or (glued_dash and tokens[j - 2].kind == "word"):
                return None
        atom = _Atom(Decimal(tok.text.replace(",", "")), j + 1, (j,))
        atom.year = "," not in tok.text and "." not in tok.text and _is_year(int(tok.text), lx)
        if not currency and (_low(tokens, j - 1) in lx.references or _dotted_ref(tokens, j, lx)):
            return None
    elif tok.kind == "word":
        frac = _fraction(tokens, j, lx)
        if frac is not None and not currency:
            atom = _Atom(frac[0], frac[1], (frac[2],), kind="fraction")
        else:
            words = _words_number(tokens, j, lx)
            if words is not None:
                atom = _Atom(words[0], words[1], (j,), kind="words")
                atom.bare = tok.low in lx.raw["number_words"]["bare_ignored"]
            elif tok.low in lx.multiple_words and _low(tokens, j + 1) in lx.comparisons:
                return _Atom(Decimal(str(lx.multiple_words[tok.low])), j + 1, (j,), "multiple")
            elif tok.low in lx.fold:
                return _Atom(Decimal(str(lx.fold[tok.low])), j + 1, (j,), "multiple")
            elif tok.low in lx.multiple_verbs and _is_multiple_verb(tokens, j, lx):
                return _Atom(Decimal(str(lx.multiple_verbs[tok.low])), j + 1, (j,), "multiple")
    if atom is None:
        return None
    atom.currency = currency or None
    _and_a_half(tokens, atom)
    _scale(tokens, atom, lx)
    _unit(tokens, atom, text, lx)
    return atom


def _is_year(n: int, lx: Lexicon) -> bool:
    years = lx.raw["dates"]["years"]
    return bool(years["min"] <= n <= years["max"])


def _dotted_ref(tokens: list[_Tok], j: int, lx: Lexicon) -> bool:
    return _low(tokens, j - 1) == "." and _low(tokens, j - 2) in lx.dotted_references


def _is_multiple_verb(tokens: list[_Tok], j: int, lx: Lexicon) -> bool:
    w, nxt = tokens[j].low, _low(tokens, j + 1)
    if nxt == "down":
        return False
    return w.endswith(("ed", "ing")) or nxt in lx.comparisons


def _and_a_half(tokens: list[_Tok], atom: _Atom) -> None:
    k = atom.end
    if atom.kind in ("digits", "words") and [_low(tokens, k + n) for n in range(3)] == [
        "and",
        "a",
        "half",
    ]:
        atom.number += Decimal("0.5")
        atom.end = k + 3


def _scale(tokens: list[_Tok], atom: _Atom, lx: Lexicon) -> None:
    k = atom.end
    if atom.kind == "fraction" and _low(tokens, k) in ("a", "an"):
        k += 1  # "half a million"
    elif _low(tokens, k) in _DASHES and _low(tokens, k + 1) in lx.scale_words:
        k += 1  # "a $350-billion package"
    w = _low(tokens, k)
    glued = _attached(tokens, k) and atom.kind == "digits"
    scale = lx.scale_words.get(w) or lx.scale_abbrevs.get(w)
    if scale is None and glued:
        scale = lx.scale_attached.get(w)
        if scale is None and atom.currency:
            scale = lx.scale_attached_money.get(w)
    if scale is not None:
        atom.scale, atom.end = scale, k + 1
        if (more := lx.scale_words.get(_low(tokens, k + 1))) is not None:
            atom.scale, atom.end = scale * more, k + 2  # "lakh crore"


def _unit(tokens: list[_Tok], atom: _Atom, text: str, lx: Lexicon) -> None:
    k = atom.end
    if _low(tokens, k) in _DASHES and _attached(tokens, k) and _attached(tokens, k + 1):
        k += 1  # "4-percent", "350-billion-dollar"
    if atom.kind == "fraction" and atom.scale is None:
        nxt, after = _low(tokens, k), _low(tokens, k + 1)
        if nxt == "as" or (nxt == "of" and after in ("what", "that")):
            atom.unit = "multiple"
        else:
            atom.unit, atom.number = "percent", (atom.number * 100).quantize(Decimal("0.1"))
        return
    tok = tokens[k] if k < len(tokens) else None
    if tok is None:
        if atom.currency:
            atom.unit = "money"
        return
    found: tuple[int, Any] | None
    if (found := _match(tokens, k, lx.points)) is not None:
        atom.unit, atom.end = "percentage_point", found[0]
    elif (found := _match(tokens, k, lx.percent)) is not None:
        atom.unit, atom.end = "percent", found[0]
    elif (found := _match(tokens, k, lx.basis_points)) is not None:
        atom.unit, atom.end, atom.number = "percentage_point", found[0], atom.number / 100
    elif tok.low in lx.bare_points and _low(tokens, k + 1) in lx.comparatives and not atom.scale:
        atom.unit, atom.end = "percentage_point", k + 1  # "5 points higher"
    elif (found := _match(tokens, k, lx.suffixes)) is not None and (
        atom.currency in (None, found[1])
    ):
        atom.unit, atom.currency, atom.end = "money", found[1], found[0]
    elif tok.text in lx.symbols and not atom.currency and _low(tokens, k + 1)[:1].isalpha():
        atom.unit, atom.currency, atom.end = "money", lx.symbols[tok.text], k + 1  # "114 €"
    elif tok.text in lx.symbols and not atom.currency and k + 1 == len(tokens):
        atom.unit, atom.currency, atom.end = "money", lx.symbols[tok.text], k + 1
    elif atom.currency:
        atom.unit = "money"
    elif _multiple_suffix(tokens, k, lx):
        atom.unit, atom.kind, atom.end = "multiple", "multiple", k + 1
    elif atom.scale is None and tok.low in ("in", "out"):
        _ratio(tokens, atom, k, lx)


def _multiple_suffix(tokens: list[_Tok], k: int, lx: Lexicon) -> bool:
    """ "3 times more", "3-fold", "10x"."""
    w = tokens[k].low
    if w == "times":
        return _low(tokens, k + 1) in lx.comparisons
    return w == "fold" or (w == "x" and _attached(tokens, k))


def _ratio(tokens: list[_Tok], atom: _Atom, k: int, lx: Lexicon) -> None:
    """ "one in five", "9 out of 10" → a percent share."""
    k = k + 2 if tokens[k].low == "out" and _low(tokens, k + 1) == "of" else k + 1
    if k >= len(tokens) or tokens[k - 1].low not in ("in", "of"):
        return
    if tokens[k].kind == "num" and "," not in tokens[k].text and "." not in tokens[k].text:
        denom, end = Decimal(tokens[k].text), k + 1
        if _is_year(int(denom), lx):
            return
    elif (words := _words_number(tokens, k, lx)) is not None:
        denom, end = words
    else:
        return
    if Decimal(2) <= denom <= Decimal(1000) and 0 < atom.number < denom:
        atom.number = (atom.number * 100 / denom).quantize(Decimal("0.1"))
        atom.unit, atom.kind, atom.end, atom.bare, atom.year = "percent", "ratio", end, False, False


def _merge_range(low: _Atom, high: _Atom) -> tuple[Decimal, Decimal] | None:
    """The two ends of "X to Y", scaled, or None when they do not form a range."""
    if low.kind not in ("digits", "words") or high.kind not in ("digits", "words"):
        return None
    if low.unit and high.unit and low.unit != high.unit:
        return None
    if low.currency and high.currency and low.currency != high.currency:
        return None
    low_scale = low.scale
    if low_scale is None and high.scale is not None and low.number <= high.number:
        low_scale = high.scale  # "$118–120 billion": the scale word covers both
    a = low.number * Decimal(low_scale or 1)
    b = high.number * Decimal(high.scale or 1)
    if not a < b:
        return None
    low.scale = low_scale
    low.unit = low.unit or high.unit
    low.currency = low.currency or high.currency
    return a, b


def _parse_at(
    tokens: list[_Tok], i: int, text: str, lx: Lexicon, blocked: list[tuple[int, int]]
) -> tuple[Quantity | None, int] | None:
    """The quantity starting at token ``i`` and the index after it; (None, end) skips a
    stretch that holds no quantity (a year, a date, a tally); None when nothing starts here."""
    between = _low(tokens, i) == "between"
    approx: Approximation = "exact"
    j = i + 1 if between else i
    if not between and (found := _match(tokens, i, lx.approximators)) is not None:
        j, approx = found
    low = _atom(tokens, j, text, lx)
    if low is None:
        return None
    end, high = low.end, None
    values: tuple[Decimal, Decimal | None] | None = None
    connector = _low(tokens, end)
    is_change = _low(tokens, j - 1) in _CHANGE_WORDS
    if (between and connector == "and") or (
        not between and not is_change and (connector in _DASHES or connector == "to")
    ):
        high = _atom(tokens, end + 1, text, lx)
        values = _merge_range(low, high) if high is not None else None
        if values is not None and high is not None:
            end = high.end
    if between and values is None:
        return None
    if values is None and high is not None and connector in _DASHES and not (low.unit or high.unit):
        return None, high.end  # a score or tally ("adopted 10–0"), not two quantities
    if values is None:
        values = (low.number * Decimal(low.scale or 1), None)
    value, value_high = values
    if approx == "exact" and (found := _match(tokens, end, lx.approximator_suffixes)) is not None:
        is_plus = tokens[end].low == "plus"
        if not (is_plus and end + 1 < len(tokens) and tokens[end + 1].kind == "num"):
            end, approx = found
    ranged = high is not None and value_high is not None
    atoms = [low, high] if high is not None and ranged else [low]
    unit = low.unit or ("multiple" if low.kind == "multiple" else None)
    scale = high.scale if high is not None and ranged else low.scale
    if not _keep(tokens, atoms, unit, approx, end, lx, blocked):
        return None, end
    comparison = _low(tokens, end) if _low(tokens, end) in lx.comparatives else None
    start_char, end_char = tokens[i].start, tokens[end - 1].end
    if not all(math.isfinite(float(v)) for v in (value, value_high, scale or 1) if v is not None):
        return None, end  # beyond the range of a float ("10^400"): not a checkable figure
    q = Quantity(
        value=float(value),
        value_high=None if value_high is None else float(value_high),
        unit=unit or "count",  # type: ignore[arg-type]
        currency=low.currency if unit == "money" else None,
        scale=float(scale or 1.0),
        approximation=approx,
        start=start_char,
        end=end_char,
        text=text[start_char:end_char],
        comparison=None if unit == "multiple" else comparison,
    )
    return q, end


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether ``position`` falls in one of ``spans`` (in text order, not overlapping)."""
    k = bisect.bisect_right(spans, (position, math.inf)) - 1
    return k >= 0 and spans[k][0] <= position < spans[k][1]


def _keep(
    tokens: list[_Tok],
    atoms: list[_Atom],
    unit: str | None,
    approx: str,
    end: int,
    lx: Lexicon,
    blocked: list[tuple[int, int]],
) -> bool:
    """Whether a parsed number is a quantity rather than a date, time, year or bare word."""
    for atom in atoms:
        for t in atom.num_tokens:
            if _inside(blocked, tokens[t].start):
                return False
    if _match(tokens, end, lx.time_suffixes) is not None and unit is None:
        return False
    if unit is None and _modifies_noun(tokens, end, lx):
        return False
    nxt = tokens[end] if end < len(tokens) else None
    if nxt is not None and nxt.kind == "word" and _attached(tokens, end) and unit is None:
        return False  # "1st", "5G", "3D"
    if unit is None and any(a.scale is None and a.year for a in atoms):
        return False
    low = atoms[0]
    return not (low.bare and unit is None and low.scale is None and approx == "exact")


def _modifies_noun(tokens: list[_Tok], end: int, lx: Lexicon) -> bool:
    """A duration ("three years", "30 or 40 years", "within 24 hours") or a compound modifier
    ("a 30-day ceasefire", "a 28-point plan"): the number is not a count of anything."""
    k = end
    hyphen = _low(tokens, k) in _DASHES and _attached(tokens, k) and _attached(tokens, k + 1)
    if hyphen:
        k += 1
    word = _low(tokens, k)
    if word in lx.time_units:
        return True
    if hyphen:
        return tokens[k].kind == "word" and word not in lx.compound_keep
    if word in _LINKS and k + 1 < len(tokens):  # "30 or 40 years", "two or three days"
        j = k + 1
        if tokens[j].kind == "num" or tokens[j].low in lx.small:
            j += 2 if _low(tokens, j + 1) in _DASHES else 1
            return _low(tokens, j) in lx.time_units
    return False


def parse_quantities(text: str) -> list[Quantity]:
    """All quantities in ``text``, in order, with character offsets into it.

    Never raises on any string; returns an empty list when nothing is found.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_quantities expects a str, got {type(text).__name__}")
    lx = lexicon()
    tokens = _tokenize(text)
    blocked = [m.span() for m in lx.blocked.finditer(text)]
    out: list[Quantity] = []
    i = 0
    while i < len(tokens):
        try:
            found = _parse_at(tokens, i, text, lx, blocked)
        except (InvalidOperation, ValueError, OverflowError):
            found = None
        if found is None:
            i += 1
            continue
        if found[0] is not None:
            out.append(found[0])
        i = max(found[1], i + 1)
    return out
