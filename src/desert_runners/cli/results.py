"""``desert-runners results``: stage, overall, category and team results of a race."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from desert_runners.cli.entrants import RACE_HELP


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"
    PDF = "pdf"


class By(StrEnum):
    GENDER = "gender"
    AGE = "age"
    NATIONALITY = "nationality"
    TEAM = "team"


def results(
    ctx: typer.Context,
    race: str = typer.Option(None, "--race", envvar="DR_RACE", help=RACE_HELP),
    stage: int = typer.Option(None, "--stage", min=1, help="One stage's result."),
    after_stage: int = typer.Option(
        None,
        "--after-stage",
        min=1,
        help="The overall (GC) after this stage (default: the latest).",
    ),
    by: By = typer.Option(
        None, "--by", help="Places within each gender, age band, nationality; or team results."
    ),
    output_format: Format = typer.Option(Format.TABLE, "--format", help="How to write it."),
    output: Path = typer.Option(
        None, "--output", help="Write to this file (needed for xlsx and pdf; else stdout)."
    ),
) -> None:
    """Compute results from the event log, as of now: provisional until published."""
    from desert_runners.adapters.exporters.formats import check_output, write_sheet
    from desert_runners.cli.app import context_of
    from desert_runners.services.results import result_sheet

    if output is not None:  # before the results are computed: they may take a while
        check_output(output, output_format.value)
    sheet = result_sheet(
        context_of(ctx),
        race,
        stage=stage,
        after_stage=after_stage,
        by=None if by is None else by.value,  # type: ignore[arg-type]
    )
    write_sheet(sheet, output_format.value, output)
