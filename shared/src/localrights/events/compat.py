"""Schema snapshots of every event version, and the check that keeps changes compatible.

Each registered payload version has a committed JSON schema in ``events/schemas/`` named
``<type>.v<N>.json``. ``check()`` compares every model in the registry with its snapshot:

- a removed field, a changed type, a new required field or a field made required is
  *breaking*: the version must be bumped (see the versioning rules in ``registry``);
- an added optional field or a field made optional is *compatible*: the snapshot only
  needs refreshing;
- a model without a snapshot is *new*.

Run ``uv run python -m localrights.events.compat`` to see the report (exit 1 on any
problem) and ``... --write`` to write new and compatibly changed snapshots; ``--write``
never overwrites a snapshot with a breaking change.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from localrights.events import catalog as _catalog  # noqa: F401  (fills the registry)
from localrights.events.registry import EventPayload, EventType, all_event_types

SCHEMAS_DIR = Path(__file__).parent / "schemas"
REFRESH_COMMAND = "uv run python -m localrights.events.compat --write"

# Keywords that document a schema without changing what it accepts.
_ANNOTATIONS = frozenset({"title", "description", "examples", "default", "deprecated"})


class ChangeKind(StrEnum):
    BREAKING = "breaking"
    COMPATIBLE = "compatible"


@dataclass(frozen=True)
class Change:
    """One difference between a snapshot and the current model."""

    kind: ChangeKind
    path: str
    what: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.path}: {self.what}"


def snapshot_path(event_type: str, version: int, directory: Path = SCHEMAS_DIR) -> Path:
    """Where the snapshot of one payload version lives."""
    return directory / f"{event_type}.v{version}.json"


def model_schema(model: type[EventPayload]) -> dict[str, Any]:
    """The JSON schema a consumer validates this payload model against."""
    return model.model_json_schema(mode="validation")


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    seen: set[str] = set()
    while "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen or not ref.startswith("#/"):
            break
        seen.add(ref)
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _shape(schema: Any, root: dict[str, Any]) -> Any:
    """A schema with references inlined and annotations dropped: what it accepts."""
    if isinstance(schema, dict):
        resolved = _resolve(schema, root)
        return {
            k: _shape(v, root)
            for k, v in resolved.items()
            if k not in _ANNOTATIONS and k != "$defs"
        }
    if isinstance(schema, list):
        return [_shape(item, root) for item in schema]
    return schema


def _is_object(schema: dict[str, Any]) -> bool:
    return "properties" in schema


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every difference between two payload schemas, classified."""
    return list(_compare(old, old, new, new, "$"))


def _compare(
    old: dict[str, Any],
    old_root: dict[str, Any],
    new: dict[str, Any],
    new_root: dict[str, Any],
    path: str,
) -> Iterator[Change]:
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    if not (_is_object(old) and _is_object(new)):
        if _shape(old, old_root) != _shape(new, new_root):
            yield Change(
                ChangeKind.BREAKING,
                path,
                f"type changed from {_describe(old, old_root)} to {_describe(new, new_root)}",
            )
        return
    old_fields, new_fields = old["properties"], new["properties"]
    old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
    for name in old_fields:
        where = f"{path}.{name}"
        if name not in new_fields:
            yield Change(ChangeKind.BREAKING, where, "field removed")
            continue
        yield from _compare(old_fields[name], old_root, new_fields[name], new_root, where)
        if name in new_required and name not in old_required:
            yield Change(ChangeKind.BREAKING, where, "field made required")
        elif name in old_required and name not in new_required:
            yield Change(ChangeKind.COMPATIBLE, where, "field made optional")
    for name in new_fields.keys() - old_fields.keys():
        where = f"{path}.{name}"
        if name in new_required:
            yield Change(ChangeKind.BREAKING, where, "required field added")
        else:
            yield Change(ChangeKind.COMPATIBLE, where, "optional field added")
    others = ("additionalProperties", "type")
    for keyword in others:
        if _shape(old.get(keyword), old_root) != _shape(new.get(keyword), new_root):
            yield Change(ChangeKind.BREAKING, f"{path}", f"{keyword} changed")


def _describe(schema: dict[str, Any], root: dict[str, Any]) -> str:
    return json.dumps(_shape(schema, root), sort_keys=True)


@dataclass(frozen=True)
class Finding:
    """The state of one payload version against its snapshot."""

    event_type: str
    version: int
    status: str  # "ok" | "new" | "compatible" | "breaking"
    changes: tuple[Change, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def explain(self) -> str:
        name = f"{self.event_type} v{self.version}"
        if self.status == "new":
            return f"{name}: no snapshot yet; run `{REFRESH_COMMAND}`"
        lines = [f"{name}: {self.status} change"]
        lines += [f"  - {change}" for change in self.changes]
        if self.status == "compatible":
            lines.append(f"  compatible: refresh the snapshot with `{REFRESH_COMMAND}`")
        elif self.status == "breaking":
            lines.append(
                "  breaking: bump the event's version (keep this model in older_versions with "
                f"an example), then run `{REFRESH_COMMAND}`; see localrights.events.registry"
            )
        return "\n".join(lines)


def _versions(event_type: EventType) -> Iterator[tuple[int, type[EventPayload]]]:
    yield event_type.version, event_type.model
    yield from event_type.older_versions.items()


def check_model(
    event_type: str, version: int, model: type[EventPayload], directory: Path = SCHEMAS_DIR
) -> Finding:
    """Compare one payload model with the snapshot of its version."""
    path = snapshot_path(event_type, version, directory)
    if not path.exists():
        return Finding(event_type, version, "new")
    changes = compare(json.loads(path.read_text()), model_schema(model))
    if any(change.kind is ChangeKind.BREAKING for change in changes):
        status = "breaking"
    elif changes or json.loads(path.read_text()) != model_schema(model):
        status = "compatible"
    else:
        status = "ok"
    return Finding(event_type, version, status, tuple(changes))


def check(
    event_types: Iterable[EventType] | None = None, directory: Path = SCHEMAS_DIR
) -> list[Finding]:
    """Every registered payload version against its snapshot."""
    return [
        check_model(et.type, version, model, directory)
        for et in (all_event_types() if event_types is None else event_types)
        for version, model in _versions(et)
    ]


def orphan_snapshots(directory: Path = SCHEMAS_DIR) -> list[Path]:
    """Snapshots of versions the registry no longer declares (their events are gone)."""
    known = {
        snapshot_path(et.type, version, directory).name
        for et in all_event_types()
        for version in et.versions
    }
    return sorted(p for p in directory.glob("*.json") if p.name not in known)


def write_snapshots(directory: Path = SCHEMAS_DIR) -> list[Finding]:
    """Write new and compatibly changed snapshots; return what was refused (breaking)."""
    directory.mkdir(parents=True, exist_ok=True)
    refused: list[Finding] = []
    for et in all_event_types():
        for version, model in _versions(et):
            finding = check_model(et.type, version, model, directory)
            if finding.status == "breaking":
                refused.append(finding)
            elif finding.status in ("new", "compatible"):
                text = json.dumps(model_schema(model), indent=2, sort_keys=True) + "\n"
                snapshot_path(et.type, version, directory).write_text(text)
    return refused


def main(argv: list[str] | None = None) -> int:
    """Report the snapshot check; with ``--write``, refresh what may be refreshed."""
    parser = argparse.ArgumentParser(prog="python -m localrights.events.compat")
    parser.add_argument(
        "--write", action="store_true", help="write new and compatibly changed snapshots"
    )
    args = parser.parse_args(argv)
    if args.write:
        for finding in write_snapshots():
            sys.stderr.write(finding.explain() + "\n")
    problems = [finding for finding in check() if not finding.ok]
    for finding in problems:
        sys.stderr.write(finding.explain() + "\n")
    for orphan in orphan_snapshots():
        sys.stderr.write(f"{orphan.name}: no registered event has this version any more\n")
    if not problems:
        sys.stdout.write(f"all event schemas match their snapshots in {SCHEMAS_DIR}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
