"""Knowledge packs: actors, positions (the codebook) and facts for one debate.

A pack is a folder with ``pack.yaml``, ``actors.yaml``, ``positions.yaml`` and ``facts.csv``
(or ``facts.yaml``), and optionally ``narratives.yaml`` and ``actions.yaml`` (or
``actions.csv``: acts such as votes and decisions, coded on positions). Each file is checked against a JSON Schema in ``stancewatch/schemas``;
errors name the file, the entry (and line, for CSV) and what was expected. See
docs/packs.md.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from stancewatch.errors import NotFoundError, PackError
from stancewatch.packs.actions import load_actions
from stancewatch.packs.files import (
    check_date,
    check_schema,
    check_unique,
    load_yaml,
    read_text,
    read_yaml,
)
from stancewatch.records import (
    Action,
    Actor,
    Debunk,
    ExchangeRate,
    Fact,
    Narrative,
    Position,
    Role,
)

__all__ = [
    "DEFAULT_PACK",
    "FACT_COLUMNS",
    "Pack",
    "PackError",
    "default_pack_path",
    "demo_corpus_path",
    "fact_from_row",
    "load_actions",
    "load_actors",
    "load_facts",
    "load_narratives",
    "load_pack",
    "load_positions",
    "load_yaml",
    "parse_facts_csv",
    "read_text",
    "read_yaml",
]

DEFAULT_PACK = "default"
FACT_COLUMNS = (
    "id",
    "measure",
    "subject",
    "value",
    "value_high",
    "unit",
    "currency",
    "period",
    "period_start",
    "period_end",
    "source",
    "url",
    "retrieved",
    "keywords",
    "notes",
)


@dataclass(frozen=True)
class Pack:
    """A loaded, validated pack."""

    name: str
    version: str
    description: str
    path: Path
    actors: tuple[Actor, ...]
    positions: tuple[Position, ...]
    facts: tuple[Fact, ...]
    narratives: tuple[Narrative, ...] = ()  # from narratives.yaml, when present
    actions: tuple[Action, ...] = ()  # from actions.yaml or actions.csv, when present
    # The pack's own trained stance model: the folder ``stance_model`` in pack.yaml names,
    # inside the pack (None when it names none). Used when no backend is chosen.
    stance_model: Path | None = None
    # Published exchange rates from rates.csv, when present (stancewatch.claims.ratebase).
    rates: tuple[ExchangeRate, ...] = ()

    def actor(self, actor_id: str) -> Actor:
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        known = ", ".join(sorted(a.id for a in self.actors))
        raise NotFoundError(
            f"Unknown actor {actor_id!r} in pack {self.name!r}. Known actors: {known}"
        )

    def position(self, position_id: str) -> Position:
        for position in self.positions:
            if position.id == position_id:
                return position
        known = ", ".join(sorted(p.id for p in self.positions))
        raise NotFoundError(
            f"Unknown position {position_id!r} in pack {self.name!r}. Known positions: {known}"
        )


def default_pack_path() -> Path:
    """The folder of the pack bundled with stancewatch."""
    return Path(str(resources.files("stancewatch") / "packs" / DEFAULT_PACK))


def demo_corpus_path() -> Path:
    """The demo corpus bundled beside the default pack: short summaries written for the
    project from the public record of January–March 2025 (Markdown with front matter; see
    its README)."""
    return Path(str(resources.files("stancewatch") / "demo_corpus"))


def load_actors(file: Path) -> tuple[Actor, ...]:
    data = read_yaml(file)
    check_schema(data, "actors", file)
    actors = []
    for i, item in enumerate(data["actors"]):
        roles = []
        for j, role in enumerate(item.get("roles") or []):
            where = f"actors[{i}] (id {item['id']!r}): roles[{j}]"
            start = check_date(role.get("start"), file, where + ".start")
            end = check_date(role.get("end"), file, where + ".end")
            if start and end and end < start:
                raise PackError(f"{file}: {where}: end {end} is before start {start}")
            roles.append(Role(role["title"], tuple(role.get("descriptions") or ()), start, end))
        actors.append(
            Actor(
                id=item["id"],
                name=item["name"],
                kind=item.get("kind", "person"),
                aliases=tuple(item.get("aliases") or ()),
                roles=tuple(roles),
                affiliation=item.get("affiliation"),
                gender=item.get("gender"),
                wikidata=item.get("wikidata"),
                born=check_date(item.get("born"), file, f"actors[{i}] (id {item['id']!r}).born"),
            )
        )
    check_unique([a.id for a in actors], file, "actors")
    return tuple(actors)


def load_positions(file: Path, actor_ids: set[str]) -> tuple[str, tuple[Position, ...]]:
    data = read_yaml(file)
    check_schema(data, "positions", file)
    version = str(data.get("version", ""))
    positions = []
    for i, item in enumerate(data["positions"]):
        for j, holder in enumerate(item.get("holders") or []):
            if holder not in actor_ids:
                raise PackError(
                    f"{file}: positions[{i}] (id {item['id']!r}): holders[{j}]: unknown actor "
                    f"{holder!r}; holders must be actor ids from actors.yaml"
                )
        positions.append(
            Position(
                id=item["id"],
                topic=item["topic"],
                proposition=item["proposition"],
                holders=tuple(item.get("holders") or ()),
                supports=tuple(item.get("supports") or ()),
                opposes=tuple(item.get("opposes") or ()),
                version=version,
            )
        )
    check_unique([p.id for p in positions], file, "positions")
    return version, tuple(positions)


def fact_from_row(row: dict[str, Any], file: Path, where: str) -> Fact:
    clean: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
    clean = {k: v for k, v in clean.items() if v not in ("", None)}
    for key in ("value", "value_high"):
        if key in clean and isinstance(clean[key], str):
            try:
                number = float(clean[key].replace(",", ""))
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise PackError(
                    f"{file}: {where}: {key}: {clean[key]!r} is not a number in range "
                    "(write plain numbers: 114000000000, 57, 0.5)"
                ) from None
            clean[key] = number
    check_schema(clean, "facts", file, prefix=f"{where}: ")
    if clean["unit"] == "money" and not clean.get("currency"):
        raise PackError(f"{file}: {where}: currency is required when unit is money (e.g. USD)")
    if clean.get("currency"):
        from stancewatch.claims.currency import known_currency

        if not known_currency(clean["currency"]):
            raise PackError(
                f"{file}: {where}: currency: {clean['currency']!r} is not an ISO 4217 currency "
                "code (e.g. USD, EUR, GBP, UAH)"
            )
    fact = Fact(
        id=clean["id"],
        measure=clean["measure"],
        subject=clean["subject"],
        value=float(clean["value"]),
        value_high=float(clean["value_high"]) if "value_high" in clean else None,
        unit=clean["unit"],
        currency=clean.get("currency"),
        period=clean["period"],
        period_start=check_date(clean.get("period_start"), file, where + ": period_start"),
        period_end=check_date(clean.get("period_end"), file, where + ": period_end"),
        source=clean["source"],
        url=clean["url"],
        retrieved=check_date(clean["retrieved"], file, where + ": retrieved") or date.min,
        keywords=tuple(k.strip() for k in str(clean.get("keywords", "")).split(";") if k.strip()),
        notes=clean.get("notes", ""),
    )
    if fact.value_high is not None and fact.value_high < fact.value:
        raise PackError(
            f"{file}: {where}: value_high {fact.value_high} is below value {fact.value}"
        )
    return fact


def parse_facts_csv(text: str, file: Path) -> tuple[Fact, ...]:
    """Facts from CSV text. Errors name the file and the line."""
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in ("id", "measure", "subject", "value", "unit") if c not in columns]
    if missing:
        raise PackError(
            f"{file}: line 1: missing column(s) {', '.join(missing)}; found {', '.join(columns) or 'none'}; "
            f"expected columns: {', '.join(FACT_COLUMNS)}"
        )
    unknown = [c for c in columns if c not in FACT_COLUMNS]
    if unknown:
        raise PackError(
            f"{file}: line 1: unknown column(s) {', '.join(unknown)}; expected: {', '.join(FACT_COLUMNS)}"
        )
    facts = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise PackError(f"{file}: line {line}: more fields than the {len(columns)} columns")
        if not any((v or "").strip() for v in row.values()):
            continue
        facts.append(fact_from_row(row, file, f"line {line} (id {row.get('id')!r})"))
    check_unique([f.id for f in facts], file, "facts")
    return tuple(facts)


def load_facts(file: Path) -> tuple[Fact, ...]:
    if file.suffix.lower() in (".yaml", ".yml"):
        data = read_yaml(file)
        if not isinstance(data, dict) or not isinstance(data.get("facts"), list):
            raise PackError(f"{file}: expected a mapping with a 'facts' list")
        facts = tuple(
            fact_from_row(item, file, f"facts[{i}]") for i, item in enumerate(data["facts"])
        )
        check_unique([f.id for f in facts], file, "facts")
        return facts
    return parse_facts_csv(read_text(file, "the facts file"), file)


def load_narratives(file: Path) -> tuple[Narrative, ...]:
    """Known narratives from ``narratives.yaml`` (optional in a pack; see docs/packs.md)."""
    data = read_yaml(file)
    check_schema(data, "narratives", file)
    version = str(data.get("version", ""))
    narratives = tuple(
        Narrative(
            id=item["id"],
            title=item["title"],
            claims=tuple(item["claims"]),
            description=item.get("description", ""),
            counter_claims=tuple(item.get("counter_claims", [])),
            debunks=tuple(
                Debunk(d["source"], d["url"], d.get("title", "")) for d in item.get("debunks", [])
            ),
            version=version,
        )
        for item in data["narratives"]
    )
    check_unique([n.id for n in narratives], file, "narratives")
    return narratives


def load_pack(path: str | Path | None = None) -> Pack:
    """Load and validate a pack folder (default: the bundled pack)."""
    folder = Path(path) if path is not None else default_pack_path()
    if not folder.is_dir():
        raise PackError(
            f"{folder}: not a folder; a pack is a folder with pack.yaml, actors.yaml, positions.yaml and facts.csv"
        )
    meta = read_yaml(folder / "pack.yaml")
    check_schema(meta, "pack", folder / "pack.yaml")
    actors = load_actors(folder / "actors.yaml")
    _, positions = load_positions(folder / "positions.yaml", {a.id for a in actors})
    # A facts file that exists in any form (a symlink loop too) is read, so that what is
    # wrong with it is reported instead of the pack silently having no facts.
    facts_file = next(
        (
            folder / n
            for n in ("facts.csv", "facts.yaml", "facts.yml")
            if os.path.lexists(folder / n)
        ),
        None,
    )
    facts = load_facts(facts_file) if facts_file else ()
    narratives_file = folder / "narratives.yaml"
    narratives = load_narratives(narratives_file) if os.path.lexists(narratives_file) else ()
    actions_file = next(
        (
            folder / n
            for n in ("actions.yaml", "actions.yml", "actions.csv")
            if os.path.lexists(folder / n)
        ),
        None,
    )
    actions = (
        load_actions(actions_file, {a.id for a in actors}, {p.id for p in positions})
        if actions_file
        else ()
    )
    rates_file = folder / "rates.csv"
    rates: tuple[ExchangeRate, ...] = ()
    if os.path.lexists(rates_file):
        from stancewatch.claims.ratebase import parse_rates_csv

        rates = parse_rates_csv(read_text(rates_file, "the rates file"), rates_file)
    model = meta.get("stance_model")
    if model is not None and (Path(model).is_absolute() or ".." in Path(model).parts):
        raise PackError(
            f"{folder / 'pack.yaml'}: stance_model: {model!r} must name a folder inside the "
            "pack, e.g. stance-model"
        )
    return Pack(
        name=meta["name"],
        version=str(meta["version"]),
        description=meta.get("description", ""),
        path=folder,
        actors=actors,
        positions=positions,
        facts=facts,
        narratives=narratives,
        actions=actions,
        stance_model=folder / model if model is not None else None,
        rates=rates,
    )
