"""Read YAML written by a person, keeping the line of every field for error messages.

Plain YAML 1.1 (PyYAML's default) turns ``08:00`` into the number 480 and ``NO``
(Norway) into False. A race file is full of both, so this loader resolves only
YAML 1.2's core scalars: true/false, null and decimal numbers; any other plain
scalar (dates too) stays a string, for the schema to parse with a line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FieldPath = tuple[str | int, ...]


class _PersonLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core resolvers instead of YAML 1.1's."""


_PersonLoader.yaml_implicit_resolvers = {}
_PersonLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_PersonLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_PersonLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
_PersonLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


class YamlError(ValueError):
    """The file is not readable YAML; the message names file and line."""


@dataclass
class YamlDocument:
    """A parsed document and the line (1-based) where each field path starts."""

    file: str
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int:
        """The line of the field, or of its nearest parent that exists in the file."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


def load_yaml(path: Path) -> YamlDocument:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise YamlError(f"{path}: no such file") from None
    except OSError as error:
        raise YamlError(f"{path}: cannot read the file ({error.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise YamlError(
            f"{path}:{line}: not UTF-8 text (byte {raw[error.start]:#04x}: save the file as UTF-8)"
        ) from None
    return parse_yaml(text, path.name)


def parse_yaml(text: str, file: str) -> YamlDocument:
    loader = _PersonLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(file, None, {(): 1})
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = error.problem or error.context or "not valid YAML"
        raise YamlError(f"{file}:{line}: {problem}") from None
    except (yaml.YAMLError, ValueError) as error:  # e.g. an impossible date like 2010-02-30
        raise YamlError(f"{file}: {error}") from None
    finally:
        loader.dispose()
    lines: dict[FieldPath, int] = {}
    duplicate = _record_lines(node, (), node.start_mark.line + 1, lines)
    if duplicate is not None:
        path, line, first = duplicate
        raise YamlError(
            f"{file}:{line}: {format_path(path)}: is given twice (first on line {first})"
        )
    return YamlDocument(file, data, lines)


def _record_lines(
    node: yaml.Node, path: FieldPath, line: int, lines: dict[FieldPath, int]
) -> tuple[FieldPath, int, int] | None:
    """Fill ``lines``; return the first key given twice in a mapping (YAML would silently
    keep the last one), as (path, line, first line)."""
    lines[path] = line
    children: list[tuple[FieldPath, yaml.Node, int]] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            # The key's line: for a nested mapping the value starts on the next line.
            key_path = (*path, key_node.value)
            key_line = key_node.start_mark.line + 1
            if key_path in lines:
                return key_path, key_line, lines[key_path]
            lines[key_path] = key_line
            children.append((key_path, value_node, key_line))
    elif isinstance(node, yaml.SequenceNode):
        children = [
            ((*path, i), item, item.start_mark.line + 1) for i, item in enumerate(node.value)
        ]
    for child_path, child, child_line in children:
        duplicate = _record_lines(child, child_path, child_line, lines)
        if duplicate is not None:
            return duplicate
    return None


def format_path(path: FieldPath) -> str:
    """('stages', 3, 'checkpoints', 2, 'km') -> 'stages[3].checkpoints[2].km'."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
