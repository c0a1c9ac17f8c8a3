"""Load a registry file or folder and report every problem in it at once.

A maintainer fixing a 400-entity file wants the whole list, not one error per run, so the
checks never stop at the first problem: the schema checks every record, and the rules that
span records (unique ids, one owner per handle, ids that must exist) run on the raw data,
so they still run when some record is malformed.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from knowledge.registry.handles import Platform, handle_key
from knowledge.registry.schema import AccountStatus, Entity, NonOfficial, Policy, Registry
from knowledge.registry.sharing import sharing
from knowledge.registry.yaml_io import (
    FieldPath,
    LineFinder,
    NotAMapping,
    NotUtf8,
    YamlSyntaxError,
    registry_files,
    top_level,
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
    with paused_gc(), sharing():
        for file in files:
            checker.add_file(file)
        return checker.result()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Building hundreds of thousands of objects that all stay alive makes the cyclic
    garbage collector scan them again and again for nothing: measured, it tripled the
    time of a 100,000-entity load. It runs again as soon as the bulk work is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def format_path(path: FieldPath) -> str:
    """('entities', 3, 'accounts', 0, 'handle') -> 'entities[3].accounts[0].handle'."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


@dataclass(slots=True)
class _Claim:
    """Where a value that must be unique or must exist was written."""

    file: Path
    path: FieldPath
    owner: str | None = None
    """For a handle: the entity whose account it is (None for a non-official record)."""
    former: bool = False
    """For a handle: an entity's former account, which a non-official record may share."""


_Model = Entity | NonOfficial | Policy

_SECTIONS: dict[str, type[_Model]] = {
    "entities": Entity,
    "non_official": NonOfficial,
    "policies": Policy,
}


@dataclass
class _Checker:
    """Collects problems record by record and file by file, then checks what spans files."""

    problems: list[tuple[Path, FieldPath, str]] = field(default_factory=list)
    fatal: list[Problem] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    non_official: list[NonOfficial] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    ids: dict[str, _Claim] = field(default_factory=dict)
    policy_ids: dict[str, _Claim] = field(default_factory=dict)
    handles: dict[tuple[str, str], _Claim] = field(default_factory=dict)
    """Entities' and spokespeople's accounts, by handle key."""
    non_official_handles: dict[tuple[str, str], _Claim] = field(default_factory=dict)
    references: list[tuple[str, _Claim]] = field(default_factory=list)
    finders: dict[Path, LineFinder] = field(default_factory=dict)

    def add_file(self, file: Path) -> None:
        """Validates each record as it is read; a file that turns out not to be YAML
        keeps none of its records."""
        records: list[_Model] = []
        problems_before = len(self.problems)
        try:
            for key, index, value in top_level(file):
                self._record(file, key, index, value, records)
        except NotUtf8 as exc:
            self._forget(file, problems_before)
            self.fatal.append(Problem(file, None, "", f"not UTF-8 text ({exc.reason})"))
            return
        except YamlSyntaxError as exc:
            where = f" (column {exc.column})" if exc.column else ""
            self._forget(file, problems_before)
            self.fatal.append(
                Problem(file, exc.line, "", f"YAML syntax error{where}: {exc.message}")
            )
            return
        except NotAMapping:
            message = "the file must be a mapping with 'entities', 'non_official' and/or 'policies'"
            self.problems.append((file, (), message))
            return
        for record in records:
            if isinstance(record, Entity):
                self.entities.append(record)
            elif isinstance(record, NonOfficial):
                self.non_official.append(record)
            else:
                self.policies.append(record)

    def _forget(self, file: Path, problems_before: int) -> None:
        """What was read from a file before it turned out unreadable: its problems and
        claims are dropped, as its records are, since no line of it can be shown."""
        del self.problems[problems_before:]
        self.ids = {value: claim for value, claim in self.ids.items() if claim.file != file}
        self.policy_ids = {
            value: claim for value, claim in self.policy_ids.items() if claim.file != file
        }
        self.handles = {key: claim for key, claim in self.handles.items() if claim.file != file}
        self.non_official_handles = {
            key: claim for key, claim in self.non_official_handles.items() if claim.file != file
        }
        self.references = [(value, claim) for value, claim in self.references if claim.file != file]

    def _record(
        self,
        file: Path,
        key: str,
        index: int | None,
        value: Any,
        records: list[_Model],
    ) -> None:
        model = _SECTIONS.get(key)
        if model is None:
            self.problems.append((file, (key,), "unknown field"))
            return
        if index is None:
            if value is not None:  # `entities:` with nothing under it is an empty section
                self.problems.append((file, (key,), "must be a list"))
            return
        path: FieldPath = (key, index)
        try:
            record = model.model_validate(value)
        except ValidationError as exc:
            for error in exc.errors():
                self.problems.append((file, (*path, *error["loc"]), _message(error)))
        else:
            records.append(record)
        if isinstance(value, dict):
            if key == "entities":
                self._entity_claims(file, path, value)
            elif key == "policies":
                if isinstance(policy_id := value.get("id"), str):
                    self._claim_id(policy_id, _Claim(file, (*path, "id")), self.policy_ids)
            else:
                self._claim_handle(value, _Claim(file, (*path, "handle"), None))
                self._refer(value.get("imitates"), _Claim(file, (*path, "imitates")))

    def _entity_claims(self, file: Path, path: FieldPath, entity: dict[str, Any]) -> None:
        entity_id = entity.get("id")
        if isinstance(entity_id, str):
            self._claim_id(entity_id, _Claim(file, (*path, "id")), self.ids)
        owner = entity_id if isinstance(entity_id, str) else format_path(path)
        for acc_index, account in _items(entity.get("accounts")):
            acc_path = (*path, "accounts", acc_index, "handle")
            former = account.get("status") == AccountStatus.FORMER.value
            self._claim_handle(account, _Claim(file, acc_path, owner, former))
        for sp_index, person in _items(entity.get("spokespeople")):
            for acc_index, account in _items(person.get("accounts")):
                acc_path = (*path, "spokespeople", sp_index, "accounts", acc_index, "handle")
                self._claim_handle(account, _Claim(file, acc_path, owner))
        self._refer(entity.get("parent"), _Claim(file, (*path, "parent")))
        for succ_index, successor in _items(entity.get("successors"), dicts_only=False):
            self._refer(successor, _Claim(file, (*path, "successors", succ_index)))

    def _claim_id(self, entity_id: str, claim: _Claim, ids: dict[str, _Claim]) -> None:
        """An entity's or a policy's id (`ids` says which kind): each is used once."""
        first = ids.get(entity_id)
        if first is None:
            ids[entity_id] = claim
        else:
            self.problems.append(
                (
                    claim.file,
                    claim.path,
                    f"duplicate id '{entity_id}', first used at {self._where(first)}",
                )
            )

    def _claim_handle(self, record: dict[str, Any], claim: _Claim) -> None:
        """A handle is one entity's account or a non-official record, never both, with
        one exception: a non-official record may share the handle of a former account.
        A released handle can be taken by someone else, and the registry must be able
        to say both that it was the body's and that it now impersonates it."""
        platform, handle = record.get("platform"), record.get("handle")
        if not isinstance(platform, str) or not isinstance(handle, str):
            return
        key = _handle_key(platform, handle)
        mine, other = (
            (self.non_official_handles, self.handles)
            if claim.owner is None
            else (self.handles, self.non_official_handles)
        )
        first = mine.get(key)
        if first is not None:
            shown = f"{platform} handle '{handle}'"
            self.problems.append((claim.file, claim.path, self._twice(shown, first, claim)))
            return
        mine[key] = claim
        crossed = other.get(key)
        if crossed is not None and not (crossed.former or claim.former):
            kind = (
                "a non-official handle"
                if crossed.owner is None
                else f"an account of '{crossed.owner}'"
            )
            message = (
                f"{platform} handle '{handle}' is already {kind} at {self._where(crossed)}; "
                "a handle is official or not, never both (only a former account's handle may "
                "also be non-official)"
            )
            self.problems.append((claim.file, claim.path, message))

    def _twice(self, shown: str, first: _Claim, claim: _Claim) -> str:
        """The message for a handle claimed twice on the same side."""
        where = self._where(first)
        if claim.owner is None:
            return f"{shown} is listed twice as non-official (first at {where})"
        if first.owner == claim.owner:
            return f"{shown} is listed twice on '{claim.owner}' (first at {where})"
        return f"{shown} already belongs to '{first.owner}' at {where}"

    def _refer(self, value: Any, claim: _Claim) -> None:
        if isinstance(value, str):
            self.references.append((value, claim))

    def _where(self, claim: _Claim) -> str:
        line = self._finder(claim.file).line(claim.path)
        return f"{claim.file.name}:{line}" if line else claim.file.name

    def result(self) -> Registry:
        # A file that could not be read defines ids nobody can see: references to them
        # would all look broken, so they are checked only when every file was read.
        references = [] if self.fatal else self.references
        for value, claim in references:
            if value not in self.ids:
                self.problems.append((claim.file, claim.path, f"no entity has the id '{value}'"))
        problems = self.fatal + self._located()
        if problems:
            raise RegistryInvalid(problems)
        # Every record was validated on its own; the registry adds no rule of its own.
        return Registry.model_construct(
            entities=self.entities, non_official=self.non_official, policies=self.policies
        )

    def _finder(self, file: Path) -> LineFinder:
        """One finder per file, so each file is parsed for lines once at most."""
        if file not in self.finders:
            self.finders[file] = LineFinder(file)
        return self.finders[file]

    def _located(self) -> list[Problem]:
        located = [
            Problem(file, self._finder(file).line(path), format_path(path), message)
            for file, path, message in self.problems
        ]
        return sorted(located, key=lambda p: (str(p.file), p.line or 0))


_PLATFORMS = {platform.value: platform for platform in Platform}


def _handle_key(platform: str, handle: str) -> tuple[str, str]:
    """The key under which the database keeps a handle unique (`handle_key`: +966... and
    966... are one WhatsApp number), so that what passes validation can be stored."""
    platform, handle = platform.strip(), handle.strip()
    known = _PLATFORMS.get(platform)
    if known is None:  # not a platform: the schema reports it
        return platform.casefold(), handle.removeprefix("@").casefold()
    return handle_key(known, handle)


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
