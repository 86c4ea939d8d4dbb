"""The user documentation keeps up with the software.

Each test fails, naming everything missing, when a command, option, argument or
environment variable of the command line is not in docs/cli.md, a field of a race or
series file is not in docs/race-definition.md, or a ``DR_*`` setting is not in
docs/settings.md.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import typer.main
from pydantic import BaseModel

from desert_runners.adapters.importers.race_schema import RaceSpec, SeriesSpec
from desert_runners.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PROGRAM = "desert-runners"

# The sections of docs/race-definition.md that document each kind of file.
RACE_SECTION = "The race file"
SERIES_SECTION = "The series file"

# Where settings are read: the program, and the test suite's own settings.
SETTINGS_SOURCES = (ROOT / "src", ROOT / "tests" / "conftest.py")
SETTING = re.compile(r"\bDR_[A-Z0-9_]+\b")

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FIELD_PATH = re.compile(r"^[a-z_][a-z0-9_]*(\[\])*(\.[a-z_][a-z0-9_]*(\[\])*)*$")


# --- reading the documents ------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    level: int
    title: str  # without backticks
    body: str  # from the heading to the next heading of the same or a higher level


def read_doc(name: str) -> str:
    path = DOCS / name
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    return path.read_text(encoding="utf-8")


def sections(text: str) -> list[Section]:
    """Every heading with its section; lines in fenced code blocks are not headings."""
    lines = text.splitlines()
    headings: list[tuple[int, int, str]] = []  # (line index, level, title)
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            headings.append((index, len(match[1]), match[2].replace("`", "").strip()))
    found: list[Section] = []
    for position, (start, level, title) in enumerate(headings):
        end = next(
            (line for line, other, _ in headings[position + 1 :] if other <= level), len(lines)
        )
        found.append(Section(level, title, "\n".join(lines[start:end])))
    return found


def section(text: str, title: str) -> Section | None:
    return next((found for found in sections(text) if found.title == title), None)


def mentions(body: str, word: str) -> bool:
    """``word`` as a whole token: ``--race`` is not found in ``--race-file``."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", body) is not None


def in_backticks(body: str, word: str) -> bool:
    return f"`{word}`" in body


# --- the command line -----------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    path: str  # as typed: "desert-runners race load"
    options: tuple[str, ...]  # long flags, "--race"
    envvars: tuple[str, ...]
    arguments: tuple[str, ...]  # as the documentation writes them: FILE, SLUG
    group: bool

    @property
    def needs_section(self) -> bool:
        # A group with no options of its own is only a name in its commands' paths.
        return not self.group or bool(self.options)


def cli_commands() -> list[Command]:
    found: list[Command] = []

    def walk(command: Any, path: str) -> None:
        params = [param for param in command.params if not getattr(param, "hidden", False)]
        options = [param for param in params if param.param_type_name == "option"]
        flags = tuple(
            flag
            for option in options
            for flag in (*option.opts, *option.secondary_opts)
            if flag.startswith("--") and flag != "--help"
        )
        envvars = tuple(
            name
            for option in options
            for name in ([option.envvar] if isinstance(option.envvar, str) else option.envvar or [])
        )
        arguments = tuple(
            param.name.upper() for param in params if param.param_type_name == "argument"
        )
        subcommands = getattr(command, "commands", {})
        found.append(Command(path, flags, envvars, arguments, bool(subcommands)))
        for name, subcommand in sorted(subcommands.items()):
            if not subcommand.hidden:
                walk(subcommand, f"{path} {name}")

    walk(typer.main.get_command(app), PROGRAM)
    return found


# --- the race and series files --------------------------------------------------------


def field_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every field at its full path as the file writes it: ``stages[].checkpoints[].km``."""
    for name, field in model.model_fields.items():
        path = prefix + (field.alias or name)
        yield path
        for nested, suffix in _models_in(field.annotation):
            yield from field_paths(nested, f"{path}{suffix}.")


def _models_in(annotation: Any, suffix: str = "") -> Iterator[tuple[type[BaseModel], str]]:
    """The models inside a type, through Annotated, Optional/unions and containers."""
    origin = get_origin(annotation)
    arguments = get_args(annotation)
    if origin is Annotated:
        yield from _models_in(arguments[0], suffix)
    elif origin is Union or origin is types.UnionType:
        for argument in arguments:
            yield from _models_in(argument, suffix)
    elif origin in (list, tuple, set, frozenset, Sequence):
        for argument in arguments:
            if argument is not Ellipsis:
                yield from _models_in(argument, suffix + "[]")
    elif origin is dict:
        yield from _models_in(arguments[1], suffix + ".*")
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation, suffix


def unique(items: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(items))


RACE_FIELDS = unique(field_paths(RaceSpec))
SERIES_FIELDS = unique(field_paths(SeriesSpec))


def documented_field_paths(body: str) -> list[str]:
    """The field paths a section's tables document: each row's first cell, in backticks."""
    found = []
    for line in body.splitlines():
        cells = line.strip().split("|")
        if len(cells) < 3 or line.strip()[0] != "|":
            continue
        first = cells[1].strip()
        if first.startswith("`") and first.endswith("`") and _FIELD_PATH.match(first[1:-1]):
            found.append(first[1:-1])
    return found


# --- settings -------------------------------------------------------------------------


def settings_in_code() -> dict[str, list[str]]:
    """Each DR_* name used by the program or the test suite, with the files using it."""
    found: dict[str, list[str]] = {}
    for source in SETTINGS_SOURCES:
        files = sorted(source.rglob("*.py")) if source.is_dir() else [source]
        for file in files:
            for name in sorted(set(SETTING.findall(file.read_text(encoding="utf-8")))):
                found.setdefault(name, []).append(str(file.relative_to(ROOT)))
    return found


# --- the tests ------------------------------------------------------------------------


def test_the_walkers_see_the_whole_tree() -> None:
    """Guards the other tests against passing because they found nothing to check."""
    by_path = {command.path: command for command in cli_commands()}
    assert {"desert-runners", "desert-runners race load", "desert-runners record"} <= set(by_path)
    assert "--race" in by_path["desert-runners record"].options
    assert "DR_RACE" in by_path["desert-runners record"].envvars
    assert "--db" in by_path["desert-runners"].options
    assert by_path["desert-runners race load"].arguments == ("FILE",)
    assert "stages[].checkpoints[].cutoff.elapsed" in RACE_FIELDS
    assert "categories.age_bands[].min" in RACE_FIELDS
    assert "events[].roving" in SERIES_FIELDS
    assert {"DR_DATABASE_URL", "DR_STRICT"} <= set(settings_in_code())
    text = "# a\n```sh\n# not a heading\n```\n## b\n### c\n## d\n"
    assert [(s.level, s.title) for s in sections(text)] == [(1, "a"), (2, "b"), (3, "c"), (2, "d")]
    assert section(text, "b") == Section(2, "b", "## b\n### c")


def test_every_command_has_a_section_in_cli_md() -> None:
    titles = {found.title for found in sections(read_doc("cli.md"))}
    missing = [c.path for c in cli_commands() if c.needs_section and c.path not in titles]
    assert not missing, (
        "docs/cli.md has no heading for these commands (write the heading as typed, "
        f"e.g. '## desert-runners race load'): {', '.join(missing)}"
    )


def test_every_option_argument_and_envvar_is_in_its_commands_section() -> None:
    text = read_doc("cli.md")
    missing: list[str] = []
    for command in cli_commands():
        if not command.needs_section:
            continue
        found = section(text, command.path)
        if found is None:
            continue  # reported by test_every_command_has_a_section_in_cli_md
        words = (*command.options, *command.envvars, *command.arguments)
        missing += [f"{command.path}: {word}" for word in words if not mentions(found.body, word)]
    assert not missing, (
        "docs/cli.md does not mention these options, environment variables or arguments "
        "in their command's section:\n  " + "\n  ".join(missing)
    )


def test_every_race_and_series_field_is_in_race_definition_md() -> None:
    text = read_doc("race-definition.md")
    missing: list[str] = []
    for title, fields in ((RACE_SECTION, RACE_FIELDS), (SERIES_SECTION, SERIES_FIELDS)):
        found = section(text, title)
        if found is None:
            missing.append(f"the section '{title}'")
            continue
        missing += [f"{title}: `{path}`" for path in fields if not in_backticks(found.body, path)]
    assert not missing, (
        "docs/race-definition.md does not document these fields (write each at its full "
        "path in backticks, [] for list items):\n  " + "\n  ".join(missing)
    )


def test_race_definition_md_documents_no_field_that_does_not_exist() -> None:
    text = read_doc("race-definition.md")
    stale: list[str] = []
    for title, fields in ((RACE_SECTION, RACE_FIELDS), (SERIES_SECTION, SERIES_FIELDS)):
        found = section(text, title)
        if found is not None:
            documented = documented_field_paths(found.body)
            stale += [f"{title}: `{path}`" for path in documented if path not in fields]
    assert not stale, (
        "docs/race-definition.md documents fields the schema does not have:\n  "
        + "\n  ".join(stale)
    )


def test_every_setting_is_in_settings_md() -> None:
    text = read_doc("settings.md")
    used = settings_in_code()
    missing = [
        f"{name} (used in {', '.join(files)})"
        for name, files in sorted(used.items())
        if not in_backticks(text, name)
    ]
    assert not missing, "docs/settings.md does not document:\n  " + "\n  ".join(missing)
    stale = sorted(set(SETTING.findall(text)) - set(used))
    assert not stale, f"docs/settings.md documents settings nothing reads: {', '.join(stale)}"
