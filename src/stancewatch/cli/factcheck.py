"""Fact-checking commands: ``check``, ``facts list|add|validate|import`` and ``check-worthy``.

A thin skin over :mod:`stancewatch.claims.textcheck`, :mod:`stancewatch.claims.factbase` and
:class:`stancewatch.api.Project`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from stancewatch.cli.common import (
    DbOption,
    Format,
    FormatOption,
    PackOption,
    app,
    console,
    current_settings,
    date_option,
    emit,
    errors_to_exit,
    open_project,
    out,
)

facts_app = typer.Typer(
    help="List, add, validate and import the sourced facts claims are checked against.",
    invoke_without_command=True,
)
app.add_typer(facts_app, name="facts")


def _fact_frame(facts: Any) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": f.id,
                "measure": f.measure,
                "subject": f.subject,
                "value": f.value if f.value_high is None else f"{f.value:g}–{f.value_high:g}",
                "unit": f.unit + (f" {f.currency}" if f.currency else ""),
                "period": f.period,
                "source": f.source,
                "url": f.url,
            }
            for f in facts
        ],
        columns=["id", "measure", "subject", "value", "unit", "period", "source", "url"],
    )


def _list(pack: Path | None, fmt: Format) -> None:
    from stancewatch.packs import load_pack

    loaded = load_pack(pack)
    emit(_fact_frame(loaded.facts), fmt, title=f"Facts in {loaded.name} {loaded.version}")


@facts_app.callback()
@errors_to_exit
def facts_main(
    ctx: typer.Context, pack: PackOption = None, fmt: FormatOption = Format.table
) -> None:
    """List, add, validate and import sourced facts; without a subcommand, list them."""
    if ctx.invoked_subcommand is None:
        _list(pack, fmt)


@facts_app.command("list")
@errors_to_exit
def facts_list(pack: PackOption = None, fmt: FormatOption = Format.table) -> None:
    """List the pack's sourced facts.

    Example: `stancewatch facts list --format csv > facts.csv`
    """
    _list(pack, fmt)


PackDir = Annotated[Path, typer.Option("--pack", help="The pack folder whose facts.csv to change.")]


@facts_app.command("add")
@errors_to_exit
def facts_add(
    pack: PackDir,
    fact_id: Annotated[str, typer.Option("--id", help="Slug, unique in the pack.")],
    measure: Annotated[str, typer.Option(help="What is measured, in words.")],
    subject: Annotated[str, typer.Option(help="Whom it is about: an actor id or a place.")],
    value: Annotated[str, typer.Option(help="The figure as a plain number (114000000000).")],
    unit: Annotated[str, typer.Option(help="percent, percentage_point, money, count, multiple.")],
    period: Annotated[str, typer.Option(help='The period in words ("4–9 February 2025").')],
    source: Annotated[str, typer.Option(help="Who published the figure.")],
    url: Annotated[str, typer.Option(help="Where it can be checked.")],
    retrieved: Annotated[str, typer.Option(help="When it was read (YYYY-MM-DD).")],
    value_high: Annotated[str | None, typer.Option(help="Upper end of a range.")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO code for money (USD).")] = None,
    period_start: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
    period_end: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD).")] = None,
    keywords: Annotated[str | None, typer.Option(help="Other words, separated by ';'.")] = None,
    notes: Annotated[str | None, typer.Option(help="Caveats a reader should know.")] = None,
) -> None:
    """Validate one fact and append it to a pack's facts.csv.

    Example: `stancewatch facts add --pack my-pack --id kiis-2025-05 --measure "trust in Zelensky" --subject zelensky --value 74 --unit percent --period "May 2025" --source KIIS --url https://www.kiis.com.ua/ --retrieved 2025-06-01`
    """
    from stancewatch.claims.factbase import add_fact

    given = {
        "id": fact_id,
        "measure": measure,
        "subject": subject,
        "value": value,
        "value_high": value_high,
        "unit": unit,
        "currency": currency,
        "period": period,
        "period_start": period_start,
        "period_end": period_end,
        "source": source,
        "url": url,
        "retrieved": retrieved,
        "keywords": keywords,
        "notes": notes,
    }
    fact = add_fact(pack, {k: v for k, v in given.items() if v is not None})
    console.print(f"Added fact {fact.id} to {pack / 'facts.csv'}", highlight=False)


@facts_app.command("validate")
@errors_to_exit
def facts_validate(
    path: Annotated[Path, typer.Argument(help="A facts.csv / facts.yaml file or a pack folder.")],
) -> None:
    """Check a facts file (or a pack's facts and its source_authority); errors name the line.

    Example: `stancewatch facts validate my-pack/facts.csv`
    """
    from stancewatch.claims.factbase import disagreements, source_authority, validate_facts_file
    from stancewatch.packs import load_pack

    if path.is_dir():
        loaded = load_pack(path)
        facts, ranks = loaded.facts, source_authority(loaded)
    else:
        facts, ranks = validate_facts_file(path), {}
    out.print(f"{path}: {len(facts)} valid facts", highlight=False)
    if ranks:
        out.print(f"Source authority, most authoritative first: {', '.join(ranks)}")
    for line in disagreements(facts):
        out.print(f"Note: {line}", highlight=False, markup=False)


@facts_app.command("import")
@errors_to_exit
def facts_import(
    source: Annotated[Path, typer.Argument(help="A CSV file with facts.csv columns.")],
    pack: PackDir,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; write nothing.")] = False,
) -> None:
    """Append the valid rows of a CSV file to a pack's facts.csv; each bad line is named.

    Example: `stancewatch facts import new-facts.csv --pack my-pack`
    """
    from stancewatch.claims.factbase import import_facts

    result = import_facts(pack, source, dry_run=dry_run)
    for problem in result.errors:
        console.print(f"[red]Error:[/red] {problem}", highlight=False)
    verb = "Would add" if dry_run else "Added"
    console.print(
        f"{verb} {len(result.added)} fact(s); {len(result.skipped)} already in the pack"
        f"{' (' + ', '.join(result.skipped) + ')' if result.skipped else ''}; "
        f"{len(result.errors)} line(s) with errors.",
        highlight=False,
    )
    if result.errors:
        if result.added and not dry_run:
            console.print("Fix those lines and import again: ids already added are skipped.")
        raise typer.Exit(1)


rates_app = typer.Typer(
    help="List, add and validate the dated exchange rates comparisons across currencies use.",
    invoke_without_command=True,
)
facts_app.add_typer(rates_app, name="rates")


def _rate_frame(rates: Any) -> pd.DataFrame:
    columns = ["date", "base", "quote", "rate", "source", "url", "retrieved"]
    return pd.DataFrame(
        [
            {
                "date": r.day.isoformat(),
                "base": r.base,
                "quote": r.quote,
                "rate": r.rate,
                "source": r.source,
                "url": r.url,
                "retrieved": r.retrieved.isoformat() if r.retrieved else "",
            }
            for r in rates
        ],
        columns=columns,
    )


def _list_rates(pack: Path | None, fmt: Format) -> None:
    from stancewatch.packs import load_pack

    loaded = load_pack(pack)
    emit(_rate_frame(loaded.rates), fmt, title=f"Exchange rates in {loaded.name} {loaded.version}")


@rates_app.callback()
@errors_to_exit
def rates_main(
    ctx: typer.Context, pack: PackOption = None, fmt: FormatOption = Format.table
) -> None:
    """List, add and validate exchange rates; without a subcommand, list them."""
    if ctx.invoked_subcommand is None:
        _list_rates(pack, fmt)


@rates_app.command("list")
@errors_to_exit
def rates_list(pack: PackOption = None, fmt: FormatOption = Format.table) -> None:
    """List the pack's exchange rates (rates.csv), with their sources.

    Example: `stancewatch facts rates list --format csv`
    """
    _list_rates(pack, fmt)


@rates_app.command("add")
@errors_to_exit
def rates_add(
    pack: PackDir,
    day: Annotated[str, typer.Option("--date", help="The day of the rate (YYYY-MM-DD).")],
    base: Annotated[str, typer.Option(help="ISO code of the currency priced (EUR).")],
    quote: Annotated[str, typer.Option(help="ISO code of the currency it is priced in (USD).")],
    rate: Annotated[str, typer.Option(help="Units of quote for one unit of base (1.0389).")],
    source: Annotated[str, typer.Option(help="Who published the rate.")],
    url: Annotated[str, typer.Option(help="Where it can be checked.")],
    retrieved: Annotated[
        str | None, typer.Option(help="When it was read from the source (YYYY-MM-DD).")
    ] = None,
    notes: Annotated[str | None, typer.Option(help="Caveats a reader should know.")] = None,
) -> None:
    """Validate one exchange rate and append it to a pack's rates.csv.

    Example: `stancewatch facts rates add --pack my-pack --date 2024-12-31 --base EUR --quote USD --rate 1.0389 --source "European Central Bank" --url https://www.ecb.europa.eu/ --retrieved 2025-01-02`
    """
    from stancewatch.claims.factbase import add_rate
    from stancewatch.claims.ratebase import rates_csv_path

    given = {
        "date": day,
        "base": base,
        "quote": quote,
        "rate": rate,
        "source": source,
        "url": url,
        "retrieved": retrieved,
        "notes": notes,
    }
    added = add_rate(pack, {k: v for k, v in given.items() if v is not None})
    console.print(
        f"Added 1 {added.base} = {added.rate:g} {added.quote} on {added.day.isoformat()} to "
        f"{rates_csv_path(pack)}",
        highlight=False,
    )


@rates_app.command("validate")
@errors_to_exit
def rates_validate(
    path: Annotated[Path, typer.Argument(help="A rates.csv file or a pack folder.")],
) -> None:
    """Check a rates file (or a pack's rates.csv); errors name the line. Also lists the
    rates never read from their source (no retrieved date).

    Example: `stancewatch facts rates validate my-pack/rates.csv`
    """
    from stancewatch.claims.factbase import load_rates
    from stancewatch.claims.ratebase import rates_csv_path, unchecked

    file = rates_csv_path(path) if path.is_dir() else path
    rates = load_rates(file)
    pairs = sorted({f"{r.base}/{r.quote}" for r in rates})
    days = sorted({r.day for r in rates})
    span = f", {days[0].isoformat()} to {days[-1].isoformat()}" if days else ""
    out.print(
        f"{file}: {len(rates)} valid rates ({', '.join(pairs) or 'none'}{span})", highlight=False
    )
    for r in unchecked(rates):
        out.print(
            f"Note: {r.base}/{r.quote} on {r.day.isoformat()} has no retrieved date: check it "
            f"against {r.url}",
            highlight=False,
            markup=False,
        )


@app.command()
@errors_to_exit
def check(
    text: Annotated[
        str, typer.Argument(help="The text whose numeric claims to check ('-': stdin).")
    ],
    fmt: FormatOption = Format.table,
    pack: PackOption = None,
    said: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="When the text was said (YYYY-MM-DD): picks the facts' period and, with "
            "--rate-at claim-date, the exchange rate.",
        ),
    ] = None,
    rate_at: Annotated[
        str,
        typer.Option(
            "--rate-at",
            help="Convert currencies at the rate of the fact's period end (period-end) or of "
            "the --date (claim-date).",
        ),
    ] = "period-end",
    models: Annotated[
        bool,
        typer.Option(
            "--models/--no-models",
            help="Parse with spaCy and match measures with MiniLM (default), or use word "
            "windows and keyword overlap (fast, no models).",
        ),
    ] = True,
) -> None:
    """Check the numeric claims in a text against the pack's sourced facts.

    The text has no attribution: its claims are checked as one statement of unknown speaker.

    Example: `stancewatch check "Zelensky has a 4% approval rating" --format json`
    """
    from stancewatch.claims.factbase import source_authority
    from stancewatch.claims.textcheck import result_dict
    from stancewatch.packs import load_pack
    from stancewatch.pipeline import check_text

    if text == "-":
        text = sys.stdin.read()
    loaded = load_pack(pack)
    parse = similarity = None
    if models:
        from stancewatch.nlp import load_embedder, load_spacy

        precision = current_settings().precision
        parse, similarity = load_spacy(), load_embedder(precision=precision).similarity
    results = check_text(
        text,
        loaded,
        parse=parse,
        similarity=similarity,
        when=date_option(said),
        authority=source_authority(loaded),
        rate_at=_rate_at(rate_at),
    )
    rows = [result_dict(r) for r in results]
    if fmt is Format.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is Format.csv:
        flat = [
            {**{k: v for k, v in row.items() if k != "fact"}, **_fact_columns(row["fact"])}
            for row in rows
        ]
        emit(pd.DataFrame(flat), fmt)
        return
    _print_table(results)


def _rate_at(value: str) -> str:
    from stancewatch.claims.currency import RATE_AT

    if value not in RATE_AT:
        raise typer.BadParameter(
            f"{value!r}; valid values: {', '.join(RATE_AT)}", param_hint="--rate-at"
        )
    return value


def _fact_columns(fact: dict[str, Any] | None) -> dict[str, Any]:
    keys = ("id", "value", "value_high", "unit", "currency", "period", "source", "url")
    return {f"fact_{k}": (fact or {}).get(k) for k in keys}


def _print_table(results: list[Any]) -> None:
    from stancewatch.claims.figures import format_quantity

    if not results:
        out.print("No checkable numeric claim found.")
        return
    rows = []
    for r in results:
        f = r.fact
        rows.append(
            {
                "claim": r.claim.text,
                "measure": r.claim.measure,
                "subject": r.claim.subject or "",
                "verdict": r.verdict.label,
                "sourced figure": ""
                if f is None
                else format_quantity(f.value, f.unit, value_high=f.value_high, currency=f.currency)
                + f" ({f.period})",
                "claim ÷ source": "" if r.verdict.ratio is None else f"{r.verdict.ratio:g}×",
                "source": "" if f is None else f.source,
            }
        )
    emit(pd.DataFrame(rows), Format.table, title="Numeric claims")
    for i, r in enumerate(results, 1):
        out.print(f"{i}. {r.verdict.explanation}", highlight=False, markup=False)


@app.command("check-worthy")
@errors_to_exit
def check_worthy(
    db: DbOption = Path("stancewatch.db"),
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many to list.")] = 20,
    fmt: FormatOption = Format.table,
    pack: PackOption = None,
) -> None:
    """List stored statements by check-worthiness: figures, comparisons, causal claims, named
    actors first.

    Example: `stancewatch check-worthy --db corpus.db --limit 10`
    """

    with open_project(db, pack) as project:
        frame = project.check_worthy(limit=limit)
    columns = ["score", "speaker", "actor", "date", "content", "reasons"]
    emit(frame if fmt is not Format.table else frame[columns], fmt, title="Most check-worthy")
