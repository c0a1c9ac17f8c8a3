"""Tables whose keys nearly always hold one value.

Most names, skeletons and handles belong to one entity, so a table keeps the value
itself and a tuple only for the rare key with several. A list per key cost 130 MB of the
name tables at a million names; a bare value costs nothing more than the dict slot.
Values must not themselves be tuples.
"""

from __future__ import annotations

from typing import TypeAlias, TypeVar

K = TypeVar("K")
V = TypeVar("V")

OneOrMany: TypeAlias = V | tuple[V, ...]


def add(table: dict[K, OneOrMany[V]], key: K, value: V) -> None:
    """Adds `value` under `key`, after the values already there, once."""
    held = table.get(key)
    if held is None:
        table[key] = value
    elif not isinstance(held, tuple):
        if held != value:
            table[key] = (held, value)
    elif value not in held:
        table[key] = (*held, value)


def values(held: OneOrMany[V] | None) -> tuple[V, ...]:
    """What a table holds under one key (or None for a missing key), as a tuple."""
    if held is None:
        return ()
    return held if isinstance(held, tuple) else (held,)
