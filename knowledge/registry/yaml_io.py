"""Reading and writing registry YAML, and finding the line behind a field.

A registry file is read as a stream of parser events, one top-level record at a time, so
a 100,000-entity file never exists in memory as a YAML node tree (about 29 MB per 1,000
entities) nor as one giant dict: each record is handed to validation and dropped (a
large file is read by a second process meanwhile, `read_ahead`). Line numbers are not
kept either; when validation has something to report, `LineFinder` parses that one file
again, keeping the node tree, and turns each error's field path into the line a
maintainer must open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.resolver import Resolver

from knowledge.registry import read_ahead
from knowledge.registry.schema import Registry

try:  # libyaml parses several times faster; the pure-Python loader is the fallback
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

YAML_SUFFIXES = (".yaml", ".yml")

FieldPath = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    """A file that is not YAML at all; carries the position the parser stopped at."""

    def __init__(self, path: Path, line: int | None, column: int | None, message: str):
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column
        self.message = message

    def __reduce__(self) -> tuple[type[YamlSyntaxError], tuple[Any, ...]]:
        """Pickled whole, as `read_ahead` sends it from the process that read the file."""
        return type(self), (self.path, self.line, self.column, self.message)


def registry_files(path: Path) -> list[Path]:
    """The files that make up a registry: the file itself, or every YAML file in a folder."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix in YAML_SUFFIXES)
    return [path]


class NotAMapping(Exception):
    """The file's top level is a list or a scalar, not a mapping of sections."""


def top_level(path: Path) -> Iterator[tuple[str, int | None, Any]]:
    """The file's sections, record by record: ("entities", 0, {...}), ("entities", 1, ...),
    and (key, None, value) for a section that is not a list. The file is read in chunks
    by the parser, never whole. Raises YamlSyntaxError (at any point of the stream),
    NotAMapping, or NotUtf8. A large file is read by a child process while the caller
    works on the records it already has (`read_ahead`): the same records and errors."""
    if read_ahead.worth_it(path):
        yield from read_ahead.read_in_child(path)
    else:
        yield from read_top_level(path)


def read_top_level(path: Path) -> Iterator[tuple[str, int | None, Any]]:
    """`top_level(path)`, read in this process."""
    try:
        with path.open("rb") as stream:
            loader = SafeLoader(stream)
            try:
                # The parser's own method, not `yaml.parse`: that generator adds two Python
                # calls to each of the ~90 events of an entity.
                yield from _sections(loader.get_event)
            finally:
                loader.dispose()
    except yaml.reader.ReaderError as exc:
        raise NotUtf8(exc.reason) from exc
    except yaml.MarkedYAMLError as exc:
        raise _located(path, exc) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(path, None, None, str(exc)) from exc


_OPENED = ("while scanning a quoted scalar", "while parsing a flow")
"""Parser contexts whose start is where the fault is: a quote or a bracket left open."""


def _located(path: Path, exc: yaml.MarkedYAMLError) -> YamlSyntaxError:
    """The error at the line a maintainer must fix. The parser stops where the text can
    no longer be YAML, which can be far below the fault: a quote left open on line 227
    runs on, as a legal multi-line text, to the next quote of its kind, and the parser
    fails there (line 1491). So a quoted text or a bracket that was open is reported
    where it was opened."""
    mark = exc.problem_mark or exc.context_mark
    context = exc.context or ""
    if exc.context and exc.context_mark and exc.context_mark is not mark:
        if exc.context.startswith(_OPENED):
            mark = exc.context_mark
        else:
            context += f" (line {exc.context_mark.line + 1})"
    message = " ".join(part for part in (context, exc.problem or "") if part)
    problem = exc.problem_mark
    opened = _quote_ending_on(path, problem.line) if problem and mark is problem else None
    if problem and opened is not None:
        message = (
            f"a quoted text opened here runs on to line {problem.line + 1}, where the file "
            f"stops being YAML: is its closing quote missing? ({message})"
        )
        mark = opened
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    return YamlSyntaxError(path, line, column, message)


def _quote_ending_on(path: Path, line: int) -> Any:
    """The start mark of a quoted text that spans lines and ends on `line` (0-based),
    the sign of a quote left open; else None. The file is scanned again for tokens,
    only when it has a syntax error."""
    opened: Any = None
    try:
        with path.open("rb") as stream:
            for token in yaml.scan(stream, Loader=SafeLoader):
                if token.start_mark.line > line:
                    break
                if (
                    isinstance(token, yaml.ScalarToken)
                    and token.style in ('"', "'")
                    and token.start_mark.line < token.end_mark.line == line
                ):
                    opened = token.start_mark
    except yaml.YAMLError:
        pass  # the scanner stops at the fault too; what it read before it is enough
    return opened


class NotUtf8(Exception):
    """The file is not UTF-8 text."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _sections(next_event: Callable[[], Any]) -> Iterator[tuple[str, int | None, Any]]:
    builder = _Builder(next_event)
    next_event()  # StreamStartEvent
    start = next_event()
    if type(start) is StreamEndEvent:
        return  # an empty file
    first = next_event()
    if type(first) is ScalarEvent and builder.value(first) is None:
        return  # a document holding nothing
    if type(first) is not MappingStartEvent:
        raise NotAMapping
    while type(event := next_event()) is not MappingEndEvent:
        key = str(builder.value(event))
        value = next_event()
        if type(value) is SequenceStartEvent:
            index = 0
            while type(item := next_event()) is not SequenceEndEvent:
                yield key, index, builder.value(item)
                index += 1
        else:
            yield key, None, builder.value(value)
    # The rest of the stream (None after its end): the parser reports what is wrong in it.
    for event in iter(next_event, None):
        if type(event) is DocumentStartEvent:
            raise _error("expected a single document, but found another one", event)


SHORT_TEXT = 12
"""Plain texts up to this length (dates, roles, kinds) are kept as one object per value:
`checked: "2026-11"` on 400,000 evidence records is then one string, not 400,000."""


class _Builder:
    """Python values from parser events, as PyYAML's safe loader would make them.
    Events are told apart by their exact class (PyYAML's are never subclassed), the
    cheapest test on the ~1.7 million events of 20,000 entities."""

    def __init__(self, next_event: Callable[[], Any]):
        self._next = next_event
        self._anchors: dict[str, Any] = {}
        self._texts: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        """Plain mapping keys read as strings, by their text."""
        self._plain: dict[str, str] = {}
        """Short plain scalars the resolver found to be strings, although their first
        character could start a number, a boolean or null: it is not asked again."""
        self._resolver = Resolver()
        self._constructor = SafeConstructor()
        # First characters with which a plain scalar may be something other than a string.
        self._typed_starts = frozenset(
            char for char in Resolver.yaml_implicit_resolvers if char is not None
        ) | {""}

    def value(self, event: Any) -> Any:
        kind = type(event)
        if kind is ScalarEvent:
            text: str = event.value
            # The common case, a string: quoted, or plain and unable to be a number, a
            # date, a boolean... (what the resolver would decide, without calling it).
            if event.tag is None and (not event.implicit[0] or text[:1] not in self._typed_starts):
                value: Any = self._texts.setdefault(text, text) if len(text) <= SHORT_TEXT else text
            elif event.tag is None and (known := self._plain.get(text)) is not None:
                value = known  # a plain text already read (`official_website`, `note`)
            else:
                value = self._typed(event)
        elif kind is MappingStartEvent:
            value = {}
            next_event, keys = self._next, self._keys
            while type(key_event := next_event()) is not MappingEndEvent:
                # Nearly every key is one of a few dozen plain names (`platform`, `url`):
                # one read before is not read again.
                plain = (
                    type(key_event) is ScalarEvent
                    and key_event.implicit[0]
                    and key_event.tag is None
                    and key_event.anchor is None
                )
                key = keys.get(key_event.value) if plain else None
                if key is None:
                    key = self._new_key(key_event, plain)
                value[key] = self.value(next_event())
        elif kind is SequenceStartEvent:
            value = []
            next_event = self._next
            while type(item := next_event()) is not SequenceEndEvent:
                value.append(self.value(item))
        elif kind is AliasEvent:
            if event.anchor not in self._anchors:
                raise _error(f"found undefined alias '{event.anchor}'", event)
            return self._anchors[event.anchor]
        else:  # pragma: no cover - the parser sends nothing else inside a document
            raise _error(f"unexpected {event}", event)
        if event.anchor:
            self._anchors[event.anchor] = value
        return value

    def _new_key(self, event: Any, plain: bool) -> Any:
        """A mapping key not read before (or not a plain one): a plain string is kept."""
        key = self.value(event)
        if type(key) is str:
            if plain and len(key) <= 2 * SHORT_TEXT:
                self._keys[key] = key
        elif not isinstance(key, int | float | bool | None):
            raise _error("found an unhashable key", event)
        return key

    def _typed(self, event: ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._resolver.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, event.value, event.implicit
            )
        if tag == "tag:yaml.org,2002:str":
            if event.implicit[0] and len(event.value) <= 2 * SHORT_TEXT:
                self._plain[event.value] = event.value
            return event.value
        return self._constructor.construct_object(yaml.ScalarNode(tag, event.value))


def _error(problem: str, event: yaml.Event) -> yaml.MarkedYAMLError:
    """A parse error at the event, reported like the parser's own."""
    mark: Any = event.start_mark
    return yaml.MarkedYAMLError(problem=problem, problem_mark=mark)


class LineFinder:
    """Maps field paths of one file to line numbers, reading and parsing the file once,
    on first use: only files with something to report pay for it."""

    def __init__(self, path: Path):
        self._path = path
        self._root: yaml.Node | None = None
        self._unreadable = False

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of the deepest node on `path`: the key of a field when it is there,
        else the record that lacks it."""
        if self._unreadable:
            return None
        if self._root is None:
            try:
                text = self._path.read_text(encoding="utf-8")
                self._root = yaml.compose(text, Loader=SafeLoader)
            except (yaml.YAMLError, UnicodeDecodeError):
                # A problem found before the reading reached the file's own fault (a
                # duplicate id above a broken quote): the file is rejected for that fault,
                # which is reported with its line, and has no other lines to give.
                self._unreadable = True
                return None
            if self._root is None:
                return None
        node: yaml.Node = self._root
        line = node.start_mark.line + 1
        for step in path:
            child = _child(node, step)
            if child is None:
                break
            key_node, node = child
            line = (key_node or node).start_mark.line + 1
        return line


def _child(node: yaml.Node, step: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                return key, value
    elif (
        isinstance(node, yaml.SequenceNode)
        and isinstance(step, int)
        and 0 <= step < len(node.value)
    ):
        return None, node.value[step]
    return None


class _IndentedDumper(yaml.SafeDumper):
    """Indents list items under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump_registry(registry: Registry) -> str:
    """The registry as a YAML file a person can edit; defaults are left out so the file
    says only what is particular to each record."""
    data = registry.model_dump(mode="json", exclude_defaults=True)
    text: str = yaml.dump(
        data, Dumper=_IndentedDumper, allow_unicode=True, sort_keys=False, width=100
    )
    return text
