"""A large registry file read by a second process while this one validates it.

Reading the YAML is more than half of a load, and PyYAML cannot make it much cheaper: of the
10,000-entity benchmark file's 2.6 s of reading, libyaml's own parsing is 0.4 s, PyYAML
making a Python object and two position marks for each of its 1.6 million events is
1.5 s, and turning the events into records is the rest. No other reader gives what
PyYAML gives (`yes` is true, `2026-11-03` a date), which is what the registry's files
mean. What can be done is to read beside the validation instead of before it: a file
from `READ_AHEAD_BYTES` on, on a machine with a second core, is read by a child process
running the same reader (`yaml_io.read_top_level`), which sends its records back
pickled, a batch at a time (the pickles cost under a tenth of the reading), while this
process validates the batches it already has.

The records, their order and the errors are those of the file read here: an error is
sent after the records read before it and raised at the same point of the stream, so a
file that turns out not to be YAML is still rejected whole.
"""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

READ_AHEAD_BYTES = 4_000_000
"""From this size on (about 2,500 entities) a file is read by a child process; starting
one (an interpreter, PyYAML and the schema) costs about what reading 1 MB does."""

BATCH = 64
"""Records per message: few enough that validation starts at once, enough that each
pickle's own cost is small."""

_PACKAGES = str(Path(__file__).resolve().parents[2])
"""The folder holding `knowledge`, so that the child imports this very code."""

Record = tuple[str, int | None, Any]


def worth_it(path: Path) -> bool:
    """Whether reading `path` in a child process saves time: a large file, and a second
    core for the child. A file that cannot be read is left to the reader here, which
    reports it as it always has."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return size >= READ_AHEAD_BYTES and _cores() > 1


def _cores() -> int:
    """The cores this process may run on (a container may allow fewer than it has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - not Linux


def read_in_child(path: Path) -> Iterator[Record]:
    """`yaml_io.read_top_level(path)`, read by a child process: the same records, then
    the same error if there is one. The child is stopped if the caller stops early."""
    # yaml_io imports this module, so its reader is imported where it is needed.
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        part for part in (_PACKAGES, environment.get("PYTHONPATH")) if part
    )
    try:
        child = subprocess.Popen(
            [sys.executable, "-P", "-m", __name__, str(path)],  # -P: not the working folder
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env=environment,
        )
    except OSError:  # no process to be had (a limit, a sandbox): read it here
        from knowledge.registry.yaml_io import read_top_level

        yield from read_top_level(path)
        return
    assert child.stdout is not None
    try:
        yield from _received(child.stdout)
    finally:
        if child.poll() is None:
            child.kill()  # the caller stopped early: the rest is not wanted
        child.wait()
        child.stdout.close()


def _received(stream: IO[bytes]) -> Iterator[Record]:
    while True:
        try:
            kind, payload = pickle.load(stream)
        except EOFError:
            raise RuntimeError("the process reading the registry file stopped") from None
        if kind == "records":
            yield from payload
        elif kind == "error":
            raise payload
        else:
            return


def _serve(path: Path, stream: IO[bytes]) -> None:
    """The child's work: read `path` and send its records in batches, then "end", or the
    error that stopped the reading (after the records read before it)."""
    from knowledge.registry.yaml_io import read_top_level  # the child's one import

    records = read_top_level(path)
    while True:
        batch, error = _next_batch(records)
        _send(stream, "records", batch)
        if error is not None:
            _send(stream, "error", _portable(error))
            break
        if len(batch) < BATCH:
            _send(stream, "end", None)
            break
    stream.flush()


def _next_batch(records: Iterator[Record]) -> tuple[list[Record], Exception | None]:
    """Up to BATCH records, and the error that stopped the reading, if one did."""
    batch: list[Record] = []
    try:
        while len(batch) < BATCH:
            batch.append(next(records))
    except StopIteration:
        pass
    except Exception as exc:
        return batch, exc
    return batch, None


def _portable(error: Exception) -> Exception:
    """The error itself when it comes through a pickle whole, else a RuntimeError
    naming it (its traceback is the child's and is not sent either way)."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def _send(stream: IO[bytes], kind: str, payload: Any) -> None:
    pickle.dump((kind, payload), stream, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    gc.disable()  # the records are dropped as soon as they are sent: nothing to collect
    _serve(Path(sys.argv[1]), sys.stdout.buffer)
