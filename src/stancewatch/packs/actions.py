"""A pack's acts: ``actions.yaml`` or ``actions.csv``, read and validated.

Acts that are not speech (votes, decisions, orders, signatures, sanctions, aid pauses), each
coded on one of the pack's positions with a side and a source. :func:`load_actions` is called
by :func:`stancewatch.packs.load_pack`; the file format is in docs/packs.md.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from stancewatch.errors import PackError
from stancewatch.packs.files import check_date, check_schema, check_unique, read_text, read_yaml
from stancewatch.records import Action

__all__ = ["ACTION_COLUMNS", "load_actions"]


ACTION_COLUMNS = (
    "id",
    "actor",
    "date",
    "kind",
    "position",
    "side",
    "description",
    "source",
    "url",
    "notes",
)


def load_actions(file: Path, actor_ids: set[str], position_ids: set[str]) -> tuple[Action, ...]:
    """Acts from ``actions.yaml`` or ``actions.csv`` (optional in a pack; see docs/packs.md).

    Every entry names a known actor and position, a side and a source URL; errors name the
    file, the entry (the line, for CSV) and the problem.
    """
    entries: list[tuple[str, dict[str, Any]]] = []
    if file.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(read_text(file, "the actions file")))
        columns = reader.fieldnames or []
        unknown = [c for c in columns if c not in ACTION_COLUMNS]
        if unknown:
            raise PackError(
                f"{file}: line 1: unknown column(s) {', '.join(unknown)}; expected: "
                f"{', '.join(ACTION_COLUMNS)}"
            )
        for row in reader:
            if None in row:
                raise PackError(f"{file}: line {reader.line_num}: more fields than columns")
            clean = {k: v.strip() for k, v in row.items() if v is not None and v.strip()}
            if clean:
                entries.append((f"line {reader.line_num} (id {clean.get('id')!r})", clean))
        for where, entry in entries:
            check_schema({"actions": [entry]}, "actions", file, prefix=f"{where}: ")
    else:
        data = read_yaml(file)
        check_schema(data, "actions", file)
        entries = [
            (f"actions[{i}] (id {item['id']!r})", item) for i, item in enumerate(data["actions"])
        ]
    actions = []
    for where, item in entries:
        if item["actor"] not in actor_ids:
            raise PackError(
                f"{file}: {where}: actor: unknown actor {item['actor']!r}; actors must be ids "
                "from actors.yaml"
            )
        if item["position"] not in position_ids:
            raise PackError(
                f"{file}: {where}: position: unknown position {item['position']!r}; positions "
                "must be ids from positions.yaml"
            )
        day = check_date(item["date"], file, f"{where}: date")
        assert day is not None  # the schema requires it
        actions.append(
            Action(
                id=item["id"],
                actor=item["actor"],
                date=day,
                kind=item["kind"],
                position_id=item["position"],
                side=item["side"],
                description=item["description"],
                source=item["source"],
                url=item["url"],
                notes=item.get("notes", ""),
            )
        )
    check_unique([a.id for a in actions], file, "actions")
    return tuple(actions)
