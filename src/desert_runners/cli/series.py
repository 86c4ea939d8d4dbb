"""``desert-runners series`` and ``desert-runners people link``: series standings, and who
is the same person across races."""

from __future__ import annotations

import typer
from rich.table import Table

from desert_runners.cli.output import JSON_OPTION_HELP, console, print_json

SERIES_HELP = "The series (its slug); needed when the database holds more than one."


def series(
    ctx: typer.Context,
    slug: str = typer.Option(None, "--series", help=SERIES_HELP),
    year: int = typer.Option(None, "--year", help="Only this year's Grand Slam and Champion."),
    as_json: bool = typer.Option(False, "--json", help=JSON_OPTION_HELP),
) -> None:
    """Series standings: 4 Deserts Club, Grand Slam, Grand Slam Plus and Champion."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.series import standings

    report = standings(context_of(ctx), slug)
    name = report.names.get
    found = report.standings
    slams = [s for s in found.grand_slam if year is None or s.year == year]
    plus = [s for s in found.grand_slam_plus if year is None or s.year == year]
    champs = [c for c in found.championship if year is None or c.year == year]
    if as_json:
        print_json(
            {
                "series": report.series.slug,
                "club": [
                    {
                        "person": m.person,
                        "name": name(m.person),
                        "completed_on": m.completed_on,
                        "races": list(m.races),
                    }
                    for m in found.club
                ],
                "grand_slam": [
                    {
                        "year": s.year,
                        "person": s.person,
                        "name": name(s.person),
                        "races": list(s.races),
                    }
                    for s in slams
                ],
                "grand_slam_plus": [
                    {
                        "year": s.year,
                        "person": s.person,
                        "name": name(s.person),
                        "races": list(s.races),
                    }
                    for s in plus
                ],
                "champion": [
                    {
                        "year": c.year,
                        "place": c.place,
                        "person": c.person,
                        "name": name(c.person),
                        "rank_sum": c.rank_sum,
                        "ranks": dict(c.ranks),
                    }
                    for c in champs
                ],
                "to_review": len(report.matching.candidates),
            }
        )
        return
    club = Table(
        "name", "completed", "races", title=f"{report.series.name} Club ({len(found.club)})"
    )
    for member in found.club:
        club.add_row(
            name(member.person) or member.person, str(member.completed_on), ", ".join(member.races)
        )
    console.print(club)
    for title, rows in (("Grand Slam", slams), ("Grand Slam Plus", plus)):
        table = Table("year", "name", "races", title=f"{title} ({len(rows)})")
        for slam in rows:
            table.add_row(str(slam.year), name(slam.person) or slam.person, ", ".join(slam.races))
        console.print(table)
    table = Table("year", "place", "name", "sum of ranks", "ranks", title="Champion")
    for place in champs:
        table.add_row(
            str(place.year),
            str(place.place),
            name(place.person) or place.person,
            str(place.rank_sum),
            ", ".join(f"{r}: {k}" for r, k in place.ranks),
        )
    console.print(table)
    if report.matching.candidates:
        console.print(
            f"{len(report.matching.candidates)} possible matches to review: "
            "desert-runners people link RACE/BIB RACE/BIB [--not]",
            markup=False,
        )


people = typer.Typer(
    help="Who is the same person across the races of a series.", no_args_is_help=True
)


@people.command("link")
def link(
    ctx: typer.Context,
    first: str = typer.Argument(..., help="RACE/BIB, e.g. atacama-crossing-2010/102."),
    second: str = typer.Argument(..., help="RACE/BIB in another race of the same series."),
    different: bool = typer.Option(
        False, "--not", help="They are two different people (never match them)."
    ),
    reason: str = typer.Option("", "--reason", help="Why: kept with the link."),
) -> None:
    """Say that two entrants are (or, with --not, are not) the same person."""
    from desert_runners.cli.app import context_of
    from desert_runners.services.series import link as add_link

    made = add_link(context_of(ctx), first, second, same=not different, reason=reason)
    verb = "the same person" if made.same else "different people"
    console.print(f"linked: {first} and {second} are {verb}", markup=False)
