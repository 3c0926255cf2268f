"""Reading a pack's files safely: bounded YAML, JSON Schema checks, and small validations.

YAML from files stancewatch did not write (packs, Markdown front matter) is read with
:class:`BoundedLoader`; every pack file is checked against its JSON Schema in
``stancewatch/schemas`` with errors that name the file, the entry and what was expected.
Shared by :mod:`stancewatch.packs` and :mod:`stancewatch.packs.actions`.
"""

from __future__ import annotations

import json
import os
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from yaml.composer import ComposerError
from yaml.nodes import Node

from stancewatch.errors import PackError

__all__ = [
    "schema_validator",
    "MAX_YAML_DEPTH",
    "BoundedLoader",
    "load_yaml",
    "check_regular",
    "check_schema",
    "read_text",
    "read_yaml",
    "check_date",
    "check_unique",
]


def schema_validator(name: str) -> Draft202012Validator:
    text = (resources.files("stancewatch") / "schemas" / f"{name}.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


# -- YAML from files stancewatch did not write (packs, Markdown front matter) ---------------
# An alias (``*name``) lets a few hundred bytes expand to billions of nodes (the "billion
# laughs"), and a deeply nested list exhausts the parser's recursion; neither has a use in the
# files stancewatch reads, so both are refused with a yaml.YAMLError that says where.

#: The deepest nesting of lists and mappings accepted in YAML.
MAX_YAML_DEPTH = 64


class BoundedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses aliases and nesting deeper than :data:`MAX_YAML_DEPTH`."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ComposerError(
                None,
                None,
                f"aliases (*{event.anchor}) are not allowed; write the value out",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise ComposerError(
                    None,
                    None,
                    f"nested deeper than {MAX_YAML_DEPTH} levels",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1


def load_yaml(text: str, loader: type[BoundedLoader] = BoundedLoader) -> Any:
    """The one document in ``text`` (``None`` when empty), read with ``loader``."""
    return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass


class _PackLoader(BoundedLoader):
    """Safe YAML that keeps dates as text, so a bad date gets our error, not a crash; no
    aliases and bounded nesting (see :class:`BoundedLoader`)."""


_PackLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def check_regular(file: Path, needed: str) -> None:
    """Refuse a pack file that is missing, a symlink loop or not a regular file."""
    if file.is_file():
        return
    if os.path.lexists(file):
        try:
            file.resolve(strict=True)
        except (OSError, RuntimeError):
            raise PackError(f"{file}: a broken symlink or a symlink loop") from None
        raise PackError(f"{file}: not a regular file (a folder, FIFO or device)")
    raise PackError(f"{file}: file not found ({needed}; see docs/packs.md)")


def _jsonable(value: Any) -> Any:
    """YAML turns 2025-01-20 into a date; the schemas speak JSON, so dates become strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _where(path: Any, data: Any) -> str:
    """Render a JSON path like ``actors[3] (id 'vance'): roles[0].start``."""
    parts: list[str] = []
    node = data
    for i, step in enumerate(path):
        if isinstance(step, int):
            label = f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if i == 1 and isinstance(node, dict) and "id" in node:
                label += f" (id {node['id']!r})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def check_schema(data: Any, schema: str, file: Path, prefix: str = "") -> None:
    errors = sorted(schema_validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise PackError(
            f"{file}: {prefix}{_where(first.absolute_path, data)}: {first.message}{more}"
        )


def read_text(file: Path, needed: str) -> str:
    """The text of a pack file that must be a regular file in UTF-8 (a byte-order mark is
    dropped); anything else is a PackError naming the file."""
    check_regular(file, needed)
    try:
        return file.read_text("utf-8-sig")
    except FileNotFoundError:
        raise PackError(f"{file}: file not found ({needed}; see docs/packs.md)") from None
    except UnicodeDecodeError as exc:
        raise PackError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def read_yaml(file: Path) -> Any:
    check_regular(file, f"a pack needs {file.name}")
    try:
        return _jsonable(load_yaml(file.read_text("utf-8"), _PackLoader))
    except UnicodeDecodeError as exc:
        raise PackError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PackError(f"{file}: {where}invalid YAML: {problem}") from exc


def check_date(value: str | None, file: Path, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PackError(f"{file}: {where}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def check_unique(ids: list[str], file: Path, what: str) -> None:
    seen: set[str] = set()
    for i, item_id in enumerate(ids):
        if item_id in seen:
            raise PackError(f"{file}: {what}[{i}]: duplicate id {item_id!r}")
        seen.add(item_id)
