"""Load a registry file or folder and report every problem in it at once.

A maintainer fixing a 400-entity file wants the whole list, not one error per run, so the
checks never stop at the first problem: the schema checks every record, and the rules that
span records (unique ids, one owner per handle, ids that must exist) run on the raw data,
so they still run when some record is malformed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from knowledge.registry.schema import Registry
from knowledge.registry.yaml_io import (
    FieldPath,
    LineFinder,
    SourceFile,
    YamlSyntaxError,
    parse,
    read_source,
    registry_files,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a registry file, located for the person who will fix it."""

    file: Path
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "line": self.line,
            "field": self.field,
            "message": self.message,
        }


class RegistryInvalid(Exception):
    """The registry cannot be used; `problems` lists everything found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the registry")
        self.problems = problems


def load_registry(path: Path) -> Registry:
    """The registry at `path` (a file or a folder), or RegistryInvalid with every problem."""
    files = registry_files(path)
    if not path.exists():
        raise RegistryInvalid([Problem(path, None, "", "no such file or folder")])
    if not files:
        raise RegistryInvalid([Problem(path, None, "", "no .yaml or .yml file in this folder")])
    checker = _Checker()
    for file in files:
        checker.add_file(file)
    return checker.result()


def format_path(path: FieldPath) -> str:
    """('entities', 3, 'accounts', 0, 'handle') -> 'entities[3].accounts[0].handle'."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


@dataclass
class _Claim:
    """Where a value that must be unique or must exist was written."""

    source: SourceFile
    path: FieldPath
    owner: str | None = None


@dataclass
class _Checker:
    """Collects problems file by file, then checks what spans files."""

    problems: list[tuple[SourceFile, FieldPath, str]] = field(default_factory=list)
    fatal: list[Problem] = field(default_factory=list)
    registries: list[Registry] = field(default_factory=list)
    ids: dict[str, _Claim] = field(default_factory=dict)
    handles: dict[tuple[str, str], _Claim] = field(default_factory=dict)
    references: list[tuple[str, _Claim]] = field(default_factory=list)
    finders: dict[Path, LineFinder] = field(default_factory=dict)

    def add_file(self, file: Path) -> None:
        try:
            source = read_source(file)
            data = parse(source)
        except UnicodeDecodeError as exc:
            self.fatal.append(Problem(file, None, "", f"not UTF-8 text ({exc.reason})"))
            return
        except YamlSyntaxError as exc:
            where = f" (column {exc.column})" if exc.column else ""
            self.fatal.append(
                Problem(file, exc.line, "", f"YAML syntax error{where}: {exc.message}")
            )
            return
        if data is None:
            return  # an empty file is an empty part of the registry
        if not isinstance(data, dict):
            self.problems.append(
                (source, (), "the file must be a mapping with 'entities' and/or 'non_official'")
            )
            return
        try:
            self.registries.append(Registry.model_validate(data))
        except ValidationError as exc:
            for error in exc.errors():
                self.problems.append((source, tuple(error["loc"]), _message(error)))
        self._collect_claims(source, data)

    def _collect_claims(self, source: SourceFile, data: dict[str, Any]) -> None:
        for index, entity in _records(data, "entities"):
            path: FieldPath = ("entities", index)
            entity_id = entity.get("id")
            if isinstance(entity_id, str):
                self._claim_id(entity_id, _Claim(source, (*path, "id")))
            owner = entity_id if isinstance(entity_id, str) else f"entities[{index}]"
            for acc_index, account in _items(entity.get("accounts")):
                acc_path = (*path, "accounts", acc_index, "handle")
                self._claim_handle(account, _Claim(source, acc_path, owner))
            for sp_index, person in _items(entity.get("spokespeople")):
                for acc_index, account in _items(person.get("accounts")):
                    acc_path = (*path, "spokespeople", sp_index, "accounts", acc_index, "handle")
                    self._claim_handle(account, _Claim(source, acc_path, owner))
            self._refer(entity.get("parent"), _Claim(source, (*path, "parent")))
            for succ_index, successor in _items(entity.get("successors"), dicts_only=False):
                self._refer(successor, _Claim(source, (*path, "successors", succ_index)))
        for index, record in _records(data, "non_official"):
            path = ("non_official", index)
            self._claim_handle(record, _Claim(source, (*path, "handle"), None))
            self._refer(record.get("imitates"), _Claim(source, (*path, "imitates")))

    def _claim_id(self, entity_id: str, claim: _Claim) -> None:
        first = self.ids.get(entity_id)
        if first is None:
            self.ids[entity_id] = claim
        else:
            self.problems.append(
                (
                    claim.source,
                    claim.path,
                    f"duplicate id '{entity_id}', first used at {self._where(first)}",
                )
            )

    def _claim_handle(self, record: dict[str, Any], claim: _Claim) -> None:
        platform, handle = record.get("platform"), record.get("handle")
        if not isinstance(platform, str) or not isinstance(handle, str):
            return
        key = (platform.strip().casefold(), handle.strip().removeprefix("@").casefold())
        first = self.handles.get(key)
        if first is None:
            self.handles[key] = claim
            return
        shown = f"{platform} handle '{handle}'"
        if first.owner is None or claim.owner is None:
            kind = (
                "a non-official handle" if first.owner is None else f"an account of '{first.owner}'"
            )
            message = (
                f"{shown} is already {kind} at {self._where(first)}; "
                "a handle is official or not, never both"
            )
            if first.owner is None and claim.owner is None:
                message = f"{shown} is listed twice as non-official (first at {self._where(first)})"
        elif first.owner == claim.owner:
            message = f"{shown} is listed twice on '{claim.owner}' (first at {self._where(first)})"
        else:
            message = f"{shown} already belongs to '{first.owner}' at {self._where(first)}"
        self.problems.append((claim.source, claim.path, message))

    def _refer(self, value: Any, claim: _Claim) -> None:
        if isinstance(value, str):
            self.references.append((value, claim))

    def _where(self, claim: _Claim) -> str:
        line = self._finder(claim.source).line(claim.path)
        return f"{claim.source.path.name}:{line}" if line else claim.source.path.name

    def result(self) -> Registry:
        # A file that could not be read defines ids nobody can see: references to them
        # would all look broken, so they are checked only when every file was read.
        references = [] if self.fatal else self.references
        for value, claim in references:
            if value not in self.ids:
                self.problems.append((claim.source, claim.path, f"no entity has the id '{value}'"))
        problems = self.fatal + self._located()
        if problems:
            raise RegistryInvalid(problems)
        return Registry(
            entities=[e for r in self.registries for e in r.entities],
            non_official=[n for r in self.registries for n in r.non_official],
        )

    def _finder(self, source: SourceFile) -> LineFinder:
        """One finder per file, so each file is parsed for lines once at most."""
        if source.path not in self.finders:
            self.finders[source.path] = LineFinder(source)
        return self.finders[source.path]

    def _located(self) -> list[Problem]:
        located = [
            Problem(source.path, self._finder(source).line(path), format_path(path), message)
            for source, path, message in self.problems
        ]
        return sorted(located, key=lambda p: (str(p.file), p.line or 0))


def _records(data: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    yield from _items(data.get(key))


def _items(value: Any, dicts_only: bool = True) -> Iterator[tuple[int, Any]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict) or not dicts_only:
                yield index, item


def _message(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return "unknown field"
    return message
