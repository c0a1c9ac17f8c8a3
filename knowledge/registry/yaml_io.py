"""Reading and writing registry YAML, and finding the line behind a field.

Parsing keeps no line numbers: a large valid registry should cost only what its data costs.
When validation has something to report, `LineFinder` parses that one file again, keeping
the node tree, and turns each error's field path into the line a maintainer must open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.registry.schema import Registry

try:  # libyaml parses several times faster; the pure-Python loader is the fallback
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

YAML_SUFFIXES = (".yaml", ".yml")

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceFile:
    """One registry file as read from disk."""

    path: Path
    text: str


class YamlSyntaxError(Exception):
    """A file that is not YAML at all; carries the position the parser stopped at."""

    def __init__(self, path: Path, line: int | None, column: int | None, message: str):
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column
        self.message = message


def registry_files(path: Path) -> list[Path]:
    """The files that make up a registry: the file itself, or every YAML file in a folder."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix in YAML_SUFFIXES)
    return [path]


def read_source(path: Path) -> SourceFile:
    return SourceFile(path, path.read_text(encoding="utf-8"))


def parse(source: SourceFile) -> Any:
    """The file's data, or YamlSyntaxError with the line and column of the problem."""
    try:
        return yaml.load(source.text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = exc.context or ""
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            context += f" (line {exc.context_mark.line + 1})"
        message = " ".join(part for part in (context, exc.problem or "") if part)
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise YamlSyntaxError(source.path, line, column, message) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(source.path, None, None, str(exc)) from exc


class LineFinder:
    """Maps field paths of one file to line numbers, parsing the file once on first use."""

    def __init__(self, source: SourceFile):
        self._source = source
        self._root: yaml.Node | None = None

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of the deepest node on `path`: the key of a field when it is there,
        else the record that lacks it."""
        if self._root is None:
            self._root = yaml.compose(self._source.text, Loader=SafeLoader)
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
