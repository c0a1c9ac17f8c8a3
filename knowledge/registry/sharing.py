"""Identical frozen records shared while a registry is read, instead of copied.

A validated registry keeps every record as a pydantic object, and each one carries its
own `__dict__` and its own set of the field names it was given (`model_fields_set`):
that set alone is 216 bytes for a two-field source, 728 for an entity, about 40% of a
100,000-entity registry in memory. The records are frozen, so nothing is lost when
equal ones are one object:

- within a `sharing()` scope (`load_registry` opens one), a source, a localized text or
  an evidence record given by the same raw mapping as an earlier one is that earlier
  record: a ministry's site, the national directory page, "Official website" as a
  link's title, repeated across thousands of records, are validated and kept once;
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

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from pydantic import BaseModel

Record = TypeVar("Record", bound=BaseModel)

_table: ContextVar[dict[BaseModel, BaseModel] | None] = ContextVar("shared_records", default=None)
_field_sets: dict[frozenset[str], set[str]] = {}
"""One set of field names per distinct combination; there are a few dozen at most."""


@contextmanager
def sharing() -> Iterator[None]:
    """Records validated inside are shared (see the module's docstring); the table of
    shared records is dropped on leaving, while the records stay alive in what holds them."""
    token = _table.set({})
    try:
        yield
    finally:
        _table.reset(token)


def validate_shared(
    cls: type[Record], data: Any, handler: Callable[[Any], Record], by_value: bool
) -> Record:
    """A model wrap validator's body: `handler(data)`, shared inside a `sharing()` scope.
    `by_value` (for hashable records only): an equal record validated earlier, with the
    same fields given, is returned instead of the new one, which is dropped at once."""
    table = _table.get()
    if table is None:
        return handler(data)
    record = handler(data)
    fields = record.__pydantic_fields_set__
    shared = _field_sets.setdefault(frozenset(fields), fields)
    if shared is not fields:
        object.__setattr__(record, "__pydantic_fields_set__", shared)
    if by_value:
        known = table.setdefault(record, record)
        if known.__pydantic_fields_set__ is shared:
            return known  # type: ignore[return-value]
    return record
