"""YAML as a race director writes it: times stay text, Norway stays Norway, every field
keeps its line."""

from __future__ import annotations

import pytest

from desert_runners.adapters.importers.yaml_lines import YamlError, format_path, parse_yaml

TEXT = """\
name: Test
start_time: 08:00
duration: 1:30:00
country: NO
ok: yes
enabled: true
km: 38.2
count: 12
date: 2010-03-07
stages:
  - number: 1
    checkpoints:
      - {id: CP1, km: 10.5}
"""


def test_plain_scalars_are_resolved_as_yaml_1_2_core() -> None:
    data = parse_yaml(TEXT, "race.yaml").data
    assert data["start_time"] == "08:00"  # YAML 1.1 would make it 480
    assert data["duration"] == "1:30:00"  # and this 5400
    assert data["country"] == "NO"  # and this False
    assert data["ok"] == "yes"
    assert data["enabled"] is True
    assert data["km"] == 38.2
    assert data["count"] == 12
    assert data["date"] == "2010-03-07"  # left to the schema, which reports a bad date's line


def test_every_field_keeps_its_line() -> None:
    document = parse_yaml(TEXT, "race.yaml")
    assert document.line_of(("country",)) == 4
    assert document.line_of(("stages", 0)) == 11
    assert document.line_of(("stages", 0, "checkpoints", 0, "km")) == 13
    assert document.line_of(("stages", 0, "missing_field")) == 11  # the nearest parent


def test_syntax_errors_name_file_and_line() -> None:
    with pytest.raises(YamlError, match=r"^race.yaml:3: mapping values are not allowed here$"):
        parse_yaml("a: 1\nb: 2\n  c: d: e\n", "race.yaml")


def test_an_empty_document() -> None:
    assert parse_yaml("", "race.yaml").data is None


def test_paths_are_written_as_in_the_docs() -> None:
    assert format_path(("stages", 3, "checkpoints", 2, "km")) == "stages[3].checkpoints[2].km"
    assert format_path(()) == ""
