"""``desert-runners import``: historical results from another timing system's export, or
a timing device's file of reads (``--checkpoint``)."""

from __future__ import annotations

import os
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path

import typer

from desert_runners.cli.output import JSON_OPTION_HELP, console, print_json
from desert_runners.domain.errors import UserError


class DeviceFormat(StrEnum):
    ALIEN = "alien"
    CHRONOTRACK = "chronotrack"
    CSV = "csv"
    IMPINJ = "impinj"
    IPICO = "ipico"
    JCHIP = "jchip"
    MYLAPS = "mylaps"
    RACERESULT = "raceresult"
    ULTRA = "ultra"
    WICLAX = "wiclax"


def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A results export (UTMB table, SPORTident CSV)."),
    race: str = typer.Option(
        None, "--race", help="Slug for the race (default: from the file's name and year)."
    ),
    course: Path = typer.Option(
        None,
        "--course",
        help="Distances and climb of the timing points (checkpoints CSV, vp_list.yaml).",
    ),
    start: str = typer.Option(
        None,
        "--start",
        help="The start, YYYY-MM-DD HH:MM local (default: 1 January of the "
        "race's year: results only need elapsed times).",
    ),
    time_zone: str = typer.Option(
        None,
        "--time-zone",
        help="The race's IANA time zone (default by format: UTMB "
        "Europe/Paris, SPORTident Europe/Berlin).",
    ),
    checkpoint: str = typer.Option(
        None,
        "--checkpoint",
        help="STAGE/CHECKPOINT where a timing device's file was read, e.g. 5/CP5: "
        "imports the device's reads (not historical results).",
    ),
    kind: DeviceFormat = typer.Option(
        None,
        "--format",
        help="The device file's format (default: recognised from the content).",
        show_default=False,
    ),
    device: str = typer.Option(
        None,
        "--device",
        help="The device's name, kept with each read (default: the format and the "
        "reader's name in the file, else the format and the checkpoint).",
        show_default=False,
    ),
    clock_offset: float = typer.Option(
        None,
        "--clock-offset",
        help="Seconds to add to the device's times (its clock was that much behind; "
        "negative: ahead). Default 0.",
        show_default=False,
    ),
    columns: str = typer.Option(
        None,
        "--columns",
        help="For any other CSV: which column holds what, tag=2,time=3[,date=1,"
        "sequence=4,antenna=5,rssi=6], or a YAML file saying so.",
        show_default=False,
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Import historical results, or with --checkpoint a timing device's file.

    The format is recognised from the content. Historical results: each course in the
    file becomes a race (created if missing). A device file: every read is stored at the
    checkpoint. Lines that cannot be read are reported (exit 1), the others kept.
    Importing again adds only what is new."""
    from desert_runners.cli.app import USER_MISTAKE, context_of, err_console
    from desert_runners.services.historical import import_historical

    if checkpoint is not None:
        historical_only = [
            name
            for name, value in (
                ("--course", course),
                ("--start", start),
                ("--time-zone", time_zone),
            )
            if value is not None
        ]
        if historical_only:
            raise UserError(
                f"{', '.join(historical_only)}: for historical results, not with --checkpoint"
            )
        # The race must exist already: the timing crew's DR_RACE names it.
        into = race or os.environ.get("DR_RACE") or None
        _import_device(ctx, file, checkpoint, into, kind, device, clock_offset, columns, as_json)
        return
    _refuse_device_options(file, kind, device, clock_offset, columns)
    reports = import_historical(
        context_of(ctx),
        file,
        race_slug=race,
        course_file=course,
        start=start,
        time_zone=time_zone,
    )
    if as_json:
        print_json([asdict(report) for report in reports])
    else:
        for report in reports:
            state = "added" if report.added else "existing"
            console.print(
                f"{state:8} {report.race}: {report.name}, {report.entrants} entrants, "
                f"{report.entries} new entries",
                markup=False,
            )
            if report.start_assumed and report.start is not None:
                console.print(
                    f"         start not in the file: assumed {report.start:%Y-%m-%d %H:%M} "
                    f"{report.start.tzinfo} (give --start)",
                    markup=False,
                )
    problems = [problem for report in reports for problem in report.problems]
    for problem in problems:
        err_console.print(f"rejected: {problem}", markup=False)
    if problems:
        raise typer.Exit(USER_MISTAKE)


def _refuse_device_options(
    file: Path,
    kind: DeviceFormat | None,
    device: str | None,
    clock_offset: float | None,
    columns: str | None,
) -> None:
    from desert_runners.services.device_files import device_file_kind

    given = (
        ("--format", kind),
        ("--device", device),
        ("--clock-offset", clock_offset),
        ("--columns", columns),
    )
    device_only = [name for name, value in given if value is not None]
    if device_only:
        raise UserError(
            f"{', '.join(device_only)}: for a timing device file, with --checkpoint STAGE/CP"
        )
    found = device_file_kind(file)
    if found is not None:
        raise UserError(
            f"{file.name} is a timing device file ({found}): say where it was read with "
            "--checkpoint STAGE/CP"
        )


def _import_device(
    ctx: typer.Context,
    file: Path,
    checkpoint: str,
    race: str | None,
    kind: DeviceFormat | None,
    device: str | None,
    clock_offset: float | None,
    columns: str | None,
    as_json: bool,
) -> None:
    from desert_runners.cli.app import USER_MISTAKE, context_of, err_console
    from desert_runners.services.device_files import import_device_file

    report = import_device_file(
        context_of(ctx),
        file,
        checkpoint,
        race_slug=race,
        kind=None if kind is None else kind.value,
        device=device,
        clock_offset_s=clock_offset or 0.0,
        columns=columns,
    )
    if as_json:
        print_json(asdict(report) | {"unknown": report.unknown})
    else:
        guns = f", {report.guns} start gun{'s' * (report.guns != 1)}" if report.guns else ""
        console.print(
            f"{report.file} at {report.race} {report.checkpoint} ({report.format}, device "
            f"{report.device!r}): {report.lines} lines, {report.reads} reads, "
            f"{report.stored} stored, {report.already_stored} already stored, "
            f"{report.unknown} with an unknown tag{guns}, {len(report.rejected)} rejected",
            markup=False,
        )
        for tag, count in sorted(report.unknown_tags.items()):
            console.print(f"unknown tag: {tag} ({count} read{'s' * (count != 1)})", markup=False)
        for item in report.rejected:
            err_console.print(f"rejected: {report.file}:{item.line}: {item.reason}", markup=False)
    if report.rejected:
        raise typer.Exit(USER_MISTAKE)
