"""The root command: global options, the error policy, and the sub-commands."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console

from desert_runners.bootstrap import Context, bootstrap, database_url, default_author
from desert_runners.domain.errors import UserError

USER_MISTAKE = 1  # wrong usage is 2, as click has it

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class _UserErrorsAsMessages(typer.core.TyperGroup):
    """A person's mistake ends in one clear message and exit code 1, never a traceback."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UserError as error:
            for line in str(error).splitlines() or ["failed"]:
                err_console.print(f"error: {line}", markup=False)
            raise typer.Exit(USER_MISTAKE) from None


app = typer.Typer(
    cls=_UserErrorsAsMessages,
    help="Desert Runners: timing and results for multi-stage desert ultramarathons.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _settings(
    ctx: typer.Context,
    db: str = typer.Option(
        None,
        "--db",
        envvar="DR_DATABASE_URL",
        help="Database URL: sqlite:///FILE (default sqlite:///desert-runners.db) "
        "or postgresql://USER:PASSWORD@HOST/DB.",
        show_default=False,
    ),
    author: str = typer.Option(
        None,
        "--author",
        envvar="DR_AUTHOR",
        help="Who is acting, stored with every fact (default: the login name).",
        show_default=False,
    ),
) -> None:
    ctx.obj = {"db": database_url(db), "author": author or default_author()}


def context_of(ctx: typer.Context) -> Context:
    """Open the store named by the global options, creating or upgrading its schema."""
    settings = ctx.find_root().obj
    return bootstrap(settings["db"], author=settings["author"])


def main() -> None:
    app()


def _register() -> None:
    from desert_runners.cli import (
        conflicts,
        entrants,
        events,
        imports,
        init,
        passings,
        race,
        reader,
        record,
        results,
        rulings,
        series,
        serve,
        simulate,
        station,
        tags,
    )

    app.command("init")(init.init)
    app.add_typer(race.app, name="race")
    app.add_typer(entrants.app, name="entrants")
    app.command("record")(record.record)
    app.add_typer(events.app, name="events")
    app.command("results")(results.results)
    app.command("series")(series.series)
    app.add_typer(series.people, name="people")
    app.command("import")(imports.import_)
    app.command("passings")(passings.passings)
    app.add_typer(tags.app, name="tags")
    app.add_typer(station.app, name="station")
    app.command("serve")(serve.serve)
    app.command("conflicts")(conflicts.conflicts)
    app.add_typer(reader.app, name="reader")
    app.command("simulate")(simulate.simulate)
    for ruling in (
        rulings.penalty,
        rulings.appeal,
        rulings.withdraw,
        rulings.start,
        rulings.neutralise,
        rulings.void,
        rulings.correct,
    ):
        app.command(ruling.__name__)(ruling)


_register()
