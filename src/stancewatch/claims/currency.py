"""Converting sourced money figures between currencies at a pack's published, dated rates.

A pack's ``rates.csv`` (see docs/packs.md) lists exchange rates as published by a named
source, each for one day: ``2024-12-31,EUR,USD,1.0389`` says that on 31 December 2024 one
euro was worth 1.0389 US dollars (the ECB euro reference rate). :class:`RateTable` finds the
rate for a pair of currencies on a day: the rate of that day, else of the latest earlier day
no more than :data:`MAX_RATE_AGE_DAYS` before (reference rates are not published on weekends
and holidays), written directly, inverted (USD → EUR from EUR → USD) or crossed through a
currency both are quoted against (GBP → USD through EUR, on the same day). Nothing is ever
fetched: a pair the table does not have is not converted, and the checker says which rate it
would need.

Arithmetic is done in :class:`decimal.Decimal` on the rate as published, so a conversion
shown in an explanation can be redone by hand; currency codes are checked against the ISO
4217 list of the Unicode CLDR (through Babel).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from stancewatch.records import ExchangeRate, Fact

__all__ = [
    "MAX_RATE_AGE_DAYS",
    "RATE_AT",
    "Conversion",
    "RateTable",
    "known_currency",
    "convert_fact",
]

MAX_RATE_AGE_DAYS = 7  # the latest rate at most this many days before the day wanted
# When a figure is converted: at the end of the fact's period (a total up to a date is worth
# what it was worth then) or on the date the claim was made.
RATE_AT = ("period-end", "claim-date")


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def known_currency(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 currency code (USD, EUR, UAH, ...)."""
    return code in _iso_codes()


@dataclass(frozen=True)
class Conversion:
    """One ``base`` is worth ``rate`` ``quote`` on ``on`` (the day of the rate used), from
    ``rates`` (one published rate, or two for a cross rate); ``wanted`` is the day asked for
    and ``basis`` why that day ("period-end" or "claim-date")."""

    base: str
    quote: str
    rate: Decimal
    on: date
    wanted: date
    basis: str
    rates: tuple[ExchangeRate, ...]
    via: str = ""  # the currency a cross rate goes through

    def apply(self, value: float) -> float:
        """``value`` in ``base`` expressed in ``quote``."""
        return float(Decimal(repr(float(value))) * self.rate)

    @property
    def sources(self) -> str:
        """The publishers of the rate(s) used, each named once."""
        return "; ".join(dict.fromkeys(r.source for r in self.rates))

    def describe(self) -> str:
        """ "the rate of 31 December 2024, the end of the fact's period (1 EUR = 1.0389 USD,
        European Central Bank euro reference rate)"."""
        why = "the end of the fact's period" if self.basis == "period-end" else "the claim's date"
        day = _day(self.on)
        if self.on != self.wanted:
            day += f", the latest published before {_day(self.wanted)}, {why}"
        else:
            day += f", {why}"
        how = f", crossed through {self.via}" if self.via else ""
        shown = f"1 {self.base} = {_rate_text(self.rate)} {self.quote}"
        return f"the rate of {day} ({shown}{how}; {self.sources})"


def _day(d: date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _rate_text(rate: Decimal) -> str:
    return format(rate, ".6g")


class RateTable:
    """The exchange rates of a pack, by day."""

    def __init__(self, rates: Iterable[ExchangeRate]) -> None:
        self.rates = tuple(rates)
        self._by_day: dict[date, list[ExchangeRate]] = {}
        for r in self.rates:
            self._by_day.setdefault(r.day, []).append(r)
        self._days = sorted(self._by_day)

    def __bool__(self) -> bool:
        return bool(self.rates)

    def find(
        self, base: str, quote: str, wanted: date, basis: str = "period-end"
    ) -> Conversion | None:
        """The conversion from ``base`` to ``quote`` for ``wanted``, else None."""
        if base == quote:
            return Conversion(base, quote, Decimal(1), wanted, wanted, basis, ())
        earliest = wanted - timedelta(days=MAX_RATE_AGE_DAYS)
        for day in reversed(self._days):
            if day > wanted:
                continue
            if day < earliest:
                break
            found = self._on(day, base, quote)
            if found is not None:
                rate, used, via = found
                return Conversion(base, quote, rate, day, wanted, basis, used, via)
        return None

    def _on(
        self, day: date, base: str, quote: str
    ) -> tuple[Decimal, tuple[ExchangeRate, ...], str] | None:
        legs: dict[tuple[str, str], tuple[Decimal, ExchangeRate]] = {}
        for r in self._by_day[day]:
            value = Decimal(repr(float(r.rate)))
            legs.setdefault((r.base, r.quote), (value, r))
            legs.setdefault((r.quote, r.base), (Decimal(1) / value, r))
        if (base, quote) in legs:
            rate, r = legs[(base, quote)]
            return rate, (r,), ""
        for (a, pivot), (first, r1) in sorted(legs.items()):
            if a != base or (pivot, quote) not in legs:
                continue
            second, r2 = legs[(pivot, quote)]
            return first * second, (r1, r2), pivot
        return None

    def missing(self, base: str, quote: str, wanted: date) -> str:
        """Why no conversion was found, for an explanation."""
        near = [
            d for d in self._days if any({r.base, r.quote} & {base, quote} for r in self._by_day[d])
        ]
        shown = ", ".join(d.isoformat() for d in near[-3:]) or "none"
        return (
            f"no {base}→{quote} exchange rate in the pack's rates.csv for {wanted.isoformat()} "
            f"or the {MAX_RATE_AGE_DAYS} days before (latest dates with a rate for either "
            f"currency: {shown}); add one with `stancewatch facts rates add`"
        )


def rate_day(fact: Fact, when: date | None, rate_at: str) -> tuple[date, str] | None:
    """The day to convert ``fact`` at and why: its period's end (else start) or the claim's
    date, as ``rate_at`` asks, falling back to the other when the one asked for is unknown."""
    end = fact.period_end or fact.period_start
    order = [(end, "period-end"), (when, "claim-date")]
    if rate_at == "claim-date":
        order.reverse()
    for day, basis in order:
        if day is not None:
            return day, basis
    return None


def convert_fact(fact: Fact, conversion: Conversion) -> Fact:
    """``fact`` with its value (and range) in ``conversion.quote``; the id stays the same."""
    high = None if fact.value_high is None else conversion.apply(fact.value_high)
    return replace(
        fact, value=conversion.apply(fact.value), value_high=high, currency=conversion.quote
    )
