"""The exchange-rate table of a pack: lookup (direct, inverse, crossed, stale), validation
like facts.csv, and `stancewatch facts rates add|list|validate`."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stancewatch.claims.currency import MAX_RATE_AGE_DAYS, RateTable, known_currency
from stancewatch.claims.factbase import add_rate, load_rates
from stancewatch.claims.ratebase import parse_rates_csv
from stancewatch.cli import app
from stancewatch.errors import PackError
from stancewatch.packs import default_pack_path, load_pack
from stancewatch.records import ExchangeRate

runner = CliRunner()
HEADER = "date,base,quote,rate,source,url,retrieved,notes\n"
ECB = "European Central Bank"


def rate(day: date, base: str, quote: str, value: float) -> ExchangeRate:
    return ExchangeRate(day, base, quote, value, ECB, "https://www.ecb.europa.eu/")


TABLE = RateTable(
    [
        rate(date(2024, 12, 31), "EUR", "USD", 1.0389),
        rate(date(2024, 12, 31), "EUR", "GBP", 0.82918),
    ]
)


@pytest.mark.parametrize(
    "base, quote, wanted, expected, on",
    [
        ("EUR", "USD", date(2024, 12, 31), Decimal("1.0389"), date(2024, 12, 31)),
        ("USD", "EUR", date(2024, 12, 31), Decimal(1) / Decimal("1.0389"), date(2024, 12, 31)),
        (
            "GBP",
            "USD",
            date(2025, 1, 1),  # a holiday: the latest rate before it
            Decimal(1) / Decimal("0.82918") * Decimal("1.0389"),
            date(2024, 12, 31),
        ),
        ("EUR", "EUR", date(2020, 1, 1), Decimal(1), date(2020, 1, 1)),
    ],
)
def test_rate_lookup(base, quote, wanted, expected, on) -> None:
    found = TABLE.find(base, quote, wanted)
    assert found is not None and found.rate == expected and found.on == on


@pytest.mark.parametrize(
    "base, quote, wanted",
    [
        ("EUR", "USD", date(2024, 12, 30)),  # before the only rate: never a later rate
        ("EUR", "USD", date(2025, 1, 9)),  # more than a week after the latest rate
        ("EUR", "JPY", date(2024, 12, 31)),
    ],
)
def test_no_rate(base, quote, wanted) -> None:
    assert TABLE.find(base, quote, wanted) is None
    assert f"no {base}→{quote} exchange rate" in TABLE.missing(base, quote, wanted)


def test_rates_older_than_the_limit_are_not_used() -> None:
    assert TABLE.find("EUR", "USD", date(2025, 1, 7)) is not None  # 7 days
    assert MAX_RATE_AGE_DAYS == 7 and TABLE.find("EUR", "USD", date(2025, 1, 8)) is None


def test_conversion_is_exact_decimal_arithmetic_and_described() -> None:
    found = TABLE.find("EUR", "USD", date(2024, 12, 31))
    assert found is not None and found.apply(132e9) == 137134800000.0
    assert "1 EUR = 1.0389 USD" in found.describe() and ECB in found.describe()
    assert "31 December 2024" in found.describe()


def test_known_currency() -> None:
    assert known_currency("UAH") and known_currency("EUR")
    assert not known_currency("EURO") and not known_currency("XYZ")


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "2024-12-31,EUR,USX,1.0389,ECB,https://e.example/,,\n",
            "line 2: quote: 'USX' is not an ISO 4217",
        ),
        (
            "2024-12-31,EUR,USD,one,ECB,https://e.example/,,\n",
            "line 2: rate: 'one' is not a number",
        ),
        ("2024-12-31,EUR,USD,-1,ECB,https://e.example/,,\n", "line 2"),
        ("2024-13-31,EUR,USD,1.04,ECB,https://e.example/,,\n", "line 2"),
        ("2024-12-31,EUR,EUR,1,ECB,https://e.example/,,\n", "base and quote are both EUR"),
        ("2024-12-31,EUR,USD,1.04,ECB,ftp://e.example/,,\n", "line 2"),
        (
            "2024-12-31,EUR,USD,1.04,ECB,https://e.example/,,\n"
            "2024-12-31,USD,EUR,0.96,ECB,https://e.example/,,\n",
            "line 3: a USD/EUR rate for 2024-12-31 is already given (line 2)",
        ),
    ],
)
def test_rates_are_validated_with_the_line(body, message) -> None:
    with pytest.raises(PackError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_rates_csv(HEADER + body, Path("rates.csv"))


def test_rates_header_is_checked() -> None:
    with pytest.raises(PackError, match="missing column.*rate.*expected columns"):
        parse_rates_csv("date,base,quote\n", Path("rates.csv"))


def test_default_pack_has_the_ecb_rates_the_facts_need() -> None:
    pack = load_pack()
    table = RateTable(pack.rates)
    for fact in pack.facts:
        if fact.unit == "money" and fact.period_end is not None:
            for quote in ("USD", "EUR"):
                assert table.find(fact.currency or "", quote, fact.period_end) is not None
    found = table.find("EUR", "USD", date(2024, 12, 31))
    assert found is not None and found.rate == Decimal("1.0389") and found.on == date(2024, 12, 31)
    assert all(r.source.startswith(ECB) and r.retrieved for r in pack.rates)


def test_facts_currency_must_be_an_iso_code(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(default_pack_path(), folder)
    facts = folder / "facts.csv"
    facts.write_text(facts.read_text("utf-8").replace(",money,EUR,", ",money,EUX,", 1), "utf-8")
    with pytest.raises(PackError, match="currency.*not an ISO 4217"):
        load_pack(folder)


def test_add_rate_appends_and_refuses_duplicates(tmp_path: Path) -> None:
    row = {"date": "2025-06-30", "base": "EUR", "quote": "USD", "rate": "1.172",
           "source": ECB, "url": "https://www.ecb.europa.eu/"}  # fmt: skip
    added = add_rate(tmp_path, row)
    assert added.rate == 1.172 and added.retrieved is None
    assert load_rates(tmp_path / "rates.csv") == (added,)
    before = (tmp_path / "rates.csv").read_text("utf-8")
    with pytest.raises(PackError, match="already given"):
        add_rate(tmp_path, {**row, "base": "USD", "quote": "EUR", "rate": "0.85"})
    with pytest.raises(PackError, match="unknown field"):
        add_rate(tmp_path, {**row, "when": "today"})
    assert (tmp_path / "rates.csv").read_text("utf-8") == before


def test_rates_commands(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(default_pack_path(), folder)
    listed = runner.invoke(app, ["facts", "rates", "list", "--pack", str(folder), "-f", "csv"])
    assert listed.exit_code == 0 and "2024-12-31,EUR,USD,1.0389" in listed.output
    added = runner.invoke(
        app,
        ["facts", "rates", "add", "--pack", str(folder), "--date", "2025-06-30", "--base", "EUR",
         "--quote", "JPY", "--rate", "169.17", "--source", ECB, "--url",
         "https://www.ecb.europa.eu/"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    checked = runner.invoke(app, ["facts", "rates", "validate", str(folder)])
    assert checked.exit_code == 0
    assert "135 valid rates" in checked.output and "EUR/JPY" in checked.output
    assert "EUR/JPY on 2025-06-30 has no retrieved date" in checked.output
    assert load_pack(folder).rates[-1].quote == "JPY"
    bad = runner.invoke(
        app,
        ["facts", "rates", "add", "--pack", str(folder), "--date", "2025-06-30", "--base", "EUR",
         "--quote", "ZZZ", "--rate", "1", "--source", ECB, "--url", "https://e.example/"],
    )  # fmt: skip
    assert bad.exit_code == 1 and "not an ISO 4217 currency code" in bad.output
