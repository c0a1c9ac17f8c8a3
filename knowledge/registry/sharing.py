"""Identical frozen records shared while a registry is read, instead of copied.

A validated registry keeps every record as a pydantic object, and each one carries its
own `__dict__` and its own set of the field names it was given (`model_fields_set`):
that set alone is 216 bytes for a two-field source, 728 for an entity, about 40% of a
100,000-entity registry in memory. The records are frozen, so nothing is lost when
equal ones are one object:

- within a `sharing()` scope (`load_registry` opens one), a source or a localized text
  equal to an earlier one is that earlier record: a ministry's site, the national
  directory page, "Official website" as a link's title, repeated across thousands of
  records, are kept once. One given by the same raw mapping as a recent one is found
  by that mapping, without being validated again (a sixth of the validation's time on
  the benchmark's registry);
- every record validated in the scope shares its set of field names with the other
  records that were given the same fields (the sets are equal, and pydantic copies
  a record's set before it changes one, in `model_copy`; a frozen record never
  changes its own).

A raw mapping that fails validation is never remembered, so every occurrence of it is
reported with its own file, line and field. Outside a scope, records are validated as
pydantic does it, each on its own: a running bot's tables are not kept alive by a table
of shared records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

Record = TypeVar("Record", bound=BaseModel)


@dataclass
class _Scope:
    """The records shared within one `sharing()` scope."""

    by_value: dict[BaseModel, BaseModel] = field(default_factory=dict)
    """Each distinct record, by itself."""
    by_raw: dict[tuple[Any, ...], BaseModel] = field(default_factory=dict)
    """Recent records by the raw mapping they were validated from (see `_raw_key`)."""


_scope: ContextVar[_Scope | None] = ContextVar("shared_records", default=None)
_field_sets: dict[frozenset[str], set[str]] = {}
"""One set of field names per distinct combination; there are a few dozen at most."""


@contextmanager
def sharing() -> Iterator[None]:
    """Records validated inside are shared (see the module's docstring); the table of
    shared records is dropped on leaving, while the records stay alive in what holds them."""
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


RAW_KEYS_KEPT = 4096
"""Raw mappings remembered at most; the table starts again when full. Repeats are mostly
near each other (the page of accounts that all of an entity's accounts cite) or very
frequent, so a small table finds nearly all of them, and does not hold a copy of
every mapping of a 100,000-entity file (175 MB)."""

_EXACT = frozenset({int, dt.date, type(None)})
"""Raw scalars other than text that may be part of a key, each kept with its type:
1, True and 1.0 are equal in Python, yet a record may accept one and refuse another."""


def _raw_key(cls: type, data: Any) -> tuple[Any, ...] | None:
    """A hashable copy of a raw mapping read from YAML, under which the record `cls`
    validated from it is found again: equal raw data always validates to an equal record,
    as a shared record's rules look at nothing outside it. None when the mapping holds
    anything but text, a few exact scalar types and nested mappings (a list, a float...):
    such a record is validated every time, as it was before."""
    if type(data) is not dict:
        return None
    key: list[Any] = [cls]
    for name, value in data.items():
        kind = type(value)
        if kind is dict:
            value = _raw_key(dict, value)
            if value is None:
                return None
        elif kind is not str:
            if kind not in _EXACT:
                return None
            value = (kind, value)
        if type(name) is not str:
            return None
        key += (name, value)
    return tuple(key)


def validate_shared(
    cls: type[Record], data: Any, handler: Callable[[Any], Record], by_value: bool
) -> Record:
    """A model wrap validator's body: `handler(data)`, shared inside a `sharing()` scope.
    `by_value` (for hashable records only): an equal record validated earlier, with the
    same fields given, is returned instead of the new one, which is dropped at once; and
    a record given the same raw mapping as a recent one is that one, not validated again."""
    scope = _scope.get()
    if scope is None:
        return handler(data)
    key = _raw_key(cls, data) if by_value else None
    if key is not None and (known := scope.by_raw.get(key)) is not None:
        return known  # type: ignore[return-value]
    record = handler(data)
    fields = record.__pydantic_fields_set__
    shared = _field_sets.setdefault(frozenset(fields), fields)
    if shared is not fields:
        object.__setattr__(record, "__pydantic_fields_set__", shared)
    if by_value:
        known = scope.by_value.setdefault(record, record)
        if known.__pydantic_fields_set__ is shared:
            record = known  # type: ignore[assignment]
        if key is not None:
            if len(scope.by_raw) >= RAW_KEYS_KEPT:
                scope.by_raw.clear()
            scope.by_raw[key] = record
    return record
